"""Ballot and kit logistics: exact timings with fixed legs, the kit check, replacements,
reserve arithmetic and the results' return."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.scenario.injects import resolve_injects
from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.resolved import Scenario, reserve_ballots
from planner.sim.logistics import (
    effective_open_min,
    logistics_metrics,
    logistics_trace,
    majority_river,
    no_logistics,
    return_metrics,
    return_results,
    schedule_trips,
    simulate_logistics,
)


def make(data: dict[str, Any]) -> Scenario:
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


def fixed_leg(depart: str, road: float, river: float, **extra: Any) -> dict[str, Any]:
    return {
        "depart": depart,
        "road_min": road,
        "river_min": river,
        "disruption_prob": 0.0,
        **extra,
    }


def fixed_logistics(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "warehouse_to_ppk": fixed_leg("H-2 08:00", 90, 400, depart_remote="H-5 08:00"),
        "ppk_to_pps": fixed_leg("H-1 08:00", 60, 200),
        "pps_to_tps": fixed_leg("06:00", 45, 100),
        "kit_short_prob": 0.0,
        "kit_damaged_prob": 0.0,
        "kit_missing_item_prob": 0.0,
        "setup_min": 30,
        "setup_min_per_ballot_type": 0,
        "replacement_prepare_min": 20,
        "replacement_road_min": 40,
        "replacement_river_min": 120,
        "spoiled_per_ballot": 0.0,
        "results_hold_min": 15,
    }
    base.update(extra)
    return base


def two_districts(logistics: dict[str, Any]) -> Scenario:
    return make(
        {
            "name": "logistics test",
            "seed": 5,
            "region": {
                "name": "R",
                "districts": [
                    {"name": "Town", "villages": 3, "tps": 6, "voters": 2400},
                    {
                        "name": "Upriver",
                        "villages": 2,
                        "tps": 4,
                        "voters": 1200,
                        "access": "river",
                        "remote": True,
                    },
                ],
            },
            "logistics": logistics,
        }
    )


def test_reserve_is_dpt_plus_two_and_a_half_percent_rounded_up() -> None:
    """Ballots = DPT + ceil(2.5% of DPT), exactly, for every TPS size up to the cap."""
    voters = np.arange(1, 801, dtype=np.int64)
    expected = voters + (voters * 25 + 999) // 1000
    assert np.array_equal(reserve_ballots(voters, 0.025), expected)
    assert reserve_ballots(np.array([200, 201, 40, 600, 1]), 0.025).tolist() == [
        205,
        207,
        41,
        615,
        2,
    ]
    # Pemilu 2024's 2% rule (facts §5.3): 250 → 5 reserve.
    assert reserve_ballots(np.array([250, 251]), 0.02).tolist() == [255, 257]


def test_reserve_matches_the_scenario_and_the_kits() -> None:
    """The kit carries exactly the scenario's ballots needed when nothing goes wrong."""
    sc = two_districts(fixed_logistics())
    res = simulate_logistics(sc, seed=1, replication=0)
    assert np.array_equal(res.ballots_needed, sc.ballots_needed())
    assert np.array_equal(res.ballots_delivered, res.ballots_needed)
    assert np.array_equal(res.ballots_available, res.ballots_needed)


def test_fixed_legs_give_exact_times_and_openings() -> None:
    """Fixed leg durations: every arrival and opening time is the hand-computed sum."""
    sc = two_districts(fixed_logistics())
    res = simulate_logistics(sc, seed=1, replication=0)
    h2, h5, h1 = -2 * 1440, -5 * 1440, -1440
    # Warehouse → PPK: town by road at H-2 08:00 + 90; upriver (remote, river) at H-5 + 400.
    assert res.ppk_arrive_min.tolist() == [h2 + 480 + 90, h5 + 480 + 400]
    # PPK → PPS leaves H-1 08:00 (loads are already there): road 60, river 200.
    vd = sc.tps.village_district
    assert res.pps_arrive_min.tolist() == [h1 + 480 + (60 if d == 0 else 200) for d in vd]
    # PPS → TPS leaves at 06:00 on H: road 45, river 100.
    river = sc.tps.access == 1
    assert res.kit_arrive_min.tolist() == np.where(river, 360 + 100, 360 + 45).tolist()
    # Setup 30 min from the check at max(kit, 06:00): 06:45 + 30 = 07:15; 07:40 + 30 = 08:10.
    assert res.open_min.tolist() == np.where(river, 490.0, 435.0).tolist()
    assert res.opened_late.all()
    assert res.open_delay_min.tolist() == np.where(river, 70.0, 15.0).tolist()
    assert res.logistics_late.all()
    assert not res.replaced.any()


