"""Incidents, responders and logistics inside the simulated day: engine agreement with
suspensions and late openings, common random numbers across plans, metrics, traces."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import default_incident_types
from planner.sim.day import simulate_day, trace_day
from planner.sim.metrics import replication_result


def make(extra: dict[str, Any] | None = None, tps: int = 24, rate_factor: float = 1.0) -> Scenario:
    types = [
        t.model_copy(update={"rate_per_tps_day": t.rate_per_tps_day * rate_factor}).model_dump(
            mode="json"
        )
        for t in default_incident_types()
    ]
    data: dict[str, Any] = {
        "name": "ops",
        "seed": 4,
        "region": {
            "name": "R",
            "districts": [
                {"name": "A", "villages": 3, "tps": tps // 2, "voters": tps // 2 * 450},
                {
                    "name": "B",
                    "villages": 2,
                    "tps": tps - tps // 2,
                    "voters": (tps - tps // 2) * 450,
                },
            ],
        },
        "incidents": {"types": types},
    }
    for key, value in (extra or {}).items():
        data[key] = {**data.get(key, {}), **copy.deepcopy(value)}
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


TROUBLED = {
    "logistics": {"kit_damaged_prob": 0.3, "kit_short_prob": 0.2},
    "staff": {"health": {"base_ill_per_100k_h": 20000.0}},
}


def test_engines_agree_with_suspensions_and_late_openings() -> None:
    """The batch and SimPy reference voter engines give the same per-voter times on a day
    with many incidents (suspensions, counting pauses) and late kits."""
    sc = make(TROUBLED, rate_factor=40.0)
    for rep in range(2):
        a = simulate_day(sc, 9, rep, engine="batch")
        b = simulate_day(sc, 9, rep, engine="reference")
        response = a.extras["response"]
        assert sum(len(s) for s in response.suspensions) > 0
        assert (a.opening.open_min > 420).any()
        np.testing.assert_array_equal(a.queue.outcome, b.queue.outcome)
        for name in ("start_min", "end_min", "leave_min"):
            x, y = getattr(a.queue, name), getattr(b.queue, name)
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
            ok = ~np.isnan(x)
            assert np.max(np.abs(x[ok] - y[ok]), initial=0.0) <= 1e-9
        np.testing.assert_allclose(a.counting.finish_min, b.counting.finish_min, atol=1e-9)


def test_no_service_starts_inside_a_suspension() -> None:
    """Voters queue through a suspension; nobody's service starts inside one."""
    sc = make(rate_factor=40.0)
    day = simulate_day(sc, 3, 0)
    response = day.extras["response"]
    checked = 0
    for i, spans in enumerate(response.suspensions):
        starts = day.queue.start_min[:, i, :]
        for s, e in spans:
            inside = (starts > s + 1e-9) & (starts < e - 1e-9)
            assert not np.any(inside[~np.isnan(starts)]), (i, s, e)
            checked += 1
    assert checked > 0


def test_same_seed_two_plans_identical_triggers_in_the_day() -> None:
    """Two plans, one seed: the same attempts and the same kits; with deterrence off the same
    incidents (time, TPS, type), only the responders differ; with it on, the heavier plan's
    presence stops more of the same attempts."""
    for deterrence in (False, True):
        sc = make({"incidents": {"deterrence": {"enabled": deterrence}}}, rate_factor=10.0)
        a = simulate_day(sc, 7, 0, plan=default_plan(sc))
        b = simulate_day(sc, 7, 0, plan=Plan(("2-1-2",) * len(sc.tps), reserves={}))
        ra, rb = a.extras["response"], b.extras["response"]
        assert len(ra.draws) > 0
        np.testing.assert_array_equal(
            ra.deterrence.per_tps["attempted"], rb.deterrence.per_tps["attempted"]
        )
        np.testing.assert_array_equal(a.opening.open_min, b.opening.open_min)
        if deterrence:
            assert np.all(rb.deterrence.per_tps["deterred"] >= ra.deterrence.per_tps["deterred"])
        else:
            assert ra.draws.triggers() == rb.draws.triggers()
            assert not np.array_equal(ra.unit, rb.unit)


def test_ballots_lost_in_incidents_come_off_the_ballots() -> None:
    """Ballots for voters = the kit's ballots available − ballots lost in incidents."""
    sc = make(rate_factor=40.0)
    day = simulate_day(sc, 2, 0)
    lost = day.extras["response"].ballots_lost
    assert lost.sum() > 0
    expected = np.maximum(day.opening.logistics.ballots_available - lost, 0)
    np.testing.assert_array_equal(day.opening.ballots, expected)


def test_medical_teams_answer_every_health_event() -> None:
    """Each KPPS health event becomes a worker-collapse incident for the medical teams."""
    sc = make(TROUBLED)
    day = simulate_day(sc, 5, 0)
    events = int(np.isfinite(day.staff.ill_min).sum())
    medical = day.extras["medical"]
    assert events > 0
    assert len(medical.draws) == events
    assert set(medical.draws.type_names[int(k)] for k in medical.draws.type) == {"worker_collapse"}
    severe = int(day.staff.severe.sum())
    assert int((medical.draws.severity == 2).sum()) == severe


