"""The report section on what security did to the day's human-made incidents (id/en).

Disputes, intimidation, vote buying and multiple voting are first *attempts*; the presence
at the TPS deters some of them (deterred = prevented + displaced to a nearby TPS with less
presence), and fraud that goes ahead unseen is found at counting or never (undetected)
(`planner.sim.deterrence`, docs/model-incidents.md). Every simulated day reports these
counts (``attempts_total``, ``attempts_deterred``, ``attempts_prevented``,
``attempts_displaced``, ``fraud_found_later``, ``fraud_undetected``) with the harm measure
``sim_harm`` and its parts; this section shows them from the run's files:

* simulate: summary.json (means and intervals), per_district.csv (a table and a plot per
  kecamatan), per_tps.csv with tps.csv's coordinates (a map of where attempts were
  prevented, displaced and undetected);
* compare and plan: differences.csv (the paired differences of these metrics), compare.json's
  ``per_district`` (each plan's means and the paired differences per kecamatan) and the
  run's replication store (each plan's map);
* frontier: the simulated columns of frontier.csv when the run simulated its steps (no
  section otherwise).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from planner.report import html, plots
from planner.report.build import Part
from planner.report.html import Html
from planner.report.i18n import Translator
from planner.report.labels import format_metric, interval_table, metric_label
from planner.report.runs import CsvTable, RunData

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("attempts", "attempts_total"),
    ("deterred", "attempts_deterred"),
    ("prevented", "attempts_prevented"),
    ("displaced", "attempts_displaced"),
    ("found_later", "fraud_found_later"),
    ("undetected", "fraud_undetected"),
)
"""(per-kecamatan / per-TPS column, summary metric) of each outcome, in table order."""
HARM_METRICS: tuple[str, ...] = (
    "sim_harm",
    "sim_harm_revote",
    "sim_harm_suspension",
    "sim_harm_waiting",
    "sim_harm_escalation",
    "sim_harm_unresolved",
    "sim_harm_undetected",
)
"""The simulated harm and its parts (`planner.sim.harm.HARM_PARTS`)."""
SECURITY_METRICS: tuple[str, ...] = (*(m for _, m in OUTCOMES), *HARM_METRICS)
MAP_COLUMNS: tuple[str, ...] = ("prevented", "displaced", "undetected")
"""Per-TPS columns drawn on the map."""
ANCHOR = "security"


def outcome_headers(tr: Translator) -> list[str]:
    """Column headers of the six outcomes, in the report language."""
    return [tr(f"col_{column}") for column, _ in OUTCOMES]


def has_attempts(metrics: dict[str, Any]) -> bool:
    """True when the summary reports the attempts (incidents on, the metrics enabled)."""
    m = metrics.get("attempts_total")
    return isinstance(m, dict) and bool(m.get("enabled", True))


def district_values(per_district: CsvTable) -> tuple[list[str], np.ndarray]:
    """Kecamatan names and their mean per day of each outcome (rows × `OUTCOMES`), as in
    per_district.csv."""
    values = np.column_stack([per_district.num(column) for column, _ in OUTCOMES])
    return per_district.text("district"), values.reshape(per_district.rows, len(OUTCOMES))


def district_rows(names: list[str], values: np.ndarray, total: str) -> list[list[object]]:
    """Table rows: one per kecamatan, then the region's total (`total` its label)."""
    rows: list[list[object]] = [
        [name, *(float(v) for v in values[d])] for d, name in enumerate(names)
    ]
    rows.append([total, *(float(v) for v in np.nansum(values, axis=0))])
    return rows


def simulate_part(
    run: RunData, tr: Translator, per_tps: CsvTable | None, per_district: CsvTable | None
) -> Part:
    """The section of a simulate report: intervals, the kecamatan table and plot, the map."""
    metrics = (run.summary or {}).get("metrics") or {}
    if not has_attempts(metrics):
        note = html.note(tr("not_available", what=tr("sec_security")))
        return Part(ANCHOR, tr("sec_security"), note)
    n = (run.summary or {}).get("replications", "?")
    parts: list[Html] = [html.paragraph(tr("security_intro", n=n))]
    table = interval_table(tr, metrics, SECURITY_METRICS)
    if table is not None:
        parts.append(table)
    if per_district is not None and per_district.has("district", *(c for c, _ in OUTCOMES)):
        names, values = district_values(per_district)
        parts.append(
            html.table(
                [tr("kecamatan"), *outcome_headers(tr)],
                district_rows(names, values, tr("all_kecamatan")),
                caption=tr("security_district_caption", n=n),
                numeric=[False, *([True] * len(OUTCOMES))],
            )
        )
        parts.append(html.figure(district_plot(tr, names, values)))
    else:
        parts.append(html.note(tr("not_available", what="per_district.csv")))
    parts.append(simulate_map(run, tr, per_tps))
    return Part(ANCHOR, tr("sec_security"), html.join(parts))


