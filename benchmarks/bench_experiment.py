"""Benchmark: experiments at scale — workers, Dask, checkpoints, the whole province (issue 6).

Reports:

1. N replications (default 100) of balikpapan-2024 on 1 and on 2 local worker processes:
   the speed-up (target ≥ 1.8× on 2 cores) and what saving every replication to the run
   folder costs;
2. Dask against the local pool, both with 2 worker processes: the scheduling cost of one
   task (trivial tasks, so nothing else is timed) and the end-to-end time of M replications,
   each as a share of one replication's time (target ≤ 5%);
3. the whole Kaltim province (10 regions, 6,274 TPS) for R replications (default 20) as
   region × replication tasks on 2 workers: time and peak memory of the parent and of any
   worker (against one whole-province day in one process).

Run: ``.venv/bin/python benchmarks/bench_experiment.py [--reps N] [--dask-reps M]
[--province-reps R] [--skip-province] [--quick]``. On a shared machine the load average is
printed first: the speed-up is only meaningful when the two cores are otherwise idle. Not a
test: it only reports.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from planner.experiment.checkpoint import ReplicationStore
from planner.experiment.executors import DaskExecutor, LocalExecutor
from planner.experiment.run import run_replications
from planner.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BALIKPAPAN = ROOT / "scenarios" / "balikpapan-2024.yaml"
KALTIM = ROOT / "scenarios" / "kaltim-2024.yaml"


def _noop(x: int) -> int:
    return x


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    """The machine's load averages (other work skews timings)."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def workers(reps: int) -> float:
    """1 vs 2 local workers, and the cost of checkpoints. Returns seconds per replication."""
    sc = load_scenario(BALIKPAPAN)
    run_replications(sc, 1, seed=1)  # warm-up (imports, caches)
    times: dict[str, float] = {}
    cpu: dict[int, float] = {}
    for w in (1, 2):
        cpu_start = _cpu()
        start = time.perf_counter()
        run_replications(sc, reps, seed=1, workers=w)
        times[f"{w}"] = time.perf_counter() - start
        cpu[w] = _cpu() - cpu_start
    with tempfile.TemporaryDirectory() as tmp:
        store = ReplicationStore(Path(tmp), {"bench": 1}).open()
        start = time.perf_counter()
        run_replications(sc, reps, seed=1, workers=2, store=store)
        times["2+store"] = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.npz"))
    per_rep = times["1"] / reps
    print(f"{reps} replications of balikpapan-2024 ({len(sc.tps)} TPS), everything on:")
    print(f"  1 worker             {times['1']:7.1f} s  ({per_rep:.3f} s per replication)")
    print(f"  2 workers            {times['2']:7.1f} s  speed-up {times['1'] / times['2']:.2f}×")
    print(
        f"  CPU seconds (parent and workers): 1 worker {cpu[1]:.1f}, 2 workers {cpu[2]:.1f} → "
        f"on two free cores at most {2 * cpu[1] / cpu[2]:.2f}× (the work added by splitting it)"
    )
    extra = (times["2+store"] - times["2"]) / reps
    print(
        f"  2 workers, saved     {times['2+store']:7.1f} s  "
        f"(+{1000 * extra:.1f} ms per replication; {size / reps / 1024:.0f} KB each on disk)"
    )
    return per_rep


