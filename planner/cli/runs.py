"""`simulate`, `compare`, `plan` and `calibrate`: resumable runs of simulated polling days.

Their options are declared in `planner.experiment.options` (one declaration for the command
line, the lifecycle's checks and the Python API)."""

from __future__ import annotations

from typing import Any

import click

from planner.cli import common
from planner.errors import UserError

scenario_argument = click.argument("scenario", type=common.PATH, required=False)


@click.command()
@scenario_argument
@common.declared("simulate")
def simulate(**o: Any) -> None:
    """Simulate polling day: queues, KPPS fatigue and health, incidents, counting.

    Writes summary.json (means with 95% intervals), per-TPS and per-kecamatan tables; an
    interrupted run is finished with --resume RUN_DIR (README: Where outputs go).

    \b
    Example:
      planner simulate scenarios/balikpapan-2024.yaml -r 40 --workers 2 --trace TPS-0001
    """
    common.run_command("simulate", o)


@click.command()
@scenario_argument
@click.argument("plans", nargs=-1)
@common.declared("compare")
def compare(**o: Any) -> None:
    """Compare plans on the same simulated days (common random numbers).

    PLANS (two or more): plan files (or LABEL=FILE) or `default`; each is paired against
    the first, per metric, with a 95% interval.

    \b
    Example:
      planner compare scenarios/balikpapan-2024.yaml default \\
        optimised=outputs/20241127T010203Z-kota-balikpapan-optimise/plan.csv -r 40 --workers 2
    """
    if o["resume"] is not None and o["plans"]:
        raise UserError("give either SCENARIO and PLANS or --resume RUN_DIR, not both")
    common.run_command("compare", o, plans=list(o["plans"]))


@click.command(name="plan")
@scenario_argument
@common.declared("plan")
def plan_command(**o: Any) -> None:
    """The simulation–optimisation loop: optimise, simulate, learn, re-optimise.

    Re-estimates the residual-harm table from the simulated days until the plan stops
    changing; every plan is judged on new days against the policy default, the best kept.

    \b
    Example:
      planner plan scenarios/balikpapan-2024.yaml -r 10 --iterations 3 --workers 2
    """
    common.run_command("plan", o, announce=True)


@click.command()
@scenario_argument
@common.declared("calibrate")
def calibrate(**o: Any) -> None:
    """Learn the optimiser's residual-harm table from simulated days.

    One plan per pattern on the same days; writes residual_harm.yaml, the table (with
    intervals) to paste under security: (docs/calibration.md).

    \b
    Example:
      planner calibrate scenarios/balikpapan-2024.yaml -r 20 --workers 2
    """
    common.run_command("calibrate", o)
