"""One run lifecycle for every command that writes a run folder.

Every run — `simulate`, `compare`, `plan`, `optimise`, `frontier` from the command line or
the Python API — goes through the same steps (docs/architecture.md has the sequence):

1. **Request.** The command's options as a `RunRequest` (kept in the manifest, so a run can
   be resumed from its folder alone).
2. **Scenario.** Loaded and validated (`planner.scenario.load`), with ``--set`` overrides
   and any command-specific limits (`Command.prepare`, e.g. optimise's ``--budget``).
3. **Checks before anything is written**: every option within the bounds declared in
   `planner.experiment.options` (the ones ``--help`` shows), then the checks that need
   the scenario (`check_request`: ``--precision`` on known and enabled metrics,
   ``--max-replications`` ≥ ``-r``, the size guards of `planner.sim.size`), and ``--out``
   (`check_out`: not a file, not another command's folder).
4. **Folder.** Created (`planner.experiment.session.start_run`) or re-opened for
   ``--resume`` (`reopen_run`): manifest, resolved scenario, TPS table, plans, the store of
   finished replications.
5. **Tasks.** The command's work (`Command.tasks`) on the chosen executor with progress; it
   folds results in order and writes its outputs atomically.
6. **Status.** Recorded in the manifest whatever happens (`session.recorded`): ok, failed
   with the error, or interrupted — with the resume command for a resumable command.

The report is written by the caller afterwards (`planner.report.options.finish_report`), so
the layers stay apart: experiment never imports report.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.errors import UserError
from planner.experiment.executors import Executor, make_executor
from planner.experiment.options import MAX_REPLICATIONS, check_request_options
from planner.experiment.session import (
    OpenRun,
    RunRequest,
    load_scenario_of,
    recorded,
    reopen_run,
    resolve_plans,
    save_plan,
    simulate_in_folder,
    start_run,
)
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario


@dataclass(frozen=True)
class Where:
    """Where a run's tasks go: local processes or a Dask cluster (results are identical)."""

    executor: str = "local"
    workers: int = 1
    scheduler: str | None = None


Echo = Callable[[str], None]
Tasks = Callable[[OpenRun, Executor | None, Any, Echo | None], Any]
"""A command's work on an open run: ``tasks(open_run, executor, progress, echo) -> result``
(`echo` prints a progress line, e.g. the loop's iterations)."""


@dataclass(frozen=True)
class Command:
    """What differs between run-folder commands: their work and their folder's shape."""

    name: str
    tasks: Tasks
    resumable: bool = True
    """Replications are saved as they finish; Ctrl-C prints how to resume."""
    simulates: Callable[[RunRequest], bool] = lambda request: True
    """Whether a run of this request simulates days: it then gets an executor, and its
    replications and size are checked before the folder exists."""
    plans_in_request: bool = True
    tps_csv: bool = True
    prepare: Callable[[Scenario, RunRequest], Scenario] | None = None
    """Applies command options to the loaded scenario (e.g. budgets) before the checks."""
    check: Callable[[Scenario, RunRequest], None] | None = None
    """The command's own option checks against the scenario (before the folder exists)."""
    manifest: Callable[[RunRequest, Where], dict[str, Any]] | None = None
    """Fields the command adds to manifest.json beside the common ones."""
    solver: bool = False
    """The run seed is the CP-SAT seed (`solver_seed`), recorded as such."""
    plans_simulated: Callable[[Scenario], int] | None = None
    """Plans each replication simulates, for the size guard, when the command derives them."""


def check_out(out: Path | None, command: str) -> None:
    """``--out`` must be a new folder or a folder this command wrote, never a file or another
    command's run folder (whose manifest would be overwritten)."""
    if out is None:
        return
    path = Path(out)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, ValueError):
        raise UserError("cannot use this path; choose another --out", where=str(out)) from None
    if exists and not is_dir:
        raise UserError("is a file, not a folder; give --out a folder for the run", where=str(out))
    manifest = path / "manifest.json"
    if not manifest.is_file():
        return
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    other = data.get("command") if isinstance(data, dict) else None
    if other != command:
        held = f"the run of `planner {other}`" if isinstance(other, str) else "a damaged run"
        raise UserError(
            f"already holds {held} (manifest.json); choose another --out", where=str(out)
        )