def district_plot(tr: Translator, names: list[str], values: np.ndarray) -> plots.Plot:
    """Per kecamatan, the attempts split into prevented, displaced and gone ahead at home
    (attempts − deterred); the three add up to the attempts."""
    col = {c: k for k, (c, _) in enumerate(OUTCOMES)}
    return plots.stacked_barh(
        tr("security_bars_title"),
        tr("attempts_axis"),
        names,
        {
            tr("stack_prevented"): values[:, col["prevented"]],
            tr("stack_displaced"): values[:, col["displaced"]],
            tr("stack_ahead"): values[:, col["attempts"]] - values[:, col["deterred"]],
        },
    )


def coordinates(run: RunData) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """(tps_id, lon, lat) from the run's tps.csv when every TPS has coordinates."""
    tps = run.csv("tps.csv")
    if tps is None or not tps.has("tps_id", "lat", "lon") or tps.rows == 0:
        return None
    lat, lon = tps.num("lat"), tps.num("lon")
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        return None
    return tps.text("tps_id"), lon, lat


def map_panels(
    tr: Translator, columns: dict[str, np.ndarray], prefix: str = ""
) -> list[tuple[str, np.ndarray]]:
    """One panel per `MAP_COLUMNS` column: its label with the day's total."""
    return [
        (
            prefix + tr(f"map_{c}", v=tr.number(float(np.nansum(columns[c])), 2)),
            columns[c],
        )
        for c in MAP_COLUMNS
        if c in columns
    ]


def simulate_map(run: RunData, tr: Translator, per_tps: CsvTable | None) -> Html:
    """The map of a simulate run, or a note saying why there is none."""
    where = coordinates(run)
    if where is None:
        return html.note(tr("security_map_none"))
    if per_tps is None or not per_tps.has("tps_id", *MAP_COLUMNS):
        return html.note(tr("not_available", what="per_tps.csv"))
    ids, lon, lat = where
    row_of = {t: k for k, t in enumerate(per_tps.text("tps_id"))}
    rows = [row_of.get(t, -1) for t in ids]
    columns = {}
    for c in MAP_COLUMNS:
        v = per_tps.num(c)
        columns[c] = np.array([v[r] if r >= 0 else math.nan for r in rows])
    plot = plots.value_maps(
        tr("security_map_title"),
        lon,
        lat,
        map_panels(tr, columns),
        x_label=tr("longitude"),
        y_label=tr("latitude"),
    )
    return html.figure(plot, tr("security_map_caption"))


# ---- compare and plan ----------------------------------------------------------------------


