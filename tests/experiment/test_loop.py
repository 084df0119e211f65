"""The sim–opt loop: the harm measured, the table learnt, the loop run end to end."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import UserError
from planner.experiment.harm import HarmWeights, harm_columns, tps_stakes
from planner.experiment.loop import (
    CREDIBILITY_INCIDENTS,
    EVAL_FIRST,
    LoopSettings,
    current_table,
    distinct_plans,
    estimate_table,
    objective_weights,
    run_loop,
    same_plan,
)
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, default_plan, read_plan

K = 4
"""Iterations asked of the loop in the end-to-end test."""


def test_harm_columns_by_hand(loop_file: Path) -> None:
    sc = load_scenario(loop_file)
    n = len(sc.tps)
    day = sc.spec.day
    window = float(day.close) - float(day.open)
    response = SimpleNamespace(
        draws=SimpleNamespace(tps=np.array([0, 0, 3]), time_min=np.array([480.0, 500.0, 600.0])),
        onsite=np.array([False, True, False]),
        arrival_min=np.array([500.0, np.nan, np.nan]),  # the third never got a responder
        unresolved=np.array([False, False, True]),
        escalated=np.array([False, False, True]),
        suspensions=[[(480.0, 510.0)], [], [], [(615.0, 660.0), (700.0, 710.0)]]
        + [[] for _ in range(n - 4)],
        revote_risk=np.array([0.01] + [0.0] * (n - 1)),
    )
    w = HarmWeights()
    cols, total = harm_columns(sc, response, w)
    assert cols["harm_incidents"][[0, 3]].tolist() == [2.0, 1.0]
    assert cols["harm_waiting_min"][0] == 20.0  # 500 − 480; the on-site one waited for no one
    assert cols["harm_waiting_min"][3] == float(day.count_deadline) - 600.0
    assert cols["harm_suspended_min"][[0, 3]].tolist() == [30.0, 55.0]
    e0 = 0.01 + (30.0 + 0.5 * 20.0) / window
    e3 = (55.0 + 0.5 * (float(day.count_deadline) - 600.0)) / window + 0.1 + 0.2
    assert cols["harm_index"][0] == pytest.approx(e0, rel=1e-12)
    assert cols["harm_index"][3] == pytest.approx(e3, rel=1e-12)
    assert np.count_nonzero(cols["harm_index"]) == 2
    stakes = tps_stakes(sc)
    assert total == pytest.approx(stakes[0] * e0 + stakes[3] * e3, rel=1e-12)
    none_cols, none_total = harm_columns(sc, None, w)
    assert none_total == 0.0 and not any(c.any() for c in none_cols.values())


def test_estimate_keeps_the_objective_scale_and_trusts_by_incidents(loop_file: Path) -> None:
    sc = load_scenario(loop_file)
    plan = default_plan(sc)
    table = current_table(sc)
    n = len(sc.tps)
    rng = np.random.default_rng(1)
    harm = rng.uniform(0.0, 0.02, n)
    new, rows = estimate_table(sc, plan, harm, table)  # every estimate fully trusted
    w = objective_weights(sc)
    classes = [sc.tps.class_names[c] for c in sc.tps.risk_class]
    used = sum(w[i] * table[classes[i]][plan.patterns[i]] for i in range(n))
    learnt = sum(r["weight"] * r["share_estimated"] for r in rows)
    assert learnt == pytest.approx(used, rel=1e-12)  # κ: same total, new relative shares
    observed = {(r["risk_class"], r["pattern"]) for r in rows}
    for c, row in table.items():
        for p, share in row.items():
            if (c, p) not in observed:
                assert new[c][p] == share  # cells the plan does not use keep their share
    for r in rows:
        assert new[r["risk_class"]][r["pattern"]] == round(
            min(1.0, max(0.001, r["share_estimated"])), 3
        )
    incidents = np.full(n, 3.0)
    blended, rows2 = estimate_table(sc, plan, harm, table, incidents)
    for r in rows2:
        z = r["incidents"] / (r["incidents"] + CREDIBILITY_INCIDENTS)
        assert r["incidents"] == 3.0 * r["tps"] and r["credibility"] == pytest.approx(z)
        want = z * r["share_estimated"] + (1 - z) * r["share_used"]
        assert blended[r["risk_class"]][r["pattern"]] == round(min(1.0, max(0.001, want)), 3)


def test_same_and_distinct_plans(loop_file: Path) -> None:
    sc = load_scenario(loop_file)
    a = default_plan(sc)
    b = Plan(a.patterns, dict(a.reserves), "other label")
    c = Plan(a.patterns, {**a.reserves, next(iter(a.reserves)): 3}, "more reserves")
    assert same_plan(a, b) and not same_plan(a, c)
    unique, index = distinct_plans([a, c, b])
    assert unique == [a, c] and [index[id(p)] for p in (a, c, b)] == [0, 1, 0]


def test_the_loop_refuses_a_scenario_without_incidents(loop_file: Path) -> None:
    sc = load_scenario(loop_file, ["incidents.enabled=false"])
    with pytest.raises(UserError, match="needs incidents"):
        run_loop(sc, LoopSettings(iterations=1, train_replications=2))


@pytest.fixture(scope="module")
def loop_run(module_loop_file: Path) -> Path:
    scenario = module_loop_file
    out = module_loop_file.parent / "run"
    args = ["plan", str(scenario), "-r", "4", "--iterations", str(K), "--budget", "police=75e6"]
    result = CliRunner().invoke(main, [*args, "--time-limit", "10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "out-of-sample harm" in result.output
    return out


def _iterations(out: Path) -> list[dict[str, str]]:
    with (out / "iterations.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_the_loop_keeps_a_plan_no_worse_out_of_sample_than_its_first(loop_run: Path) -> None:
    rows = _iterations(loop_run)
    summary = json.loads((loop_run / "loop.json").read_text())
    assert 1 <= len(rows) == summary["iterations"] <= K
    kept = [r for r in rows if r["kept"] == "1"]
    assert len(kept) == 1 and int(kept[0]["iteration"]) == summary["kept_iteration"]
    first = float(rows[0]["sim_mean"])
    assert float(kept[0]["sim_mean"]) <= first  # the same evaluation days for every plan
    assert summary["kept_first"] == (summary["kept_iteration"] == 1)
    gain = summary["kept_minus_first"]
    assert gain["mean"] == pytest.approx(float(kept[0]["sim_mean"]) - first, rel=1e-4, abs=1e-3)
    assert gain["mean"] <= 0.0
    # convergence is recorded: it stopped because the plan repeated, or at the limit
    if summary["converged"]:
        assert rows[-1]["changed"] == "0" and summary["stopped"] == "plan unchanged"
    else:
        assert len(rows) == K and summary["stopped"] == "iteration limit"
    assert all(r["changed"] == "1" for r in rows[:-1])


def test_the_loop_run_folder(loop_run: Path, module_loop_file: Path) -> None:
    sc = load_scenario(module_loop_file)
    rows = _iterations(loop_run)
    for k in range(1, len(rows) + 1):
        folder = loop_run / "iterations" / f"{k:02d}"
        for name in ("plan.csv", "plan.json", "solve.json", "residual_harm.json"):
            assert (folder / name).is_file(), (k, name)
        training = sorted(p.stem for p in (folder / "replications" / "p00").glob("*.npz"))
        assert training == [f"r{r:06d}" for r in range(4)]
    evaluation = sorted(p.stem for p in (loop_run / "evaluation" / "replications").glob("*/*.npz"))
    assert {int(s[1:]) for s in evaluation} == set(range(EVAL_FIRST, EVAL_FIRST + 4))
    kept = json.loads((loop_run / "loop.json").read_text())["kept_iteration"]
    plan = read_plan(loop_run / "plan.csv", sc)
    assert same_plan(plan, read_plan(loop_run / "iterations" / f"{kept:02d}" / "plan.csv", sc))
    with (loop_run / "differences.csv").open() as handle:
        diffs = list(csv.DictReader(handle))
    assert diffs and {(d["plan_a"], d["plan_b"]) for d in diffs} == {("default", f"iter{kept}")}
    # the table the next iteration used is the one this iteration learnt
    if len(rows) > 1:
        estimate = loop_run / "iterations" / "01" / "harm_estimate.csv"
        with estimate.open() as handle:
            learnt = {
                (r["risk_class"], r["pattern"]): float(r["share_next"])
                for r in csv.DictReader(handle)
            }
        used = json.loads((loop_run / "iterations" / "02" / "residual_harm.json").read_text())
        assert all(used[c][p] == pytest.approx(v) for (c, p), v in learnt.items())
    assert "Loop iterations" in (loop_run / "report.html").read_text()


def test_the_loop_resumes_from_its_saved_plans(loop_run: Path, tmp_path: Path) -> None:
    """Finishing a copy that lost its evaluation and results re-optimises nothing and gives
    the same outcome."""
    copy = tmp_path / "copy"
    shutil.copytree(loop_run, copy)
    shutil.rmtree(copy / "evaluation" / "replications" / "p01")
    (copy / "evaluation" / "replications" / "store.json").unlink(missing_ok=False)
    for name in ("iterations.csv", "loop.json", "differences.csv", "plan.csv"):
        (copy / name).unlink()
    solve_times = {p: p.stat().st_mtime_ns for p in copy.glob("iterations/*/solve.json")}
    result = CliRunner().invoke(main, ["plan", "--resume", str(copy), "--no-report"])
    assert result.exit_code == 0, result.output
    assert _iterations(copy) == _iterations(loop_run)
    assert json.loads((copy / "loop.json").read_text()) == json.loads(
        (loop_run / "loop.json").read_text()
    )
    assert all(p.stat().st_mtime_ns == t for p, t in solve_times.items())  # not re-solved
    assert not math.isnan(float(_iterations(copy)[0]["sim_mean"]))


def test_keep_ctrl_c_puts_pythons_handler_back() -> None:
    """CP-SAT leaves SIGINT's default action (kill, nothing saved); the loop undoes that."""
    import signal

    from planner.experiment.loop import keep_ctrl_c

    before = signal.getsignal(signal.SIGINT)
    with keep_ctrl_c():
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # what the solver leaves behind
    assert signal.getsignal(signal.SIGINT) is before
