"""KPPS through polling day: who they are, how tired they get, who falls ill, who is on duty.

Per TPS a team of ``kpps_per_tps + reserve_workers`` arrives at ``day.staff_arrive`` and works
until counting ends (with a split counting shift, a fresh team takes over counting). For
every worker and every grid cell the model computes alertness (`planner.sim.fatigue`), the
deficit below full alertness, and the health hazard

    h = base × exp(β_f · deficit + β_a · (age − 40)/10) × HR^comorbid   (per hour on duty).

A worker falls ill when the cumulative hazard first reaches their pre-drawn Exp(1) threshold
(inverse-transform sampling of the event time); the event is severe with a probability that
rises with age and comorbidity. An ill worker leaves; a replacement arrives after the
replacement delay (replacements are treated as healthy and do not enter the fatigue mean).

The day is computed in two passes because counting starts only when the last voter leaves:
the voting pass (before the voter engines; workload = voters who have come) fixes every
event before counting starts; the counting pass continues each worker's cumulative hazard
from that moment with the counting workload (ballots counted) added.

Draws come from the streams ``staff/team`` (one per worker slot, so adding a reserve worker
leaves the others' draws unchanged) and ``staff/counting_team``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.resolved import Scenario
from planner.scenario.sections.staff import Health
from planner.sim import fatigue as tpm
from planner.sim.grid import FloatArray, TimeGrid, accumulated, time_to_accumulate
from planner.streams import named_rng

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

AGE_CANDIDATES = 8
"""Candidates drawn per worker for the age cap: the first at or under the cap is recruited."""


@dataclass(frozen=True)
class TeamDraws:
    """Attributes of one team's workers, shape (tps, workers)."""

    age_years: FloatArray
    comorbid: BoolArray
    sleep_h: FloatArray
    awake_h: FloatArray
    ill_threshold: FloatArray
    """Exp(1): the worker falls ill when the cumulative hazard reaches it."""
    severe_u: FloatArray
    replacement_min: FloatArray
    """Delay before a replacement arrives (inf: none)."""

    @property
    def size(self) -> int:
        """Workers per TPS."""
        return int(self.age_years.shape[1])


def draw_team(scenario: Scenario, seed: int, replication: int, stream: str, size: int) -> TeamDraws:
    """Draw `size` workers for every TPS, one named stream per worker slot."""
    staff = scenario.spec.staff
    pol = staff.policies
    n = len(scenario.tps)
    share = pol.screened_comorbidity_share if pol.screening else staff.health.comorbidity_share
    cols: dict[str, list[Any]] = {k: [] for k in TeamDraws.__dataclass_fields__}
    for slot in range(size):
        rng = named_rng(seed, replication, stream, slot)
        ages = staff.age_years.sample(rng, (n, AGE_CANDIDATES))
        if pol.age_cap_years is None:
            age = ages[:, 0]
        else:
            ok = ages <= pol.age_cap_years
            first = ok.argmax(axis=1)
            age = np.where(ok.any(axis=1), ages[np.arange(n), first], float(pol.age_cap_years))
        cols["age_years"].append(age)
        by_age = share * np.exp(staff.health.comorbidity_age_per_decade * (age - 40.0) / 10.0)
        cols["comorbid"].append(rng.random(n) < np.minimum(by_age, 1.0))
        cols["sleep_h"].append(np.maximum(staff.sleep_before_h.sample(rng, n), 0.0))
        cols["awake_h"].append(np.maximum(staff.awake_before_arrival_h.sample(rng, n), 0.0))
        cols["ill_threshold"].append(rng.exponential(1.0, n))
        cols["severe_u"].append(rng.random(n))
        delay = pol.replacement_delay_min
        cols["replacement_min"].append(
            np.full(n, np.inf) if delay is None else np.maximum(delay.sample(rng, n), 0.0)
        )
    stacked = {k: np.stack(v, axis=1) for k, v in cols.items()}
    return TeamDraws(
        age_years=stacked["age_years"],
        comorbid=stacked["comorbid"].astype(bool),
        sleep_h=stacked["sleep_h"],
        awake_h=stacked["awake_h"],
        ill_threshold=stacked["ill_threshold"],
        severe_u=stacked["severe_u"],
        replacement_min=stacked["replacement_min"],
    )


def hazard_scale_per_min(team: TeamDraws, health: Health) -> FloatArray:
    """Per worker: the hazard per minute at zero fatigue deficit."""
    base = health.base_ill_per_100k_h / 1e5 / 60.0
    age = np.exp(health.age_hazard_per_decade * (team.age_years - 40.0) / 10.0)
    comorbid = np.where(team.comorbid, health.comorbidity_hazard_ratio, 1.0)
    return np.asarray(base * age * comorbid, dtype=np.float64)


def severe_probability(team: TeamDraws, health: Health) -> FloatArray:
    """Per worker: the chance that a health event is severe (death or critical)."""
    age = np.exp(health.severe_age_per_decade * (team.age_years - 40.0) / 10.0)
    comorbid = np.where(team.comorbid, health.severe_comorbidity_ratio, 1.0)
    return np.asarray(np.minimum(health.severe_share * age * comorbid, 1.0), dtype=np.float64)


