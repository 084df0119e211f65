"""Responders and dispatch: hand-computed micro scenarios, travel from coordinates, the
dispatch rule, escalation and effects, medical teams, and metamorphic checks."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import default_incident_types
from planner.scenario.sections.security import ClassPolicy, Pattern, default_security
from planner.sim.incidents import draw_incidents, scripted_draws
from planner.sim.response import (
    Responders,
    _merge,
    build_responders,
    respond_medical,
    response_metrics,
    simulate_response,
)


def security_with_extra_patterns() -> dict[str, Any]:
    """Default security plus a linmas-only pattern and a 3-TPS patrol pattern."""
    sec = default_security()
    extra = [
        Pattern(name="0-1-2", per_tps={"linmas": 2}, residual_harm=1.0),
        Pattern(
            name="2-3-6",
            team={"police": 2},
            tps_per_team=3,
            per_tps={"linmas": 2},
            residual_harm=0.75,
        ),
    ]
    policy = {
        cls: ClassPolicy(allowed=[*pol.allowed, "0-1-2", "2-3-6"], standard=pol.standard)
        for cls, pol in sec.policy.items()
    }
    new = sec.model_copy(update={"patterns": [*sec.patterns, *extra], "policy": policy})
    data: dict[str, Any] = new.model_dump(mode="json")
    return data


CALL = {
    "name": "call",
    "rate_per_tps_day": 0.0,
    "class_scaled": False,
    "severity": [0.0, 1.0, 0.0],
    "onsite_resolve": [0.0, 0.0, 0.0],
    "responders": ["police"],
    "grave_responders": ["police"],
    "resolve_min": 10,
    "escalate_after_min": 30,
    "escalation_suspend_min": 20,
    "revote_prob": [0.0, 0.1, 0.3],
    "revote_prob_if_escalated": 0.05,
}


def micro(extra: dict[str, Any] | None = None) -> Scenario:
    """3 TPS in one village of one kecamatan, fixed 10-min kecamatan trips."""
    data: dict[str, Any] = {
        "name": "micro",
        "seed": 1,
        "region": {
            "name": "R",
            "districts": [
                {"name": "D", "villages": 1, "tps": 3, "voters": 900, "travel_min": 10},
            ],
        },
        "risk": {
            "classes": {
                "kurang_rawan": {"share": 1.0, "weight": 1},
                "rawan": {"share": 0.0, "weight": 2},
                "sangat_rawan": {"share": 0.0, "weight": 5},
                "khusus": {"share": 0.0, "weight": 3},
            }
        },
        "security": security_with_extra_patterns(),
        "incidents": {"types": [CALL], "response": {"patrol_dwell_min": 60}},  # hourly rounds
    }
    data.update(extra or {})
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


def calls(sc: Scenario, rows: list[tuple[int, float, float]]) -> Any:
    return scripted_draws(
        sc,
        [{"tps": i, "type": "call", "time_min": t, "resolve_min": r} for i, t, r in rows],
    )


def test_one_reserve_team_queue_gives_hand_computed_response_times() -> None:
    """One reserve team at the post, 10-min trips: calls at 10:00, 10:15, 10:20 settle in
    20, 15, 5 min. By hand: A leaves 10:00, arrives 10:10, done 10:30, back 10:40; B waits,
    leaves 10:40, arrives 10:50 (35 min), back 11:15; C leaves 11:15, arrives 11:25 (65)."""
    sc = micro()
    plan = Plan(patterns=("0-1-2",) * 3, reserves={("D", "police"): 1})
    res = simulate_response(sc, plan, calls(sc, [(0, 600, 20), (1, 615, 15), (2, 620, 5)]), 1, 0)
    assert res.dispatch_min.tolist() == [600.0, 640.0, 675.0]
    assert res.arrival_min.tolist() == [610.0, 650.0, 685.0]
    assert res.response_min.tolist() == [10.0, 35.0, 65.0]
    assert res.resolved_min.tolist() == [630.0, 665.0, 690.0]
    assert np.nanmean(res.response_min) == pytest.approx(110 / 3)
    assert res.escalated.tolist() == [False, True, True]
    assert res.escalate_min[1:].tolist() == [645.0, 650.0]
    assert res.final_severity.tolist() == [1, 2, 2]
    assert res.revote_prob.tolist() == pytest.approx([0.1, 0.35, 0.35])
    assert res.suspensions == [[], [(645.0, 665.0)], [(650.0, 670.0)]]
    assert res.revote_risk.tolist() == pytest.approx([0.1, 0.35, 0.35])
    assert not res.unresolved.any()
    # Busy: (10 + 20 + 10) + (10 + 15 + 10) + (10 + 5 + 10) = 100 of 840 minutes.
    assert res.unit_busy_min.tolist() == [100.0]  # the one reserve team
    assert res.horizon_min == 840.0
    assert res.utilisation_by_agency()["police"] == pytest.approx(100 / 840)


def test_patrol_team_rotates_and_queues() -> None:
    """A 2-3-6 team at TPS (table order) hour by hour from 06:00: at 10:00 it is at TPS 1
    (slot 4 mod 3). X at TPS 1 10:00: there (0 min), done 10:10. Y at TPS 0 10:05: team busy,
    leaves 10:10 from TPS 1, 5 min (0.5 × 10) → 10 min response. Z at TPS 2 11:40 (slot 5):
    the team is there."""
    sc = micro()
    plan = Plan(patterns=("2-3-6",) * 3, reserves={})
    res = simulate_response(sc, plan, calls(sc, [(1, 600, 10), (0, 605, 10), (2, 700, 10)]), 1, 0)
    assert res.response_min.tolist() == [0.0, 10.0, 0.0]
    assert res.dispatch_min.tolist() == [600.0, 610.0, 700.0]
    assert res.resolved_min.tolist() == [610.0, 625.0, 710.0]
    names = [res.unit_names[j] for j in res.unit]
    assert len(set(names)) == 1 and "team 2-3-6" in names[0]


def test_closest_free_unit_goes_before_a_busy_closer_one() -> None:
    """The busy patrol team would arrive sooner (10:10) but the free reserve goes (10:15)."""
    sc = micro()
    plan = Plan(patterns=("2-3-6",) * 3, reserves={("D", "police"): 1})
    res = simulate_response(sc, plan, calls(sc, [(1, 600, 10), (1, 605, 10)]), 1, 0)
    kinds = [res.unit_names[j] for j in res.unit]
    assert "team" in kinds[0] and "reserve" in kinds[1]
    assert res.response_min.tolist() == [0.0, 10.0]


def test_stationed_police_are_already_there() -> None:
    """2-1-2: the TPS's own police answer at once; a second call waits for them."""
    sc = micro()
    plan = Plan(patterns=("2-1-2",) * 3, reserves={})
    res = simulate_response(sc, plan, calls(sc, [(2, 600, 15), (2, 605, 10)]), 1, 0)
    assert res.response_min.tolist() == [0.0, 10.0]
    assert res.unit[0] == res.unit[1]


