"""The fuzzing targets, bounded for ``make test``: the committed corpus replayed, then a short run.

``make fuzz`` runs the same targets for minutes each and grows the corpus; see docs/fuzzing.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.campaign import CORPUS, MAX_LEN, REPO
from tests.fuzz.targets import TARGETS

SECONDS = 2


@pytest.mark.parametrize("target", list(TARGETS))
def test_every_corpus_input_is_accepted_or_refused_cleanly(target: str) -> None:
    inputs = sorted((CORPUS / target).iterdir())
    assert inputs, f"no corpus for {target}"
    for path in inputs:
        TARGETS[target](path.read_bytes())


@pytest.mark.parametrize("target", list(TARGETS))
def test_a_short_fuzzing_run_finds_no_crash(target: str, tmp_path: Path) -> None:
    """A few seconds of coverage-guided mutation from the corpus, new inputs kept aside."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz.run",
            target,
            str(tmp_path),
            str(CORPUS / target),
            f"-max_total_time={SECONDS}",
            f"-max_len={MAX_LEN}",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