def test_kit_in_time_opens_at_seven() -> None:
    """A kit delivered the evening before and a 30-min setup from 06:00 open at 07:00."""
    sc = two_districts(fixed_logistics(pps_to_tps=fixed_leg("H-1 16:00", 45, 100)))
    res = simulate_logistics(sc, seed=1, replication=0)
    assert np.all(res.open_min == 420.0)
    assert np.all(res.check_min == 360.0)
    assert not res.opened_late.any()
    assert not res.logistics_late.any()


def test_vehicles_make_trips_one_after_another() -> None:
    """One vehicle per PPK: villages are served in table order, each after a round trip."""
    sc = two_districts(fixed_logistics(ppk_to_pps=fixed_leg("H-1 08:00", 60, 200, vehicles=1)))
    res = simulate_logistics(sc, seed=1, replication=0)
    h1 = -1440 + 480
    # Town: 3 villages by road, 60 out + 60 back per trip; Upriver: 2 by river, 200 + 200.
    assert res.pps_arrive_min.tolist() == [h1 + 60, h1 + 180, h1 + 300, h1 + 200, h1 + 600]


def test_schedule_trips_waits_for_load_and_free_vehicle() -> None:
    """Trips leave at max(load ready, a vehicle back); vehicles return undisrupted."""
    ready = np.array([0.0, 0.0, 0.0, 50.0])
    origin = np.array([0, 0, 0, 1])
    travel = np.array([10.0, 20.0, 5.0, 7.0])
    delay = np.array([0.0, 100.0, 0.0, 0.0])
    got = schedule_trips(ready, origin, travel, delay, vehicles=2)
    # Vehicle A: trip 0 arrives 10, back 20; vehicle B: trip 1 arrives 120, back 140;
    # trip 2 takes vehicle A at 20 → 25; origin 1 has its own vehicles.
    assert got.tolist() == [10.0, 120.0, 25.0, 57.0]
    assert schedule_trips(ready, origin, travel, delay, None).tolist() == [10.0, 120.0, 5.0, 57.0]


def test_disruption_adds_its_delay() -> None:
    """With a certain disruption of a fixed 120 min, every kit arrives 120 min later."""
    leg = fixed_leg("06:00", 45, 100, disruption_prob=1.0, disruption_add_min=120)
    sc = two_districts(fixed_logistics(pps_to_tps=leg))
    res = simulate_logistics(sc, seed=1, replication=0)
    river = sc.tps.access == 1
    assert res.kit_arrive_min.tolist() == np.where(river, 580.0, 525.0).tolist()


def test_shortage_triggers_exactly_one_replacement_without_delaying_opening() -> None:
    """A short kit: one replacement at check + prepare + travel; the TPS opens on time with
    the ballots it has, and has the full count once the replacement comes."""
    sc = two_districts(
        fixed_logistics(pps_to_tps=fixed_leg("H-1 16:00", 45, 100), kit_short_prob=1.0)
    )
    res = simulate_logistics(sc, seed=1, replication=0)
    river = sc.tps.access == 1
    assert res.kit_short.all() and res.replaced.all()
    expected = 360 + 20 + np.where(river, 120.0, 40.0)
    assert res.replacement_arrive_min.tolist() == expected.tolist()
    assert np.all(res.open_min == 420.0)
    assert np.all(res.ballots_delivered < res.ballots_needed)
    assert np.array_equal(res.ballots_available, res.ballots_needed)
    for i in range(len(sc.tps)):
        events = [what for _, _, what, _ in logistics_trace(sc, res, i)]
        assert events.count("replacement at TPS") == 1
        assert events.count("kit check: replacement requested from PPK") == 1


