"""KPPS fatigue (three-process model), health events, policies, counting, slots and grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from simcore_helpers import pilkada

from planner.scenario.sections.staff import Fatigue
from planner.sim import fatigue as tpm
from planner.sim.day import count_start_min, simulate_day
from planner.sim.grid import TimeGrid, accumulated, time_to_accumulate
from planner.sim.metrics import replication_result
from planner.sim.slots import allocate_servers, staffing_blocks

P = Fatigue()


def test_three_process_components() -> None:
    """S decays towards s_lower awake and recovers towards s_upper asleep; C peaks at 16.8 h."""
    assert tpm.s_awake(14.0, 0.0, P) == 14.0
    assert tpm.s_awake(14.0, 10.0, P) == pytest.approx(2.4 + 11.6 * math.exp(-0.353))
    assert tpm.s_asleep(8.0, 5.0, P) == pytest.approx(14.3 - 6.3 * math.exp(-0.381 * 5))
    assert tpm.circadian(16.8 * 60, P) == pytest.approx(2.5)
    assert tpm.circadian(4.8 * 60, P) == pytest.approx(-2.5)
    s_w = tpm.s_rested_wake(P)
    after_day = tpm.s_awake(s_w, 16.0, P)
    assert tpm.s_asleep(after_day, 8.0, P) == pytest.approx(s_w, abs=1e-12)


def test_breaks_reset_time_on_task_and_match_the_schedule() -> None:
    """Time on task grows by the hour, is zero on a break and restarts after it."""
    clock = np.arange(360.0, 1200.0, 1.0)
    tot, on_break = tpm.time_on_task_h(clock, 360.0, 2, 7, None, 15.0)
    np.testing.assert_allclose(tot, (clock - 360.0) / 60.0)
    assert not on_break.any()
    tot, on_break = tpm.time_on_task_h(clock, 360.0, 2, 7, 120.0, 15.0)
    spans = tpm.break_intervals(360.0, 1200.0, 2, 7, 120.0, 15.0)
    assert spans[0] == (360.0 + 120.0 * 3 / 7, 360.0 + 120.0 * 3 / 7 + 15.0)
    in_span = np.zeros_like(on_break)
    for s, e in spans:
        in_span |= (clock >= s) & (clock < e)
    np.testing.assert_array_equal(on_break, in_span)
    after = clock >= spans[0][1]
    first_after = np.argmax(after)
    assert tot[first_after] == pytest.approx((clock[first_after] - spans[0][1]) / 60.0)
    assert tot.max() <= 2.0 + 1e-9


def test_voting_team_alertness_by_hand() -> None:
    """One worker's deficit at one cell equals the model's equations evaluated by hand."""
    sc = pilkada(tps=2, voters={"turnout": 0.5})
    day = simulate_day(sc, 3, 0)
    team = day.voting_staff.team
    grid = day.grid
    g = 30  # 06:00 + 305 min = 11:05
    t = grid.mids[g]
    wake = 360.0 - team.awake_h[0, 0] * 60.0
    bed = wake - team.sleep_h[0, 0] * 60.0
    s_bed = tpm.s_awake(tpm.s_rested_wake(P), (bed - (-1080.0)) / 60.0, P)
    s_wake = tpm.s_asleep(s_bed, team.sleep_h[0, 0], P)
    s = tpm.s_awake(s_wake, (t - wake) / 60.0, P)
    c = tpm.circadian(t, P)
    arrived = np.isfinite(day.voters.arrival_min[0]) & (
        day.voters.arrival_min[0] < grid.start_min + (g + 1) * grid.step_min
    )
    load = 0.15 * arrived.sum() / 100.0
    tot = 1.5 * (1 - math.exp(-(t - 360.0) / 60.0 / 2.0))
    expected = 12.0 - (s + c) + load + tot
    assert day.voting_staff.curves.raw_deficit[0, 0, g] == pytest.approx(expected, abs=1e-9)


def test_health_event_at_the_threshold_of_a_constant_hazard() -> None:
    """A constant hazard h reaches threshold E at t0 + E/h (inverse-transform sampling)."""
    grid = TimeGrid(0.0, 10.0, 5)
    rate = np.full((3, 5), 0.01)
    got = time_to_accumulate(rate, grid, np.array([0.0, 5.0, 5.0]), np.array([0.2, 0.2, 1.0]))
    np.testing.assert_allclose(got, [20.0, 25.0, 105.0])  # the last beyond the grid


def test_grid_accumulation_piecewise() -> None:
    """∫ of a piecewise-constant rate and its inverse, by hand."""
    grid = TimeGrid(0.0, 10.0, 3)
    rate = np.array([[1.0, 0.0, 2.0]])
    assert accumulated(rate, grid, np.array([5.0]), np.array([25.0]))[0] == pytest.approx(15.0)
    assert accumulated(rate, grid, np.array([5.0]), np.array([np.inf]))[0] == np.inf
    assert time_to_accumulate(rate, grid, np.array([5.0]), np.array([7.0]))[0] == pytest.approx(
        21.0
    )
    assert time_to_accumulate(rate, grid, np.array([5.0]), np.array([0.0]))[0] == 5.0
    zero = np.zeros((1, 3))
    assert time_to_accumulate(zero, grid, np.array([0.0]), np.array([1.0]))[0] == np.inf


def test_allocate_servers() -> None:
    """The chair aside, stages lose servers from the one with most; each keeps one."""
    full = np.array([[2], [2], [1]])
    q = np.array([2, 0, 2])
    got = [allocate_servers(full, q, np.array([a]))[:, 0].tolist() for a in (6, 5, 3, 0, -1)]
    assert got == [[2, 2, 1], [1, 2, 1], [1, 2, 1], [1, 2, 1], [0, 2, 0]]


def test_staffing_blocks_from_duty_changes() -> None:
    """Two KPPS away from 100 to 200 (7 → 5): one check-in slot blocked exactly then."""
    full = np.array([[2], [2], [1]])
    q = np.array([2, 0, 2])
    t = np.array([[100.0, 200.0, np.inf]])
    d = np.array([[-2, 2, 0]])
    blocks = staffing_blocks(full, q, 1, 7, t, d)
    start, end = blocks[0]
    assert start[1, 0, 0] == 100.0 and end[1, 0, 0] == 200.0
    assert np.isinf(start[0]).all()  # slot 0 always there
    b_start, _ = blocks[1]
    assert np.isinf(b_start).all()  # booths are not staffed


def _exposure(sc, reps: int = 3) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for r in range(reps):
        s = replication_result(simulate_day(sc, 17, r)).scalars
        for k, v in s.items():
            out.setdefault(k, []).append(v)
    return {k: float(np.mean(v)) for k, v in out.items()}


def test_policies_each_have_a_measurable_effect() -> None:
    """Breaks, reserve worker, age cap, screening and a split shift each move their metric."""
    base = _exposure(pilkada(tps=8))
    breaks = _exposure(pilkada(tps=8, staff={"policies": {"break_every_min": 120.0}}))
    assert breaks["fatigue_peak"] < base["fatigue_peak"] - 0.3
    assert breaks["staff_ill_per_100k"] < base["staff_ill_per_100k"]
    capped = _exposure(pilkada(tps=8, staff={"policies": {"age_cap_years": 55}}))
    assert capped["staff_ill_per_100k"] < 0.95 * base["staff_ill_per_100k"]
    unscreened = _exposure(pilkada(tps=8, staff={"policies": {"screening": False}}))
    assert unscreened["staff_ill_per_100k"] > 1.05 * base["staff_ill_per_100k"]
    split = _exposure(pilkada(tps=8, staff={"policies": {"split_counting_shift": True}}))
    assert split["count_finish_mean_clock_min"] < base["count_finish_mean_clock_min"] - 5
    assert split["fatigue_peak"] < base["fatigue_peak"]
    # many KPPS fall ill and nobody replaces them: a reserve worker keeps desks open
    sick = {"health": {"base_ill_per_100k_h": 8000.0}}
    patient = {"patience_min": None}
    no_reserve = _exposure(
        pilkada(tps=8, voters=patient, staff={**sick, "policies": {"replacement_delay_min": None}})
    )
    reserve = _exposure(
        pilkada(
            tps=8,
            voters=patient,
            staff={**sick, "policies": {"replacement_delay_min": None, "reserve_workers": 1}},
        )
    )
    assert no_reserve["staff_health_events"] > 8  # the comparison is not vacuous
    assert reserve["wait_mean_min"] < no_reserve["wait_mean_min"]


def test_older_and_comorbid_workers_fall_ill_more_and_more_severely() -> None:
    """Hazard and severe share rise with age and comorbidity (paired draws)."""
    young = _exposure(pilkada(tps=6, staff={"age_years": 25.0}), reps=1)
    old = _exposure(pilkada(tps=6, staff={"age_years": 60.0}), reps=1)
    assert old["staff_ill_per_100k"] > 2 * young["staff_ill_per_100k"]
    ratio_old = old["staff_severe_per_100k"] / old["staff_ill_per_100k"]
    ratio_young = young["staff_severe_per_100k"] / young["staff_ill_per_100k"]
    assert ratio_old > ratio_young


def test_counting_exact_without_fatigue_or_errors() -> None:
    """finish = start + papers × seconds / 60 + admin when alert, unhurried and error-free."""
    sc = pilkada(
        tps=4,
        staff={"fatigue": {"enabled": False}, "health": {"base_ill_per_100k_h": 0.0}},
        counting={
            "seconds_per_ballot": 12.0,
            "admin_min": 100.0,
            "admin_min_per_ballot_type": 20.0,
            "errors_per_1000_ballots": 0.0,
        },
    )
    day = simulate_day(sc, 5, 0)
    start = count_start_min(sc, day.queue)
    voted = (day.queue.outcome == 0).sum(axis=1)
    np.testing.assert_allclose(day.counting.start_min, start)
    assert np.all(start >= 780.0)
    np.testing.assert_allclose(
        day.counting.finish_min, start + 2 * voted * 12.0 / 60.0 + 100.0 + 2 * 20.0
    )
    assert (day.counting.errors == 0).all()


def test_more_error_prone_counting_means_more_recounts() -> None:
    """Paired draws: a higher error rate never gives fewer recounts at any TPS."""
    low = simulate_day(pilkada(tps=10, counting={"errors_per_1000_ballots": 0.1}), 2, 0)
    high = simulate_day(pilkada(tps=10, counting={"errors_per_1000_ballots": 1.0}), 2, 0)
    assert np.all(high.counting.errors >= low.counting.errors)
    assert high.counting.errors.sum() > low.counting.errors.sum()
    assert np.all(high.counting.finish_min >= low.counting.finish_min - 1e-9)