def test_no_adequate_responder_leaves_the_incident_unresolved_and_escalated() -> None:
    """Linmas only: the call is unresolved, escalates at 30 min and suspends voting."""
    sc = micro()
    plan = Plan(patterns=("0-1-2",) * 3, reserves={})
    res = simulate_response(sc, plan, calls(sc, [(0, 600, 10)]), 1, 0)
    assert res.unresolved.tolist() == [True]
    assert res.escalated.tolist() == [True]
    assert math.isnan(res.response_min[0])
    assert res.suspensions[0] == [(630.0, 650.0)]


def test_escalation_after_close_pauses_counting() -> None:
    """An escalation after close pauses counting instead of suspending voting."""
    sc = micro()
    plan = Plan(patterns=("0-1-2",) * 3, reserves={})
    res = simulate_response(sc, plan, calls(sc, [(0, 800, 10), (0, 805, 10)]), 1, 0)
    assert res.suspensions[0] == []
    assert res.pauses[0] == [(830.0, 855.0)]
    assert res.pause_min[0] == pytest.approx(25.0)


def test_travel_from_coordinates(tmp_path: Path) -> None:
    """With lat/lon: distance × road factor at the agency's speed, from the kecamatan post
    (the TPS centroid); river TPS at river speed."""
    (tmp_path / "tps.csv").write_text(
        "tps_id,district,village,voters,risk_class,lat,lon,access\n"
        "T0,D,V,300,kurang_rawan,-1.00,116.9,road\n"
        "T1,D,V,300,kurang_rawan,-1.01,116.9,road\n"
        "T2,D,V,300,kurang_rawan,-1.02,116.9,river\n",
        encoding="utf-8",
    )
    data = {
        "name": "coords",
        "seed": 1,
        "region": {"name": "R", "tps_file": "tps.csv"},
        "security": security_with_extra_patterns(),
        "incidents": {"types": [CALL]},
    }
    spec = validate_spec(data)
    sc = Scenario(spec=spec, tps=resolve_tps(spec, tmp_path))
    assert sc.tps.has_coordinates
    plan = Plan(patterns=("0-1-2",) * 3, reserves={("D", "police"): 1})
    res = simulate_response(sc, plan, calls(sc, [(0, 600, 10), (2, 700, 10), (1, 800, 10)]), 1, 0)
    km = 6371.0 * math.radians(0.01) * 1.4
    road = km / 30.0 * 60.0
    river = km / 15.0 * 60.0
    assert res.response_min.tolist() == pytest.approx([road, river, 0.0], abs=1e-9)


