"""Property: any valid tiny instance gives a plan the checker accepts within budgets, or a
correct INFEASIBLE; brute-force enumeration agrees on the optimum either way."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.opt.api import optimise
from planner.opt.instance import build_instance

from .helpers import ALL_CLASSES, brute_force, security, tiny_scenario


@st.composite
def instances(draw: st.DrawFn) -> Any:
    """2–3 patterns (shared teams or not, TNI or not), 1–6 TPS in 1–2 kecamatan, random
    class policies, budgets from nothing to plenty, optional availability and reserves."""
    n_patterns = draw(st.integers(2, 3))
    patterns = []
    for j in range(n_patterns):
        k = draw(st.integers(1, 3))
        police = draw(st.integers(0, 3))
        per_tps: dict[str, int] = {"linmas": draw(st.integers(0, 2))}
        team: dict[str, int] = {}
        if k == 1:
            per_tps["police"] = police
        else:
            team["police"] = police
        if draw(st.booleans()):
            per_tps["tni"] = 1
        patterns.append(
            {
                "name": f"P{j}",
                "team": team,
                "tps_per_team": k,
                "per_tps": per_tps,
                "residual_harm": draw(st.integers(50, 1000)) / 1000,
            }
        )
    names = [p["name"] for p in patterns]
    allowed = {
        c: draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_patterns, unique=True))
        for c in ALL_CLASSES
    }
    n_tps = draw(st.sampled_from([1, 2, 3, 4, 5, 6, 6]))
    tps = [
        (
            draw(st.sampled_from(["D1", "D2"])),
            draw(st.sampled_from(["V1", "V2", "V3"])),
            draw(st.integers(1, 600)),
            draw(st.sampled_from(ALL_CLASSES)),
            draw(st.integers(0, 3)),
        )
        for _ in range(n_tps)
    ]
    # a village belongs to one kecamatan
    tps = [(f"D{1 + int(v[1]) % 2}", v, n, c, ind) for _d, v, n, c, ind in tps]
    budgets = {
        "polres": draw(st.one_of(st.none(), st.integers(0, 20).map(lambda x: x * 1_000_000))),
        "kodim": draw(st.one_of(st.none(), st.integers(0, 6).map(lambda x: x * 500_000))),
    }
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["reserves"] = [
            {
                "agency": "police",
                "team_size": draw(st.integers(1, 3)),
                "min_per_district": draw(st.integers(0, 1)),
                "max_per_district": 1,
                "harm_reduction": [draw(st.integers(0, 200)) / 1000],
            }
        ]
        extra["reserve_base"] = draw(st.sampled_from(["default_plan", "plan"]))
    sec = security(patterns=patterns, allowed=allowed, budgets=budgets, **extra)
    if draw(st.booleans()):
        sec["agencies"]["police"]["available_total"] = draw(st.integers(0, 16))
    if draw(st.booleans()):
        sec["total_budget_idr"] = draw(st.integers(0, 20)) * 1_000_000
    return tiny_scenario(tps, sec)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_plan_is_checked_optimal_or_correctly_infeasible(scenario: Any) -> None:
    """The optimiser and enumeration agree: same optimal objective, or both find none."""
    expected, _ = brute_force(build_instance(scenario))
    result = optimise(scenario, time_limit_s=30, workers=1, seed=3)
    if expected is None:
        assert result.status == "INFEASIBLE"
        assert result.plan is None
        assert result.explanation is not None and result.explanation.shortfalls
        return
    assert result.status == "OPTIMAL"
    assert result.evaluation is not None and result.evaluation.feasible
    assert result.solution.objective == expected
    for line, budget in result.scenario.spec.security.budgets_idr.items():
        if budget is not None:
            assert result.report["cost_by_budget_line_idr"][line] <= budget
