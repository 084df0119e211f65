"""The Python API is the command line's lifecycle (issue 11, item 4): with ``out=`` a
notebook gets the same run folder, files and numbers as the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import planner
from planner.cli import main

SMALL = str(Path(__file__).resolve().parents[1] / "scenarios" / "training-small.yaml")
STABLE = ("command", "scenario", "seed", "status", "scenario_sha256")


def _manifest(folder: Path) -> dict[str, object]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_api_optimise_and_compare_write_the_cli_folders(tmp_path: Path) -> None:
    api_opt, cli_opt = tmp_path / "api-opt", tmp_path / "cli-opt"
    best = planner.optimise(SMALL, budgets={"police": "unlimited"}, time_limit_s=10,
                            out=api_opt)
    args = ["optimise", SMALL, "--budget", "police=unlimited", "--time-limit", "10",
            "--out", str(cli_opt), "--no-report"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert best.plan is not None
    assert (api_opt / "plan.csv").read_text() == (cli_opt / "plan.csv").read_text()
    api_m, cli_m = _manifest(api_opt), _manifest(cli_opt)
    assert {k: api_m.get(k) for k in STABLE} == {k: cli_m.get(k) for k in STABLE}
    assert api_m["budgets"] == cli_m["budgets"] == ["police=unlimited"]

    api_cmp, cli_cmp = tmp_path / "api-cmp", tmp_path / "cli-cmp"
    plans = ["default", f"opt={api_opt / 'plan.csv'}"]
    result = planner.compare(SMALL, plans, replications=3, out=api_cmp)
    args = ["compare", SMALL, *plans, "-r", "3", "--out", str(cli_cmp), "--no-report"]
    assert CliRunner().invoke(main, args).exit_code == 0
    api_json = json.loads((api_cmp / "compare.json").read_text())
    cli_json = json.loads((cli_cmp / "compare.json").read_text())
    assert api_json == cli_json == result.summary()
    assert _manifest(api_cmp)["status"] == "ok"


def test_api_runs_refuse_what_the_cli_refuses(tmp_path: Path) -> None:
    with pytest.raises(planner.UserError, match="-r 0"):
        planner.simulate(SMALL, replications=0, out=tmp_path / "zero")
    with pytest.raises(planner.UserError, match="finite amount"):
        planner.optimise(SMALL, budgets={"police": float("inf")}, out=tmp_path / "inf")
    assert not (tmp_path / "zero").exists() and not (tmp_path / "inf").exists()
