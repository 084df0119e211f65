"""`planner simulate` end to end through click's runner: run folder, JSON, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from planner.cli import main

SCENARIO = """\
name: cli test
seed: 5
region:
  name: Kota Uji
  districts:
    - {name: Alpha, villages: 2, tps: 3, voters: 1500}
incidents: {enabled: false}
logistics: {enabled: false}
"""


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_simulate_writes_the_run_folder(tmp_path: Path) -> None:
    """summary.json, per_tps.csv, per_district.csv, per_village.csv, manifest.json and
    trace.csv."""
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "simulate",
            str(_scenario(tmp_path)),
            "-r",
            "3",
            "--seed",
            "4",
            "--workers",
            "2",
            "--trace",
            "TPS-0002",
            "--out",
            str(out),
            "--no-report",
            "--set",
            "voters.turnout=0.6",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wait_mean_min" in result.output and "\r" not in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["command"] == "simulate"
    assert manifest["seed"] == 4 and manifest["replications"] == 3
    assert {"planner", "simpy", "numpy"} <= set(manifest["versions"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 3 and summary["seed"] == 4
    with (out / "per_tps.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["tps_id"] for r in rows] == ["TPS-0001", "TPS-0002", "TPS-0003"]
    assert float(rows[0]["voters_voted"]) > 0
    with (out / "per_district.csv").open() as f:
        assert [r["district"] for r in csv.DictReader(f)] == ["Alpha"]
    with (out / "per_village.csv").open() as f:
        villages = list(csv.DictReader(f))
    assert [(r["district"], r["village"]) for r in villages] == [
        ("Alpha", "Alpha 01"),
        ("Alpha", "Alpha 02"),
    ]
    assert sum(float(r["tps"]) for r in villages) == 3
    trace = (out / "trace.csv").read_text().splitlines()
    assert trace[0] == "clock_min,clock,who,what,detail" and len(trace) > 100
    assert (out / "scenario.resolved.yaml").exists() and (out / "tps.csv").exists()


def test_simulate_json_is_the_summary(tmp_path: Path) -> None:
    """--json prints exactly summary.json on stdout."""
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "simulate",
            str(_scenario(tmp_path)),
            "-r",
            "2",
            "--json",
            "--out",
            str(out),
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == json.loads((out / "summary.json").read_text())
    assert printed["metrics"]["voters_voted"]["n"] == 2


def test_simulate_user_errors_exit_2(tmp_path: Path) -> None:
    """Unknown TPS for --trace, a missing file, bad counts: one line, exit 2, no traceback."""
    runner = CliRunner()
    scenario = str(_scenario(tmp_path))
    bad_trace = runner.invoke(
        main, ["simulate", scenario, "-r", "1", "--trace", "TPS-9", "--no-report"]
    )
    assert bad_trace.exit_code == 2
    assert "no TPS with id 'TPS-9'" in bad_trace.output and "Traceback" not in bad_trace.output
    missing = runner.invoke(main, ["simulate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    zero = runner.invoke(main, ["simulate", scenario, "-r", "0"])
    assert zero.exit_code == 2
    bad_set = runner.invoke(main, ["simulate", scenario, "--set", "voters.turnout=2"])
    assert bad_set.exit_code == 2 and "voters.turnout" in bad_set.output
