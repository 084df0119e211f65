"""Report options shared by every command that makes a run folder.

Used by the run-folder commands of the command line (planner/cli/): ``@report_options``
adds ``--no-report``, ``--no-xlsx``, ``--lang`` and ``--open``, and the command calls
`finish_report` once its run folder is complete.

`finish_report` writes ``report.html`` (unless ``--no-report``) and ``results.xlsx`` (unless
``--no-xlsx``, planner/report/workbook.py) at the end of the run, both in the ``--lang``
language, and opens the report only when ``--open`` is given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from planner.report.i18n import DEFAULT_LANG, LANGS

F = TypeVar("F", bound=Callable[..., Any])


def lang_option(func: F) -> F:
    """``--lang id|en``."""
    return click.option(
        "--lang",
        type=click.Choice(LANGS, case_sensitive=False),
        default=DEFAULT_LANG,
        show_default=True,
        help="Language of the report: id (Bahasa Indonesia) or en (English).",
    )(func)


def open_option(func: F) -> F:
    """``--open``."""
    return click.option(
        "--open",
        "open_report",
        is_flag=True,
        help="Open the report in a web browser (nothing is opened by default).",
    )(func)


def no_xlsx_option(func: F) -> F:
    """``--no-xlsx``."""
    return click.option(
        "--no-xlsx", is_flag=True, help="Do not write results.xlsx into the run folder."
    )(func)


def report_options(func: F) -> F:
    """``--no-report``, ``--no-xlsx``, ``--lang`` and ``--open`` for commands that make a run
    folder."""
    func = click.option(
        "--no-report", is_flag=True, help="Do not write report.html into the run folder."
    )(func)
    return no_xlsx_option(lang_option(open_option(func)))


def finish_report(
    run_dir: Path,
    *,
    no_report: bool = False,
    no_xlsx: bool = False,
    lang: str = DEFAULT_LANG,
    open_report: bool = False,
) -> Path | None:
    """Write the run's results.xlsx (unless `no_xlsx`) and report.html (unless `no_report`);
    open the report when asked. The report's path, or None when none was written."""
    if not no_xlsx:
        from planner.report.workbook import write_workbook

        write_workbook(run_dir, lang)
    if no_report:
        return None
    from planner.report.build import open_in_browser, write_report

    path = write_report(run_dir, lang)
    if open_report:
        open_in_browser(path)
    return path