def test_medical_team_answers_worker_collapse() -> None:
    """Severe collapse → grave → always the Puskesmas team; fixed 20-min trip."""
    sc = micro({"incidents": {"medical": {"travel_min": 20, "teams_per_district": 1}}})
    res = respond_medical(
        sc, np.array([0, 1]), np.array([900.0, 905.0]), np.array([True, True]), 3, 0
    )
    assert res.draws.type_names[int(res.draws.type[0])] == "worker_collapse"
    assert res.final_severity[0] >= 2
    assert not res.onsite.any()
    assert res.response_min[0] == 20.0
    # The second waits for the only team: back at 900 + 20 + settle + 20.
    settle = float(res.draws.resolve_min[0])
    assert res.dispatch_min[1] == pytest.approx(900 + 40 + settle)
    assert res.units_by_agency() == {"medical": 1}


def test_medical_without_health_type_does_nothing() -> None:
    """A catalogue without a health-triggered type sends no one."""
    sc = micro()
    res = respond_medical(sc, np.array([0]), np.array([900.0]), np.array([True]), 3, 0)
    assert len(res.draws) == 0


def test_no_linmas_lowers_on_site_settlement() -> None:
    """Without a guard the on-site chance is multiplied by kpps_alone_factor (0.5)."""
    t = dict(CALL, onsite_resolve=[0.0, 0.8, 0.0])
    sc = micro({"incidents": {"types": [t]}})
    rows = [
        {"tps": 0, "type": "call", "time_min": 600.0, "onsite_u": 0.3},
        {"tps": 0, "type": "call", "time_min": 700.0, "onsite_u": 0.6},
    ]
    d = scripted_draws(sc, rows)
    plan = Plan(("0-1-2",) * 3, {})
    with_guard = simulate_response(sc, plan, d, 1, 0)
    assert with_guard.onsite.tolist() == [True, True]  # 0.3 and 0.6 < 0.8
    built = build_responders(sc, plan)
    no_guard = Responders(units=built.units, scope=built.scope, guard_present=np.zeros(3, bool))
    alone = simulate_response(sc, plan, d, 1, 0, responders=no_guard)
    assert alone.onsite.tolist() == [True, False]  # 0.3 < 0.4 ≤ 0.6


