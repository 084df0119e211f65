"""Counting at each TPS: from the last voter's departure to the signed results.

Counting starts at ``max(close, last voter leaves)``. The ballot papers
(``ballots × voters who voted``) take ``seconds_per_ballot`` each for a full, fully alert
team; the team's speed at time t is ``min(1, max(1, on duty) / kpps_per_tps) / m(t)`` where
``m = 1 + slowdown_per_point × mean deficit`` of the counting team, so the paper count ends
when the speed integrates to the full-team minutes. Tally errors then arrive as a Poisson
count with mean ``errors_per_1000_ballots × papers / 1000 × (1 + error_per_point × mean
deficit during the count)``; each costs a recount. Recounts and the administration (forms,
copies, Sirekap upload, sealing; a fixed part plus a part per ballot type) take their
drawn minutes times the fatigue multiplier at
the end of the paper count.

Counting pauses from incidents are clock intervals per TPS; counting progress stops during a
pause (`through_pauses`). A pause delays the paper count and the finish only by the part of
it that falls inside the TPS's counting period — from counting start to the finish, the
finish extended by earlier pauses; a pause that begins after the TPS has finished does
nothing. The team's speed and fatigue over the count are those of the unpaused schedule
(the work is shifted later in time, its cells are not re-evaluated; est.: pauses are short
next to the count, 5 to 90 min).

The error count uses a pre-drawn Poisson process (cumulative Exp(1) gaps): the count is the
number of points below the mean, so a lower mean never gives more errors on the same draws.
Draws come from the stream ``counting`` (one vector per quantity, in TPS order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.scenario.resolved import Scenario
from planner.sim.grid import FloatArray, IntArray, TimeGrid, accumulated, time_to_accumulate
from planner.streams import named_rng

MAX_ERRORS = 40
"""Error points pre-drawn per TPS (the expected count is far below one)."""

Interval = tuple[float, float]
"""A counting pause [start, end) in clock minutes."""


@dataclass(frozen=True)
class CountDraws:
    """Per-TPS counting draws."""

    seconds_per_ballot: FloatArray
    admin_min: FloatArray
    """Administration minutes at full alertness (fixed part + per ballot type)."""
    error_points: FloatArray
    """(tps, MAX_ERRORS) cumulative Exp(1) gaps: a unit-rate Poisson process."""
    recount_min: FloatArray
    """(tps, MAX_ERRORS) duration of each recount."""


def draw_counting(scenario: Scenario, seed: int, replication: int) -> CountDraws:
    """Draw every TPS's counting quantities for one replication."""
    c = scenario.spec.counting
    n = len(scenario.tps)
    rng = named_rng(seed, replication, "counting")
    sec = np.maximum(c.seconds_per_ballot.sample(rng, n), 0.0)
    admin = np.maximum(c.admin_min.sample(rng, n), 0.0) + (
        c.admin_min_per_ballot_type * scenario.spec.election.ballots
    )
    points = np.cumsum(rng.exponential(1.0, (n, MAX_ERRORS)), axis=1)
    recount = np.maximum(c.recount_min.sample(rng, (n, MAX_ERRORS)), 0.0)
    return CountDraws(sec, admin, points, recount)


@dataclass(frozen=True)
class CountResult:
    """Per-TPS counting outcome (clock minutes)."""

    start_min: FloatArray
    papers_done_min: FloatArray
    finish_min: FloatArray
    papers: IntArray
    errors: IntArray
    recount_min: FloatArray
    admin_min: FloatArray


def full_team_minutes(papers: IntArray, draws: CountDraws) -> FloatArray:
    """Minutes a full, fully alert team needs for the papers."""
    return np.asarray(papers * draws.seconds_per_ballot / 60.0, dtype=np.float64)


def count_tps(
    scenario: Scenario,
    grid: TimeGrid,
    draws: CountDraws,
    start_min: FloatArray,
    papers: IntArray,
    on_duty: FloatArray,
    mean_deficit: FloatArray,
    pauses: Sequence[Sequence[Interval]],
) -> CountResult:
    """Counting at every TPS.

    `on_duty` and `mean_deficit` (tps, cells): the counting team's KPPS on duty and their mean
    alertness deficit at each cell; `pauses`: per TPS, the counting-pause intervals from
    incidents (any order, may overlap), applied by `through_pauses`.
    """
    spec = scenario.spec
    fat = spec.staff.fatigue
    c = spec.counting
    slow = fat.slowdown_per_point if (fat.enabled and c.fatigue_applies) else 0.0
    multiplier = 1.0 + slow * mean_deficit
    # at least one person counts: with the whole team gone the PPS would send someone
    speed = np.clip(on_duty, 1.0, spec.staff.kpps_per_tps) / spec.staff.kpps_per_tps / multiplier
    work = full_team_minutes(papers, draws)
    done = time_to_accumulate(speed, grid, start_min, work)
    span = done - start_min
    deficit_time = accumulated(mean_deficit, grid, start_min, done)
    rows = np.arange(len(start_min))
    cell_at_start = grid.cell_of(start_min)
    mean_def = np.where(
        span > 0, deficit_time / np.where(span > 0, span, 1.0), mean_deficit[rows, cell_at_start]
    )
    err_factor = fat.error_per_point if (fat.enabled and c.fatigue_applies) else 0.0
    expected_errors = c.errors_per_1000_ballots * papers / 1000.0 * (1.0 + err_factor * mean_def)
    errors = (draws.error_points <= expected_errors[:, None]).sum(axis=1)
    recount_cum = np.concatenate(
        [np.zeros((len(start_min), 1)), np.cumsum(draws.recount_min, axis=1)], axis=1
    )
    recount = recount_cum[rows, errors]
    m_end = multiplier[rows, grid.cell_of(np.where(np.isfinite(done), done, start_min))]
    recount_t = recount * m_end
    admin_t = draws.admin_min * m_end
    finish = done + recount_t + admin_t
    done, finish = done.copy(), finish.copy()
    for i in [i for i, p in enumerate(pauses) if len(p)]:
        s0 = float(start_min[i])
        done[i] = through_pauses(s0, float(done[i]) - s0, pauses[i])
        finish[i] = through_pauses(s0, float(finish[i]) - s0, pauses[i])
    return CountResult(
        start_min=start_min,
        papers_done_min=done,
        finish_min=finish,
        papers=papers,
        errors=errors.astype(np.int64),
        recount_min=recount_t,
        admin_min=admin_t,
    )


def through_pauses(start_min: float, active_min: float, pauses: Sequence[Interval]) -> float:
    """Clock minute when `active_min` minutes of counting work begun at `start_min` are done,
    progress standing still during each pause.

    A pause delays the end by the part of it inside the counting period as extended by the
    earlier pauses: one that ended before `start_min` or begins at or after the (extended)
    end does nothing; one under way at `start_min` holds the start until it ends. Pauses may
    come in any order and overlap. Infinite work stays infinite.
    """
    t = start_min
    left = active_min
    for s, e in sorted(pauses):
        if e <= t:
            continue
        if s >= t + left:
            break
        left -= max(s - t, 0.0)
        t = e
    return t + left
