"""EDIFACT segments: pydifact's tokenizer underneath, numbered segments and located errors on top.

pydifact splits the text into tokens (content, separators, terminators) honouring the UNA
service string advice and the release character; it does not know messages. This module turns
its tokens into :class:`Segment` records numbered from 1 in the file (UNA excluded), each element
a tuple of components, so that every later error names the segment's tag, its number and the
element (``segment 12 (MOA), element 2: ...``). :func:`write` is the inverse, escaping the
service characters, for the messages Dostyk builds (CUSRES) and the tests build (CUSDEC, CUSCAR).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.token import Token
from pydifact.tokenizer import Tokenizer

from dostyk.interchange.json_documents import DocumentError, DocumentRejected

#: The largest EDIFACT interchange taken, in characters.
MAX_CHARS = 5_000_000
#: Segment tags are three capital letters.
TAG_LENGTH = 3


@dataclass(frozen=True, slots=True)
class Segment:
    tag: str
    #: Data elements, each a tuple of its components (a simple element has one).
    elements: tuple[tuple[str, ...], ...]
    #: Position in the file, from 1 (UNA not counted).
    number: int

    @property
    def where(self) -> str:
        return f"segment {self.number} ({self.tag})"

    def at(self, element: int, component: int = 1) -> str:
        """The value at ``element`` (1 is the first after the tag) and ``component``; '' if
        absent."""
        if element > len(self.elements):
            return ""
        parts = self.elements[element - 1]
        return parts[component - 1] if component <= len(parts) else ""

    def place(self, element: int, component: int | None = None) -> str:
        where = f"{self.where}, element {element}"
        return where if component is None else f"{where}, component {component}"


def tokenize(text: str, file: str) -> list[Segment]:
    """The file's segments; DocumentRejected naming the segment where the syntax breaks."""
    if len(text) > MAX_CHARS:
        problem = f"is {len(text):,} characters; the most taken is {MAX_CHARS:,}"
        raise DocumentRejected([DocumentError(file, "", problem)])
    body = text.lstrip("\ufeff \r\n\t")
    characters = Characters()  # type: ignore[no-untyped-call]
    if body.startswith("UNA"):
        if len(body) < 9:
            raise _rejected(file, "UNA", "the service string advice needs six characters")
        characters = Characters.from_str(body[:9])
        body = body[9:]
    segments: list[Segment] = []
    elements: list[tuple[str, ...]] = []
    components: list[str] = []
    tag: str | None = None
    pending = False
    try:
        for token in Tokenizer().get_tokens(body, characters):
            kind = token.type
            if kind is Token.Type.CONTENT:
                if tag is None and not elements and not components:
                    tag = token.value.strip()
                    number = len(segments) + 1
                    if len(tag) != TAG_LENGTH or not tag.isascii() or not tag.isupper():
                        raise _rejected(
                            file, f"segment {number}", f"{tag[:20]!r} is not a segment tag"
                        )
                else:
                    components.append(token.value)
                pending = True
            elif kind is Token.Type.COMPONENT_SEPARATOR:
                if not pending:
                    components.append("")
                pending = False
            elif kind is Token.Type.DATA_SEPARATOR:
                if tag is None:
                    raise _rejected(file, f"segment {len(segments) + 1}", "has no tag")
                if components or elements:
                    if not pending:
                        components.append("")
                    elements.append(tuple(components))
                components, pending = [], False
            elif kind is Token.Type.TERMINATOR:
                if tag is None:
                    raise _rejected(file, f"segment {len(segments) + 1}", "is empty")
                if components or elements:
                    if not pending:
                        components.append("")
                    elements.append(tuple(components))
                segments.append(Segment(tag, tuple(elements), len(segments) + 1))
                tag, elements, components, pending = None, [], [], False
    except EDISyntaxError as error:
        raise _rejected(file, f"segment {len(segments) + 1}", f"EDIFACT syntax: {error}") from None
    if tag is not None or components or elements:
        where = f"segment {len(segments) + 1}"
        raise _rejected(file, where, "is not terminated (the text ends inside it)")
    return segments


def write(segments: Iterable[tuple[str, Sequence[Sequence[str] | str]]]) -> str:
    """Segments as EDIFACT text with the default service characters (UNA written first)."""
    lines = ["UNA:+.? '"]
    for tag, elements in segments:
        parts = [tag]
        for element in elements:
            if isinstance(element, str):
                parts.append(_escape(element))
            else:
                parts.append(":".join(_escape(c) for c in element))
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        lines.append("+".join(parts) + "'")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    out = []
    for char in text:
        if char in "?:+'":
            out.append("?")
        out.append(" " if char in "\r\n" else char)
    return "".join(out)


def _rejected(file: str, where: str, problem: str) -> DocumentRejected:
    return DocumentRejected([DocumentError(file, where, problem)])
