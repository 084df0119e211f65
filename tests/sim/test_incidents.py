"""Incident triggers: Poisson counts, phase/hourly profile, class scaling, area events, and
independence from the plan (common random numbers)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.errors import UserError
from planner.scenario.injects import resolve_injects
from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import Incidents, default_incident_types
from planner.sim.incidents import (
    class_multipliers,
    draw_incidents,
    inject_collapses,
    inject_draws,
    merge_draws,
    phase_windows,
    scripted_draws,
)
from planner.sim.response import simulate_response


def make(data: dict[str, Any]) -> Scenario:
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


def region(tps: int = 500, villages: int = 10, districts: int = 1) -> dict[str, Any]:
    return {
        "name": "R",
        "districts": [
            {"name": f"D{d}", "villages": villages, "tps": tps, "voters": tps * 400}
            for d in range(districts)
        ],
    }


def one_type(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "probe",
        "rate_per_tps_day": 0.5,
        "class_scaled": False,
        "phases": {"pre_open": 0.0, "voting": 1.0, "counting": 0.0},
    }
    base.update(fields)
    return base


def test_default_catalogue_has_the_required_types_with_sources() -> None:
    """The bundled catalogue has every type the issue names, each with a source."""
    names = {t.name for t in default_incident_types()}
    assert {
        "dispute",
        "intimidation",
        "vote_buying",
        "multiple_voting",
        "swapped_ballots",
        "damaged_ballots",
        "power_cut",
        "flood",
        "worker_collapse",
    } <= names
    for t in default_incident_types():
        assert t.source, t.name
    kinds = {t.name: t for t in default_incident_types()}
    assert kinds["worker_collapse"].trigger == "health"
    assert kinds["flood"].area == "district"
    assert kinds["power_cut"].area == "village"
    assert Incidents().types == default_incident_types()


def test_counts_per_tps_are_poisson_with_the_rate() -> None:
    """One type at 0.5 per TPS-day: mean count within 4 SE, variance ≈ mean (dispersion)."""
    sc = make({"name": "p", "seed": 1, "region": region(), "incidents": {"types": [one_type()]}})
    counts = np.concatenate(
        [np.bincount(draw_incidents(sc, 7, r).tps, minlength=len(sc.tps)) for r in range(8)]
    )
    n = len(counts)
    lam = 0.5
    assert abs(counts.mean() - lam) < 4 * math.sqrt(lam / n)
    # Index of dispersion: (n − 1) s² / mean ~ χ²(n − 1), sd sqrt(2(n − 1)).
    dispersion = (n - 1) * counts.var(ddof=1) / counts.mean()
    assert abs(dispersion - (n - 1)) < 4 * math.sqrt(2 * (n - 1))
    # P(0) = e^{-λ}
    p0 = math.exp(-lam)
    assert abs((counts == 0).mean() - p0) < 4 * math.sqrt(p0 * (1 - p0) / n)


def test_phase_and_hourly_profile_respected() -> None:
    """Phase shares follow the weights; within voting each hour gets its equal share; no
    incident falls outside the windows."""
    t = one_type(rate_per_tps_day=2.0, phases={"pre_open": 0.2, "voting": 0.5, "counting": 0.3})
    sc = make({"name": "p", "seed": 1, "region": region(), "incidents": {"types": [t]}})
    d = draw_incidents(sc, 3, 0)
    n = len(d)
    windows = phase_windows(sc)
    assert windows == [(360.0, 420.0), (420.0, 780.0), (780.0, 1200.0)]
    for phase, share in enumerate((0.2, 0.5, 0.3)):
        got = (d.phase == phase).mean()
        assert abs(got - share) < 4 * math.sqrt(share * (1 - share) / n)
        lo, hi = windows[phase]
        inside = d.time_min[d.phase == phase]
        assert np.all((inside >= lo) & (inside < hi))
    voting = d.time_min[d.phase == 1]
    per_hour = np.bincount(((voting - 420) // 60).astype(int), minlength=6)
    assert len(per_hour) == 6
    expected = len(voting) / 6
    p = 1 / 6
    for c in per_hour:
        assert abs(c - expected) < 4 * math.sqrt(len(voting) * p * (1 - p))
    # Hours outside every window have none.
    assert not np.any(d.time_min < 360) and not np.any(d.time_min >= 1200)


def test_empty_phase_is_dropped() -> None:
    """With staff arriving at opening there is no pre-open window: all events vote-time."""
    t = one_type(phases={"pre_open": 0.5, "voting": 0.5, "counting": 0.0})
    sc = make(
        {
            "name": "p",
            "seed": 1,
            "day": {"staff_arrive": "07:00"},
            "region": region(100),
            "incidents": {"types": [t]},
        }
    )
    d = draw_incidents(sc, 3, 0)
    assert len(d) > 0 and np.all(d.phase == 1)


def test_class_multipliers_average_to_one_over_class_shares() -> None:
    """Normalised multipliers: Σ share × m = 1 exactly, ratio sangat rawan/kurang rawan = 5."""
    sc = make({"name": "p", "seed": 1, "region": region(2000, 40)})
    m = class_multipliers(sc)
    classes = sc.spec.risk.classes
    table = sc.spec.incidents.class_rate_multiplier
    mean = sum(c.share * table[name] for name, c in classes.items())
    by_class = {sc.tps.class_names[c]: m[sc.tps.risk_class == c][0] for c in set(sc.tps.risk_class)}
    assert set(by_class) == set(classes)
    assert math.isclose(sum(classes[k].share * by_class[k] for k in by_class), 1.0)
    assert math.isclose(by_class["kurang_rawan"], 1.0 / mean)
    assert math.isclose(by_class["sangat_rawan"] / by_class["kurang_rawan"], 5.0)


def test_class_scaled_rates_follow_the_class() -> None:
    """A class-scaled type: counts at sangat rawan TPS ≈ 5 × those at kurang rawan."""
    t = one_type(rate_per_tps_day=1.0, class_scaled=True)
    shares = {
        "kurang_rawan": {"share": 0.5, "weight": 1},
        "rawan": {"share": 0.0, "weight": 2},
        "sangat_rawan": {"share": 0.5, "weight": 5},
        "khusus": {"share": 0.0, "weight": 3},
    }
    sc = make(
        {
            "name": "p",
            "seed": 1,
            "region": region(1000, 20),
            "risk": {"classes": shares},
            "incidents": {"types": [t]},
        }
    )
    d = draw_incidents(sc, 5, 0)
    low = sc.tps.risk_class == sc.tps.class_names.index("kurang_rawan")
    high = ~low
    per_low = np.bincount(d.tps, minlength=len(sc.tps))[low].mean()
    per_high = np.bincount(d.tps, minlength=len(sc.tps))[high].mean()
    # Normalised: 0.5 × m + 0.5 × 5m = 1 → m = 1/3; expected 1/3 and 5/3 per TPS.
    assert abs(per_low - 1 / 3) < 4 * math.sqrt((1 / 3) / low.sum())
    assert abs(per_high - 5 / 3) < 4 * math.sqrt((5 / 3) / high.sum())


def test_area_event_hits_every_tps_of_the_village_at_once() -> None:
    """A village-wide event: all its TPS share time, severity and event number."""
    t = one_type(area="village", rate_per_tps_day=0.3, area_hit_share=1.0)
    sc = make({"name": "p", "seed": 1, "region": region(200, 20), "incidents": {"types": [t]}})
    total_events = 0
    for r in range(20):
        d = draw_incidents(sc, 2, r)
        for e in np.unique(d.area_event):
            rows = d.area_event == e
            villages = np.unique(sc.tps.village[d.tps[rows]])
            assert len(villages) == 1
            members = np.flatnonzero(sc.tps.village == villages[0])
            assert sorted(d.tps[rows].tolist()) == members.tolist()
            assert len(np.unique(d.time_min[rows])) == 1
            assert len(np.unique(d.severity[rows])) == 1
            total_events += 1
    expected = 0.3 * 20 * 20
    assert abs(total_events - expected) < 4 * math.sqrt(expected)


def test_area_hit_share_reaches_that_share_of_tps() -> None:
    """area_hit_share = 0.25: each TPS of a hit kecamatan is reached with probability 0.25."""
    t = one_type(area="district", rate_per_tps_day=1.0, area_hit_share=0.25)
    sc = make(
        {
            "name": "p",
            "seed": 1,
            "region": region(100, 5, districts=4),
            "incidents": {"types": [t]},
        }
    )
    hits = 0
    exposures = 0
    for r in range(20):
        d = draw_incidents(sc, 4, r)
        for e in np.unique(d.area_event):
            rows = d.area_event == e
            hits += int(rows.sum())
            exposures += 100
    assert exposures > 0
    p = 0.25
    assert abs(hits / exposures - p) < 4 * math.sqrt(p * (1 - p) / exposures)


def test_severity_follows_its_distribution_and_scales_effects() -> None:
    """Severity shares match; the suspension is the drawn duration × the severity scale."""
    t = one_type(
        rate_per_tps_day=3.0,
        severity=[0.5, 0.3, 0.2],
        suspend_voting_min=10,
        severity_effect_scale=[0.5, 1.0, 2.0],
    )
    sc = make({"name": "p", "seed": 1, "region": region(), "incidents": {"types": [t]}})
    d = draw_incidents(sc, 1, 0)
    n = len(d)
    for s, p in enumerate((0.5, 0.3, 0.2)):
        assert abs((d.severity == s).mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
    assert np.array_equal(d.effect_min, np.array([5.0, 10.0, 20.0])[d.severity])


def test_same_seed_two_plans_identical_triggers() -> None:
    """Two different plans simulated with the same seed see the same incidents: time, TPS,
    type, severity and every drawn duration."""
    sc = make({"name": "p", "seed": 1, "region": region(300, 10, districts=2)})
    plan_a = default_plan(sc)
    plan_b = Plan(patterns=("2-1-2",) * len(sc.tps), reserves={}, label="b")
    for rep in range(3):
        a = simulate_response(sc, plan_a, draw_incidents(sc, 21, rep), 21, rep)
        b = simulate_response(sc, plan_b, draw_incidents(sc, 21, rep), 21, rep)
        assert a.draws.triggers() == b.draws.triggers()
        assert len(a.draws) > 0
        for key in ("severity", "resolve_min", "onsite_u", "ballots_lost"):
            assert np.array_equal(getattr(a.draws, key), getattr(b.draws, key))
        assert not np.array_equal(a.unit, b.unit)


def test_draws_are_reproducible_and_differ_across_replications() -> None:
    """Same seed and replication → identical; another replication → different."""
    sc = make({"name": "p", "seed": 1, "region": region()})
    a, b, c = draw_incidents(sc, 5, 0), draw_incidents(sc, 5, 0), draw_incidents(sc, 5, 1)
    assert a.triggers() == b.triggers()
    assert a.triggers() != c.triggers()


def test_adding_a_type_leaves_the_other_types_draws_unchanged() -> None:
    """Each type has its own stream: a new type does not shift the others."""
    base = [one_type(name="a"), one_type(name="b", rate_per_tps_day=0.2)]
    sc1 = make({"name": "p", "seed": 1, "region": region(), "incidents": {"types": base}})
    extra = [*base, one_type(name="c", rate_per_tps_day=0.7)]
    sc2 = make({"name": "p", "seed": 1, "region": region(), "incidents": {"types": extra}})
    d1, d2 = draw_incidents(sc1, 3, 0), draw_incidents(sc2, 3, 0)
    keep = [x for x in d2.triggers() if x[2] != "c"]
    assert d1.triggers() == keep


def test_disabled_and_health_types_draw_nothing() -> None:
    """incidents.enabled false: no incidents; health-triggered types have no rate draws."""
    sc = make({"name": "p", "seed": 1, "region": region(), "incidents": {"enabled": False}})
    assert len(draw_incidents(sc, 1, 0)) == 0
    sc = make({"name": "p", "seed": 1, "region": region()})
    d = draw_incidents(sc, 1, 0)
    assert d.counts_by_type()["worker_collapse"] == 0


def test_scripted_draws_take_the_given_values() -> None:
    """Scripted incidents (tests, trainer injects) keep exactly what is given."""
    sc = make({"name": "p", "seed": 1, "region": region(10, 2)})
    d = scripted_draws(
        sc,
        [
            {"tps": 3, "type": "dispute", "time_min": 700.0, "severity": 2, "resolve_min": 12},
            {"tps": 1, "type": "power_cut", "time_min": 900.0, "effect_min": 30},
        ],
    )
    assert d.triggers() == [(700.0, 3, "dispute"), (900.0, 1, "power_cut")]
    assert d.phase.tolist() == [1, 2]
    assert d.resolve_min[0] == 12 and d.effect_min[1] == 30
    # Defaults: dispute's mean suspension (17.5) × grave scale 2.
    assert d.effect_min[0] == pytest.approx(35.0)


def test_injects_become_scripted_incidents() -> None:
    """A flood on a village hits each of its TPS at the inject time for its duration; a
    protest is a major dispute; a power cut pauses counting only after close."""
    sc = make({"name": "p", "seed": 1, "region": region(30, 3)})
    village = sc.tps.village_names[0]
    tps0 = sc.tps.tps_id[5]
    events = resolve_injects(
        [
            f"flood@{village}@08:00+2h",
            f"protest@{tps0}@10:15+40min",
            f"power-cut@{village}@20:00+45min",
            f"power-cut@{village}@09:00+45min",
            f"collapse@{tps0}@19:30",
        ],
        sc.tps,
    )
    d = inject_draws(sc, events)
    members = np.flatnonzero(sc.tps.village == 0)
    flood = d.type == d.type_names.index("flood")
    assert sorted(d.tps[flood].tolist()) == members.tolist()
    assert np.all(d.time_min[flood] == 480.0) and np.all(d.effect_min[flood] == 120.0)
    assert len(np.unique(d.area_event[flood])) == 1 and d.area_event[flood][0] >= 0
    protest = d.type == d.type_names.index("dispute")
    assert d.tps[protest].tolist() == [5] and d.severity[protest].tolist() == [1]
    assert d.effect_min[protest].tolist() == [40.0]
    cut = d.type == d.type_names.index("power_cut")
    assert np.all(d.effect_min[cut & (d.time_min == 1200.0)] == 45.0)
    assert np.all(np.isnan(d.effect_min[cut & (d.time_min == 540.0)]))
    assert d.scripted.all()
    tps, times = inject_collapses(events)
    assert tps.tolist() == [5] and times.tolist() == [1170.0]
    # Merged with the day's random incidents, in time order, marked apart.
    both = merge_draws(draw_incidents(sc, 1, 0), d)
    assert len(both) == len(d) + len(draw_incidents(sc, 1, 0))
    assert np.all(np.diff(both.time_min) >= 0)
    assert both.scripted.sum() == len(d)
    res = simulate_response(sc, default_plan(sc), both, 1, 0)
    i = int(d.tps[protest][0])
    assert any(s <= 615.0 and e >= 655.0 for s, e in res.suspensions[i])


def test_inject_needing_a_missing_type_is_a_user_error() -> None:
    """A flood inject with no flood type in the catalogue: one clear UserError."""
    sc = make({"name": "p", "seed": 1, "region": region(10, 2), "incidents": {"types": []}})
    events = resolve_injects([f"flood@{sc.tps.village_names[0]}@08:00"], sc.tps)
    with pytest.raises(UserError, match="needs incident type 'flood'"):
        inject_draws(sc, events)
