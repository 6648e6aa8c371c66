"""``dostyk radiation import | alarms | adjudicate`` on the sample store.

A portal monitor's N42.42 file names the crossing of each occupancy (the ``Crossing``
characteristic of its RadItemInformation); importing it opens an alarm on that crossing, the
alarm holds the railcar's goods, and the operator's steps on the command line release them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dostyk.interchange.n42.writing import write_n42
from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command, snapshot
from tests.radiation.occupancies import occupancy
from tests.test_cli import plain

ARRIVED = datetime.fromisoformat(docs.at(6).replace("Z", "+00:00"))


def ok(dostyk: Invoke, line: str, *extra: str, at: int | None = None) -> str:
    args = command(line, *extra, at=at)
    result = dostyk(*args)
    assert result.exit_code == 0, (args, result.output)
    return plain(result.output)


def portal_file(folder: Path) -> Path:
    """Two railcars of train X-T1 through lane 1: the first carries a source."""
    path = folder / "lane1.n42"
    write_n42(
        [
            occupancy(
                "OCC-1",
                started_at=ARRIVED,
                monitor_id="RPM-DST-1",
                crossing_id="X-T1-1",
                source_cps=3000,
            ),
            occupancy(
                "OCC-2",
                started_at=ARRIVED.replace(minute=8),
                monitor_id="RPM-DST-1",
                crossing_id="X-T1-2",
                seed=3,
            ),
        ],
        path,
    )
    return path


def alarms(dostyk: Invoke, *options: str) -> list[dict[str, Any]]:
    result = dostyk("radiation", "alarms", "--json", *options)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["alarms"]
    return found


def test_an_imported_alarm_holds_the_goods_until_adjudicated(
    dostyk: Invoke, home: Path, tmp_path: Path
) -> None:
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    text = ok(dostyk, f"radiation import {portal_file(tmp_path)} --post DST", at=12)
    assert "Imported 2 occupancies from 1 file(s) at DST; 1 alarm(s) opened" in text
    (alarm,) = alarms(dostyk, "--open")
    assert (alarm["crossing_id"], alarm["status"], alarm["algorithm"]) == (
        "X-T1-1",
        "open",
        "energy-window",
    )
    alarm_id = alarm["alarm_id"]
    docs.write("toys.json", docs.toys())
    ok(dostyk, "declaration lodge toys.json --as BRK000", at=20)
    ok(dostyk, "declaration assess D-TOYS --as system", at=21)
    out_of_order = dostyk(
        *command(f"radiation adjudicate {alarm_id} identify --as IN-DST1 --nuclide Cs-137", at=22)
    )
    assert out_of_order.exit_code == 1
    assert "a second pass through the monitor must confirm the alarm first" in plain(
        out_of_order.output
    )
    ok(dostyk, f"radiation adjudicate {alarm_id} second_pass --confirmed --as IN-DST1", at=23)
    ok(dostyk, f"radiation adjudicate {alarm_id} locate --as IN-DST1", "--location", "rear", at=24)
    ok(dostyk, f"radiation adjudicate {alarm_id} identify --nuclide K-40 --as IN-DST1", at=25)
    text = ok(
        dostyk,
        f"radiation adjudicate {alarm_id} innocent --disposition norm --as IN-DST1",
        "--note",
        "toys with potassium-rich glaze",
        at=26,
    )
    assert "the alarm is innocent" in text
    assert alarms(dostyk, "--open") == []
    # The sample's own alarms at DST are closed too; this one is among them, innocent.
    (closed,) = [a for a in alarms(dostyk, "--post", "DST") if a["alarm_id"] == alarm_id]
    assert closed["status"] == "innocent"


def test_a_file_that_is_not_n42_is_refused_and_nothing_is_written(
    dostyk: Invoke, home: Path, tmp_path: Path
) -> None:
    docs.write("crossing.json", docs.crossing())
    ok(dostyk, "crossing register crossing.json --as IN-DST1", at=5)
    good = portal_file(tmp_path)
    truncated = tmp_path / "truncated.n42"
    truncated.write_bytes(good.read_bytes()[:2000])
    before = snapshot(home)
    result = dostyk(*command(f"radiation import {good} {truncated} --post DST", at=12))
    assert result.exit_code == 1
    assert "truncated.n42" in plain(result.output)
    assert "nothing was written" in plain(result.output)
    assert snapshot(home) == before


def test_an_occupancy_naming_an_unknown_crossing_is_refused(
    dostyk: Invoke, home: Path, tmp_path: Path
) -> None:
    before = snapshot(home)
    result = dostyk(*command(f"radiation import {portal_file(tmp_path)} --post DST", at=12))
    assert result.exit_code == 1
    text = plain(result.output)
    assert "occupancy OCC-1: no crossing X-T1-1 is recorded" in text
    assert "nothing was written" in text
    assert snapshot(home) == before
