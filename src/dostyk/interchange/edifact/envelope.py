"""The interchange envelope: UNB ... UNZ around messages, each UNH ... UNT.

The envelope is checked as the syntax rules (ISO 9735) require: a UNT counts its message's
segments (UNH and UNT included) and repeats the UNH's reference; a UNZ counts the messages and
repeats the UNB's control reference. UNB and UNZ may be left out (a single message posted to
the API). Each message's type comes from its UNH (``CUSDEC:D:96B:UN``): type, version, release.
"""

from __future__ import annotations

from dataclasses import dataclass

from dostyk.interchange.edifact.segments import Segment
from dostyk.interchange.json_documents import DocumentError, DocumentRejected


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    version: str
    release: str
    segments: tuple[Segment, ...]

    @property
    def directory(self) -> str:
        return f"{self.version}.{self.release}"


def messages(segments: list[Segment], file: str) -> list[Message]:
    """The messages of an interchange, its envelope checked."""

    def fail(segment: Segment | None, problem: str) -> DocumentRejected:
        where = segment.where if segment is not None else "end of file"
        return DocumentRejected([DocumentError(file, where, problem)])

    if not segments:
        raise fail(None, "holds no EDIFACT segments")
    body = segments
    header = None
    if body[0].tag == "UNB":
        header = body[0]
        if body[-1].tag != "UNZ":
            raise fail(body[-1], "an interchange opened by UNB ends with UNZ")
        body = body[1:-1]
    found: list[Message] = []
    index = 0
    while index < len(body):
        head = body[index]
        if head.tag != "UNH":
            raise fail(head, f"a message starts with UNH, not {head.tag}")
        end = next((i for i in range(index + 1, len(body)) if body[i].tag in ("UNT", "UNH")), None)
        if end is None or body[end].tag != "UNT":
            raise fail(head if end is None else body[end], "the message has no UNT")
        trailer = body[end]
        count = end - index + 1
        if trailer.at(1) != str(count):
            raise fail(
                trailer, f"element 1: the message has {count} segments, not {trailer.at(1)!r}"
            )
        if trailer.at(2) != head.at(1):
            raise fail(
                trailer, f"element 2: reference {trailer.at(2)!r} is not the UNH's {head.at(1)!r}"
            )
        kind, version, release = head.at(2, 1), head.at(2, 2), head.at(2, 3)
        if not kind:
            raise fail(head, "element 2, component 1: the message type is missing")
        found.append(Message(kind, version, release, tuple(body[index : end + 1])))
        index = end + 1
    if header is not None:
        trailer = segments[-1]
        if trailer.at(1) != str(len(found)):
            raise fail(
                trailer,
                f"element 1: the interchange has {len(found)} messages, not {trailer.at(1)!r}",
            )
        if trailer.at(2) != header.at(5):
            raise fail(
                trailer,
                f"element 2: control reference {trailer.at(2)!r} is not the UNB's {header.at(5)!r}",
            )
    if not found:
        raise fail(None, "holds no message (UNH ... UNT)")
    return found
