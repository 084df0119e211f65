"""Benchmark: incidents, responders and logistics against the simulation core alone.

One Balikpapan replication (996 TPS) with everything on, against the same day with
`incidents.enabled` and `logistics.enabled` off (the simulation core alone), plus the time of
the incident and logistics modules by themselves. Target (issue 4): everything on costs at
most about +50% of the core's time. Then the day with deterrence, detection and
displacement (`incidents.deterrence`, issue 12) against the same day with it off. Target
(issue 12): at most +15% per replication.

Run: ``.venv/bin/python benchmarks/bench_incidents.py [--reps N]`` (also called by
``make bench`` when `benchmarks/run.py` includes it). Not a test: it only reports.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from planner.scenario.load import load_scenario
from planner.scenario.plan import default_plan
from planner.sim.day import simulate_day
from planner.sim.incidents import draw_incidents
from planner.sim.logistics import return_results, simulate_logistics
from planner.sim.response import build_responders, respond_medical, simulate_response

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "balikpapan-2024.yaml"
OFF = ("incidents.enabled=false", "logistics.enabled=false")
NO_DETERRENCE = ("incidents.deterrence.enabled=false",)


def _seconds(run: Callable[[int], Any], rep: int) -> float:
    start = time.perf_counter()
    run(rep)
    return time.perf_counter() - start


def run(reps: int = 5, seed: int = 1) -> dict[str, float]:
    """Median seconds per replication: core alone, everything on, and the modules alone.

    The core and the full day run alternately on the same replications, so a busy machine
    slows both alike; the overhead is the median of the paired ratios.
    """
    on = load_scenario(SCENARIO)
    off = load_scenario(SCENARIO, OFF)
    plan = default_plan(on)
    units = build_responders(on, plan)

    def core(rep: int) -> None:
        simulate_day(off, seed, rep, plan=plan)

    def full(rep: int) -> None:
        simulate_day(on, seed, rep, plan=plan)

    def modules(rep: int) -> None:
        simulate_logistics(on, seed, rep)
        draws = draw_incidents(on, seed, rep)
        simulate_response(on, plan, draws, seed, rep, responders=units)
        respond_medical(on, draws.tps[:0], draws.time_min[:0], draws.scripted[:0], seed, rep)
        return_results(on, np.full(len(on.tps), 20 * 60.0), seed, rep)

    for warm in (core, full, modules):
        warm(0)  # imports, caches
    undeterred = load_scenario(SCENARIO, NO_DETERRENCE)

    def without_deterrence(rep: int) -> None:
        simulate_day(undeterred, seed, rep, plan=plan)

    without_deterrence(0)
    core_s, full_s, modules_s, ratios, plain_s, deterrence_ratios = [], [], [], [], [], []
    for rep in range(1, reps + 1):
        core_s.append(_seconds(core, rep))
        full_s.append(_seconds(full, rep))
        modules_s.append(_seconds(modules, rep))
        plain_s.append(_seconds(without_deterrence, rep))
        ratios.append(full_s[-1] / core_s[-1])
        deterrence_ratios.append(full_s[-1] / plain_s[-1])
    return {
        "no_deterrence_s": statistics.median(plain_s),
        "deterrence_share": statistics.median(deterrence_ratios) - 1.0,
        "tps": float(len(on.tps)),
        "core_s": statistics.median(core_s),
        "all_on_s": statistics.median(full_s),
        "modules_s": statistics.median(modules_s),
        "overhead_share": statistics.median(ratios) - 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="timed replications (median)")
    args, _ = parser.parse_known_args()  # options meant for other benchmarks are ignored
    r = run(args.reps)
    print(f"incidents + logistics, Balikpapan ({int(r['tps'])} TPS), one replication:")
    print(f"  simulation core alone            {r['core_s']:8.3f} s")
    print(f"  everything on                    {r['all_on_s']:8.3f} s")
    print(f"  incident/logistics modules alone {r['modules_s']:8.3f} s")
    target = "within" if r["overhead_share"] <= 0.5 else "OVER"
    print(f"  overhead {r['overhead_share']:+.1%} of the core ({target} the +50% target)")
    print(f"  everything on, deterrence off    {r['no_deterrence_s']:8.3f} s")
    target = "within" if r["deterrence_share"] <= 0.15 else "OVER"
    print(f"  deterrence costs {r['deterrence_share']:+.1%} ({target} the +15% target)")


if __name__ == "__main__":
    main()
