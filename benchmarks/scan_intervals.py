"""Scan every bundled scenario's intervals: none below 0, shares inside [0, 1].

Simulates each ``scenarios/*.yaml`` and ``scenarios/training/*.yaml`` for ``-r`` days
(default 10, their own seeds) and checks every interval of ``summary.json`` and, for a
province, of ``per_region.csv``: ``0 ≤ low ≤ mean ≤ high``, and ``high ≤ 1`` for a share.
For contrast it counts the summary metrics whose old Student-t interval (recomputed from the
same replications) went below 0. Prints one line per scenario; exits 1 if any interval
fails. Not a test (``tests/experiment/test_intervals.py`` checks one small scenario); about
a minute on one core: ``.venv/bin/python benchmarks/scan_intervals.py [-r N]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import planner
from planner.experiment.stats import mean_interval
from planner.sim.metrics import metric_kind

ROOT = Path(__file__).resolve().parents[1]


def bad_intervals(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Names of the intervals that break a bound."""
    bad = []
    for name, m in rows:
        low, mean, high = float(m["ci95_low"]), float(m["mean"]), float(m["ci95_high"])
        share = metric_kind(name.split(":")[-1]) == "share"
        if not (0.0 <= low <= mean <= high) or (share and high > 1.0):
            bad.append(f"{name} {mean:.4g} ({low:.4g} – {high:.4g})")
    return bad


def main(argv: list[str]) -> int:
    """Scan the bundled scenarios; 0 when every interval holds its bounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--replications", type=int, default=10)
    args = parser.parse_args(argv)
    files = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
        (ROOT / "scenarios" / "training").glob("*.yaml")
    )
    total = failed = old_negative = 0
    for path in files:
        res = planner.simulate(path, replications=args.replications)
        rows = list(res.summary["metrics"].items())
        rows += [(f"{r['region']}:{r['metric']}", r) for r in res.per_region]
        bad = bad_intervals(rows)
        negative_t = [
            name
            for name in res.summary["metrics"]
            if mean_interval([rep[name] for rep in res.replication_metrics if name in rep]).ci95_low
            < 0
        ]
        total += len(rows)
        failed += len(bad)
        old_negative += len(negative_t)
        print(
            f"{path.relative_to(ROOT)}: {len(rows)} intervals, {len(bad)} out of bounds "
            f"(old t-interval: {len(negative_t)} summary metrics below 0)"
        )
        for line in bad:
            print(f"  {line}")
    print(
        f"all: {total} intervals, {failed} out of bounds; the old t-interval put "
        f"{old_negative} summary metrics below 0"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
