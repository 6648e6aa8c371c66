"""``dostyk radiation import | alarms | adjudicate``: portal data in, alarms out, alarms resolved.

Registered on the ``radiation`` group (:mod:`dostyk.cli.radiation`) by :func:`register`.

``import`` reads ANSI N42.42-2011 files through :mod:`dostyk.interchange.n42` (defusedxml; a
malformed, truncated or hostile file is refused with its line and element). A portal monitor's
occupancies are stored, analysed and linked to the crossing the file names — the
``Crossing`` characteristic of the RadItemInformation the occupancy's measurements refer to
(and ``Conveyance`` for the plate or railcar number) — and alarms are opened; every file of one
command is stored together or not at all. A handheld identifier's file (spectra and the
nuclides it identified) is the *identify* step of an alarm: name it with ``--alarm`` and the
operator with ``--as``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, instant, moment, refusals, refuse
from dostyk.cli.context import open_store

if TYPE_CHECKING:
    from dostyk.domain.alarms import Alarm


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)
    app.command("alarms")(alarms)
    app.command("adjudicate")(adjudicate)


def import_files(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="N42.42-2011 files of a portal monitor or a handheld identifier.",
            exists=True,
            dir_okay=False,
            show_default=False,
            metavar="FILE...",
        ),
    ],
    post: Annotated[str, typer.Option(help="The post whose monitor wrote the files, e.g. DST.")],
    lane: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=99,
            help="Lane of a monitor not yet registered (default: the next free lane).",
        ),
    ] = None,
    alarm: Annotated[
        str | None,
        typer.Option(help="Alarm whose identify step an identifier's file records."),
    ] = None,
    actor: Annotated[
        str,
        typer.Option(
            "--as",
            metavar="ACTOR",
            help="Who imports: the radiation operator (required with --alarm), or 'system'.",
        ),
    ] = "system",
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Import N42.42 portal monitor or identifier data; alarms are opened where the algorithms
    alarm."""
    from dostyk.cli.selections import known_post
    from dostyk.interchange.n42.errors import N42Error
    from dostyk.interchange.n42.reading import N42Document, read_n42

    when = moment(at)
    engine = open_store()
    with engine.connect() as connection:
        known_post(connection, post, "--post")
    documents: list[N42Document] = []
    with terminal.progress(terminal.line("reading"), unit="files", total=len(files)) as bar:
        for path in files:
            try:
                documents.append(read_n42(path, post_code=post))
            except N42Error as error:
                raise refuse(f"{error}; nothing was written") from None
            except OSError as error:
                raise refuse(
                    f"{path}: cannot be read: {error.strerror}; nothing was written"
                ) from None
            bar.update(advance=1)
    occupancies = [o for d in documents for o in d.occupancies]
    identifier_files = [d for d in documents if not d.occupancies]
    for document in identifier_files:
        if not document.spectra and not document.identifications:
            raise refuse(
                f"{document.file}: holds no occupancy and no spectrum; nothing was written"
            )
    if identifier_files and alarm is None:
        names = ", ".join(d.file for d in identifier_files)
        raise refuse(
            f"{names}: an identifier's data is the identify step of an alarm; give --alarm "
            "and the operator with --as; nothing was written"
        )
    report: dict[str, Any] = {"occupancies": [], "alarms": [], "steps": []}
    with refusals():
        if occupancies:
            report |= _store_occupancies(engine, documents, post, lane, actor, when)
        if alarm is not None and identifier_files:
            report["steps"] = _identify(engine, alarm, identifier_files, actor, when)
    if as_json:
        terminal.echo_json(report)
        return
    terminal.say(
        "Imported {} occupancies from {} file(s) at {}; {} alarm(s) opened",
        len(report["occupancies"]),
        len(files),
        post,
        len(report["alarms"]),
    )
    for row in report["alarms"]:
        terminal.say(
            "[red]alarm {}[/red] on crossing {} ({}, {})",
            row["alarm_id"],
            row["crossing_id"] or "not linked",
            row["algorithm"],
            row["verdict"] or "no verdict",
        )
    for row in report["steps"]:
        terminal.say(
            "Identify step {} of alarm {}: {}", row["seq"], alarm, ", ".join(row["nuclides"])
        )


def _store_occupancies(
    engine: Any, documents: list[Any], post: str, lane: int | None, actor: str, when: Any
) -> dict[str, Any]:
    from dostyk.domain.monitors import PortalMonitor
    from dostyk.domain.ports import TransportMode
    from dostyk.services import radiation
    from dostyk.services.radiation_view import alarm_json
    from dostyk.store.unit_of_work import UnitOfWork

    with UnitOfWork(engine) as uow:
        registered = {m.monitor_id: m for m in uow.portal_monitors.of_post(post)}
        known = {m.monitor_id for m in uow.portal_monitors.all()}
        stored_post = uow.posts.get(post)
    mode = stored_post.mode if stored_post is not None else TransportMode.ROAD
    if mode not in (TransportMode.ROAD, TransportMode.RAIL):
        mode = TransportMode.ROAD
    used = {m.lane for m in registered.values()}
    new: list[PortalMonitor] = []
    for monitor_id in sorted({o.monitor_id for d in documents for o in d.occupancies}):
        if monitor_id in known:
            continue
        number = lane if lane is not None and lane not in used else max(used | {0}) + 1
        used.add(number)
        description = next(
            (d.instrument.description or d.instrument.model for d in documents if d.occupancies),
            None,
        )
        new.append(PortalMonitor(monitor_id, post, number, mode, description))
    occupancies = [o for d in documents for o in d.occupancies]
    sources = ", ".join(sorted({Path(d.file).name for d in documents if d.occupancies}))
    done = radiation.record_occupancies(
        engine, occupancies, actor=actor, at=when, source=sources[:500], monitors=new
    )
    return {
        "occupancies": [
            {
                "occupancy_id": r.occupancy.occupancy_id,
                "monitor_id": r.occupancy.monitor_id,
                "crossing_id": r.occupancy.crossing_id,
                "started_at": instant(r.occupancy.started_at),
                "slices": r.occupancy.slices,
                "alarm_id": None if r.alarm is None else r.alarm.alarm_id,
            }
            for r in done
        ],
        "alarms": [alarm_json(r.alarm) for r in done if r.alarm is not None],
        "monitors_registered": [m.monitor_id for m in new],
    }


