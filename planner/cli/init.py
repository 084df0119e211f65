"""`init`: a scenario file for a new region from its TPS sheet (logic in planner.scenario.init)."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import common


@click.command(name="init")
@click.argument("sheet", type=common.PATH)
@click.option("--rawan", type=common.PATH, default=None, metavar="RAWAN_SHEET",
              help="Bawaslu's TPS-rawan sheet (.xlsx or .csv): sets indicators and classes.")
@click.option("--name", required=True, help="Region name, e.g. 'Kota Balikpapan'.")
@click.option("--out", type=common.PATH, required=True, help="Scenario file to write (.yaml).")
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
              help="Name a column the header does not make plain, e.g. voters='DPT Total'.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
def init(sheet: Path, rawan: Path | None, name: str, out: Path, columns: tuple[str, ...],
         force: bool) -> None:
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

    result = init_scenario(sheet, name, out, rawan=rawan, columns=parse_columns(columns),
                           force=force)
    check_scenario(result.scenario)
    click.echo(format_summary(summarise(result.scenario)))
    for note in result.notes:
        click.echo(note)
    click.echo(f"wrote {out}; it is valid. Next: planner simulate {out} -r 10")
