"""``dostyk risk train / models / activate / evaluate``: the learned model's life in the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, moment, refusals
from dostyk.cli.context import fail, open_store, settings

Posts = Annotated[
    list[str] | None,
    typer.Option("--post", help="Only this post's declarations (repeat for several)."),
]


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("models")(models)
    app.command("activate")(activate)
    app.command("evaluate")(evaluate)


def models_dir() -> Path:
    return settings().home / "models"


def _cases(posts: list[str] | None) -> list[Any]:
    from dostyk.risk import dataset

    engine = open_store()
    with terminal.progress(terminal.line("reading the store's declarations")):
        cases = dataset.load(engine, posts)
    with terminal.progress(terminal.line("replaying the risk histories")):
        return dataset.replay(cases)


def train(
    actor: Actor,
    posts: Posts = None,
    rate: Annotated[
        float, typer.Option(min=0.001, max=0.5, help="Share the model alone is to select.")
    ] = 0.05,
    seed: Annotated[int, typer.Option(help="Random seed of the trees.")] = 0,
    unweighted: Annotated[
        bool, typer.Option("--unweighted", help="No inverse-propensity weighting (to compare).")
    ] = False,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Train the risk model on the store's inspection outcomes and register it (not live yet).

    Features are each declaration's facts and the risk histories as they stood when it was
    assessed; inspected declarations are weighted by the inverse of their recorded selection
    probability. The model is saved under the data folder's models/ and recorded on the ledger.
    """
    from dostyk.risk.training import fit
    from dostyk.services import risk_admin

    when = moment(at)
    with refusals():
        risk_admin.check_officer(open_store(), actor, "register a risk model")
    cases = _cases(posts)
    try:
        with terminal.progress(terminal.line("training on {:,} declarations", len(cases))):
            trained = fit(cases, rate=rate, weighted=not unweighted, seed=seed)
    except ValueError as error:
        raise fail(f"cannot train: {error}") from None
    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "training.partial.json"
    version = trained.model.save(partial)
    file = risk_admin.model_file(folder, version)
    partial.replace(file)
    figures = {
        "declarations": len(cases),
        "labelled": trained.labelled,
        "findings": trained.findings,
        "weighted": trained.weighted,
        "period": list(trained.period),
        "posts": posts or [],
        "policy": trained.policy.as_dict(),
        "benchmark": trained.model.metadata_.get("benchmark"),
    }
    try:
        with refusals():
            risk_admin.register_model(
                open_store(),
                version,
                file,
                labelled=trained.labelled,
                figures=figures,
                actor=actor,
                at=when,
            )
    except typer.Exit:
        file.unlink(missing_ok=True)
        raise
    if as_json:
        terminal.echo_json({"model_version": version, **figures})
        return
    terminal.say(
        "model {} trained on {:,} inspected declarations ({:,} with a finding) of {:,}, {} to {}; "
        "cutoff {:,.0f} per inspection-hour selects {:.1%}; activate it with "
        "`dostyk risk activate {}`",
        version,
        trained.labelled,
        trained.findings,
        len(cases),
        trained.period[0],
        trained.period[1],
        trained.policy.cutoff,
        trained.policy.rate,
        version,
    )


def models(as_json: AsJson = False) -> None:
    """The registered models, their figures, and which one is active."""
    from dostyk.services import risk_admin

    state = risk_admin.selectivity(open_store())
    rows = [
        {
            "model_version": m.model_version,
            "trained_at": m.trained_at.isoformat(),
            "trained_by": m.trained_by,
            "labelled": m.labelled,
            "sha256": m.digest,
            "figures": json.loads(m.figures),
            "active": m.model_version == state.model_version,
        }
        for m in state.models
    ]
    if as_json:
        terminal.echo_json(rows)
        return
    table = terminal.table("model", "trained", "by", "labelled", "period", "active")
    for row in rows:
        period = row["figures"].get("period") or ["", ""]
        table.add_row(
            row["model_version"],
            row["trained_at"],
            row["trained_by"],
            f"{row['labelled']:,}",
            f"{period[0]} to {period[1]}",
            "yes" if row["active"] else "",
        )
    table.show()