def dask_overhead(reps: int, per_rep: float, tasks: int = 400, rounds: int = 3) -> None:
    """Per-task scheduling cost of Dask and of the local pool; replications end to end,
    alternating the two executors `rounds` times (the fastest round of each is compared:
    on a shared machine the other jobs only ever add time)."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_noop, range(10))
        start = time.perf_counter()
        list(pool.imap_unordered(_noop, range(tasks), chunksize=1))
        local_task = (time.perf_counter() - start) / tasks
    sc = load_scenario(BALIKPAPAN)
    dask = DaskExecutor(workers=2)
    local_runs: list[float] = []
    dask_runs: list[float] = []
    try:
        client = dask.client
        client.gather(client.map(_noop, range(10)))
        samples = []
        for _ in range(3):
            start = time.perf_counter()
            client.gather(client.map(_noop, range(tasks), pure=False))
            samples.append((time.perf_counter() - start) / tasks)
        dask_task = statistics.median(samples)
        run_replications(sc, 2, seed=1, executor=dask)  # warm-up: workers import planner
        for _ in range(rounds):
            start = time.perf_counter()
            run_replications(sc, reps, seed=1, executor=LocalExecutor(2))
            local_runs.append(time.perf_counter() - start)
            start = time.perf_counter()
            run_replications(sc, reps, seed=1, executor=dask)
            dask_runs.append(time.perf_counter() - start)
    finally:
        dask.close()
    print("Dask (local cluster, 2 single-threaded worker processes) against the local pool:")
    print(
        f"  scheduling one trivial task: local {1000 * local_task:.2f} ms, "
        f"Dask {1000 * dask_task:.2f} ms = {100 * dask_task / per_rep:.2f}% of a replication"
    )
    over = (min(dask_runs) - min(local_runs)) / reps
    print(
        f"  {reps} replications, fastest of {rounds}: local {min(local_runs):.1f} s, "
        f"Dask {min(dask_runs):.1f} s ({1000 * over:+.0f} ms per task = "
        f"{100 * over / per_rep:+.1f}% of a replication); all rounds: local "
        f"{', '.join(f'{t:.1f}' for t in local_runs)} s, Dask "
        f"{', '.join(f'{t:.1f}' for t in dask_runs)} s"
    )


def province(reps: int) -> None:
    """The whole Kaltim province as region × replication tasks on 2 workers."""
    sc = load_scenario(KALTIM)
    regions = len(sc.tps.region_names)
    start = time.perf_counter()
    res = run_replications(sc, reps, seed=1, workers=2)
    seconds = time.perf_counter() - start
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    voted = res.metric("voters_voted")
    print(
        f"kaltim-2024: {len(sc.tps):,} TPS in {regions} regions, {reps} replications "
        f"({reps * regions} region tasks) on 2 workers:"
    )
    print(f"  time                 {seconds:7.1f} s  ({seconds / reps:.1f} s per replication)")
    print(f"  peak memory          parent {parent_mb:.0f} MB, largest worker {worker_mb:.0f} MB")
    print(f"  voters who voted     {voted['mean']:,.0f} ± {voted['mean'] - voted['ci95_low']:,.0f}")
    print(f"  per region rows      {len(res.per_region)}")


def whole_province_day() -> None:
    """For comparison: one whole-province day in one fresh process (its own peak memory)."""
    code = (
        "import resource, time\n"
        "from planner.scenario.load import load_scenario\n"
        "from planner.sim.day import simulate_day\n"
        "from planner.sim.metrics import replication_result\n"
        f"sc = load_scenario({str(KALTIM)!r})\n"
        "start = time.perf_counter()\n"
        "replication_result(simulate_day(sc, 1, 0))\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss_kb = out.stdout.split()
    print(
        f"  for comparison, one whole-province day in one process: {float(seconds):.1f} s, "
        f"peak {int(rss_kb) / 1024:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--reps", type=int, default=100, help="Balikpapan replications.")
    parser.add_argument("--dask-reps", type=int, default=40, help="Replications on Dask.")
    parser.add_argument("--province-reps", type=int, default=20, help="Kaltim replications.")
    parser.add_argument("--skip-province", action="store_true", help="Skip the province.")
    parser.add_argument("--skip-workers", action="store_true", help="Skip 1 vs 2 workers.")
    parser.add_argument("--quick", action="store_true", help="10 / 6 / 2 replications.")
    args, _unknown = parser.parse_known_args(argv)
    if args.quick:
        args.reps, args.dask_reps, args.province_reps = 10, 6, 2
    print(load())
    if not args.skip_province:  # first, so the peak memory of workers is the province's
        province(args.province_reps)
        whole_province_day()
    per_rep = 0.55 if args.skip_workers else workers(args.reps)  # s, bench_sim's figure
    dask_overhead(args.dask_reps, per_rep)
    print(load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
