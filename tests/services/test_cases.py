"""The integrity unit's cases: a case is opened on a subject of the kind it names."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from dostyk.domain.cases import SubjectKind
from dostyk.services.cases import open_case
from dostyk.services.errors import ValidationFailed
from tests.services.world import ledger_size

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
REASON = "Finds a quarter of what his peers find"


@pytest.mark.parametrize(
    ("kind", "subject_id"),
    [
        (SubjectKind.BROKER, "IMP1"),  # an importer, not a broker
        (SubjectKind.IMPORTER, "BRK1"),  # a broker, not an importer
        (SubjectKind.IMPORTER, "KTZ"),  # a carrier
        (SubjectKind.INSPECTOR, "SS-DST1"),  # a shift supervisor who never inspected
        (SubjectKind.SUPERVISOR, "IN-DST1"),  # an inspector, who supervises nobody
    ],
)
def test_a_case_on_a_subject_of_another_kind_is_refused(
    lite: Engine, kind: SubjectKind, subject_id: str
) -> None:
    """A case filed under the wrong kind would sit on a subject page nobody opens (the broker
    page of an importer) and be missing from the subject's own."""
    before = ledger_size(lite)
    with pytest.raises(ValidationFailed, match=f"{subject_id} is not an? {kind}:"):
        open_case(lite, kind, subject_id, REASON, actor="HQ-0001", at=AT)
    assert ledger_size(lite) == before


@pytest.mark.parametrize(
    ("kind", "subject_id"),
    [
        (SubjectKind.INSPECTOR, "IN-DST1"),
        (SubjectKind.SUPERVISOR, "SS-DST1"),
        (SubjectKind.SUPERVISOR, "PC-DST1"),
        (SubjectKind.BROKER, "BRK1"),
        (SubjectKind.IMPORTER, "IMP1"),
        (SubjectKind.POST, "DST"),
    ],
)
def test_a_case_on_a_subject_of_its_kind_is_opened(
    lite: Engine, kind: SubjectKind, subject_id: str
) -> None:
    case = open_case(lite, kind, subject_id, REASON, actor="HQ-0001", at=AT)
    assert (case.subject_kind, case.subject_id) == (kind, subject_id)


def test_a_case_on_nobody_is_refused(lite: Engine) -> None:
    with pytest.raises(ValidationFailed, match="no inspector IN-NONE"):
        open_case(lite, SubjectKind.INSPECTOR, "IN-NONE", REASON, actor="HQ-0001", at=AT)


def test_case_numbers_leave_no_gap_to_read(lite: Engine) -> None:
    """Numbered in sequence, K-1 and K-3 in a listing would tell an integrity officer that K-2,
    which he may not see, is about him."""
    opened = [
        open_case(lite, SubjectKind.BROKER, "BRK1", REASON, actor="HQ-0001", at=AT).case_id
        for _ in range(3)
    ]
    assert len(set(opened)) == 3
    assert all(re.fullmatch(r"K-[0-9A-F]{10}", case_id) for case_id in opened)
