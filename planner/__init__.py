"""planner: polling-day simulation and security deployment for Indonesian regional elections.

Public API (importable from a notebook)::

    import planner
    sc = planner.load_scenario("scenarios/balikpapan-2024.yaml", overrides=["voters.turnout=0.7"])
    result = planner.simulate(sc, replications=20, seed=1, workers=2)
    result.summary["metrics"]["wait_mean_min"]      # {"mean": …, "ci95_low": …, …}
    result.to_pandas()                              # per-TPS table (needs pandas)
    best = planner.optimise(sc, budgets={"police": 500_000_000}, time_limit_s=30)
    best.plan, best.report["status"], best.report["cost_idr"]
"""

from __future__ import annotations

from typing import Any

from planner.errors import InfeasibleError, PlanError, ScenarioError, UserError
from planner.scenario.load import load_scenario

__version__ = "0.1.0"


def simulate(
    scenario: Any,
    replications: int = 20,
    seed: int | None = None,
    workers: int = 1,
    **options: Any,
) -> Any:
    """Simulate polling day (`planner simulate`); returns a `SimulationResult`.

    `scenario` is a path or a loaded scenario; further options (`plan`, `overrides`,
    `engine`, `progress`) as in `planner.experiment.run.simulate`.
    """
    from planner.experiment.run import simulate as run_simulate

    return run_simulate(scenario, replications=replications, seed=seed, workers=workers, **options)


def optimise(
    scenario: Any,
    budgets: dict[str, Any] | None = None,
    time_limit_s: float = 60.0,
    **options: Any,
) -> Any:
    """Optimise the security deployment (`planner optimise`); returns an `OptimiseResult`
    with `.plan` (a checked Plan, None when infeasible) and `.report` (plan.json).

    `budgets` maps an agency or budget-line name to rupiah; further options (`available`,
    `workers`, `seed`, `gap`, `overrides`) as in `planner.opt.api.optimise`.
    """
    from planner.opt.api import optimise as run_optimise

    return run_optimise(scenario, budgets=budgets, time_limit_s=time_limit_s, **options)

__all__ = [
    "InfeasibleError",
    "PlanError",
    "ScenarioError",
    "UserError",
    "__version__",
    "load_scenario",
    "optimise",
    "simulate",
]