def test_merge_intervals() -> None:
    """Overlapping and touching intervals merge; others stay apart, in order."""
    assert _merge([(5.0, 7.0), (1.0, 3.0), (2.0, 4.0), (7.0, 8.0), (10.0, 11.0)]) == [
        (1.0, 4.0),
        (5.0, 8.0),
        (10.0, 11.0),
    ]


def test_effects_area_ballots_and_revote_risk() -> None:
    """Suspensions come from own effects before close and pauses after; ballots add up;
    re-vote risk combines incidents as 1 − Π(1 − p)."""
    sc = micro()
    plan = Plan(patterns=("2-1-2",) * 3, reserves={})
    d = scripted_draws(
        sc,
        [
            {"tps": 0, "type": "call", "time_min": 600.0, "effect_min": 15, "ballots_lost": 3},
            {"tps": 0, "type": "call", "time_min": 610.0, "effect_min": 15, "ballots_lost": 2},
            {"tps": 1, "type": "call", "time_min": 900.0, "effect_min": 40},
        ],
    )
    res = simulate_response(sc, plan, d, 1, 0)
    assert res.suspensions[0] == [(600.0, 625.0)]
    assert res.pauses[1] == [(900.0, 940.0)]
    assert res.ballots_lost.tolist() == [5, 0, 0]
    assert res.revote_risk[0] == pytest.approx(1 - 0.9 * 0.9)


def balikpapan_like() -> Scenario:
    districts = [
        ("Utara", 6, 254, 132229),
        ("Selatan", 7, 220, 115000),
        ("Kota", 5, 120, 62000),
        ("Barat", 6, 130, 68000),
        ("Timur", 5, 130, 68000),
        ("Tengah", 6, 142, 75000),
    ]
    data = {
        "name": "bpp-like",
        "seed": 3,
        "region": {
            "name": "R",
            "districts": [
                {"name": n, "villages": v, "tps": t, "voters": p} for n, v, t, p in districts
            ],
        },
        "security": security_with_extra_patterns(),
    }
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


def test_linmas_only_leaves_more_incidents_unresolved() -> None:
    """With no responders beyond linmas, unresolved incidents rise (paired seeds)."""
    sc = balikpapan_like()
    base = default_plan(sc)
    bare = Plan(patterns=("0-1-2",) * len(sc.tps), reserves={})
    total_base = total_bare = 0
    for rep in range(5):
        d = draw_incidents(sc, 8, rep)
        a = simulate_response(sc, base, d, 8, rep)
        b = simulate_response(sc, bare, d, 8, rep)
        assert b.unresolved.sum() >= a.unresolved.sum()
        total_base += int(a.unresolved.sum())
        total_bare += int(b.unresolved.sum())
    assert total_bare > total_base


def busy_scenario() -> Scenario:
    """Three kecamatan at five times the default incident rates, so responders queue."""
    types = [
        t.model_copy(update={"rate_per_tps_day": t.rate_per_tps_day * 5}).model_dump(mode="json")
        for t in default_incident_types()
    ]
    districts = [("Utara", 6, 254, 132229), ("Selatan", 7, 220, 115000), ("Kota", 5, 120, 62000)]
    data = {
        "name": "busy",
        "seed": 3,
        "region": {
            "name": "R",
            "districts": [
                {"name": n, "villages": v, "tps": t, "voters": p} for n, v, t, p in districts
            ],
        },
        "security": security_with_extra_patterns(),
        "incidents": {"types": types},
    }
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


