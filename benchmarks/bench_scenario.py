"""Benchmark: loading the bundled scenarios (YAML, validation, TPS generation, summary).

Reports the median wall time of loading each bundled scenario and of summarising it (the
work `planner validate` does), so a slow-down of the loader shows up before users notice.
Not a test: it only reports.

Run: ``.venv/bin/python benchmarks/bench_scenario.py [--reps N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from planner.scenario.load import load_scenario
from planner.scenario.summary import summarise

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def main() -> None:
    """Time load and summary for every bundled scenario; print one line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions (median)")
    args = parser.parse_args()
    print(f"{'scenario':<32}{'TPS':>7}{'load ms':>10}{'summary ms':>12}")
    for path in sorted(SCENARIOS.glob("*.yaml")):
        load_scenario(path)  # warm-up: imports and caches
        loads, sums = [], []
        for _ in range(args.reps):
            start = time.perf_counter()
            sc = load_scenario(path)
            loads.append(time.perf_counter() - start)
            start = time.perf_counter()
            summarise(sc)
            sums.append(time.perf_counter() - start)
        print(
            f"{path.name:<32}{len(sc.tps):>7,}{statistics.median(loads) * 1e3:>10.1f}"
            f"{statistics.median(sums) * 1e3:>12.1f}"
        )


if __name__ == "__main__":
    main()
