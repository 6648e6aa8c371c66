"""The one place where text leaves Dostyk for a terminal.

Every command prints through this module, and nothing else in :mod:`dostyk.cli` prints. Two
kinds of text meet here and are kept apart:

- Dostyk's own fixed strings: message *templates* such as ``"Declaration [bold]{}[/bold] lodged"``.
  Only they may hold Rich markup. They are typed :class:`~typing.LiteralString`, so a type checker
  that knows PEP 675 refuses a template built from data.
- Data: every argument filled into a template, every table cell, every JSON document. Data is
  shown literally: markup in it is never interpreted (``[/x]`` prints as ``[/x]``, ``[bold]`` as
  ``[bold]``), and characters that a terminal would act on or hide — C0 and C1 controls (ESC, NUL,
  BEL, ...), format characters such as the bidirectional overrides (U+202E) and zero-width
  spaces, line and paragraph separators, private-use and unassigned code points — are shown as
  visible escapes (``\\x1b``, ``\\u202e``). Paths are data too, and print as they are.

Arguments are never parsed as markup: a template is parsed once with a placeholder character
standing for each argument, and the argument's text then takes the placeholder's place with the
placeholder's style. So no argument can close a tag, open one, or make parsing fail, whatever
it holds; a step that committed can never be reported as failed because of what it printed.

Rich is imported on first use, not on import, so ``--help`` never pays for it. The consoles are
made afresh for each invocation (:func:`reset`), so the width follows ``COLUMNS`` each time.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from string import Formatter
from typing import TYPE_CHECKING, Any, LiteralString

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.text import Text

#: Unicode categories shown as escapes: controls, format characters (bidi overrides, zero-width
#: characters, the BOM), surrogates, private use, unassigned; and line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

#: A word as Rich's wrapping sees it (rich._wrap): leading and trailing spaces included.
_WORD = re.compile(r"\s*\S+\s*")

#: Placeholders for template arguments while a template's markup is parsed: private-use code
#: points, which :func:`visible` always escapes, so no argument can contain one.
_PLACEHOLDER = 0xF0000


def _hidden(character: str) -> bool:
    return unicodedata.category(character) in HIDDEN_CATEGORIES


def _escape(character: str) -> str:
    point = ord(character)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def visible(text: str) -> str:
    """``text`` with every character a terminal would act on or hide shown as an escape.

    Everything else, brackets and backslashes included, is kept as it is.
    """
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape(c) if _hidden(c) else c for c in text)


def _json_escape(character: str) -> str:
    point = ord(character)
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """``document`` as JSON that reads back to the same value, safe to send to a terminal.

    Non-ASCII text is kept readable; the characters :func:`visible` escapes are written as JSON
    ``\\u`` escapes, which can only occur inside strings and decode to the same characters.
    """
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    if text.isascii() and "\x7f" not in text:  # json.dumps escapes C0 controls, not DEL
        return text
    # json.dumps escapes every C0 control inside strings, so a raw newline is the indentation.
    return "".join(_json_escape(c) if c != "\n" and _hidden(c) else c for c in text)


# Consoles -----------------------------------------------------------------------------------


@dataclass
class _Consoles:
    out: Console | None = None
    err: Console | None = None


_consoles = _Consoles()


def reset() -> None:
    """Forget the consoles, so the next output measures the terminal (``COLUMNS``) again."""
    _consoles.out = None
    _consoles.err = None


def _stream(stderr: bool) -> Any:
    """Standard error or output, made to write an escape for what it cannot encode."""
    stream = sys.stderr if stderr else sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        # A terminal that cannot encode a character gets an escape, never a traceback.
        reconfigure(errors="backslashreplace")
    return stream


def _console(stderr: bool) -> Console:
    from rich.console import Console

    current = _consoles.err if stderr else _consoles.out
    if current is None:
        _stream(stderr)

        class Quiet(Console):
            """Rich exits 1 when the reader goes away; here the output just ends."""

            def on_broken_pipe(self) -> None:
                self.quiet = True
                _reader_gone(stderr)

        current = Quiet(stderr=stderr, highlight=False, emoji=False)
        if stderr:
            _consoles.err = current
        else:
            _consoles.out = current
    return current


def console() -> Console:
    """The console on standard output (for Rich renderables built by this module only)."""
    return _console(False)


# Messages -----------------------------------------------------------------------------------


class Line:
    """A message: a fixed template with its arguments, rendered with the arguments literal."""

    __slots__ = ("args", "kwargs", "style", "template")

    def __init__(
        self,
        template: LiteralString,
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
        style: str = "",
    ) -> None:
        self.template: str = template
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.style = style

    def values(self) -> tuple[str, list[str]]:
        """The template with a placeholder for each argument, and the arguments' visible text."""
        parts: list[str] = []
        values: list[str] = []
        automatic = 0
        for literal, name, spec, conversion in Formatter().parse(self.template):
            parts.append(literal)
            if name is None:
                continue
            value: object
            if name == "":
                value = self.args[automatic]
                automatic += 1
            elif name.isdigit():
                value = self.args[int(name)]
            else:
                value = self.kwargs[name]
            if conversion == "r":
                value = repr(value)
            elif conversion == "a":
                value = ascii(value)
            elif conversion == "s":
                value = str(value)
            values.append(visible(format(value, spec or "")))
            parts.append(chr(_PLACEHOLDER + len(values) - 1))
        return "".join(parts), values

    def plain(self) -> str:
        """The message as text, without its markup (for messages that are not Rich's to print)."""
        return self.text().plain

    def text(self) -> Text:
        from rich.text import Span, Text

        marked, values = self.values()
        parsed = Text.from_markup(marked, style=self.style, emoji=False)
        where = [i for i, c in enumerate(parsed.plain) if _PLACEHOLDER <= ord(c) < 0x100000]
        if not where:
            return parsed
        cuts = sorted({cut for i in where for cut in (i, i + 1)})
        result = Text(style=parsed.style, end="")
        for piece in parsed.divide(cuts):
            code = ord(piece.plain[0]) - _PLACEHOLDER if len(piece.plain) == 1 else -1
            if 0 <= code < len(values):
                value = values[code]
                spans = [Span(0, len(value), span.style) for span in piece.spans]
                piece = Text(value, style=piece.style, spans=spans, end="")
            result.append_text(piece)
        result.end = "\n"
        return result


