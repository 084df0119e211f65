"""The voting team on duty as SimPy processes — the reference for `staff.duty_changes`.

Per TPS, one SimPy environment with, for every worker slot,

* a rotation process: the slot's breaks (`planner.sim.fatigue.break_intervals`, from staff
  arrival), taking the slot's worker off duty for each break;
* a health process: at the worker's pre-computed health-event time (the first passage of
  the grid cumulative hazard, `staff.first_event_min`, the same numbers the array code
  uses) the worker leaves; the replacement arrives after the slot's drawn replacement delay;

plus one process for other parts of the model's changes (staff taken away by incidents).

The rule (docs/model.md): a slot is on duty when it is filled and not on its break. A break
only takes someone off duty while the slot is filled; a worker falling ill on a break
leaves no one to come back; a replacement arriving during the slot's break starts at the
break's end. Events at or after `until_min` are not simulated (as in the array code).

The result is the on-duty step timeline per TPS, ``[(time, KPPS on duty from then), …]``,
one entry per time at which the count changes — `on_duty_steps` gives the same from the
array code's change arrays, so the two are compared directly.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy
from simpy.events import EventPriority

from planner.scenario.resolved import Scenario
from planner.sim import fatigue as tpm
from planner.sim.grid import FloatArray, TimeGrid
from planner.sim.staff import TeamDraws

Proc = Generator[simpy.Event, Any, None]
Timeline = list[tuple[float, int]]


class _Team:
    """One TPS's team: slot states and the on-duty count's log."""

    def __init__(self, env: simpy.Environment, size: int) -> None:
        self.env = env
        self.on_duty = size
        self.filled = [True] * size
        self.on_break = [False] * size
        self.log: list[tuple[float, int]] = []

    def change(self, delta: int) -> None:
        self.on_duty += delta
        self.log.append((float(self.env.now), self.on_duty))

    def rotation(self, w: int, breaks: list[tuple[float, float]]) -> Proc:
        """Slot `w` goes on break and comes back at its rotation's times."""
        env = self.env
        edges = [(env.timeout(s), env.timeout(e)) for s, e in breaks]  # absolute: now is 0
        for start, end in edges:
            yield start
            self.on_break[w] = True
            if self.filled[w]:
                self.change(-1)
            yield end
            self.on_break[w] = False
            if self.filled[w]:
                self.change(+1)

    def health(self, w: int, ill_min: float, delay_min: float, until_min: float) -> Proc:
        """Slot `w`'s worker falls ill and leaves; the replacement comes after its delay."""
        env = self.env
        yield env.timeout(ill_min)
        self.filled[w] = False
        if not self.on_break[w]:
            self.change(-1)
        if env.now + delay_min >= until_min:
            return
        yield env.timeout(delay_min)
        self.filled[w] = True
        if not self.on_break[w]:
            self.change(+1)

    def others(self, changes: list[tuple[float, int]]) -> Proc:
        """Changes from other parts of the model at their clock times."""
        env = self.env
        for t, d in sorted(changes, key=lambda c: c[0]):
            yield env.timeout(t - env.now)
            self.change(d)


def collapse(log: list[tuple[float, int]], team: int) -> Timeline:
    """The count after all changes at each time, keeping only times it differs."""
    out: Timeline = []
    last = team
    for k, (t, n) in enumerate(log):
        if k + 1 < len(log) and log[k + 1][0] == t:
            continue
        if n != last:
            out.append((t, n))
            last = n
    return out


def simulate_on_duty(
    scenario: Scenario,
    team: TeamDraws,
    ill_min: FloatArray,
    until_min: float,
    extra: list[list[tuple[float, int]]] | None = None,
) -> list[Timeline]:
    """Per TPS, the voting team's on-duty step timeline, run as SimPy processes."""
    pol = scenario.spec.staff.policies
    arrive = float(scenario.spec.day.staff_arrive)
    n_tps, size = ill_min.shape
    breaks = [
        tpm.break_intervals(arrive, until_min, w, size, pol.break_every_min, pol.break_length_min)
        for w in range(size)
    ]
    out: list[Timeline] = []
    for i in range(n_tps):
        env = simpy.Environment(initial_time=0.0)
        crew = _Team(env, size)
        for w in range(size):
            env.process(crew.rotation(w, breaks[w]))
            if ill_min[i, w] < until_min:
                env.process(
                    crew.health(
                        w, float(ill_min[i, w]), float(team.replacement_min[i, w]), until_min
                    )
                )
        if extra and extra[i]:
            env.process(crew.others(extra[i]))
        env.run()
        out.append(collapse(sorted(crew.log, key=lambda x: x[0]), size))
    return out


