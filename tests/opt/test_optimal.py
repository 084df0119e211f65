"""Tiny instances against brute-force enumeration: the same optimal objective.

Every test solves with one CP-SAT worker and a fixed seed and asserts objectives (the
checker's), never assignments: ties between plans are legitimate.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.opt.api import optimise
from planner.opt.check import evaluate
from planner.opt.instance import build_instance
from planner.opt.model import DeploymentModel, SolverSettings

from .helpers import brute_force, security, tiny_scenario

ONE_WORKER = SolverSettings(time_limit_s=30, workers=1, seed=7)

MIXED = [
    ("D1", "V1", 420, "kurang_rawan"),
    ("D1", "V1", 380, "kurang_rawan"),
    ("D1", "V1", 300, "kurang_rawan", 3),
    ("D1", "V2", 510, "rawan"),
    ("D1", "V2", 250, "kurang_rawan"),
    ("D2", "V3", 600, "sangat_rawan"),
    ("D2", "V3", 90, "kurang_rawan"),
]
TNI_PATTERNS = [
    {
        "name": "2-4-8",
        "team": {"police": 2},
        "tps_per_team": 4,
        "per_tps": {"linmas": 2},
        "residual_harm": 0.8,
    },
    {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.45},
    {"name": "2-1-2+tni", "per_tps": {"police": 2, "linmas": 2, "tni": 1}, "residual_harm": 0.3},
]
POLICE_RESERVE = {
    "agency": "police",
    "team_size": 2,
    "min_per_district": 0,
    "max_per_district": 1,
    "harm_reduction": [0.08],
}

CASES: dict[str, dict[str, Any]] = {
    "police budget binds": {"budgets": {"polres": 8_000_000}},
    "reserves compete for the budget": {
        "budgets": {"polres": 10_000_000},
        "reserves": [POLICE_RESERVE],
    },
    "reserves on the plan's own harm": {
        "budgets": {"polres": 10_000_000},
        "reserves": [POLICE_RESERVE],
        "reserve_base": "plan",
    },
    "tni variant under two budgets": {
        "patterns": TNI_PATTERNS,
        "budgets": {"polres": 10_000_000, "kodim": 1_000_000},
    },
    "total budget binds": {"budgets": {"polres": 9_000_000}, "total_budget_idr": 8_500_000},
    "class policy restricts patterns": {
        "budgets": {"polres": 12_000_000},
        "allowed": {"rawan": ["2-2-4", "2-1-2"], "sangat_rawan": ["2-1-2"]},
    },
}


def _case(name: str) -> Any:
    case = dict(CASES[name])
    return tiny_scenario(MIXED, security(**case))


@pytest.mark.parametrize("name", list(CASES))
def test_pipeline_matches_brute_force(name: str) -> None:
    """planner.optimise proves the optimum that enumeration finds."""
    sc = _case(name)
    expected, _ = brute_force(build_instance(sc))
    assert expected is not None
    result = optimise(sc, time_limit_s=30, workers=1, seed=7)
    assert result.status == "OPTIMAL"
    assert result.solution.objective == expected
    assert result.evaluation is not None and result.evaluation.feasible
    assert result.solution.bound == expected


@pytest.mark.parametrize("layer", ["counts", "per_tps"])
@pytest.mark.parametrize(
    "name", ["reserves compete for the budget", "tni variant under two budgets"]
)
def test_models_alone_match_brute_force(layer: str, name: str) -> None:
    """The counts model and the naive per-TPS model reach the same optimum on their own."""
    inst = build_instance(_case(name))
    expected, _ = brute_force(inst)
    solution = DeploymentModel(inst, layer=layer).solve(ONE_WORKER)  # type: ignore[arg-type]
    assert solution.status == "OPTIMAL"
    assert solution.assignment is not None
    assert evaluate(inst, solution.assignment).objective == expected
    assert solution.objective == expected


def test_cost_tie_break_spends_nothing_for_nothing() -> None:
    """With no budget limit every TPS gets its lowest-harm pattern, and among equal-harm
    plans the cheapest: a pattern as good as 2-1-2 but dearer (4 police) is never used."""
    patterns = [
        {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.4},
        {"name": "4-1-4", "per_tps": {"police": 4, "linmas": 4}, "residual_harm": 0.4},
    ]
    sc = tiny_scenario(MIXED[:3], security(patterns=patterns))
    result = optimise(sc, time_limit_s=20, workers=1, seed=7)
    assert result.status == "OPTIMAL"
    assert result.plan is not None and set(result.plan.patterns) == {"2-1-2"}
    assert result.report["cost_idr"]["police"] == 3 * 2 * 1_000_000
