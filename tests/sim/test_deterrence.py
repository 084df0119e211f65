"""Presence, deterrence, displacement and detection (planner.sim.presence, .deterrence).

Exact checks for the deterministic parts (the patrol timeline, residual decay, the stop
probability formula, conservation of attempts), metamorphic checks on paired draws (more
presence never starts more incidents at its own TPS; zero strengths equal deterrence off
equal the attempts), and stochastic checks against the parameters within 4 standard errors.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.scenario.load import load_scenario, resolve_tps, validate_spec
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import PresenceEffect, default_incident_types
from planner.sim.attempts import RECORDED_RATE, recorded_share
from planner.sim.deterrence import apply_deterrence, displacement_target
from planner.sim.incidents import draw_incidents, scripted_draws
from planner.sim.presence import build_presence

REPO = Path(__file__).resolve().parents[2]


def make(extra: dict[str, Any] | None = None, rate_factor: float = 1.0, tps: int = 24) -> Scenario:
    """Two kecamatan of 24 TPS in villages of 4+ (so patrols are per village), the default
    catalogue with rates scaled by `rate_factor`."""
    types = [
        t.model_copy(update={"rate_per_tps_day": t.rate_per_tps_day * rate_factor}).model_dump(
            mode="json"
        )
        for t in default_incident_types()
    ]
    data: dict[str, Any] = {
        "name": "deterrence",
        "seed": 5,
        "region": {
            "name": "R",
            "districts": [
                {"name": "A", "villages": 2, "tps": tps // 2, "voters": tps // 2 * 400},
                {
                    "name": "B",
                    "villages": 2,
                    "tps": tps - tps // 2,
                    "voters": (tps - tps // 2) * 400,
                },
            ],
        },
        "incidents": {"types": types},
    }
    for key, value in (extra or {}).items():
        data[key] = {**data.get(key, {}), **copy.deepcopy(value)}
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, REPO))


def uniform_plan(sc: Scenario, pattern: str) -> Plan:
    return Plan((pattern,) * len(sc.tps), reserves={})


def test_patrol_timeline_is_the_rotation() -> None:
    """A 2-6-12 team visits each of its six TPS for one dwell in turn from staff arrival;
    `visits`, `patrol_at` and the minutes since it left agree with the rotation."""
    sc = make({"incidents": {"response": {"patrol_dwell_min": 60}}})
    pres = build_presence(sc, uniform_plan(sc, "2-6-12"))
    start, dwell = pres.start_min, pres.dwell_min
    assert (start, dwell) == (360.0, 60.0)
    i = int(np.flatnonzero(pres.patrol_pos == 2)[0])
    k = int(pres.patrol_k[i])
    assert k == 6 and pres.patrol_size[i] == 2 and pres.stationed[i] == 0
    assert pres.linmas[i] == 2
    visits = pres.visits(i, start + 2 * k * dwell)
    assert visits == [
        (start + 2 * dwell, start + 3 * dwell),
        (start + 8 * dwell, start + 9 * dwell),
    ]
    times = np.array([start - 1, start + 2.5 * dwell, start + 3.5 * dwell, start + 7 * dwell])
    present, since = pres.patrol_at(np.full(4, i), times)
    assert present.tolist() == [False, True, False, False]
    assert since[0] == math.inf  # before the first visit: no residual
    assert since[1] == 0.0
    assert since[2] == pytest.approx(0.5 * dwell)
    assert since[3] == pytest.approx(4 * dwell)


def test_stop_probability_formula_and_residual_decay() -> None:
    """1 − (1 − s_st)^(n/2)(1 − s_li)^(n/2)(1 − p_patrol), p_patrol decaying as exp(−Δ/τ)."""
    sc = make({"incidents": {"response": {"patrol_dwell_min": 60}}})
    e = PresenceEffect(stationed=0.6, patrol=0.5, linmas=0.2, displacement=0.5)
    pres = build_presence(sc, uniform_plan(sc, "2-6-12"))
    i = int(np.flatnonzero(pres.patrol_pos == 0)[0])
    start, dwell, tau = pres.start_min, pres.dwell_min, pres.tau_min
    t = np.array([start + 10, start + dwell + 30, start + dwell + 90])
    got = pres.stop_probability(e, np.full(3, i), t)
    linmas_keep = 1 - 0.2  # two linmas = the reference two
    want = [
        1 - linmas_keep * (1 - 0.5),
        1 - linmas_keep * (1 - 0.5 * math.exp(-30 / tau)),
        1 - linmas_keep * (1 - 0.5 * math.exp(-90 / tau)),
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    stationed = build_presence(sc, uniform_plan(sc, "4-1-4"))  # 4 police, 4 linmas per TPS
    p = stationed.stop_probability(e, np.array([0]), np.array([start + 100]))
    assert p[0] == pytest.approx(1 - (1 - 0.6) ** 2 * (1 - 0.2) ** 2, rel=1e-12)


def _draws(sc: Scenario, seed: int, rep: int) -> Any:
    return draw_incidents(sc, seed, rep)


def test_more_presence_never_starts_more_incidents_at_its_own_tps() -> None:
    """Paired draws: raising the pattern at some TPS (2-6-12 → 2-1-2) never lets more
    attempts go ahead at those TPS (at home or displaced there), replication by replication,
    so their disputes and intimidation never rise; their fraud can only be caught more
    often (more presence watches), so recorded fraud may rise while fraud that happened
    falls."""
    sc = make(rate_factor=30.0)
    base = default_plan(sc)
    up = list(base.patterns)
    raised = [0, 5, 13, 20]
    for i in raised:
        up[i] = "2-1-2"
    heavier = Plan(tuple(up), reserves=base.reserves)
    not_fraud = [
        k
        for k, t in enumerate(sc.spec.incidents.types)
        if t.presence is not None and not t.presence.fraud
    ]
    fewer = 0
    for rep in range(40):
        attempts = _draws(sc, 5, rep)
        a, ra = apply_deterrence(sc, base, attempts, 5, rep)
        b, rb = apply_deterrence(sc, heavier, attempts, 5, rep)
        assert ra is not None and rb is not None
        for i in raised:
            went_a = ra.per_tps["attempted"][i] - ra.per_tps["deterred"][i]
            went_b = rb.per_tps["attempted"][i] - rb.per_tps["deterred"][i]
            assert went_b <= went_a, (rep, i)
            assert rb.per_tps["displaced_ahead"][i] <= ra.per_tps["displaced_ahead"][i], (rep, i)
            na = int(np.isin(a.type[a.tps == i], not_fraud).sum())
            nb = int(np.isin(b.type[b.tps == i], not_fraud).sum())
            assert nb <= na, (rep, i, na, nb)
            fewer += int(went_a - went_b)
    assert fewer > 0  # the test can see a difference


def test_zero_strengths_and_deterrence_off_are_the_attempts() -> None:
    """With every strength 0 and no fraud, or deterrence switched off, the incidents are
    exactly the attempts (so the day is the model before deterrence)."""
    sc = make(rate_factor=20.0)
    off = make({"incidents": {"deterrence": {"enabled": False}}}, rate_factor=20.0)
    zero_types = [
        t.model_copy(
            update={
                "presence": None
                if t.presence is None
                else PresenceEffect(stationed=0, patrol=0, linmas=0, displacement=0)
            }
        ).model_dump(mode="json")
        for t in sc.spec.incidents.types
    ]
    zero = make({"incidents": {"types": zero_types}})
    plan = default_plan(sc)
    for rep in range(5):
        attempts = _draws(sc, 5, rep)
        for scenario in (zero, off):
            got, result = apply_deterrence(scenario, plan, attempts, 5, rep)
            assert got.triggers() == attempts.triggers()
            assert result is not None
            assert result.per_tps["deterred"].sum() == 0
            assert result.per_tps["undetected"].sum() == 0


def test_attempts_are_conserved() -> None:
    """attempted = went ahead + deterred; deterred = prevented + displaced; every incident
    of a deterrable type is an attempt that went ahead (at home or displaced) and was caught
    or found later; undetected ones are not incidents."""
    sc = make(rate_factor=30.0)
    plan = default_plan(sc)
    deterrable = [k for k, t in enumerate(sc.spec.incidents.types) if t.presence is not None]
    for rep in range(10):
        attempts = _draws(sc, 5, rep)
        got, res = apply_deterrence(sc, plan, attempts, 5, rep)
        assert res is not None
        for name, c in res.by_type.items():
            assert c["deterred"] == c["prevented"] + c["displaced"], name
            ahead = c["attempted"] - c["deterred"] + c["displaced_ahead"]
            assert ahead == c["caught"] + c["found_later"] + c["undetected"], name
            k = sc.spec.incidents.types.index(
                next(t for t in sc.spec.incidents.types if t.name == name)
            )
            assert int((got.type == k).sum()) == c["caught"] + c["found_later"], name
        per = res.per_tps
        assert np.array_equal(per["deterred"], per["prevented"] + per["displaced"])
        n_det = int(np.isin(attempts.type, deterrable).sum())
        assert per["attempted"].sum() == n_det
        others = ~np.isin(attempts.type, deterrable)
        assert sorted(t for t in got.triggers() if t[2] not in res.by_type) == sorted(
            t for t, o in zip(attempts.triggers(), others, strict=True) if o
        )


def test_stopped_share_matches_the_parameter_within_4_se() -> None:
    """At TPS with two police stationed all day (2-1-2, two linmas) the share of dispute
    attempts stopped is 1 − (1 − s_st)(1 − s_li), within 4 standard errors."""
    sc = make(rate_factor=200.0)
    plan = uniform_plan(sc, "2-1-2")
    t = next(t for t in sc.spec.incidents.types if t.name == "dispute")
    assert t.presence is not None
    p = 1 - (1 - t.presence.stationed) * (1 - t.presence.linmas)
    stopped = tried = 0
    for rep in range(50):
        _, res = apply_deterrence(sc, plan, _draws(sc, 5, rep), 5, rep)
        assert res is not None
        stopped += res.by_type["dispute"]["deterred"]
        tried += res.by_type["dispute"]["attempted"]
    se = math.sqrt(p * (1 - p) / tried)
    assert tried > 2000
    assert abs(stopped / tried - p) < 4 * se


def test_caught_share_of_fraud_matches_within_4_se() -> None:
    """Vote buying that goes ahead at TPS with an officer stationed is caught at once with
    caught_watched; of the rest, found_later are found at counting."""
    sc = make(rate_factor=200.0)
    plan = uniform_plan(sc, "2-1-2")
    t = next(t for t in sc.spec.incidents.types if t.name == "vote_buying")
    e = t.presence
    assert e is not None and e.fraud
    caught = ahead = later = missed = 0
    for rep in range(30):
        _, res = apply_deterrence(sc, plan, _draws(sc, 5, rep), 5, rep)
        assert res is not None
        c = res.by_type["vote_buying"]
        ahead += c["attempted"] - c["deterred"]  # every TPS is guarded alike: no displacement
        caught += c["caught"]
        later += c["found_later"]
        missed += c["found_later"] + c["undetected"]
        assert c["displaced"] == 0
    se = math.sqrt(e.caught_watched * (1 - e.caught_watched) / ahead)
    assert abs(caught / ahead - e.caught_watched) < 4 * se
    se_later = math.sqrt(e.found_later * (1 - e.found_later) / missed)
    assert abs(later / missed - e.found_later) < 4 * se_later


def test_displacement_goes_to_the_least_guarded_neighbour_and_shrinks_with_coverage() -> None:
    """Attempts stopped at a 2-1-2 TPS move to the unguarded TPS of its village; with every
    TPS of the kecamatan stationed there is no displacement at all."""
    sc = make(rate_factor=200.0)
    n = len(sc.tps)
    patterns = ["2-6-12"] * n
    patterns[0] = "2-1-2"
    plan = Plan(tuple(patterns), reserves={})
    moved = 0
    for rep in range(10):
        attempts = _draws(sc, 5, rep)
        _, res = apply_deterrence(sc, plan, attempts, 5, rep)
        assert res is not None
        moved += int(res.per_tps["displaced"][0])
        assert res.per_tps["displaced_ahead"][0] == 0  # nobody moves to the guarded TPS
    assert moved > 0
    pres = build_presence(sc, plan)
    e = next(t for t in sc.spec.incidents.types if t.name == "dispute").presence
    target = displacement_target(sc, pres, e, 0, 700.0)
    same_village = np.flatnonzero(sc.tps.village == sc.tps.village[0])
    stop = pres.stop_probability(e, same_village, np.full(len(same_village), 700.0))
    assert target in same_village and target != 0
    assert stop[list(same_village).index(target)] == stop[same_village != 0].min()
    full = uniform_plan(sc, "2-1-2")
    for rep in range(5):
        _, res = apply_deterrence(sc, full, _draws(sc, 5, rep), 5, rep)
        assert res is not None and res.per_tps["displaced"].sum() == 0


def test_fraud_found_later_moves_to_counting_with_extra_revote() -> None:
    """A fraud found later becomes an incident in the counting window that pauses nothing
    and adds late_revote_prob to the re-vote chance."""
    sc = make(rate_factor=200.0)
    plan = uniform_plan(sc, "2-16-32")
    k = next(k for k, t in enumerate(sc.spec.incidents.types) if t.name == "vote_buying")
    e = sc.spec.incidents.types[k].presence
    assert e is not None
    got, res = apply_deterrence(sc, plan, _draws(sc, 5, 0), 5, 0)
    assert res is not None and res.by_type["vote_buying"]["found_later"] > 0
    late = (got.type == k) & (got.extra_revote > 0)
    assert int(late.sum()) == res.by_type["vote_buying"]["found_later"]
    close = float(sc.spec.day.close)
    assert np.all(got.time_min[late] >= close)
    assert np.all(got.time_min[late] <= close + sc.spec.incidents.counting_window_min)
    assert np.all(got.phase[late] == 2) and np.all(np.isnan(got.effect_min[late]))
    assert np.all(got.extra_revote[late] == e.late_revote_prob)


def test_scripted_incidents_are_never_deterred() -> None:
    """A trainer's inject happens whatever the presence."""
    sc = make()
    rows = [{"tps": 0, "type": "dispute", "time_min": 600.0}]
    scripted = scripted_draws(sc, rows)
    got, _ = apply_deterrence(sc, uniform_plan(sc, "4-1-4+tni"), scripted, 5, 0)
    assert got.triggers() == scripted.triggers()