def on_duty_steps(
    change_min: FloatArray, change: np.ndarray[Any, np.dtype[np.int64]], team: int
) -> list[Timeline]:
    """The same timeline from the array code's (tps, m) change times and sizes."""
    out: list[Timeline] = []
    for t_row, d_row in zip(change_min, change, strict=True):
        order = np.argsort(t_row, kind="stable")
        t = t_row[order]
        n = team + np.cumsum(d_row[order])
        log = [(float(a), int(b)) for a, b in zip(t, n, strict=True) if np.isfinite(a)]
        out.append(collapse(log, team))
    return out


def timeline_changes(
    timelines: list[Timeline], team: int
) -> tuple[FloatArray, np.ndarray[Any, np.dtype[np.int64]]]:
    """(tps, m) change times and sizes (+inf, 0 padded) for `slots.staffing_blocks`."""
    width = max((len(x) for x in timelines), default=0)
    times = np.full((len(timelines), width), np.inf)
    deltas = np.zeros((len(timelines), width), dtype=np.int64)
    for i, steps in enumerate(timelines):
        last = team
        for q, (t, n) in enumerate(steps):
            times[i, q] = t
            deltas[i, q] = n - last
            last = n
    return times, deltas


SAMPLE = 2
"""SimPy priority of the per-cell samples: after every change at the same instant (NORMAL)."""


class _Sample(simpy.Event):
    """A timeout at priority `SAMPLE` (as `simpy.Timeout` builds itself, but lower priority)."""

    def __init__(
        self, env: simpy.Environment, delay: float, crew: _Team, row: FloatArray, cell: int
    ) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        self.crew, self.row, self.cell = crew, row, cell
        self.callbacks.append(self.record)
        env.schedule(self, EventPriority(SAMPLE), delay)

    def record(self, _event: simpy.Event) -> None:
        """Write the count on duty now into the TPS's row."""
        self.row[self.cell] = self.crew.on_duty


def on_duty_by_cell(
    scenario: Scenario,
    grid: TimeGrid,
    team: TeamDraws,
    ill_min: FloatArray,
    duty_start_min: FloatArray,
) -> FloatArray:
    """(tps, cells) KPPS on duty at each cell's middle, run as SimPy processes.

    The counting phase's staffing (`day.counting_phase`: workers present plus replacements,
    `staff.present` + `staff.replaced`): the team starts at `duty_start_min` (tps,), rotates
    its breaks from then, loses each worker at `ill_min` (inf: never) and gains the
    replacement after its delay; a sampling event at every cell middle reads the count after
    all changes at that instant.
    """
    pol = scenario.spec.staff.policies
    n_tps, size = ill_min.shape
    mids = grid.mids
    out = np.zeros((n_tps, grid.cells))
    for i in range(n_tps):
        env = simpy.Environment(initial_time=0.0)
        crew = _Team(env, size)
        crew.on_duty = 0
        start = float(duty_start_min[i])

        def arrive(crew: _Team = crew, start: float = start) -> Proc:
            yield crew.env.timeout(start)
            crew.change(size)

        env.process(arrive())
        for w in range(size):
            breaks = tpm.break_intervals(
                start, grid.end_min, w, size, pol.break_every_min, pol.break_length_min
            )
            env.process(crew.rotation(w, breaks))
            if np.isfinite(ill_min[i, w]):
                env.process(
                    crew.health(w, float(ill_min[i, w]), float(team.replacement_min[i, w]), np.inf)
                )
        for g, m in enumerate(mids.tolist()):
            _Sample(env, m, crew, out[i], g)
        env.run()
    return out
