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
from typing import Any

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
    """The paired differences of a compare run, which plans the deployment rules allow with
    the optimiser's predictions, then what each plan did to the attempts."""
    parts = [differences_part(tr, run.csv("differences.csv"))]
    summary = run.json("compare.json")
    parts.append(rules_part(tr, summary.get("plans_checked") if summary else None))
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


def rules_part(tr: Translator, checked: dict[str, Any] | None) -> Part:
    """compare.json's ``plans_checked``: the rules each plan breaks (in numbers), the
    comparisons against a plan that cannot be fielded, each plan's needs against the limits,
    and the optimiser's predicted sim_harm difference beside the simulated one."""
    title = tr("sec_rules")
    if not checked:
        return Part("rules", title, html.note(tr("not_available", what="plans_checked")))
    if not checked.get("checked"):
        note = html.note(tr("rules_unavailable", why=checked.get("reason") or "?"))
        return Part("rules", title, note)
    plans: dict[str, Any] = checked.get("plans", {})
    parts: list[Html] = [html.paragraph(tr("rules_intro"))]
    parts.append(html.bullet_list(rules_sentences(tr, checked)))
    limited_agencies = sorted(
        {a for p in plans.values() for a, v in p["personnel"].items() if v["available"] is not None}
    )
    first: dict[str, Any] = next(iter(plans.values()), {})
    lines = list(first.get("cost_by_budget_line_idr", {}))
    headers = [tr("col_plan"), tr("col_rules_broken"), *limited_agencies, *lines]
    kappa = checked.get("kappa_sim_harm_per_unit")
    if kappa is not None:
        headers.append(tr("col_predicted_harm"))
    rows: list[list[object]] = []
    for label, p in plans.items():
        row: list[object] = [
            label,
            ", ".join(_rule(tr, r) for r in p["rules_broken"]) or tr("rules_none"),
        ]
        for a in limited_agencies:
            v = p["personnel"][a]
            row.append(f"{tr.number(v['needed'])} / {tr.number(v['available'])}")
        for line in lines:
            v = p["cost_by_budget_line_idr"][line]
            budget = tr("unlimited") if v["budget"] is None else tr.number(v["budget"] / 1e9, 3)
            row.append(f"{tr.number(v['cost'] / 1e9, 3)} / {budget}")
        if kappa is not None:
            row.append(_maybe(p.get("predicted_sim_harm")))
        rows.append(row)
    parts.append(html.table(headers, rows, caption=tr("rules_table_caption")))
    predictions: dict[str, Any] = checked.get("predicted_vs_simulated", {})
    if predictions:
        ref = checked.get("reference", "A")
        if kappa is None:
            parts.append(html.paragraph(tr("prediction_no_kappa")))
        else:
            parts.append(html.paragraph(tr("prediction_intro", kappa=f"{kappa:.6g}", ref=ref)))
        body = [
            [
                ref,
                label,
                _maybe(d["objective_difference"]),
                _maybe(d["predicted_sim_harm_difference"]),
                _maybe(d["simulated_sim_harm_difference"]),
                _maybe(d["ci95_low"]),
                _maybe(d["ci95_high"]),
                _yes_no(tr, d["same_sign"]),
                _yes_no(tr, d["within_interval"]),
            ]
            for label, d in predictions.items()
        ]
        parts.append(
            html.table(
                [
                    "A",
                    "B",
                    tr("col_objective_diff"),
                    tr("col_predicted_diff"),
                    tr("col_simulated_diff"),
                    "95% ↓",
                    "95% ↑",
                    tr("col_same_sign"),
                    tr("col_in_interval"),
                ],
                body,
                numeric=[False, False, True, True, True, True, True, False, False],
            )
        )
    return Part("rules", title, html.join(parts))


def rules_sentences(tr: Translator, checked: dict[str, Any]) -> list[str]:
    """One sentence per plan (keeps every rule / breaks which, in numbers), then one per
    comparison of a plan within the rules with a worse-simulated one that breaks them."""
    out: list[str] = []
    for label, p in checked.get("plans", {}).items():
        if p["within_rules"]:
            out.append(tr("rules_keeps", plan=label))
            continue
        details = [
            tr(
                "rules_personnel",
                agency=a,
                needed=tr.number(v["needed"]),
                available=tr.number(v["available"]),
            )
            for a, v in p["personnel"].items()
            if v["available"] is not None and v["needed"] > v["available"]
        ]
        details += [
            tr(
                "rules_line",
                line=line,
                cost=tr.number(v["cost"] / 1e9, 3),
                budget=tr.number(v["budget"] / 1e9, 3),
            )
            for line, v in p["cost_by_budget_line_idr"].items()
            if v["budget"] is not None and v["cost"] > v["budget"]
        ]
        numbered = [
            v
            for v in p["violations"]
            if (v.startswith("availability: ") and " in " not in v.split(" needs ", 1)[0])
            or v.startswith("budget: line ")
        ]
        details += [v for v in p["violations"] if v not in numbered]
        rules = ", ".join(_rule(tr, r) for r in p["rules_broken"])
        out.append(tr("rules_breaks", plan=label, rules=rules, details="; ".join(details)))
    for u in checked.get("unfieldable_comparisons", []):
        out.append(
            tr(
                "rules_unfieldable",
                good=u["within_rules"],
                bad=u["breaks_rules"],
                diff=_signed_number(tr, u["sim_harm_difference"]),
                low=_signed_number(tr, u["ci95_low"]),
                high=_signed_number(tr, u["ci95_high"]),
            )
        )
    return out


def _rule(tr: Translator, kind: str) -> str:
    """A rule's name in the report's language (the checker's own word for a new kind)."""
    try:
        return tr(f"rule_{kind}")
    except KeyError:
        return kind


def _signed_number(tr: Translator, value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + tr.number(abs(value), 1)


def _maybe(value: object) -> object:
    return "" if value is None else value


def _yes_no(tr: Translator, value: bool | None) -> str:
    return "" if value is None else tr("yes") if value else tr("no")


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
