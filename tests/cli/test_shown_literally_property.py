"""Property: any text in any field is shown literally by every command that prints it.

Generated text (markup brackets, escapes, control and bidi characters, any Unicode) goes into a
declaration's id, reference and item description through the JSON document, and into a reason
on the command line. Whatever the rules for stored text accept or refuse, no command prints a
traceback or a character a terminal would act on; what is accepted is shown as typed, with
invisible characters as escapes, by ``declaration show`` (summary and ``--json``) and in the
refusals that name it.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dostyk.cli.terminal import visible
from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command
from tests.cli.hostile_text import ARGUMENT_PIECES, hidden

TEXT = st.one_of(
    st.text(min_size=1, max_size=40),
    st.lists(st.sampled_from(ARGUMENT_PIECES), min_size=1, max_size=10).map("".join),
)


#: Each example's declaration gets its own number, so all examples can share one store.
NUMBERS = itertools.count(1)


def flat(output: str) -> str:
    """Output without the spaces and line breaks a table's wrapping puts into it."""
    return "".join(output.split())


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_text_is_shown_literally(dostyk: Invoke, home: Path, data: st.DataObject) -> None:
    if not Path("crossing.json").exists():  # the first example in this test's store
        docs.write("crossing.json", docs.crossing())
        assert dostyk(*command("crossing register crossing.json --as IN-DST1", at=5)).exit_code == 0
    n = next(NUMBERS)
    description = data.draw(TEXT, label="description")
    name = data.draw(TEXT, label="id")
    declaration_id, reference = f"D-{n}-{name}", f"R-{n}-{data.draw(TEXT, label='reference')}"
    document = docs.toys(declaration_id)
    document["declaration"]["reference"] = reference
    document["items"][0]["description"] = description
    docs.write("decl.json", document)

    def run(*args: str) -> str:
        result = dostyk(*args)
        assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
        assert "Traceback" not in result.output
        assert not hidden(result.output), (args, result.output)
        return result.output

    lodged = dostyk(*command("declaration lodge decl.json --as BRK000", at=10))
    assert not hidden(lodged.output) and "Traceback" not in lodged.output, lodged.output
    if lodged.exit_code != 0:
        return  # refused by the rules for stored text or ids: the refusal hid nothing
    # Lodged again under the same reference: the answer names the record as typed.
    assert flat(visible(declaration_id)) in flat(
        run(*command("declaration lodge decl.json --as BRK000", at=11))
    )
    shown = run("declaration", "show", declaration_id)
    assert flat(visible(declaration_id)) in flat(shown)
    assert flat(visible(reference)) in flat(shown)
    assert flat(visible(description)) in flat(shown)
    record = json.loads(run("declaration", "show", declaration_id, "--json"))
    assert record["declaration"]["declaration_id"] == declaration_id
    assert record["declaration"]["reference"] == reference
    assert record["items"][0]["description"] == description
    reason = data.draw(TEXT, label="reason")
    cancel = ["declaration", "cancel", declaration_id, "--as", "BRK000", "--at"]
    cancelled = dostyk(*cancel, docs.at(12), "--reason", reason)
    if cancelled.exit_code == 0:
        assert flat(visible(reason)) in flat(run("declaration", "show", declaration_id))
    # A refusal that names the declaration shows its id as typed.
    again = run(*cancel, docs.at(13))
    assert flat(visible(declaration_id)) in flat(again)
