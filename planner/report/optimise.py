"""Sections of the reports of `planner optimise` and `planner frontier` runs.

optimise: plan.json (status, objective, bound, gap, cost_idr, budget_idr, personnel,
solve_seconds) and plan.csv (one row per TPS with its pattern). The policy-default plan is
recomputed from the run's resolved scenario with the same costing rules, so the plan is
shown against what police would deploy by hand.

frontier: frontier.csv, one row per budget step (total budget, the optimised harm, optional
simulated check), drawn as a curve with the marginal value of each extra billion rupiah.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from planner.report import html, plots, security
from planner.report.build import Part
from planner.report.html import Html
from planner.report.i18n import Translator
from planner.report.runs import CsvTable, RunData, load_run_scenario

BILLION = 1e9


def build(run: RunData, tr: Translator) -> list[Part]:
    """All sections of an optimise report."""
    plan_json = run.json("plan.json")
    plan_csv = run.csv("plan.csv")
    info: dict[str, Any] = plan_json if isinstance(plan_json, dict) else {}
    return [
        status_part(tr, info),
        cost_part(run, tr, info),
        patterns_part(tr, plan_csv),
        default_part(run, tr, info, plan_csv),
        map_part(run, tr, plan_csv),
    ]


def status_part(tr: Translator, info: dict[str, Any]) -> Part:
    """Solver status, objective, bound, gap and time."""
    if not info:
        return Part(
            "solver", tr("sec_plan_status"), html.note(tr("not_available", what="plan.json"))
        )
    gap = info.get("gap")
    facts: list[tuple[str, object]] = [
        (tr("solver_status"), info.get("status")),
        (tr("objective"), info.get("objective")),
        (tr("bound"), info.get("bound")),
        (tr("gap"), tr.percent(float(gap), 2) if isinstance(gap, int | float) else gap),
        (tr("solve_seconds"), info.get("solve_seconds")),
    ]
    return Part("solver", tr("sec_plan_status"), html.definition_list(facts))


def _agency_map(value: Any) -> dict[str, float]:
    """A per-agency mapping of numbers (drops 'total' and non-numbers)."""
    if not isinstance(value, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in value.items()
        if k != "total" and isinstance(v, int | float) and not isinstance(v, bool)
    }


def cost_part(run: RunData, tr: Translator, info: dict[str, Any]) -> Part:
    """Cost against budget and personnel against availability, per agency (or budget line)."""
    cost = _agency_map(info.get("cost_idr"))
    budget = _agency_map(info.get("budget_idr"))
    personnel = _agency_map(info.get("personnel"))
    available = _agency_map(info.get("available") or info.get("personnel_available"))
    if not cost and not personnel:
        return Part("cost", tr("sec_cost"), html.note(tr("not_available", what="cost_idr")))
    parts: list[Html] = []
    keys = sorted(set(cost) | set(budget))
    if keys:
        groups = {tr("cost"): [cost.get(k, 0.0) / BILLION for k in keys]}
        if budget:
            groups[tr("budget")] = [budget.get(k, math.nan) / BILLION for k in keys]
        parts.append(
            html.figure(
                plots.grouped_bars(tr("cost_title"), tr("agency"), tr("cost_axis"), keys, groups)
            )
        )
        rows = []
        for k in keys:
            c, b = cost.get(k), budget.get(k)
            used = tr.percent(c / b, 0) if c is not None and b else "–"
            rows.append([k, c, b, used])
        parts.append(
            html.table(
                [tr("agency"), tr("cost_idr"), tr("budget_idr"), tr("use_share")],
                rows,
                numeric=[False, True, True, True],
            )
        )
    if personnel:
        names = sorted(personnel)
        groups = {tr("personnel"): [personnel[k] for k in names]}
        if available:
            groups[tr("available")] = [available.get(k, math.nan) for k in names]
        parts.append(
            html.figure(
                plots.grouped_bars(
                    tr("personnel_title"), tr("agency"), tr("personnel_axis"), names, groups
                )
            )
        )
    return Part("cost", tr("sec_cost"), html.join(parts))


def pattern_counts(plan_csv: CsvTable) -> tuple[list[str], list[str], np.ndarray]:
    """(classes, patterns, counts[class, pattern]) from plan.csv."""
    classes = sorted(set(plan_csv.text("risk_class")))
    patterns = sorted(set(plan_csv.text("pattern")))
    counts = np.zeros((len(classes), len(patterns)), dtype=np.int64)
    for c, p in zip(plan_csv.text("risk_class"), plan_csv.text("pattern"), strict=True):
        counts[classes.index(c), patterns.index(p)] += 1
    return classes, patterns, counts


def patterns_part(tr: Translator, plan_csv: CsvTable | None) -> Part:
    """How many TPS of each risk class get each pattern."""
    if plan_csv is None or not plan_csv.has("risk_class", "pattern"):
        return Part("patterns", tr("sec_patterns"), html.note(tr("not_available", what="plan.csv")))
    classes, patterns, counts = pattern_counts(plan_csv)
    rows = [[c, *counts[i].tolist(), int(counts[i].sum())] for i, c in enumerate(classes)]
    stacks = {p: counts[:, j] for j, p in enumerate(patterns)}
    body = html.join(
        [
            html.figure(
                plots.stacked_bars(
                    tr("sec_patterns"), tr("risk_class"), tr("tps_count"), classes, stacks
                )
            ),
            html.table([tr("risk_class"), *patterns, "Σ"], rows),
        ]
    )
    return Part("patterns", tr("sec_patterns"), body)


def default_part(
    run: RunData, tr: Translator, info: dict[str, Any], plan_csv: CsvTable | None
) -> Part:
    """Personnel and cost of the plan against the policy-default plan of the same scenario."""
    try:
        scenario = load_run_scenario(run)
    except Exception as exc:  # a report must still come out; say why this part is missing
        return Part("default", tr("sec_vs_default"), html.note(tr("not_available", what=str(exc))))
    from planner.scenario.costing import cost_by_agency, personnel_by_agency
    from planner.scenario.plan import default_plan

    base = default_plan(scenario)
    base_people = personnel_by_agency(scenario, base)
    base_cost = cost_by_agency(scenario, base_people)
    given = info.get("policy_default")
    if isinstance(given, dict):  # the optimiser's own evaluation of the default, when written
        base_people = {k: int(v) for k, v in _agency_map(given.get("personnel")).items()}
        base_cost = {k: int(v) for k, v in _agency_map(given.get("cost_idr")).items()}
    people = _agency_map(info.get("personnel"))
    cost = _agency_map(info.get("cost_idr"))
    rows: list[list[object]] = []
    if isinstance(given, dict) and isinstance(info.get("objective"), int | float):
        b_obj = given.get("objective")
        rows.append(
            [
                tr("objective"),
                float(info["objective"]),
                b_obj,
                float(info["objective"]) - float(b_obj) if isinstance(b_obj, int | float) else None,
            ]
        )
    for agency in sorted(set(base_people) | set(people)):
        p, b = people.get(agency), float(base_people.get(agency, 0))
        rows.append([f"{tr('personnel')}: {agency}", p, b, None if p is None else p - b])
    for agency in sorted(set(base_cost) | set(cost)):
        c, b = cost.get(agency), float(base_cost.get(agency, 0))
        rows.append([f"{tr('cost_idr')}: {agency}", c, b, None if c is None else c - b])
    parts = [
        html.table(
            ["", tr("plan"), tr("policy_default"), tr("difference")],
            rows,
            numeric=[False, True, True, True],
        )
    ]
    if plan_csv is not None and plan_csv.has("pattern"):
        planned = {p: plan_csv.text("pattern").count(p) for p in set(plan_csv.text("pattern"))}
        default = base.pattern_counts()
        names = sorted(set(planned) | set(default))
        parts.append(
            html.figure(
                plots.grouped_bars(
                    f"{tr('pattern')}: {tr('plan')} / {tr('policy_default')}",
                    tr("pattern"),
                    tr("tps_count"),
                    names,
                    {
                        tr("plan"): [planned.get(n, 0) for n in names],
                        tr("policy_default"): [default.get(n, 0) for n in names],
                    },
                )
            )
        )
    return Part("default", tr("sec_vs_default"), html.join(parts))


def map_part(run: RunData, tr: Translator, plan_csv: CsvTable | None) -> Part:
    """TPS coloured by pattern at their coordinates, else patterns by kecamatan."""
    if plan_csv is None or not plan_csv.has("tps_id", "pattern"):
        return Part("map", tr("sec_map"), html.note(tr("not_available", what="plan.csv")))
    tps = run.csv("tps.csv")
    if tps is not None and tps.has("tps_id", "lat", "lon"):
        where = {t: i for i, t in enumerate(tps.text("tps_id"))}
        lat, lon = tps.num("lat"), tps.num("lon")
        idx = [where.get(t, -1) for t in plan_csv.text("tps_id")]
        ok = [i >= 0 and math.isfinite(lat[i]) and math.isfinite(lon[i]) for i in idx]
        if idx and all(ok):
            plot = plots.category_map(
                tr("map_title"),
                [lon[i] for i in idx],
                [lat[i] for i in idx],
                plan_csv.text("pattern"),
            )
            return Part("map", tr("sec_map"), html.figure(plot))
    districts = sorted(set(plan_csv.text("district")))
    patterns = sorted(set(plan_csv.text("pattern")))
    pairs = list(zip(plan_csv.text("district"), plan_csv.text("pattern"), strict=True))
    stacks = {p: [pairs.count((d, p)) for d in districts] for p in patterns}
    plot = plots.stacked_bars(
        tr("by_district_title"), tr("kecamatan"), tr("tps_count"), districts, stacks
    )
    return Part("map", tr("sec_map"), html.figure(plot))


# ---- frontier ----------------------------------------------------------------------------

FRONTIER_BUDGET = ("budget_idr", "total_budget_idr", "cost_total_idr")
"""x axis: the swept budget in rupiah; for a scale sweep (budget_scale) the plan's total cost."""
FRONTIER_HARM = ("objective", "harm", "risk")


