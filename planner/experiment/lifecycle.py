"""One run lifecycle for every command that writes a run folder.

Every run — `simulate`, `compare`, `plan`, `optimise`, `frontier` from the command line or
the Python API — goes through the same steps (docs/architecture.md has the sequence):

1. **Request.** The command's options as a `RunRequest` (kept in the manifest, so a run can
   be resumed from its folder alone).
2. **Scenario.** Loaded and validated (`planner.scenario.load`), with ``--set`` overrides
   and any command-specific limits (`Command.prepare`, e.g. optimise's ``--budget``).
3. **Checks before anything is written** (`check_request`): option ranges that need the
   scenario (``--precision`` on known and enabled metrics, ``--max-replications`` ≥ ``-r``),
   the size guards of `planner.sim.size`, and ``--out`` (`check_out`: not a file, not
   another command's folder).
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

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.errors import UserError
from planner.experiment.executors import Executor, make_executor
from planner.experiment.session import (
    OpenRun,
    RunRequest,
    load_scenario_of,
    recorded,
    reopen_run,
    resolve_plans,
    simulate_in_folder,
    start_run,
)
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario

MAX_REPLICATIONS = 100_000
"""Most replications one command may ask for (a documented bound; the TPS-day guard of
`planner.sim.size` usually binds first)."""


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
    uses_executor: bool = True
    plans_in_request: bool = True
    tps_csv: bool = True
    prepare: Callable[[Scenario, RunRequest], Scenario] | None = None
    """Applies command options to the loaded scenario (e.g. budgets) before the checks."""


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
        raise UserError(
            f"already holds a {other or 'damaged'} run (manifest.json); choose another --out",
            where=str(out),
        )


def check_request(command: str, request: RunRequest, scenario: Scenario) -> None:
    """The request's options against the scenario, before any folder exists."""
    from planner.experiment.precision import parse_precision
    from planner.sim.metrics import METRIC_NAMES, metric_enabled
    from planner.sim.size import check_size

    if not 1 <= request.replications <= MAX_REPLICATIONS:
        raise UserError(
            f"-r {request.replications}: give 1 to {MAX_REPLICATIONS:,} replications",
            where="-r",
        )
    targets = parse_precision(request.precision, METRIC_NAMES)
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
    check_size(scenario, most * max(1, len(request.plans)))


def execute(
    command: Command,
    request: RunRequest | None,
    *,
    resume: Path | None = None,
    out: Path | None = None,
    where: Where | None = None,
    progress: Any = None,
    echo: Echo | None = None,
    extra: dict[str, Any] | None = None,
    before_start: Callable[[Scenario, list[Plan | None]], None] | None = None,
) -> tuple[OpenRun, Any]:
    """Run `command` for `request` (or finish the run in `resume`) through every step of
    the lifecycle (module docstring); returns the open run and the command's result."""
    if resume is not None:
        if not command.resumable:
            raise UserError(f"a {command.name} run cannot be resumed", where="--resume")
        opened = reopen_run(resume, command.name)
    else:
        if request is None:
            raise UserError(f"{command.name}: give a scenario or --resume RUN_DIR")
        scenario = load_scenario_of(request)
        if command.prepare is not None:
            scenario = command.prepare(scenario, request)
        plans: list[Plan | None] = []
        if command.plans_in_request:
            request.labels, plans = resolve_plans(scenario, request.plans)
        check_request(command.name, request, scenario)
        check_out(out, command.name)
        if before_start is not None:
            before_start(scenario, plans)
        opened = start_run(
            request,
            scenario,
            plans,
            out,
            extra=extra,
            store=command.resumable,
            tps_csv=command.tps_csv,
            record_request=command.resumable,
        )
    place = where or Where()
    if not command.uses_executor:
        return opened, command.tasks(opened, None, progress, echo)
    with make_executor(place.executor, place.workers, place.scheduler) as runner:
        return opened, command.tasks(opened, runner, progress, echo)


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
    from planner.opt.frontier import frontier_csv, frontier_summary, sweep_budgets

    o = opened.request.options
    with recorded(opened, resumable=False):
        result = sweep_budgets(
            opened.scenario,
            o["agency"],
            o["from"],
            o["to"],
            o["steps"],
            time_limit_s=o["time_limit_s"],
            workers=o["workers"],
            seed=opened.seed,
            gap=o["gap"],
            on_step=(lambda _point: progress()) if progress is not None else None,
        )
        opened.run.write_text("frontier.csv", frontier_csv(result))
        opened.run.write_json("frontier.json", frontier_summary(result))
    return result


COMMANDS: dict[str, Command] = {
    "simulate": Command("simulate", _simulate_tasks),
    "compare": Command("compare", _compare_tasks),
    "plan": Command("plan", _plan_tasks, plans_in_request=False, prepare=_check_budget_pairs),
    "optimise": Command(
        "optimise",
        _optimise_tasks,
        resumable=False,
        uses_executor=False,
        plans_in_request=False,
        prepare=_with_limits,
    ),
    "frontier": Command(
        "frontier",
        _frontier_tasks,
        resumable=False,
        uses_executor=False,
        plans_in_request=False,
        tps_csv=False,
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
