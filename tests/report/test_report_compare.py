"""Compare and plan-loop reports rendered from run folders."""

from __future__ import annotations

from pathlib import Path

from planner.report.build import render_report

from .fakes import compare_run, plan_loop_run


def test_compare_report_forest_and_table(tmp_path: Path) -> None:
    text = render_report(compare_run(tmp_path), "en")
    assert "<h2>Paired differences</h2>" in text
    assert text.count("data:image/svg+xml") == 1
    table = text.split("<h2>Paired differences</h2>")[1].split("</table>")[0]
    # wait difference straddles zero; response and unresolved do not
    assert table.count("<td>yes</td>") == 2 and table.count("<td>no</td>") == 1


def test_plan_loop_report(tmp_path: Path) -> None:
    text = render_report(plan_loop_run(tmp_path), "id")
    assert "<h2>Iterasi putaran</h2>" in text
    assert "<h2>Selisih berpasangan</h2>" in text
    assert "<td>dipilih</td>" in text
