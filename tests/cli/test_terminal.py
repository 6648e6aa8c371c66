"""The terminal module renders any text literally and safely, whatever it holds.

Defence in depth: the rules for stored text may refuse control characters at every entrance,
but whatever reaches :mod:`dostyk.cli.terminal` — from an old store, a path, an error message —
is still shown literally (markup never interpreted) with every character a terminal would act
on or hide shown as an escape, and printing never fails.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.cli import terminal
from dostyk.cli.terminal import HIDDEN_CATEGORIES, visible
from tests.cli.hostile_text import PIECES, hidden

NASTY = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
)


def escaped(text: str) -> str:
    """What :func:`visible` should give: each hidden character as a Python-style escape."""
    out = []
    for c in text:
        if unicodedata.category(c) not in HIDDEN_CATEGORIES:
            out.append(c)
        elif ord(c) < 0x100:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return "".join(out)


@contextmanager
def captured(columns: int = 80) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Standard output and error as strings, on a terminal ``columns`` wide."""
    out, err = io.StringIO(), io.StringIO()
    saved = {name: os.environ.get(name) for name in ("COLUMNS", "NO_COLOR")}
    os.environ.update(COLUMNS=str(columns), NO_COLOR="1")
    terminal.reset()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            yield out, err
    finally:
        terminal.reset()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_visible_escapes_exactly_the_hidden_characters() -> None:
    assert visible("D-[/x]") == "D-[/x]"
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("\x00\x07\x7f\x85") == "\\x00\\x07\\x7f\\x85"
    assert visible("abc\u202efed") == "abc\\u202efed"
    assert visible("line\nbreak\ttab") == "line\\x0abreak\\x09tab"
    assert visible("Алматы 北京 é") == "Алматы 北京 é"
    assert visible("\U000f0000") == "\\U000f0000"


@given(NASTY)
def test_visible_is_literal_apart_from_escapes(text: str) -> None:
    shown = visible(text)
    assert shown == escaped(text)
    assert not hidden(shown)


@settings(max_examples=300)
@given(NASTY, NASTY)
def test_messages_show_their_arguments_literally(first: str, second: str) -> None:
    with captured() as (out, err):
        terminal.say("Declaration [bold]{}[/bold] lodged: {}", first, second)
        terminal.error("refused: [italic]{}[/italic]", first)
        terminal.warn("{} ({})", second, first)
    assert out.getvalue() == f"Declaration {visible(first)} lodged: {visible(second)}\n"
    assert err.getvalue() == (f"refused: {visible(first)}\n{visible(second)} ({visible(first)})\n")


@settings(max_examples=200)
@given(NASTY)
def test_a_message_keeps_its_own_style_around_any_argument(text: str) -> None:
    rendered = terminal.line("a [bold]{}[/bold] b", text).text()
    assert rendered.plain == f"a {visible(text)} b"
    bold = [span for span in rendered.spans if span.style == "bold"]
    assert [(s.start, s.end) for s in bold] == [(2, 2 + len(visible(text)))]


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | NASTY,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(NASTY, children, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_json_reads_back_the_same_and_hides_nothing(document: object) -> None:
    text = terminal.json_text(document)
    assert json.loads(text) == document
    assert not hidden(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(NASTY, st.integers(-(10**18), 10**18)), min_size=1, max_size=4),
    st.sampled_from([40, 80, 100, 200]),
)
def test_tables_show_every_cell_whole(rows: list[tuple[str, int]], columns: int) -> None:
    with captured(columns) as (out, _):
        table = terminal.table("text", "number", title=terminal.line("Rows of {}", "[/x]"))
        for text, number in rows:
            table.add_row(text, f"{number:,}")
        table.show()
    printed = out.getvalue()
    assert not hidden(printed)
    assert "…" not in printed
    assert "Rows of [/x]" in printed
    words = printed.split()
    for text, number in rows:
        assert f"{number:,}" in words
        for word in visible(text).split():
            assert word in printed


def test_a_bad_parameter_names_the_value_visibly() -> None:
    error = terminal.bad_parameter("--post", "no post {!r}", "D\x1b[2J")
    assert "\x1b" not in str(error)
    assert "\\x1b[2J" in str(error)


def test_no_command_module_prints_except_through_the_terminal() -> None:
    """Every print in the command line goes through :mod:`dostyk.cli.terminal`."""
    from pathlib import Path

    folder = Path(terminal.__file__).parent
    printing = re.compile(r"\bprint\(|typer\.echo|click\.echo|console\.print|sys\.std(out|err)")
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "terminal.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if printing.search(line)
    ]
    assert offenders == []
    for path in sorted(folder.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "from rich" not in source or path.name == "terminal.py", path.name
        assert "import rich" not in source or path.name == "terminal.py", path.name


def test_templates_hold_no_markup_error() -> None:
    """Every fixed template in the command line parses as Rich markup."""
    from pathlib import Path

    from rich.markup import render

    folder = Path(terminal.__file__).parent
    call = re.compile(r"terminal\.(?:say|warn|error|line)\(\s*\"((?:[^\"\\]|\\.)*)\"", re.DOTALL)
    templates = [
        match.group(1)
        for path in folder.glob("*.py")
        for match in call.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(templates) > 40
    for template in templates:
        render(template.replace("{", "").replace("}", ""))