@dataclass(frozen=True)
class TeamCurves:
    """One team's fatigue through the day on the grid."""

    raw_deficit: FloatArray
    """(tps, workers, cells) alertness_full − alertness, before the floor at 0."""
    on_break: BoolArray
    """(tps or 1, workers, cells): 1 when every TPS's team started at the same time."""
    duty_start_min: FloatArray
    """(tps,) when the team started work."""

    def deficit(self, extra_load: FloatArray | None = None) -> FloatArray:
        """(tps, workers, cells) deficit ≥ 0, optionally with extra workload points (tps, cells)."""
        raw = self.raw_deficit if extra_load is None else self.raw_deficit + extra_load[:, None, :]
        return np.maximum(raw, 0.0)


def team_curves(
    scenario: Scenario,
    grid: TimeGrid,
    team: TeamDraws,
    duty_start_min: FloatArray,
    wake_min: FloatArray,
    s_wake: FloatArray,
    load: FloatArray,
) -> TeamCurves:
    """Alertness deficit of every worker in every cell.

    `wake_min` and `s_wake` (tps, workers): when each woke on polling day and S then; `load`
    (tps, cells): workload points at each cell.
    """
    staff = scenario.spec.staff
    p = staff.fatigue
    pol = staff.policies
    mids = grid.mids
    n_tps, size = team.age_years.shape
    # time on task and breaks depend only on the duty start: once per worker when it is
    # the same at every TPS (the voting team), else per TPS
    common = bool(np.all(duty_start_min == duty_start_min[0])) if n_tps else True
    starts = duty_start_min[:1] if common else duty_start_min
    rows = len(starts)
    tot = np.empty((rows, size, grid.cells))
    on_break = np.empty((rows, size, grid.cells), dtype=bool)
    for w in range(size):
        t, b = tpm.time_on_task_h(
            mids[None, :], starts[:, None], w, size, pol.break_every_min, pol.break_length_min
        )
        tot[:, w, :] = t
        on_break[:, w, :] = b
    if not p.enabled:
        raw = np.full((n_tps, size, grid.cells), -np.inf)
    else:
        # S = s_lower + (S_wake − s_lower)·exp(−d·(t − wake)) as an outer product
        d = p.s_decay_per_h / 60.0
        coef = (s_wake - p.s_lower) * np.exp(d * (wake_min - grid.start_min))
        decay = np.exp(-d * (mids - grid.start_min))
        fixed = (
            p.alertness_full
            - p.s_lower
            - tpm.circadian(mids, p)[None, None, :]
            + p.time_on_task_max * -np.expm1(-tot / p.time_on_task_tau_h)
        )
        raw = fixed - coef[:, :, None] * decay[None, None, :] + load[:, None, :]
    return TeamCurves(np.asarray(raw, dtype=np.float64), on_break, duty_start_min)


def voting_team_curves(
    scenario: Scenario, grid: TimeGrid, team: TeamDraws, arrived_by_cell: FloatArray
) -> TeamCurves:
    """The voting team's fatigue with the voting workload (voters who have come)."""
    day = scenario.spec.day
    p = scenario.spec.staff.fatigue
    n_tps = team.age_years.shape[0]
    wake = day.staff_arrive - team.awake_h * 60.0
    bed = wake - team.sleep_h * 60.0
    s_wake = tpm.wake_s(float(p.previous_wake), bed, team.sleep_h, p)
    load = p.load_per_100_voters * arrived_by_cell / 100.0
    duty = np.full(n_tps, float(day.staff_arrive))
    return team_curves(scenario, grid, team, duty, wake, s_wake, load)


def fresh_team_curves(
    scenario: Scenario,
    grid: TimeGrid,
    team: TeamDraws,
    duty_start_min: FloatArray,
    ballot_load: FloatArray,
) -> TeamCurves:
    """A counting team that slept a normal night, woke at ``split_shift_wake``."""
    p = scenario.spec.staff.fatigue
    wake = np.full(team.age_years.shape, float(scenario.spec.staff.policies.split_shift_wake))
    s_wake = np.full(team.age_years.shape, tpm.s_rested_wake(p))
    return team_curves(scenario, grid, team, duty_start_min, wake, s_wake, ballot_load)


def hazard_per_min(
    curves: TeamCurves, team: TeamDraws, health: Health, extra: FloatArray | None = None
) -> FloatArray:
    """(tps, workers, cells) health hazard per minute."""
    scale = hazard_scale_per_min(team, health)
    return np.asarray(
        scale[:, :, None] * np.exp(health.fatigue_hazard_per_point * curves.deficit(extra)),
        dtype=np.float64,
    )


def _flat(a: FloatArray) -> FloatArray:
    return a.reshape(-1, a.shape[-1])


def first_event_min(
    hazard: FloatArray, grid: TimeGrid, start_min: FloatArray, threshold: FloatArray
) -> FloatArray:
    """(tps, workers) when the cumulative hazard from `start_min` (tps,) reaches `threshold`."""
    n_tps, size, _ = hazard.shape
    t0 = np.repeat(start_min, size)
    out = time_to_accumulate(_flat(hazard), grid, t0, threshold.reshape(-1))
    return out.reshape(n_tps, size)