def check_request(
    command: str, request: RunRequest, scenario: Scenario, plans_simulated: int | None = None
) -> None:
    """The request's options against the scenario, before any folder exists (`plans_simulated`:
    plans each replication simulates, when not the request's plans or steps)."""
    from planner.experiment.precision import parse_precision
    from planner.sim.metrics import metric_enabled, metric_names_of
    from planner.sim.size import check_size

    targets = parse_precision(request.precision, metric_names_of(scenario))
    for target in targets:
        if not metric_enabled(scenario, target.metric):
            raise UserError(
                f"--precision {target.metric}: that metric is switched off in this scenario "
                "(its part is disabled), so its interval is always ±0; drop the goal or "
                "enable the part",
                where="--precision",
            )
    cap = request.max_replications
    if cap is not None and not request.replications <= cap <= MAX_REPLICATIONS:
        raise UserError(
            f"--max-replications {cap}: give a number from -r ({request.replications}) to "
            f"{MAX_REPLICATIONS:,}",
            where="--max-replications",
        )
    most = cap if (targets and cap is not None) else request.replications
    tasks = plans_simulated or len(request.plans) or int(request.options.get("steps", 1))
    check_size(scenario, most * max(1, tasks))


def check_scenario(scenario: Scenario) -> None:
    """What `validate` adds to the scenario's own checks: one simulated day must fit this
    machine (the size guards of `planner.sim.size`)."""
    from planner.sim.size import check_size

    check_size(scenario, 1)


def execute(
    command: Command,
    request: RunRequest | None,
    *,
    resume: Path | None = None,
    out: Path | None = None,
    where: Where | None = None,
    progress: Any = None,
    echo: Echo | None = None,
    on_open: Callable[[OpenRun], None] | None = None,
) -> tuple[OpenRun, Any]:
    """Run `command` for `request` (or finish the run in `resume`) through every step of
    the lifecycle (module docstring); returns the open run and the command's result.
    `progress(done, total)` follows the tasks, `echo` prints the command's progress lines
    and `on_open` sees the folder as soon as it exists (e.g. to say where it is).

    The executor is started before the folder is opened, so a Dask scheduler that cannot be
    reached leaves no folder behind; a failure after that is recorded in the folder."""
    place = where or Where()
    if resume is not None:
        if not command.resumable:
            raise UserError(f"a {command.name} run cannot be resumed", where="--resume")
        start: Callable[[], OpenRun] = functools.partial(reopen_run, resume, command.name)
    else:
        if request is None:
            raise UserError(f"{command.name}: give a scenario or --resume RUN_DIR")
        start = checked_start(command, request, out, place)
    simulating = request is None or command.simulates(request)
    runs_on = (
        make_executor(place.executor, place.workers, place.scheduler)
        if simulating
        else contextlib.nullcontext()
    )
    with runs_on as runner:
        opened = start()
        if on_open is not None:
            on_open(opened)
        return opened, command.tasks(opened, runner, progress, echo)


def checked_start(
    command: Command, request: RunRequest, out: Path | None, place: Where
) -> Callable[[], OpenRun]:
    """Steps 2 and 3 of the lifecycle for a new run: the scenario loaded and every option
    checked; returns what creates the folder (step 4), called once the executor is up."""
    check_request_options(command.name, request, place)
    scenario = load_scenario_of(request)
    if command.prepare is not None:
        scenario = command.prepare(scenario, request)
    if command.check is not None:
        command.check(scenario, request)
    plans: list[Plan | None] = []
    if command.plans_in_request:
        request.labels, plans = resolve_plans(scenario, request.plans)
    if command.solver:
        request.seed = solver_seed(scenario, request.seed)
    if command.simulates(request):  # replications, precision and size
        simulated = command.plans_simulated(scenario) if command.plans_simulated else None
        check_request(command.name, request, scenario, simulated)
    check_out(out, command.name)
    return lambda: start_run(
        request,
        scenario,
        plans,
        out,
        extra=command.manifest(request, place) if command.manifest else None,
        store=command.resumable,
        tps_csv=command.tps_csv,
        record_request=command.resumable,
    )


