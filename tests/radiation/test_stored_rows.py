"""An occupancy's row, as the radiation service stores it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.monitors import StoredOccupancy
from dostyk.radiation.simulation import evaluation_set


def test_the_row_of_an_occupancy_is_the_one_its_checks_accept_and_reads_back_whole() -> None:
    # ``of`` skips decoding the texts it has just encoded: the fully checked constructor must
    # accept the same values, and the texts must decode to the very arrays analysed.
    for simulated in evaluation_set(seed=5, per_class=4):
        occupancy = simulated.occupancy
        row = StoredOccupancy.of(occupancy, source="lane system")
        checked = StoredOccupancy(*(getattr(row, f.name) for f in dataclasses.fields(row)))
        assert checked == row
        again = row.occupancy()
        assert np.array_equal(again.gamma, occupancy.gamma)
        assert np.array_equal(again.neutron, occupancy.neutron)
        assert np.array_equal(again.background_before.gamma, occupancy.background_before.gamma)
        assert again.n_slices == row.slices == occupancy.n_slices
        assert again.windows == occupancy.windows


def test_the_row_still_checks_what_it_did_not_encode() -> None:
    occupancy = evaluation_set(seed=5, per_class=1)[0].occupancy
    with pytest.raises(InvariantViolation) as refused:
        StoredOccupancy.of(occupancy, source="a\x00b")
    assert [v.field for v in refused.value.violations] == ["source"]