def _identify(
    engine: Any, alarm_id: str, documents: list[Any], actor: str, when: Any
) -> list[dict[str, Any]]:
    import numpy as np

    from dostyk.domain.alarms import StepKind
    from dostyk.domain.slices import encode_counts
    from dostyk.services import radiation
    from dostyk.services.radiation_view import step_json

    nuclides = sorted(
        {i.nuclide for d in documents for i in d.identifications if i.identified}
    ) or ["none identified"]
    spectra = [s for d in documents for s in d.spectra]
    spectrum = None
    if spectra:
        spectrum = encode_counts(np.rint(spectra[0].channels).astype(np.int64))
    done = radiation.adjudicate(
        engine,
        alarm_id,
        StepKind.IDENTIFY,
        actor=actor,
        at=when,
        nuclides=nuclides,
        spectrum=spectrum,
        note=f"identifier file {', '.join(Path(d.file).name for d in documents)}"[:500],
    )
    return [step_json(done.step)]


def alarms(
    post: Annotated[
        list[str] | None, typer.Option(help="Only this post (repeat for more). Default: all.")
    ] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only alarms still holding goods (open, escalated).")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 200,
    as_json: AsJson = False,
) -> None:
    """List radiation alarms, newest first, with where their adjudication stands."""
    from dostyk.cli.selections import known_posts
    from dostyk.services.radiation_view import alarm_json, alarms_at, monitored_posts

    engine = open_store()
    with engine.connect() as connection:
        chosen = known_posts(connection, post, "--post")
    codes = chosen if chosen is not None else monitored_posts(engine)
    found: list[Alarm] = alarms_at(engine, codes, open_only=open_only, limit=limit)
    if as_json:
        terminal.echo_json({"alarms": [alarm_json(a) for a in found]})
        return
    if not found:
        terminal.say("No {}radiation alarms", "open " if open_only else "")
        return
    table = terminal.table(
        "alarm",
        "post",
        "raised at",
        "kind",
        "algorithm",
        "sigma/threshold",
        "verdict",
        "status",
        "crossing",
    )
    for a in found:
        table.add_row(
            a.alarm_id,
            a.post_code,
            instant(a.raised_at),
            a.kind.value,
            a.algorithm,
            f"{a.statistic:.1f} / {a.threshold:.1f}",
            a.verdict.value if a.verdict else "",
            a.status.value,
            a.crossing_id or "",
        )
    table.show()


def adjudicate(
    alarm_id: Annotated[str, typer.Argument(metavar="ALARM", help="The alarm's id.")],
    step: Annotated[
        str,
        typer.Argument(
            metavar="STEP",
            help="second_pass, locate, identify, innocent or escalate (in that order).",
        ),
    ],
    actor: Actor,
    at: At = None,
    confirmed: Annotated[
        bool | None,
        typer.Option("--confirmed/--not-confirmed", help="second_pass: did the alarm come back?"),
    ] = None,
    location: Annotated[str | None, typer.Option(help="locate: where on the vehicle.")] = None,
    nuclide: Annotated[
        list[str] | None, typer.Option(help="identify: a nuclide found (repeat for more).")
    ] = None,
    disposition: Annotated[
        str | None, typer.Option(help="innocent: norm, medical or legal_shipment.")
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="The operator's words (required for innocent, escalate).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Record one step of a radiation alarm's adjudication."""
    from dostyk.domain.alarms import Disposition, StepKind
    from dostyk.services import radiation
    from dostyk.services.radiation_view import alarm_json, step_json

    try:
        kind = StepKind(step)
    except ValueError:
        raise terminal.bad_parameter(
            "STEP", "{!r} is not one of {}", step, ", ".join(k.value for k in StepKind)
        ) from None
    chosen: Disposition | None = None
    if disposition is not None:
        try:
            chosen = Disposition(disposition)
        except ValueError:
            raise terminal.bad_parameter(
                "--disposition",
                "{!r} is not one of {}",
                disposition,
                ", ".join(d.value for d in Disposition),
            ) from None
    when = moment(at)
    engine = open_store()
    with refusals():
        done = radiation.adjudicate(
            engine,
            alarm_id,
            kind,
            actor=actor,
            at=when,
            confirmed=confirmed,
            location=location,
            nuclides=nuclide or (),
            disposition=chosen,
            note=note,
        )
    if as_json:
        terminal.echo_json({"alarm": alarm_json(done.alarm), "step": step_json(done.step)})
        return
    terminal.say(
        "Step {} of alarm [bold]{}[/bold]: {}; the alarm is {}",
        done.step.seq,
        alarm_id,
        kind.value,
        done.alarm.status.value,
    )
