"""``dostyk risk``: selectivity analytics — the learned model and its benchmarks."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dostyk.cli import risk_models, risk_rules, terminal
from dostyk.cli.context import fail

if TYPE_CHECKING:
    from dostyk.risk.kcs import VersionReport

app = typer.Typer(
    help="Selectivity: the learned risk model and its benchmarks.", no_args_is_help=True
)
benchmark = typer.Typer(help="Public benchmarks of the risk model.", no_args_is_help=True)
app.add_typer(benchmark, name="benchmark")
risk_rules.register(app)
risk_models.register(app)


class DataVersion(StrEnum):
    HS6 = "hs6-2023-02"
    HS10 = "hs10-2022-06"
    ALL = "all"


def default_data_dir() -> Path:
    """$DOSTYK_SHARED_DATA (else ../shared/data) / customs-fraud / customs-declaration-datasets."""
    from dostyk.risk.kcs import DATA_FOLDER

    shared = os.environ.get("DOSTYK_SHARED_DATA")
    return (Path(shared) if shared else Path("..") / "shared" / "data") / DATA_FOLDER


@benchmark.command("kcs")
def kcs_command(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH",
            help="The customs-declaration-datasets folder (one sub-folder per data version). "
            "Default: $DOSTYK_SHARED_DATA/customs-fraud/customs-declaration-datasets.",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(min=1, max=100, help="Runs, with seeds 0 .. N-1.")] = 5,
    version: Annotated[
        DataVersion, typer.Option(help="Which data version to run, or all.")
    ] = DataVersion.HS6,
    limit: Annotated[
        int | None,
        typer.Option(min=50, help="Read only the first N rows of each file (a quick check)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """The KCS import-declaration benchmark: the risk model beside a plain LightGBM.

    Both are trained on the train file, stopped early on the valid file, and scored on the
    test file: precision and recall at 1, 2, 5 and 10% inspected and ROC AUC, mean ± std over
    the seeds.
    """
    from dostyk.risk.kcs import PUBLISHED, TARGETS, DataError, run_version

    folder = data_dir or default_data_dir()
    versions = [v.value for v in DataVersion if v is not DataVersion.ALL]
    chosen = versions if version is DataVersion.ALL else [version.value]
    reports = []
    try:
        if as_json:
            reports = [run_version(folder, name, range(seeds), limit=limit) for name in chosen]
        else:
            with terminal.progress(
                terminal.line("KCS benchmark"), total=len(chosen) * seeds * 2
            ) as bar:
                done = [False]

                def step(text: str) -> None:
                    """Called as each training starts: count the one before, name this one."""
                    bar.update(terminal.line("training {}", text), advance=1 if done[0] else 0)
                    done[0] = True

                reports = [
                    run_version(folder, name, range(seeds), limit=limit, step=step)
                    for name in chosen
                ]
    except DataError as error:
        raise fail(str(error)) from None
    if as_json:
        terminal.echo_json(
            {
                "benchmark": "kcs",
                "published": PUBLISHED,
                "targets": TARGETS,
                "limit": limit,
                "versions": [report.document() for report in reports],
            }
        )
        return
    for report in reports:
        _show(report)
    terminal.say(
        "Published LightGBM (Jeong et al. 2022, Table 3): precision@5% {}, precision@10% {}.",
        PUBLISHED["precision@5%"],
        PUBLISHED["precision@10%"],
    )


def _show(report: VersionReport) -> None:
    baseline, risk = report.models["baseline"], report.models["risk"]
    table = terminal.table(
        "metric",
        "plain LightGBM",
        "risk model",
        "vs plain",
        title=terminal.line(
            "{} — test {} rows, {} seeds", report.version, report.rows["test"], len(report.seeds)
        ),
    )
    for metric in risk:
        if metric == "trees":
            continue
        plain, ours = baseline[metric], risk[metric]
        uplift = f"{ours.mean / plain.mean - 1:+.1%}" if plain.mean > 0 else "—"
        table.add_row(
            metric,
            f"{plain.mean:.3f} ± {plain.std:.3f}",
            f"{ours.mean:.3f} ± {ours.std:.3f}",
            uplift,
        )
    table.show()
