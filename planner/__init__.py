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


def _in_folder(command: str, out: Any, scenario: Any, values: dict[str, Any], **fields: Any) -> Any:
    """Run `command` through the whole run lifecycle into the folder `out`, as the command
    line does (the same request from the same option declarations, the same checks, files
    and manifest); returns the command's result."""
    from planner.experiment.lifecycle import COMMANDS, Where, execute
    from planner.experiment.options import request_of
    from planner.scenario.resolved import Scenario

    if isinstance(scenario, Scenario):
        raise UserError("a run folder (out=) needs the scenario's path, not a loaded scenario")
    limits: dict[str, Any] = {
        k: _pairs(values.get(k)) for k in ("budgets", "available") if k in values
    }
    request = request_of(command, scenario, {**values, **limits}, **fields)
    where = Where(str(values.get("executor", "local")), int(values.get("workers", 1)),
                  values.get("scheduler"))
    _, result = execute(COMMANDS[command], request, out=out, where=where)
    return result


def _pairs(mapping: Any) -> list[str]:
    """``{"police": 5e8}`` as the command line's ``["police=500000000.0"]``."""
    return [f"{k}={'unlimited' if v is None else v}" for k, v in dict(mapping or {}).items()]


def _check(command: str, values: dict[str, Any]) -> None:
    """The keyword arguments within the bounds the command line declares for them."""
    from planner.experiment.options import check_values

    check_values(command, values)


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
    `planner.experiment.run.simulate`. The options are checked against the bounds the
    command line declares (`planner.experiment.options`); with `out` (a folder) the run goes
    through the command's whole lifecycle and writes the same run folder as
    ``planner simulate --out`` (then `plan` is a plan.csv path or None).
    """
    from planner.experiment.lifecycle import check_request
    from planner.experiment.options import request_of
    from planner.experiment.run import simulate as run_simulate
    from planner.scenario.resolved import Scenario

    values = {**options, "replications": replications, "seed": seed, "workers": workers}
    _check("simulate", values)
    if out is not None:
        if not isinstance(options.get("plan"), str | type(None)):
            raise UserError("a run folder (out=) needs plan= as a plan.csv path or None")
        return _in_folder("simulate", out, scenario, values)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(
        scenario, options.pop("overrides", ())
    )
    known = {k: v for k, v in values.items() if k in ("replications", "precision",
                                                      "max_replications")}
    check_request("simulate", request_of("simulate", sc.path or "", known), sc)
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
    values = {**options, "budgets": budgets, "time_limit_s": time_limit_s}
    _check("optimise", values)
    if out is not None:
        return _in_folder("optimise", out, scenario, values, replications=1)
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
    values = {**options, "replications": replications}
    _check("compare", values)
    if out is not None:
        if not all(isinstance(p, str) for p in plans):
            raise UserError("a run folder (out=) needs plans as \"default\" or plan.csv paths")
        return _in_folder("compare", out, scenario, values, plans=list(plans))
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
    values = {**options, "iterations": iterations, "replications": replications}
    _check("plan", values)
    if out is not None:
        return _in_folder("plan", out, scenario, values)
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
