"""Anomalies: records of an imported history that break one of Dostyk's controls.

A real administration's history was not kept by Dostyk, so it breaks rules that Dostyk enforces
on every use case: an override approved by an officer outside the requester's chain of command,
a green declaration inspected with no override, goods released before they were paid for. Such a
record did happen, and refusing it would erase the evidence; so an import keeps it and records an
anomaly beside it that names the control it breaks. The integrity indicators count them.

An anomaly is keyed by the record it concerns and the control, so detecting the same breach
twice (an import run again, a package exported and imported elsewhere) gives the same anomaly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import RECORDED_MAX, Checks
from dostyk.domain.errors import check_aware


class Control(StrEnum):
    """The control an anomalous record breaks."""

    #: An override approved or refused by an officer not above the requester.
    OVERRIDE_OUTSIDE_CHAIN = "override_outside_chain"
    #: A declaration inspected while its channel was green, with no approved override to move it.
    GREEN_INSPECTED = "green_inspected"
    #: Goods released before the duties assessed were paid in full.
    RELEASED_BEFORE_PAYMENT = "released_before_payment"
    #: Goods released without the steps a release needs (risk assessment, duties assessed).
    RELEASED_WITHOUT_STEPS = "released_without_steps"
    #: An inspection by an inspector not posted to the declaration's post that day.
    INSPECTOR_OTHER_POST = "inspector_other_post"
    #: An inspection by an inspector with no shift at the post covering its assignment.
    INSPECTOR_OFF_ROSTER = "inspector_off_roster"
    #: A duty shift at a post the officer was not posted to on its first day.
    SHIFT_OUTSIDE_POSTING = "shift_outside_posting"


#: The tables whose records an anomaly may concern.
RECORD_TABLES = ("overrides", "inspections", "declarations", "duty_shifts")


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One record (``record_table``, ``record_key``) breaking one control; ``detail`` says how."""

    record_table: str
    record_key: str
    control: Control
    at: datetime
    detail: str
    declaration_id: str | None = None
    officer_id: str | None = None
    post_code: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        if self.record_table not in RECORD_TABLES:
            checks.add("record_table", f"is one of {', '.join(RECORD_TABLES)}")
        checks.identifier("record_key", self.record_key, 120)
        if checks.check(check_aware, "at", self.at):
            checks.instant("at", self.at)
        if not self.detail.strip():
            checks.add("detail", "an anomaly says what breaks the control")
        else:
            checks.text("detail", self.detail, RECORDED_MAX, prose=True)
        if self.declaration_id is not None:
            checks.identifier("declaration_id", self.declaration_id)
        if self.officer_id is not None:
            checks.identifier("officer_id", self.officer_id, 24)
        if self.post_code is not None:
            checks.identifier("post_code", self.post_code, 12)
        checks.done()
