"""``dostyk interchange import`` and ``respond`` on the samples' world."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from typer.testing import CliRunner, Result

from dostyk.cli import app
from tests.interchange.wco_world import SAMPLES

AT = "2025-03-01T03:00:00Z"  # 08:00 at Dostyk


@pytest.fixture
def run(uk_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for variable in ("DOSTYK_HOME", "DOSTYK_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(uk_template, home / "dostyk.db")
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, ["--home", str(home), *map(str, args)])

    return invoke


def test_import_lodges_refuses_and_rejects_each_file_on_its_own(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good, rejected, broken = (SAMPLES / f"{n}.xml" for n in ("TT_IM001d", "TT_IM001b", "TT_IM084a"))
    neither = tmp_path / "notes.txt"
    neither.write_text("hello")
    result = run(
        "interchange",
        "import",
        good,
        rejected,
        broken,
        neither,
        "--as",
        "GB603202734852",
        "--at",
        AT,
        "--post",
        "DST",
        "--rate",
        "GBP=640",
    )
    assert result.exit_code == 1, result.output
    out = result.output
    assert "TT_IM001d.xml: declaration D-GB603202734852-TT_IM01d_v1.6_230322_1" in out
    assert "(TT_IM01d_v1.6_230322_1) accepted" in out
    assert "TT_IM001b.xml: declaration" in out and "recorded as rejected" in out
    assert "GB953202734852, is neither the importer nor the declarant" in out
    assert f"{broken} refused; nothing of it was written:" in out
    assert f"{broken}: line 164, column 8: not well-formed XML" in out
    assert "is neither WCO XML (starts with <) nor EDIFACT" in out


def test_respond_writes_wco_and_cusres(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = SAMPLES / "TT_IM001d.xml"
    lodged = run(
        "interchange",
        "import",
        sample,
        "--as",
        "GB603202734852",
        "--at",
        AT,
        "--post",
        "DST",
        "--rate",
        "GBP=640",
        "--json",
    )
    assert lodged.exit_code == 0, lodged.output
    declaration_id = json.loads(lodged.output)["files"][0]["messages"][0]["declaration_id"]
    out = tmp_path / "answers.xml"
    written = run("interchange", "respond", declaration_id, "--out", out)
    assert written.exit_code == 0, written.output
    root = fromstring(out.read_bytes())
    codes = [e.text for e in root.iter("{urn:wco:datamodel:WCO:RES-DMS:2}FunctionCode")]
    assert codes == ["02", "01"]
    edifact = run("interchange", "respond", declaration_id, "--format", "cusres")
    assert edifact.exit_code == 0
    assert "BGM+962:::DMSRCV" in edifact.output and "BGM+962:::DMSACC" in edifact.output
    missing = run("interchange", "respond", "D-NONE")
    assert missing.exit_code == 1
    assert "D-NONE" in missing.output
