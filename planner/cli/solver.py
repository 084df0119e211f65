"""`optimise` and `frontier`: CP-SAT deployments under budgets (not resumable)."""

from __future__ import annotations

from typing import Any

import click

from planner.cli import common
from planner.errors import InfeasibleError
from planner.experiment.session import RunRequest
from planner.report.options import report_options

solver_run_options = common.options(
    common.cp_sat_workers_option("--workers"),
    common.seed_option,
    common.out_option, common.json_option, report_options, common.set_option,
)


def solver_request(command: str, o: dict[str, Any], **fields: Any) -> RunRequest:
    """The request of an optimise or frontier run (its options go to the manifest)."""
    return RunRequest(command=command, scenario=str(o["scenario"]), overrides=list(o["overrides"]),
                      seed=o["seed"], replications=1,
                      options={**fields, "time_limit_s": o["time_limit"], "workers": o["workers"],
                               "gap": o["gap"]})


@click.command()
@click.argument("scenario", type=common.PATH)
@common.limit_options
@common.solver_options(time_limit_s=60.0)
@solver_run_options
def optimise(**o: Any) -> None:
    """Optimise where linmas, police and TNI stand under per-agency budgets.

    A pattern per TPS and reserve teams per kecamatan, least risk-weighted harm within
    budgets, availability and policy; exit 2 with the reason when no plan fits.

    \b
    Example:
      planner optimise scenarios/balikpapan-2024.yaml --budget police=5e8 --time-limit 30
    """
    request = solver_request("optimise", o, budgets=list(o["budgets"]),
                             available=list(o["available"]))
    result = common.run_command("optimise", request, o, progress=None)
    if result.plan is None:
        message = result.explanation.message() if result.explanation else "no plan found"
        raise InfeasibleError(message, where=str(o["scenario"]))


@click.command()
@click.argument("scenario", type=common.PATH)
@click.option("--agency", default=None,
              help="Agency (or budget line) whose budget is swept; omit to scale every budget.")
@click.option("--from", "start", type=common.Finite(0), required=True,
              help="First budget (Rp) or factor.")
@click.option("--to", "stop", type=common.Finite(0), required=True,
              help="Last budget (Rp) or factor.")
@click.option("--steps", type=click.IntRange(1, common.MAX_STEPS), default=5, show_default=True,
              help="Budgets in the sweep (1 to 200).")
@click.option("--simulate", is_flag=True, help="Also simulate every step's plan on the same "
              "-r days and show the harm each step removes as simulated (paired intervals).")
@common.replications_option(10, minimum=2, help="Simulated days per step with --simulate.")
@common.dask_options
@common.solver_options(time_limit_s=20.0)
@solver_run_options
def frontier(**o: Any) -> None:
    """Budget sweep: residual harm against money, one optimisation per step.

    Sweeps one agency's budget from --from to --to rupiah (without --agency: scales every
    budget by those factors); --simulate checks each step's harm cut by simulation.

    \b
    Example:
      planner frontier scenarios/balikpapan-2024.yaml --agency police --from 5e8 --to 9e8 \\
        --steps 3 --simulate -r 10 --workers 2
    """
    request = solver_request("frontier", o, agency=o["agency"], steps=o["steps"],
                             simulate=o["simulate"], **{"from": o["start"], "to": o["stop"]})
    request.replications = o["replications"]
    common.run_command("frontier", request, o, progress="tasks" if o["simulate"] else "budgets")
