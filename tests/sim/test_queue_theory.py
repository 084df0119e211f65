"""Textbook mode against queueing theory: Erlang C mean waits, Little's law, arrival counts.

Tolerances come from standard errors: independent rows (TPS) give independent estimates, so
the standard error of their mean is sd / √rows, and a correct model lands within 4 SE of
theory (a 1-in-15,000 chance of a false alarm for a fixed seed, decided once).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from simcore_helpers import pilkada, textbook

from planner.scenario.load import load_scenario
from planner.sim.day import simulate_day
from planner.sim.grid import TimeGrid
from planner.sim.metrics import replication_result
from planner.sim.queue_batch import run_batch
from planner.sim.queueing import QueueInputs, StageSlots
from planner.sim.voters import arrival_segments, draw_voters

REPO = Path(__file__).resolve().parents[2]


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    rho = a / c
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) / (1 - rho)
    return tail / (head + tail) / (c * mu - lam)


def mmc_inputs(lam: float, mu: float, c: int, rows: int, customers: int, seed: int) -> QueueInputs:
    """Poisson arrivals and exponential services for `rows` independent M/M/c queues."""
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1 / lam, (rows, customers)), axis=1)
    service = rng.exponential(1 / mu, (1, rows, customers))
    none = np.full((c, rows, 1), np.inf)
    grid = TimeGrid(0.0, 1e9, 1)
    return QueueInputs(
        arrival_min=arrival,
        patience_min=np.full((rows, customers), np.inf),
        service_min=service,
        ballots=np.full(rows, 10**9, dtype=np.int64),
        slots=(StageSlots(none, none.copy()),),
        grid=grid,
        multiplier=np.ones((rows, 1)),
        fatigue_applies=(False,),
        stage_names=("desk",),
    )


@pytest.mark.parametrize(
    ("c", "rho"),
    [(1, 0.5), (2, 0.75), (3, 0.9)],
)
def test_erlang_c_mean_wait(c: int, rho: float) -> None:
    """The batch recursion reproduces the M/M/c mean wait within 4 standard errors."""
    mu = 1.0
    lam = rho * c * mu
    rows, customers, warmup = 16, 20_000, 2_000
    result = run_batch(mmc_inputs(lam, mu, c, rows, customers, seed=100 + c))
    inputs_arrival = mmc_inputs(lam, mu, c, rows, customers, seed=100 + c).arrival_min
    wait = result.start_min[0] - inputs_arrival
    row_means = wait[:, warmup:].mean(axis=1)
    se = row_means.std(ddof=1) / math.sqrt(rows)
    theory = erlang_c_wait(lam, mu, c)
    assert se < 0.06 * theory  # the test has the power to see a 25% error
    assert abs(row_means.mean() - theory) < 4 * se


def test_textbook_scenario_matches_erlang_c_and_littles_law() -> None:
    """DESIGN §4's textbook file, scenarios/textbook-mmc.yaml itself (M/M/2, ρ ≈ 0.43), end
    to end through load_scenario and simulate_day.

    Each replication is an independent day of the one TPS; the day starts empty, whose bias
    (a warm-up of a few service times in a 23-hour day) is far below the tolerance. Little's
    law holds exactly on each sample path: the time-average queue length from an event sweep
    equals the arrival rate times the mean wait reported by the metrics.
    """
    sc = load_scenario(REPO / "scenarios" / "textbook-mmc.yaml")
    assert len(sc.tps.tps_id) == 1
    reps = 150
    horizon = float(sc.spec.day.close - sc.spec.day.open)
    lam = 600 / horizon
    theory = erlang_c_wait(lam, 1 / 2.0, 2)
    waits, areas = [], []
    for rep in range(reps):
        day = simulate_day(sc, sc.spec.seed, rep)
        metrics = replication_result(day).scalars
        assert metrics["voters_arrived"] == 600  # turnout 1, no DPK or DPTb voters
        assert metrics["voters_voted"] == 600  # no patience limit: everyone is served
        arrival = day.voters.arrival_min[0]
        start = day.queue.start_min[0, 0]
        a = arrival[np.isfinite(arrival)]
        s = start[np.isfinite(arrival)]
        times = np.concatenate([a, s])
        steps = np.concatenate([np.ones(len(a)), -np.ones(len(s))])
        order = np.lexsort((-steps, times))
        queue = np.cumsum(steps[order])
        area = float(np.sum(queue[:-1] * np.diff(times[order])))
        # Little's law on the outputs of this day: L = λ W on the sample path
        assert area / horizon == pytest.approx(600 / horizon * metrics["wait_mean_min"], rel=1e-9)
        waits.append(metrics["wait_mean_min"])
        areas.append(area / horizon)
    w = np.array(waits)
    se = w.std(ddof=1) / math.sqrt(reps)
    assert se < 0.1 * theory  # the test has the power to see a 40% error
    assert abs(w.mean() - theory) < 4 * se
    lq = np.array(areas)
    se_lq = lq.std(ddof=1) / math.sqrt(reps)
    assert abs(lq.mean() - lam * theory) < 4 * se_lq


def test_hourly_arrivals_follow_the_profile() -> None:
    """Arrival counts per profile segment match the expected shares (4-SE bound and χ²)."""
    sc = pilkada(
        tps=60,
        voters_per_tps=600,
        voters={"turnout": 1.0, "dptb_share": 0.0, "dpk_per_tps_mean": 0.0},
    )
    draws = draw_voters(sc, 3, 0)
    t = draws.arrival_min[np.isfinite(draws.arrival_min)]
    starts, lengths, cum = arrival_segments(sc)
    edges = np.append(starts, starts[-1] + lengths[-1])
    counts, _ = np.histogram(t, bins=edges)
    n = len(t)
    assert n == 60 * 600
    share = np.diff(np.concatenate([[0.0], cum]))
    expected = n * share
    se = np.sqrt(expected * (1 - share))
    assert np.all(np.abs(counts - expected) < 4 * se)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    from scipy import stats

    assert chi2 < stats.chi2.ppf(0.999, len(counts) - 1)
    # the profile's shape: an early queue, a morning peak at 08:00–09:00
    assert share[0] == pytest.approx(sc.spec.voters.arrival_profile.early_share)
    assert int(np.argmax(counts[1:])) == 1


def test_constant_profile_is_uniform_over_opening_hours() -> None:
    """'constant' arrivals are uniform over [open, close): equal counts per hour."""
    sc = textbook(servers=1, service_mean_min=1.0, tps=40, voters=600, close="12:00")
    draws = draw_voters(sc, 1, 0)
    t = draws.arrival_min[np.isfinite(draws.arrival_min)]
    assert t.min() >= 0 and t.max() < 720
    counts, _ = np.histogram(t, bins=np.arange(0, 721, 60))
    expected = len(t) / 12
    assert np.all(np.abs(counts - expected) < 4 * math.sqrt(expected))
