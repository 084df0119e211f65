"""The `planner` command line: thin click commands that parse, call one function, write.

Exit codes (DESIGN §5): 0 success; 2 a user error (one line on stderr naming file, field and
fix, no traceback); 1 an internal error.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from planner import __version__
from planner.errors import UserError
from planner.report.options import report_options

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn a `UserError` into exit 2 with its one line; anything else into exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(2)
        except KeyboardInterrupt as exc:
            click.echo(f"interrupted: {exc}" if str(exc) else "interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`planner validate ... | head`): not an error of ours.
            # Point stdout at devnull so the interpreter's final flush stays quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except click.exceptions.ClickException:
            raise
        except Exception as exc:  # an internal error: say so, keep it to a few lines
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("please report this with the command you ran", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def set_option(func: F) -> F:
    """``--set path.to.key=value`` (repeatable) scenario overrides."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set voters.turnout=0.65 (repeatable).",
    )(func)


def emit_json(data: Any) -> None:
    """Print a summary as JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="planner")
def main() -> None:
    """Plan polling day for an Indonesian regional election (Pilkada).

    Simulate polling day at every TPS, optimise where linmas, police and TNI stand under
    per-agency budgets, and compare plans.

    \b
    Example:
      planner validate scenarios/balikpapan-2024.yaml
    """


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--tps-out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the resolved TPS table to this CSV file.",
)
@handle_errors
def validate(
    scenario: Path, overrides: tuple[str, ...], as_json: bool, tps_out: Path | None
) -> None:
    """Check a scenario and print a compact summary.

    Prints kecamatan, villages, TPS by risk class, voters, ballots needed with the reserve,
    and the personnel and cost per agency of the policy-default plan against budgets.

    \b
    Example:
      planner validate scenarios/balikpapan-2024.yaml --set voters.turnout=0.65
    """
    from planner.files import atomic_write_text
    from planner.scenario.load import load_scenario
    from planner.scenario.summary import format_summary, summarise

    sc = load_scenario(scenario, overrides)
    summary = summarise(sc)
    if tps_out is not None:
        atomic_write_text(tps_out, sc.tps.to_csv())
    if as_json:
        emit_json(summary)
    else:
        click.echo(format_summary(summary))
        click.echo(f"OK: {scenario} is valid")


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the schema to this file instead of stdout.",
)
@handle_errors
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the scenario format (for editors).

    \b
    Example:
      planner schema --out scenario.schema.json
    """
    from planner.files import atomic_write_text
    from planner.scenario.reference import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(out, text)
        click.echo(f"wrote {out}")


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(("id", "en"), case_sensitive=False),
    default="en",
    show_default=True,
    help="Language of the report: id (Bahasa Indonesia) or en (English).",
)
@click.option("--open", "open_report", is_flag=True, help="Open the report in a web browser.")
@handle_errors
def report(run_dir: Path, lang: str, open_report: bool) -> None:
    """Write report.html into a run folder: one self-contained file with plots and tables.

    Works for the run folder of any command (simulate, optimise, frontier, compare, plan,
    demo); the file needs no network to view and prints on A4. Nothing is opened unless
    --open is given.

    \b
    Example:
      planner report outputs/20241127T010203Z-kota-balikpapan-simulate --lang id
    """
    from planner.report.options import finish_report

    path = finish_report(run_dir, lang=lang.lower(), open_report=open_report)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--tps", "tps_id", default=None, help="Tell the day at this TPS (default: the first)."
)
@click.option("--district", default=None, help="Tell the day of this kecamatan instead.")
@click.option(
    "--inject",
    "injects",
    multiple=True,
    metavar="KIND@PLACE@WHEN",
    help="Script an event (repeatable), e.g. flood@Balikpapan Barat@08:00, "
    "collapse@TPS-0012@19:30, protest@TPS-0007@10:15, late-kit@PPK Balikpapan Kota@+90min, "
    "power-cut@Klandasan Ilir@20:00+45min. Kinds: flood, power-cut, protest, collapse, "
    "late-kit (docs/training.md).",
)
@click.option(
    "--inject-file",
    type=click.Path(path_type=Path),
    default=None,
    help="A script of injects, one per line (# comments), e.g. scenarios/training/*.injects.",
)
@click.option("--seed", type=int, default=None, help="Override the scenario seed.")
@click.option(
    "--lang",
    type=click.Choice(("id", "en"), case_sensitive=False),
    default="en",
    show_default=True,
    help="Language of the timeline and report.",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Live pacing: simulated minutes per real second (e.g. 30); 0 prints at once.",
)
@click.option(
    "--compare-without-injects",
    is_flag=True,
    help="Also simulate the same day (same seed) without the injects, side by side.",
)
@click.option(
    "--sitrep",
    "sitrep_min",
    type=int,
    default=None,
    metavar="MINUTES",
    help="Add situation reports every MINUTES (e.g. 60) per kecamatan and region.",
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Deployment plan CSV (default: the policy-default plan).",
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--no-report", is_flag=True, help="Do not write report.html.")
@click.option("--open", "open_report", is_flag=True, help="Open the report in a web browser.")
@set_option
@handle_errors
def demo(
    scenario: Path,
    tps_id: str | None,
    district: str | None,
    injects: tuple[str, ...],
    inject_file: Path | None,
    seed: int | None,
    lang: str,
    speed: float,
    compare_without_injects: bool,
    sitrep_min: int | None,
    plan_file: Path | None,
    out: Path | None,
    no_report: bool,
    open_report: bool,
    overrides: tuple[str, ...],
) -> None:
    """For trainers: one polling day told hour by hour, with scripted exercise injects.

    Prints the day as a timeline in plain language (Indonesian or English) and writes a run
    folder with report.html (timeline, plots, situation reports) and story.json.

    \b
    Example:
      planner demo scenarios/training/klandasan-flood.yaml --tps KLU-007 --lang id \\
        --inject-file scenarios/training/klandasan-flood.injects --sitrep 60 \\
        --compare-without-injects
    """
    from planner.demo.run import DemoOptions, run_demo, stdout_echo, summary_rows
    from planner.report.i18n import Translator
    from planner.report.options import finish_report
    from planner.terminal import format_table

    options = DemoOptions(
        scenario=scenario,
        tps=tps_id,
        district=district,
        injects=injects,
        inject_file=inject_file,
        seed=seed,
        lang=lang.lower(),
        speed=speed,
        compare_without_injects=compare_without_injects,
        sitrep_min=sitrep_min,
        out=out,
        overrides=overrides,
        plan=plan_file,
    )
    result = run_demo(options, echo=stdout_echo())
    headers, rows = summary_rows(result, Translator(options.lang))
    click.echo("")
    click.echo(format_table(headers, rows))
    path = finish_report(
        result.run_dir, no_report=no_report, lang=options.lang, open_report=open_report
    )
    click.echo(f"wrote {path or result.run_dir}")


def executor_options(func: F) -> F:
    """``--workers``, ``--executor`` and ``--scheduler``: where replications run."""
    func = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Address of an existing Dask scheduler (e.g. tcp://10.0.0.5:8786); without it "
        "--executor dask starts a local cluster.",
    )(func)
    func = click.option(
        "--executor",
        type=click.Choice(("local", "dask")),
        default="local",
        show_default=True,
        help="Where tasks run: local processes, or a Dask cluster (pip install "
        "'planner[distributed]'). Results are identical either way.",
    )(func)
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Processes to run replications on (results are identical for any number).",
    )(func)


