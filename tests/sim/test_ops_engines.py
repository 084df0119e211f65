"""The day's operations: the SimPy reference models agree with the array code.

Staff on duty (`staff_reference` vs `staff.duty_changes`), counting (`counting_reference` vs
`counting.count_tps`) and the kit logistics (`logistics_reference` vs
`logistics.simulate_logistics`) consume the same draws; here they must give the same opening
times, on-duty timelines and counting finish times to 1e-9 minutes, on small scenarios that
exercise breaks, a reserve worker, illness with replacements, a split counting shift,
fatigue, kit shortages, disruptions, vehicle limits and river legs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from simcore_helpers import OFF, make, merge, pilkada

from planner.scenario.injects import resolve_injects
from planner.scenario.resolved import Scenario
from planner.sim import staff as st
from planner.sim.day import day_grid, simulate_day, voting_staff
from planner.sim.dayresult import DayResult
from planner.sim.fatigue import break_intervals
from planner.sim.logistics import simulate_logistics
from planner.sim.logistics_reference import simulate_logistics_reference
from planner.sim.staff_reference import on_duty_by_cell, on_duty_steps, simulate_on_duty
from planner.sim.voters import draw_voters

TOL = 1e-9

SICK = {"health": {"base_ill_per_100k_h": 3000.0}}  # many health events, to exercise them
ROTATION = {"break_every_min": 120, "break_length_min": 15}


def staff(**policies: Any) -> dict[str, Any]:
    return {"staff": merge(SICK, {"policies": {**ROTATION, **policies}})}


STAFF_CASES = {
    "breaks_reserve_replacement": staff(reserve_workers=1, replacement_delay_min=45),
    "no_replacement": staff(replacement_delay_min=None),
    "split_shift": staff(split_counting_shift=True, replacement_delay_min=30),
    "fatigue_off": merge(
        staff(replacement_delay_min=60), {"staff": {"fatigue": {"enabled": False}}}
    ),
}


def leg(depart: str, **extra: Any) -> dict[str, Any]:
    return {
        "depart": depart,
        "road_min": {"dist": "uniform", "low": 40, "high": 120},
        "river_min": {"dist": "uniform", "low": 150, "high": 400},
        "disruption_prob": 0.4,
        "disruption_add_min": {"dist": "uniform", "low": 30, "high": 240},
        **extra,
    }


def river_region(vehicles: int | None) -> Scenario:
    """Two kecamatan, one remote and reached by river; kits often short or damaged."""
    v = {} if vehicles is None else {"vehicles": vehicles}
    return make(
        {
            "name": "ops engines",
            "seed": 5,
            "region": {
                "name": "R",
                "districts": [
                    {"name": "Town", "villages": 3, "tps": 6, "voters": 1800},
                    {
                        "name": "Upriver",
                        "villages": 2,
                        "tps": 4,
                        "voters": 1000,
                        "access": "river",
                        "remote": True,
                    },
                ],
            },
            "incidents": {"enabled": False},
            "logistics": {
                "warehouse_to_ppk": leg("H-2 08:00", depart_remote="H-5 08:00", **v),
                "ppk_to_pps": leg("H-1 08:00", **v),
                "pps_to_tps": leg("04:00", **v),
                "kit_short_prob": 0.3,
                "kit_damaged_prob": 0.2,
                "kit_missing_item_prob": 0.2,
            },
        }
    )


def assert_same_logistics(a: Any, b: Any) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if x.dtype.kind == "f":
                assert np.allclose(x, y, rtol=0.0, atol=TOL, equal_nan=True), f.name
            else:
                assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


def assert_same_timelines(
    a: list[list[tuple[float, int]]], b: list[list[tuple[float, int]]]
) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert [n for _, n in x] == [n for _, n in y]
        assert np.allclose([t for t, _ in x], [t for t, _ in y], rtol=0.0, atol=TOL)


def assert_same_day(a: DayResult, b: DayResult) -> None:
    """Opening, voter outcomes and counting identical between the two engines."""
    assert np.allclose(a.opening.open_min, b.opening.open_min, rtol=0.0, atol=TOL)
    assert np.array_equal(a.opening.ballots, b.opening.ballots)
    assert np.array_equal(a.queue.outcome, b.queue.outcome)
    assert np.allclose(a.queue.leave_min, b.queue.leave_min, rtol=0.0, atol=TOL, equal_nan=True)
    for name in ("start_min", "papers_done_min", "finish_min", "recount_min", "admin_min"):
        x, y = getattr(a.counting, name), getattr(b.counting, name)
        assert np.allclose(x, y, rtol=0.0, atol=TOL), name
    assert np.array_equal(a.counting.errors, b.counting.errors)
    assert np.array_equal(a.counting.papers, b.counting.papers)


@pytest.mark.parametrize("case", sorted(STAFF_CASES))
def test_on_duty_timelines_agree(case: str) -> None:
    """The SimPy team processes give the array code's on-duty timeline at every TPS."""
    sc = pilkada(tps=8, voters_per_tps=300, **STAFF_CASES[case])
    grid = day_grid(sc)
    voting = voting_staff(sc, grid, draw_voters(sc, 4, 0), 4, 0)
    assert (voting.ill_min < grid.end_min).sum() >= 5  # illness really is exercised
    extra = [[(600.0, -1)] if i == 0 else [] for i in range(len(sc.tps))]  # e.g. a collapse
    t, d = st.duty_changes(sc, voting.team, voting.ill_min, grid.end_min, extra)
    arrays = on_duty_steps(t, d, voting.team.size)
    simpy_ = simulate_on_duty(sc, voting.team, voting.ill_min, grid.end_min, extra)
    assert_same_timelines(arrays, simpy_)


