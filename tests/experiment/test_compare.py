"""Paired comparison: exact zeros against itself, pairing narrows intervals, files and CLI."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy import stats

from planner.cli import main
from planner.experiment.compare import (
    DISTRICT_METRICS,
    compare,
    compare_plans,
    paired_difference,
    welch_interval,
)
from planner.experiment.feasibility import check_compared
from planner.opt.check import check_plan
from planner.opt.instance import Resolution, build_instance
from planner.report.build import render_report
from planner.report.compare import rules_part
from planner.report.html import esc
from planner.report.i18n import Translator
from planner.scenario.costing import cost_by_agency, cost_by_budget_line, personnel_by_agency
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, default_plan, plan_to_csv
from planner.scenario.resolved import Scenario


def strongest_plan(sc: Scenario) -> Plan:
    """Every TPS on the last (strongest) pattern its class allows; default reserves."""
    policy = sc.spec.security.policy
    patterns = tuple(policy[sc.tps.class_names[c]].allowed[-1] for c in sc.tps.risk_class)
    return Plan(patterns, default_plan(sc).reserves, "strong")


def test_a_plan_against_itself_differs_by_exactly_zero(loop_file: Path) -> None:
    sc = load_scenario(loop_file)
    res = compare_plans(sc, [None, default_plan(sc)], ["a", "b"], 4, seed=3)
    assert res.replications == 4
    for name in res.metric_names():
        d = res.difference(1, name)
        assert (d.mean, d.ci95_low, d.ci95_high) == (0.0, 0.0, 0.0), name
        assert not d.significant
    for metric, table in res.district_summary().items():
        assert metric in DISTRICT_METRICS
        for entry in table.values():
            d = entry["differences"]["b"]
            assert (d["mean"], d["ci95_low"], d["ci95_high"]) == (0.0, 0.0, 0.0)


def test_pairing_narrows_the_interval_on_the_same_data(loop_file: Path) -> None:
    """Common random numbers: B − A varies far less than B and A do on their own."""
    sc = load_scenario(loop_file)
    res = compare_plans(sc, [None, strongest_plan(sc)], ["default", "strong"], 12, seed=5)
    # The stronger plan answers faster: fewer escalations, shorter responses.
    assert res.difference(1, "escalations").mean < 0
    assert res.difference(1, "escalations").significant
    for name in ("escalations", "response_mean_min", "voters_voted", "wait_mean_min"):
        d = res.difference(1, name)
        assert d.half_width < d.unpaired_half_width, name
    # plan-independent outcomes (the same voters and incidents) differ by nothing at all
    for name in ("voters_arrived", "incidents_total"):
        assert res.difference(1, name).half_width == 0.0
        assert res.difference(1, name).unpaired_half_width > 0.0


def test_paired_and_welch_intervals_match_scipy() -> None:
    a = [3.0, 5.5, 4.0, 6.5, 5.0, 4.5]
    b = [3.5, 6.5, 4.2, 7.0, 6.1, 4.4]
    d = paired_difference(a, b)
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    ci = stats.ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    assert d.mean == pytest.approx(sum(diffs) / 6, abs=1e-12)
    assert (d.ci95_low, d.ci95_high) == pytest.approx((ci.low, ci.high), abs=1e-9)
    low, high = welch_interval(a, b)
    ci2 = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci2.low, ci2.high), abs=1e-9)
    assert (d.unpaired_ci95_low, d.unpaired_ci95_high) == (low, high)
    # replications where either value is missing are left out of the pairs
    d_nan = paired_difference([*a, math.nan], [*b, 1.0])
    assert d_nan.n == 6 and d_nan.mean == d.mean


def test_compare_api_accepts_default_files_and_plans(loop_file: Path, tmp_path: Path) -> None:
    sc = load_scenario(loop_file)
    strong = strongest_plan(sc)
    path = tmp_path / "strong" / "plan.csv"
    path.parent.mkdir()
    path.write_text(plan_to_csv(sc, strong), encoding="utf-8")
    res = compare(loop_file, ["default", str(path), strong, None], replications=3, seed=2)
    assert res.labels == ["default", "strong", "strong-2", "default-2"]
    for name in ("escalations", "response_mean_min"):
        assert res.difference(1, name) == res.difference(2, name)
        assert res.difference(3, name).mean == 0.0


def test_compare_cli_writes_the_run_folder(loop_file: Path, tmp_path: Path) -> None:
    sc = load_scenario(loop_file)
    plan_file = tmp_path / "p" / "plan.csv"
    plan_file.parent.mkdir()
    plan_file.write_text(plan_to_csv(sc, strongest_plan(sc)), encoding="utf-8")
    out = tmp_path / "run"
    args = ["compare", str(loop_file), "default", f"strong={plan_file}", "-r", "3"]
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "strong − default (95%)" in result.output
    for name in ("compare.json", "compare.csv", "differences.csv", "compare_districts.csv"):
        assert (out / name).is_file(), name
    data = json.loads((out / "compare.json").read_text())
    assert data["reference"] == "default" and data["replications"] == 3
    assert [p["label"] for p in data["plans"]] == ["default", "strong"]
    esc = data["metrics"]["escalations"]
    assert set(esc["plans"]) == {"default", "strong"} and set(esc["differences"]) == {"strong"}
    with (out / "differences.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["plan_a"] for r in rows} == {"default"} and {r["plan_b"] for r in rows} == {"strong"}
    row = next(r for r in rows if r["metric"] == "escalations")
    assert float(row["diff_mean"]) == pytest.approx(esc["differences"]["strong"]["mean"])
    assert row["significant"] == str(int(esc["differences"]["strong"]["significant"]))
    with (out / "compare_districts.csv").open() as handle:
        districts = list(csv.DictReader(handle))
    assert len(districts) == 2 * len(DISTRICT_METRICS)  # 2 kecamatan, one other plan
    assert "Paired differences" in (out / "report.html").read_text()


def test_compare_cli_user_errors(loop_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["compare", str(loop_file), "default", str(tmp_path / "x.csv")])
    assert missing.exit_code == 2 and "plan file not found" in missing.output
    nothing = runner.invoke(main, ["compare", str(loop_file)])
    assert nothing.exit_code == 2 and "PLANS" in nothing.output
    one = runner.invoke(main, ["compare", str(loop_file), "default", "-r", "1"])
    assert one.exit_code == 2


def _rules_scenario(loop_file: Path) -> tuple[Scenario, list[str]]:
    """The loop scenario with exactly as many police as the policy default needs and a κ."""
    sc = load_scenario(loop_file)
    police = personnel_by_agency(sc, default_plan(sc))["police"]
    sets = [
        f"security.agencies.police.available_total={police}",
        "security.residual_harm_scale=0.01",
    ]
    return load_scenario(loop_file, sets), sets


def test_compare_checks_every_plan_against_the_deployment_rules(
    loop_file: Path, tmp_path: Path
) -> None:
    """compare.json's plans_checked: the checker's personnel (equal to the reference
    arithmetic), the rule the stronger plan breaks, κ × objective as the prediction, and the
    comparison against a plan the personnel cannot field; the console names it."""
    sc, sets = _rules_scenario(loop_file)
    strong = strongest_plan(sc)
    need_default = personnel_by_agency(sc, default_plan(sc))
    need_strong = personnel_by_agency(sc, strong)
    assert need_strong["police"] > need_default["police"]
    plan_file = tmp_path / "p" / "plan.csv"
    plan_file.parent.mkdir()
    plan_file.write_text(plan_to_csv(sc, strong), encoding="utf-8")
    out = tmp_path / "run"
    args = ["compare", str(loop_file), "default", f"strong={plan_file}", "-r", "3", "--seed", "4"]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "compare.json").read_text())
    checked = data["plans_checked"]
    assert checked["checked"] and checked["reference"] == "default"
    assert checked["kappa_sim_harm_per_unit"] == 0.01
    default, heavy = checked["plans"]["default"], checked["plans"]["strong"]
    assert default["within_rules"] and default["violations"] == [] and default["rules_broken"] == []
    assert heavy["rules_broken"] == ["availability"]
    police_n, police_limit = need_strong["police"], need_default["police"]
    assert heavy["violations"] == [
        f"availability: police needs {police_n} persons, {police_limit} available"
    ]
    for agency, n in need_strong.items():
        limit = police_limit if agency == "police" else None
        assert heavy["personnel"][agency] == {"needed": n, "available": limit}
        assert default["personnel"][agency]["needed"] == need_default[agency]
    costs = cost_by_budget_line(sc, cost_by_agency(sc, need_strong))
    assert {k: v["cost"] for k, v in heavy["cost_by_budget_line_idr"].items()} == costs
    # the objective is the checker's, and the prediction κ × it, exactly
    instance = build_instance(sc, Resolution())
    units = [check_plan(instance, p).objective for p in (default_plan(sc), strong)]
    assert [default["objective_units"], heavy["objective_units"]] == units
    scale = Resolution().objective_scale
    assert heavy["predicted_sim_harm"] == 0.01 * (units[1] / scale)
    pred = checked["predicted_vs_simulated"]["strong"]
    assert pred["objective_difference"] == (units[1] - units[0]) / scale
    assert pred["predicted_sim_harm_difference"] == 0.01 * ((units[1] - units[0]) / scale)
    sim = data["metrics"]["sim_harm"]["differences"]["strong"]
    assert (pred["simulated_sim_harm_difference"], pred["ci95_low"], pred["ci95_high"]) == (
        sim["mean"],
        sim["ci95_low"],
        sim["ci95_high"],
    )
    p, m = pred["predicted_sim_harm_difference"], sim["mean"]
    assert pred["same_sign"] == ((p > 0) == (m > 0))
    assert pred["within_interval"] == (sim["ci95_low"] <= p <= sim["ci95_high"])
    # default keeps the rules; it is worse than the unfieldable plan exactly when strong's
    # paired difference is significantly negative (its whole interval below zero)
    worse = [u for u in checked["unfieldable_comparisons"] if u["within_rules"] == "default"]
    assert len(worse) == (1 if sim["ci95_high"] < 0 else 0)
    if worse:
        assert worse[0]["breaks_rules"] == "strong"
        assert worse[0]["sim_harm_difference"] == pytest.approx(-sim["mean"], abs=1e-9)
    assert f"strong breaks availability: police {police_n} of {police_limit} available" in (
        result.output
    )
    en = render_report(out, "en")
    assert "Deployment rules and the optimiser&#x27;s prediction" in en or (
        "Deployment rules and the optimiser's prediction" in en
    )
    assert f"strong breaks availability: police {police_n} of {police_limit} available." in en
    assert "default keeps every rule." in en
    ind = render_report(out, "id")
    assert "Aturan penempatan dan prediksi pengoptimal" in ind
    assert (
        f"strong melanggar ketersediaan personel: police {police_n} dari {police_limit} "
        "yang tersedia." in ind
    )
    if worse:
        assert "a plan the budget or the personnel available cannot field" in en
        assert "tidak dapat dijalankan dengan anggaran atau personel yang tersedia" in ind


def test_plans_checked_without_kappa_or_checker(loop_file: Path) -> None:
    """No κ: objective differences without a prediction (and the report says why); a plan
    the checker cannot read: the section says so instead of failing."""
    sc = load_scenario(loop_file)
    assert sc.spec.security.residual_harm_scale is None
    res = compare_plans(sc, [None, strongest_plan(sc)], ["default", "strong"], 3, seed=2)
    checked = res.plans_checked()
    assert checked.kappa is None and checked.unavailable is None
    assert [p.predicted_sim_harm for p in checked.plans] == [None, None]
    pred = checked.as_dict()["predicted_vs_simulated"]["strong"]
    assert pred["predicted_sim_harm_difference"] is None and pred["same_sign"] is None
    assert pred["objective_difference"] < 0  # the strongest plan leaves less harm
    en = Translator("en")
    part = rules_part(en, checked.as_dict())
    assert str(esc(en("prediction_no_kappa"))) in str(part.body)
    short = Plan(("2-1-2",), {}, "short")
    broken = check_compared(sc, [None, short], ["default", "short"], [[], []], paired_difference)
    assert broken.unavailable is not None and "TPS" in broken.unavailable
    why = broken.unavailable
    assert broken.lines() == [f"plans not checked against the deployment rules: {why}"]
    ind = Translator("id")
    text = str(rules_part(ind, broken.as_dict()).body)
    assert "Rencana tidak dapat diperiksa terhadap aturan penempatan" in text
