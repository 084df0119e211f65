"""The security section (attempts deterred, displaced, undetected) of the simulate, compare,
plan and frontier reports, on run folders written by the real commands.

The numbers the section shows are read back out of report.html and checked against the
run's own files (summary.json, per_district.csv, differences.csv, compare.json, the
replication store), so a section that showed the wrong column or kecamatan would fail.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.opt.frontier import SCALE_SWEPT
from planner.report import security
from planner.report.build import render_report
from planner.report.html import format_value
from planner.report.i18n import Translator
from planner.report.labels import format_metric, metric_label
from planner.report.runs import RunData, load_run, read_csv

from .fakes import frontier_run

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "training-small.yaml"


def _run(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`planner simulate scenarios/training-small.yaml -r 2` (20 TPS with coordinates)."""
    out = tmp_path_factory.mktemp("sec") / "sim"
    _run(["simulate", str(SMALL), "-r", "2", "--out", str(out), "--no-report"])
    return out


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`planner compare` of the policy default and a hand-made plan with police stationed
    at every TPS (2-1-2) on the same two days."""
    root = tmp_path_factory.mktemp("sec")
    tps = read_csv(ROOT / "scenarios" / "training-small-tps.csv")
    assert tps is not None
    plan = root / "heavy.csv"
    plan.write_text(
        "tps_id,pattern\n" + "".join(f"{t},2-1-2\n" for t in tps.text("tps_id")),
        encoding="utf-8",
    )
    out = root / "cmp"
    _run(
        [
            *("compare", str(SMALL), "default", f"heavy={plan}"),
            *("-r", "2", "--out", str(out), "--no-report"),
        ]
    )
    return out


def section(text: str) -> str:
    """The security section's HTML."""
    found = re.search(r'<section id="security">.*?</section>', text, re.S)
    assert found is not None, "no security section"
    return found.group(0)


