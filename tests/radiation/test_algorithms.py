"""The alarm algorithms: false-alarm rates near the target, sources found, NORM told apart,
cosmic bursts rejected, and one occupancy analysed alone as in a batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.occupancies import Occupancy, SourceVerdict
from dostyk.radiation.algorithms import (
    ALGORITHMS,
    ENERGY_WINDOW,
    GROSS,
    NEUTRON,
    SMALL_BATCH,
    SPRT,
    _restarted_walk,
    analyse,
    analyse_many,
    score,
)
from dostyk.radiation.batch import stack
from dostyk.radiation.evaluation import evaluate_on
from dostyk.radiation.simulation import (
    BENIGN,
    NORM_CARGO,
    SOURCE_BY_NUCLIDE,
    PortalSimulator,
    evaluation_set,
)
from dostyk.radiation.thresholds import Thresholds

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
QUIET = [c for c in BENIGN if not c.bulk]


def _background_only(count: int, seed: int = 5) -> list[Occupancy]:
    simulator = PortalSimulator(seed)
    return [
        simulator.pass_vehicle(
            START + timedelta(hours=i), cargo=QUIET[i % len(QUIET)], railcar=i % 3 == 0
        ).occupancy
        for i in range(count)
    ]


def test_false_alarm_rate_on_background_is_near_the_target() -> None:
    batch = stack(_background_only(1500))
    target = 0.05
    scores = score(
        batch, Thresholds(gamma_false_alarm_rate=target, neutron_false_alarm_rate=target)
    )
    for name in (GROSS, ENERGY_WINDOW, NEUTRON):
        observed = float(scores.scores[name].alarm.mean())
        assert 0.4 * target <= observed <= 1.6 * target, (name, observed)
    # Wald's boundaries bound the rate from above (the overshoot makes it smaller still).
    assert float(scores.scores[SPRT].alarm.mean()) <= 1.6 * target


def test_lower_target_rates_alarm_less() -> None:
    batch = stack(_background_only(400, seed=6))
    loose = score(batch, Thresholds(gamma_false_alarm_rate=0.2)).scores[GROSS].alarm.sum()
    strict = score(batch, Thresholds(gamma_false_alarm_rate=0.001)).scores[GROSS].alarm.sum()
    assert strict < loose


def test_a_strong_caesium_source_alarms_as_man_made() -> None:
    simulator = PortalSimulator(2)
    occupancy = simulator.pass_vehicle(
        START, cargo=QUIET[0], source=SOURCE_BY_NUCLIDE["Cs-137"], strength_cps=1500.0
    ).occupancy
    results = {r.algorithm: r for r in analyse(occupancy)}
    assert [r.algorithm for r in analyse(occupancy)] == list(ALGORITHMS)
    assert results[GROSS].alarm and results[SPRT].alarm and results[ENERGY_WINDOW].alarm
    assert results[ENERGY_WINDOW].verdict is SourceVerdict.MAN_MADE
    assert not results[NEUTRON].alarm
    peak = results[GROSS].peak_slice
    assert peak is not None and 0 <= peak < occupancy.n_slices


def test_a_hot_ceramic_load_alarms_gross_count_but_reads_as_norm() -> None:
    simulator = PortalSimulator(3)
    tiles = next(c for c in NORM_CARGO if c.hs_code == "6907")
    verdicts = []
    for i in range(40):
        occupancy = simulator.pass_vehicle(START + timedelta(minutes=i), cargo=tiles).occupancy
        results = {r.algorithm: r for r in analyse(occupancy)}
        if results[GROSS].alarm:
            verdicts.append(results[ENERGY_WINDOW].verdict)
    assert verdicts, "some tile loads are hot enough for the gross count"
    assert verdicts.count(SourceVerdict.NORM) >= 0.8 * len(verdicts)


def test_cosmic_bursts_are_rejected_but_a_neutron_source_is_not() -> None:
    simulator = PortalSimulator(4)
    steel = next(c for c in BENIGN if c.hs_code == "7208")
    quiet = simulator.pass_vehicle(START, cargo=QUIET[0]).occupancy
    burst = quiet.neutron.copy()
    burst[40] += [9, 8]  # one spallation burst of 17 neutrons in one slice
    bursty = replace(quiet, neutron=burst)
    naive = score(stack([bursty]), Thresholds(), reject_bursts=False).scores[NEUTRON]
    assert naive.alarm[0], "without rejection the burst alone alarms"
    assert not analyse(bursty)[3].alarm
    source = simulator.pass_vehicle(
        START, cargo=steel, source=SOURCE_BY_NUCLIDE["Cf-252"], strength_cps=40.0
    ).occupancy
    assert analyse(source)[3].alarm


def test_one_occupancy_alone_gets_the_answer_it_gets_in_a_batch() -> None:
    occupancies = [s.occupancy for s in evaluation_set(8, 20)[::7]]
    together = analyse_many(occupancies)
    for occupancy, results in zip(occupancies, together, strict=True):
        assert analyse(occupancy) == results


def test_the_sequential_walk_is_the_same_row_by_row_as_across_rows() -> None:
    generator = np.random.default_rng(11)
    increments = generator.normal(0.0, 1.5, size=(5 * SMALL_BATCH, 240))
    increments[3, 200:] = 0.0  # a shorter occupancy, padded
    lower = -generator.uniform(1.0, 6.0, size=5 * SMALL_BATCH)
    highest, peak = _restarted_walk(increments, lower)
    for row in range(increments.shape[0]):
        alone = _restarted_walk(increments[row : row + 1], lower[row : row + 1])
        assert (alone[0][0], alone[1][0]) == (highest[row], peak[row])
    assert (highest > 0).all()


def test_energy_window_cuts_norm_alarms_by_half_at_equal_detection() -> None:
    evaluation = evaluate_on(evaluation_set(1, 150), 1)
    comparison = evaluation.comparison
    assert comparison.detection > 0.2
    assert comparison.reduction is not None and comparison.reduction >= 0.5


def test_simulation_is_deterministic_for_a_seed() -> None:
    first = [s.occupancy.gamma for s in evaluation_set(3, 20)]
    second = [s.occupancy.gamma for s in evaluation_set(3, 20)]
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_thresholds_refuse_rates_that_are_not_probabilities() -> None:
    with pytest.raises(InvariantViolation, match="gamma_false_alarm_rate"):
        Thresholds(gamma_false_alarm_rate=0.0)
    with pytest.raises(InvariantViolation, match="neutron_false_alarm_rate"):
        Thresholds(neutron_false_alarm_rate=1.5)


def test_occupancy_refuses_counts_that_do_not_match_its_panels() -> None:
    occupancy = _background_only(1)[0]
    with pytest.raises(InvariantViolation, match="gamma"):
        replace(occupancy, gamma=occupancy.gamma[:, :2])