def test_more_reserve_police_never_lengthen_mean_response() -> None:
    """Metamorphic on paired seeds: with linmas at the TPS and reserve police at each post,
    1 → 2 → 4 teams per kecamatan never lengthens the mean response time, and the first
    extra team shortens it on most days (calls queue at this load)."""
    sc = busy_scenario()
    n = len(sc.tps)
    shorter = 0
    for rep in range(10):
        d = draw_incidents(sc, 30, rep)
        means, unresolved = [], []
        for teams in (1, 2, 4):
            reserves = {(name, "police"): teams for name in sc.tps.district_names}
            res = simulate_response(sc, Plan(("0-1-2",) * n, reserves), d, 30, rep)
            means.append(float(np.nanmean(res.response_min)))
            unresolved.append(int(res.unresolved.sum()))
        assert means[1] <= means[0] + 1e-9
        assert means[2] <= means[1] + 1e-9
        assert unresolved[2] <= unresolved[1] <= unresolved[0]
        shorter += means[1] < means[0] - 1e-9
    assert shorter >= 5


def test_police_at_every_tps_never_lengthen_mean_response() -> None:
    """Metamorphic on paired seeds: 2-1-2 at every TPS (police stationed) never lengthens the
    mean response time nor leaves more unresolved than the policy default."""
    sc = balikpapan_like()
    base = default_plan(sc)
    richer = Plan(patterns=("2-1-2",) * len(sc.tps), reserves=base.reserves)
    for rep in range(10):
        d = draw_incidents(sc, 30, rep)
        a = simulate_response(sc, base, d, 30, rep)
        b = simulate_response(sc, richer, d, 30, rep)
        assert np.nanmean(b.response_min) <= np.nanmean(a.response_min) + 1e-9
        assert b.unresolved.sum() <= a.unresolved.sum()


def test_smaller_patrol_groups_shorten_response_on_average() -> None:
    """2-6-12 → 2-4-8 (more police per TPS) shortens the mean response over paired days.

    Not on every day: a patrol team is at the incident's TPS by its rotation, so on a given
    day the larger team may happen to be there (docs/model.md)."""
    sc = balikpapan_like()
    base = default_plan(sc)
    richer = Plan(
        patterns=tuple("2-4-8" if p == "2-6-12" else p for p in base.patterns),
        reserves=base.reserves,
    )
    a_means, b_means = [], []
    for rep in range(20):
        d = draw_incidents(sc, 30, rep)
        a_means.append(np.nanmean(simulate_response(sc, base, d, 30, rep).response_min))
        b_means.append(np.nanmean(simulate_response(sc, richer, d, 30, rep).response_min))
    diff = np.array(a_means) - np.array(b_means)
    assert diff.mean() > 0


def test_response_metrics_from_the_micro_queue() -> None:
    """DESIGN §5 metrics of the one-team queue: 3 incidents, mean 36.7 min, p90 by numpy's
    linear rule, utilisation 100/840, per-TPS columns."""
    sc = micro()
    plan = Plan(patterns=("0-1-2",) * 3, reserves={("D", "police"): 1})
    res = simulate_response(sc, plan, calls(sc, [(0, 600, 20), (1, 615, 15), (2, 620, 5)]), 1, 0)
    scalars, per_tps = response_metrics([res], 3)
    assert scalars["incidents_total"] == 3
    assert scalars["incidents_call"] == 3
    assert scalars["incidents_unresolved"] == 0
    assert scalars["escalations"] == 2
    assert scalars["response_mean_min"] == pytest.approx(110 / 3)
    assert scalars["response_p90_min"] == pytest.approx(35 + 0.8 * 30)
    assert scalars["utilisation_police"] == pytest.approx(100 / 840)
    assert "utilisation_medical" not in scalars  # no medical pass given
    idle = respond_medical(sc, np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), 1, 0)
    scalars, _ = response_metrics([res, idle], 3)
    assert scalars["utilisation_medical"] == 0.0
    assert scalars["utilisation_police"] == pytest.approx(100 / 840)
    assert scalars["revote_risk_tps"] == pytest.approx(0.1 + 0.35 + 0.35)
    assert per_tps["response_sum_min"].tolist() == [10.0, 35.0, 65.0]
    assert per_tps["suspended_min"].tolist() == [0.0, 20.0, 20.0]
