"""`demo` and `report`: a polling day told for trainers, and any run folder as a page."""

from __future__ import annotations

from typing import Any

import click

from planner.cli import common
from planner.demo.options import DEMO_OPTIONS
from planner.report.options import (
    finish_report,
    lang_option,
    no_xlsx_option,
    open_option,
)


@click.command()
@click.argument("run_dir", type=common.PATH)
@lang_option
@open_option
@no_xlsx_option
def report(**o: Any) -> None:
    """Write report.html and results.xlsx into any command's run folder (--lang id|en).

    \b
    Example:
      planner report outputs/20241127T010203Z-kota-balikpapan-simulate --lang id
    """
    path = finish_report(o["run_dir"], lang=o["lang"].lower(), open_report=o["open_report"],
                         no_xlsx=o["no_xlsx"])
    click.echo(f"wrote {path}")


@click.command()
@click.argument("scenario", type=common.PATH)
@common.declared(DEMO_OPTIONS)
def demo(**o: Any) -> None:
    """For trainers: one polling day told hour by hour, with scripted exercise injects.

    \b
    Example:
      planner demo scenarios/training/klandasan-flood.yaml --tps KLU-007 --lang id \\
        --inject-file scenarios/training/klandasan-flood.injects --sitrep 60 \\
        --compare-without-injects
    """
    from planner.demo.run import DemoOptions, run_demo, stdout_echo, summary_rows
    from planner.report.i18n import Translator
    from planner.terminal import format_table

    report = {k: o.pop(k) for k in ("no_report", "no_xlsx", "open_report")}
    options = DemoOptions(**{**o, "lang": o["lang"].lower()})
    result = run_demo(options, echo=stdout_echo())
    click.echo("")
    click.echo(format_table(*summary_rows(result, Translator(options.lang))))
    path = finish_report(result.run_dir, lang=options.lang, **report)
    click.echo(f"wrote {path or result.run_dir}")
