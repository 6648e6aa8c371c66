"""Reference data shipped with Dostyk: the HS nomenclature, the posts and a tariff.

The files live in ``data/`` beside this module with their provenance and licences in
``data/PROVENANCE.md``. They are read once per process; a customs administration replaces the
posts and the tariff with its own by importing a data package.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from dostyk.domain.nomenclature import HsEntry, Nomenclature
from dostyk.domain.ports import Post, RpmFunder, TransportMode
from dostyk.domain.tariff import TariffRate

HS_EDITION = "2022"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files(__package__).joinpath("data", name).open(encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


@cache
def default_rule_profile() -> str:
    """The YAML source of the rule profile Dostyk ships, rules:v1."""
    return resources.files(__package__).joinpath("data", "rules-v1.yaml").read_text("utf-8")


@cache
def nomenclature() -> Nomenclature:
    """HS 2022 chapters, headings and subheadings.

    Rows with codes of other lengths are skipped, and so is UN Comtrade's chapter 99 (section
    "TOTAL"), which is a statistical placeholder and not part of the nomenclature.
    """
    entries = (
        HsEntry(row["hscode"], row["description"], row["parent"], row["section"])
        for row in _rows("hs/harmonized-system.csv")
        if len(row["hscode"]) in (2, 4, 6) and row["section"] != "TOTAL"
    )
    return Nomenclature.from_entries(HS_EDITION, entries)


def posts() -> list[Post]:
    """The country's border crossing points."""
    return [
        Post(
            code=row["code"],
            name=row["name"],
            mode=TransportMode(row["mode"]),
            neighbour_country=row["neighbour_country"] or None,
            region=row["region"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            rpm_lanes=int(row["rpm_lanes"]),
            rpm_funder=RpmFunder(row["rpm_funder"]) if row["rpm_funder"] else None,
            electronic_since=(
                date.fromisoformat(row["electronic_since"]) if row["electronic_since"] else None
            ),
            model_only=row["model_only"] == "true",
            note=row["note"] or None,
        )
        for row in _rows("posts.csv")
    ]


@cache
def tariff_rates() -> tuple[TariffRate, ...]:
    """Duty and VAT rates per HS heading (a model tariff; see PROVENANCE.md)."""
    return tuple(
        TariffRate(
            code_prefix=row["code_prefix"],
            valid_from=date.fromisoformat(row["valid_from"]),
            duty_rate=Decimal(row["duty_rate"]),
            vat_rate=Decimal(row["vat_rate"]),
            note=row["note"] or None,
        )
        for row in _rows("tariff_rates.csv")
    )
