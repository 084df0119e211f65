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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda out: planner.compare(SMALL, ["default"], replications=3, out=out),
         "two or more PLANS"),
        (lambda out: planner.compare(SMALL, ["default", "default"], replications=1, out=out),
         "-r 1: give 2 to"),
        (lambda out: planner.plan(SMALL, iterations=51, replications=2, out=out),
         "--iterations 51: give 1 to 50"),
        (lambda out: planner.plan(SMALL, replications=2, eval_replications=1, out=out),
         "--eval-replications 1"),
        (lambda out: planner.optimise(SMALL, gap=2.0, out=out), "--gap 2.0: give"),
        (lambda out: planner.optimise(SMALL, time_limit_s=0.0, out=out), "--time-limit 0"),
        (lambda out: planner.optimise(SMALL, workers=0, out=out), "--workers 0"),
        (lambda out: planner.simulate(SMALL, replications=2, workers=2000, out=out),
         "--workers 2000"),
    ],
    ids=["compare-one-plan", "compare-one-day", "plan-iterations", "plan-eval",
         "optimise-gap", "optimise-time-limit", "optimise-workers", "simulate-workers"],
)
def test_api_bounds_are_the_lifecycle_s(tmp_path: Path, call: object, message: str) -> None:
    """The bounds the command line's option types show are checked by the lifecycle, so a
    notebook's out= run is refused the same way, before any folder exists."""
    out = tmp_path / "run"
    with pytest.raises(planner.UserError, match=message.replace("-", r"\-")):
        call(out)  # type: ignore[operator]
    assert not out.exists()
