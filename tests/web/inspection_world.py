"""Declarations brought to inspection in the web tests' world, drawn for a chosen inspector.

The draw is random (seeded by the ledger), so a declaration drawn for the other inspector on
duty is handed over by the shift supervisor through the real use case, with its reason.
"""

from __future__ import annotations

from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Inspection
from dostyk.services import assignment
from tests.services import world as w

#: The "inspector" login's service number.
INSPECTOR = "IN-DST2"
OTHER_INSPECTOR = "IN-DST1"


def drawn(
    flow: w.Flow, n: int, inspector: str = INSPECTOR, channel: Channel = Channel.RED
) -> Inspection:
    """Lodge D<n>, assess it ``channel`` and draw its inspection, held by ``inspector``."""
    lodged = w.lodging(n)
    flow.lodge(lodged)
    flow.assess(lodged.declaration_id, channel)
    inspection = flow.assign(lodged.declaration_id)
    if inspection.inspector_id == inspector:
        return inspection
    return assignment.reassign(
        flow.engine,
        inspection.inspection_id,
        inspector,
        actor=w.SUPERVISOR.officer_id,
        at=flow.tick(),
        reason="the drawn inspector is at the other track",
    )


def assessed(engine: Engine, n: int, channel: Channel = Channel.RED) -> str:
    """Lodge D<n> and assess it ``channel``, with no inspection drawn; returns its id."""
    flow = w.Flow(engine)
    lodged = w.lodging(n)
    flow.lodge(lodged)
    flow.assess(lodged.declaration_id, channel)
    return lodged.declaration_id
