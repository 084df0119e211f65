"""The `planner` command line: parsing and printing only (docs/architecture.md).

Each command builds a request from its options and hands it to the run lifecycle
(`planner.experiment.lifecycle`); what it prints comes from `planner.report.console`.
Exit codes (DESIGN §5): 0 success; 2 a user error (one line on stderr naming file, field and
fix, no traceback); 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import click

from planner import __version__
from planner.cli.common import PlannerGroup
from planner.cli.runs import calibrate, compare, plan_command, simulate
from planner.cli.scenario import init, schema, validate
from planner.cli.solver import frontier, optimise
from planner.cli.trainer import demo, report

SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=PlannerGroup, context_settings=SETTINGS)
@click.version_option(__version__, prog_name="planner")
def main() -> None:
    """Plan polling day for an Indonesian regional election (Pilkada).

    Simulate polling day at every TPS, optimise where linmas, police and TNI stand under
    per-agency budgets, and compare plans.

    \b
    Example:
      planner validate scenarios/balikpapan-2024.yaml
    """


for command in (init, validate, schema, report, demo, simulate, compare, plan_command, calibrate,
                optimise, frontier):
    main.add_command(command)

__all__ = ["main"]