def test_metrics_filled_and_enabled() -> None:
    """The DESIGN §5 metrics of this part are present, enabled and consistent."""
    sc = make(TROUBLED, rate_factor=10.0)
    day = simulate_day(sc, 1, 0)
    res = replication_result(day)
    for name in (
        "incidents_total",
        "incidents_unresolved",
        "response_mean_min",
        "response_p90_min",
        "tps_opened_late",
        "open_delay_mean_min",
        "logistics_late_tps",
        "ballot_short_tps",
        "revote_risk_tps",
        "results_complete_last_clock_min",
        "utilisation_police",
        "incidents_dispute",
    ):
        assert name in res.scalars, name
        assert res.enabled.get(name, True), name
    response = day.extras["response"]
    medical = day.extras["medical"]
    assert res.scalars["incidents_total"] == len(response.draws) + len(medical.draws)
    per_type = sum(
        v
        for k, v in res.scalars.items()
        if k.startswith("incidents_")
        and k
        not in (
            "incidents_total",
            "incidents_unresolved",
        )
    )
    assert per_type == res.scalars["incidents_total"]
    assert res.scalars["tps_opened_late"] == float(res.per_tps["opened_late"].sum())
    assert res.per_district["incidents"].sum() == res.per_tps["incidents"].sum()
    assert len(res.per_district["results_complete_clock_min"]) == 2


def test_everything_off_reports_disabled_zeros() -> None:
    """Incidents and logistics off: their metrics are 0 and flagged disabled; every TPS
    opens at 07:00 with DPT + reserve."""
    sc = make({"incidents": {"enabled": False}, "logistics": {"enabled": False}})
    day = simulate_day(sc, 1, 0)
    res = replication_result(day)
    for name in ("incidents_total", "tps_opened_late", "revote_risk_tps", "ballot_short_tps"):
        assert res.scalars[name] == 0.0
        assert res.enabled[name] is False
    assert np.all(day.opening.open_min == 420.0)
    np.testing.assert_array_equal(day.opening.ballots, sc.ballots_needed())


def test_incidents_without_logistics_can_still_delay_opening() -> None:
    """Logistics off, incidents on: a suspension over 07:00 still counts as a late opening."""
    sc = make({"logistics": {"enabled": False}}, rate_factor=60.0)
    for rep in range(3):
        day = simulate_day(sc, 3, rep)
        res = replication_result(day)
        assert res.enabled["tps_opened_late"] is True
        covering = sum(
            any(s <= 420.0 < e for s, e in spans) for spans in day.extras["response"].suspensions
        )
        assert res.scalars["tps_opened_late"] == covering


def test_trace_shows_kits_incidents_dispatch_and_suspensions() -> None:
    """--trace: the kit's journey, the incidents, the responders' dispatch and arrival, and
    voting suspensions appear with the voters and staff in one log."""
    sc = make(rate_factor=40.0)
    day = simulate_day(sc, 6, 0)
    response = day.extras["response"]
    dispatched = response.unit >= 0
    suspended = np.array([len(s) > 0 for s in response.suspensions])
    candidates = [
        i for i in range(len(sc.tps)) if suspended[i] and dispatched[response.draws.tps == i].any()
    ]
    assert candidates
    i = candidates[0]
    log = trace_day(sc, 6, sc.tps.tps_id[i], replication=0)
    whats = [what for _, _, what, _ in log.sorted_rows()]
    for expected in ("kits at PPK", "kit at TPS", "voting suspended", "results at PPS"):
        assert expected in whats, expected
    assert any(w.startswith("dispatched to") for w in whats)
    assert any(w.startswith("arrived for") for w in whats)
    assert any(w.startswith("dispute") or "(" in w for w in whats)
    assert "counting starts" in whats  # the core's rows are in the same log
    times = [t for t, _, _, _ in log.sorted_rows()]
    assert times == sorted(times)


@pytest.mark.slow
def test_balikpapan_headline_orders_of_magnitude() -> None:
    """Balikpapan with the default policy: late openings of the real order (1.25% late in
    Pilkada 2024, security-effects §4) — a factor-3 band, not a calibration (that is
    tests/sim/test_record_check.py)."""
    from planner.scenario.load import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "balikpapan-2024.yaml")
    late = []
    for rep in range(4):
        res = replication_result(simulate_day(sc, 1, rep))
        late.append(res.scalars["tps_opened_late"] / len(sc.tps))
    assert 0.0125 / 3 < float(np.mean(late)) < 0.0125 * 3


def test_every_plan_reports_the_same_metric_names() -> None:
    """Utilisation of every agency the catalogue can call is reported even when a plan
    deploys none of its units (e.g. no TNI), so plans can be compared metric by metric."""
    sc = make()
    a = replication_result(simulate_day(sc, 1, 0, plan=default_plan(sc)))
    b = replication_result(simulate_day(sc, 1, 0, plan=Plan(("2-1-2+tni",) * len(sc.tps), {})))
    util_a = {k for k in a.scalars if k.startswith("utilisation_")}
    util_b = {k for k in b.scalars if k.startswith("utilisation_")}
    assert util_a == util_b == {"utilisation_police", "utilisation_tni", "utilisation_medical"}
    assert a.scalars["utilisation_tni"] == 0.0
