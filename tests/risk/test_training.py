"""Training from inspected declarations only, weighted by the inverse of their selection
probability, and a trained model put live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dostyk.domain.declarations import Channel
from dostyk.risk.dataset import Case, replay
from dostyk.risk.policy import ChannelPolicy
from dostyk.risk.training import fit, propensity, weights

START = datetime(2025, 1, 1, tzinfo=UTC)


def case(n: int, *, chapter: str, importer: str, inspected: bool, random: bool = False) -> Case:
    risky = chapter == "95"
    value = 50_000.0 if risky else 400_000.0
    facts = {
        "declaration.kind": "import",
        "post.code": "DST",
        "post.neighbour": "CN",
        "post.mode": "rail",
        "importer.id": importer,
        "declarant.id": "BRK000",
        "seller.id": None,
        "declaration.items": 1,
        "declaration.value": value,
        "declaration.gross_mass_kg": 1000.0,
        "units.count": 1,
        "load.per_unit_kg": 1000.0,
    }
    items = [
        {
            "item.code": f"{chapter}03000000",
            "item.chapter": chapter,
            "item.heading": f"{chapter}03",
            "item.hs6": f"{chapter}0300",
            "item.origin": "CN",
            "item.value": value,
            "item.net_mass_kg": 900.0,
            "item.gross_mass_kg": 1000.0,
            "item.value_per_kg": value / 900.0,
        }
    ]
    lodged = START + timedelta(hours=n)
    criteria = ("random:yellow@size=1",) if random else (("rule:x",) if inspected else ())
    found = inspected and risky and n % 3 != 0
    return Case(
        f"D{n}",
        lodged,
        lodged + timedelta(hours=2),
        facts,
        items,
        "yellow" if inspected else "green",
        criteria,
        None,
        None,
        inspected=inspected,
        found=found,
        extra_cents=2_000_000 if found else 0,
    )


def cases(count: int = 400) -> list[Case]:
    made = []
    for n in range(count):
        chapter = "95" if n % 4 == 0 else "84"
        made.append(
            case(
                n, chapter=chapter, importer=f"IMP{n % 7}", inspected=n % 2 == 0, random=n % 10 == 0
            )
        )
    return replay(made)


def test_the_random_draws_stand_for_what_went_unseen() -> None:
    drawn = case(1, chapter="95", importer="I", inspected=True, random=True)
    chosen = case(2, chapter="95", importer="I", inspected=True)
    recorded = case(3, chapter="95", importer="I", inspected=True)
    recorded.probability = 0.04
    assert propensity(drawn) == pytest.approx(0.07)  # the default share, as inferred
    assert propensity(chosen) == 1.0
    assert propensity(recorded) == 0.04
    assert weights([drawn, chosen, recorded]).tolist() == pytest.approx([1 / 0.07, 1.0, 25.0])
    tiny = case(4, chapter="95", importer="I", inspected=True)
    tiny.probability = 0.001
    assert weights([tiny]).tolist() == [50.0]  # capped


def test_features_come_from_the_histories_known_when_each_was_lodged() -> None:
    made = cases(40)
    first, later = made[0], made[28]
    assert first.features["importer_count"] == 0.0
    assert np.isnan(first.features["importer_rate"])
    # IMP0's inspected declarations released before D28 was lodged: D0, D14 (D7, D21 odd).
    assert later.features["importer_count"] == 2.0


def test_a_model_learns_from_inspected_declarations_and_sets_its_cutoff() -> None:
    made = cases()
    trained = fit(made, rate=0.1)
    assert trained.labelled == 200
    assert trained.weighted
    assert trained.policy.rate == 0.1 and trained.policy.cutoff > 0
    from dostyk.risk.training import frame

    expected = trained.model.predict_revenue(frame(made))
    risky = np.asarray([c.items[0]["item.chapter"] == "95" for c in made])
    assert expected[risky].mean() > 3 * expected[~risky].mean()
    with pytest.raises(ValueError, match="too few"):
        fit(made[:10])


def test_the_channel_follows_expected_revenue_per_inspection_hour() -> None:
    policy = ChannelPolicy(cutoff=1000.0)
    assert policy.channel(1000.0) is Channel.GREEN  # a documentary hour recovers 500
    assert policy.channel(2000.0) is Channel.YELLOW
    assert policy.channel(4000.0) is Channel.RED  # 2 more hours recover 2000 more
    assert ChannelPolicy().with_rate([0.0, 10.0, 20.0, 30.0], 0.25).cutoff == pytest.approx(
        12.5, rel=0.2
    )