def precision_options(func: F) -> F:
    """``--precision METRIC=HALF_WIDTH`` (repeatable) and ``--max-replications``."""
    func = click.option(
        "--max-replications",
        type=click.IntRange(min=1),
        default=None,
        help="Cap on replications when --precision adds them (default 500).",
    )(func)
    return click.option(
        "--precision",
        multiple=True,
        metavar="METRIC=HALF_WIDTH",
        help="Add replications until the metric's 95%% interval is ± HALF_WIDTH or narrower, "
        "e.g. wait_mean_min=0.5 (-r is then the first batch; repeatable).",
    )(func)


def resume_option(func: F) -> F:
    """``--resume RUN_DIR``."""
    return click.option(
        "--resume",
        type=click.Path(path_type=Path),
        default=None,
        metavar="RUN_DIR",
        help="Finish an interrupted run in RUN_DIR (its saved replications are kept; give no "
        "SCENARIO).",
    )(func)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Simulated polling days (Monte Carlo replications).",
)
@click.option("--seed", type=int, default=None, help="Override the scenario seed.")
@executor_options
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Deployment plan CSV from planner optimise (default: the policy-default plan).",
)
@click.option(
    "--trace",
    "trace_tps",
    default=None,
    metavar="TPS_ID",
    help="Also write trace.csv: every event at this TPS in replication 0.",
)
@click.option(
    "--engine",
    type=click.Choice(("batch", "reference")),
    default="batch",
    show_default=True,
    help="Voter engine: batch (arrays, fast) or reference (SimPy, event by event; same results).",
)
@precision_options
@resume_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json to stdout.")
@click.option("--no-report", is_flag=True, help="Do not write report.html.")
@click.option(
    "--lang",
    type=click.Choice(("id", "en"), case_sensitive=False),
    default="en",
    show_default=True,
    help="Language of the report.",
)
@click.option("--open", "open_report", is_flag=True, help="Open the report in a web browser.")
@set_option
@handle_errors
def simulate(
    scenario: Path | None,
    replications: int,
    seed: int | None,
    workers: int,
    executor: str,
    scheduler: str | None,
    plan_file: Path | None,
    trace_tps: str | None,
    engine: str,
    precision: tuple[str, ...],
    max_replications: int | None,
    resume: Path | None,
    out: Path | None,
    as_json: bool,
    no_report: bool,
    lang: str,
    open_report: bool,
    overrides: tuple[str, ...],
) -> None:
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
    from planner.experiment.executors import make_executor
    from planner.experiment.precision import parse_precision
    from planner.experiment.regions import day_of
    from planner.experiment.session import (
        RunRequest,
        load_scenario_of,
        reopen_run,
        resolve_plans,
        simulate_in_folder,
        start_run,
    )
    from planner.report.options import finish_report
    from planner.sim.day import trace_day
    from planner.sim.metrics import METRIC_NAMES, headline_rows
    from planner.terminal import Progress, format_table

    def traced(sc: Any, run_seed: int, plan: Any) -> str | None:
        """trace.csv of --trace (a province's TPS: its region's day), or None."""
        if trace_tps is None and resume is None:
            return None
        tps_id = trace_tps if resume is None else opened.request.options.get("trace_tps")
        if tps_id is None:
            return None
        trace_sc, trace_seed, trace_plan = day_of(sc, run_seed, plan, tps_id)
        return trace_day(trace_sc, trace_seed, tps_id, plan=trace_plan).to_csv()

    if resume is not None:
        if scenario is not None:
            raise UserError("give either SCENARIO or --resume RUN_DIR, not both")
        opened = reopen_run(resume, "simulate")
    else:
        if scenario is None:
            raise UserError("missing SCENARIO (a scenario file), or --resume RUN_DIR")
        request = RunRequest(
            command="simulate",
            scenario=str(scenario),
            overrides=list(overrides),
            seed=seed,
            replications=replications,
            engine=engine,
            plans=[str(plan_file) if plan_file else "default"],
            precision=list(precision),
            max_replications=max_replications,
            options={"trace_tps": trace_tps},
        )
        sc = load_scenario_of(request)
        request.labels, plans = resolve_plans(sc, request.plans)
        parse_precision(precision, METRIC_NAMES)  # mistakes before the run folder exists
        trace_text = traced(sc, sc.seed if seed is None else seed, plans[0])
        opened = start_run(
            request,
            sc,
            plans,
            out,
            extra={
                "replications": replications,
                "workers": workers,
                "executor": executor,
                "engine": engine,
                "plan": str(plan_file) if plan_file else None,
                "trace_tps": trace_tps,
                "overrides": list(overrides),
                "streams": "SeedSequence(seed, spawn_key=(replication, crc32(name), *keys))",
            },
        )
        if trace_text is not None:
            opened.run.write_text("trace.csv", trace_text)
    if resume is not None and not (opened.run.path / "trace.csv").is_file():
        trace_text = traced(opened.scenario, opened.seed, opened.plans[0])
        if trace_text is not None:
            opened.run.write_text("trace.csv", trace_text)
    with make_executor(executor, workers, scheduler) as runner, Progress("tasks", 0) as bar:
        result = simulate_in_folder(opened, runner, bar.update)
    if as_json:
        emit_json(result.summary)
    else:
        title = f"{opened.scenario.name}: {result.replications} replications, seed {opened.seed}"
        rows = headline_rows(result.summary)
        click.echo(format_table(["metric", "mean", "95% interval"], rows, title=title))
        if result.per_region:
            from planner.experiment.regions import region_table

            headers, region_rows = region_table(result.per_region)
            click.echo(format_table(headers, region_rows, title="per region (means)"))
        from planner.experiment.precision import precision_lines

        if "precision" in result.summary:
            for line in precision_lines(result.summary["precision"]):
                click.echo(line)
        if opened.resumed:
            click.echo(f"resumed: {result.tasks_run} tasks simulated now, the rest were saved")
    path = finish_report(
        opened.run.path, no_report=no_report, lang=lang.lower(), open_report=open_report
    )
    click.echo(f"wrote {path or opened.run.path}", err=as_json)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.argument("plans", nargs=-1)
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(min=2),
    default=20,
    show_default=True,
    help="Simulated polling days, the same for every plan.",
)
@click.option("--seed", type=int, default=None, help="Override the scenario seed.")
@executor_options
@precision_options
@resume_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--json", "as_json", is_flag=True, help="Print compare.json to stdout.")
@report_options
@set_option
@handle_errors
def compare(
    scenario: Path | None,
    plans: tuple[str, ...],
    replications: int,
    seed: int | None,
    workers: int,
    executor: str,
    scheduler: str | None,
    precision: tuple[str, ...],
    max_replications: int | None,
    resume: Path | None,
    out: Path | None,
    as_json: bool,
    overrides: tuple[str, ...],
    no_report: bool = False,
    lang: str = "en",
    open_report: bool = False,
) -> None:
    """Compare plans on the same simulated days (common random numbers).

    PLANS are plan.csv files from planner optimise (or LABEL=FILE), or `default` for the
    policy-default plan; the first is the reference. Prints, per metric, each plan's mean
    and the paired difference against the first with its 95% interval and whether it is
    significant; writes compare.json, compare.csv, differences.csv and
    compare_districts.csv (per kecamatan). --precision goals apply to the paired differences.

    \b
    Example:
      planner compare scenarios/balikpapan-2024.yaml default \\
        optimised=outputs/20241127T010203Z-kota-balikpapan-optimise/plan.csv -r 40 --workers 2
    """
    from planner.experiment.compare import compare_in_folder
    from planner.experiment.executors import make_executor
    from planner.experiment.precision import parse_precision
    from planner.experiment.session import (
        RunRequest,
        load_scenario_of,
        reopen_run,
        resolve_plans,
        start_run,
    )
    from planner.report.options import finish_report
    from planner.sim.metrics import METRIC_NAMES
    from planner.terminal import Progress, format_table

    if resume is not None:
        if scenario is not None:
            raise UserError("give either SCENARIO and PLANS or --resume RUN_DIR, not both")
        opened = reopen_run(resume, "compare")
    else:
        if scenario is None or len(plans) < 1:
            raise UserError(
                "give SCENARIO and the PLANS to compare (plan.csv files or `default`), "
                "e.g. planner compare sc.yaml default outputs/RUN/plan.csv"
            )
        sources = list(plans) if len(plans) > 1 else ["default", *plans]
        request = RunRequest(
            command="compare",
            scenario=str(scenario),
            overrides=list(overrides),
            seed=seed,
            replications=replications,
            plans=sources,
            precision=list(precision),
            max_replications=max_replications,
        )
        sc = load_scenario_of(request)
        request.labels, plan_list = resolve_plans(sc, sources)
        parse_precision(precision, METRIC_NAMES)  # mistakes before the run folder exists
        opened = start_run(
            request,
            sc,
            plan_list,
            out,
            extra={"replications": replications, "workers": workers, "executor": executor},
        )
    with make_executor(executor, workers, scheduler) as runner, Progress("tasks", 0) as bar:
        result = compare_in_folder(opened, runner, bar.update)
    if as_json:
        emit_json(result.summary())
    else:
        headers, rows = result.table_rows()
        title = (
            f"{opened.scenario.name}: {result.replications} paired replications, seed {opened.seed}"
        )
        click.echo(format_table(headers, rows, title=title))
        if result.precision is not None:
            from planner.experiment.precision import precision_lines

            for line in precision_lines(result.precision):
                click.echo(line)
    path = finish_report(
        opened.run.path, no_report=no_report, lang=lang.lower(), open_report=open_report
    )
    click.echo(f"wrote {path or opened.run.path}", err=as_json)


