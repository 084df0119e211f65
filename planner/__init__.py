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


def _in_folder(command: str, out: Any, scenario: Any, given: dict[str, Any], **fields: Any) -> Any:
    """Run `command` through the whole run lifecycle into the folder `out`, as the command
    line does (the same checks, files and manifest); returns the command's result."""
    from planner.experiment.lifecycle import COMMANDS, Where, execute
    from planner.experiment.session import RunRequest
    from planner.scenario.resolved import Scenario

    if isinstance(scenario, Scenario):
        raise UserError("a run folder (out=) needs the scenario's path, not a loaded scenario")
    request = RunRequest(
        command=command,
        scenario=str(scenario),
        overrides=list(given.get("overrides", ())),
        seed=given.get("seed"),
        precision=list(given.get("precision", ())),
        max_replications=given.get("max_replications"),
        **fields,
    )
    where = Where(
        str(given.get("executor", "local")), int(given.get("workers", 1)), given.get("scheduler")
    )
    _, result = execute(COMMANDS[command], request, out=out, where=where)
    return result


def _pairs(mapping: Any) -> list[str]:
    """``{"police": 5e8}`` as the command line's ``["police=500000000.0"]``."""
    return [f"{k}={'unlimited' if v is None else v}" for k, v in dict(mapping or {}).items()]


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
    ``planner simulate --out`` (then `plan` is a plan.csv path or None).
    """
    from planner.experiment.lifecycle import check_request
    from planner.experiment.run import simulate as run_simulate
    from planner.experiment.session import RunRequest
    from planner.scenario.resolved import Scenario

    if out is not None:
        plan = options.get("plan")
        if not isinstance(plan, str | type(None)):
            raise UserError("a run folder (out=) needs plan= as a plan.csv path or None")
        return _in_folder(
            "simulate",
            out,
            scenario,
            {**options, "seed": seed, "workers": workers},
            replications=replications,
            engine=str(options.get("engine", "batch")),
            plans=[plan or "default"],
        )
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
    out: Any = None,
    **options: Any,
) -> Any:
    """Optimise the security deployment (`planner optimise`); returns an `OptimiseResult`
    with `.plan` (a checked Plan, None when infeasible) and `.report` (plan.json).

    `budgets` maps an agency or budget-line name to rupiah; further options (`available`,
    `workers`, `seed`, `gap`, `overrides`) as in `planner.opt.api.optimise`. With `out` (a
    folder) it writes the run folder ``planner optimise --out`` writes.
    """
    if out is not None:
        return _in_folder(
            "optimise",
            out,
            scenario,
            {k: v for k, v in options.items() if k != "workers"},
            replications=1,
            options={
                "budgets": _pairs(budgets),
                "available": _pairs(options.get("available")),
                "time_limit_s": time_limit_s,
                "workers": int(options.get("workers", 2)),
                "gap": float(options.get("gap", 0.0)),
            },
        )
    from planner.opt.api import optimise as run_optimise

    return run_optimise(scenario, budgets=budgets, time_limit_s=time_limit_s, **options)


def compare(
    scenario: Any, plans: Any, replications: int = 20, out: Any = None, **options: Any
) -> Any:
    """Compare plans on the same simulated days (`planner compare`); returns a
    `CompareResult` (paired differences against the first plan).

    `plans`: "default", paths of plan.csv files ("LABEL=PATH"), `Plan` objects or None;
    further options (`seed`, `workers`, `overrides`, `executor`, `scheduler`, `precision`,
    `max_replications`) as in `planner.experiment.compare.compare`. With `out` (a folder;
    plans then as "default" or paths) it writes the run folder of ``planner compare --out``.
    """
    if out is not None:
        if not all(isinstance(p, str) for p in plans):
            raise UserError("a run folder (out=) needs plans as \"default\" or plan.csv paths")
        return _in_folder(
            "compare", out, scenario, options, replications=replications, plans=list(plans)
        )
    from planner.experiment.compare import compare as run_compare

    return run_compare(scenario, plans, replications=replications, **options)


def plan(
    scenario: Any, iterations: int = 3, replications: int = 10, out: Any = None, **options: Any
) -> Any:
    """The simulation–optimisation loop (`planner plan`); returns a `LoopResult` with the
    kept `.plan`, every `.iterations` entry and the out-of-sample `.evaluation`.

    Further options (`eval_replications`, `budgets`, `seed`, `workers`, `executor`,
    `scheduler`, `time_limit_s`, `overrides`, `harm`) as in `planner.experiment.loop.plan_loop`.
    With `out` (a folder) it writes the run folder of ``planner plan --out`` (resumable).
    """
    if out is not None:
        return _in_folder(
            "plan",
            out,
            scenario,
            options,
            replications=replications,
            options={
                "iterations": iterations,
                "eval_replications": options.get("eval_replications"),
                "budgets": _pairs(options.get("budgets")),
                "available": _pairs(options.get("available")),
                "time_limit_s": float(options.get("time_limit_s", 60.0)),
                "solver_workers": int(options.get("solver_workers", 2)),
                "gap": float(options.get("gap", 0.0)),
            },
        )
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
