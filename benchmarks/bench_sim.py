"""Benchmark: the simulation core — reference (SimPy) vs batch voter engine, and workers.

Reports, side by side in one run (issue 3):

1. one replication of balikpapan-2024 (996 TPS, about 320,000 voters) with the reference
   SimPy voter engine and with the batch engine, the whole replication and the voter flow
   alone, and their ratio (targets: whole replication ≤ 0.5 s on one core, batch ≥ 20×);
   with the simulation core alone (incidents and logistics off) and with everything on;
2. N replications (default 100) on 2 worker processes against 1 (target ≥ 1.8×).

Run: ``.venv/bin/python benchmarks/bench_sim.py [--reps N] [--quick]``. Timings are the
median of a few repeats (the minimum is printed too: on a shared machine it is the best
estimate of the code's own cost). Not a test: it only reports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planner.experiment.run import run_replications
from planner.scenario.load import load_scenario
from planner.sim import day as D
from planner.sim.queue_batch import run_batch
from planner.sim.queue_reference import run_reference

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "balikpapan-2024.yaml"
CORE = ("incidents.enabled=false", "logistics.enabled=false")


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(median, minimum) seconds of `repeats` runs after one warm-up."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def engines(repeats: int) -> None:
    """One replication with each voter engine; the voter flow alone; ratios."""
    for label, overrides in (("core alone", CORE), ("everything on", ())):
        sc = load_scenario(SCENARIO, overrides)
        grid = D.day_grid(sc)
        voters = D.draw_voters(sc, 1, 0)
        voting = D.voting_staff(sc, grid, voters, 1, 0)
        inputs = D.queue_inputs(
            sc, grid, voters, D.open_and_ballots(sc, 1, 0), D.Disruptions.none(len(sc.tps)), voting
        )
        n_voters = int(voters.count.sum())
        batch_day = timed(lambda sc=sc: D.simulate_day(sc, 1, 0), repeats)
        ref_day = timed(lambda sc=sc: D.simulate_day(sc, 1, 0, engine="reference"), 1)
        batch_q = timed(lambda inputs=inputs: run_batch(inputs), repeats)
        ref_q = timed(lambda inputs=inputs: run_reference(inputs), 1)
        print(f"one replication, {label} ({len(sc.tps)} TPS, {n_voters:,} voters):")
        print(f"  whole day, batch engine      {batch_day[0]:7.3f} s  (min {batch_day[1]:.3f})")
        print(f"  whole day, reference engine  {ref_day[0]:7.3f} s")
        print(f"  ratio                        {ref_day[0] / batch_day[0]:7.1f} ×")
        print(f"  voter flow, batch            {batch_q[0]:7.3f} s  (min {batch_q[1]:.3f})")
        print(f"  voter flow, reference        {ref_q[0]:7.3f} s")
        print(f"  ratio                        {ref_q[0] / batch_q[0]:7.1f} ×")


def workers(reps: int) -> None:
    """`reps` replications on 1 and on 2 worker processes (everything on)."""
    sc = load_scenario(SCENARIO)
    times = {}
    for w in (1, 2):
        start = time.perf_counter()
        run_replications(sc, reps, seed=1, workers=w)
        times[w] = time.perf_counter() - start
    cores = os.cpu_count()
    print(f"{reps} replications of balikpapan-2024, everything on ({cores} cores):")
    print(f"  1 worker   {times[1]:7.1f} s  ({times[1] / reps:.3f} s per replication)")
    print(f"  2 workers  {times[2]:7.1f} s")
    print(f"  speed-up   {times[1] / times[2]:7.2f} ×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100, help="replications for the workers test")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of one day")
    parser.add_argument("--quick", action="store_true", help="20 replications, 3 repeats")
    args, _ = parser.parse_known_args()
    reps, repeats = (20, 3) if args.quick else (args.reps, args.repeats)
    engines(repeats)
    workers(reps)


if __name__ == "__main__":
    main()
