"""What every command shares: error handling, the declared run options as click options,
and the run of a run-folder command (request → lifecycle → printed result → report)."""

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
from planner.experiment.lifecycle import COMMANDS, Where, execute
from planner.experiment.options import OPTIONS_OF, Option, request_of
from planner.experiment.session import RunRequest
from planner.report.options import finish_report, report_options
from planner.terminal import Progress

F = TypeVar("F", bound=Callable[..., Any])
PATH = click.Path(path_type=Path)


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


def click_option(option: Option) -> Callable[[F], F]:
    """A declared run option (planner.experiment.options) as a click option: the same flags,
    bounds, default and help."""
    low, high = (None if b is None else int(b) for b in (option.low, option.high))
    types: dict[str, Any] = {
        "int": lambda: click.IntRange(low, high),
        "float": lambda: Finite(option.low, option.high, min_open=option.low_open),
        "path": lambda: PATH, "choice": lambda: click.Choice(option.choices)}
    kind = {"is_flag": True} if option.kind == "flag" else (
        {"type": types[option.kind]()} if option.kind in types else {})
    return click.option(*option.flags, option.key, default=option.default, help=option.help,
                        show_default=option.show_default, metavar=option.metavar,
                        multiple=option.many, required=option.required, **kind)


def declared(command: str | tuple[Option, ...]) -> Callable[[F], F]:
    """A run command's declared options (or these), then the report's and ``--set``, in the
    order --help lists them."""
    declared = OPTIONS_OF[command] if isinstance(command, str) else command
    decorators = [*map(click_option, declared), report_options, set_option]

    def apply(func: F) -> F:
        for decorate in reversed(decorators):
            func = decorate(func)
        return func

    return apply


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set voters.turnout=0.65 (repeatable).")


def new_request(command: str, o: dict[str, Any], **fields: Any) -> RunRequest | None:
    """The request of a new run from the options, or None for ``--resume`` (one of the two
    must be given, not both)."""
    if o.get("resume") is not None:
        if o.get("scenario") is not None:
            raise UserError("give either SCENARIO or --resume RUN_DIR, not both")
        return None
    if o.get("scenario") is None:
        raise UserError("missing SCENARIO (a scenario file), or --resume RUN_DIR")
    return request_of(command, o["scenario"], o, **fields)


def run_command(command: str, o: dict[str, Any], progress: str | None = "tasks",
                announce: bool = False, **fields: Any) -> Any:
    """Run a run-folder command through the lifecycle, print its result, write its report.

    `progress` names the bar's units (None: no bar); `announce` says where the folder is as
    soon as it exists (for long runs that print lines while they go); `fields` go to the
    request as given (e.g. compare's PLANS)."""
    from planner.report.console import json_of, lines_of

    request = new_request(command, o, **fields)
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