def compare_part(run: RunData, tr: Translator, store: Path) -> Part | None:
    """The section of a compare or plan report (None when the run has no attempts)."""
    differences = run.csv("differences.csv")
    data = run.json("compare.json")
    if not isinstance(data, dict):
        data = {}
    metrics = data.get("metrics") or {}
    if not has_attempts(metrics):
        return None
    labels = [str(p.get("label")) for p in data.get("plans", []) if isinstance(p, dict)]
    n = data.get("replications", "?")
    parts: list[Html] = [html.paragraph(tr("security_intro_compare", n=n))]
    if differences is not None and differences.has("metric", "diff_mean"):
        rows = difference_rows(differences)
        if rows:
            parts.append(
                html.table(
                    [
                        "A",
                        "B",
                        tr("metric"),
                        tr("mean") + " A",
                        tr("mean") + " B",
                        tr("difference"),
                        "95% ↓",
                        "95% ↑",
                        "≠ 0",
                    ],
                    [
                        [a, b, metric_label(tr, m), ma, mb, d, lo, hi, tr("yes") if s else tr("no")]
                        for a, b, m, ma, mb, d, lo, hi, s in rows
                    ],
                    caption=tr("security_diff_caption"),
                    numeric=[False, False, False, True, True, True, True, True, False],
                )
            )
    means = plan_means(metrics, labels)
    if means:
        parts.append(html.figure(plans_plot(tr, means)))
    per_district = data.get("per_district") or {}
    mean_rows, diff_rows = compare_district_rows(per_district, labels)
    if mean_rows:
        parts.append(
            html.table(
                [tr("kecamatan"), tr("plan"), *outcome_headers(tr)],
                mean_rows,
                caption=tr("security_district_caption", n=n),
                numeric=[False, False, *([True] * len(OUTCOMES))],
            )
        )
    if diff_rows:
        parts.append(
            html.table(
                [tr("kecamatan"), "B − A", *outcome_headers(tr)],
                diff_rows,
                caption=tr("security_district_diff_caption"),
                numeric=[False, False, *([True] * len(OUTCOMES))],
            )
        )
    parts.append(compare_map(run, tr, store, labels))
    return Part(ANCHOR, tr("sec_security"), html.join(parts))


def difference_rows(
    table: CsvTable,
) -> list[tuple[str, str, str, float, float, float, float, float, bool]]:
    """(A, B, metric, mean A, mean B, B − A, low, high, significant) of the security metrics
    in differences.csv, in `SECURITY_METRICS` order per plan pair."""
    a_names = table.text("plan_a") or ["A"] * table.rows
    b_names = table.text("plan_b") or ["B"] * table.rows
    names = table.text("metric")
    cols = {
        c: table.num(c)
        for c in ("mean_a", "mean_b", "diff_mean", "diff_ci95_low", "diff_ci95_high")
    }
    order = {m: k for k, m in enumerate(SECURITY_METRICS)}
    picked = sorted(
        (i for i in range(table.rows) if names[i] in order),
        key=lambda i: (a_names[i], b_names[i], order[names[i]]),
    )
    out = []
    for i in picked:
        low, high = float(cols["diff_ci95_low"][i]), float(cols["diff_ci95_high"][i])
        out.append(
            (
                a_names[i],
                b_names[i],
                names[i],
                float(cols["mean_a"][i]),
                float(cols["mean_b"][i]),
                float(cols["diff_mean"][i]),
                low,
                high,
                low > 0 or high < 0,
            )
        )
    return out


def plan_means(metrics: dict[str, Any], labels: list[str]) -> dict[str, list[float]]:
    """Plan → its mean per day of prevented, displaced, found later and undetected."""
    names = ("attempts_prevented", "attempts_displaced", "fraud_found_later", "fraud_undetected")
    out: dict[str, list[float]] = {}
    for label in labels:
        values = []
        for name in names:
            entry = ((metrics.get(name) or {}).get("plans") or {}).get(label) or {}
            values.append(float(entry.get("mean", math.nan)))
        out[label] = values
    return out


def plans_plot(tr: Translator, means: dict[str, list[float]]) -> plots.Plot:
    """Grouped bars: per outcome, each plan's mean per day."""
    return plots.grouped_bars(
        tr("security_plans_title"),
        "",
        tr("attempts_axis"),
        [tr("col_prevented"), tr("col_displaced"), tr("col_found_later"), tr("col_undetected")],
        means,
    )


def compare_district_rows(
    per_district: dict[str, Any], labels: list[str]
) -> tuple[list[list[object]], list[list[object]]]:
    """From compare.json's ``per_district``: rows (kecamatan, plan, six means) and rows
    (kecamatan, plan B, six paired differences B − A, "*" after one whose interval excludes
    0). Empty when the run compared no attempts per kecamatan."""
    tables = [per_district.get(column) for column, _ in OUTCOMES]
    if not labels or any(not isinstance(t, dict) for t in tables):
        return [], []
    districts = list(tables[0] or {})
    means: list[list[object]] = []
    diffs: list[list[object]] = []
    for district in districts:
        entries = [(t or {}).get(district) or {} for t in tables]
        for label in labels:
            means.append(
                [
                    district,
                    label,
                    *(float((e.get("plans") or {}).get(label, math.nan)) for e in entries),
                ]
            )
        for label in labels[1:]:
            cells: list[object] = [district, label]
            for e in entries:
                d = (e.get("differences") or {}).get(label) or {}
                value = float(d.get("mean", math.nan))
                cells.append(f"{html.format_value(value)}*" if d.get("significant") else value)
            diffs.append(cells)
    return means, diffs


