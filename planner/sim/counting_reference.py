"""Counting at each TPS as a SimPy process — the reference for `counting.count_tps`.

One process per TPS (the rules in `planner.sim.counting`): it starts when voting has closed
and the last voter has left, counts the ballot papers cell by cell of the day's grid at the
counting team's speed in that cell (KPPS on duty over the full team, divided by the
fatigue multiplier — the grid's piecewise-constant rate, so both engines integrate the same
function), then counts the tally errors from the pre-drawn Poisson points with the mean
deficit over the paper count, recounts each error, and does the administration (both at
the fatigue multiplier of the cell where the paper count ended). Every step of work stands
still during the TPS's incident pauses (`_work`: wait out a pause under way, work up to the
next pause, wait it out, ...), so a pause that begins after the finish does nothing; the
speed and fatigue cells follow the unpaused schedule (`active`), as in `counting.count_tps`.
The draws are `counting.draw_counting`'s; nothing is drawn here.

Agreement with the array code is to rounding (sums taken cell by cell instead of by a
cumulative sum), well inside 1e-9 minutes.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from planner.scenario.resolved import Scenario
from planner.sim.counting import CountDraws, CountResult, Interval, full_team_minutes
from planner.sim.grid import FloatArray, IntArray, TimeGrid

Proc = Generator[simpy.Event, Any, None]


def count_reference(
    scenario: Scenario,
    grid: TimeGrid,
    draws: CountDraws,
    start_min: FloatArray,
    papers: IntArray,
    on_duty: FloatArray,
    mean_deficit: FloatArray,
    pauses: Sequence[Sequence[Interval]],
) -> CountResult:
    """`count_tps` with one SimPy process per TPS (same arguments, same result)."""
    spec = scenario.spec
    fat = spec.staff.fatigue
    c = spec.counting
    k = spec.staff.kpps_per_tps
    on = fat.enabled and c.fatigue_applies
    slow = fat.slowdown_per_point if on else 0.0
    err_factor = fat.error_per_point if on else 0.0
    work = full_team_minutes(papers, draws)
    n = len(start_min)
    out = {key: np.zeros(n) for key in ("done", "finish", "recount", "admin")}
    errors = np.zeros(n, dtype=np.int64)
    env = simpy.Environment(initial_time=0.0)

    def cell_end(g: int) -> float:
        return float("inf") if g >= grid.cells - 1 else grid.start_min + grid.step_min * (g + 1)

    def count(i: int) -> Proc:
        yield env.timeout(float(start_min[i]))
        multiplier = 1.0 + slow * mean_deficit[i]
        speed = np.clip(on_duty[i], 1.0, k) / k / multiplier
        left = float(work[i])
        deficit_time = 0.0
        paused = sorted(pauses[i])
        active = float(start_min[i])  # clock of the unpaused schedule: speed and fatigue
        while left > 0:
            g = grid.cell_of_scalar(active)
            rate = float(speed[g])
            room = cell_end(g) - active
            dt = left / rate if rate > 0 else float("inf")
            if dt > room:
                dt = room
            if not np.isfinite(dt):
                out["done"][i] = out["finish"][i] = np.inf
                return
            left -= rate * dt
            deficit_time += float(mean_deficit[i, g]) * dt
            yield from _work(env, dt, paused)
            active += dt
            if dt < room:
                break
        done = active
        out["done"][i] = env.now
        span = done - float(start_min[i])
        g0 = grid.cell_of_scalar(float(start_min[i]))
        mean_def = deficit_time / span if span > 0 else float(mean_deficit[i, g0])
        expected = c.errors_per_1000_ballots * papers[i] / 1000.0 * (1.0 + err_factor * mean_def)
        errors[i] = int((draws.error_points[i] <= expected).sum())
        m_end = float(multiplier[grid.cell_of_scalar(done)])
        recount = float(draws.recount_min[i, : errors[i]].sum()) * m_end
        admin = float(draws.admin_min[i]) * m_end
        out["recount"][i], out["admin"][i] = recount, admin
        yield from _work(env, recount, paused)  # recounts of the tally mismatches
        yield from _work(env, admin, paused)  # forms, copies, Sirekap upload, sealing
        out["finish"][i] = env.now

    for i in range(n):
        env.process(count(i))
    env.run()
    return CountResult(
        start_min=start_min,
        papers_done_min=out["done"],
        finish_min=out["finish"],
        papers=papers,
        errors=errors,
        recount_min=out["recount"],
        admin_min=out["admin"],
    )


def _work(env: simpy.Environment, work_min: float, pauses: list[Interval]) -> Proc:
    """`work_min` minutes of counting from now, standing still during the pauses (sorted by
    start; a pause that ended already, or begins after the work is done, is passed over)."""
    left = work_min
    for s, e in pauses:
        if e <= env.now:
            continue
        if s >= env.now + left:
            break
        if s > env.now:
            left -= s - env.now
            yield env.timeout(s - env.now)
        yield env.timeout(e - env.now)
    yield env.timeout(left)