@main.command(name="plan")
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "--budget",
    "budgets",
    multiple=True,
    metavar="NAME=RUPIAH",
    help="Budget of an agency's budget line (police=6.2e9) or of a line by name; 'unlimited' "
    "lifts it (repeatable).",
)
@click.option(
    "--available",
    multiple=True,
    metavar="AGENCY=N",
    help="Personnel available to an agency, e.g. police=422 (repeatable).",
)
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="Training replications each plan is simulated on.",
)
@click.option(
    "--eval-replications",
    type=click.IntRange(min=2),
    default=None,
    help="Out-of-sample replications the candidates are judged on (default: as -r).",
)
@click.option(
    "--iterations",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Most optimise–simulate rounds (the loop stops earlier when the plan stops changing).",
)
@click.option("--time-limit", type=float, default=60.0, show_default=True, help="Seconds/solve.")
@click.option("--solver-workers", type=int, default=2, show_default=True, help="CP-SAT workers.")
@click.option("--gap", type=float, default=0.0, show_default=True, help="Stop each at this gap.")
@click.option("--seed", type=int, default=None, help="Override the scenario seed.")
@executor_options
@resume_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--json", "as_json", is_flag=True, help="Print loop.json to stdout.")
@report_options
@set_option
@handle_errors
def plan_command(
    scenario: Path | None,
    budgets: tuple[str, ...],
    available: tuple[str, ...],
    replications: int,
    eval_replications: int | None,
    iterations: int,
    time_limit: float,
    solver_workers: int,
    gap: float,
    seed: int | None,
    workers: int,
    executor: str,
    scheduler: str | None,
    resume: Path | None,
    out: Path | None,
    as_json: bool,
    overrides: tuple[str, ...],
    no_report: bool = False,
    lang: str = "en",
    open_report: bool = False,
) -> None:
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
    from planner.experiment.executors import make_executor
    from planner.experiment.loop import loop_lines, plan_in_folder
    from planner.experiment.session import RunRequest, load_scenario_of, reopen_run, start_run
    from planner.opt.limits import parse_pairs
    from planner.report.options import finish_report
    from planner.terminal import Progress

    if resume is not None:
        if scenario is not None:
            raise UserError("give either SCENARIO or --resume RUN_DIR, not both")
        opened = reopen_run(resume, "plan")
    else:
        if scenario is None:
            raise UserError("missing SCENARIO (a scenario file), or --resume RUN_DIR")
        parse_pairs(budgets, "--budget")  # fail early on a malformed budget
        parse_pairs(available, "--available")
        request = RunRequest(
            command="plan",
            scenario=str(scenario),
            overrides=list(overrides),
            seed=seed,
            replications=replications,
            options={
                "iterations": iterations,
                "eval_replications": eval_replications,
                "budgets": list(budgets),
                "available": list(available),
                "time_limit_s": time_limit,
                "solver_workers": solver_workers,
                "gap": gap,
            },
        )
        opened = start_run(request, load_scenario_of(request), [], out, extra={"workers": workers})
    click.echo(f"run folder: {opened.run.path} (report.html there at the end)", err=as_json)
    with make_executor(executor, workers, scheduler) as runner, Progress("tasks", 0) as bar:

        def echo(line: str) -> None:
            bar.close()
            click.echo(line, err=True)

        result = plan_in_folder(opened, runner, bar.update, echo)
    if as_json:
        emit_json(result.summary())
    else:
        for line in loop_lines(result):
            click.echo(line)
    path = finish_report(
        opened.run.path, no_report=no_report, lang=lang.lower(), open_report=open_report
    )
    click.echo(f"wrote {path or opened.run.path}", err=as_json)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--budget",
    "budgets",
    multiple=True,
    metavar="NAME=RUPIAH",
    help="Budget of an agency's budget line (police=6.2e9) or of a line by name "
    "(polres=6199000000); 'unlimited' lifts it (repeatable).",
)
@click.option(
    "--available",
    multiple=True,
    metavar="AGENCY=N",
    help="Personnel available to an agency, e.g. police=422 (repeatable).",
)
@click.option("--time-limit", type=float, default=60.0, show_default=True, help="Seconds.")
@click.option("--workers", type=int, default=2, show_default=True, help="CP-SAT workers.")
@click.option("--gap", type=float, default=0.0, show_default=True, help="Stop at this gap.")
@click.option("--seed", type=int, default=None, help="CP-SAT seed (default: scenario seed).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--json", "as_json", is_flag=True, help="Print plan.json to stdout.")
@report_options
@set_option
@handle_errors
def optimise(
    scenario: Path,
    budgets: tuple[str, ...],
    available: tuple[str, ...],
    time_limit: float,
    workers: int,
    gap: float,
    seed: int | None,
    out: Path | None,
    as_json: bool,
    overrides: tuple[str, ...],
    no_report: bool = False,
    lang: str = "en",
    open_report: bool = False,
) -> None:
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
    from planner.errors import InfeasibleError
    from planner.files import RunFolder, default_run_dir
    from planner.opt.api import optimise as run_optimise
    from planner.opt.limits import parse_pairs, with_limits
    from planner.opt.output import format_result, write_optimise_files
    from planner.scenario.load import load_scenario

    sc = with_limits(
        load_scenario(scenario, overrides),
        parse_pairs(budgets, "--budget"),
        parse_pairs(available, "--available"),
    )
    run_seed = (sc.seed if seed is None else seed) % 2**31
    run = RunFolder(out or default_run_dir(sc.name, "optimise"), "optimise")
    run.start(
        sc.name,
        sc.digest(),
        run_seed,
        sc.spec_data(),
        sc.tps.to_csv(),
        extra={
            "time_limit_s": time_limit,
            "workers": workers,
            "gap": gap,
            "budgets": list(budgets),
            "available": list(available),
            "overrides": list(overrides),
        },
    )
    try:
        result = run_optimise(sc, time_limit_s=time_limit, workers=workers, seed=run_seed, gap=gap)
        write_optimise_files(run, result)
    except BaseException as exc:
        run.finish("failed", error=f"{type(exc).__name__}: {exc}")
        raise
    run.finish("ok" if result.plan is not None else result.status.lower())
    if as_json:
        emit_json(result.report)
    else:
        click.echo(format_result(result))
    from planner.report.options import finish_report

    path = finish_report(run.path, no_report=no_report, lang=lang.lower(), open_report=open_report)
    click.echo(f"wrote {path or run.path}", err=as_json)
    if result.plan is None:
        message = result.explanation.message() if result.explanation else "no plan found"
        raise InfeasibleError(message, where=str(scenario))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--agency",
    default=None,
    help="Agency (or budget line) whose budget is swept; omit to scale every budget.",
)
@click.option("--from", "start", type=float, required=True, help="First budget (Rp) or factor.")
@click.option("--to", "stop", type=float, required=True, help="Last budget (Rp) or factor.")
@click.option("--steps", type=int, default=5, show_default=True, help="Budgets in the sweep.")
@click.option("--time-limit", type=float, default=20.0, show_default=True, help="Seconds/step.")
@click.option("--workers", type=int, default=2, show_default=True, help="CP-SAT workers.")
@click.option("--gap", type=float, default=0.0, show_default=True, help="Stop each at this gap.")
@click.option("--seed", type=int, default=None, help="CP-SAT seed (default: scenario seed).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--json", "as_json", is_flag=True, help="Print frontier.json to stdout.")
@report_options
@set_option
@handle_errors
def frontier(
    scenario: Path,
    agency: str | None,
    start: float,
    stop: float,
    steps: int,
    time_limit: float,
    workers: int,
    gap: float,
    seed: int | None,
    out: Path | None,
    as_json: bool,
    overrides: tuple[str, ...],
    no_report: bool = False,
    lang: str = "en",
    open_report: bool = False,
) -> None:
    """Budget sweep: residual harm against money, one optimisation per step.

    Sweeps one agency's budget line from --from to --to rupiah (or, without --agency, scales
    every budget by factors --from to --to), warm-starting each step from the previous plan.
    Writes frontier.csv (budget, objective, bound, gap, personnel, patterns used, harm cut
    per added Rp 1 bn, share of each class at its standard pattern) and frontier.json.

    \b
    Example:
      planner frontier scenarios/balikpapan-2024.yaml --agency police --from 3e8 --to 9e8 --steps 7
    """
    from planner.files import RunFolder, default_run_dir
    from planner.opt.frontier import (
        format_frontier,
        frontier_csv,
        frontier_summary,
        sweep_budgets,
    )
    from planner.scenario.load import load_scenario
    from planner.terminal import Progress

    sc = load_scenario(scenario, overrides)
    run_seed = (sc.seed if seed is None else seed) % 2**31
    run = RunFolder(out or default_run_dir(sc.name, "frontier"), "frontier")
    run.start(
        sc.name,
        sc.digest(),
        run_seed,
        sc.spec_data(),
        extra={
            "agency": agency,
            "from": start,
            "to": stop,
            "steps": steps,
            "time_limit_s": time_limit,
            "workers": workers,
            "overrides": list(overrides),
        },
    )
    try:
        with Progress("budgets", steps) as bar:
            result = sweep_budgets(
                sc,
                agency,
                start,
                stop,
                steps,
                time_limit_s=time_limit,
                workers=workers,
                seed=run_seed,
                gap=gap,
                on_step=lambda _point: bar.advance(),
            )
        run.write_text("frontier.csv", frontier_csv(result))
        run.write_json("frontier.json", frontier_summary(result))
    except BaseException as exc:
        run.finish("failed", error=f"{type(exc).__name__}: {exc}")
        raise
    run.finish("ok")
    if as_json:
        emit_json(frontier_summary(result))
    else:
        click.echo(format_frontier(result))
    from planner.report.options import finish_report

    path = finish_report(run.path, no_report=no_report, lang=lang.lower(), open_report=open_report)
    click.echo(f"wrote {path or run.path}", err=as_json)
