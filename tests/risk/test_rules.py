"""Rule profiles: the condition language, and a profile with errors refused with the rule's
name, the reason, the file and the line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dostyk.domain.conditions import ConditionError, holds, parse
from dostyk.domain.declarations import Channel
from dostyk.domain.rule_profiles import ProfileError, read_profile
from dostyk.reference import default_rule_profile
from dostyk.services.selectivity import default_profile

GOOD = """\
profile: test
version: rules:t1
rules:
  - name: cheap-shoes
    version: 2
    reference: "Order 17"
    valid_from: 2025-01-01
    valid_to: 2025-06-30
    description: shoes declared cheap
    when: any_item(item.chapter == "64" and item.value_per_kg < 100)
    channel: red
    weight: 2
"""


def facts(**changes: object) -> dict[str, object]:
    return {"post.neighbour": "CN", "importer.released": None, **changes}


def test_the_shipped_profile_is_rules_v1_with_a_version_per_rule() -> None:
    profile = default_profile()
    assert profile.version == "rules:v1"
    assert [r.name for r in profile.rules] == [
        "high-duty-chapter",
        "undervalued",
        "mass-excess",
        "new-importer",
        "origin-not-cn",
        "implausible-load",
    ]
    assert all(r.version == 1 and r.reference for r in profile.rules)
    assert default_rule_profile().startswith("#")


def test_a_rule_fires_within_its_validity_and_records_its_version() -> None:
    profile = read_profile(GOOD, "good.yaml")
    shoes = [{"item.chapter": "64", "item.value_per_kg": 40.0}]
    fired = profile.fire(facts(), shoes, datetime(2025, 3, 1, tzinfo=UTC))
    assert fired.channel is Channel.RED
    assert fired.versions == ("rules:t1/cheap-shoes@2",)
    assert fired.weight == 2.0
    assert not profile.fire(facts(), shoes, datetime(2025, 7, 1, tzinfo=UTC)).rules
    assert not profile.fire(
        facts(),
        [{"item.chapter": "64", "item.value_per_kg": 400.0}],
        datetime(2025, 3, 1, tzinfo=UTC),
    ).rules


def test_an_unknown_value_never_fires_a_rule() -> None:
    assert not holds(parse("importer.released == 0"), facts(), [])
    assert not holds(parse("importer.released < 1"), facts(), [])
    assert holds(parse("importer.released == null"), facts(), [])
    assert holds(parse("importer.released == 0"), facts(**{"importer.released": 0}), [])
    assert not holds(parse('all_items(item.origin == "CN")'), facts(), [])
    assert holds(parse("not (1 > 2) and 2 * 3 - 1 == 5 and -1 < 0"), facts(), [])
    assert not holds(
        parse("any_item(item.value / item.net_mass_kg > 1)"),
        facts(),
        [{"item.value": 5.0, "item.net_mass_kg": 0.0}],
    )


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ('item.origin == "CN"', "is a fact of one item"),
        ("post.code < 3", "cannot compare a text with a number"),
        ("foo.bar", "unknown fact 'foo.bar'"),
        ("mass.exceeds and", "expected a value, found the end"),
        ('any_item(any_item(item.origin == "CN"))', "cannot be inside another"),
        ('importer.released in ["a"]', "a number cannot be in a list of texts"),
        ("importer.released", "the condition needs a boolean"),
        ('__import__("os")', "unknown fact '__import__'"),
        ('post.code == "CN" ; 1', "unexpected ';'"),
    ],
)
def test_a_bad_condition_is_refused_with_its_column_and_reason(condition: str, reason: str) -> None:
    with pytest.raises(ConditionError) as refused:
        parse(condition)
    assert reason in refused.value.reason
    assert refused.value.column >= 1


def test_a_profile_with_errors_names_each_rule_reason_file_and_line() -> None:
    bad = (
        GOOD.replace("channel: red", "channel: purple").replace(
            "item.value_per_kg < 100", "item.valu < 100"
        )
        + """\
  - name: cheap-shoes
    version: 0
    reference: "Order 18"
    valid_from: 2025-13-01
    description: again
    when: mass.exceeds
    channel: yellow
    colour: blue
"""
    )
    with pytest.raises(ProfileError) as refused:
        read_profile(bad, "bad.yaml")
    lines = [str(p) for p in refused.value.problems]
    assert "bad.yaml, line 10: rule cheap-shoes: condition, column " in lines[0]
    assert "unknown fact 'item.valu'" in lines[0]
    assert "bad.yaml, line 11: rule cheap-shoes: channel 'purple' is not yellow or red" in lines
    assert "bad.yaml, line 14: rule cheap-shoes: version is a whole number ≥ 1" in lines
    assert "bad.yaml, line 16: rule cheap-shoes: valid_from is a day, YYYY-MM-DD" in lines
    assert "bad.yaml, line 20: rule cheap-shoes: unknown key 'colour'" in lines


def test_a_duplicate_rule_name_and_broken_yaml_are_refused() -> None:
    twice = GOOD + GOOD.split("rules:\n", 1)[1]
    with pytest.raises(ProfileError) as refused:
        read_profile(twice, "twice.yaml")
    assert str(refused.value) == (
        "twice.yaml, line 13: rule cheap-shoes: the name is already used by the rule on line 4"
    )
    with pytest.raises(ProfileError) as broken:
        read_profile("profile: [x\n", "broken.yaml")
    assert str(broken.value).startswith("broken.yaml, line 2: not YAML")
    with pytest.raises(ProfileError) as empty:
        read_profile("profile: p\nversion: v 1\n", "empty.yaml")
    assert [str(p) for p in empty.value.problems] == [
        "empty.yaml, line 1: no rules: list them under 'rules'",
        "empty.yaml, line 2: version 'v 1' must be letters, digits and ':._-', at most 64",
    ]
