"""Run every benchmark in turn: ``python -m benchmarks``."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    scripts = sorted(HERE.glob("bench_*.py"))
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
