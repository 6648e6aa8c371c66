"""What the commands print shows data literally, and a step that committed is reported as done.

Rich markup in stored text (``[/x]``, ``[bold]``) is printed as typed, never interpreted; control
and invisible characters are shown as escapes; paths print as they are. Before, ``[/x]`` in an id
or a reference crashed the command after its step had committed, and ``declaration show`` of such
a record crashed every time.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command, snapshot

#: What a terminal acts on or hides: controls, format (bidi) characters, separators, private use.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
REASON = "Clearance stock: the invoice and the bank transfer are verified"
TOYS_DUE = "1048872.00"


def hidden_characters(output: str) -> set[str]:
    """Characters a terminal would act on or hide, other than the line breaks of the output."""
    return {c for c in output if c != "\n" and unicodedata.category(c) in HIDDEN_CATEGORIES}


def run(dostyk: Invoke, line: str, *extra: str, at: int | None = None) -> Any:
    result = dostyk(*command(line, *extra, at=at))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def arrived(dostyk: Invoke) -> None:
    docs.write("crossing.json", docs.crossing())
    assert run(dostyk, "crossing register crossing.json --as IN-DST1", at=5).exit_code == 0


def lodge(dostyk: Invoke, document: dict[str, Any], at: int = 10) -> Any:
    docs.write("decl.json", document)
    return run(dostyk, "declaration lodge decl.json --as BRK000", at=at)


def to_duties(dostyk: Invoke, declaration_id: str) -> None:
    """The (red) toys cleared on the documents by an approved override, and their duties."""
    for line, at in (
        (f"declaration assess {declaration_id} --as system", 15),
        (f"override decide O-{declaration_id}-1 --approve --as SS-DST1", 25),
        (f"duties assess {declaration_id} --as system", 30),
    ):
        if line.startswith("override"):
            asked = run(
                dostyk,
                f"override request {declaration_id} --to green --as IN-DST1",
                "--reason",
                REASON,
                at=20,
            )
            assert asked.exit_code == 0, asked.output
        result = run(dostyk, line, at=at)
        assert result.exit_code == 0, result.output


def test_a_declaration_id_with_markup_is_lodged_and_shown_as_typed(
    dostyk: Invoke, home: Path
) -> None:
    arrived(dostyk)
    before = snapshot(home)
    lodged = lodge(dostyk, docs.toys("D-[/x]"))
    if lodged.exit_code != 0:
        # Refused by the rules for ids: then it says so, naming the id as typed, and writes nothing.
        assert "D-[/x]" in lodged.output, lodged.output
        assert snapshot(home) == before
        return
    assert "Declaration D-[/x] lodged and accepted" in lodged.output
    shown = run(dostyk, "declaration show D-[/x]")
    assert shown.exit_code == 0, shown.output
    assert "Declaration D-[/x]" in shown.output


def test_markup_in_stored_text_is_shown_not_applied(dostyk: Invoke) -> None:
    arrived(dostyk)
    document = docs.toys("D-BOLD")
    document["items"][0]["description"] = "[bold]Toys[/bold] [/x] [red]plastic[/]"
    assert lodge(dostyk, document).exit_code == 0
    shown = run(dostyk, "declaration show D-BOLD")
    assert shown.exit_code == 0, shown.output
    assert "[bold]Toys[/bold]" in shown.output
    assert "[/x]" in shown.output and "[red]plastic[/]" in shown.output
    record = json.loads(run(dostyk, "declaration show D-BOLD --json").stdout)
    assert record["items"][0]["description"] == document["items"][0]["description"]


def test_a_reference_with_markup_is_paid_and_shown(dostyk: Invoke, home: Path) -> None:
    arrived(dostyk)
    assert lodge(dostyk, docs.toys()).exit_code == 0
    to_duties(dostyk, "D-TOYS")
    paid = run(dostyk, f"pay D-TOYS --amount {TOYS_DUE} --as BRK000", "--reference", "[/x]", at=40)
    assert paid.exit_code == 0, paid.output
    assert "of 1,048,872.00 recorded for D-TOYS; next: dostyk release D-TOYS" in paid.output
    shown = run(dostyk, "declaration show D-TOYS")
    assert shown.exit_code == 0, shown.output
    assert "bank reference [/x]" in shown.output
    # Paid once: the step committed and was reported as done; paying again is refused.
    again = run(dostyk, f"pay D-TOYS --amount {TOYS_DUE} --as BRK000", "--reference", "[/x]", at=41)
    assert again.exit_code == 1


def test_reasons_with_markup_in_the_history_are_shown(dostyk: Invoke) -> None:
    arrived(dostyk)
    assert lodge(dostyk, docs.toys()).exit_code == 0
    cancelled = run(
        dostyk, "declaration cancel D-TOYS --as BRK000", "--reason", "[/x] wrong [bold]", at=12
    )
    assert cancelled.exit_code == 0, cancelled.output
    shown = run(dostyk, "declaration show D-TOYS")
    assert shown.exit_code == 0, shown.output
    assert "[/x] wrong [bold]" in " ".join(shown.output.split())


def test_control_characters_never_reach_the_terminal(dostyk: Invoke) -> None:
    arrived(dostyk)
    document = docs.toys("D-CTRL")
    text = "Toys \x1b[2J\x07 \u202egnp.exe \x85 end"
    document["items"][0]["description"] = text
    lodged = lodge(dostyk, document)
    assert not hidden_characters(lodged.output), repr(lodged.output)
    if lodged.exit_code != 0:
        return  # refused by the rules for stored text
    shown = run(dostyk, "declaration show D-CTRL")
    assert shown.exit_code == 0, shown.output
    assert not hidden_characters(shown.output), repr(shown.output)
    flat = "".join(shown.output.split())
    assert "\\x1b[2J\\x07" in flat and "\\u202egnp.exe" in flat and "\\x85" in flat
    as_json = run(dostyk, "declaration show D-CTRL --json").stdout
    assert not hidden_characters(as_json)
    assert json.loads(as_json)["items"][0]["description"] == text


def test_a_path_with_brackets_prints_as_it_is(dostyk: Invoke, tmp_path: Path) -> None:
    result = run(dostyk, "export out[red]x")
    assert result.exit_code == 0, result.output
    assert "to out[red]x" in result.output
    assert (tmp_path / "out[red]x" / "datapackage.json").exists()
    broken = tmp_path / "in[red]x"
    broken.mkdir()
    refused = run(dostyk, f"import {broken}")
    assert refused.exit_code == 1
    assert f"Package {broken} refused" in " ".join(refused.output.split())


def test_a_queue_shows_ids_as_typed(dostyk: Invoke) -> None:
    arrived(dostyk)
    lodged = lodge(dostyk, docs.toys("D-[bold]Q"))
    if lodged.exit_code != 0:
        assert "D-[bold]Q" in lodged.output
        return
    assert run(dostyk, "declaration assess D-[bold]Q --as system", at=15).exit_code == 0
    queue = run(dostyk, "queue show --post DST", at=20)
    assert queue.exit_code == 0, queue.output
    assert "D-[bold]Q" in queue.output


def test_a_reader_gone_away_does_not_turn_a_done_step_into_a_failure(tmp_path: Path) -> None:
    """``dostyk init | head -0``: the store is initialised, and the exit says so."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSTYK_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "dostyk", "--home", str(home), "init"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before anything is printed
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors
    assert (home / "dostyk.db").exists()
