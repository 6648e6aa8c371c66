"""What customs has told the declarant, read off a declaration's recorded history.

A declarant's system learns of its declaration through responses: received, accepted or rejected
with the reasons, documents requested (yellow channel), goods held for control (red), the control's
result, the duties to pay, cleared, cancelled. Each is one step of the declaration's lifecycle as
recorded (its status changes, risk assessments and duty lines), never a separate store of
messages: asking again gives the same answers, in the same order, with the same identifiers. Both
syntaxes write them from this list: WCO RES-DMS (:mod:`dostyk.interchange.wco.responses`) and
EDIFACT CUSRES (:mod:`dostyk.interchange.edifact.cusres`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.declarations import Channel, Declaration, DeclarationStatus
from dostyk.domain.tariff import DutyLine
from dostyk.services.declaration_record import DeclarationView
from dostyk.services.declarations import rejection_reasons


class Answer(StrEnum):
    """Kinds of response, named as the UK's CDS names its WCO notifications."""

    RECEIVED = "DMSRCV"
    ACCEPTED = "DMSACC"
    REJECTED = "DMSREJ"
    CONTROL = "DMSCTL"
    DOCUMENTS = "DMSDOC"
    CONTROL_RESULT = "DMSRES"
    DUTIES = "DMSTAX"
    CLEARED = "DMSCLE"
    CANCELLED = "DMSINV"

    @property
    def function_code(self) -> str:
        """The WCO response function code (Response/FunctionCode)."""
        return FUNCTION_CODES[self]


FUNCTION_CODES = {
    Answer.ACCEPTED: "01",
    Answer.RECEIVED: "02",
    Answer.REJECTED: "03",
    Answer.CONTROL: "05",
    Answer.DOCUMENTS: "06",
    Answer.CONTROL_RESULT: "07",
    Answer.CLEARED: "09",
    Answer.CANCELLED: "10",
    Answer.DUTIES: "13",
}


@dataclass(frozen=True, slots=True)
class Response:
    """One response: what it says, when, and about which step of the history."""

    answer: Answer
    at: datetime
    #: The status change it reports (its sequence number in the declaration's history).
    seq: int
    declaration: Declaration
    reasons: tuple[str, ...] = ()
    duty_lines: tuple[DutyLine, ...] = ()
    channel: Channel | None = None

    @property
    def reference(self) -> str:
        """The response's own identifier: the same step always gives the same one (32 hex)."""
        text = f"{self.declaration.declaration_id}\x1f{self.seq}\x1f{self.answer.value}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


S = DeclarationStatus


def responses(view: DeclarationView) -> list[Response]:
    """The declaration's responses, oldest first."""
    d = view.declaration
    found: list[Response] = []
    assessments = sorted(view.assessments, key=lambda a: a.assessed_at)
    for step in view.steps:
        status = step.to_status
        if step.seq == 1 or status is S.LODGED:
            found.append(Response(Answer.RECEIVED, step.at, step.seq, d))
        elif status is S.ACCEPTED:
            found.append(Response(Answer.ACCEPTED, step.at, step.seq, d))
        elif status is S.REJECTED:
            reasons = rejection_reasons(step)
            found.append(Response(Answer.REJECTED, step.at, step.seq, d, reasons))
        elif status is S.ASSESSED:
            before = [a for a in assessments if a.assessed_at <= step.at]
            channel = before[-1].channel if before else d.channel
            if channel is Channel.RED:
                found.append(Response(Answer.CONTROL, step.at, step.seq, d, channel=channel))
            elif channel is Channel.YELLOW:
                found.append(Response(Answer.DOCUMENTS, step.at, step.seq, d, channel=channel))
        elif status is S.INSPECTED:
            found.append(Response(Answer.CONTROL_RESULT, step.at, step.seq, d))
        elif status is S.DUTIES_ASSESSED:
            lines = tuple(sorted(view.duty_lines, key=lambda line: line.item_no))
            found.append(Response(Answer.DUTIES, step.at, step.seq, d, duty_lines=lines))
        elif status is S.RELEASED:
            found.append(Response(Answer.CLEARED, step.at, step.seq, d))
        elif status is S.CANCELLED:
            reason = (step.reason,) if step.reason else ()
            found.append(Response(Answer.CANCELLED, step.at, step.seq, d, reason))
    return found
