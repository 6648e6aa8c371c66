"""Rule profiles: declarative, versioned rules an analyst writes, tests and puts live.

A profile is a YAML document (see ``reference/data/rules-v1.yaml``, the profile Dostyk ships)::

    profile: default            # its name
    version: rules:v1           # this version's name, unique in the store
    rules:
      - name: undervalued       # unique in the profile
        version: 1              # the rule's own version: every assessment records it
        reference: "WCO valuation control: …"   # the legal or intelligence basis
        valid_from: 2020-01-01  # the days it applies (valid_to optional, inclusive)
        description: an item's value per kg below 30% of its subheading's median
        when: any_item(item.usual_count >= 5 and item.value_per_kg < 0.3 * …)
        channel: red            # its effect: yellow or red …
        weight: 3.0             # … and its weight in ranking what fired

Reading a profile checks everything (:func:`read_profile`) and reports every problem at once
with the rule's name, the reason and the file and line (:class:`ProfileError`), so a profile that
reads can be put live: its conditions cannot fail at assessment.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from dostyk.domain.conditions import ConditionError, Facts, Node, holds, parse
from dostyk.domain.declarations import Channel

#: A version or name: short, printable, no spaces or '|' (assessments join them).
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$")
RULE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
PROFILE_KEYS = frozenset({"profile", "version", "rules"})
RULE_KEYS = frozenset(
    {"name", "version", "reference", "valid_from", "valid_to", "description", "when", "channel"}
    | {"weight"}
)
REQUIRED_RULE_KEYS = ("name", "version", "reference", "valid_from", "description", "when")
EFFECTS = {"yellow": Channel.YELLOW, "red": Channel.RED}


@dataclass(frozen=True, slots=True)
class Problem:
    """One error in a profile: where it is, which rule, and why."""

    file: str
    line: int
    rule: str | None
    reason: str

    def __str__(self) -> str:
        subject = f"rule {self.rule}: " if self.rule else ""
        return f"{self.file}, line {self.line}: {subject}{self.reason}"


class ProfileError(ValueError):
    """A profile that cannot be put live, with every problem found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    version: int
    reference: str
    valid_from: date
    valid_to: date | None
    description: str
    condition: Node
    channel: Channel
    weight: float
    #: The condition as written.
    when: str

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def holds(self, facts: Facts, items: Sequence[Facts]) -> bool:
        return holds(self.condition, facts, items)


@dataclass(frozen=True, slots=True)
class Fired:
    """The rules of a profile that held for one declaration."""

    rules: tuple[Rule, ...]
    profile: str

    @property
    def channel(self) -> Channel:
        return max(
            (rule.channel for rule in self.rules),
            key=lambda c: c.severity,
            default=Channel.GREEN,
        )

    @property
    def weight(self) -> float:
        return sum(rule.weight for rule in self.rules)

    @property
    def versions(self) -> tuple[str, ...]:
        """Each rule as ``profile/rule@version``: what an assessment records."""
        return tuple(f"{self.profile}/{rule.name}@{rule.version}" for rule in self.rules)


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    rules: tuple[Rule, ...]
    source: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()

    def fire(self, facts: Facts, items: Sequence[Facts], at: datetime) -> Fired:
        day = at.date()
        return Fired(
            tuple(r for r in self.rules if r.applies_on(day) and r.holds(facts, items)),
            self.version,
        )


# --- reading -----------------------------------------------------------------------------------