def activate(
    actor: Actor,
    version: Annotated[
        str | None, typer.Argument(metavar="MODEL_VERSION", help="A registered model.")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="No model: rules and chance alone.")] = False,
    at: At = None,
) -> None:
    """Put a trained model live: `declaration assess`, the API and the simulator use it."""
    from dostyk.services import risk_admin

    if (version is None) == (not off):
        raise terminal.bad_parameter("MODEL_VERSION", "give a model's version, or --off")
    engine = open_store()
    with refusals():
        risk_admin.activate_model(engine, version, models_dir(), actor=actor, at=moment(at))
    if version is None:
        terminal.say("no model is active: rules and the random share assess")
    else:
        terminal.say("model {} is active", version)


def evaluate(
    truth: Annotated[
        Path | None,
        typer.Option(help="The simulation's ground-truth folder (default HOME/truth)."),
    ] = None,
    posts: Posts = None,
    rate: Annotated[
        float, typer.Option(min=0.001, max=0.5, help="Replay's inspected share.")
    ] = 0.05,
    random_share: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="Replay's random share, part of the rate.")
    ] = 0.01,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: AsJson = False,
) -> None:
    """Revenue recovered on a simulated store: model, rules and random at 1-10 % inspected, and
    an online replay (weekly retraining on what was inspected) with and without a random share."""
    from dostyk.risk import evaluation

    folder = truth or settings().home / "truth"
    if not (folder / "declarations.csv").is_file():
        raise terminal.bad_parameter("--truth", "{} holds no declarations.csv", folder)
    known = evaluation.read_truth(folder)
    cases = _cases(posts)
    try:
        with terminal.progress(terminal.line("static evaluation")):
            static = evaluation.static(cases, known, seed=seed)
    except ValueError as error:
        raise fail(f"cannot evaluate: {error}") from None
    replays = {}
    for share in (random_share, 0.0):
        with terminal.progress(
            terminal.line("online replay, random share {:.1%}", share), total=53
        ) as bar:
            replays[share] = evaluation.replay(
                cases,
                known,
                rate=rate,
                random_share=share,
                seed=seed,
                progress=lambda done, total: bar.update(advance=1),
            )
    document = {
        "static": {
            "declarations": static.declarations,
            "trained_on": static.trained_on,
            "at_stake": static.at_stake,
            "rows": static.rows,
        },
        "replay": [
            {
                "random_share": r.random_share,
                "rate": r.rate,
                "recovered": r.recovered,
                "random_expected": r.random_expected,
                "ratio": r.recovered / r.random_expected if r.random_expected else None,
                "quarters": [
                    {"from": q[0], "recovered": q[1], "random_expected": q[2]} for q in r.quarters()
                ],
            }
            for r in replays.values()
        ],
    }
    if as_json:
        terminal.echo_json(document)
        return
    table = terminal.table(
        "inspected",
        "random",
        "rules alone",
        "model",
        "model / random",
        "best possible",
        title=terminal.line(
            "Revenue recovered (KZT) on the second half: {:,} declarations, model trained on "
            "{:,} inspected",
            static.declarations,
            static.trained_on,
        ),
    )
    for row in static.rows:
        table.add_row(
            f"{row['rate']:.0%}",
            f"{row['random']:,.0f}",
            f"{row['rules']:,.0f}",
            f"{row['model']:,.0f}",
            f"{row['model'] / row['random']:.2f}×" if row["random"] else "",
            f"{row['best possible']:,.0f}",
        )
    table.show()
    replay_table = terminal.table(
        "quarter from",
        *[f"model + {r.random_share:.0%} random" for r in replays.values()][:1],
        "model alone",
        "random",
        title=terminal.line("Online replay at {:.0%} inspected, weekly retraining", rate),
    )
    with_share, alone = replays[random_share], replays[0.0]
    for a, b in zip(with_share.quarters(), alone.quarters(), strict=True):
        replay_table.add_row(a[0], f"{a[1]:,.0f}", f"{b[1]:,.0f}", f"{a[2]:,.0f}")
    replay_table.add_row(
        "year",
        f"{with_share.recovered:,.0f}",
        f"{alone.recovered:,.0f}",
        f"{with_share.random_expected:,.0f}",
    )
    replay_table.show()
    terminal.say(
        "replay: model with a {:.0%} random share recovers {:.2f}× random selection, "
        "without it {:.2f}×",
        random_share,
        with_share.recovered / with_share.random_expected if with_share.random_expected else 0,
        alone.recovered / alone.random_expected if alone.random_expected else 0,
    )
