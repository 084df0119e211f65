"""One feasible and one infeasible micro case per constraint family.

Each pair differs by one unit at the edge of a rule (a rupiah, a person), so the rule, not
some other part of the model, decides. Counts model, one worker, fixed seed.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.opt.instance import build_instance
from planner.opt.model import DeploymentModel, SolverSettings

from .helpers import security, tiny_scenario

SETTINGS = SolverSettings(time_limit_s=20, workers=1, seed=11)
PERSON = 1_000_000  # one police officer, rupiah

TWO_PATTERNS = [
    {"name": "0-1-2", "per_tps": {"linmas": 2}, "residual_harm": 1.0},
    {
        "name": "2-2-4",
        "team": {"police": 2},
        "tps_per_team": 2,
        "per_tps": {"linmas": 2},
        "residual_harm": 0.6,
    },
    {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.4},
]


def _status(tps: list[Any], sec: dict[str, Any]) -> str:
    inst = build_instance(tiny_scenario(tps, sec))
    return DeploymentModel(inst).solve(SETTINGS).status


def _policy(allowed: list[str], polres: int) -> dict[str, Any]:
    return security(patterns=TWO_PATTERNS, allowed={"rawan": allowed}, budgets={"polres": polres})


@pytest.mark.parametrize(
    ("family", "tps", "feasible", "infeasible"),
    [
        (  # a rawan TPS that must have 2-1-2 (2 police) vs one that may stay on 0-1-2
            "policy",
            [("D", "V", 300, "rawan")],
            _policy(["0-1-2", "2-1-2"], 0),
            _policy(["2-1-2"], 0),
        ),
        (  # 3 TPS on a pattern shared by 2 need ceil(3/2) = 2 teams = 4 police, not 3
            "shared teams",
            [("D", "V", 300, "rawan")] * 3,
            _policy(["2-2-4"], 4 * PERSON),
            _policy(["2-2-4"], 4 * PERSON - 1),
        ),
        (  # a reserve minimum of one 3-officer team per kecamatan
            "reserve minimum",
            [("D", "V", 300, "kurang_rawan")],
            security(
                patterns=TWO_PATTERNS[:1],
                budgets={"polres": 3 * PERSON},
                reserves=[
                    {
                        "agency": "police",
                        "team_size": 3,
                        "min_per_district": 1,
                        "max_per_district": 1,
                        "harm_reduction": [0.1],
                    }
                ],
            ),
            security(
                patterns=TWO_PATTERNS[:1],
                budgets={"polres": 3 * PERSON - 1},
                reserves=[
                    {
                        "agency": "police",
                        "team_size": 3,
                        "min_per_district": 1,
                        "max_per_district": 1,
                        "harm_reduction": [0.1],
                    }
                ],
            ),
        ),
        (  # the kodim line pays the soldier of 2-1-2+tni (Rp 500,000)
            "budget line",
            [("D", "V", 300, "rawan")],
            security(
                patterns=[
                    {"name": "2-1-2+tni", "per_tps": {"police": 2, "tni": 1}, "residual_harm": 0.3}
                ],
                budgets={"kodim": 500_000},
            ),
            security(
                patterns=[
                    {"name": "2-1-2+tni", "per_tps": {"police": 2, "tni": 1}, "residual_harm": 0.3}
                ],
                budgets={"kodim": 499_999},
            ),
        ),
        (  # police (2 × 1,000,000) + tni (500,000) against a total budget
            "total budget",
            [("D", "V", 300, "rawan")],
            security(
                patterns=[
                    {"name": "2-1-2+tni", "per_tps": {"police": 2, "tni": 1}, "residual_harm": 0.3}
                ],
                total_budget_idr=2_500_000,
            ),
            security(
                patterns=[
                    {"name": "2-1-2+tni", "per_tps": {"police": 2, "tni": 1}, "residual_harm": 0.3}
                ],
                total_budget_idr=2_499_999,
            ),
        ),
    ],
)
def test_rule_decides_feasibility(
    family: str, tps: list[Any], feasible: dict[str, Any], infeasible: dict[str, Any]
) -> None:
    """The rule at its edge: exactly enough is feasible, one unit less is not."""
    assert _status(tps, feasible) == "OPTIMAL", family
    assert _status(tps, infeasible) == "INFEASIBLE", family


@pytest.mark.parametrize("where", ["total", "district"])
def test_availability_decides_feasibility(where: str) -> None:
    """Two sangat rawan TPS on 2-1-2 need 4 police: 4 available is enough, 3 is not
    (in total, or in their kecamatan)."""
    tps = [("D", "V", 300, "sangat_rawan"), ("D", "V", 200, "sangat_rawan")]

    def sec(limit: int) -> dict[str, Any]:
        s = security(patterns=TWO_PATTERNS, allowed={"sangat_rawan": ["2-1-2"]})
        if where == "total":
            s["agencies"]["police"]["available_total"] = limit
        else:
            s["agencies"]["police"]["available_per_district"] = {"D": limit}
        return s

    assert _status(tps, sec(4)) == "OPTIMAL"
    assert _status(tps, sec(3)) == "INFEASIBLE"
