from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dostyk.domain.officers import (
    Officer,
    Posting,
    Rank,
    chain_of_command,
    check_hierarchy,
    check_postings,
    may_approve,
)

from .helpers import violates


def staff(*officers: Officer) -> dict[str, Officer]:
    return {o.officer_id: o for o in officers}


#: HQ <- REGIONAL <- CHIEF <- SUP-A <- INSP-1, INSP-2;  CHIEF <- SUP-B <- INSP-3
HIERARCHY = staff(
    Officer("HQ-1", "Aliya", Rank.HQ),
    Officer("REG-1", "Bolat", Rank.REGIONAL_CHIEF, "HQ-1"),
    Officer("CHIEF-1", "Dana", Rank.POST_CHIEF, "REG-1"),
    Officer("SUP-A", "Erlan", Rank.SHIFT_SUPERVISOR, "CHIEF-1"),
    Officer("SUP-B", "Gulnar", Rank.SHIFT_SUPERVISOR, "CHIEF-1"),
    Officer("INSP-1", "Nurlan", Rank.INSPECTOR, "SUP-A"),
    Officer("INSP-2", "Saule", Rank.INSPECTOR, "SUP-A"),
    Officer("INSP-3", "Timur", Rank.INSPECTOR, "SUP-B"),
)


def test_ranks_are_ordered_by_seniority() -> None:
    ranks = [Rank.INSPECTOR, Rank.SHIFT_SUPERVISOR, Rank.POST_CHIEF, Rank.REGIONAL_CHIEF, Rank.HQ]
    assert [r.seniority for r in ranks] == [0, 1, 2, 3, 4]


def test_a_valid_officer_is_accepted() -> None:
    assert HIERARCHY["INSP-1"].supervisor_id == "SUP-A"


@pytest.mark.parametrize("officer_id", ["i1", "A", "-A1", "A 1", "A" * 25, ""])
def test_bad_service_number_is_refused(officer_id: str) -> None:
    with violates("officer_id"):
        Officer(officer_id, "Nurlan", Rank.INSPECTOR)


def test_blank_name_is_refused() -> None:
    with violates("name"):
        Officer("INSP-9", " ", Rank.INSPECTOR)


def test_an_officer_cannot_supervise_himself() -> None:
    with violates("supervisor_id"):
        Officer("INSP-9", "Nurlan", Rank.INSPECTOR, "INSP-9")


def test_chain_of_command_runs_nearest_first_to_the_top() -> None:
    assert chain_of_command("INSP-1", HIERARCHY) == ["SUP-A", "CHIEF-1", "REG-1", "HQ-1"]
    assert chain_of_command("SUP-B", HIERARCHY) == ["CHIEF-1", "REG-1", "HQ-1"]
    assert chain_of_command("HQ-1", HIERARCHY) == []


def test_chain_of_command_detects_a_loop() -> None:
    looped = staff(
        Officer("A1", "A", Rank.INSPECTOR, "B1"),
        Officer("B1", "B", Rank.SHIFT_SUPERVISOR, "C1"),
        Officer("C1", "C", Rank.POST_CHIEF, "A1"),
    )
    with violates("supervisor_id"):
        chain_of_command("A1", looped)


def test_chain_of_command_refuses_an_unknown_supervisor() -> None:
    orphan = staff(Officer("A1", "A", Rank.INSPECTOR, "GHOST"))
    with violates("supervisor_id"):
        chain_of_command("A1", orphan)


def test_a_hierarchy_where_every_supervisor_outranks_is_accepted() -> None:
    check_hierarchy(HIERARCHY)


def test_a_supervisor_of_equal_rank_is_refused() -> None:
    flat = {**HIERARCHY, "INSP-2": replace(HIERARCHY["INSP-2"], supervisor_id="INSP-1")}
    with violates("supervisor_id"):
        check_hierarchy(flat)


def test_a_supervisor_of_lower_rank_is_refused() -> None:
    upside_down = {**HIERARCHY, "CHIEF-1": replace(HIERARCHY["CHIEF-1"], supervisor_id="SUP-A")}
    with violates("supervisor_id"):
        check_hierarchy(upside_down)


