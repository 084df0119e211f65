"""`planner demo`: one polling day for trainers, told as it unfolds, saved as a run folder.

The run folder holds the usual manifest and resolved scenario, ``story.json`` (the day with
the injects), ``story_without_injects.json`` (with ``--compare-without-injects``),
``trace.csv`` (the simulation's own event log of the subject TPS) and ``report.html`` (the
timeline with plots and situation reports).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from planner.demo.day import simulate_demo_day
from planner.demo.options import DEMO_OPTIONS
from planner.errors import UserError
from planner.experiment.lifecycle import check_out
from planner.files import RunFolder, default_run_dir
from planner.report.i18n import Translator
from planner.report.narrate import Entry, narrate
from planner.report.story import DayStory, save_story
from planner.report.timeline import STORY, STORY_WITHOUT, story_metrics
from planner.scenario.injects import read_inject_file, resolve_injects
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, read_plan
from planner.scenario.resolved import Scenario

MAX_PAUSE_S = 5.0
"""Longest real pause between two lines with --speed (a quiet night is not a 10-min wait)."""


@dataclass
class DemoOptions:
    """What `planner demo` was asked for."""

    scenario: Path
    tps: str | None = None
    district: str | None = None
    injects: tuple[str, ...] = ()
    inject_file: Path | None = None
    seed: int | None = None
    lang: str = "en"
    speed: float = 0.0
    """Simulated minutes per real second when printing (0: all at once)."""
    compare_without_injects: bool = False
    sitrep_min: int | None = None
    out: Path | None = None
    overrides: tuple[str, ...] = ()
    plan: Path | None = None


@dataclass
class DemoResult:
    """The demo's day(s) and where they were written."""

    run_dir: Path
    story: DayStory
    without: DayStory | None
    entries: list[Entry]


def choose_subject(scenario: Scenario, tps: str | None, district: str | None) -> tuple[str, str]:
    """("tps", id) or ("district", name); the first TPS when neither is given."""
    table = scenario.tps
    if tps and district:
        raise UserError("give --tps or --district, not both", where="planner demo")
    if tps:
        wanted = " ".join(tps.lower().split())
        for tps_id in table.tps_id:
            if tps_id.lower() == wanted:
                return "tps", tps_id
        raise UserError(
            f"no TPS {tps!r} in the scenario; TPS ids run {table.tps_id[0]}…{table.tps_id[-1]}",
            where="--tps",
        )
    if district:
        wanted = " ".join(district.lower().split())
        for name in table.district_names:
            if name.lower() == wanted or name.split(" / ")[-1].lower() == wanted:
                return "district", name
        raise UserError(
            f"no kecamatan {district!r}; kecamatan: {', '.join(table.district_names)}",
            where="--district",
        )
    return "tps", table.tps_id[0]


def run_demo(
    options: DemoOptions,
    echo: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DemoResult:
    """Simulate, print the timeline as it unfolds, write the run folder and its story."""
    for option in DEMO_OPTIONS:
        option.check(getattr(options, option.key))
    tr = Translator(options.lang)
    scenario = load_scenario(options.scenario, options.overrides)
    seed = scenario.seed if options.seed is None else options.seed
    kind, subject = choose_subject(scenario, options.tps, options.district)
    specs = list(options.injects)
    if options.inject_file is not None:
        specs = read_inject_file(options.inject_file) + specs
    staff = scenario.spec.staff
    events = resolve_injects(
        specs, scenario.tps, staff.kpps_per_tps + staff.policies.reserve_workers
    )
    if options.sitrep_min is not None and options.sitrep_min <= 0:
        raise UserError("must be a positive number of minutes, e.g. 60", where="--sitrep")
    plan: Plan | None = read_plan(options.plan, scenario) if options.plan is not None else None
    check_out(options.out, "demo")
    run_dir = options.out or default_run_dir(scenario.name, "demo")
    run = RunFolder(run_dir, "demo")
    run.start(
        scenario.name,
        scenario.digest(),
        seed,
        scenario.spec_data(),
        tps_csv=scenario.tps.to_csv(),
        extra={
            "subject": subject,
            "subject_kind": kind,
            "injects": specs,
            "sitrep_min": options.sitrep_min,
            "lang": tr.lang,
            "compare_without_injects": options.compare_without_injects,
        },
    )
    with run.recording():
        day = simulate_demo_day(scenario, seed, events, kind, subject, plan=plan)
        story = day.story
        save_story(story, run.path / STORY)
        run.write_text("trace.csv", day.log.to_csv())
        without = None
        if options.compare_without_injects:
            without = simulate_demo_day(scenario, seed, [], kind, subject, plan=plan).story
            save_story(without, run.path / STORY_WITHOUT)
        entries = narrate(story, tr, options.sitrep_min)
        if echo is not None:
            tell(entries, echo, options.speed, sleep)
    return DemoResult(run.path, story, without, entries)


def tell(
    entries: list[Entry],
    echo: Callable[[str], None],
    speed: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Print the entries; with `speed` > 0 wait (clock gap / speed) seconds between them."""
    previous: float | None = None
    for entry in entries:
        if speed > 0 and previous is not None:
            pause = min(MAX_PAUSE_S, max(0.0, (entry.clock_min - previous) / speed))
            if pause > 0:
                sleep(pause)
        previous = entry.clock_min
        echo(f"{entry.clock:>8}  {entry.text}")


def summary_rows(result: DemoResult, tr: Translator) -> tuple[list[str], list[list[object]]]:
    """The end-of-demo table: the day's totals, with and without injects when compared."""
    from planner.report.plots import clock_label
    from planner.report.timeline import CLOCK_METRICS

    a = story_metrics(result.story)
    b = story_metrics(result.without) if result.without is not None else None
    headers = ["", tr("with_injects") if b is not None else tr("value")]
    if b is not None:
        headers.append(tr("without_injects"))
    rows: list[list[object]] = []
    for key, value in a.items():
        cells: list[object] = [tr(key)]
        for v in (value, *((b[key],) if b is not None else ())):
            if key in CLOCK_METRICS:
                cells.append(clock_label(v) if v == v else "-")
            else:
                cells.append(int(v) if float(v).is_integer() else round(v, 1))
        rows.append(cells)
    return headers, rows


def stdout_echo(stream: IO[str] | None = None) -> Callable[[str], None]:
    """Print a line and flush (so paced output appears line by line)."""
    target = stream or sys.stdout

    def echo(line: str) -> None:
        target.write(line + "\n")
        target.flush()

    return echo
