"""A larger budget never gives a worse objective (paired runs on the same instance)."""

from __future__ import annotations

from pathlib import Path

from planner.opt.api import optimise
from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.resolved import Scenario

BUDGETS = [76_000_000, 90_000_000, 120_000_000, 180_000_000, 320_000_000]


def _scenario() -> Scenario:
    data = {
        "name": "monotone",
        "seed": 4,
        "region": {
            "name": "R",
            "districts": [
                {"name": "A", "villages": 3, "tps": 30, "voters": 14000},
                {"name": "B", "villages": 2, "tps": 20, "voters": 9000},
            ],
        },
        "risk": {
            "classes": {
                "kurang_rawan": {"share": 0.8, "weight": 1.0},
                "rawan": {"share": 0.12, "weight": 2.5},
                "sangat_rawan": {"share": 0.06, "weight": 5.0},
                "khusus": {"share": 0.02, "weight": 3.0},
            }
        },
    }
    spec = validate_spec(data, where="monotone")
    return Scenario(spec=spec, tps=resolve_tps(spec, Path("."), where="monotone"))


def test_more_police_money_never_more_harm() -> None:
    """Five police budgets from just above the policy floor (Rp 75.84 m) to more than the
    unconstrained optimum spends (Rp 316 m), each solved to proven optimality: harm never
    rises, and falls across the range."""
    sc = _scenario()
    objectives = []
    for budget in BUDGETS:
        result = optimise(sc, budgets={"police": budget}, time_limit_s=30, workers=1, seed=2)
        assert result.status == "OPTIMAL"
        objectives.append(result.solution.objective)
    assert all(a is not None for a in objectives)
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[0] > objectives[-1]  # the budget binds somewhere in the range
