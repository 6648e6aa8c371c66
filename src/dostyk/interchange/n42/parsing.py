"""Parsing N42 XML safely, keeping each element's line for error messages.

Every document goes through defusedxml with document type declarations forbidden: N42 needs
none, and a DTD is how entity expansion ("billion laughs") and external entities (a file or URL
pulled into the document) get in. Files larger than :data:`MAX_BYTES` are refused before
parsing. The parser records the line each element starts on, so that a later error (a count that
is not a number, a reference to a detector that does not exist) names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from dostyk.interchange.n42.errors import N42Error

#: N42.42-2011's namespace.
NS = "http://physics.nist.gov/N42/2011/N42"
#: A portal monitor's day is a few megabytes; anything past this is refused unread.
MAX_BYTES = 200 * 1024 * 1024

_DURATION = re.compile(
    r"-?P(?:(?P<d>\d+(?:\.\d*)?)D)?(?:T(?:(?P<h>\d+(?:\.\d*)?)H)?(?:(?P<m>\d+(?:\.\d*)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d*)?)S)?)?"
)


class _LineParser(DefusedXMLParser):  # type: ignore[misc]
    """defusedxml's parser, remembering where each element starts."""

    def __init__(self) -> None:
        super().__init__(
            target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        self.lines: dict[int, int] = {}
        self.keep: list[Element] = []

    def _start(self, tag: str, attr_list: Any) -> Element:
        element: Element = super()._start(tag, attr_list)
        self.lines[id(element)] = int(self.parser.CurrentLineNumber)
        self.keep.append(element)
        return element


@dataclass(frozen=True, slots=True, eq=False)
class Parsed:
    """A parsed document: its root and the line of every element."""

    file: str
    root: Element
    lines: dict[int, int]

    def line(self, element: Element) -> int | None:
        return self.lines.get(id(element))

    def error(self, element: Element, message: str) -> N42Error:
        return N42Error(self.file, message, line=self.line(element), element=local(element.tag))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_bytes(data: bytes, file: str) -> Parsed:
    """Parse ``data`` (the content of ``file``), refusing hostile and malformed documents."""
    if len(data) > MAX_BYTES:
        raise N42Error(file, f"{len(data)} bytes is more than the {MAX_BYTES} an N42 file may have")
    if not data.strip():
        raise N42Error(file, "the file is empty", line=1)
    parser = _LineParser()
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as refused:
        line = int(parser.parser.CurrentLineNumber)
        raise N42Error(
            file,
            "refused: the file declares a document type (DTD) or entities, which N42 does "
            "not use and which can expand without bound or read other files "
            f"({type(refused).__name__})",
            line=line,
        ) from None
    except ParseError as broken:
        line, column = broken.position
        message = str(broken).split(":", 1)[0]
        if "no element found" in message or "unclosed token" in message:
            message += " (the file is truncated)"
        raise N42Error(
            file, f"not well-formed XML: {message}, column {column + 1}", line=line
        ) from None
    return Parsed(file, root, dict(parser.lines))


def parse_file(path: Path) -> Parsed:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise N42Error(path, f"{size} bytes is more than the {MAX_BYTES} an N42 file may have")
        data = path.read_bytes()
    except OSError as failure:
        raise N42Error(path, f"cannot be read: {failure.strerror or failure}") from None
    return parse_bytes(data, str(path))


def duration_seconds(parsed: Parsed, element: Element) -> float:
    """An xsd:duration (PT0.1S, PT5M) in seconds."""
    text = (element.text or "").strip()
    match = _DURATION.fullmatch(text)
    if not text or match is None or text.endswith(("P", "T")):
        raise parsed.error(element, f"{text!r} is not a duration such as PT0.1S")
    parts = match.groupdict()
    seconds = (
        float(parts["d"] or 0) * 86400
        + float(parts["h"] or 0) * 3600
        + float(parts["m"] or 0) * 60
        + float(parts["s"] or 0)
    )
    return -seconds if text.startswith("-") else seconds


def numbers(parsed: Parsed, element: Element) -> list[float]:
    """A whitespace-separated list of numbers (CountData, ChannelData, coefficients)."""
    text = element.text or ""
    try:
        values = [float(v) for v in text.split()]
    except ValueError:
        bad = next(v for v in text.split() if not _is_number(v))
        raise parsed.error(element, f"{bad[:40]!r} is not a number") from None
    if any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise parsed.error(element, "counts must be finite numbers")
    return values


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