def store_means(
    store: Path, plans: int, columns: tuple[str, ...] = MAP_COLUMNS
) -> list[dict[str, np.ndarray]] | None:
    """Per plan, the mean over its saved replications of per-TPS `columns`, from the run's
    replication store (``pNN/rNNNNNN.npz``); None when a plan has none saved or the run was
    split by region (a province: its files hold one region's TPS each)."""
    out: list[dict[str, np.ndarray]] = []
    for k in range(plans):
        files = sorted((store / f"p{k:02d}").glob("r*.npz"))
        if not files or any("-g" in f.name for f in files):
            return None
        sums: dict[str, np.ndarray] = {}
        for f in files:
            with np.load(f, allow_pickle=False) as z:
                for c in columns:
                    key = f"tps.{c}"
                    if key not in z.files:
                        return None
                    sums[c] = sums.get(c, 0.0) + np.asarray(z[key], dtype=np.float64)
        out.append({c: v / len(files) for c, v in sums.items()})
    return out


def compare_map(run: RunData, tr: Translator, store: Path, labels: list[str]) -> Html:
    """Each plan's map (a row of panels per plan), or a note saying why there is none."""
    where = coordinates(run)
    if where is None:
        return html.note(tr("security_map_none"))
    means = store_means(store, len(labels)) if labels else None
    if means is None:
        return html.note(tr("not_available", what=tr("security_map_title")))
    _, lon, lat = where
    if any(len(m[c]) != len(lon) for m in means for c in m):
        return html.note(tr("not_available", what=tr("security_map_title")))
    panels = [
        p for label, m in zip(labels, means, strict=True) for p in map_panels(tr, m, f"{label}: ")
    ]
    plot = plots.value_maps(
        tr("security_map_title"),
        lon,
        lat,
        panels,
        x_label=tr("longitude"),
        y_label=tr("latitude"),
    )
    return html.figure(plot, tr("security_map_caption"))


# ---- frontier ------------------------------------------------------------------------------


def frontier_part(run: RunData, tr: Translator) -> Part | None:
    """The simulated attempts of each frontier step (``frontier --simulate`` writes
    frontier_simulated.csv: a ``{metric}_mean`` column per metric); None otherwise."""
    table = run.csv("frontier_simulated.csv")
    if table is None:
        return None
    found: list[tuple[str, str]] = []
    for metric in SECURITY_METRICS:
        col = table.first(metric, f"sim_{metric}", f"{metric}_mean", f"sim_{metric}_mean")
        if col is not None:
            found.append((metric, col))
    if not found:
        return None
    budget = table.first("budget", "budget_idr")
    step_label, per_unit = frontier_step(tr, run.json("frontier.json"))
    headers = ([step_label] if budget else []) + [metric_label(tr, m) for m, _ in found]
    rows = []
    for i in range(table.rows):
        cells: list[object] = [float(table.num(budget)[i]) / per_unit] if budget else []
        cells += [format_metric(tr, m, float(table.num(col)[i])) for m, col in found]
        rows.append(cells)
    body = html.join(
        [
            html.paragraph(tr("security_intro_frontier")),
            html.table(headers, rows, numeric=[True] * len(headers)),
        ]
    )
    return Part(ANCHOR, tr("sec_security"), body)


def frontier_step(tr: Translator, summary: Any) -> tuple[str, float]:
    """The step column's label and divisor from what the frontier swept (frontier.json's
    ``swept``): a factor on every budget (shown as is), or one budget line in rupiah (shown
    in billions); the total budget when the run does not say."""
    from planner.opt.frontier import SCALE_SWEPT

    swept = summary.get("swept") if isinstance(summary, dict) else None
    if swept == SCALE_SWEPT:
        return tr("frontier_x_scale"), 1.0
    if isinstance(swept, str) and swept:
        return tr("frontier_x_line", line=swept), 1e9
    return tr("frontier_x"), 1e9
