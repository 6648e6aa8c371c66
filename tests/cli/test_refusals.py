"""Every way the lifecycle commands refuse: the message names the file, JSON path and field, or
the use case's reason, the exit status says which kind of refusal it was, and the store (its
ledger included) is left exactly as it was."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command, snapshot
from tests.test_cli import plain

Edit = Callable[[dict[str, Any]], Any]
REASON = "Clearance stock: the invoice and the bank transfer are verified"


def refused(dostyk: Invoke, home: Path, args: list[str], *expected: str, code: int = 1) -> str:
    """Run ``args``, expect exit ``code`` with each of ``expected`` in the output, and no write."""
    before = snapshot(home)
    result = dostyk(*args)
    text = plain(result.output)
    assert result.exit_code == code, (args, result.output)
    for part in expected:
        assert part in text, (part, text)
    assert "Traceback" not in result.output
    assert snapshot(home) == before, args
    return text


def ok(dostyk: Invoke, line: str, *extra: str, at: int | None = None) -> None:
    args = command(line, *extra, at=at)
    result = dostyk(*args)
    assert result.exit_code == 0, (args, result.output)


@pytest.fixture
def assessed(dostyk: Invoke) -> Invoke:
    """The train has arrived; toys (red) and trousers (yellow or red) are lodged and assessed."""
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    docs.write("toys.json", docs.toys())
    docs.write("trousers.json", docs.trousers())
    ok(dostyk, "declaration lodge toys.json --as BRK000", at=10)
    ok(dostyk, "declaration lodge trousers.json --as BRK000", at=11)
    ok(dostyk, "declaration assess D-TOYS --as system", at=15)
    ok(dostyk, "declaration assess D-TROUSERS --as system", at=15)
    return dostyk


def inspector_of(dostyk: Invoke, inspection_id: str) -> str:
    record = json.loads(dostyk("declaration", "show", "D-TROUSERS", "--json").stdout)
    found: dict[str, str] = {i["inspection_id"]: i["inspector_id"] for i in record["inspections"]}
    return found[inspection_id]


def _set(path: str, value: Any) -> Edit:
    """An edit setting the field at a dotted path with [n] indices."""

    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return edit


_DELETE = object()

CROSSING_ERRORS: list[tuple[Edit, str]] = [
    (
        _set("movement.crossed_at", "2024-03-01T04:00:00"),
        "crossing.json: movement.crossed_at: '2024-03-01T04:00:00' has no time zone",
    ),
    (
        _set("units[1].laden", "yes"),
        "crossing.json: units[1].laden: 'yes' is not a boolean (true or false)",
    ),
    (
        _set("conveyances[0].kind", "locomotive"),
        "crossing.json: conveyances[0].kind: 'locomotive' is not one of train, railcar",
    ),
    (
        _set("units[0].gross_mass_kg", -5),
        "crossing.json: units[0].gross_mass_kg: -5.0 is not a positive number",
    ),
    (
        _set("movement.colour", "red"),
        "crossing.json: movement.colour: unknown field; a crossing has crossing_id, post_code",
    ),
    (_set("movement.conveyance_id", _DELETE), "crossing.json: movement.conveyance_id: required"),
    (
        _set("conveyances[1].country", "SU"),
        "crossing.json: conveyances[1].country: 'SU' is not an ISO 3166-1 alpha-2 country code",
    ),
]

DECLARATION_ERRORS: list[tuple[Edit, str]] = [
    (
        _set("items[0].gross_mass_kg", 40),
        "decl.json: items[0].net_mass_kg: net mass 37000.0 kg exceeds gross mass 40.0 kg",
    ),
    (
        _set("items[0].customs_value", "12.345"),
        "decl.json: items[0].customs_value: '12.345' has 3 decimal places; at most 2 are kept",
    ),
    (
        _set("items[0].customs_value", 12.345),
        "decl.json: items[0].customs_value: '12.345' has 3 decimal places; at most 2 are kept",
    ),
    (_set("items[0].item_no", 1.5), "decl.json: items[0].item_no: '1.5' is not an integer"),
    (
        _set("items[0].commodity_code", 9503000000),
        "decl.json: items[0].commodity_code: must be text in quotes, not the number 9503000000",
    ),
    (
        _set("declaration.status", "accepted"),
        "decl.json: declaration.status: is set by customs",
    ),
    (
        _set("declaration.importer_id", _DELETE),
        "decl.json: declaration.importer_id: an import declaration names its importer",
    ),
    (
        _set("units[0]", 7),
        "decl.json: units[0]: must be a unit's crossing id in quotes, not the number 7",
    ),
    (_set("items", {}), "decl.json: items: must be a JSON array, not an object"),
    (
        _set("items[0].declaration_id", "D-OTHER"),
        "decl.json: items[0].declaration_id: 'D-OTHER' does not match 'D-TOYS'; leave it out",
    ),
    (_set("units", _DELETE), "decl.json: units: required"),
]


@pytest.mark.parametrize(("edit", "message"), CROSSING_ERRORS)
def test_a_bad_crossing_document_names_the_field(
    dostyk: Invoke, home: Path, edit: Edit, message: str
) -> None:
    document = copy.deepcopy(docs.crossing())
    edit(document)
    docs.write("crossing.json", document)
    args = command("crossing register crossing.json --as IN-DST1", at=5)
    refused(dostyk, home, args, "crossing.json refused; nothing was written:", message)


@pytest.mark.parametrize(("edit", "message"), DECLARATION_ERRORS)
def test_a_bad_declaration_document_names_the_field(
    dostyk: Invoke, home: Path, edit: Edit, message: str
) -> None:
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    document = copy.deepcopy(docs.toys())
    edit(document)
    docs.write("decl.json", document)
    args = command("declaration lodge decl.json --as BRK000", at=10)
    refused(dostyk, home, args, "decl.json refused; nothing was written:", message)


def test_a_document_that_is_not_json_or_not_utf8(dostyk: Invoke, home: Path) -> None:
    Path("decl.json").write_text('{"declaration": ', encoding="utf-8")
    args = command("declaration lodge decl.json --as BRK000", at=10)
    refused(dostyk, home, args, "decl.json: not JSON: Expecting value (line 1, column 17)")
    Path("decl.json").write_bytes(b'{"declaration": "\xff"}')
    refused(dostyk, home, args, "decl.json: not UTF-8 text")
    Path("decl.json").write_text("[]", encoding="utf-8")
    refused(dostyk, home, args, "decl.json: must be a JSON object with declaration, items, units")


def test_bad_findings_name_the_field(assessed: Invoke, home: Path) -> None:
    dostyk = assessed
    ok(dostyk, "inspection assign D-TROUSERS --as SS-DST1", at=30)
    inspector = inspector_of(dostyk, "I-D-TROUSERS-1")
    finish = f"inspection finish I-D-TROUSERS-1 --findings findings.json --as {inspector}"
    docs.write("findings.json", docs.findings())
    refused(dostyk, home, command(finish, at=35), "inspection I-D-TROUSERS-1 has not started")
    ok(dostyk, f"inspection start I-D-TROUSERS-1 --as {inspector}", at=40)
    cases = [
        (_set("findings[0].kind", "bribe"), "findings.json: findings[0].kind: 'bribe' is not one"),
        (
            _set("findings[0].extra_duty", "-5.00"),
            "findings.json: findings[0].extra_duty: cannot be negative",
        ),
        (
            _set("findings[0].inspection_id", "I-OTHER"),
            "findings[0].inspection_id: 'I-OTHER' does not match 'I-D-TROUSERS-1'",
        ),
        (_set("findings", _DELETE), "findings.json: findings: required"),
    ]
    for edit, message in cases:
        document = copy.deepcopy(docs.findings())
        edit(document)
        docs.write("findings.json", document)
        refused(dostyk, home, command(finish, at=100), "findings.json refused", message)
    # A finding that names an item the declaration does not have is the use case's refusal.
    document = docs.findings()
    document["findings"][0]["item_no"] = 9
    docs.write("findings.json", document)
    refused(
        dostyk,
        home,
        command(finish, at=100),
        "findings of I-D-TROUSERS-1 is not valid; nothing was written:",
        "- finding 1 names item 9, which is not declared",
    )
    other = "IN-DST2" if inspector == "IN-DST1" else "IN-DST1"
    refused(
        dostyk,
        home,
        command(f"inspection finish I-D-TROUSERS-1 --as {other}", at=100),
        f"inspection I-D-TROUSERS-1 is assigned to {inspector}; only he may carry it out, "
        f"not {other}; nothing was written",
    )


def test_crossings_the_use_case_refuses(dostyk: Invoke, home: Path) -> None:
    docs.write("crossing.json", docs.crossing())
    args = command("crossing register crossing.json --as IN-KHR1", at=5)
    refused(
        dostyk,
        home,
        args,
        "only an officer posted at DST may register a crossing; IN-KHR1 is not posted there "
        "on 2024-03-01; nothing was written",
    )
    unknown = docs.crossing()
    unknown["units"][0]["conveyance_id"] = "RC99999999"
    unknown["movement"]["crossed_at"] = "2024-03-01T04:10:00Z"
    docs.write("unknown.json", unknown)
    refused(
        dostyk,
        home,
        command("crossing register unknown.json --as IN-DST1", at=5),
        "crossing X-T1 is not valid; nothing was written:",
        "- crossing X-T1-1: conveyance RC99999999 is not registered; describe it with the crossing",
        "- crossing X-T1 is registered at 2024-03-01T04:05:00Z, before it happens",
    )
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    refused(
        dostyk,
        home,
        command("crossing register crossing.json --as IN-DST1", at=6),
        "- crossing X-T1 is already registered",
    )


def test_lodgements_the_use_case_refuses(assessed: Invoke, home: Path) -> None:
    dostyk = assessed
    docs.write("other.json", docs.toys("D-3", "X-T1-1"))
    refused(
        dostyk,
        home,
        command("declaration lodge other.json --as BRK001", at=20),
        "BRK001 cannot lodge declaration REF-D-3 in the name of BRK000: a declarant lodges for "
        "himself; nothing was written",
    )
    stranger = docs.toys("D-4", "X-T1-1")
    stranger["declaration"]["importer_id"] = "IMP9999"
    stranger["units"].append("X-NONE")
    docs.write("stranger.json", stranger)
    refused(
        dostyk,
        home,
        command("declaration lodge stranger.json --as BRK000", at=20),
        "declaration REF-D-4 is not valid; nothing was written:",
        "- no party IMP9999 (named as importer)",
        "- no crossing X-NONE",
    )
    changed = docs.toys(value="20000.00")
    docs.write("changed.json", changed)
    refused(
        dostyk,
        home,
        command("declaration lodge changed.json --as BRK000", at=20),
        "reference REF-D-TOYS is taken by declaration D-TOYS",
    )


def test_a_declaration_that_breaks_the_rules_is_recorded_as_rejected(
    dostyk: Invoke, home: Path
) -> None:
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    docs.write("empty.json", docs.toys("D-EMPTY", "X-T1-3"))
    args = command("declaration lodge empty.json --as BRK000", at=10)
    before = snapshot(home)
    result = dostyk(*args)
    assert result.exit_code == 1, result.output
    text = plain(result.output)
    assert "Declaration D-EMPTY is recorded as rejected:" in text
    assert "- unit X-T1-3 crossed empty" in text
    assert snapshot(home) != before
    assert "status rejected" in plain(dostyk("declaration", "show", "D-EMPTY").output)
    # Lodging it again gets the same answer and records nothing more.
    text = refused(dostyk, home, args, "was lodged before as D-EMPTY", "crossed empty")
    assert "nothing new was recorded" in text
    refused(
        dostyk,
        home,
        command("declaration cancel D-EMPTY --as BRK000", at=20),
        "declaration D-EMPTY cannot go from rejected to cancelled: a rejected declaration is final",
    )


def test_steps_out_of_order_or_by_the_wrong_actor(assessed: Invoke, home: Path) -> None:
    dostyk = assessed

    def no(line: str, *expected: str, at: int = 20, extra: tuple[str, ...] = ()) -> None:
        refused(dostyk, home, command(line, *extra, at=at), *expected)

    no("declaration assess D-TOYS --as BRK000", "only an officer may assess risk")
    no(
        "duties assess D-TOYS --as system",
        "declaration D-TOYS cannot go from assessed to duties_assessed: a red declaration is "
        "inspected before its duties are assessed",
    )
    no("pay D-TOYS --amount 1.00 --reference R-1 --as BRK000", "cannot go from assessed to paid")
    no("release D-TOYS --as SS-DST1", "cannot go from assessed to released")
    no("declaration cancel D-TOYS --as BRK001", "only the declarant BRK000 may cancel it")
    no("inspection assign D-TOYS --as BRK000", "only an officer may assign an inspector")
    no("inspection start I-NONE --as IN-DST1", "no inspection I-NONE; nothing was written")
    no(
        "override request D-TOYS --to red --as IN-DST1",
        "override of D-TOYS is not valid",
        "- declaration D-TOYS is already red",
        "- an override needs a written reason of 10 characters",
        extra=("--reason", "why not"),
    )
    no(
        "override request D-TOYS --to green --as BRK000",
        "only an officer",
        extra=("--reason", REASON),
    )
    no("reconcile X-T1-1 --as SS-DST1", "X-T1-1 is a unit of movement X-T1; reconcile the movement")

    ok(dostyk, "override request D-TOYS --to green --as IN-DST1", "--reason", REASON, at=20)
    no("override decide O-D-TOYS-1 --approve --as IN-DST1", "nobody decides his own request")
    no("override decide O-D-TOYS-1 --approve --as IN-DST2", "is not in the chain of command")
    ok(dostyk, "override decide O-D-TOYS-1 --approve --as SS-DST1", at=25)
    ok(dostyk, "duties assess D-TOYS --as system", at=30)
    no(
        "pay D-TOYS --amount 1.00 --reference R-1 --as BRK000",
        "payment for D-TOYS is not valid; nothing was written:",
        "- 1.00 is less than the 1048872.00 due; pay exactly what is due",
        at=40,
    )
    no("pay D-TOYS --amount 1048872.00 --reference R-1 --as BRK001", "may not record a payment")

    ok(dostyk, "inspection assign D-TROUSERS --as SS-DST1", at=30)
    inspector = inspector_of(dostyk, "I-D-TROUSERS-1")
    other = "IN-DST2" if inspector == "IN-DST1" else "IN-DST1"
    no(f"inspection start I-D-TROUSERS-1 --as {other}", "only he may carry it out", at=35)
    no(
        f"inspection reassign I-D-TROUSERS-1 --to {other} --as IN-DST1",
        "only a shift_supervisor or above may reassign an inspection",
        at=35,
        extra=("--reason", REASON),
    )
    no(
        f"inspection reassign I-D-TROUSERS-1 --to {inspector} --as SS-DST1",
        f"- {inspector} is already the inspector",
        at=35,
        extra=("--reason", REASON),
    )
    no("inspection assign D-TROUSERS --as SS-DST1", "is already assigned to", at=35)


def test_reads_that_find_nothing(dostyk: Invoke, home: Path) -> None:
    refused(dostyk, home, ["declaration", "show", "D-NONE"], "no declaration D-NONE")
    text = refused(dostyk, home, ["duties", "show", "D-NONE"], "no declaration D-NONE")
    assert "nothing was written" not in text
    refused(dostyk, home, ["queue", "show", "--post", "XXX"], "no post 'XXX'", code=2)
    refused(
        dostyk,
        home,
        ["inspection", "recheck-draw", "I000000000"],
        "inspection I000000000: its recorded draw is not a ledger-seeded draw",
    )


BAD_ARGUMENTS = [
    (
        "declaration assess D-TOYS --as system --at 2024-03-01T09:00:00",
        "'2024-03-01T09:00:00' has no time zone",
    ),
    ("declaration assess D-TOYS --as system --at yesterday", "is not an ISO 8601 date and time"),
    ("declaration assess D-TOYS", "Missing option '--as'"),
    ("pay D-TOYS --amount 12.345 --reference R --as BRK000", "'12.345' has 3 decimal places"),
    ("pay D-TOYS --amount 1e5 --reference R --as BRK000", "'1e5' is not a decimal number"),
    (f"pay D-TOYS --amount 1.00 --reference {'R' * 65} --as BRK000", "1 to 64 characters"),
    ("override request D-TOYS --to purple --reason because-so --as IN-DST1", "purple"),
    ("override decide O-D-TOYS-1 --as SS-DST1", "--approve"),
    ("declaration lodge missing.json --as BRK000", "missing.json"),
    ("inspection finish I-1 --findings missing.json --as IN-DST1", "missing.json"),
    ("queue show", "Missing option '--post'"),
    ("queue show --post DST --channel blue", "blue"),
]


@pytest.mark.parametrize(("line", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2(dostyk: Invoke, home: Path, line: str, message: str) -> None:
    refused(dostyk, home, line.split(), message, code=2)
