"""`make bench`: run every benchmark script in this folder and report how each went.

Each ``benchmarks/bench_*.py`` is a standalone script that times one part of the tool and
prints its numbers (benchmarks report; they never assert, and they are not tests). This
harness runs them one after the other in fresh interpreters, so one benchmark's imports and
caches cannot flatter another's, and exits 1 if any of them failed.

Run: ``.venv/bin/python benchmarks/run.py [NAME ...]`` (names without ``bench_`` and ``.py``,
e.g. ``scenario``); extra options after ``--`` go to every script.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    """The benchmark scripts to run: all of them, or the named ones."""
    found = sorted(HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = {f"bench_{n}.py" for n in names}
    unknown = wanted - {p.name for p in found}
    if unknown:
        raise SystemExit(f"unknown benchmark {', '.join(sorted(unknown))}")
    return [p for p in found if p.name in wanted]


def main(argv: list[str]) -> int:
    """Run the benchmarks; 0 when all succeeded, 1 otherwise."""
    if "--" in argv:
        cut = argv.index("--")
        names, extra = argv[:cut], argv[cut + 1 :]
    else:
        names, extra = argv, []
    failed = []
    for script in scripts(names):
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *extra], cwd=HERE.parent)
        print(f"== {script.name}: exit {code} after {time.perf_counter() - start:.1f} s\n")
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
