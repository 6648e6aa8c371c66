"""The services' identifiers and draws: deterministic, bounded, and short enough to store."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from dostyk.domain.discrepancies import DiscrepancyKind
from dostyk.services.actors import national_day
from dostyk.services.draws import choice_index, draw_digest, uniform
from dostyk.services.ids import MAX_ID, discrepancy_id, make_id


def test_identifiers_are_readable_and_fit_the_store() -> None:
    assert make_id("A", "D1", 2) == "A-D1-2"
    long = make_id("A", "D" * 40, 1)
    assert len(long) == MAX_ID
    assert long.startswith("A-")
    assert long == make_id("A", "D" * 40, 1)
    assert long != make_id("A", "D" * 40, 2)
    assert discrepancy_id(DiscrepancyKind.UNDECLARED_MANIFEST_LINE, "M1-4") == "Z-UL-M1-4"


def test_draws_are_deterministic_and_spread_evenly() -> None:
    root = bytes(32)
    assert draw_digest(root, "D1") == draw_digest(root, "D1")
    assert draw_digest(root, "D1", "A") != draw_digest(root, "D1A")
    assert 0.0 <= uniform(root, "D1") < 1.0
    counts = Counter(choice_index(root, 3, f"D{n}") for n in range(3000))
    assert set(counts) == {0, 1, 2}
    assert all(900 < count < 1100 for count in counts.values())


def test_the_national_day_is_dostyks() -> None:
    assert national_day(datetime(2025, 12, 31, 19, 30, tzinfo=UTC)).isoformat() == "2026-01-01"
    assert national_day(datetime(2025, 12, 31, 18, 59, tzinfo=UTC)).isoformat() == "2025-12-31"
