"""The controls an imported history is held against: pure rules over one declaration's records.

Dostyk's use cases make these breaches impossible; a history kept by another system may hold
them. Each rule takes the records as they are and returns the :class:`Anomaly` for each breach,
so the same rules serve any importer. Two kinds of inconsistency are not anomalies but cannot
have happened at all, and :func:`history_contradictions` names them for the importer to refuse:
a declaration past lodgement with no history, and a status its own history contradicts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from dostyk.domain.anomalies import Anomaly, Control
from dostyk.domain.declarations import Channel, Declaration, DeclarationStatus
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.events import StatusChange
from dostyk.domain.inspections import Inspection
from dostyk.domain.officers import Officer, Posting, chain_of_command
from dostyk.domain.overrides import Override, OverrideDecision
from dostyk.domain.payments import Payment
from dostyk.domain.risk import RiskAssessment
from dostyk.domain.shifts import DutyShift
from dostyk.domain.spelling import utc_text


@dataclass(frozen=True)
class DeclarationHistory:
    """One declaration with every record about it that the controls read."""

    declaration: Declaration
    steps: Sequence[StatusChange]
    assessments: Sequence[RiskAssessment]
    overrides: Sequence[Override]
    inspections: Sequence[Inspection]
    payments: Sequence[Payment]
    #: Duties and VAT assessed plus findings' extra duty, national currency.
    due: Decimal
    #: Inspection ids whose inspector had a shift at the post covering the assignment.
    on_roster: frozenset[str]


@dataclass(frozen=True)
class Contradiction:
    """What cannot have happened: ``step`` is the seq of the step at fault (None: the status)."""

    step: int | None
    field: str
    message: str


def history_contradictions(history: DeclarationHistory) -> list[Contradiction]:
    declaration, steps = history.declaration, sorted(history.steps, key=lambda s: s.seq)
    found: list[Contradiction] = []
    if not steps:
        if declaration.status is not DeclarationStatus.LODGED:
            found.append(
                Contradiction(
                    None,
                    "status",
                    f"is {declaration.status} but declaration {declaration.declaration_id} has "
                    "no history (status_changes): a declaration past lodgement has steps",
                )
            )
        return found
    for before, after in itertools.pairwise(steps):
        if after.from_status != before.to_status:
            found.append(
                Contradiction(
                    after.seq,
                    "from_status",
                    f"step {after.seq} of {declaration.declaration_id} starts from "
                    f"{after.from_status or 'nothing'}, but step {before.seq} ended at "
                    f"{before.to_status}",
                )
            )
    last = steps[-1]
    if declaration.status is not last.to_status:
        found.append(
            Contradiction(
                None,
                "status",
                f"is {declaration.status} but the last step of its history (step {last.seq}) "
                f"left it {last.to_status}",
            )
        )
    return found


def _anomaly(
    history: DeclarationHistory,
    table: str,
    key: str,
    control: Control,
    at: datetime,
    detail: str,
    officer_id: str | None,
) -> Anomaly:
    declaration = history.declaration
    return Anomaly(
        record_table=table,
        record_key=key,
        control=control,
        at=at,
        detail=detail,
        declaration_id=declaration.declaration_id,
        officer_id=officer_id,
        post_code=declaration.post_code,
    )


def override_breaches(
    history: DeclarationHistory, officers: Mapping[str, Officer]
) -> list[Anomaly]:
    """An override decided by an officer who is not above the requester."""
    found = []
    for override in history.overrides:
        decider = override.decided_by
        if decider is None or override.decided_at is None:
            continue
        try:
            above = chain_of_command(override.requested_by, officers)
        except (InvariantViolation, KeyError):
            above = []
        if decider not in above:
            shown = ", ".join(above) or "nobody"
            found.append(
                _anomaly(
                    history,
                    "overrides",
                    override.override_id,
                    Control.OVERRIDE_OUTSIDE_CHAIN,
                    override.decided_at,
                    f"{override.decision} by {decider}, who is not in the chain of command of "
                    f"the requester {override.requested_by} ({shown}): "
                    f"{override.from_channel} to {override.to_channel}",
                    decider,
                )
            )
    return found


def channel_at(history: DeclarationHistory, moment: datetime) -> Channel | None:
    """The channel at ``moment``: the last risk assessment by then (or the first one, or the
    declaration's own when there is none), changed by the overrides approved by then."""
    assessments = sorted(history.assessments, key=lambda a: a.assessed_at)
    before = [a for a in assessments if a.assessed_at <= moment]
    if before:
        channel: Channel | None = before[-1].channel
        since = before[-1].assessed_at
    elif assessments:
        channel, since = assessments[0].channel, assessments[0].assessed_at
    else:
        channel, since = history.declaration.channel, None
    approved = sorted(
        (
            o
            for o in history.overrides
            if o.decision is OverrideDecision.APPROVED
            and o.decided_at is not None
            and o.decided_at <= moment
            and (since is None or o.decided_at >= since)
        ),
        key=lambda o: o.decided_at or moment,
    )
    for override in approved:
        channel = override.to_channel
    return channel


def inspection_breaches(
    history: DeclarationHistory,
    postings: Mapping[str, Sequence[Posting]] | None,
    national_day: Callable[[datetime], date],
) -> list[Anomaly]:
    """Green inspected without an override; an inspector from elsewhere or off the roster.

    ``postings`` is None when the store holds none at all (the history kept no postings, so
    there is nothing to hold an inspector against); the roster likewise when ``on_roster`` is
    None for the history's caller (see :func:`breaches`)."""
    found = []
    post = history.declaration.post_code
    for inspection in history.inspections:
        key, at, who = inspection.inspection_id, inspection.assigned_at, inspection.inspector_id
        if channel_at(history, at) is Channel.GREEN:
            found.append(
                _anomaly(
                    history,
                    "inspections",
                    key,
                    Control.GREEN_INSPECTED,
                    at,
                    f"inspected by {who} while the declaration was green, with no approved "
                    "override to another channel",
                    who,
                )
            )
        if postings is not None:
            day = national_day(at)
            own = postings.get(who, ())
            serving = [p for p in own if p.start_date <= day and (p.end_date or day) >= day]
            if not any(p.post_code == post for p in serving):
                where = ", ".join(sorted({p.post_code for p in serving})) or "no post"
                found.append(
                    _anomaly(
                        history,
                        "inspections",
                        key,
                        Control.INSPECTOR_OTHER_POST,
                        at,
                        f"{who} inspected at {post} on {day.isoformat()} while posted to {where}",
                        who,
                    )
                )
    return found


def roster_breaches(history: DeclarationHistory) -> list[Anomaly]:
    """An inspection whose inspector had no shift at the post covering its assignment."""
    return [
        _anomaly(
            history,
            "inspections",
            inspection.inspection_id,
            Control.INSPECTOR_OFF_ROSTER,
            inspection.assigned_at,
            f"{inspection.inspector_id} had no shift at {history.declaration.post_code} at "
            f"{utc_text(inspection.assigned_at)}, when the inspection was assigned",
            inspection.inspector_id,
        )
        for inspection in history.inspections
        if inspection.inspection_id not in history.on_roster
    ]


def release_breaches(history: DeclarationHistory) -> list[Anomaly]:
    """A release before the duties were paid, or without the steps a release needs."""
    steps = sorted(history.steps, key=lambda s: s.seq)
    found = []
    declaration_id = history.declaration.declaration_id
    for index, step in enumerate(steps):
        if step.to_status is not DeclarationStatus.RELEASED:
            continue
        before = {s.to_status for s in steps[:index]}
        missing = [
            status.value
            for status in (DeclarationStatus.ASSESSED, DeclarationStatus.DUTIES_ASSESSED)
            if status not in before
        ]
        channel = channel_at(history, step.at)
        if channel in (Channel.YELLOW, Channel.RED) and DeclarationStatus.INSPECTED not in before:
            missing.append(f"inspected (the channel was {channel})")
        key = f"{declaration_id}|{step.seq}"
        if missing:
            found.append(
                _anomaly(
                    history,
                    "declarations",
                    declaration_id,
                    Control.RELEASED_WITHOUT_STEPS,
                    step.at,
                    f"released by {step.actor} at step {step.seq} without the steps "
                    f"{', '.join(missing)}",
                    step.actor if step.actor != "system" else None,
                )
            )
        paid = sum((p.amount for p in history.payments if p.paid_at <= step.at), Decimal(0))
        if paid < history.due:
            found.append(
                _anomaly(
                    history,
                    "declarations",
                    declaration_id,
                    Control.RELEASED_BEFORE_PAYMENT,
                    step.at,
                    f"released by {step.actor} at step {step.seq} ({key}) with {paid} paid of "
                    f"{history.due} due",
                    step.actor if step.actor != "system" else None,
                )
            )
    return found


def shift_breaches(
    shifts: Iterable[DutyShift],
    postings: Mapping[str, Sequence[Posting]],
    national_day: Callable[[datetime], date],
) -> list[Anomaly]:
    """A shift at a post the officer was not posted to on its first day."""
    found = []
    for shift in shifts:
        day = national_day(shift.starts_at)
        serving = [
            p
            for p in postings.get(shift.officer_id, ())
            if p.start_date <= day and (p.end_date or day) >= day
        ]
        if any(p.post_code == shift.post_code for p in serving):
            continue
        where = ", ".join(sorted({p.post_code for p in serving})) or "no post"
        found.append(
            Anomaly(
                record_table="duty_shifts",
                record_key=shift.shift_id,
                control=Control.SHIFT_OUTSIDE_POSTING,
                at=shift.starts_at,
                detail=f"{shift.officer_id} on duty at {shift.post_code} on {day.isoformat()} "
                f"while posted to {where}",
                officer_id=shift.officer_id,
                post_code=shift.post_code,
            )
        )
    return found
