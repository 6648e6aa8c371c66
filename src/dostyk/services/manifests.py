"""Lodging a carrier's manifest (rail waybill or road cargo report).

The manifest is the carrier's account of the cargo, written before the border; declarations are
reconciled against it. It must describe a movement that crossed at the post, and each line's
unit must be one of that movement's railcars or trailers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.manifests import Manifest, ManifestLine
from dostyk.services.errors import NotAuthorised, ValidationFailed
from dostyk.store.unit_of_work import UnitOfWork


def lodge_manifest(
    engine: Engine,
    manifest: Manifest,
    lines: Sequence[ManifestLine],
    *,
    actor: str,
    at: datetime,
) -> Manifest:
    """Store a manifest with its lines; only its carrier lodges it."""
    if actor != manifest.carrier_id:
        raise NotAuthorised(f"only the carrier {manifest.carrier_id} lodges its manifest")
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        reasons = []
        if uow.manifests.get(manifest.manifest_id) is not None:
            reasons.append(f"manifest {manifest.manifest_id} is already lodged")
        movement = uow.crossings.get(manifest.crossing_id)
        if movement is None:
            reasons.append(f"no crossing {manifest.crossing_id}")
        elif movement.post_code != manifest.post_code:
            reasons.append(
                f"{manifest.crossing_id} crossed at {movement.post_code}, not {manifest.post_code}"
            )
        units = {c.crossing_id for c in uow.crossings.of_movement(manifest.crossing_id)}
        for line in lines:
            if line.manifest_id != manifest.manifest_id:
                reasons.append(f"line {line.line_no} belongs to {line.manifest_id}")
            if line.unit_crossing_id is not None and line.unit_crossing_id not in units:
                reasons.append(
                    f"line {line.line_no}: {line.unit_crossing_id} is not a unit of "
                    f"{manifest.crossing_id}"
                )
        if reasons:
            raise ValidationFailed(reasons, subject=f"manifest {manifest.manifest_id}")
        uow.manifests.add(manifest)
        uow.manifest_lines.add_many(lines)
    return manifest
