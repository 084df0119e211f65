"""Re-run one replication of a simulate run folder for the report's time series.

Kept apart from `trace` so the report layer depends on the simulation in one place only.
The day is simulated with `planner.demo.day.simulate_demo_day` (no injects), which is
`planner.sim.day.simulate_day` with logistics, incidents and dispatch, from the run's
resolved scenario, plan (plan.csv if the run used one) and seed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from planner.report.runs import CsvTable, RunData, load_run_scenario
from planner.report.trace import DayTrace, chosen_tps

REPLICATION = 0
"""The replication re-run (the first; every replication is equally representative)."""


def trace_run_day(run: RunData, worst: list[str], median: str) -> tuple[DayTrace | None, str]:
    """The day trace of one replication for the chosen TPS, or (None, why not)."""
    try:
        from planner.demo.day import simulate_demo_day
        from planner.scenario.plan import read_plan

        scenario = load_run_scenario(run)
        plan_path = run.file("plan.csv")
        if not plan_path.is_file() and run.manifest.get("plan"):
            plan_path = Path(str(run.manifest["plan"]))  # simulate --plan FILE
        plan = read_plan(plan_path, scenario) if plan_path.is_file() else None
        rows = [scenario.tps.index_of(t) for t in [*worst, median] if t in scenario.tps.tps_id]
        if not rows:
            return None, "the chosen TPS are not in the run's scenario"
        seed = int(run.manifest.get("seed", scenario.seed))
        day = simulate_demo_day(
            scenario,
            seed,
            [],
            "tps",
            worst[0],
            replication=REPLICATION,
            plan=plan,
            traced=rows,
        )
    except Exception as exc:  # the report still comes out, and says why this part is missing
        return None, f"{type(exc).__name__}: {exc}"
    story = day.story
    queue = {
        t.tps_id: (np.asarray(t.queue_times), np.asarray(t.queue_lengths, dtype=float))
        for t in story.tps
        if t.queue_times
    }
    ordered = {k: queue[k] for k in [*worst, median] if k in queue}
    fatigue = {w.worker: (np.asarray(w.times_min), np.asarray(w.fatigue)) for w in story.workers}
    responses = [
        (i.agency or i.unit, i.arrival_min - i.time_min)
        for i in story.incidents
        if i.unit and math.isfinite(i.arrival_min)
    ]
    health = [
        (w.health_event_min, w.tps_id, w.health_event)
        for w in story.workers
        if math.isfinite(w.health_event_min)
    ]
    trace = DayTrace(
        replication=REPLICATION,
        seed=seed,
        worst_tps=story.workers[0].tps_id if story.workers else worst[0],
        median_tps=median,
        queue=ordered,
        fatigue=fatigue,
        voter_waits=day.voter_waits,
        incidents=[(i.time_min, i.type) for i in story.incidents],
        responses=responses,
        health_events=health,
        story=story,
    )
    return trace, ""


def load_day_trace(run: RunData, per_tps: CsvTable | None) -> tuple[DayTrace | None, str]:
    """Re-run one replication for the chosen TPS; (None, why) when that is not possible."""
    worst, median = chosen_tps(per_tps)
    if not worst:
        return None, "per_tps.csv with tps_id and wait_mean_min is missing"
    return trace_run_day(run, worst, median)
