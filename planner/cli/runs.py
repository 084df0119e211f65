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
    """Simulate polling day: queues, KPPS fatigue and health, counting (Monte Carlo).

    Writes a run folder with summary.json (every metric as a mean with its 95% interval),
    per_tps.csv, per_district.csv (and per_region.csv for a province), manifest.json and,
    with --trace, trace.csv. Every finished replication is saved in the folder at once, so
    an interrupted run (Ctrl-C, kill, crash) is finished with --resume RUN_DIR.

    \b
    Example:
      planner simulate scenarios/balikpapan-2024.yaml -r 40 --workers 2 --trace TPS-0001
      planner simulate scenarios/balikpapan-2024.yaml --precision wait_mean_min=0.25
      planner simulate --resume outputs/20241127T010203Z-kota-balikpapan-simulate
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

    PLANS (two or more) are plan.csv files from planner optimise (or LABEL=FILE), or
    `default` for the policy-default plan; the first is the reference. Prints, per metric,
    each plan's mean and the paired difference against the first with its 95% interval and
    whether it is significant; writes compare.json, compare.csv, differences.csv and
    compare_districts.csv (per kecamatan). --precision goals apply to the paired differences.

    \b
    Example:
      planner compare scenarios/balikpapan-2024.yaml default \\
        optimised=outputs/20241127T010203Z-kota-balikpapan-optimise/plan.csv -r 40 --workers 2
    """
    if o["resume"] is None and (o["scenario"] is None or len(o["plans"]) < 2):
        raise UserError(
            "give SCENARIO and two or more PLANS to compare (plan.csv files or `default`), "
            "e.g. planner compare sc.yaml default outputs/RUN/plan.csv"
        )
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

    Optimises with the scenario's residual-harm table, simulates the plan on -r training
    days, re-estimates the table by risk class and pattern from the harm the simulation
    left (re-vote risk, suspensions, minutes waiting for a responder, escalated and
    unresolved incidents), and re-optimises until the plan stops changing or --iterations.
    Every plan is then judged on new days against the policy default; the best is kept.
    Writes iterations/NN/ (plan, table, estimates), iterations.csv, loop.json,
    compare.json, differences.csv and the kept plan.csv.

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

    Simulates one plan per pattern (that pattern wherever a class allows it, the standard
    elsewhere) on the same -r days and measures, for every allowed class × pattern, the harm
    the simulation left at the TPS holding it, with a 95% interval. Writes calibration.csv,
    calibration.json and residual_harm.yaml, the learnt table to paste under security: of
    the scenario (docs/calibration.md).

    \b
    Example:
      planner calibrate scenarios/balikpapan-2024.yaml -r 20 --workers 2
    """
    common.run_command("calibrate", common.new_request("calibrate", o), o)