def read_profile(source: str, file: str) -> Profile:
    """The profile in ``source`` (the text of ``file``), or :class:`ProfileError` listing every
    problem found, each with the rule's name, the reason, the file and the line."""
    problems: list[Problem] = []
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        raise ProfileError([Problem(file, line, None, f"not YAML: {reason}")]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ProfileError(
            [Problem(file, 1, None, "a profile is a mapping with profile, version and rules")]
        )
    top = _mapping(root)
    for key, (key_node, _) in top.items():
        if key not in PROFILE_KEYS:
            problems.append(Problem(file, _line(key_node), None, f"unknown key {key!r}"))
    name = _text_field(top, "profile", root, file, None, problems, VERSION_PATTERN)
    version = _text_field(top, "version", root, file, None, problems, VERSION_PATTERN)
    rules: list[Rule] = []
    listed = top.get("rules")
    if listed is None:
        problems.append(Problem(file, _line(root), None, "no rules: list them under 'rules'"))
    elif not isinstance(listed[1], yaml.SequenceNode) or not listed[1].value:
        problems.append(Problem(file, _line(listed[1]), None, "rules is a list of one or more"))
    else:
        seen: dict[str, int] = {}
        for node in listed[1].value:
            rule = _rule(node, file, problems)
            if rule is None:
                continue
            if rule.name in seen:
                problems.append(
                    Problem(
                        file,
                        _line(node),
                        rule.name,
                        f"the name is already used by the rule on line {seen[rule.name]}",
                    )
                )
                continue
            seen[rule.name] = _line(node)
            rules.append(rule)
    if problems:
        raise ProfileError(problems)
    assert name is not None and version is not None
    return Profile(name, version, tuple(rules), source)


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(k.value): (k, v) for k, v in node.value}


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: yaml.Node) -> Any:
    """A scalar node's value as YAML's safe loader types it."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return yaml.safe_load(yaml.serialize(node))
    except (ValueError, yaml.YAMLError):  # 2025-13-01 looks like a day and is none
        return str(node.value)


def _text_field(
    fields: Mapping[str, tuple[yaml.Node, yaml.Node]],
    key: str,
    parent: yaml.Node,
    file: str,
    rule: str | None,
    problems: list[Problem],
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    found = fields.get(key)
    if found is None:
        problems.append(Problem(file, _line(parent), rule, f"{key} is missing"))
        return None
    value = _scalar(found[1])
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, _line(found[1]), rule, f"{key} must be text"))
        return None
    if pattern is not None and not pattern.match(value):
        problems.append(
            Problem(
                file,
                _line(found[1]),
                rule,
                f"{key} {value!r} must be letters, digits and ':._-', at most 64",
            )
        )
        return None
    if "|" in value or any(ord(c) < 32 and c not in "\n\t" for c in value):
        problems.append(Problem(file, _line(found[1]), rule, f"{key} holds '|' or a control"))
        return None
    return value


def _rule(node: yaml.Node, file: str, problems: list[Problem]) -> Rule | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(file, _line(node), None, "a rule is a mapping of its fields"))
        return None
    fields = _mapping(node)
    raw_name = _scalar(fields["name"][1]) if "name" in fields else None
    label = str(raw_name) if raw_name is not None else None
    before = len(problems)
    for key, (key_node, _) in fields.items():
        if key not in RULE_KEYS:
            problems.append(Problem(file, _line(key_node), label, f"unknown key {key!r}"))
    name = _text_field(fields, "name", node, file, label, problems)
    if name is not None and not RULE_NAME.match(name):
        problems.append(
            Problem(
                file,
                _line(fields["name"][1]),
                label,
                "a name is lower-case letters, digits and '-', at most 48",
            )
        )
    for key in REQUIRED_RULE_KEYS:
        if key not in fields and key != "name":
            problems.append(Problem(file, _line(node), label, f"{key} is missing"))
    version = _scalar(fields["version"][1]) if "version" in fields else None
    if "version" in fields and (
        not isinstance(version, int) or isinstance(version, bool) or version < 1
    ):
        problems.append(
            Problem(file, _line(fields["version"][1]), label, "version is a whole number ≥ 1")
        )
    reference = (
        _text_field(fields, "reference", node, file, label, []) if "reference" in fields else None
    )
    if "reference" in fields and reference is None:
        problems.append(
            Problem(file, _line(fields["reference"][1]), label, "reference must be text")
        )
    description = (
        _text_field(fields, "description", node, file, label, [])
        if "description" in fields
        else None
    )
    if "description" in fields and description is None:
        problems.append(
            Problem(file, _line(fields["description"][1]), label, "description must be text")
        )
    valid_from = _day(fields, "valid_from", file, label, problems)
    valid_to = _day(fields, "valid_to", file, label, problems)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        problems.append(
            Problem(file, _line(fields["valid_to"][1]), label, "valid_to is before valid_from")
        )
    effect = _scalar(fields["channel"][1]) if "channel" in fields else None
    if "channel" not in fields:
        problems.append(Problem(file, _line(node), label, "channel is missing (yellow or red)"))
    elif effect not in EFFECTS:
        problems.append(
            Problem(
                file, _line(fields["channel"][1]), label, f"channel {effect!r} is not yellow or red"
            )
        )
    weight: Any = _scalar(fields["weight"][1]) if "weight" in fields else 1.0
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
        problems.append(
            Problem(
                file, _line(fields["weight"][1]), label, "weight is a number above 0, at most 100"
            )
        )
    condition: Node | None = None
    when = _scalar(fields["when"][1]) if "when" in fields else None
    if "when" in fields:
        if not isinstance(when, str):
            problems.append(Problem(file, _line(fields["when"][1]), label, "when must be text"))
        else:
            try:
                condition = parse(when)
            except ConditionError as error:
                problems.append(
                    Problem(
                        file,
                        _when_line(fields["when"][1], when, error.column),
                        label,
                        f"condition, column {error.column}: {error.reason}",
                    )
                )
    if len(problems) > before:
        return None
    assert name is not None and isinstance(version, int) and valid_from is not None
    assert reference is not None and description is not None and condition is not None
    assert isinstance(when, str)
    return Rule(
        name,
        version,
        reference,
        valid_from,
        valid_to,
        description,
        condition,
        EFFECTS[str(effect)],
        float(weight),
        when,
    )


def _when_line(node: yaml.Node, text: str, column: int) -> int:
    """The file line a column of a condition falls on: a folded condition spans lines."""
    start = _line(node)
    style = getattr(node, "style", None)
    if style in (">", "|"):
        start += 1
        return start + text[: column - 1].count("\n") if style == "|" else start
    return start


def _day(
    fields: Mapping[str, tuple[yaml.Node, yaml.Node]],
    key: str,
    file: str,
    rule: str | None,
    problems: list[Problem],
) -> date | None:
    if key not in fields:
        return None
    value = _scalar(fields[key][1])
    if value is None and key == "valid_to":
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        problems.append(Problem(file, _line(fields[key][1]), rule, f"{key} is a day, YYYY-MM-DD"))
        return None
    return value
