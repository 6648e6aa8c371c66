"""Radiation alarms and their adjudication, step by step.

An occupancy whose analysis raises at least one alarm (:mod:`dostyk.radiation.algorithms`)
opens one :class:`Alarm` on its crossing, with every algorithm's result kept as an
:class:`AlarmFinding`. A radiation operator then adjudicates it in steps, each an
:class:`AdjudicationStep` with the operator, the time and the outcome:

1. ``second_pass`` — the vehicle goes through the monitor again: the alarm is confirmed, or not
   (a nuisance or statistical alarm, which *clears* it);
2. ``locate`` — the operator finds where on the vehicle the excess is, with a handheld;
3. ``identify`` — a handheld identifier's spectrum names the nuclides;
4. ``innocent`` — the source is innocent: naturally occurring (``norm``), a ``medical`` patient's
   or a ``legal_shipment`` with its papers; the alarm is closed and the goods may go; or
   ``escalate`` — the source is not innocent or not identified: the alarm stays holding the
   conveyance, for the nuclear regulator; an expert's later ``innocent`` may still close it.

:func:`next_status` is the state machine; a step it refuses raises
:class:`IllegalAdjudication`, naming what must come first. While an alarm is ``open`` or
``escalated`` it *holds* its crossing: no declaration covering it may be released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import RECORDED_MAX, REMARK_MAX, Checks
from dostyk.domain.occupancies import RadiationKind, SourceVerdict


class AlarmStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLEARED = "cleared"
    INNOCENT = "innocent"

    @property
    def holds(self) -> bool:
        """True while the alarm keeps its conveyance from release."""
        return self in HOLDING


#: Statuses that keep a crossing's goods from release.
HOLDING = frozenset({AlarmStatus.OPEN, AlarmStatus.ESCALATED})


class StepKind(StrEnum):
    SECOND_PASS = "second_pass"  # noqa: S105 (a step, not a password)
    LOCATE = "locate"
    IDENTIFY = "identify"
    INNOCENT = "innocent"
    ESCALATE = "escalate"


class Disposition(StrEnum):
    """Why an innocent alarm is innocent."""

    NORM = "norm"
    MEDICAL = "medical"
    LEGAL_SHIPMENT = "legal_shipment"


class IllegalAdjudication(Exception):
    """A step the adjudication does not allow now."""

    def __init__(self, alarm_id: str, kind: StepKind, why: str) -> None:
        super().__init__(f"alarm {alarm_id}: cannot record {kind.value}: {why}")
        self.alarm_id = alarm_id
        self.kind = kind
        self.why = why


@dataclass(frozen=True, slots=True)
class Alarm:
    """An occupancy's alarm: what raised it (the strongest result), and where it stands."""

    alarm_id: str
    occupancy_id: str
    post_code: str
    monitor_id: str
    raised_at: datetime
    kind: RadiationKind
    algorithm: str
    statistic: float
    threshold: float
    status: AlarmStatus
    crossing_id: str | None = None
    verdict: SourceVerdict | None = None
    closed_at: datetime | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        for name in ("alarm_id", "occupancy_id", "monitor_id"):
            checks.identifier(name, getattr(self, name), 40)
        if self.crossing_id is not None:
            checks.identifier("crossing_id", self.crossing_id, 40)
        checks.instant("raised_at", self.raised_at)
        checks.text("algorithm", self.algorithm, 40)
        if self.closed_at is not None and self.closed_at < self.raised_at:
            checks.add("closed_at", "an alarm is closed after it was raised")
        if (self.closed_at is None) != self.status.holds:
            checks.add("closed_at", f"a {self.status.value} alarm has a closing time iff closed")
        checks.done()


@dataclass(frozen=True, slots=True)
class AlarmFinding:
    """One algorithm's result on an alarmed occupancy (alarm or not), as the operator sees it."""

    alarm_id: str
    algorithm: str
    kind: RadiationKind
    alarm: bool
    statistic: float
    threshold: float
    explanation: str
    verdict: SourceVerdict | None = None
    peak_slice: int | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("alarm_id", self.alarm_id, 40)
        checks.text("algorithm", self.algorithm, 40)
        # Every algorithm says what it found: the operator reads it, and a blank one could not
        # be told from a missing one in a package.
        checks.text("explanation", self.explanation, RECORDED_MAX, prose=True)
        checks.done()


