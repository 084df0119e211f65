"""`init`, `validate` and `schema`: a scenario file written from a TPS sheet (logic in
planner.scenario.init), checked, and its format described."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from planner.cli import common
from planner.errors import UserError
from planner.files import atomic_write_text


@click.command(name="init")
@click.argument("sheet", type=common.PATH)
@click.option("--rawan", type=common.PATH, default=None, metavar="RAWAN_SHEET",
              help="Bawaslu's TPS-rawan sheet (.xlsx or .csv): sets indicators and classes.")
@click.option("--name", required=True, help="Region name, e.g. 'Kota Balikpapan'.")
@click.option("--out", type=common.PATH, required=True, help="Scenario file to write (.yaml).")
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
              help="Name a column the header does not make plain, e.g. voters='DPT Total'.")
@click.option("--sheet", "worksheet", default=None, metavar="NAME",
              help="Worksheet of the workbook holding the TPS table (default: the first).")
@click.option("--rawan-sheet", "rawan_worksheet", default=None, metavar="NAME",
              help="Worksheet of the TPS-rawan workbook holding its table (default: the first).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
def init(sheet: Path, rawan: Path | None, name: str, out: Path, columns: tuple[str, ...],
         worksheet: str | None, rawan_worksheet: str | None, force: bool) -> None:
    """Write a scenario for a new region from its TPS sheet, then validate it.

    Reads a KPU-style recap (.xlsx or .csv, title rows above the header are fine); every
    setting the sheet does not give is listed commented with its default and source.

    \b
    Example:
      planner init scenarios/example-kpu-recap.xlsx --rawan scenarios/example-tps-rawan.xlsx \\
          --name "Kota Balikpapan (contoh)" --out balikpapan.yaml
    """
    from planner.experiment.lifecycle import check_scenario
    from planner.scenario.init import init_scenario, parse_columns
    from planner.scenario.summary import format_summary, summarise

    if rawan_worksheet is not None and rawan is None:
        raise UserError("--rawan-sheet names a worksheet of the --rawan sheet; give --rawan too")
    result = init_scenario(sheet, name, out, rawan=rawan, columns=parse_columns(columns),
                           force=force, worksheet=worksheet, rawan_worksheet=rawan_worksheet)
    check_scenario(result.scenario)
    click.echo(format_summary(summarise(result.scenario)))
    for note in result.notes:
        click.echo(note)
    click.echo(f"wrote {out}; it is valid. Next: planner simulate {out} -r 10")


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
