"""What every command shares: error handling, option types and groups, and the run of a
run-folder command (request → lifecycle → printed result → report)."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from planner.errors import UserError
from planner.experiment.lifecycle import (
    COMMANDS,
    MAX_ITERATIONS,
    MAX_REPLICATIONS,
    MAX_STEPS,
    MAX_TIME_LIMIT_S,
    MAX_WORKERS,
    Where,
    execute,
)
from planner.experiment.session import RunRequest
from planner.report.options import finish_report, report_options
from planner.terminal import Progress

F = TypeVar("F", bound=Callable[..., Any])
PATH = click.Path(path_type=Path)
SEED = click.IntRange(0, 2**63 - 1)
__all__ = ["MAX_ITERATIONS", "MAX_REPLICATIONS", "MAX_STEPS"]  # the bounds options show


class Finite(click.FloatRange):
    """A float in a range that refuses NaN and infinity (click's FloatRange lets them by)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class PlannerGroup(click.Group):
    """The command group that turns what a command raises into an exit code (DESIGN §5): a
    `UserError` is exit 2 with its one line, Ctrl-C 130, anything else an internal error,
    exit 1, in a few lines and without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(2)
        except KeyboardInterrupt as exc:
            click.echo(f"interrupted: {exc}" if str(exc) else "interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (`planner validate … | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("please report this with the command you ran", err=True)
            sys.exit(1)


def emit_json(data: Any) -> None:
    """Print a summary as JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click options as one decorator (first listed shows first in --help)."""

    def apply(func: F) -> F:
        for decorate in reversed(decorators):
            func = decorate(func)
        return func

    return apply


def replications_option(default: int, minimum: int = 1, help: str = "") -> Callable[[F], F]:
    """``-r/--replications`` between `minimum` and the lifecycle's bound."""
    return click.option("-r", "--replications", type=click.IntRange(minimum, MAX_REPLICATIONS),
                        default=default, show_default=True, help=help)


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set voters.turnout=0.65 (repeatable).")
seed_option = click.option("--seed", type=SEED, default=None,
                           help="Override the scenario seed (0 ≤ SEED < 2^63).")
out_option = click.option("--out", type=PATH, default=None, help="Run folder.")
json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print the run's summary JSON to stdout.")
dask_options = options(
    click.option("--executor", type=click.Choice(("local", "dask")), default="local",
                 show_default=True, help="Where tasks run: local processes, or a Dask cluster "
                 "(pip install 'planner[distributed]'). Results are identical either way."),
    click.option("--scheduler", default=None, metavar="ADDRESS",
                 help="Address of a running Dask scheduler (e.g. tcp://10.0.0.5:8786); without "
                 "it --executor dask starts a local cluster."),
)
executor_options = options(
    click.option("--workers", type=click.IntRange(1, MAX_WORKERS), default=1, show_default=True,
                 help="Processes to run replications on (results are identical for any number)."),
    dask_options,
)
precision_options = options(
    click.option("--precision", multiple=True, metavar="METRIC=HALF_WIDTH",
                 help="Add replications until the metric's 95%% interval is ± HALF_WIDTH or "
                 "narrower, e.g. wait_mean_min=0.5 (-r is then the first batch; repeatable)."),
    click.option("--max-replications", type=click.IntRange(1, MAX_REPLICATIONS), default=None,
                 help="Cap on replications when --precision adds them (default 500)."),
)


def cp_sat_workers_option(name: str) -> Callable[[F], F]:
    """The CP-SAT workers option (``--workers`` of optimise, ``--solver-workers`` of plan)."""
    return click.option(name, type=click.IntRange(1, MAX_WORKERS), default=2, show_default=True,
                        help="CP-SAT workers.")


def solver_options(time_limit_s: float) -> Callable[[F], F]:
    """``--time-limit`` (finite, 0 < s ≤ a day) and ``--gap`` (0 to 1) of CP-SAT solves."""
    return options(
        click.option("--time-limit", type=Finite(0, MAX_TIME_LIMIT_S, min_open=True),
                     default=time_limit_s, show_default=True,
                     help="Seconds per CP-SAT solve (at most a day)."),
        click.option("--gap", type=Finite(0, 1), default=0.0, show_default=True,
                     help="Stop each solve at this relative gap (0 to 1)."),
    )


limit_options = options(
    click.option("--budget", "budgets", multiple=True, metavar="NAME=RUPIAH",
                 help="Budget of an agency's budget line (police=6.2e9) or of a line by name "
                 "(polres=6199000000); 'unlimited' lifts it (repeatable)."),
    click.option("--available", multiple=True, metavar="AGENCY=N",
                 help="Personnel available to an agency, e.g. police=422 (repeatable)."),
)
run_options = options(
    click.option("--resume", type=PATH, default=None, metavar="RUN_DIR",
                 help="Finish an interrupted run in RUN_DIR (its saved replications are kept; "
                 "give no SCENARIO)."),
    out_option, json_option, report_options, set_option,
)
"""What every resumable run-folder command takes after its own options."""


def new_request(command: str, o: dict[str, Any], **fields: Any) -> RunRequest | None:
    """The request of a new run from the options, or None for ``--resume`` (one of the two
    must be given, not both)."""
    if o.get("resume") is not None:
        if o.get("scenario") is not None:
            raise UserError("give either SCENARIO or --resume RUN_DIR, not both")
        return None
    if o.get("scenario") is None:
        raise UserError("missing SCENARIO (a scenario file), or --resume RUN_DIR")
    given: dict[str, Any] = {k: o[k] for k in ("replications", "seed", "max_replications")
                             if k in o}
    return RunRequest(command=command, scenario=str(o["scenario"]),
                      overrides=list(o["overrides"]), precision=list(o.get("precision", ())),
                      **given, **fields)


def run_command(command: str, request: RunRequest | None, o: dict[str, Any],
                progress: str | None = "tasks", announce: bool = False) -> Any:
    """Run a run-folder command through the lifecycle, print its result, write its report.

    `progress` names the bar's units (None: no bar); `announce` says where the folder is as
    soon as it exists (for long runs that print lines while they go)."""
    from planner.report.console import json_of, lines_of

    as_json = bool(o.get("as_json"))
    where = Where(o.get("executor", "local"), o.get("workers", 1), o.get("scheduler"))
    with Progress(progress or "", 0, enabled=None if progress else False) as bar:

        def echo(line: str) -> None:
            bar.close()
            click.echo(line, err=True)

        def opened_at(opened: Any) -> None:
            if announce:
                click.echo(f"run folder: {opened.run.path} (report.html there at the end)",
                           err=as_json)

        opened, result = execute(COMMANDS[command], request, resume=o.get("resume"),
                                 out=o.get("out"), where=where, progress=bar.update, echo=echo,
                                 on_open=opened_at)
    if as_json:
        emit_json(json_of(command, result))
    else:
        for line in lines_of(command, opened, result):
            click.echo(line)
    path = finish_report(opened.run.path, no_report=o["no_report"], no_xlsx=o["no_xlsx"],
                         lang=o["lang"].lower(), open_report=o["open_report"])
    click.echo(f"wrote {path or opened.run.path}", err=as_json)
    return result
