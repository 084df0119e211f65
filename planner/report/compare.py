"""Sections of the reports of `planner compare` and `planner plan` (the sim–opt loop) runs.

compare: differences.csv, one row per (metric, plan pair) with the paired difference of the
means and its 95% interval over common-random-number replications, drawn as a forest plot.
Columns read: ``metric``, ``plan_a``, ``plan_b``, ``diff_mean``, ``diff_ci95_low``,
``diff_ci95_high`` (optional ``mean_a``, ``mean_b``, ``n``).

plan: iterations.csv, one row per loop iteration: ``iteration``, the optimiser's
``objective``, the simulated ``sim_mean`` with ``sim_ci95_low``/``sim_ci95_high``, and
``kept`` (1 for the plan the loop kept); plus the differences of the kept plan against the
policy default when the loop wrote differences.csv.
"""

from __future__ import annotations

import math

import numpy as np

from planner.experiment.checkpoint import STORE_DIR
from planner.report import html, plots, security
from planner.report.build import Part
from planner.report.html import Html
from planner.report.i18n import Translator
from planner.report.labels import metric_label
from planner.report.runs import CsvTable, RunData

EVALUATION_DIR = "evaluation"
"""Where a plan run keeps the store of its final comparison against the policy default."""
DIFF_COLUMNS = ("metric", "diff_mean", "diff_ci95_low", "diff_ci95_high")


def build(run: RunData, tr: Translator) -> list[Part]:
    """The paired differences of a compare run, then what each plan did to the attempts."""
    parts = [differences_part(tr, run.csv("differences.csv"))]
    attempts = security.compare_part(run, tr, run.file(STORE_DIR))
    if attempts is not None:
        parts.append(attempts)
    return parts


def differences_part(tr: Translator, table: CsvTable | None) -> Part:
    """One forest plot per plan pair, and the table of every difference."""
    if table is None or not table.has(*DIFF_COLUMNS):
        note = html.note(tr("not_available", what="differences.csv"))
        return Part("differences", tr("sec_differences"), note)
    a_names = table.text("plan_a") or ["A"] * table.rows
    b_names = table.text("plan_b") or ["B"] * table.rows
    metrics = table.text("metric")
    mean = table.num("diff_mean")
    low = table.num("diff_ci95_low")
    high = table.num("diff_ci95_high")
    parts: list[Html] = [html.note(tr("forest_note"))]
    pairs = list(dict.fromkeys(zip(a_names, b_names, strict=True)))
    for a, b in pairs:
        rows = [i for i in range(table.rows) if (a_names[i], b_names[i]) == (a, b)]
        # metrics on very different scales: standardise by each metric's interval half-width
        parts.append(
            html.figure(
                plots.forest_plot(
                    tr("forest_title", a=a, b=b),
                    tr("forest_x"),
                    [metric_label(tr, metrics[i]) for i in rows],
                    _scaled(mean, low, high, rows)[0],
                    _scaled(mean, low, high, rows)[1],
                    _scaled(mean, low, high, rows)[2],
                )
            )
        )
    body_rows = [
        [
            a_names[i],
            b_names[i],
            metric_label(tr, metrics[i]),
            float(mean[i]),
            float(low[i]),
            float(high[i]),
            tr("yes") if low[i] > 0 or high[i] < 0 else tr("no"),
        ]
        for i in range(table.rows)
    ]
    parts.append(
        html.table(
            ["A", "B", tr("metric"), tr("difference"), "95% ↓", "95% ↑", "≠ 0"],
            body_rows,
            numeric=[False, False, False, True, True, True, False],
        )
    )
    return Part("differences", tr("sec_differences"), html.join(parts))


def _scaled(
    mean: np.ndarray, low: np.ndarray, high: np.ndarray, rows: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differences divided by the largest |bound| of their metric, so all fit one axis."""
    m, lo, hi = mean[rows], low[rows], high[rows]
    scale = np.nanmax(np.abs(np.vstack([m, lo, hi])), axis=0)
    scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
    return m / scale, lo / scale, hi / scale


def build_loop(run: RunData, tr: Translator) -> list[Part]:
    """Loop iterations, then the differences of the kept plan."""
    parts = [iterations_part(tr, run.csv("iterations.csv"))]
    differences = run.csv("differences.csv")
    if differences is not None:
        parts.append(differences_part(tr, differences))
    attempts = security.compare_part(run, tr, run.file(EVALUATION_DIR) / STORE_DIR)
    if attempts is not None:
        parts.append(attempts)
    return parts


def iterations_part(tr: Translator, table: CsvTable | None) -> Part:
    """Simulated harm of each iteration's plan with intervals; the kept one marked."""
    if table is None or not table.has("iteration"):
        note = html.note(tr("not_available", what="iterations.csv"))
        return Part("iterations", tr("sec_iterations"), note)
    it = table.num("iteration")
    series = []
    # simulated harm only: the optimiser's objective is in the units of the table it used,
    # which the loop re-learns each iteration (it stays in the table below)
    for col, key in (("sim_mean", "harm_out_of_sample"), ("train_mean", "harm_training")):
        if col in table.columns:
            series.append((tr(key), it, table.num(col)))
    parts: list[Html] = []
    if series:
        parts.append(
            html.figure(
                plots.line_plot(
                    tr("iterations_title"),
                    tr("iteration"),
                    tr("frontier_y"),
                    series,
                    integer_x=True,
                )
            )
        )
    kept = table.num("kept") if "kept" in table.columns else np.zeros(table.rows)
    rows = [
        [
            *(r[c] for c in table.columns if c != "kept"),
            tr("kept") if kept[i] == 1 else "",
        ]
        for i, r in enumerate(table.row_dicts())
    ]
    headers = [c for c in table.columns if c != "kept"] + [tr("kept")]
    parts.append(html.table(headers, [[_num(v) for v in r] for r in rows]))
    return Part("iterations", tr("sec_iterations"), html.join(parts))


def _num(text: object) -> object:
    if not isinstance(text, str):
        return text
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and math.isfinite(value) else value
