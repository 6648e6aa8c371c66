"""``dostyk radiation``: portal monitor data, alarm algorithms and their evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.context import fail
from dostyk.cli.failures import GuardedGroup

app = typer.Typer(
    cls=GuardedGroup,
    help="Radiation portal monitors: N42.42 data, alarm algorithms, evaluation.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("evaluate")
def evaluate_command(
    seed: Annotated[int, typer.Option(help="Random seed of the simulated occupancies.")] = 1,
    per_class: Annotated[
        int,
        typer.Option(min=20, max=20_000, help="Occupancies per class (background, each load...)."),
    ] = 300,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the ROC chart here (self-contained HTML)."),
    ] = None,
) -> None:
    """Detection probability against nuisance-alarm rate for each algorithm, on simulated
    occupancies with known sources, over a sweep of target false-alarm rates."""
    from dostyk.radiation.evaluation import RATES, evaluate_on
    from dostyk.radiation.evaluation import as_json as evaluation_json
    from dostyk.radiation.simulation import evaluation_set

    with terminal.progress(terminal.line("simulating occupancies")) as bar:
        simulated = evaluation_set(seed, per_class)
        bar.update(terminal.line("sweeping {} target rates", len(RATES)))
        evaluation = evaluate_on(simulated, seed)
    if out is not None:
        from dostyk.radiation.roc_chart import write_roc_html

        try:
            write_roc_html(evaluation, out)
        except OSError as failure:
            raise fail(f"{out}: cannot be written: {failure.strerror or failure}") from None
    if as_json:
        terminal.echo_json(evaluation_json(evaluation))
        return
    shown = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
    table = terminal.table(
        "algorithm",
        "target rate",
        "detection",
        "nuisance",
        "background",
        "medical",
        title=terminal.line("ROC, seed {}", seed),
    )
    for curve in evaluation.curves:
        for rate in shown:
            point = curve.at_rate(rate)
            table.add_row(
                curve.algorithm,
                f"{point.rate:.0e}",
                f"{point.detection:.3f}",
                f"{point.nuisance:.3f} {curve.nuisance_label}",
                f"{point.background:.4f}",
                f"{point.medical:.3f}",
            )
    table.show()
    counts = ", ".join(f"{n} {name}" for name, n in evaluation.counts.items())
    terminal.say("occupancies: {}", counts)
    comparison = evaluation.comparison
    if comparison.reduction is None:
        terminal.say(
            "energy-window never reaches the gross count's detection {:.3f}", comparison.detection
        )
    else:
        terminal.say(
            "at detection {:.3f} (gross count at 1e-3): NORM nuisance {:.3f} gross count, "
            "{:.3f} energy-window: {:.0%} fewer",
            comparison.detection,
            comparison.gross_nuisance,
            comparison.energy_window_nuisance,
            comparison.reduction,
        )
    if out is not None:
        terminal.say("ROC chart written to {}", str(out))


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option(metavar="FILE", help="The N42 file to write.")],
    source: Annotated[
        list[Path] | None,
        typer.Option(
            "--from", metavar="FILE", help="N42 files to take occupancies from (repeatable)."
        ),
    ] = None,
    simulate: Annotated[
        int, typer.Option(min=0, max=100_000, help="Or simulate this many occupancies.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the simulated occupancies.")] = 1,
    post: Annotated[str, typer.Option(help="Post code of the occupancies read.")] = "DOSTYK",
    schema: Annotated[
        Path | None,
        typer.Option(
            metavar="XSD", help="Validate the file against this n42.xsd (or $DOSTYK_N42_SCHEMA)."
        ),
    ] = None,
) -> None:
    """Write occupancies, with the alarms Dostyk's algorithms find on them, as N42.42-2011."""
    from datetime import UTC, datetime

    from dostyk.domain.occupancies import Occupancy
    from dostyk.interchange.n42 import (
        ExportRefused,
        N42Error,
        configured_schema,
        n42_document,
        read_n42,
        validate,
    )
    from dostyk.radiation.algorithms import analyse_many
    from dostyk.radiation.simulation import PortalSimulator

    if bool(source) == bool(simulate):
        raise terminal.bad_parameter("--from", "give either --from FILE... or --simulate N")
    occupancies: list[Occupancy] = []
    try:
        for path in source or []:
            occupancies.extend(read_n42(path, post_code=post).occupancies)
    except N42Error as refused:
        raise fail(str(refused), 2) from None
    if simulate:
        simulator = PortalSimulator(seed, post_code=post)
        start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        occupancies = [s.occupancy for s in simulator.traffic(simulate, start, source_rate=0.05)]
    if not occupancies:
        raise fail("the files hold no portal monitor occupancies to export", 2)
    results = analyse_many(occupancies)
    alarms = {o.occupancy_id: r for o, r in zip(occupancies, results, strict=True)}
    try:
        data = n42_document(occupancies, alarms)
    except ExportRefused as refused:
        raise fail(str(refused), 2) from None
    checked = schema or configured_schema()
    if checked is not None:
        try:
            validate(data, str(out), checked)
        except N42Error as invalid:
            raise fail(str(invalid)) from None
    from dostyk.interchange.n42.writing import write_bytes

    try:
        write_bytes(data, out)
    except OSError as failure:
        raise fail(f"{out}: cannot be written: {failure.strerror or failure}") from None
    raised = sum(1 for r in results for a in r if a.alarm)
    terminal.say(
        "{} occupancies ({} alarms) written to {}{}",
        len(occupancies),
        raised,
        str(out),
        ", valid against the schema" if checked is not None else "",
    )
