"""`planner demo` end to end on a bundled training scenario with its inject script."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.demo.day import queue_steps, simulate_demo_day
from planner.demo.run import DemoOptions, run_demo, tell
from planner.report.narrate import Entry
from planner.report.story import load_story
from planner.scenario.injects import resolve_injects
from planner.scenario.load import load_scenario
from planner.sim.logistics import no_logistics

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "scenarios" / "training" / "klandasan-city.yaml"
CITY_INJECTS = ROOT / "scenarios" / "training" / "klandasan-city.injects"


def test_training_scripts_resolve() -> None:
    for name in ("klandasan-city", "river-kecamatan"):
        sc = load_scenario(ROOT / "scenarios" / "training" / f"{name}.yaml")
        from planner.scenario.injects import read_inject_file

        events = resolve_injects(
            read_inject_file(ROOT / "scenarios" / "training" / f"{name}.injects"), sc.tps
        )
        assert len(events) >= 4


def test_late_kit_delays_opening_by_set_up() -> None:
    sc = load_scenario(CITY)
    lg = no_logistics(sc)
    events = resolve_injects(["late-kit@KLU-005@+75min"], sc.tps)
    late = no_logistics(sc, events)
    i = sc.tps.index_of("KLU-005")
    assert sc.spec.day.staff_arrive == 360 and sc.spec.day.open == 420
    assert late.kit_arrive_min[i] == 360.0 + 75.0
    # no-logistics set-up is zero: the TPS opens when the kit is there
    assert late.open_min[i] == 435.0
    others = np.delete(np.arange(len(sc.tps)), i)
    assert np.array_equal(late.open_min[others], lg.open_min[others])


def test_queue_steps_exact() -> None:
    arrival = np.array([1.0, 2.0, 3.0, np.inf])
    start = np.array([5.0, np.nan, 6.0, np.nan])
    leave = np.array([7.0, 4.0, 8.0, np.nan])
    outcome = np.array([0, 1, 0, -1])
    assert queue_steps(arrival, start, leave, outcome) == (
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        [1, 2, 3, 2, 1, 0],
    )


def test_injects_change_the_day_and_nothing_else() -> None:
    sc = load_scenario(CITY)
    events = resolve_injects(["protest@KLU-005@10:15+40min", "late-kit@KLU-005@+75min"], sc.tps)
    with_inj = simulate_demo_day(sc, 7, events, "tps", "KLU-005").story
    without = simulate_demo_day(sc, 7, [], "tps", "KLU-005").story
    by_id = {t.tps_id: t for t in with_inj.tps}
    base = {t.tps_id: t for t in without.tps}
    assert by_id["KLU-005"].open_min > base["KLU-005"].open_min
    scripted = [i for i in with_inj.incidents if i.scripted]
    assert [(i.tps_id, i.type, i.time_min) for i in scripted] == [("KLU-005", "dispute", 615.0)]
    # same seed: the same random incidents, and the same voters elsewhere
    random_with = [(i.tps_id, i.type, i.time_min) for i in with_inj.incidents if not i.scripted]
    random_without = [(i.tps_id, i.type, i.time_min) for i in without.incidents]
    assert random_with == random_without
    assert by_id["KLU-001"].voters_arrived == base["KLU-001"].voters_arrived


def test_tell_paces_by_clock_gap() -> None:
    slept: list[float] = []
    lines: list[str] = []
    entries = [Entry(420.0, "open", "a"), Entry(450.0, "queue", "b"), Entry(1000.0, "count", "c")]
    tell(entries, lines.append, speed=30.0, sleep=slept.append)
    assert slept == [1.0, 5.0]  # 30 min at 30 min/s; the long gap capped at 5 s
    assert lines[0] == "   07:00  a"


def test_demo_command_id_with_comparison(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        main,
        [
            "demo",
            str(CITY),
            "--tps",
            "KLU-005",
            "--inject-file",
            str(CITY_INJECTS),
            "--sitrep",
            "60",
            "--compare-without-injects",
            "--lang",
            "id",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "INJECT LATIHAN: unjuk rasa di KLU-005" in result.output
    assert "LAPORAN 10:00 — Balikpapan Kota" in result.output
    assert "dengan inject" in result.output  # the summary table
    for name in (
        "manifest.json",
        "story.json",
        "story_without_injects.json",
        "trace.csv",
        "report.html",
    ):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "demo" and manifest["status"] == "ok"
    assert manifest["sitrep_min"] == 60 and len(manifest["injects"]) == 5
    story = load_story(out / "story.json")
    assert story.subject == "KLU-005" and len(story.tps) == 20
    report = (out / "report.html").read_text()
    assert '<html lang="id">' in report and "Hari yang sama tanpa inject" in report


def test_demo_command_district_en_no_report(tmp_path: Path) -> None:
    out = tmp_path / "d"
    result = CliRunner().invoke(
        main,
        ["demo", str(CITY), "--district", "balikpapan kota", "--out", str(out), "--no-report"],
    )
    assert result.exit_code == 0, result.output
    assert "Voting starts:" in result.output
    assert not (out / "report.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inject", "earthquake@KLU-001@08:00"], "valid kinds: flood, power-cut"),
        (["--inject", "flood@Nowhere@08:00"], "no TPS, kecamatan or village called 'Nowhere'"),
        (["--tps", "TPS-9999"], "no TPS 'TPS-9999'"),
        (["--district", "Atlantis"], "no kecamatan 'Atlantis'"),
        (["--sitrep", "0"], "positive number of minutes"),
    ],
)
def test_demo_user_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["demo", str(CITY), "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_run_demo_returns_entries_in_order(tmp_path: Path) -> None:
    result = run_demo(DemoOptions(scenario=CITY, tps="KLU-001", out=tmp_path / "r", sitrep_min=120))
    clocks = [e.clock_min for e in result.entries]
    assert clocks == sorted(clocks)
    assert any(e.kind == "sitrep" for e in result.entries)