def test_every_problem_at_once_is_still_one_replacement() -> None:
    """Short, damaged and missing together: one request; opening waits for the replacement."""
    sc = two_districts(
        fixed_logistics(
            pps_to_tps=fixed_leg("H-1 16:00", 45, 100),
            kit_short_prob=1.0,
            kit_damaged_prob=1.0,
            kit_missing_item_prob=1.0,
        )
    )
    res = simulate_logistics(sc, seed=1, replication=0)
    river = sc.tps.access == 1
    expected = 360 + 20 + np.where(river, 120.0, 40.0)
    assert res.open_min.tolist() == expected.tolist()
    assert res.kit_complete_min.tolist() == expected.tolist()
    for i in range(len(sc.tps)):
        events = [what for _, _, what, _ in logistics_trace(sc, res, i)]
        assert events.count("replacement at TPS") == 1


def test_setup_adds_its_minutes_per_ballot_type() -> None:
    """Setup = setup_min + setup_min_per_ballot_type × election.ballots: 20 + 2 × 8 from
    06:00 is 06:36 (on time); with five ballot types 20 + 5 × 8 ends 07:00 (on time, just);
    with six minutes more per type, 20 + 5 × 9 = 65 ends 07:05 (late)."""
    kit = {"pps_to_tps": fixed_leg("H-1 16:00", 45, 100), "setup_min": 20}
    for ballots, per_type, done in ((2, 8, 396.0), (5, 8, 420.0), (5, 9, 425.0)):
        sc = two_districts(fixed_logistics(**kit, setup_min_per_ballot_type=per_type))
        sc = Scenario(
            spec=sc.spec.model_copy(
                update={"election": sc.spec.election.model_copy(update={"ballots": ballots})}
            ),
            tps=sc.tps,
            path=sc.path,
        )
        res = simulate_logistics(sc, seed=1, replication=0)
        assert res.setup_done_min.tolist() == [done] * len(sc.tps)
        assert res.open_min.tolist() == [max(420.0, done)] * len(sc.tps)


def test_damaged_kit_delays_opening_until_replacement_and_setup() -> None:
    """Opening = max(07:00, check + setup, replacement) for a damaged kit."""
    sc = two_districts(
        fixed_logistics(
            pps_to_tps=fixed_leg("H-1 16:00", 45, 100),
            kit_damaged_prob=1.0,
            setup_min=90,
            replacement_road_min=10,
        )
    )
    res = simulate_logistics(sc, seed=1, replication=0)
    river = sc.tps.access == 1
    # road: replacement 06:30 but setup until 07:30; river: replacement 08:20.
    assert res.open_min.tolist() == np.where(river, 500.0, 450.0).tolist()


def test_short_kit_whose_replacement_comes_after_close_keeps_the_short_count() -> None:
    """A replacement that arrives after close cannot give voters more ballots."""
    sc = two_districts(
        fixed_logistics(
            pps_to_tps=fixed_leg("H-1 16:00", 45, 100),
            kit_short_prob=1.0,
            replacement_road_min=1000,
            replacement_river_min=1000,
        )
    )
    res = simulate_logistics(sc, seed=1, replication=0)
    assert np.array_equal(res.ballots_available, res.ballots_delivered)


