"""The `planner` command line: thin click commands that parse, call one function, write.

Exit codes (DESIGN §5): 0 success; 2 a user error (one line on stderr naming file, field and
fix, no traceback); 1 an internal error.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from planner import __version__
from planner.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn a `UserError` into exit 2 with its one line; anything else into exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except click.exceptions.ClickException:
            raise
        except Exception as exc:  # an internal error: say so, keep it to a few lines
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("please report this with the command you ran", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def set_option(func: F) -> F:
    """``--set path.to.key=value`` (repeatable) scenario overrides."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set voters.turnout=0.65 (repeatable).",
    )(func)


def emit_json(data: Any) -> None:
    """Print a summary as JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="planner")
def main() -> None:
    """Plan polling day for an Indonesian regional election (Pilkada).

    Simulate polling day at every TPS, optimise where linmas, police and TNI stand under
    per-agency budgets, and compare plans.

    \b
    Example:
      planner validate scenarios/balikpapan-2024.yaml
    """


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--tps-out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the resolved TPS table to this CSV file.",
)
@handle_errors
def validate(
    scenario: Path, overrides: tuple[str, ...], as_json: bool, tps_out: Path | None
) -> None:
    """Check a scenario and print a compact summary.

    Prints kecamatan, villages, TPS by risk class, voters, ballots needed with the reserve,
    and the personnel and cost per agency of the policy-default plan against budgets.

    \b
    Example:
      planner validate scenarios/balikpapan-2024.yaml --set voters.turnout=0.65
    """
    from planner.report.files import atomic_write_text
    from planner.scenario.load import load_scenario
    from planner.scenario.summary import format_summary, summarise

    sc = load_scenario(scenario, overrides)
    summary = summarise(sc)
    if tps_out is not None:
        atomic_write_text(tps_out, sc.tps.to_csv())
    if as_json:
        emit_json(summary)
    else:
        click.echo(format_summary(summary))
        click.echo(f"OK: {scenario} is valid")


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the schema to this file instead of stdout.",
)
@handle_errors
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the scenario format (for editors).

    \b
    Example:
      planner schema --out scenario.schema.json
    """
    from planner.report.files import atomic_write_text
    from planner.scenario.reference import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(out, text)
        click.echo(f"wrote {out}")


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(("id", "en"), case_sensitive=False),
    default="en",
    show_default=True,
    help="Language of the report: id (Bahasa Indonesia) or en (English).",
)
@click.option("--open", "open_report", is_flag=True, help="Open the report in a web browser.")
@handle_errors
def report(run_dir: Path, lang: str, open_report: bool) -> None:
    """Write report.html into a run folder: one self-contained file with plots and tables.

    Works for the run folder of any command (simulate, optimise, frontier, compare, plan,
    demo); the file needs no network to view and prints on A4. Nothing is opened unless
    --open is given.

    \b
    Example:
      planner report outputs/20241127T010203Z-kota-balikpapan-simulate --lang id
    """
    from planner.report.options import finish_report

    path = finish_report(run_dir, lang=lang.lower(), open_report=open_report)
    click.echo(f"wrote {path}")
