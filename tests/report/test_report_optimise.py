"""Optimise and frontier reports rendered from run folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from planner.report.build import render_report
from planner.report.optimise import marginal_values
from planner.report.runs import load_run, load_run_scenario

from .fakes import frontier_run, optimise_run, small_scenario


def test_optimise_report_sections(tmp_path: Path) -> None:
    text = render_report(optimise_run(tmp_path), "en")
    for title in (
        "Solver result",
        "Cost and personnel per agency",
        "Patterns per risk class",
        "The plan against the policy default",
        "Where each pattern stands",
    ):
        assert f"<h2>{title}</h2>" in text, title
    assert "OPTIMAL" in text
    assert "Not available" not in text
    assert text.count("data:image/") >= 4
    default = text.split("<h2>The plan against the policy default</h2>")[1].split("</table>")[0]
    # objective 12.5 against the default's 20.0; police 28 against 26
    assert '<td>objective (risk-weighted harm)</td><td class="num">12.5</td>' in default
    assert '<td class="num">-7.50</td>' in default


def test_frontier_report_marks_marginal_values(tmp_path: Path) -> None:
    text = render_report(frontier_run(tmp_path), "id")
    assert "<h2>Batas anggaran–risiko</h2>" in text
    assert "data:image/svg+xml" in text
    # 40 → 25 harm for the first extra Rp 1 bn: 15 avoided
    assert '<td class="num">15.0</td>' in text


def test_marginal_values_exact() -> None:
    value = marginal_values(np.array([3e9, 1e9, 2e9, 5e9]), np.array([18.0, 40.0, 25.0, 14.0]))
    assert np.allclose(value, [15.0, 7.0, 2.0])


def test_run_scenario_round_trip(tmp_path: Path) -> None:
    sc = small_scenario(tmp_path)
    again = load_run_scenario(load_run(optimise_run(tmp_path)))
    assert again.tps.to_csv() == sc.tps.to_csv()
    assert again.spec == sc.spec
