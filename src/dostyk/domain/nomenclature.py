"""The Harmonized System nomenclature and the national 10-digit commodity codes built on it.

Kazakhstan, like the rest of the Eurasian Economic Union, declares goods at ten digits; the first
six are an HS subheading, which is what every partner country reports and what mirror analysis and
the tariff fall back on. The nomenclature is passed in rather than loaded here, so the domain
stays free of I/O and tests can use a small one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from dostyk.domain.errors import InvariantViolation

COMMODITY_CODE = re.compile(r"[0-9]{10}", re.ASCII)


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str
    description: str
    parent: str
    section: str

    @property
    def level(self) -> int:
        return len(self.code)


@dataclass(frozen=True)
class Nomenclature:
    """HS chapters (2 digits), headings (4) and subheadings (6) with their descriptions."""

    edition: str
    entries: dict[str, HsEntry] = field(repr=False)

    @classmethod
    def from_entries(cls, edition: str, entries: Iterable[HsEntry]) -> Nomenclature:
        return cls(edition, {e.code: e for e in entries})

    def is_subheading(self, code: str) -> bool:
        entry = self.entries.get(code)
        return entry is not None and entry.level == 6

    def describe(self, code: str) -> str:
        """The description of the longest known prefix of ``code``."""
        for length in (6, 4, 2):
            entry = self.entries.get(code[:length])
            if entry is not None:
                return entry.description
        raise KeyError(code)

    def subheadings(self) -> list[str]:
        return sorted(c for c, e in self.entries.items() if e.level == 6)

    def headings(self) -> list[str]:
        return sorted(c for c, e in self.entries.items() if e.level == 4)

    def check_commodity_code(self, field_name: str, code: str) -> str:
        """A national code is ten digits whose first six are a subheading of this edition."""
        if not COMMODITY_CODE.fullmatch(code):
            raise InvariantViolation(field_name, f"{code!r} is not a 10-digit commodity code")
        if not self.is_subheading(code[:6]):
            raise InvariantViolation(
                field_name,
                f"{code!r}: {code[:6]} is not a subheading of the HS {self.edition} nomenclature",
            )
        return code
