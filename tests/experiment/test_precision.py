"""Replications by precision: the batch rule, the stopping rule, the cap, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import UserError
from planner.experiment.precision import (
    MIN_START,
    PrecisionTarget,
    next_count,
    parse_precision,
    run_to_precision,
    summary_half_width,
)
from planner.experiment.run import run_replications
from planner.experiment.stats import t_quantile
from planner.scenario.load import load_scenario
from planner.sim.metrics import METRIC_NAMES, metric_names_of

ROOT = Path(__file__).resolve().parents[2]


def test_parse_precision() -> None:
    assert parse_precision(["wait_mean_min=0.5", " escalations = 2"], METRIC_NAMES) == (
        PrecisionTarget("wait_mean_min", 0.5),
        PrecisionTarget("escalations", 2.0),
    )
    names = metric_names_of(load_scenario(ROOT / "scenarios" / "training-small.yaml"))
    assert parse_precision(["incidents_flood=1"], names)[0].metric == "incidents_flood"
    assert parse_precision(["utilisation_police=0.1"], names)[0].metric == "utilisation_police"
    with pytest.raises(UserError, match="unknown metric 'incidents_bogus'"):
        parse_precision(["incidents_bogus=1"], names)
    for bad in ("wait_mean_min", "wait_mean_min=", "wait_mean_min=-1", "=1", "x=nan"):
        with pytest.raises(UserError, match="METRIC=HALF_WIDTH"):
            parse_precision([bad], METRIC_NAMES)
    with pytest.raises(UserError, match="unknown metric 'wait_mean'"):
        parse_precision(["wait_mean=1"], METRIC_NAMES)


def test_next_count_follows_the_square_root_law() -> None:
    target = [PrecisionTarget("m", 1.0)]
    assert next_count(10, {"m": 0.9}, target, 500) == 10  # met
    assert next_count(10, {"m": 2.0}, target, 500) == 40  # 10 × 2²
    assert next_count(10, {"m": 1.01}, target, 500) == 11  # at least one more
    assert next_count(10, {"m": 2.0}, target, 25) == 25  # capped
    assert next_count(25, {"m": 2.0}, target, 25) == 25
    assert next_count(4, {"m": math.inf}, target, 500) == 8  # no spread yet: double
    two = [PrecisionTarget("a", 1.0), PrecisionTarget("b", 0.5)]
    assert next_count(10, {"a": 1.5, "b": 1.0}, two, 500) == 40  # the widest miss decides


def test_run_to_precision_stops_when_met_or_at_the_cap() -> None:
    values = [float(v % 7) for v in range(1000)]  # a fixed series with spread
    done: list[float] = []

    def batch(reps: range) -> None:
        done.extend(values[r] for r in reps)

    def widths() -> dict[str, float]:
        return {"m": summary_half_width(done)}

    report = run_to_precision(batch, widths, 5, [PrecisionTarget("m", 0.4)], cap=500)
    n = report["replications"]
    assert n == len(done) and report["stopped"] == "met"
    assert summary_half_width(done) <= 0.4 < summary_half_width(done[: n - report["batches"][-1]])
    assert report["batches"][0] == 5 and sum(report["batches"]) == n
    done.clear()
    capped = run_to_precision(batch, widths, 1, [PrecisionTarget("m", 0.01)], cap=30)
    assert capped["replications"] == 30 == len(done) and capped["stopped"] == "cap"
    assert capped["batches"][0] == MIN_START
    assert not capped["targets"]["m"]["met"]
    assert capped["targets"]["m"]["half_width"] == pytest.approx(
        t_quantile(0.975, 29) * _sd(done) / math.sqrt(30)
    )


def _sd(values: list[float]) -> float:
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def test_simulation_until_the_interval_is_narrow(loop_file: Path) -> None:
    sc = load_scenario(loop_file)
    goal = PrecisionTarget("wait_mean_min", 1.0)
    res = run_replications(sc, 3, seed=1, precision=[goal], max_replications=60)
    report = res.summary["precision"]
    metric = res.summary["metrics"]["wait_mean_min"]
    half = (metric["ci95_high"] - metric["ci95_low"]) / 2
    assert res.replications == report["replications"] == metric["n"]
    assert report["stopped"] == "met" and half <= 1.0 and res.replications > 3
    assert half == pytest.approx(report["targets"]["wait_mean_min"]["half_width"])
    # the same replications with 2 workers: the same batches, the same summary
    two = run_replications(sc, 3, seed=1, workers=2, precision=[goal], max_replications=60)
    assert two.summary == res.summary


def test_simulate_cli_precision(loop_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "simulate",
            str(loop_file),
            "-r",
            "3",
            "--precision",
            "incidents_total=0.01",
            "--max-replications",
            "6",
            "--out",
            str(out),
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "stopped at the cap of 6 replications" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 6 and summary["precision"]["stopped"] == "cap"
    bad = CliRunner().invoke(main, ["simulate", str(loop_file), "--precision", "nope=1"])
    assert bad.exit_code == 2 and "unknown metric" in bad.output
