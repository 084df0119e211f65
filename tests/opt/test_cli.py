"""`planner optimise` and `planner frontier` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

import planner
from planner.cli import main
from planner.scenario.load import load_scenario
from planner.scenario.plan import read_plan

from .helpers import security

TPS_CSV = """tps_id,district,village,voters,risk_class
A1,Alpha,A-1,420,kurang_rawan
A2,Alpha,A-1,380,kurang_rawan
A3,Alpha,A-1,300,kurang_rawan
A4,Alpha,A-2,510,rawan
B1,Beta,B-1,600,sangat_rawan
B2,Beta,B-1,250,kurang_rawan
"""


def _scenario(tmp_path: Path, polres: int | None = 20_000_000) -> Path:
    sec = security(
        budgets={"polres": polres},
        reserves=[
            {
                "agency": "police",
                "team_size": 2,
                "min_per_district": 0,
                "max_per_district": 2,
                "harm_reduction": [0.05, 0.02],
            }
        ],
    )
    data: dict[str, Any] = {
        "name": "cli test",
        "seed": 9,
        "region": {"name": "R", "tps_file": "tps.csv"},
        "security": sec,
    }
    (tmp_path / "tps.csv").write_text(TPS_CSV, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_optimise_writes_the_run_folder(tmp_path: Path) -> None:
    """Exit 0; plan.csv (contract columns), plan.json (contract keys), districts.csv and the
    search log; the printed table shows agencies, patterns and the policy default; the plan
    reads back with its reserves."""
    scenario = _scenario(tmp_path)
    out = tmp_path / "run"
    code, stdout, stderr = _run(
        "optimise", str(scenario), "--out", str(out), "--time-limit", "20", "--workers", "1"
    )
    assert code == 0, stderr
    assert "OPTIMAL" in stdout and "police" in stdout and "policy default" in stdout
    assert {"plan.csv", "plan.json", "districts.csv", "solver.log", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }
    report = json.loads((out / "plan.json").read_text())
    for key in (
        "status",
        "objective",
        "bound",
        "gap",
        "cost_idr",
        "budget_idr",
        "personnel",
        "solve_seconds",
        "reserves",
    ):
        assert key in report
    assert report["status"] == "OPTIMAL" and report["gap"] == 0.0
    assert report["budget_idr"]["police"] == 20_000_000
    assert report["cost_idr"]["total"] == sum(
        v for k, v in report["cost_idr"].items() if k != "total"
    )
    rows = list(csv.DictReader(io.StringIO((out / "plan.csv").read_text())))
    assert list(rows[0])[:8] == [
        "tps_id",
        "district",
        "village",
        "risk_class",
        "pattern",
        "linmas",
        "police",
        "tni",
    ]
    assert len(rows) == 6
    sc = load_scenario(scenario)
    plan = read_plan(out / "plan.csv", sc)
    assert {d: {a: n} for (d, a), n in plan.reserves.items()} == report["reserves"]
    districts = list(csv.DictReader(io.StringIO((out / "districts.csv").read_text())))
    assert [d["district"] for d in districts] == ["Alpha", "Beta"]
    assert "#Variables" in (out / "solver.log").read_text()


def test_budget_option_and_json(tmp_path: Path) -> None:
    """--budget police=... sets the polres line; --json prints plan.json."""
    scenario = _scenario(tmp_path)
    code, stdout, _ = _run(
        "optimise",
        str(scenario),
        "--budget",
        "police=12_000_000",
        "--json",
        "--out",
        str(tmp_path / "run"),
        "--workers",
        "1",
    )
    assert code == 0
    report = json.loads(stdout)
    assert report["budget_idr"]["police"] == 12_000_000
    assert report["cost_by_budget_line_idr"]["polres"] <= 12_000_000


def test_infeasible_exits_2_with_the_explanation(tmp_path: Path) -> None:
    """A police budget below the policy floor: exit 2, one line naming the shortfall, and
    plan.json with status INFEASIBLE and no plan.csv."""
    scenario = _scenario(tmp_path)
    out = tmp_path / "run"
    code, _stdout, stderr = _run(
        "optimise",
        str(scenario),
        "--budget",
        "polres=1000",
        "--out",
        str(out),
        "--workers",
        "1",
    )
    assert code == 2
    assert stderr.startswith("error: ") and "budget line polres (police)" in stderr
    assert "Traceback" not in stderr
    report = json.loads((out / "plan.json").read_text())
    assert report["status"] == "INFEASIBLE"
    assert report["explanation"]["shortfalls"][0]["rule"] == "budget:polres"
    assert not (out / "plan.csv").exists()


def test_unknown_budget_name_is_a_user_error(tmp_path: Path) -> None:
    code, _, stderr = _run("optimise", str(_scenario(tmp_path)), "--budget", "navy=5")
    assert code == 2 and "unknown agency or budget line 'navy'" in stderr


def test_frontier_writes_one_row_per_step(tmp_path: Path) -> None:
    """Three police budgets: frontier.csv has three rows, harm never rises, and the printed
    table names the first budget at the standard pattern per class."""
    scenario = _scenario(tmp_path, polres=None)
    out = tmp_path / "frontier"
    code, stdout, stderr = _run(
        "frontier",
        str(scenario),
        "--agency",
        "police",
        "--from",
        "6e6",
        "--to",
        "3e7",
        "--steps",
        "3",
        "--out",
        str(out),
        "--workers",
        "1",
    )
    assert code == 0, stderr
    rows = list(csv.DictReader(io.StringIO((out / "frontier.csv").read_text())))
    assert [int(r["budget_idr"]) for r in rows] == [6_000_000, 18_000_000, 30_000_000]
    harm = [float(r["objective"]) for r in rows]
    assert harm == sorted(harm, reverse=True)
    assert "first budget at the standard pattern" in stdout
    summary = json.loads((out / "frontier.json").read_text())
    assert summary["steps"] == 3


def test_python_api() -> None:
    """planner.optimise on a bundled scenario returns a checked plan and its report."""
    result = planner.optimise("scenarios/balikpapan-2024.yaml", time_limit_s=30, workers=1, seed=1)
    assert result.plan is not None and result.evaluation is not None
    assert result.evaluation.feasible
    assert result.report["status"] in ("OPTIMAL", "FEASIBLE")
    assert result.report["personnel"]["police"] <= 422  # Polresta's availability binds