def line(template: LiteralString, *args: object, **kwargs: object) -> Line:
    """A message for later: a table's title, a progress bar's description."""
    return Line(template, args, kwargs)


def say(template: LiteralString, *args: object, **kwargs: object) -> None:
    """A message to standard output; the arguments are data, shown literally."""
    _print(Line(template, args, kwargs), stderr=False)


def warn(template: LiteralString, *args: object, **kwargs: object) -> None:
    """A warning to standard error, in yellow; the arguments are data, shown literally."""
    _print(Line(template, args, kwargs, style="yellow"), stderr=True)


def error(template: LiteralString, *args: object, **kwargs: object) -> None:
    """An error to standard error, in red; the arguments are data, shown literally."""
    _print(Line(template, args, kwargs, style="red"), stderr=True)


def _print(message: Line, *, stderr: bool) -> None:
    """Print a message; whatever happens, never fail after the command's work is done.

    A message is printed after its step has committed, so nothing about printing may turn a
    step that was done into a reported failure: a reader that has gone away (``| head``) ends
    the output quietly, and should Rich ever fail on a template, the message is written as
    plain text instead.
    """
    try:
        # Messages are not wrapped to the terminal's width, so that they can be grepped.
        if message.style or "[" in message.template:
            try:
                _console(stderr).print(message.text(), soft_wrap=True)
                return
            except (BrokenPipeError, KeyboardInterrupt):
                raise
            except Exception:  # noqa: S110 - see the docstring: the message still goes out
                pass
        # Without markup or style Rich would print these very characters: spare loading it.
        marked, values = message.values()
        for code, value in enumerate(values):
            marked = marked.replace(chr(_PLACEHOLDER + code), value)
        _write(marked + "\n", stderr=stderr)
    except BrokenPipeError:
        _reader_gone(stderr)


def _write(text: str, *, stderr: bool) -> None:
    stream = _stream(stderr)
    stream.write(text)
    stream.flush()


def _reader_gone(stderr: bool) -> None:
    """The reader of our output has gone: drop the rest of it, and exit as if it were read."""
    import os

    stream = sys.stderr if stderr else sys.stdout
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's buffer)
        pass


def data(text: str) -> None:
    """A document that is data (a signed head, a proof) to standard output, shown literally."""
    say("{}", text)


def echo_json(document: Any) -> None:
    """A JSON document to standard output, exactly as :func:`json_text` writes it."""
    try:
        _write(json_text(document) + "\n", stderr=False)
    except BrokenPipeError:
        _reader_gone(False)


def bad_parameter(option: str, template: LiteralString, *args: object) -> Exception:
    """The exception for a bad option value (exit 2), its arguments shown visibly."""
    import typer

    return typer.BadParameter(Line(template, args).plain(), param_hint=option)


# Tables -------------------------------------------------------------------------------------


