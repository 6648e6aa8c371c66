"""JSON documents for the lifecycle tests, on the sample package's records.

A KTZ train, TR9001 (new to the register), brings three railcars into Dostyk at 09:00 local time
on 1 March 2024, when the sample's day shift is on duty: RC50000000 and RC50000001 (registered)
laden, each weighed at its tare of 23.5 t plus 40 t of cargo, and RC50000100 (new) empty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: 09:00 at Dostyk (UTC+5) on 1 March 2024, and the minutes after it.
ARRIVED = "2024-03-01T04:00:00Z"


def at(minutes: int) -> str:
    """``minutes`` after 09:00 local time (04:00 UTC) on 1 March 2024, as --at takes it."""
    hours, rest = divmod(minutes, 60)
    return f"2024-03-01T{4 + hours:02d}:{rest:02d}:00Z"


def crossing() -> dict[str, Any]:
    return {
        "movement": {
            "crossing_id": "X-T1",
            "post_code": "DST",
            "conveyance_id": "TR9001",
            "direction": "in",
            "crossed_at": ARRIVED,
            "laden": True,
        },
        "units": [
            {
                "crossing_id": "X-T1-1",
                "conveyance_id": "RC50000000",
                "laden": True,
                "gross_mass_kg": 63500.0,
            },
            {
                "crossing_id": "X-T1-2",
                "conveyance_id": "RC50000001",
                "laden": True,
                "gross_mass_kg": 63500.0,
            },
            {
                "crossing_id": "X-T1-3",
                "conveyance_id": "RC50000100",
                "laden": False,
                "gross_mass_kg": 23600.0,
            },
        ],
        "conveyances": [
            {
                "conveyance_id": "TR9001",
                "kind": "train",
                "registration": "2TE10U-9001",
                "country": "KZ",
                "carrier_id": "KTZ",
            },
            {
                "conveyance_id": "RC50000100",
                "kind": "railcar",
                "registration": "50000100",
                "country": "KZ",
                "carrier_id": "KTZ",
                "tare_mass_kg": 23500.0,
            },
        ],
    }


def toys(
    declaration_id: str = "D-TOYS", unit: str = "X-T1-1", value: str = "10000.00"
) -> dict[str, Any]:
    """Toys from an importer with a history, declared at ``value`` USD for 37 t.

    The default value is a twentieth of what toys are declared at in the sample, so the rule
    ``undervalued`` sends it to red whatever the random share draws.
    """
    return {
        "declaration": {
            "declaration_id": declaration_id,
            "kind": "import",
            "post_code": "DST",
            "declarant_id": "BRK000",
            "reference": f"REF-{declaration_id}",
            "importer_id": "IMP0000",
        },
        "items": [
            {
                "item_no": 1,
                "commodity_code": "9503000000",
                "description": "Toys: plastic construction sets",
                "origin": "CN",
                "quantity": "37000",
                "unit": "KGM",
                "gross_mass_kg": 40000.0,
                "net_mass_kg": 37000.0,
                "customs_value": value,
                "currency": "USD",
                "exchange_rate": "452.1",
            }
        ],
        "units": [unit],
    }


def trousers(declaration_id: str = "D-TROUSERS", unit: str = "X-T1-2") -> dict[str, Any]:
    """Men's trousers (chapter 62, high duty: yellow, or red if the random share says so)."""
    return {
        "declaration": {
            "declaration_id": declaration_id,
            "kind": "import",
            "post_code": "DST",
            "declarant_id": "BRK000",
            "reference": f"REF-{declaration_id}",
            "importer_id": "IMP0001",
        },
        "items": [
            {
                "item_no": 1,
                "commodity_code": "6203420000",
                "description": "Men's cotton trousers",
                "origin": "CN",
                "quantity": 64000,
                "unit": "H87",
                "gross_mass_kg": 40000,
                "net_mass_kg": 38000,
                "customs_value": 1280000.00,
                "currency": "CNY",
                "exchange_rate": 64.35,
            }
        ],
        "units": [unit],
    }


def findings(extra_duty: str = "3088800.00") -> dict[str, Any]:
    return {
        "findings": [
            {
                "finding_no": 1,
                "kind": "undervaluation",
                "description": "The supplier's invoice shows CNY 1,600,000",
                "extra_duty": extra_duty,
                "item_no": 1,
            }
        ]
    }


def write(path: Path | str, document: Any) -> Path:
    target = Path(path)
    target.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return target
