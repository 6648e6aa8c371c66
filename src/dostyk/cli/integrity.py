"""``dostyk integrity``: the ranked, explained list of subjects, and its evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.context import fail, settings
from dostyk.cli.wording import plural

app = typer.Typer(
    help="Integrity analytics: indicators, the ranked list of subjects, its evaluation.",
    no_args_is_help=True,
)

WarehouseOption = Annotated[
    Path | None,
    typer.Option("--warehouse", help="Warehouse folder (default HOME/warehouse).", metavar="PATH"),
]
BackendOption = Annotated[
    str, typer.Option(help="Ibis backend: duckdb (default) or pyspark.", metavar="NAME")
]


def _open(folder: Path | None, backend: str) -> object:
    from dostyk.warehouse.backends import BACKENDS, WarehouseMissing, open_warehouse

    if backend not in BACKENDS:
        raise terminal.bad_parameter("--backend", "{} is not one of duckdb, pyspark", backend)
    path = folder if folder is not None else settings().home / "warehouse"
    try:
        return open_warehouse(path, backend)
    except WarehouseMissing as error:
        raise fail(str(error), 2) from None


@contextmanager
def _readable(folder: Path) -> Iterator[None]:
    """Read the warehouse in ``folder`` between builds (one build's tables, never a mix).

    A table that is missing or damaged, found while the analytics read it, is a usage error
    naming the file (exit 2), not a bug.
    """
    from dostyk.warehouse.backends import WarehouseDamaged, WarehouseMissing
    from dostyk.warehouse.extract import between_builds

    def waiting() -> None:
        terminal.say("a warehouse build is under way in {}: waiting for it to end", folder)

    try:
        with between_builds(folder, waiting):
            yield
    except (WarehouseMissing, WarehouseDamaged) as error:
        raise fail(str(error), 2) from None


@app.command()
def report(
    warehouse: WarehouseOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="HTML report to write (default WAREHOUSE/integrity/report.html).", metavar="FILE"
        ),
    ] = None,
    backend: BackendOption = "duckdb",
) -> None:
    """Compute every indicator, rank the subjects, and write the report (HTML and Parquet)."""
    from dostyk.integrity.report import write_html
    from dostyk.integrity.suite import run, write
    from dostyk.warehouse.backends import Warehouse

    w = _open(warehouse, backend)
    assert isinstance(w, Warehouse)
    with terminal.progress(terminal.line("computing the indicators")), _readable(w.folder):
        result = run(w)
    folder = write(result, w.folder)
    html = out if out is not None else folder / "report.html"
    write_html(result, html)
    kinds = sorted({s.kind for s in result.subjects})
    for kind in kinds:
        top = [s for s in result.subjects if s.kind == kind][:3]
        for subject in top:
            first = subject.evidence[0]["words"] if subject.evidence else ""
            terminal.say(
                "{} #{} {} (score {:.1f}): {}",
                kind,
                subject.rank,
                subject.subject_id,
                subject.score,
                first,
            )
    mirror = result.mirror
    if len(mirror.gaps):
        terminal.say(
            "mirror analysis: {} compared over {}, {} with a gap",
            plural(len(mirror.gaps), "chapter-month"),
            ", ".join(mirror.months),
            int(mirror.gaps["gap"].astype(bool).sum()),
        )
    terminal.say(
        "{} ranked, {}; Parquet in {}; report {}",
        plural(len(result.subjects), "subject"),
        plural(len(result.suggested), "undeclared relationship"),
        folder,
        html,
    )


@app.command()
def evaluate(
    warehouse: WarehouseOption = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            help="Ground-truth folder of a simulation (default HOME/truth).", metavar="PATH"
        ),
    ] = None,
    backend: BackendOption = "duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score the ranking against a simulated world's ground truth, beside a baseline."""
    from dostyk.integrity.evaluation import TruthMissing, read_truth
    from dostyk.integrity.evaluation import evaluate as score
    from dostyk.integrity.suite import run
    from dostyk.warehouse.backends import Warehouse

    try:
        known = read_truth(truth if truth is not None else settings().home / "truth")
    except TruthMissing as error:
        raise fail(str(error), 2) from None
    except ValueError as error:
        raise fail(str(error), 2) from None
    w = _open(warehouse, backend)
    assert isinstance(w, Warehouse)
    with terminal.progress(terminal.line("computing the indicators")), _readable(w.folder):
        result = run(w)
        scores = score(w, result.subjects, known)
    if as_json:
        terminal.echo_json([s.as_dict() for s in scores])
        return
    table = terminal.table(
        "subjects",
        "method",
        "n",
        "corrupt",
        "ROC AUC",
        "p@5",
        "p@10",
        "p@20",
        "honest in top 20",
        title=terminal.line("ranking against the ground truth"),
    )
    for s in scores:
        table.add_row(
            s.kind,
            s.method,
            f"{s.population:,}",
            f"{s.positives:,}",
            "—" if s.roc_auc is None else f"{s.roc_auc:.3f}",
            f"{s.precision_at_5:.2f}",
            f"{s.precision_at_10:.2f}",
            f"{s.precision_at_20:.2f}",
            str(s.false_accusations_top20),
        )
    table.show()
