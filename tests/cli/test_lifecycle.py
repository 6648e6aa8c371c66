"""A declaration's whole lifecycle through the command line, from JSON documents.

The sample package supplies the post, its officers on duty, the broker, the importers and the
carrier; the test brings a train, lodges two declarations, and works them to release: one goes
through an inspection with a finding, the other is sent to red by a rule and brought back to
green by an approved override.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command
from tests.test_cli import plain

INSPECTED = [
    "lodged",
    "accepted",
    "assessed",
    "under_inspection",
    "inspected",
    "duties_assessed",
    "paid",
    "released",
]
OVERRIDDEN = ["lodged", "accepted", "assessed", "assessed", "duties_assessed", "paid", "released"]
#: Trousers worth CNY 1,280,000 at 64.35: 15 % duty, 12 % VAT on value plus duty, and the finding.
TROUSERS_DUE = Decimal("12355200.00") + Decimal("11366784.00") + Decimal("3088800.00")
#: Toys worth USD 10,000 at 452.1: 10 % duty, 12 % VAT.
TOYS_DUE = Decimal("452100.00") + Decimal("596772.00")
REASON = "Clearance stock: the invoice and the bank transfer are verified"


def ok(dostyk: Invoke, line: str, *extra: str, at: int | None = None) -> str:
    """Run ``line`` (split on spaces) and ``extra``, at ``at`` minutes past 09:00; its output."""
    args = command(line, *extra, at=at)
    result = dostyk(*args)
    assert result.exit_code == 0, (args, result.output)
    return plain(result.output)


def shown(dostyk: Invoke, declaration_id: str) -> dict[str, Any]:
    result = dostyk("declaration", "show", declaration_id, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def queues(dostyk: Invoke, minutes: int) -> dict[str, Any]:
    result = dostyk(*command("queue show --post DST --json", at=minutes))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def to_assign(dostyk: Invoke, minutes: int) -> list[str]:
    """The declarations waiting for an inspector at Dostyk, first in line first."""
    return [row["declaration_id"] for row in queues(dostyk, minutes)["to_assign"]]


def test_a_train_and_two_declarations_from_arrival_to_release(dostyk: Invoke) -> None:
    # The sample's own train is still waiting for its inspectors: ours queue behind it.
    earlier = to_assign(dostyk, 0)
    docs.write("crossing.json", docs.crossing())
    text = ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    assert "Registered movement X-T1" in text and "with 3 units" in text
    assert "new conveyances: TR9001, RC50000100" in text

    # The broker lodges both; each is validated and accepted at once.
    docs.write("toys.json", docs.toys())
    docs.write("trousers.json", docs.trousers())
    text = ok(dostyk, "declaration lodge toys.json --as BRK000", at=10)
    assert "Declaration D-TOYS lodged and accepted" in text
    ok(dostyk, "declaration lodge trousers.json --as BRK000", at=11)

    # Risk assessment: the toys' value per kg is far below the usual, so red whatever the draw;
    # trousers are in a high-duty chapter, so yellow (or red, if the random share says so).
    text = ok(dostyk, "declaration assess D-TOYS --as system", at=15)
    assert "D-TOYS is red" in text and "rule:undervalued" in text
    text = ok(dostyk, "declaration assess D-TROUSERS --as SS-DST1", at=15)
    assert "rule:high-duty-chapter" in text
    channel = shown(dostyk, "D-TROUSERS")["declaration"]["channel"]
    assert channel in {"yellow", "red"}
    assert to_assign(dostyk, 20) == [*earlier, "D-TOYS", "D-TROUSERS"]

    # An inspector asks, and his supervisor agrees, to clear the toys on the documents.
    text = ok(dostyk, "override request D-TOYS --to green --as IN-DST1", "--reason", REASON, at=20)
    assert "Override O-D-TOYS-1 requested: red → green" in text
    text = ok(dostyk, "override decide O-D-TOYS-1 --approve --as SS-DST1", at=25)
    assert "approved: declaration D-TOYS is now green" in text

    # The trousers' inspector is drawn; the draw can be redone from the ledger.
    text = ok(dostyk, "inspection assign D-TROUSERS --as SS-DST1", at=30)
    assert "Inspection I-D-TROUSERS-1 of D-TROUSERS assigned to" in text
    inspector = shown(dostyk, "D-TROUSERS")["inspections"][0]["inspector_id"]
    assert inspector in {"IN-DST1", "IN-DST2"}
    [row] = queues(dostyk, 35)["inspections"]
    assert (row["inspection_id"], row["inspector_id"], row["position"]) == (
        "I-D-TROUSERS-1",
        inspector,
        1,
    )
    assert row["waiting_minutes"] == 5
    assert to_assign(dostyk, 35) == earlier
    text = ok(dostyk, "inspection recheck-draw I-D-TROUSERS-1")
    assert "draw verified: the ledger's root at size" in text and f"yields {inspector}" in text

    ok(dostyk, f"inspection start I-D-TROUSERS-1 --as {inspector}", at=40)
    docs.write("findings.json", docs.findings())
    line = f"inspection finish I-D-TROUSERS-1 --findings findings.json --as {inspector}"
    assert "1 finding, extra duty 3,088,800.00" in ok(dostyk, line, at=100)

    # Duties from the tariff, the finding's extra duty on top; paid to the tiyn, released.
    text = ok(dostyk, "duties assess D-TROUSERS --as system", at=105)
    assert f"Total due for D-TROUSERS: {TROUSERS_DUE:,}" in text
    ok(dostyk, "duties assess D-TOYS --as system", at=30)
    due = json.loads(dostyk("duties", "show", "D-TOYS", "--json").stdout)
    assert Decimal(due["total"]) == TOYS_DUE
    assert [line["duty_rate"] for line in due["duty_lines"]] == ["10"]
    text = ok(dostyk, f"pay D-TOYS --amount {TOYS_DUE} --reference KZ-TRS-1 --as BRK000", at=110)
    assert "Payment P-KZ-TRS-1 of 1,048,872.00 recorded for D-TOYS" in text
    line = f"pay D-TROUSERS --amount {TROUSERS_DUE} --reference KZ-TRS-2 --as IMP0001"
    ok(dostyk, line, at=111)
    releases = queues(dostyk, 115)["releases"]
    assert [(r["declaration_id"], r["channel"], r["position"]) for r in releases] == [
        ("D-TOYS", "green", 1),
        ("D-TROUSERS", channel, 1),
    ]
    ok(dostyk, "release D-TOYS --as SS-DST1", at=120)
    ok(dostyk, "release D-TROUSERS --as PC-DST1", at=121)
    assert queues(dostyk, 125)["releases"] == []
    assert "Movement X-T1 reconciles" in ok(dostyk, "reconcile X-T1 --as SS-DST1", at=125)

    # The record of each, in full.
    record = shown(dostyk, "D-TROUSERS")
    assert [s["to_status"] for s in record["status_changes"]] == INSPECTED
    assert record["declaration"]["status"] == "released"
    assert record["units"] == ["X-T1-2"]
    assert record["items"][0]["customs_value"] == "1280000.00"
    assert "rule:high-duty-chapter" in record["risk_assessments"][0]["criteria"]
    [inspection] = record["inspections"]
    assert inspection["ended_at"] == "2024-03-01T05:40:00Z"
    assert inspection["findings"][0]["kind"] == "undervaluation"
    assert Decimal(record["duties"]["total"]) == TROUSERS_DUE
    assert record["payments"][0]["reference"] == "KZ-TRS-2"
    record = shown(dostyk, "D-TOYS")
    assert [s["to_status"] for s in record["status_changes"]] == OVERRIDDEN
    assert record["declaration"]["channel"] == "green"
    assert record["risk_assessments"][0]["channel"] == "red"
    assert record["overrides"][0]["decision"] == "approved"
    assert record["status_changes"][3]["actor"] == "SS-DST1"
    assert record["inspections"] == []

    summary = ok(dostyk, "declaration show D-TROUSERS")
    for expected in (
        "Declaration D-TROUSERS import at DST status released",
        "finding 1: undervaluation (item 1)",
        f"total {TROUSERS_DUE:,}",
        "bank reference KZ-TRS-2",
    ):
        assert expected in summary

    # Every step is on the ledger, and the ledger verifies.
    assert "ledger verified" in ok(dostyk, "ledger verify")


def test_releasing_out_of_turn_needs_a_reason_and_is_recorded(dostyk: Invoke) -> None:
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    for number, unit in ((1, "X-T1-1"), (2, "X-T1-2")):
        docs.write(f"d{number}.json", docs.toys(f"D-{number}", unit))
        ok(dostyk, f"declaration lodge d{number}.json --as BRK000", at=10 + number)
        ok(dostyk, f"declaration assess D-{number} --as system", at=20)
        ok(
            dostyk,
            f"override request D-{number} --to green --as IN-DST2",
            "--reason",
            REASON,
            at=21,
        )
        ok(dostyk, f"override decide O-D-{number}-1 --approve --as PC-DST1", at=22)
        ok(dostyk, f"duties assess D-{number} --as system", at=23)
        line = f"pay D-{number} --amount {TOYS_DUE} --reference KZ-TRS-{number} --as BRK000"
        ok(dostyk, line, at=30 + number)

    refused = dostyk(*command("release D-2 --as SS-DST1", at=40))
    assert refused.exit_code == 1
    assert "D-2 would be served out of turn in the release queue" in plain(refused.output)
    assert "first D-1" in plain(refused.output)
    assert shown(dostyk, "D-2")["declaration"]["status"] == "paid"

    reason = "Perishable: the consignee's cold store"
    text = ok(dostyk, "release D-2 --as SS-DST1", "--reason", reason, at=41)
    assert "out of turn, ahead of 1 waiting (first D-1)" in text
    [exception] = shown(dostyk, "D-2")["queue_exceptions"]
    assert (exception["queue"], exception["officer_id"]) == ("release", "SS-DST1")
    summary = ok(dostyk, "declaration show D-2")
    assert "served out of turn in the release queue by SS-DST1" in summary


def test_the_declarant_cancels_a_declaration_in_progress(dostyk: Invoke) -> None:
    earlier = to_assign(dostyk, 0)
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    docs.write("toys.json", docs.toys())
    ok(dostyk, "declaration lodge toys.json --as BRK000", at=10)
    ok(dostyk, "declaration assess D-TOYS --as system", at=15)
    assert to_assign(dostyk, 16) == [*earlier, "D-TOYS"]
    reason = "Lodged for the wrong railcar"
    text = ok(dostyk, "declaration cancel D-TOYS --as BRK000", "--reason", reason, at=20)
    assert "Declaration D-TOYS cancelled" in text
    record = shown(dostyk, "D-TOYS")
    assert record["declaration"]["status"] == "cancelled"
    last = record["status_changes"][-1]
    assert (last["to_status"], last["actor"], last["reason"]) == ("cancelled", "BRK000", reason)
    assert to_assign(dostyk, 21) == earlier
