"""What crosses: the goods, their values per kilogram and how they are packed.

Values are assumptions in US dollars per kilogram, of the order of world trade unit values for
these subheadings; the spread around them is lognormal (sigma 0.35). Rail carries bulk and heavy
goods, trucks consumer goods, aircraft light and valuable ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import numpy as np

from dostyk.domain.tariff import Tariff
from dostyk.reference import nomenclature, tariff_rates


@dataclass(frozen=True)
class Goods:
    hs6: str
    description: str
    unit: str
    usd_per_kg: float
    kg_per_unit: float

    @property
    def commodity_code(self) -> str:
        return f"{self.hs6}0000"


RAIL_GOODS = (
    Goods("690721", "Ceramic tiles", "MTK", 0.45, 21.0),
    Goods("721049", "Flat-rolled steel, zinc-coated", "KGM", 0.9, 1.0),
    Goods("730630", "Welded steel tubes", "KGM", 1.1, 1.0),
    Goods("310230", "Ammonium nitrate fertiliser", "KGM", 0.3, 1.0),
    Goods("392010", "Polyethylene film", "KGM", 1.6, 1.0),
    Goods("847989", "Machinery n.e.s.", "H87", 6.0, 800.0),
    Goods("940360", "Wooden furniture", "KGM", 2.2, 1.0),
    Goods("870899", "Motor vehicle parts", "KGM", 4.5, 1.0),
    Goods("080810", "Apples, fresh", "KGM", 0.7, 1.0),
    Goods("252329", "Portland cement", "KGM", 0.08, 1.0),
)

TRUCK_GOODS = (
    Goods("640299", "Footwear, rubber or plastics", "PR", 6.5, 0.8),
    Goods("611030", "Jerseys of man-made fibres", "H87", 14.0, 0.3),
    Goods("851713", "Smartphones", "H87", 150.0, 0.25),
    Goods("950300", "Toys", "KGM", 5.5, 1.0),
    Goods("392690", "Articles of plastics", "KGM", 3.0, 1.0),
    Goods("848180", "Valves and taps", "KGM", 9.0, 1.0),
    Goods("420292", "Bags of textile materials", "H87", 9.0, 0.6),
    Goods("070320", "Garlic, fresh", "KGM", 1.1, 1.0),
)

AIR_GOODS = (
    Goods("851713", "Smartphones", "H87", 150.0, 0.25),
    Goods("847130", "Portable computers", "H87", 90.0, 2.0),
    Goods("300490", "Medicaments, packaged", "KGM", 60.0, 1.0),
)


def check_catalogue() -> None:
    """Every subheading used is in HS 2022 (a broken catalogue would only show as rejections)."""
    hs = nomenclature()
    for goods in (*RAIL_GOODS, *TRUCK_GOODS, *AIR_GOODS):
        if not hs.is_subheading(goods.hs6):
            raise ValueError(f"{goods.description}: {goods.hs6} is not an HS 2022 subheading")


@cache
def _shipped_tariff() -> Tariff:
    return Tariff.of(tariff_rates())


@cache
def _subheadings_of_chapter(chapter: str) -> tuple[str, ...]:
    return tuple(code for code in nomenclature().subheadings() if code[:2] == chapter)


@cache
def cheaper_code(hs6: str, on: date) -> str | None:
    """The subheading of the same chapter with the lowest duty: where a misclassifier hides.

    None when no subheading of the chapter carries a lower duty than ``hs6``.
    """
    tariff = _shipped_tariff()
    own = tariff.rate_for(f"{hs6}0000", on).duty_rate
    best: tuple[Decimal, str] | None = None
    for code in _subheadings_of_chapter(hs6[:2]):
        if code == hs6:
            continue
        rate = tariff.rate_for(f"{code}0000", on).duty_rate
        if rate < own and (best is None or (rate, code) < best):
            best = (rate, code)
    return None if best is None else best[1]


def unit_value(goods: Goods, rng: np.random.Generator) -> float:
    """A consignment's true value per kg: lognormal around the subheading's typical value."""
    return float(goods.usd_per_kg * rng.lognormal(0.0, 0.35))