def test_an_ill_workers_breaks_take_no_one_off_duty() -> None:
    """Slot 0 falls ill during its first break, its replacement arrives during a later one:
    nobody comes back from the first break, the vacancy's breaks change nothing, and the
    replacement starts when that break ends (rule in docs/model.md)."""
    sc = pilkada(tps=2, staff={"policies": {**ROTATION, "replacement_delay_min": 115}})
    grid = day_grid(sc)
    voting = voting_staff(sc, grid, draw_voters(sc, 1, 0), 1, 0)
    size = voting.team.size
    arrive = float(sc.spec.day.staff_arrive)
    b0 = break_intervals(arrive, grid.end_min, 0, size, 120, 15)
    ill = np.full((2, size), np.inf)
    ill[0, 0] = b0[0][0] + 5.0  # during slot 0's first break
    team = dataclasses.replace(voting.team, replacement_min=np.full((2, size), 115.0))
    back = ill[0, 0] + 115.0
    assert b0[1][0] < back < b0[1][1]  # the replacement comes during slot 0's second break
    t, d = st.duty_changes(sc, team, ill, grid.end_min)
    steps, other = on_duty_steps(t, d, size)

    def on_duty_at(x: float) -> int:
        n = size
        for when, count in steps:
            if when <= x:
                n = count
        return n

    assert on_duty_at(b0[0][0] + 1) == size - 1  # on break
    assert on_duty_at(b0[0][1] + 1) == size - 1  # ill: nobody came back from the break
    assert on_duty_at(b0[1][0] + 1) == size - 1  # the vacancy's break changes nothing
    assert on_duty_at(back + 1) == size - 1  # the replacement waits for the break's end
    assert on_duty_at(b0[1][1] + 0.5) == size  # and then works
    times = [w for w, _ in steps]
    for x in (ill[0, 0], b0[0][1], b0[1][0], back):
        assert x not in times
    assert simulate_on_duty(sc, team, ill, grid.end_min) == [steps, other]


@pytest.mark.parametrize("case", sorted(STAFF_CASES))
def test_day_engines_agree_on_staff_and_counting(case: str) -> None:
    """simulate_day with the SimPy operations equals the array day: voters, counting."""
    sc = pilkada(tps=6, voters_per_tps=250, **STAFF_CASES[case])
    a = simulate_day(sc, 7, 0, engine="batch")
    b = simulate_day(sc, 7, 0, engine="reference")
    assert_same_day(a, b)
    assert a.counting.finish_min.max() > a.counting.start_min.max()


@pytest.mark.parametrize("vehicles", [None, 1, 2])
def test_logistics_chain_agrees(vehicles: int | None) -> None:
    """Kit delivery with shortages, damage, disruptions, vehicle limits and river legs."""
    sc = river_region(vehicles)
    for rep in range(3):
        a = simulate_logistics(sc, 9, rep)
        b = simulate_logistics_reference(sc, 9, rep)
        assert_same_logistics(a, b)
        if rep == 0:
            assert a.replaced.any() and a.opened_late.any()


