"""``dostyk export`` and ``dostyk import`` as a user meets them: a folder holding an earlier export,
and a package folder with a file its descriptor does not name."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from dostyk.cli import app
from tests.cli.conftest import Invoke, snapshot
from tests.conftest import SAMPLE_PACKAGE


def test_an_earlier_export_is_replaced_only_with_force_and_then_as_a_whole(
    dostyk: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "out"
    assert dostyk("export", target).exit_code == 0
    csv_files = sorted(p.name for p in target.glob("*.csv"))
    assert csv_files

    refused = dostyk("export", target, "--format", "parquet")
    assert refused.exit_code == 2, refused.output
    assert "use --force" in refused.output
    assert sorted(p.name for p in target.glob("*.csv")) == csv_files

    replaced = dostyk("export", target, "--format", "parquet", "--force")
    assert replaced.exit_code == 0, replaced.output
    assert not list(target.glob("*.csv")), "no CSV file of the earlier export is left behind"
    assert list(target.glob("*.parquet"))


def test_a_folder_of_other_files_is_never_replaced_even_with_force(
    dostyk: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "letter.txt").write_text("keep me\n")
    result = dostyk("export", target, "--force")
    assert result.exit_code == 2, result.output
    assert (target / "letter.txt").read_text() == "keep me\n"


def test_a_file_the_descriptor_does_not_name_refuses_the_import_unless_ignored(
    tmp_path: Path,
) -> None:
    package = tmp_path / "package"
    shutil.copytree(SAMPLE_PACKAGE, package)
    (package / "notes.csv").write_text("a,b\n1,2\n")
    home = tmp_path / "home"
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert runner.invoke(app, ["--home", str(home), "init"]).exit_code == 0
    before = snapshot(home)

    refused = runner.invoke(app, ["--home", str(home), "import", str(package)])
    assert refused.exit_code == 1, refused.output
    assert "notes.csv" in refused.output
    assert snapshot(home) == before

    loaded = runner.invoke(app, ["--home", str(home), "import", str(package), "--ignore-unlisted"])
    assert loaded.exit_code == 0, loaded.output
    assert "ignored (not in datapackage.json): notes.csv" in loaded.output
    assert snapshot(home)["declarations"] > before["declarations"]
