"""Run one fuzzing target under atheris (libFuzzer): ``python -m tests.fuzz.run TARGET [ARGS]``.

ARGS are libFuzzer's: a corpus folder, ``-max_total_time=SECONDS``, ``-runs=N``, ``-merge=1``.
Dostyk's own modules are instrumented for coverage, so the fuzzer steers by the branches of the
reader and the document parser.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["dostyk"]):
    from tests.fuzz.targets import TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz.run {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