def tables(part: str) -> list[list[list[str]]]:
    """Every table of an HTML fragment as rows of cell texts (header row first)."""
    out = []
    for table in re.findall(r"<table.*?</table>", part, re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([html_lib.unescape(c) for c in cells])
        out.append(rows)
    return out


def table_with(part: str, header: str) -> list[list[str]]:
    """The first table whose header row starts with `header`."""
    return next(t for t in tables(part) if t and t[0] and t[0][0] == header)


def test_simulate_section_shows_the_run_s_numbers(sim_run: Path) -> None:
    """The interval table holds summary.json's means; the kecamatan table per_district.csv's
    columns, with the region's total equal to summary.json's mean; the map is drawn (the
    training TPS have coordinates)."""
    tr = Translator("en")
    part = section(render_report(sim_run, "en"))
    summary = json.loads((sim_run / "summary.json").read_text())["metrics"]
    assert summary["attempts_total"]["mean"] > 0  # the two days have attempts
    metrics = {r[0]: r[1] for r in table_with(part, "metric")[1:]}
    for name in security.SECURITY_METRICS:
        assert metrics[metric_label(tr, name)] == format_metric(tr, name, summary[name]["mean"])
    per_district = read_csv(sim_run / "per_district.csv")
    assert per_district is not None
    shown = table_with(part, "kecamatan")
    headers = ("attempts", "deterred", "prevented", "displaced", "found later", "undetected")
    assert shown[0][1:] == list(headers)
    names = per_district.text("district")
    for d, name in enumerate(names):
        row = shown[1 + d]
        assert row[0] == name
        for k, (column, _) in enumerate(security.OUTCOMES):
            assert row[1 + k] == format_value(float(per_district.num(column)[d])), column
    total = shown[1 + len(names)]
    assert total[0] == "all kecamatan"
    for k, (_, metric) in enumerate(security.OUTCOMES):
        assert total[1 + k] == format_value(float(summary[metric]["mean"])), metric
    assert part.count("data:image/svg+xml") == 1  # the kecamatan plot
    assert part.count("data:image/png") == 1  # the map


def test_district_values_conserve_attempts(sim_run: Path) -> None:
    """deterred = prevented + displaced in every kecamatan (means of exact identities)."""
    per_district = read_csv(sim_run / "per_district.csv")
    assert per_district is not None
    _, values = security.district_values(per_district)
    col = {c: k for k, (c, _) in enumerate(security.OUTCOMES)}
    np.testing.assert_allclose(
        values[:, col["deterred"]], values[:, col["prevented"]] + values[:, col["displaced"]]
    )


def test_simulate_section_in_indonesian(sim_run: Path) -> None:
    part = section(render_report(sim_run, "id"))
    assert "Keamanan: percobaan yang dicegah, berpindah, dan tak terungkap" in part
    assert "<th>kecamatan</th>" in part and "tak terungkap" in part
    assert "semua kecamatan" in part


def test_simulate_without_incidents_says_so(tmp_path: Path) -> None:
    out = tmp_path / "off"
    _run(
        [
            *("simulate", str(SMALL), "-r", "2", "--set", "incidents.enabled=false"),
            *("--out", str(out), "--no-report"),
        ]
    )
    part = section(render_report(out, "en"))
    assert "Not available in this run" in part


def test_compare_section_shows_differences_and_kecamatan(compare_run: Path) -> None:
    """The paired differences are differences.csv's; the kecamatan means and differences
    are compare.json's per_district (which now compares the attempt outcomes); each plan's
    map totals are its mean over the replication store, equal to compare.json's means."""
    tr = Translator("en")
    part = section(render_report(compare_run, "en"))
    diffs = read_csv(compare_run / "differences.csv")
    assert diffs is not None
    by_metric = {m: i for i, m in enumerate(diffs.text("metric")) if m in security.SECURITY_METRICS}
    shown = table_with(part, "A")
    assert len(shown) - 1 == len(security.SECURITY_METRICS)
    for row in shown[1:]:
        name = next(m for m in security.SECURITY_METRICS if metric_label(tr, m) == row[2])
        i = by_metric[name]
        assert row[:2] == ["default", "heavy"]
        assert row[3] == format_value(float(diffs.num("mean_a")[i]))
        assert row[4] == format_value(float(diffs.num("mean_b")[i]))
        assert row[5] == format_value(float(diffs.num("diff_mean")[i]))
        assert row[6] == format_value(float(diffs.num("diff_ci95_low")[i]))
    data = json.loads((compare_run / "compare.json").read_text())
    per_district = data["per_district"]
    for column, _ in security.OUTCOMES:
        assert column in per_district, column
    means = table_with(part, "kecamatan")
    district = next(iter(per_district["attempts"]))
    for row in means[1:]:
        assert row[0] == district
        for k, (column, _) in enumerate(security.OUTCOMES):
            want = per_district[column][district]["plans"][row[1]]
            assert row[2 + k] == format_value(float(want)), (row[1], column)
    stored = security.store_means(compare_run / "replications", 2)
    assert stored is not None
    for k, label in enumerate(("default", "heavy")):
        for column, metric in (
            ("prevented", "attempts_prevented"),
            ("displaced", "attempts_displaced"),
            ("undetected", "fraud_undetected"),
        ):
            assert float(stored[k][column].sum()) == pytest.approx(
                data["metrics"][metric]["plans"][label]["mean"]
            )
    assert part.count("data:image/png") == 1
    districts_csv = read_csv(compare_run / "compare_districts.csv")
    assert districts_csv is not None and "prevented" in districts_csv.text("metric")


def test_plan_report_has_the_section(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    _run(["plan", str(SMALL), "-r", "2", "--iterations", "1", "--out", str(out), "--no-report"])
    part = section(render_report(out, "id"))
    assert "Keamanan" in part
    run = load_run(out)
    data = run.json("compare.json")
    labels = [p["label"] for p in data["plans"]]
    stored = security.store_means(out / "evaluation" / "replications", len(labels))
    assert stored is not None
    for k, label in enumerate(labels):
        assert float(stored[k]["prevented"].sum()) == pytest.approx(
            data["metrics"]["attempts_prevented"]["plans"][label]["mean"]
        )


def test_frontier_section_only_with_simulated_steps(tmp_path: Path) -> None:
    """A frontier run without simulated steps has no security section; one made with
    ``--simulate`` shows each step's attempt outcomes, equal to frontier_simulated.csv."""
    run_dir = frontier_run(tmp_path)
    assert '<section id="security">' not in render_report(run_dir, "en")
    out = tmp_path / "simulated"
    _run(["frontier", str(SMALL), "--agency", "police", "--from", "4e7", "--to", "1.2e8",
          "--steps", "3", "--simulate", "-r", "2", "--time-limit", "5", "--out", str(out)])
    part = section(render_report(out, "en"))
    rows = tables(part)[0]
    line = json.loads((out / "frontier.json").read_text())["swept"]
    assert rows[0][0] == f"budget of line {line} (billion rupiah)" and line == "polres"
    assert "attempts prevented" in rows[0]
    simulated = read_csv(out / "frontier_simulated.csv")
    assert simulated is not None
    column = rows[0].index("attempts prevented")
    expected = [format_metric(Translator("en"), "attempts_prevented", float(v))
                for v in simulated.num("attempts_prevented_mean")]
    assert len(expected) >= 2 and [r[column] for r in rows[1:]] == expected


@pytest.mark.parametrize("lang", ["en", "id"])
def test_frontier_step_column_says_what_was_swept(tmp_path: Path, lang: str) -> None:
    """A scale sweep's steps are factors (shown as they are, labelled as a scale); a budget
    line sweep's are rupiah (shown in billions, labelled with the line); without
    frontier.json the total budget."""
    tr = Translator(lang)
    run = tmp_path / "frontier"
    run.mkdir()
    (run / "frontier_simulated.csv").write_text(
        "budget,plan,attempts_prevented_mean\n0.5,step1,3\n1.5,step2,4\n", encoding="utf-8"
    )
    (run / "frontier.json").write_text(json.dumps({"swept": SCALE_SWEPT}), encoding="utf-8")
    part = security.frontier_part(RunData(run, {"command": "frontier"}), tr)
    assert part is not None
    rows = tables(str(part.body))[0]
    assert rows[0][0] == tr("frontier_x_scale")
    assert [r[0] for r in rows[1:]] == [format_value(0.5), format_value(1.5)]
    assert security.frontier_step(tr, {"swept": "polres"}) == (
        tr("frontier_x_line", line="polres"),
        1e9,
    )
    assert security.frontier_step(tr, None) == (tr("frontier_x"), 1e9)
