"""planner: polling-day simulation and security deployment for Indonesian regional elections.

Public API (importable from a notebook)::

    import planner
    sc = planner.load_scenario("scenarios/balikpapan-2024.yaml", overrides=["voters.turnout=0.7"])
    result = planner.simulate(sc, replications=20, seed=1, workers=2)
    result.summary["metrics"]["wait_mean_min"]      # {"mean": …, "ci95_low": …, …}
    result.to_pandas()                              # per-TPS table (needs pandas)
    best = planner.optimise(sc, budgets={"police": 500_000_000}, time_limit_s=30)
    best.plan, best.report["status"], best.report["cost_idr"]
    cmp = planner.compare(sc, ["default", best.plan], replications=20, workers=2)
    cmp.difference(1, "response_mean_min")           # paired B − A with its 95% interval
    loop = planner.plan(sc, iterations=3, replications=10, workers=2)
    loop.plan, loop.kept, loop.converged
    planner.simulate(sc, 10, executor="dask")       # a local Dask cluster (or scheduler=...)
    planner.simulate(sc, 5, precision=["wait_mean_min=0.25"])   # replications until ±0.25
    planner.resume("outputs/…-simulate")            # finish an interrupted run folder
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
    out: Any = None,
    **options: Any,
) -> Any:
    """Simulate polling day (`planner simulate`); returns a `SimulationResult`.

    `scenario` is a path or a loaded scenario; further options (`plan`, `overrides`,
    `engine`, `progress`, `executor`, `scheduler`, `precision`, `max_replications`) as in
    `planner.experiment.run.simulate`. The options are checked as the command line checks
    them (`planner.experiment.lifecycle.check_request`); with `out` (a folder) the run goes
    through the command's whole lifecycle and writes the same run folder as
    ``planner simulate --out``.
    """
    from planner.experiment.lifecycle import COMMANDS, Where, check_request, execute
    from planner.experiment.run import simulate as run_simulate
    from planner.experiment.session import RunRequest
    from planner.scenario.resolved import Scenario

    plan = options.get("plan")
    if out is not None:
        if isinstance(scenario, Scenario) or not isinstance(plan, str | type(None)):
            raise UserError("a run folder (out=) needs a scenario path and a plan path or None")
        request = RunRequest(
            command="simulate",
            scenario=str(scenario),
            overrides=list(options.get("overrides", ())),
            seed=seed,
            replications=replications,
            engine=str(options.get("engine", "batch")),
            plans=[plan or "default"],
            precision=list(options.get("precision", ())),
            max_replications=options.get("max_replications"),
        )
        where = Where(str(options.get("executor", "local")), workers, options.get("scheduler"))
        _, result = execute(COMMANDS["simulate"], request, out=out, where=where)
        return result
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(
        scenario, options.pop("overrides", ())
    )
    check_request(
        "simulate",
        RunRequest(
            command="simulate",
            scenario=str(sc.path or ""),
            replications=replications,
            precision=list(options.get("precision", ())),
            max_replications=options.get("max_replications"),
            plans=["default"],
        ),
        sc,
    )
    return run_simulate(sc, replications=replications, seed=seed, workers=workers, **options)


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

def compare(scenario: Any, plans: Any, replications: int = 20, **options: Any) -> Any:
    """Compare plans on the same simulated days (`planner compare`); returns a
    `CompareResult` (paired differences against the first plan).

    `plans`: "default", paths of plan.csv files ("LABEL=PATH"), `Plan` objects or None;
    further options (`seed`, `workers`, `overrides`, `executor`, `scheduler`, `precision`,
    `max_replications`) as in `planner.experiment.compare.compare`.
    """
    from planner.experiment.compare import compare as run_compare

    return run_compare(scenario, plans, replications=replications, **options)


def plan(scenario: Any, iterations: int = 3, replications: int = 10, **options: Any) -> Any:
    """The simulation–optimisation loop (`planner plan`); returns a `LoopResult` with the
    kept `.plan`, every `.iterations` entry and the out-of-sample `.evaluation`.

    Further options (`eval_replications`, `budgets`, `seed`, `workers`, `executor`,
    `scheduler`, `time_limit_s`, `overrides`, `harm`) as in `planner.experiment.loop.plan_loop`.
    """
    from planner.experiment.loop import plan_loop

    return plan_loop(scenario, iterations=iterations, replications=replications, **options)


def resume(run_dir: Any, workers: int = 1, **options: Any) -> Any:
    """Finish an interrupted simulate, compare or plan run folder (``--resume``)."""
    from planner.experiment.lifecycle import resume_run

    return resume_run(run_dir, workers=workers, **options)


__all__ = [
    "InfeasibleError",
    "PlanError",
    "ScenarioError",
    "UserError",
    "__version__",
    "compare",
    "load_scenario",
    "optimise",
    "plan",
    "resume",
    "simulate",
]
