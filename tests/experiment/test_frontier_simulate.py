"""``planner frontier --simulate`` (issue 12 item 7): every step's plan simulated on common
days, paired against the previous step."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from busy import ROOT, write_busy
from click.testing import CliRunner

from planner.cli import main

SMALL = ROOT / "scenarios" / "training-small.yaml"


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_busy(tmp_path_factory.mktemp("busy"))


@pytest.fixture(scope="module")
def swept(busy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("frontier") / "run"
    args = ["frontier", str(busy), "--from", "0.6", "--to", "1.6", "--steps", "3",
            "--simulate", "-r", "12", "--time-limit", "10", "--out", str(out), "--no-report"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "simulated on 12 common days" in result.output
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_each_step_is_the_plan_simulated_on_common_days(swept: Path, busy: Path) -> None:
    """A step's simulated sim_harm is exactly `simulate --plan` of its saved plan on the same
    seed and days: the check uses the simulation as it is, not a variant."""
    rows = _rows(swept / "frontier_simulated.csv")
    assert [r["plan"] for r in rows] == sorted(p.name for p in (swept / "steps").iterdir())
    last = rows[-1]
    out = swept.parent / "again"
    args = ["simulate", str(busy), "--plan", str(swept / "steps" / last["plan"] / "plan.csv"),
            "-r", "12", "--out", str(out), "--no-report", "--json"]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    summary = json.loads((out / "summary.json").read_text())
    assert float(last["sim_harm_mean"]) == pytest.approx(
        summary["metrics"]["sim_harm"]["mean"], rel=1e-5
    )
    assert float(last["incidents_total_mean"]) == pytest.approx(
        summary["metrics"]["incidents_total"]["mean"], rel=1e-5
    )


def test_more_budget_never_leaves_significantly_more_harm(swept: Path) -> None:
    """Monotone within intervals: every step's sim_harm minus the previous step's has a 95%
    interval reaching zero or below (a richer plan is never significantly worse)."""
    rows = _rows(swept / "frontier_simulated.csv")
    assert len(rows) >= 2
    for row in rows[1:]:
        assert float(row["sim_harm_diff_prev_ci95_low"]) <= 0.0, row
    total = sum(float(r["sim_harm_diff_prev"]) for r in rows[1:])
    assert total < 0, "the richest plan should leave less harm than the poorest"


def test_frontier_json_carries_both_cuts(swept: Path) -> None:
    data = json.loads((swept / "frontier.json").read_text())
    steps = data["simulated"]["steps"]
    assert data["simulated"]["replications"] == 12
    assert steps[0]["vs_previous"] is None
    for step in steps[1:]:
        cut = step["simulated_harm_cut_per_billion"]
        assert cut is not None and cut["ci95_low"] <= cut["mean"] <= cut["ci95_high"]
        d = step["vs_previous"]["sim_harm"]
        assert cut["mean"] == pytest.approx(-d["mean"] * 1e9 / step["step_idr"])
    manifest = json.loads((swept / "manifest.json").read_text())
    assert manifest["simulate"] is True and manifest["status"] == "ok"


def test_frontier_without_simulate_writes_no_simulation(tmp_path: Path) -> None:
    out = tmp_path / "plain"
    args = ["frontier", str(SMALL), "--from", "0.6", "--to", "1.2", "--steps", "2",
            "--time-limit", "5", "--out", str(out), "--no-report"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert not (out / "frontier_simulated.csv").exists() and not (out / "steps").exists()
    assert "simulated" not in json.loads((out / "frontier.json").read_text())