def test_check_hierarchy_refuses_a_loop_and_an_unknown_supervisor() -> None:
    with violates("supervisor_id"):
        check_hierarchy({**HIERARCHY, "HQ-1": replace(HIERARCHY["HQ-1"], supervisor_id="INSP-1")})
    with violates("supervisor_id"):
        check_hierarchy({**HIERARCHY, "HQ-1": replace(HIERARCHY["HQ-1"], supervisor_id="NOBODY")})


def test_four_eyes_nobody_approves_his_own_request() -> None:
    assert not may_approve("SUP-A", "SUP-A", HIERARCHY)
    assert not may_approve("HQ-1", "HQ-1", HIERARCHY)


@pytest.mark.parametrize("approver", ["SUP-A", "CHIEF-1", "REG-1", "HQ-1"])
def test_anyone_above_the_requester_in_his_chain_may_approve(approver: str) -> None:
    assert may_approve(approver, "INSP-1", HIERARCHY)


@pytest.mark.parametrize(
    "approver",
    [
        "INSP-2",  # a peer
        "SUP-B",  # a supervisor of the same rank as the requester's, in another chain
        "INSP-3",  # below, elsewhere
    ],
)
def test_nobody_outside_the_requesters_chain_may_approve(approver: str) -> None:
    assert not may_approve(approver, "INSP-1", HIERARCHY)


def test_a_subordinate_may_not_approve_his_superior() -> None:
    assert not may_approve("INSP-1", "SUP-A", HIERARCHY)


def test_nobody_approves_for_the_top_of_the_hierarchy() -> None:
    assert not may_approve("REG-1", "HQ-1", HIERARCHY)


def test_a_posting_ending_before_it_starts_is_refused() -> None:
    with violates("end_date"):
        Posting("INSP-1", "DOSTYK", date(2025, 3, 1), date(2025, 2, 28))


def test_a_one_day_posting_is_accepted_and_covers_its_day() -> None:
    posting = Posting("INSP-1", "DOSTYK", date(2025, 3, 1), date(2025, 3, 1))
    assert posting.covers(date(2025, 3, 1))
    assert not posting.covers(date(2025, 3, 2))
    assert not posting.covers(date(2025, 2, 28))


def test_an_open_posting_covers_every_day_from_its_start() -> None:
    posting = Posting("INSP-1", "DOSTYK", date(2025, 3, 1))
    assert posting.covers(date(2040, 1, 1))
    assert not posting.covers(date(2025, 2, 28))


def test_successive_postings_are_accepted_in_any_order() -> None:
    check_postings(
        [
            Posting("INSP-1", "KHORGOS", date(2025, 7, 1)),
            Posting("INSP-1", "DOSTYK", date(2025, 1, 1), date(2025, 6, 30)),
            Posting("INSP-2", "DOSTYK", date(2025, 1, 1)),  # another officer, same time
        ]
    )


def test_overlapping_postings_are_refused() -> None:
    with violates("start_date"):
        check_postings(
            [
                Posting("INSP-1", "DOSTYK", date(2025, 1, 1), date(2025, 7, 1)),
                Posting("INSP-1", "KHORGOS", date(2025, 7, 1)),
            ]
        )


def test_a_posting_after_an_open_one_is_refused() -> None:
    with violates("start_date"):
        check_postings(
            [
                Posting("INSP-1", "KHORGOS", date(2026, 1, 1)),
                Posting("INSP-1", "DOSTYK", date(2025, 1, 1)),
            ]
        )


def test_a_posting_nested_in_another_is_refused() -> None:
    with violates("start_date"):
        check_postings(
            [
                Posting("INSP-1", "DOSTYK", date(2025, 1, 1), date(2025, 12, 31)),
                Posting("INSP-1", "DOSTYK", date(2025, 3, 1), date(2025, 3, 31)),
                Posting("INSP-1", "KHORGOS", date(2026, 1, 1)),
            ]
        )
