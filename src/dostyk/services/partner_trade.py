"""Recording what trading partners report they exported here, for the mirror analysis.

An administration brings the partners' figures in with its data package (``dostyk import``);
the simulator records the figures its partner countries would report with this use case. Both
go through the ledger like every other record, so a figure changed behind Dostyk's back is
found by ``dostyk ledger verify`` — a mirror gap made to vanish is itself evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.partner_trade import PartnerExport
from dostyk.services.errors import ValidationFailed
from dostyk.store.integrity_repositories import PartnerExports
from dostyk.store.unit_of_work import UnitOfWork


def record_partner_exports(
    engine: Engine, records: Sequence[PartnerExport], *, actor: str, at: datetime
) -> int:
    """Add the figures not yet held; returns how many were added.

    A figure already held with the same values is left as it is (recording a release twice is
    harmless); one held with other values is refused: a partner's revision is a new release, to
    be brought in deliberately, not overwritten in passing.
    """
    keys = [(r.reporter, r.partner, r.hs6, r.month) for r in records]
    duplicates = sorted(k for k, n in Counter(keys).items() if n > 1)
    if duplicates:
        raise ValidationFailed([f"partner export {'/'.join(k)} is given twice" for k in duplicates])
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        held = PartnerExports(uow.connection, uow.ledger)
        fresh: list[PartnerExport] = []
        reasons: list[str] = []
        for record, key in zip(records, keys, strict=True):
            stored = held.get(*key)
            if stored is None:
                fresh.append(record)
            elif stored != record:
                reasons.append(f"partner export {'/'.join(key)} is held with other values")
        if reasons:
            raise ValidationFailed(reasons)
        held.add_many(fresh)
    return len(fresh)