def test_kit_problem_frequencies_match_their_probabilities() -> None:
    """Short, damaged and missing kits occur at their probabilities (within 4 SE)."""
    sc = make(
        {
            "name": "many",
            "seed": 2,
            "region": {
                "name": "R",
                "districts": [{"name": "D", "villages": 40, "tps": 4000, "voters": 1_600_000}],
            },
            "logistics": {
                "kit_short_prob": 0.2,
                "kit_damaged_prob": 0.05,
                "kit_missing_item_prob": 0.1,
            },
        }
    )
    res = simulate_logistics(sc, seed=9, replication=3)
    n = len(sc.tps)
    for flags, p in ((res.kit_short, 0.2), (res.kit_damaged, 0.05), (res.kit_missing, 0.1)):
        se = math.sqrt(p * (1 - p) / n)
        assert abs(flags.mean() - p) < 4 * se
    either = res.kit_short | res.kit_damaged | res.kit_missing
    assert np.array_equal(res.replaced, either)


def test_spoiled_papers_come_out_of_the_reserve() -> None:
    """Spoiled papers are Binomial(voters × turnout × ballots, p) and reduce ballots left."""
    sc = two_districts(
        fixed_logistics(pps_to_tps=fixed_leg("H-1 16:00", 45, 100), spoiled_per_ballot=0.01)
    )
    res = simulate_logistics(sc, seed=3, replication=0)
    assert np.array_equal(res.ballots_available, res.ballots_needed - res.ballots_spoiled)
    papers = np.round(sc.tps.voters * sc.turnout_by_tps() * 2)
    expected = papers.sum() * 0.01
    assert abs(res.ballots_spoiled.sum() - expected) < 4 * math.sqrt(expected)


def test_same_seed_same_logistics_and_replications_differ() -> None:
    """Draws come from named streams: same seed → identical, another replication → not."""
    sc = two_districts({})
    a = simulate_logistics(sc, seed=11, replication=0)
    b = simulate_logistics(sc, seed=11, replication=0)
    c = simulate_logistics(sc, seed=11, replication=1)
    assert np.array_equal(a.open_min, b.open_min)
    assert np.array_equal(a.kit_arrive_min, b.kit_arrive_min)
    assert not np.array_equal(a.kit_arrive_min, c.kit_arrive_min)


def test_logistics_off_opens_everything_at_seven_with_full_kits() -> None:
    """Switched off: every TPS opens at day.open with DPT + reserve ballots."""
    sc = two_districts({"enabled": False})
    res = no_logistics(sc)
    assert np.all(res.open_min == 420.0)
    assert np.array_equal(res.ballots_available, sc.ballots_needed())
    assert not res.opened_late.any() and not res.logistics_late.any()


def test_results_return_exact_with_fixed_legs() -> None:
    """Results reach the PPK at max over the village's TPS of (finish + hold + TPS→PPS),
    plus PPS→PPK; the kecamatan is complete when its last village is in."""
    sc = two_districts(fixed_logistics())
    finish = 1200.0 + np.arange(len(sc.tps), dtype=np.float64) * 10
    ret = return_results(sc, finish, seed=1, replication=0)
    river = sc.tps.access == 1
    at_pps = finish + 15 + np.where(river, 100.0, 45.0)
    assert ret.tps_at_pps_min.tolist() == at_pps.tolist()
    village_ready = [at_pps[sc.tps.village == v].max() for v in range(len(sc.tps.village_names))]
    vd = sc.tps.village_district
    at_ppk = [r + (200.0 if vd[v] == 1 else 60.0) for v, r in enumerate(village_ready)]
    assert ret.pps_at_ppk_min.tolist() == at_ppk
    complete = [max(at_ppk[v] for v in range(len(at_ppk)) if vd[v] == d) for d in (0, 1)]
    assert ret.district_complete_min.tolist() == complete


def test_results_return_unknown_finish_gives_nan_for_its_kecamatan_only() -> None:
    """A TPS without a counting finish time leaves its kecamatan's recap start unknown."""
    sc = two_districts(fixed_logistics())
    finish = np.full(len(sc.tps), 1200.0)
    finish[sc.tps.district == 1] = np.nan
    ret = return_results(sc, finish, seed=1, replication=0)
    assert np.isfinite(ret.district_complete_min[0])
    assert np.isnan(ret.district_complete_min[1])


