"""The rounded master LP plan: always checker-feasible, never better than the optimum."""

from __future__ import annotations

import pytest

from planner.opt.check import evaluate
from planner.opt.decompose import decompose
from planner.opt.instance import build_instance
from planner.opt.rounding import round_master

from .helpers import brute_force, security, tiny_scenario
from .test_optimal import CASES, MIXED


@pytest.mark.parametrize("name", list(CASES))
def test_rounded_plan_is_feasible_and_not_below_the_optimum(name: str) -> None:
    """The rounding repairs what it breaks: the checker accepts the plan, and its objective
    is never below the proven optimum (enumeration), which the bound never exceeds."""
    inst = build_instance(tiny_scenario(MIXED, security(**CASES[name])))
    expected, _ = brute_force(inst)
    dec = decompose(inst, 20)
    assert dec.converged and dec.bound is not None
    assert dec.bound <= expected + 1e-6 * expected  # a valid lower bound
    plan = round_master(inst, dec)
    assert plan is not None
    ev = evaluate(inst, plan)
    assert ev.feasible
    assert ev.objective >= expected
