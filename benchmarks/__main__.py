"""Run every benchmark in turn, or those named: ``python -m benchmarks [bench_import ...]``."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    chosen = sys.argv[1:]
    for script in sorted(HERE.glob("bench_*.py")):
        if chosen and script.stem not in chosen:
            continue
        print(f"\n=== {script.stem} ===", flush=True)
        sys.argv = [script.stem]
        runpy.run_module(f"benchmarks.{script.stem}", run_name="__main__")


if __name__ == "__main__":
    main()
