"""``dostyk risk rules``: check, load, list and activate rule profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, moment, red, refusals
from dostyk.cli.context import open_store, read_path

rules_app = typer.Typer(
    help="Rule profiles: check a YAML profile, load it as a new version, list, activate.",
    no_args_is_help=True,
)

ProfileFile = Annotated[
    Path, typer.Argument(metavar="FILE", help="A rule profile in YAML (see docs/selectivity.md).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")


def _read(file: Path) -> object:
    from dostyk.domain.rule_profiles import ProfileError, read_profile

    source = read_path(file, "rule profile")
    try:
        return read_profile(source, str(file))
    except ProfileError as error:
        red(f"{file} refused: {len(error.problems)} error(s); nothing was written:")
        for problem in error.problems:
            red(f"  {problem}")
        raise typer.Exit(1) from None


@rules_app.command("check")
def check(file: ProfileFile) -> None:
    """Read a profile as assessment would; name every error with its rule, file and line."""
    from dostyk.domain.rule_profiles import Profile

    profile = _read(file)
    assert isinstance(profile, Profile)
    terminal.say(
        "{}: profile {} version {}, {} rules, no errors",
        file,
        profile.name,
        profile.version,
        len(profile.rules),
    )


@rules_app.command("load")
def load(file: ProfileFile, actor: Actor, at: At = None) -> None:
    """Store a checked profile as a new version (on the ledger); it is not live until activated."""
    from dostyk.services import risk_admin

    _read(file)
    engine = open_store()
    with refusals():
        stored = risk_admin.load_profile(
            engine, read_path(file, "rule profile"), str(file), actor=actor, at=moment(at)
        )
    terminal.say(
        "rule profile {} loaded ({} rules, sha256 {}); activate it with "
        "`dostyk risk rules activate {}`",
        stored.version,
        stored.rules,
        stored.digest[:12],
        stored.version,
    )


@rules_app.command("list")
def list_profiles(as_json: AsJson = False) -> None:
    """The stored profiles, the shipped default, and which one is active."""
    from dostyk.services import risk_admin
    from dostyk.services.selectivity import default_profile

    state = risk_admin.selectivity(open_store())
    default = default_profile()
    rows = [
        {
            "version": default.version,
            "name": default.name,
            "rules": len(default.rules),
            "loaded_at": None,
            "loaded_by": "shipped",
            "sha256": default.digest,
            "active": state.rules_version == default.version,
        }
    ] + [
        {
            "version": p.version,
            "name": p.name,
            "rules": p.rules,
            "loaded_at": p.loaded_at.isoformat(),
            "loaded_by": p.loaded_by,
            "sha256": p.digest,
            "active": state.rules_version == p.version,
        }
        for p in state.profiles
    ]
    if as_json:
        terminal.echo_json(rows)
        return
    table = terminal.table("version", "name", "rules", "loaded", "by", "active")
    for row in rows:
        table.add_row(
            row["version"],
            row["name"],
            str(row["rules"]),
            str(row["loaded_at"] or ""),
            row["loaded_by"],
            "yes" if row["active"] else "",
        )
    table.show()


@rules_app.command("activate")
def activate(
    version: Annotated[str, typer.Argument(help="A loaded profile's version, e.g. rules:v2.")],
    actor: Actor,
    at: At = None,
) -> None:
    """Assess every declaration with this profile from now on."""
    from dostyk.services import risk_admin

    engine = open_store()
    with refusals():
        risk_admin.activate_rules(engine, version, actor=actor, at=moment(at))
    terminal.say("rule profile {} is active", version)