def marginal_values(budget_idr: np.ndarray, harm: np.ndarray) -> np.ndarray:
    """Harm avoided per extra billion rupiah between consecutive budget steps (sorted)."""
    order = np.argsort(budget_idr)
    b = budget_idr[order] / BILLION
    h = harm[order]
    step = np.diff(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(step > 0, -np.diff(h) / step, np.nan)
    return np.asarray(value, dtype=np.float64)


def build_frontier(run: RunData, tr: Translator) -> list[Part]:
    """The budget–risk frontier with the marginal value of each billion rupiah."""
    table = run.csv("frontier.csv")
    col_b = table.first(*FRONTIER_BUDGET) if table else None
    col_h = table.first(*FRONTIER_HARM) if table else None
    if table is None or col_b is None or col_h is None:
        note = html.note(tr("not_available", what="frontier.csv"))
        return [Part("frontier", tr("sec_frontier"), note)]
    budget = table.num(col_b)
    harm = table.num(col_h)
    ok = np.isfinite(budget) & np.isfinite(harm)
    marginal = marginal_values(budget[ok], harm[ok])
    given = table.first("marginal_harm_per_billion_idr")
    if given is not None and col_b == "budget_idr":  # the optimiser's own, same definition
        values = table.num(given)[ok][np.argsort(budget[ok])][1:]
        marginal = np.where(np.isfinite(values), values, marginal)
    labels = [tr("marginal", v=tr.number(v, 1)) if math.isfinite(v) else "" for v in marginal]
    sim_low = table.first("sim_ci95_low")
    sim_high = table.first("sim_ci95_high")
    x_label = tr("frontier_x") if col_b != "cost_total_idr" else tr("frontier_x_cost")
    plot = plots.frontier_plot(
        tr("frontier_title"),
        x_label,
        tr("frontier_y"),
        budget[ok] / BILLION,
        harm[ok],
        marginal_labels=labels,
        low=table.num(sim_low)[ok] if sim_low and sim_high else None,
        high=table.num(sim_high)[ok] if sim_low and sim_high else None,
    )
    order = np.argsort(budget[ok])
    rows = []
    for k, i in enumerate(order):
        value = marginal[k - 1] if k > 0 else math.nan
        rows.append([budget[ok][i] / BILLION, harm[ok][i], None if math.isnan(value) else value])
    extra_cols = [c for c in table.columns if c not in (col_b, col_h)]
    body = html.join(
        [
            html.figure(plot),
            html.table(
                [x_label, tr("frontier_y"), tr("marginal_col")],
                rows,
                caption=tr("frontier_table"),
                numeric=[True, True, True],
            ),
            html.table(list(table.columns), [list(r.values()) for r in table.row_dicts()])
            if extra_cols
            else Html(""),
        ]
    )
    parts = [Part("frontier", tr("sec_frontier"), body)]
    attempts = security.frontier_part(run, tr)
    if attempts is not None:
        parts.append(attempts)
    return parts