@dataclass
class Table:
    """A table of data: headers and title are Dostyk's, cells are data shown literally.

    Shown as a Rich table when every word of every cell fits the terminal's width; otherwise
    (a narrow terminal, a long value) one block of ``header: value`` lines per row, so that no
    number or word is ever cut or elided.
    """

    headers: tuple[LiteralString, ...]
    title: Line | None = None
    compact: bool = False
    rows: list[tuple[str | Line, ...]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)

    def add_row(self, *cells: object, style: str = "") -> None:
        """A row of cells: each is data shown literally, or a :class:`Line` (a styled value)."""
        self.rows.append(tuple(c if isinstance(c, Line) else visible(str(c)) for c in cells))
        self.styles.append(style)

    def __len__(self) -> int:
        return len(self.rows)

    def show(self) -> None:
        out = console()
        layouts = ("compact", "tight") if self.compact else ("boxed", "compact", "tight")
        for layout in layouts:
            fitted = self._fitted(out, layout)
            if fitted is not None:
                out.print(fitted)
                return
        self._show_blocks(out)

    def _fitted(self, out: Console, layout: str) -> Any:
        """The Rich table with column widths that hold every word whole; None if none fit.

        Rich itself shrinks the widest columns of a table that is too wide, cutting words; so the
        widths are chosen here: each column gets at least its longest word, then a share of the
        room left towards its longest cell, and Rich only wraps lines between words.
        """
        from rich.cells import cell_len
        from rich.measure import Measurement

        texts = [self.headers, *([_plain(c) for c in row] for row in self.rows)]
        # A word as Rich wraps it: leading spaces stay with the first word of a cell.
        least = [
            max(cell_len(w.rstrip()) for cells in texts for w in [*_WORD.findall(cells[i]), ""])
            or 1
            for i in range(len(self.headers))
        ]
        most = [max(cell_len(cells[i]) for cells in texts) or 1 for i in range(len(self.headers))]
        # Borders and padding: measured on columns one cell wide, which always fit.
        probe = self._rich(layout, widths=[1] * len(least))
        overhead = Measurement.get(out, out.options, probe).maximum - len(least)
        room = out.width - overhead
        if sum(most) <= room:
            return self._rich(layout, widths=None)
        if sum(least) > room:
            return None
        spare, wanted = room - sum(least), [m - n for m, n in zip(most, least, strict=True)]
        total = sum(wanted)
        widths = [n + spare * w // total for n, w in zip(least, wanted, strict=True)]
        return self._rich(layout, widths=widths)

    def _rich(self, layout: str, widths: list[int] | None) -> Any:
        """A Rich table: ``boxed`` in lines, ``compact`` (rule under the headers), or ``tight``
        (columns one space apart)."""
        from rich import box
        from rich.table import Table as RichTable
        from rich.text import Text

        table = RichTable(
            title=self.title.text() if self.title else None,
            box=box.HEAVY_HEAD if layout == "boxed" else box.SIMPLE_HEAD,
            pad_edge=layout == "boxed",
            padding=(0, 0) if layout == "tight" else (0, 1),
            show_edge=layout != "tight",
        )
        for index, header in enumerate(self.headers):
            width = None if widths is None else widths[index]
            table.add_column(Text(header), overflow="fold", width=width)
        for cells, style in zip(self.rows, self.styles, strict=True):
            table.add_row(*(_cell(cell) for cell in cells), style=style or None)
        return table

    def _show_blocks(self, out: Console) -> None:
        from rich.text import Text

        if self.title:
            title = self.title.text()
            title.stylize("italic")
            out.print(title, soft_wrap=True)
        width = max((len(h) for h in self.headers), default=0)
        for cells, style in zip(self.rows, self.styles, strict=True):
            out.print()
            for header, cell in zip(self.headers, cells, strict=True):
                text = Text(f"{header}:".ljust(width + 2), style="bold")
                text.append_text(_cell(cell))
                if style:
                    text.stylize(style, width + 2)
                out.print(text, soft_wrap=True)


def _plain(cell: str | Line) -> str:
    return cell if isinstance(cell, str) else cell.plain()


def _cell(cell: str | Line) -> Text:
    from rich.text import Text

    return Text(cell) if isinstance(cell, str) else cell.text()


def table(*headers: LiteralString, title: Line | None = None, compact: bool = False) -> Table:
    """A table with these column headers (Dostyk's) and title (a :func:`line`)."""
    return Table(headers, title, compact)


# Progress -----------------------------------------------------------------------------------


@dataclass
class Bar:
    """A progress bar whose descriptions are data: they are shown literally."""

    progress: Progress
    task: Any

    def update(self, description: Line | None = None, advance: float = 0) -> None:
        if description is not None:
            self.progress.update(self.task, description=description.plain(), advance=advance)
        else:
            self.progress.update(self.task, advance=advance)

    def stop(self) -> None:
        self.progress.stop()


@contextmanager
def progress(
    start: Line, *, unit: LiteralString = "", total: float | None = None, transient: bool = True
) -> Iterator[Bar]:
    """A progress bar on standard output: description, bar, count (``unit``), time elapsed."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    count: ProgressColumn = (
        MofNCompleteColumn()
        if total is not None
        else TextColumn("{task.completed:,}" + (f" {unit}" if unit else ""), markup=False)
    )
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        count,
        TimeElapsedColumn(),
        console=console(),
        transient=transient,
    )
    with bar:
        yield Bar(bar, bar.add_task(start.plain(), total=total))


#: What a command prints, for tests: every function above that sends text out.
PRINTERS: tuple[Callable[..., Any], ...] = (say, warn, error, data, echo_json)