def _simulate_tasks(
    opened: OpenRun, executor: Executor | None, progress: Any, echo: Echo | None
) -> Any:
    return simulate_in_folder(opened, executor, progress)


def _compare_tasks(
    opened: OpenRun, executor: Executor | None, progress: Any, echo: Echo | None
) -> Any:
    from planner.experiment.compare import compare_in_folder

    assert executor is not None
    return compare_in_folder(opened, executor, progress)


def _plan_tasks(
    opened: OpenRun, executor: Executor | None, progress: Any, echo: Echo | None
) -> Any:
    from planner.experiment.loop import plan_in_folder

    assert executor is not None
    return plan_in_folder(opened, executor, progress, echo or (lambda line: None))


def _calibrate_tasks(
    opened: OpenRun, executor: Executor | None, progress: Any, echo: Echo | None
) -> Any:
    from planner.experiment.calibrate import calibrate_in_folder

    assert executor is not None
    return calibrate_in_folder(opened, executor, progress)


def _calibration_plans(scenario: Scenario) -> int:
    from planner.experiment.calibrate import column_plans, reserve_plans

    return len(column_plans(scenario)) + len(reserve_plans(scenario))


def _with_limits(scenario: Scenario, request: RunRequest) -> Scenario:
    from planner.opt.limits import parse_pairs, with_limits

    budgets = parse_pairs(request.options.get("budgets", ()), "--budget")
    available = parse_pairs(request.options.get("available", ()), "--available")
    return with_limits(scenario, budgets, available)


def _check_budget_pairs(scenario: Scenario, request: RunRequest) -> Scenario:
    from planner.opt.limits import parse_pairs

    parse_pairs(request.options.get("budgets", ()), "--budget")
    parse_pairs(request.options.get("available", ()), "--available")
    return scenario


def _optimise_tasks(
    opened: OpenRun, executor: Executor | None, progress: Any, echo: Echo | None
) -> Any:
    from planner.opt.api import optimise
    from planner.opt.output import write_optimise_files

    o = opened.request.options
    with recorded(opened, resumable=False) as finish:
        result = optimise(
            opened.scenario,
            time_limit_s=o["time_limit_s"],
            workers=o["workers"],
            seed=opened.seed,
            gap=o["gap"],
        )
        write_optimise_files(opened.run, result)
        finish["status"] = "ok" if result.plan is not None else result.status.lower()
    return result


def _frontier_tasks(
    opened: OpenRun, executor: Executor | None, progress: Any, echo: Echo | None
) -> Any:
    from planner.experiment.frontier_check import frontier_json, simulate_frontier
    from planner.opt.frontier import frontier_csv, sweep_budgets

    o = opened.request.options
    with recorded(opened, resumable=False):
        result: Any = sweep_budgets(
            opened.scenario,
            o["agency"],
            o["from"],
            o["to"],
            o["steps"],
            time_limit_s=o["time_limit_s"],
            workers=o["workers"],
            seed=opened.seed,
            gap=o["gap"],
            on_step=_counted(progress, o["steps"]),
        )
        opened.run.write_text("frontier.csv", frontier_csv(result))
        if o.get("simulate"):
            assert executor is not None
            result = simulate_frontier(
                opened.scenario,
                result,
                opened.request.replications,
                opened.seed,
                executor,
                progress,
            )
            opened.run.write_text("frontier_simulated.csv", result.to_csv())
            for step in result.steps:  # each simulated plan, for simulate/compare --plan
                assert step.point.plan is not None
                save_plan(opened.run.path / "steps" / step.label, opened.scenario, step.point.plan)
        opened.run.write_json("frontier.json", frontier_json(result))
    return result


def _counted(progress: Any, total: int) -> Callable[[Any], None] | None:
    """``progress(done, total)`` once per finished step (frontier's budgets)."""
    if progress is None:
        return None
    done = [0]

    def step(_point: Any) -> None:
        done[0] += 1
        progress(done[0], total)

    return step


