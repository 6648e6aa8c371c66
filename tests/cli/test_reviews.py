"""``dostyk inspection review``: an appeal and an audit of an inspection's result, from the CLI."""

from __future__ import annotations

import json

from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command
from tests.cli.test_lifecycle import TROUSERS_DUE, ok, shown
from tests.test_cli import plain


def released_with_a_finding(dostyk: Invoke) -> str:
    """D-TROUSERS inspected with one finding (extra duty 3,088,800.00), paid and released;
    returns its inspector."""
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    docs.write("trousers.json", docs.trousers())
    ok(dostyk, "declaration lodge trousers.json --as BRK000", at=11)
    ok(dostyk, "declaration assess D-TROUSERS --as SS-DST1", at=15)
    ok(dostyk, "inspection assign D-TROUSERS --as SS-DST1", at=30)
    inspector: str = shown(dostyk, "D-TROUSERS")["inspections"][0]["inspector_id"]
    ok(dostyk, f"inspection start I-D-TROUSERS-1 --as {inspector}", at=40)
    docs.write("findings.json", docs.findings())
    ok(
        dostyk,
        f"inspection finish I-D-TROUSERS-1 --findings findings.json --as {inspector}",
        at=100,
    )
    ok(dostyk, "duties assess D-TROUSERS --as system", at=105)
    ok(dostyk, f"pay D-TROUSERS --amount {TROUSERS_DUE} --reference KZ-TRS-2 --as IMP0001", at=111)
    ok(dostyk, "release D-TROUSERS --as PC-DST1", at=121)
    return inspector


def test_an_appeal_reverses_a_finding_and_an_audit_upholds_the_rest(dostyk: Invoke) -> None:
    inspector = released_with_a_finding(dostyk)
    reason = "The buyer's bank statement confirms the invoice price"

    refused = dostyk(
        *command(
            f"inspection review I-D-TROUSERS-1 --kind appeal --outcome no-basis --finding 1 "
            f"--as {inspector}",
            "--reason",
            reason,
            at=200,
        )
    )
    assert refused.exit_code == 1
    assert "nobody reviews his own findings; nothing was written" in plain(refused.output)

    refused = dostyk(
        *command(
            "inspection review I-D-TROUSERS-1 --kind appeal --outcome fraud-missed --as PC-DST1",
            "--reason",
            "short",
            at=200,
        )
    )
    assert refused.exit_code == 1
    text = plain(refused.output)
    assert "appeal of inspection I-D-TROUSERS-1 is not valid; nothing was written" in text
    assert "an appeal concludes no_basis or upheld, not fraud_missed" in text

    text = ok(
        dostyk,
        "inspection review I-D-TROUSERS-1 --kind appeal --outcome no-basis --finding 1 "
        "--duty 3088800.00 --as PC-DST1",
        "--reason",
        reason,
        at=200,
    )
    assert "Review V-I-D-TROUSERS-1-1 of inspection I-D-TROUSERS-1 (finding 1): appeal" in text
    assert "reversed (the finding had no basis) by PC-DST1" in text
    assert "duty remitted: 3,088,800.00" in text

    text = ok(
        dostyk,
        "inspection review I-D-TROUSERS-1 --kind audit --outcome upheld --as RC-0001",
        "--reason",
        "Desk audit of the importer's accounts found nothing more",
        at=300,
    )
    assert "(its result): audit upheld by RC-0001" in text

    result = dostyk("inspection", "reviews", "I-D-TROUSERS-1", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [
        (r["kind"], r["outcome"], r["finding_no"], r["duty_amount"]) for r in document["reviews"]
    ] == [
        ("appeal", "no_basis", 1, "3088800.00"),
        ("audit", "upheld", None, "0.00"),
    ]
    assert document["findings"][0]["extra_duty"] == "3088800.00"  # the finding itself stays
    summary = ok(dostyk, "inspection reviews I-D-TROUSERS-1")
    assert "V-I-D-TROUSERS-1-2" in summary and "Desk audit" in summary
    assert "ledger verified" in ok(dostyk, "ledger verify")


def test_a_bad_duty_or_an_unknown_inspection_is_refused_plainly(dostyk: Invoke) -> None:
    bad = dostyk(
        *command(
            "inspection review I-NONE --kind audit --outcome upheld --duty 1.234 --as RC-0001",
            "--reason",
            "Desk audit of the importer's accounts",
        )
    )
    assert bad.exit_code == 2
    assert "--duty" in plain(bad.output)
    missing = dostyk(
        *command(
            "inspection review I-NONE --kind audit --outcome upheld --as RC-0001",
            "--reason",
            "Desk audit of the importer's accounts",
        )
    )
    assert missing.exit_code == 1
    assert "no inspection I-NONE" in plain(missing.output)