def cumulative_hazard(
    hazard: FloatArray, grid: TimeGrid, t_from: FloatArray, t_to: FloatArray
) -> FloatArray:
    """(tps, workers) ∫ hazard from `t_from` to `t_to` (both (tps,))."""
    n_tps, size, _ = hazard.shape
    out = accumulated(_flat(hazard), grid, np.repeat(t_from, size), np.repeat(t_to, size))
    return out.reshape(n_tps, size)


def present(ill_min: FloatArray, grid: TimeGrid, curves: TeamCurves) -> BoolArray:
    """(tps, workers, cells) the worker is at the TPS and not on break at the cell's middle."""
    mids = grid.mids
    there = ill_min[:, :, None] > mids[None, None, :]
    started = curves.duty_start_min[:, None, None] <= mids[None, None, :]
    return np.asarray(there & started & ~curves.on_break, dtype=bool)


def mean_deficit(deficit: FloatArray, working: BoolArray) -> FloatArray:
    """(tps, cells) mean deficit of the workers present (0 when nobody is)."""
    n = working.sum(axis=1)
    total = np.where(working, deficit, 0.0).sum(axis=1)
    return np.asarray(np.where(n > 0, total / np.maximum(n, 1), 0.0), dtype=np.float64)


def replaced(
    ill_min: FloatArray, team: TeamDraws, grid: TimeGrid, curves: TeamCurves
) -> FloatArray:
    """(tps, cells) replacement workers on duty at each cell's middle: arrived, and not on
    their slot's break (a replacement takes over the slot's rotation; `duty_changes`)."""
    back = ill_min + team.replacement_min
    there = (back[:, :, None] <= grid.mids[None, None, :]) & ~curves.on_break
    return np.asarray(there.sum(axis=1), dtype=np.float64)


def duty_changes(
    scenario: Scenario,
    team: TeamDraws,
    ill_min: FloatArray,
    until_min: float,
    extra: list[list[tuple[float, int]]] | None = None,
) -> tuple[FloatArray, np.ndarray[Any, np.dtype[np.int64]]]:
    """Changes of the voting team's KPPS on duty: (tps, m) times and ±1 sizes, +inf padded.

    Breaks (the rotation from staff arrival), illness (−1) and replacement arrivals (+1),
    plus `extra` per-TPS (time, change) pairs from other parts of the model.

    A worker slot counts as on duty when it is filled (not between its worker's illness and
    the replacement's arrival) and not on the slot's break. So a break only takes someone
    off duty while the slot is filled: an ill worker's later breaks change nothing, a
    worker falling ill on a break leaves no one to come back, and a replacement arriving
    during the slot's break starts work at the break's end (the rule in docs/model.md;
    `planner.sim.staff_reference` runs it as SimPy processes).
    """
    pol = scenario.spec.staff.policies
    day = scenario.spec.day
    n_tps, size = ill_min.shape
    # events after `until_min` cannot matter to voters (the cumulative hazard runs on past
    # the day, so every worker has some far-off first event)
    back = ill_min + team.replacement_min
    ill_t = np.where(ill_min < until_min, ill_min, np.inf)
    back_t = np.where(np.isfinite(ill_t) & (back < until_min), back, np.inf)
    brk_t: list[FloatArray] = []
    brk_d: list[FloatArray] = []
    for w in range(size):
        v0, v1 = ill_t[:, w], back_t[:, w]
        for s, e in tpm.break_intervals(
            float(day.staff_arrive), until_min, w, size, pol.break_every_min, pol.break_length_min
        ):
            # the break's parts while the slot is filled: before the vacancy, after it
            for lo, hi in (
                (np.full(n_tps, s), np.minimum(e, v0)),
                (np.maximum(s, v1), np.full(n_tps, e)),
            ):
                real = lo < hi
                brk_t += [np.where(real, lo, np.inf), np.where(real, hi, np.inf)]
                brk_d += [np.where(real, -1.0, 0.0), np.where(real, 1.0, 0.0)]
    common_t = np.stack(brk_t, axis=1) if brk_t else np.zeros((n_tps, 0))
    common_d = np.stack(brk_d, axis=1).astype(np.int64) if brk_d else np.zeros((n_tps, 0), np.int64)
    extra_w = max((len(x) for x in extra), default=0) if extra else 0
    ext_t = np.full((n_tps, extra_w), np.inf)
    ext_d = np.zeros((n_tps, extra_w), dtype=np.int64)
    if extra:
        for i, changes in enumerate(extra):
            for q, (t, d) in enumerate(changes):
                ext_t[i, q] = t
                ext_d[i, q] = d
    times = np.concatenate(
        [
            common_t,
            ill_t,
            back_t,
            ext_t,
        ],
        axis=1,
    )
    deltas = np.concatenate(
        [
            common_d,
            np.where(np.isfinite(ill_t), -1, 0),
            np.where(np.isfinite(back_t), 1, 0),
            ext_d,
        ],
        axis=1,
    )
    return times, deltas.astype(np.int64)
