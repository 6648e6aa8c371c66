"""Verification of a store on both backends, in one process and in two."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from dostyk.interchange.datapackage import import_package
from dostyk.ledger.heads import verify_inclusion_proof
from dostyk.ledger.verification import Problem, verify_store
from dostyk.services.ledger import ensure_signing_key, prove_record, sign_head
from tests.conftest import SAMPLE_PACKAGE


@pytest.mark.parametrize("workers", [1, 2])
def test_a_tampered_value_is_named_on_either_backend(
    engine: Engine, tmp_path: Path, workers: int
) -> None:
    key, _ = ensure_signing_key(tmp_path / "keys")
    import_package(engine, SAMPLE_PACKAGE)
    sign_head(engine, key)
    assert verify_store(engine, key.public, workers=workers).ok
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE payments SET reference = 'CASH' WHERE payment_id = 'P000000004'")
        )
    report = verify_store(engine, key.public, workers=workers)
    assert [(f.problem, f.where) for f in report.findings] == [
        (Problem.RECORD_CHANGED, 'payments ["P000000004"]')
    ]


def test_a_record_proof_verifies_with_only_the_public_key(engine: Engine, tmp_path: Path) -> None:
    key, _ = ensure_signing_key(tmp_path / "keys")
    import_package(engine, SAMPLE_PACKAGE)
    document = prove_record(engine, key, "declarations", ["D000000042"])
    assert document["entry"]["table"] == "declarations"
    assert verify_inclusion_proof(document, key.public)
    document["entry"]["record_hash"] = "00" * 32
    forged = dict(document, leaf=document["leaf"].replace("6", "7", 1))
    assert not verify_inclusion_proof(forged, key.public)