def test_bundled_default_plan_deters_on_balikpapan() -> None:
    """On the bundled Balikpapan scenario the policy default stops some attempts and the
    minimum-presence plan (2-16-32 where allowed) stops fewer, on the same draws."""
    sc = load_scenario(REPO / "scenarios" / "balikpapan-2024.yaml")
    default = default_plan(sc)
    thin = Plan(
        tuple(
            "2-16-32" if "2-16-32" in sc.spec.security.policy[sc.tps.class_names[c]].allowed else p
            for c, p in zip(sc.tps.risk_class, default.patterns, strict=True)
        ),
        reserves=default.reserves,
    )
    stopped = {"default": 0, "thin": 0}
    for rep in range(5):
        attempts = _draws(sc, sc.seed, rep)
        for label, plan in (("default", default), ("thin", thin)):
            _, res = apply_deterrence(sc, plan, attempts, sc.seed, rep)
            assert res is not None
            stopped[label] += int(res.per_tps["deterred"].sum())
    assert stopped["default"] > stopped["thin"] > 0


def test_catalogue_attempt_rates_follow_from_the_record() -> None:
    """Each human-made type's attempt rate is its recorded rate divided by the share of
    attempts recorded under the policy-default presence of the bundled province (within 4
    standard errors of that share): change a strength and this fails until the rates are
    re-derived with `python -m planner.sim.attempts`."""
    sc = load_scenario(REPO / "scenarios" / "kaltim-2024.yaml")
    rates = {t.name: t.rate_per_tps_day for t in sc.spec.incidents.types}
    shares = recorded_share(sc)
    assert {s.name for s in shares} == set(RECORDED_RATE)
    for s in shares:
        implied = RECORDED_RATE[s.name][0] / rates[s.name]  # the share the rate assumes
        assert abs(implied - s.share) < 4 * s.se + 0.0005, (s.name, implied, s.share)