@pytest.mark.parametrize(
    ("access", "expected"),
    [([0, 0, 1], [False]), ([1, 1, 0], [True]), ([0, 1], [False])],
)
def test_majority_river(access: list[int], expected: list[bool]) -> None:
    """A group travels by river when most of its TPS are reached by river (ties: road)."""
    codes = np.zeros(len(access), dtype=np.int64)
    assert majority_river(codes, np.array(access), 1).tolist() == expected


def test_effective_opening_waits_out_a_suspension_covering_it() -> None:
    """A suspension over 07:00 pushes the opening to its end; later ones do not."""
    opened = np.array([420.0, 420.0, 420.0, 450.0])
    spans = [[(400.0, 430.0)], [(430.0, 440.0)], [(420.0, 430.0), (430.0, 455.0)], []]
    assert effective_open_min(opened, spans).tolist() == [430.0, 420.0, 455.0, 450.0]
    assert effective_open_min(opened, None).tolist() == opened.tolist()


def test_logistics_metrics_count_late_openings_and_mean_delay() -> None:
    """DESIGN §5 metrics from fixed legs: every TPS late, mean delay over the late ones."""
    sc = two_districts(fixed_logistics(kit_short_prob=1.0))
    res = simulate_logistics(sc, seed=1, replication=0)
    scalars, per_tps = logistics_metrics(res)
    river = sc.tps.access == 1
    assert scalars["tps_opened_late"] == len(sc.tps)
    assert scalars["open_delay_mean_min"] == pytest.approx(np.where(river, 70, 15).mean())
    assert scalars["ballot_short_tps"] == len(sc.tps)
    assert scalars["logistics_late_tps"] == len(sc.tps)
    assert per_tps["open_delay_min"].tolist() == np.where(river, 70.0, 15.0).tolist()
    on_time = two_districts(fixed_logistics(pps_to_tps=fixed_leg("H-1 16:00", 45, 100)))
    scalars, _ = logistics_metrics(simulate_logistics(on_time, seed=1, replication=0))
    assert scalars["tps_opened_late"] == 0 and scalars["open_delay_mean_min"] == 0.0


def test_return_metrics_mean_and_last_kecamatan() -> None:
    """Results-complete time per kecamatan, its mean and the last one."""
    sc = two_districts(fixed_logistics())
    ret = return_results(sc, np.full(len(sc.tps), 1200.0), seed=1, replication=0)
    scalars, per_district = return_metrics(ret)
    done = per_district["results_complete_clock_min"]
    assert done.tolist() == [1200 + 15 + 45 + 60, 1200 + 15 + 100 + 200]
    assert scalars["results_complete_last_clock_min"] == 1515.0
    assert scalars["results_complete_mean_clock_min"] == pytest.approx((1320 + 1515) / 2)


def test_late_kit_injects_move_the_kit_and_the_opening() -> None:
    """late-kit@kecamatan@+90min: every kit there reaches its TPS 90 min after the KPPS
    arrive (06:00), though it was planned for the evening before; @TPS@07:20 sets it."""
    sc = two_districts(fixed_logistics(pps_to_tps=fixed_leg("H-1 16:00", 45, 100)))
    assert sc.spec.day.staff_arrive == 360
    first = sc.tps.tps_id[0]
    events = resolve_injects(["late-kit@Upriver@+90min", f"late-kit@{first}@07:20"], sc.tps)
    res = simulate_logistics(sc, seed=1, replication=0, injects=events)
    plain = simulate_logistics(sc, seed=1, replication=0)
    up = sc.tps.district == 1
    assert np.all(plain.kit_arrive_min[up] == -380.0)  # H-1 16:00 + 100 min
    assert np.all(res.kit_arrive_min[up] == 360.0 + 90.0)
    assert res.kit_arrive_min[0] == 440.0
    assert res.open_min[0] == 470.0  # 07:20 + 30 min setup
    # Upriver kits at 07:30 on H, open after 30 min of set-up at 08:00.
    assert np.all(res.open_min[up] == 480.0)
    others = ~up
    others[0] = False
    assert np.array_equal(res.open_min[others], plain.open_min[others])
