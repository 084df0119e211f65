"""Infeasibility explained: the binding rule and the least extra that makes a plan exist."""

from __future__ import annotations

from typing import Any

from planner.opt.api import optimise
from planner.opt.explain import explain_infeasibility
from planner.opt.instance import build_instance
from planner.opt.model import SolverSettings

from .helpers import security, tiny_scenario

SETTINGS = SolverSettings(time_limit_s=20, workers=1, seed=5)
RAWAN3 = [("D", "V", 300, "rawan"), ("D", "V", 200, "rawan"), ("D", "V", 100, "rawan")]
PATTERNS = [
    {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.4},
    {"name": "1-1-2+tni", "per_tps": {"police": 1, "tni": 1, "linmas": 2}, "residual_harm": 0.5},
]


def _sec(**kw: Any) -> dict[str, Any]:
    return security(patterns=PATTERNS, **kw)


def test_single_budget_short_by_exactly_the_floor_minus_budget() -> None:
    """Rawan TPS must use 2-1-2 (6 police, Rp 6 m for three TPS); with Rp 4.5 m the police
    line is short by exactly Rp 1.5 m, and the optimiser exits INFEASIBLE saying so."""
    sec = _sec(allowed={"rawan": ["2-1-2"]}, budgets={"polres": 4_500_000})
    sc = tiny_scenario(RAWAN3, sec)
    result = optimise(sc, time_limit_s=20, workers=1, seed=5)
    assert result.status == "INFEASIBLE" and result.plan is None
    assert result.explanation is not None
    (short,) = result.explanation.shortfalls
    assert (short.rule, short.extra, short.needed) == ("budget:polres", 1_500_000, 6_000_000)
    assert "budget line polres (police) Rp 4,500,000 is Rp 1,500,000 short" in (
        result.explanation.message()
    )
    assert result.report["status"] == "INFEASIBLE"
    assert result.report["explanation"]["shortfalls"][0]["extra"] == 1_500_000


def test_cheapest_mix_of_two_lines() -> None:
    """With 1-1-2+tni allowed too, three TPS need 3 police + 3 soldiers at least (Rp 3 m +
    Rp 1.5 m). Budgets of Rp 2 m and Rp 1 m are short by Rp 1 m and Rp 0.5 m: the least
    rupiah that fixes both."""
    sec = _sec(budgets={"polres": 2_000_000, "kodim": 1_000_000})
    explanation = explain_infeasibility(build_instance(tiny_scenario(RAWAN3, sec)), SETTINGS)
    assert explanation.status == "OPTIMAL"
    assert {(s.rule, s.extra) for s in explanation.shortfalls} == {
        ("budget:polres", 1_000_000),
        ("budget:kodim", 500_000),
    }


def test_personnel_short_in_one_kecamatan() -> None:
    """Police available in D: 2; the floor needs 3 (three 1-1-2+tni TPS): 1 person short."""
    sec = _sec()
    sec["agencies"]["police"]["available_per_district"] = {"D": 2}
    explanation = explain_infeasibility(build_instance(tiny_scenario(RAWAN3, sec)), SETTINGS)
    (short,) = explanation.shortfalls
    assert (short.rule, short.extra, short.unit) == ("available:police:D", 1, "persons")
    assert short.sentence() == "police available in D 2 persons is 1 short (needs at least 3)"


def test_feasible_instance_has_no_shortfall() -> None:
    """Generous limits: the relaxation needs nothing more."""
    explanation = explain_infeasibility(build_instance(tiny_scenario(RAWAN3, _sec())), SETTINGS)
    assert explanation.plan_exists and not explanation.shortfalls
