"""`validate` and `schema`: the scenario format, checked and described."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from planner.cli import common
from planner.files import atomic_write_text


@click.command()
@click.argument("scenario", type=common.PATH)
@common.set_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--tps-out", type=common.PATH, default=None,
              help="Also write the resolved TPS table to this CSV file.")
def validate(scenario: Path, overrides: tuple[str, ...], as_json: bool,
             tps_out: Path | None) -> None:
    """Check a scenario; print its TPS, voters, ballots and the default plan's cost.

    \b
    Example:
      planner validate scenarios/balikpapan-2024.yaml --set voters.turnout=0.65
    """
    from planner.experiment.lifecycle import check_scenario
    from planner.scenario.load import load_scenario
    from planner.scenario.summary import format_summary, summarise

    sc = load_scenario(scenario, overrides)
    check_scenario(sc)
    summary = summarise(sc)
    if tps_out is not None:
        atomic_write_text(tps_out, sc.tps.to_csv())
    if as_json:
        common.emit_json(summary)
    else:
        click.echo(format_summary(summary))
        click.echo(f"OK: {scenario} is valid")


@click.command()
@click.option("--out", type=common.PATH, default=None,
              help="Write the schema to this file instead of stdout.")
def schema(**o: Any) -> None:
    """Print the JSON Schema of the scenario format (for editors).

    \b
    Example:
      planner schema --out scenario.schema.json
    """
    from planner.scenario.reference import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if o["out"] is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(o["out"], text)
        click.echo(f"wrote {o['out']}")