@dataclass(frozen=True, slots=True)
class AdjudicationStep:
    """One step of an alarm's adjudication (see the module's description of each kind).

    ``confirmed`` is the second pass's answer; ``location`` the locate step's; ``nuclides`` the
    identifier's ('|'-joined names, e.g. ``K-40|Ra-226``) with ``spectrum`` its counts as
    canonical text; ``disposition`` why an innocent alarm is innocent; ``note`` the operator's
    words, required to escalate and to call an alarm innocent.
    """

    alarm_id: str
    seq: int
    kind: StepKind
    operator_id: str
    at: datetime
    confirmed: bool | None = None
    location: str | None = None
    nuclides: str | None = None
    spectrum: str | None = None
    disposition: Disposition | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("alarm_id", self.alarm_id, 40)
        if self.seq < 1:
            checks.add("seq", "steps are numbered from 1")
        checks.identifier("operator_id", self.operator_id, 24)
        checks.instant("at", self.at)
        if self.location is not None:
            checks.text("location", self.location, REMARK_MAX, prose=True, required=False)
        if self.nuclides is not None:
            checks.text("nuclides", self.nuclides, 200, required=False)
        if self.note is not None:
            checks.text("note", self.note, REMARK_MAX, prose=True, required=False)
        if self.kind is StepKind.SECOND_PASS and self.confirmed is None:
            checks.add("confirmed", "a second pass confirms the alarm or does not")
        if self.kind is not StepKind.SECOND_PASS and self.confirmed is not None:
            checks.add("confirmed", "only a second pass confirms an alarm")
        if self.kind is StepKind.LOCATE and not self.location:
            checks.add("location", "say where on the vehicle the source is")
        if self.kind is StepKind.IDENTIFY and not self.nuclides:
            checks.add("nuclides", "an identification names the nuclides found")
        if self.kind is StepKind.INNOCENT and self.disposition is None:
            checks.add("disposition", "an innocent alarm is norm, medical or legal_shipment")
        if self.kind is not StepKind.INNOCENT and self.disposition is not None:
            checks.add("disposition", "only an innocent step has a disposition")
        if self.kind in (StepKind.INNOCENT, StepKind.ESCALATE) and not (self.note or "").strip():
            checks.add("note", f"a {self.kind.value} step needs the operator's reason")
        checks.done()


def next_status(alarm: Alarm, done: frozenset[StepKind], step: AdjudicationStep) -> AlarmStatus:
    """The alarm's status after ``step``, given the kinds of step ``done`` before; refuses a step
    out of order (:class:`IllegalAdjudication`)."""
    kind = step.kind

    def refuse(why: str) -> IllegalAdjudication:
        return IllegalAdjudication(alarm.alarm_id, kind, why)

    if not alarm.status.holds:
        raise refuse(f"the alarm is {alarm.status.value} and its adjudication is over")
    if alarm.status is AlarmStatus.ESCALATED and kind is not StepKind.INNOCENT:
        raise refuse("the alarm was escalated; only an expert's innocent finding closes it")
    if kind is StepKind.SECOND_PASS:
        if StepKind.SECOND_PASS in done:
            raise refuse("the second pass is on record")
        return AlarmStatus.OPEN if step.confirmed else AlarmStatus.CLEARED
    if StepKind.SECOND_PASS not in done:
        raise refuse("a second pass through the monitor must confirm the alarm first")
    if kind is StepKind.LOCATE:
        return AlarmStatus.OPEN
    if kind is StepKind.IDENTIFY:
        if StepKind.LOCATE not in done:
            raise refuse("locate the source on the vehicle before identifying it")
        return AlarmStatus.OPEN
    if kind is StepKind.INNOCENT:
        if StepKind.IDENTIFY not in done:
            raise refuse("identify the source with a handheld identifier first")
        return AlarmStatus.INNOCENT
    return AlarmStatus.ESCALATED
