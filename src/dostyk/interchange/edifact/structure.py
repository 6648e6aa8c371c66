"""The segment-group layer: a message's branching diagram, checked, and its segments as a tree.

An EDIFACT message is a sequence of segments whose order, repetitions and nesting the message's
directory defines: segment groups, each opened by its trigger segment, each segment and group
mandatory (M) or conditional (C) with a maximum number of repetitions. pydifact does not check
any of it. :func:`match` walks a message's segments against its diagram (:class:`Group`) the way
the directory reads it, greedily and in order, and answers the tree of groups, or
DocumentRejected naming the first segment that does not fit (its tag and number) and what was
expected there, or the mandatory segment missing before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dostyk.interchange.edifact.segments import Segment
from dostyk.interchange.json_documents import DocumentError, DocumentRejected


@dataclass(frozen=True, slots=True)
class Seg:
    """A segment in a diagram: its tag, whether mandatory, how often it may repeat."""

    tag: str
    mandatory: bool = False
    repeats: int = 1

    @property
    def trigger(self) -> str:
        return self.tag


@dataclass(frozen=True, slots=True)
class Group:
    """A segment group: its first part is its trigger segment (mandatory in the group)."""

    name: str
    parts: tuple[Seg | Group, ...]
    mandatory: bool = False
    repeats: int = 1

    @property
    def trigger(self) -> str:
        return self.parts[0].trigger


@dataclass
class Node:
    """One occurrence of a group: its own segments by tag, and its subgroups by name."""

    name: str
    segments: dict[str, list[Segment]] = field(default_factory=dict)
    groups: dict[str, list[Node]] = field(default_factory=dict)

    def first(self, tag: str) -> Segment | None:
        found = self.segments.get(tag)
        return found[0] if found else None

    def all(self, tag: str) -> list[Segment]:
        return self.segments.get(tag, [])

    def subgroups(self, name: str) -> list[Node]:
        return self.groups.get(name, [])

    @property
    def opening(self) -> Segment:
        """The trigger segment that opened this occurrence."""
        return next(iter(self.segments.values()))[0]


class _Walk:
    def __init__(self, segments: Sequence[Segment], file: str, message: str) -> None:
        self.segments = segments
        self.index = 0
        self.file = file
        self.message = message

    def peek(self) -> Segment | None:
        return self.segments[self.index] if self.index < len(self.segments) else None

    def fail(self, problem: str) -> DocumentRejected:
        here = self.peek()
        where = here.where if here else f"after segment {self.segments[-1].number}"
        return DocumentRejected([DocumentError(self.file, where, f"{self.message}: {problem}")])

    def group(self, group: Group, node: Node) -> None:
        """Consume one occurrence of ``group`` (its trigger is next) into ``node``."""
        for position, part in enumerate(group.parts):
            count = 0
            while count < part.repeats:
                here = self.peek()
                if here is None or here.tag != part.trigger:
                    break
                if isinstance(part, Seg):
                    node.segments.setdefault(part.tag, []).append(here)
                    self.index += 1
                else:
                    child = Node(part.name)
                    self.group(part, child)
                    node.groups.setdefault(part.name, []).append(child)
                count += 1
            here = self.peek()
            if part.mandatory and count == 0:
                what = (
                    part.tag if isinstance(part, Seg) else f"{part.name} (opened by {part.trigger})"
                )
                found = f"found {here.tag}" if here else "the message ends"
                raise self.fail(f"mandatory {what} is missing in {group.name}; {found}")
            repeated = here is not None and here.tag == part.trigger
            if position > 0 and count == part.repeats and repeated:
                what = part.tag if isinstance(part, Seg) else part.name
                raise self.fail(f"{what} may appear at most {part.repeats} times in {group.name}")


def match(segments: Sequence[Segment], diagram: Group, file: str) -> Node:
    """The tree of one message (``segments`` from its UNH to its UNT) under ``diagram``."""
    walk = _Walk(segments, file, diagram.name)
    root = Node(diagram.name)
    walk.group(diagram, root)
    leftover = walk.peek()
    if leftover is not None:
        raise walk.fail(f"{leftover.tag} is not expected here (see docs/interchange.md)")
    return root


def expected_tags(diagram: Group) -> set[str]:
    """Every tag the diagram knows (for the documentation and the fuzzers)."""
    tags: set[str] = set()
    for part in diagram.parts:
        if isinstance(part, Seg):
            tags.add(part.tag)
        else:
            tags |= expected_tags(part)
    return tags
