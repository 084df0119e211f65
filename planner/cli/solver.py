"""`optimise` and `frontier`: CP-SAT deployments under budgets (not resumable; options
declared in `planner.experiment.options`)."""

from __future__ import annotations

from typing import Any

import click

from planner.cli import common
from planner.errors import InfeasibleError


@click.command()
@click.argument("scenario", type=common.PATH)
@common.declared("optimise")
def optimise(**o: Any) -> None:
    """Optimise where linmas, police and TNI stand under per-agency budgets.

    A pattern per TPS and reserve teams per kecamatan, least risk-weighted harm within
    budgets, availability and policy; exit 2 with the reason when no plan fits.

    \b
    Example:
      planner optimise scenarios/balikpapan-2024.yaml --budget police=5e8 --time-limit 30
    """
    result = common.run_command("optimise", o, progress=None, replications=1)
    if result.plan is None:
        message = result.explanation.message() if result.explanation else "no plan found"
        raise InfeasibleError(message, where=str(o["scenario"]))


@click.command()
@click.argument("scenario", type=common.PATH)
@common.declared("frontier")
def frontier(**o: Any) -> None:
    """Budget sweep: residual harm against money, one optimisation per step.

    Sweeps one agency's budget from --from to --to rupiah (without --agency: scales every
    budget by those factors); --simulate checks each step's harm cut by simulation.

    \b
    Example:
      planner frontier scenarios/balikpapan-2024.yaml --agency police --from 5e8 --to 9e8 \\
        --steps 3 --simulate -r 10 --workers 2
    """
    common.run_command("frontier", o, progress="tasks" if o["simulate"] else "budgets")
