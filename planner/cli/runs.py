"""`simulate`, `compare` and `plan`: resumable runs of simulated polling days."""

from __future__ import annotations

from typing import Any

import click

from planner.cli import common
from planner.errors import UserError
from planner.experiment.lifecycle import MAX_REPLICATIONS

scenario_argument = click.argument("scenario", type=common.PATH, required=False)


@click.command()
@scenario_argument
@common.replications_option(20, help="Simulated polling days (Monte Carlo replications).")
@common.seed_option
@common.executor_options
@click.option("--plan", "plan_file", type=common.PATH, default=None,
              help="Deployment plan CSV from planner optimise (default: the policy-default plan).")
@click.option("--trace", "trace_tps", default=None, metavar="TPS_ID",
              help="Also write trace.csv: every event at this TPS in replication 0.")
@click.option("--engine", type=click.Choice(("batch", "reference")), default="batch",
              show_default=True, help="Voter engine: batch (arrays, fast) or reference (SimPy, "
              "event by event; same results).")
@common.precision_options
@common.run_options
def simulate(**o: Any) -> None:
    """Simulate polling day: queues, KPPS fatigue and health, incidents, counting.

    Writes summary.json (means with 95% intervals), per-TPS and per-kecamatan tables; an
    interrupted run is finished with --resume RUN_DIR (README: Where outputs go).

    \b
    Example:
      planner simulate scenarios/balikpapan-2024.yaml -r 40 --workers 2 --trace TPS-0001
    """
    plan = str(o["plan_file"]) if o["plan_file"] else "default"
    request = common.new_request("simulate", o, engine=o["engine"], plans=[plan],
                          options={"trace_tps": o["trace_tps"]})
    common.run_command("simulate", request, o)


@click.command()
@scenario_argument
@click.argument("plans", nargs=-1)
@common.replications_option(20, minimum=2, help="Simulated polling days, the same for every plan.")
@common.seed_option
@common.executor_options
@common.precision_options
@common.run_options
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
    common.run_command("compare", common.new_request("compare", o, plans=list(o["plans"])), o)


@click.command(name="plan")
@scenario_argument
@common.limit_options
@common.replications_option(10, minimum=2, help="Training replications each plan is simulated on.")
@click.option("--eval-replications", type=click.IntRange(2, MAX_REPLICATIONS), default=None,
              help="Out-of-sample replications the candidates are judged on (default: as -r).")
@click.option("--iterations", type=click.IntRange(1, common.MAX_ITERATIONS), default=3,
              show_default=True, help="Most optimise–simulate rounds (the loop stops earlier "
              "when the plan stops changing).")
@common.solver_options(time_limit_s=60.0)
@common.cp_sat_workers_option("--solver-workers")
@common.seed_option
@common.executor_options
@common.run_options
def plan_command(**o: Any) -> None:
    """The simulation–optimisation loop: optimise, simulate, learn, re-optimise.

    Re-estimates the residual-harm table from the simulated days until the plan stops
    changing; every plan is judged on new days against the policy default, the best kept.

    \b
    Example:
      planner plan scenarios/balikpapan-2024.yaml -r 10 --iterations 3 --workers 2
    """
    keys = ("iterations", "eval_replications", "solver_workers", "gap")
    request = common.new_request("plan", o, options={
        **{k: o[k] for k in keys}, "budgets": list(o["budgets"]),
        "available": list(o["available"]), "time_limit_s": o["time_limit"]})
    common.run_command("plan", request, o, announce=True)


@click.command()
@scenario_argument
@common.replications_option(20, minimum=2, help="Simulated days per pattern.")
@common.seed_option
@common.executor_options
@common.run_options
def calibrate(**o: Any) -> None:
    """Learn the optimiser's residual-harm table from simulated days.

    One plan per pattern on the same days; writes residual_harm.yaml, the table (with
    intervals) to paste under security: (docs/calibration.md).

    \b
    Example:
      planner calibrate scenarios/balikpapan-2024.yaml -r 20 --workers 2
    """
    common.run_command("calibrate", common.new_request("calibrate", o), o)