def _check_trace(scenario: Scenario, request: RunRequest) -> None:
    from planner.sim.day import traced_tps_index

    tps_id = request.options.get("trace_tps")
    if tps_id is not None:
        traced_tps_index(scenario, str(tps_id))


def _check_agency(scenario: Scenario, request: RunRequest) -> None:
    from planner.opt.limits import budget_line_of

    agency = request.options.get("agency")
    if agency is not None:
        budget_line_of(scenario, str(agency), "--agency")


def _check_compare(scenario: Scenario, request: RunRequest) -> None:
    if len(request.plans) < 2:
        raise UserError(
            "give SCENARIO and two or more PLANS to compare (plan.csv files or `default`), "
            "e.g. planner compare sc.yaml default outputs/RUN/plan.csv",
            where="PLANS",
        )


def _check_frontier(scenario: Scenario, request: RunRequest) -> None:
    _check_agency(scenario, request)
    o = request.options
    if o["from"] > o["to"]:
        raise UserError(f"--from {o['from']:g} is above --to {o['to']:g}; give --from ≤ --to",
                        where="--from")


def _simulate_manifest(request: RunRequest, where: Where) -> dict[str, Any]:
    plan = request.plans[0] if request.plans and request.plans[0] != "default" else None
    return {
        "replications": request.replications,
        "workers": where.workers,
        "executor": where.executor,
        "engine": request.engine,
        "plan": plan,
        "trace_tps": request.options.get("trace_tps"),
        "overrides": list(request.overrides),
        "streams": "SeedSequence(seed, spawn_key=(replication, crc32(name), *keys))",
    }


def _compare_manifest(request: RunRequest, where: Where) -> dict[str, Any]:
    return {
        "replications": request.replications,
        "workers": where.workers,
        "executor": where.executor,
    }


def _solver_manifest(request: RunRequest, where: Where) -> dict[str, Any]:
    return {**request.options, "overrides": list(request.overrides)}


COMMANDS: dict[str, Command] = {
    "simulate": Command(
        "simulate", _simulate_tasks, check=_check_trace, manifest=_simulate_manifest
    ),
    "compare": Command(
        "compare", _compare_tasks, check=_check_compare, manifest=_compare_manifest
    ),
    "calibrate": Command(
        "calibrate",
        _calibrate_tasks,
        plans_in_request=False,
        manifest=_compare_manifest,
        plans_simulated=_calibration_plans,
    ),
    "plan": Command(
        "plan",
        _plan_tasks,
        plans_in_request=False,
        prepare=_check_budget_pairs,
        manifest=lambda request, where: {"workers": where.workers},
    ),
    "optimise": Command(
        "optimise",
        _optimise_tasks,
        resumable=False,
        simulates=lambda request: False,
        plans_in_request=False,
        prepare=_with_limits,
        manifest=_solver_manifest,
        solver=True,
    ),
    "frontier": Command(
        "frontier",
        _frontier_tasks,
        resumable=False,
        simulates=lambda request: bool(request.options.get("simulate")),
        plans_in_request=False,
        tps_csv=False,
        check=_check_frontier,
        manifest=_solver_manifest,
        solver=True,
    ),
}
"""Every run-folder command and what differs between them."""


def solver_seed(scenario: Scenario, seed: int | None) -> int:
    """The CP-SAT seed of optimise and frontier: the run seed, folded into 31 bits."""
    return (scenario.seed if seed is None else seed) % 2**31


def resume_run(
    run_dir: str | Path,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
) -> Any:
    """Finish an interrupted simulate, compare or plan run (the API of ``--resume``).

    Returns what the command's API returns (`SimulationResult`, `CompareResult` or
    `LoopResult`); the run folder gets the same files as an uninterrupted run.
    """
    path = Path(run_dir)
    try:
        data = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    command = data.get("command") if isinstance(data, dict) else None
    if not isinstance(command, str):
        raise UserError("not a run folder (no readable manifest.json)", where=str(path))
    spec = COMMANDS.get(command)
    if spec is None or not spec.resumable:
        raise UserError(f"a {command} run cannot be resumed (only simulate, compare, plan)")
    _, result = execute(spec, None, resume=path, where=Where(executor, workers, scheduler))
    return result
