"""The plan checker: hand-computed personnel, cost and objective; one violation per rule."""

from __future__ import annotations

import numpy as np
import pytest

from planner.opt.check import Assignment, assignment_from_plan, check_plan, evaluate
from planner.opt.instance import build_instance
from planner.scenario.costing import cost_by_agency, personnel_by_agency
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, default_plan

from .helpers import security, tiny_scenario

THREE = [
    ("D1", "V1", 100, "kurang_rawan"),
    ("D1", "V1", 200, "kurang_rawan"),
    ("D1", "V1", 300, "kurang_rawan"),
]
RESERVE = {
    "agency": "police",
    "team_size": 3,
    "min_per_district": 0,
    "max_per_district": 2,
    "harm_reduction": [0.1, 0.05],
}


def _plan(reserves: int = 0, **sec_extra: object) -> tuple[object, Assignment]:
    sc = tiny_scenario(THREE, security(reserves=[RESERVE], **sec_extra))
    inst = build_instance(sc)
    plan = Plan(patterns=("2-4-8", "2-2-4", "2-1-2"), reserves={("D1", "police"): reserves})
    return inst, assignment_from_plan(inst, plan)


def test_personnel_cost_and_objective_by_hand() -> None:
    """2-4-8, 2-2-4, 2-1-2 at TPS of 100, 200, 300 voters: one team each for the shared
    patterns (2 + 2 police), 2 police at the 2-1-2 TPS, 2 linmas everywhere; residual harm
    100×0.8 + 200×0.6 + 300×0.4 = 320 weighted voters."""
    inst, plan = _plan()
    ev = evaluate(inst, plan)  # type: ignore[arg-type]
    police = inst.agency_names.index("police")  # type: ignore[attr-defined]
    linmas = inst.agency_names.index("linmas")  # type: ignore[attr-defined]
    assert ev.feasible
    assert ev.personnel[police] == 6 and ev.personnel[linmas] == 6
    assert ev.cost_idr[police] == 6_000_000 and ev.cost_idr[linmas] == 600_000
    assert ev.cost_total_idr == 6_600_000
    assert inst.objective_to_float(ev.objective) == pytest.approx(320.0, abs=1e-9)  # type: ignore[attr-defined]


def test_reserve_benefit_on_the_default_plan_base() -> None:
    """One reserve team removes 10% of the default plan's harm (all 2-1-2: 240):
    320 − 24 = 296, and adds its 3 police."""
    inst, plan = _plan(reserves=1)
    ev = evaluate(inst, plan)  # type: ignore[arg-type]
    assert inst.objective_to_float(ev.objective) == pytest.approx(296.0)  # type: ignore[attr-defined]
    assert ev.personnel[inst.agency_names.index("police")] == 9  # type: ignore[attr-defined]


def test_reserve_benefit_on_the_plans_own_harm() -> None:
    """With reserve_base 'plan' two teams remove 15% of the plan's own harm: 320 × 0.85."""
    inst, plan = _plan(reserves=2, reserve_base="plan")
    ev = evaluate(inst, plan)  # type: ignore[arg-type]
    assert inst.objective_to_float(ev.objective) == pytest.approx(272.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("extra", "reserves", "expected"),
    [
        ({"budgets_idr": {"polres": 5_999_999, "kodim": None}}, 0, "budget: line polres"),
        ({"total_budget_idr": 5_000_000}, 0, "budget: all lines together"),
        ({}, 3, "reserves: D1 keeps 3 police reserve teams"),
    ],
)
def test_each_money_and_reserve_rule_reports_a_violation(
    extra: dict[str, object], reserves: int, expected: str
) -> None:
    """A budget a rupiah short, a total budget, too many reserve teams: one message each."""
    sc = tiny_scenario(THREE, security(reserves=[RESERVE], **extra))
    inst = build_instance(sc)
    plan = Assignment(pattern=np.array([0, 1, 2]), reserves=np.array([[reserves]], dtype=np.int64))
    ev = evaluate(inst, plan)
    assert len(ev.violations) == 1 and ev.violations[0].startswith(expected)


def test_availability_total_and_per_district_violations() -> None:
    """6 police needed; 5 available in total and 4 in D1: two violations."""
    sec = security()
    sec["agencies"]["police"]["available_total"] = 5
    sec["agencies"]["police"]["available_per_district"] = {"D1": 4}
    inst = build_instance(tiny_scenario(THREE, sec))
    ev = evaluate(inst, Assignment(pattern=np.array([0, 1, 2]), reserves=np.zeros((0, 1), int)))
    assert ev.violations == (
        "availability: police needs 6 persons, 5 available",
        "availability: police in D1 needs 6 persons, 4 available",
    )


def test_pattern_not_allowed_for_class() -> None:
    """A rawan TPS on 2-4-8 when rawan may only use 2-1-2 breaks the policy."""
    sec = security(allowed={"rawan": ["2-1-2"]})
    inst = build_instance(tiny_scenario([("D", "V", 100, "rawan")], sec))
    ev = evaluate(inst, Assignment(pattern=np.array([0]), reserves=np.zeros((0, 1), int)))
    assert len(ev.violations) == 1 and ev.violations[0].startswith("policy: TPS T1 (rawan)")


def test_checker_agrees_with_reference_costing_on_balikpapan() -> None:
    """Personnel and cost of the policy-default Balikpapan plan equal the scenario package's
    reference arithmetic (planner.scenario.costing)."""
    sc = load_scenario("scenarios/balikpapan-2024.yaml")
    plan = default_plan(sc)
    ev = check_plan(build_instance(sc), plan)
    personnel = personnel_by_agency(sc, plan)
    costs = cost_by_agency(sc, personnel)
    agencies = list(sc.spec.security.agencies)
    assert {a: int(ev.personnel[i]) for i, a in enumerate(agencies)} == personnel
    assert {a: int(ev.cost_idr[i]) for i, a in enumerate(agencies)} == costs