def test_logistics_with_late_kit_injects_agrees() -> None:
    """Late-kit injects (a delay and a clock time) move the same kits in both engines."""
    sc = river_region(1)
    first = sc.tps.tps_id[0]
    events = resolve_injects(["late-kit@Upriver@+90min", f"late-kit@{first}@07:20"], sc.tps)
    a = simulate_logistics(sc, 2, 0, events)
    b = simulate_logistics_reference(sc, 2, 0, events)
    assert_same_logistics(a, b)
    assert a.open_min[0] >= 440.0


def test_full_day_with_logistics_agrees() -> None:
    """The whole day with logistics on: opening times feed the voters and counting alike."""
    sc = river_region(2)
    a = simulate_day(sc, 3, 0, engine="batch")
    b = simulate_day(sc, 3, 0, engine="reference")
    assert_same_day(a, b)
    assert (a.opening.open_min > sc.spec.day.open).any()


def test_off_switches_are_the_plain_day() -> None:
    """With logistics off both engines open every TPS at day.open."""
    sc = pilkada(tps=4, voters_per_tps=200, **OFF)
    b = simulate_day(sc, 1, 0, engine="reference")
    assert np.all(b.opening.open_min == sc.spec.day.open)


def test_day_with_incidents_and_injects_agrees() -> None:
    """Incidents on, a collapse (one KPPS off duty) and a late kit: both paths agree."""
    sc = pilkada(
        tps=6,
        voters_per_tps=250,
        incidents={"enabled": True},
        **STAFF_CASES["breaks_reserve_replacement"],
    )
    first = sc.tps.tps_id[0]
    events = tuple(resolve_injects([f"collapse@{first}@10:00", f"late-kit@{first}@07:20"], sc.tps))
    a = simulate_day(sc, 7, 0, engine="batch", injects=events)
    b = simulate_day(sc, 7, 0, engine="reference", injects=events)
    assert a.disruptions.staff_changes[0] == [(600.0, -1)]
    assert a.opening.open_min[0] == 440.0
    assert_same_day(a, b)


def test_a_replacement_on_its_slots_break_does_not_count() -> None:
    """Counting staff per cell: a replacement is off duty during its slot's breaks."""
    sc = pilkada(tps=2, staff={"policies": {**ROTATION, "replacement_delay_min": 30}})
    grid = day_grid(sc)
    voting = voting_staff(sc, grid, draw_voters(sc, 1, 0), 1, 0)
    size = voting.team.size
    ill = np.full((2, size), np.inf)
    ill[0, 0] = 400.0
    team = dataclasses.replace(voting.team, replacement_min=np.full((2, size), 30.0))
    got = st.replaced(ill, team, grid, voting.curves)
    arrive = float(sc.spec.day.staff_arrive)
    breaks = break_intervals(arrive, grid.end_min, 0, size, 120, 15)
    on_break = np.array([any(s <= m < e for s, e in breaks) for m in grid.mids])
    expected = np.where((grid.mids >= 430.0) & ~on_break, 1.0, 0.0)
    assert on_break[grid.mids >= 430.0].any()
    assert np.array_equal(got[0], expected)
    assert not got[1].any()


@pytest.mark.parametrize("case", sorted(STAFF_CASES))
def test_counting_staff_by_cell_agrees(case: str) -> None:
    """The counting phase's KPPS on duty per cell: SimPy team processes = present + replaced,
    for the voting team carrying on and for a fresh split-shift team starting per TPS."""
    sc = pilkada(tps=8, voters_per_tps=300, **STAFF_CASES[case])
    grid = day_grid(sc)
    voting = voting_staff(sc, grid, draw_voters(sc, 4, 0), 4, 0)
    arrays = st.present(voting.ill_min, grid, voting.curves).sum(axis=1) + st.replaced(
        voting.ill_min, voting.team, grid, voting.curves
    )
    simpy_ = on_duty_by_cell(sc, grid, voting.team, voting.ill_min, voting.curves.duty_start_min)
    assert np.array_equal(arrays, simpy_)
    start = 1000.0 + 7.3 * np.arange(8)
    team = st.draw_team(sc, 4, 0, "staff/counting_team", sc.spec.staff.kpps_per_tps)
    curves = st.fresh_team_curves(sc, grid, team, start, np.zeros((8, grid.cells)))
    hazard = st.hazard_per_min(curves, team, sc.spec.staff.health)
    ill = st.first_event_min(hazard, grid, start, team.ill_threshold)
    assert (ill < grid.end_min).any()
    arrays = st.present(ill, grid, curves).sum(axis=1) + st.replaced(ill, team, grid, curves)
    assert np.array_equal(arrays, on_duty_by_cell(sc, grid, team, ill, start))
