"""``dostyk --help`` and every command's ``--help`` load none of the heavy modules.

The time is measured by ``make bench`` (benchmarks/bench_start.py); this test asserts its cause,
the import graph: help is answered by Typer and Click alone, and each command imports the store,
the services and Rich only when it runs.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

HEAVY = (
    "sqlalchemy",
    "alembic",
    "mako",
    "pygments",
    "pyarrow",
    "numpy",
    "pycountry",
    "cryptography",
    "psycopg",
    "rich",
    "dostyk.store",
    "dostyk.services",
    "dostyk.interchange",
    "dostyk.simulate",
    "dostyk.ledger",
    "lightgbm",
    "sklearn",
    "pandas",
)

#: In a fresh interpreter: the help of the program, of every group and of every command, then
#: --version, then the names of every module loaded.
PROBE = """
import contextlib, io, json, sys
import typer
from dostyk.cli import app

def paths(command, prefix):
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from paths(sub, [*prefix, name])

asked = list(paths(typer.main.get_command(app), []))
for args in [*([*p, "--help"] for p in asked), ["--version"]]:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            app(args, prog_name="dostyk")
        except SystemExit as done:
            assert done.code in (0, None), (args, done.code)
print(json.dumps({"asked": [" ".join(p) for p in asked], "modules": sorted(sys.modules)}))
"""


def test_help_imports_nothing_heavy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"stats", "declaration show", "ledger verify", "simulate"} <= set(answer["asked"])
    assert len(answer["asked"]) > 25
    loaded = [
        name
        for name in answer["modules"]
        if any(name == heavy or name.startswith(f"{heavy}.") for heavy in HEAVY)
    ]
    assert loaded == []


def test_the_risk_package_loads_its_estimator_on_first_use() -> None:
    probe = (
        "import json, sys; import dostyk.risk as risk; before = sorted(sys.modules); "
        "risk.RiskModel; print(json.dumps([before, sorted(sys.modules)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr
    before, after = json.loads(result.stdout)
    for heavy in ("lightgbm", "pandas", "sklearn", "numpy"):
        assert heavy not in before
    assert {"lightgbm", "dostyk.risk.model"} <= set(after)


def test_assessing_without_an_active_model_loads_no_estimator_library() -> None:
    # The shelf is imported by every entry point that assesses (lodge, the API, the simulator).
    probe = "import json, sys; import dostyk.risk.scoring; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert not {"lightgbm", "sklearn", "dostyk.risk.model"} & loaded


def test_python_m_dostyk_answers_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dostyk", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: dostyk [OPTIONS] COMMAND" in result.stdout
