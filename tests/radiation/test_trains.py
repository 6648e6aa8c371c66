"""A train's railcars simulated in one vectorised pass: reproducible, back to back, and the same
physics as one vehicle at a time (what the simulator's portals now use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest

from dostyk.domain.occupancies import Occupancy
from dostyk.radiation.algorithms import analyse_many, score
from dostyk.radiation.batch import stack
from dostyk.radiation.simulation import (
    BENIGN,
    NORM_CARGO,
    SOURCE_BY_NUCLIDE,
    Cargo,
    PortalSimulator,
    SourceClass,
    Vehicle,
)
from dostyk.radiation.thresholds import Thresholds
from dostyk.services.radiation import primary

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
CARS = BENIGN[0]
TILES = NORM_CARGO[0]


def _train(seed: int, vehicles: list[Vehicle]) -> list[np.ndarray]:
    lane = PortalSimulator(seed, post_code="DST", monitor_id="RPM-DST-1")
    return [s.occupancy.gamma for s in lane.pass_train(START, vehicles)]


def test_a_train_is_the_same_for_a_seed_and_its_railcars_pass_back_to_back() -> None:
    vehicles = [Vehicle(CARS if i % 3 else TILES, railcar=True) for i in range(40)]
    first, again = _train(3, vehicles), _train(3, vehicles)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(
        a.shape == b.shape and np.array_equal(a, b)
        for a, b in zip(first, _train(4, vehicles), strict=True)
    )
    lane = PortalSimulator(3, post_code="DST", monitor_id="RPM-DST-1")
    passed = lane.pass_train(START, vehicles)
    assert passed[0].occupancy.started_at == START
    for before, after in pairwise(passed):
        assert after.occupancy.started_at == before.occupancy.ended_at + timedelta(seconds=1)
    assert len({s.occupancy.occupancy_id for s in passed}) == len(vehicles)
    assert [s.truth.source_class for s in passed[:3]] == [
        SourceClass.NORM,
        SourceClass.NONE,
        SourceClass.NONE,
    ]


@pytest.mark.parametrize("cargo", [CARS, TILES], ids=["cars", "ceramic tiles"])
def test_a_train_has_the_counts_of_its_railcars_passed_one_at_a_time(cargo: Cargo) -> None:
    """Mean gross counts per slice and panel, slices per occupancy and background agree."""
    count = 400
    alone = PortalSimulator(7)
    single = [
        alone.pass_vehicle(START + timedelta(minutes=i), cargo=cargo, railcar=True).occupancy
        for i in range(count)
    ]
    together = [
        s.occupancy
        for s in PortalSimulator(8).pass_train(START, [Vehicle(cargo, railcar=True)] * count)
    ]
    measures: list[Callable[[Occupancy], float]] = [
        lambda o: float(o.gamma.sum() / (o.n_slices * 4)),
        lambda o: float(o.n_slices),
        lambda o: float(o.background_before.gamma.sum()),
    ]
    for measure in measures:
        one = np.mean([measure(o) for o in single])
        many = np.mean([measure(o) for o in together])
        assert abs(many - one) <= 0.02 * one, (one, many)
    if cargo is CARS:
        rates = Thresholds(gamma_false_alarm_rate=0.05, neutron_false_alarm_rate=0.05)
        alarms = score(stack(together), rates).scores
        assert all(float(s.alarm.mean()) <= 0.1 for s in alarms.values())


def test_sources_and_norm_in_a_train_are_seen_where_they_are() -> None:
    vehicles = [Vehicle(CARS, railcar=True) for _ in range(30)]
    vehicles[5] = Vehicle(CARS, SOURCE_BY_NUCLIDE["Cs-137"], strength_cps=400.0, railcar=True)
    vehicles[12] = Vehicle(CARS, SOURCE_BY_NUCLIDE["Cf-252"], strength_cps=40.0, railcar=True)
    vehicles[20] = Vehicle(TILES, railcar=True)
    passed = PortalSimulator(11).pass_train(START, vehicles)
    assert passed[5].truth.nuclide == "Cs-137" and passed[5].truth.strength_cps == 400.0
    found = analyse_many([s.occupancy for s in passed])
    alarmed = {i for i, results in enumerate(found) if primary(results) is not None}
    assert {5, 12} <= alarmed
    assert len(alarmed - {5, 12, 20}) <= 1
    assert int(passed[12].occupancy.neutron.sum()) > 3 * int(passed[11].occupancy.neutron.sum())
    assert passed[20].truth.source_class is SourceClass.NORM
    assert passed[20].truth.strength_cps > 0.0
