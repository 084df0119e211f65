"""`optimise` and `frontier`: CP-SAT deployments under budgets (not resumable)."""

from __future__ import annotations

from typing import Any

import click

from planner.cli import common
from planner.errors import InfeasibleError, UserError
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

    Chooses a pattern per TPS and reserve teams per kecamatan that minimise risk-weighted
    harm within budgets, availability and the policy floor; writes plan.csv, plan.json,
    districts.csv and solver.log, and prints cost and personnel per agency against budgets,
    TPS per pattern, objective and gap, and the plan against the policy default. Exit 2
    with an explanation when no plan fits.

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

    Sweeps one agency's budget line from --from to --to rupiah (or, without --agency, scales
    every budget by factors --from to --to), warm-starting each step from the previous plan.
    Writes frontier.csv (budget, objective, bound, gap, personnel, patterns used, harm cut
    per added Rp 1 bn, share of each class at its standard pattern) and frontier.json. With
    --simulate, every step's plan is simulated on the same -r days (on --workers processes)
    and frontier_simulated.csv holds sim_harm and incidents per step, paired against the
    previous step, beside the predicted and the simulated harm cut per Rp 1 bn.

    \b
    Example:
      planner frontier scenarios/balikpapan-2024.yaml --agency police --from 3e8 --to 9e8 --steps 7
      planner frontier scenarios/balikpapan-2024.yaml --agency police --from 5e8 --to 9e8 \\
        --steps 3 --simulate -r 10 --workers 2
    """
    if o["start"] > o["stop"]:
        raise UserError(f"--from {o['start']:g} is above --to {o['stop']:g}; give --from ≤ --to",
                        where="--from")
    request = solver_request("frontier", o, agency=o["agency"], steps=o["steps"],
                             simulate=o["simulate"], **{"from": o["start"], "to": o["stop"]})
    request.replications = o["replications"]
    common.run_command("frontier", request, o, progress="tasks" if o["simulate"] else "budgets")
