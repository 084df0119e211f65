"""Sections of the report of a `planner simulate` run.

From the run's files: summary.json (headline metrics with intervals), per_tps.csv (means per
TPS over replications), per_district.csv and per_village.csv. Time series the summary does
not hold (queue length through the day, the seven KPPS' fatigue, each voter's wait,
incidents by hour, response times by agency) come from re-running ONE replication
deterministically for the chosen TPS (`planner.report.trace`), so simulate runs stay small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.report import html, plots, security
from planner.report.build import Part
from planner.report.html import Html
from planner.report.i18n import Translator
from planner.report.labels import (
    HEADLINE,
    format_metric,
    interval_table,
    metric_label,
)
from planner.report.narrate import incident_label
from planner.report.rerun import load_day_trace
from planner.report.runs import CsvTable, RunData
from planner.report.trace import DayTrace

# per_tps.csv column names we read (first present wins)
COL_WAIT = ("wait_mean_min",)
COL_OVER30 = ("share_wait_over_30min",)
COL_GAVE_UP = ("voters_gave_up",)
COL_VOTED = ("voters_voted",)
COL_OPEN_DELAY = ("open_delay_min", "open_delay_mean_min")
COL_OPEN_CLOCK = ("open_clock_min",)
COL_COUNT_END = ("count_finish_clock_min", "count_finish_mean_clock_min")
COL_INCIDENTS = ("incidents", "incidents_total")
COL_HEALTH = ("health_events", "staff_health_events")
COL_REVOTE = ("revote_risk", "revote_prob")
COL_FATIGUE = ("fatigue_peak",)


def build(run: RunData, tr: Translator) -> list[Part]:
    """All sections of a simulate report, in reading order."""
    per_tps = run.csv("per_tps.csv")
    add_open_delay(run, per_tps)
    per_district = run.csv("per_district.csv")
    trace, trace_error = load_day_trace(run, per_tps)
    return [
        headline_part(run, tr),
        queues_part(run, tr, trace, trace_error),
        waits_part(tr, per_tps, per_district, trace),
        staff_part(run, tr, trace),
        counting_part(tr, per_tps),
        incidents_part(run, tr, trace),
        security.simulate_part(run, tr, per_tps, per_district),
        logistics_part(run, tr, per_tps),
        attention_part(tr, per_tps),
        districts_part(tr, per_district),
        villages_part(tr, run.csv("per_village.csv")),
        sitrep_part(tr, trace),
    ]


SITREP_MIN = 60
"""Interval of the situation reports in the simulate report (minutes)."""


def sitrep_part(tr: Translator, trace: DayTrace | None) -> Part:
    """Hourly situation reports of the re-run day, per kecamatan and for the region."""
    from planner.report.timeline import sitrep_part as story_sitreps

    if trace is None or trace.story is None:
        note = html.note(tr("not_available", what=tr("sec_sitrep")))
        return Part("sitrep", tr("sec_sitrep"), note)
    part = story_sitreps(trace.story, tr, SITREP_MIN)
    note = html.note(tr("queue_plot_note", rep=trace.replication, seed=trace.seed))
    return Part(part.anchor, part.title, html.join([part.body, note]))


def add_open_delay(run: RunData, per_tps: CsvTable | None) -> None:
    """Give per_tps an ``open_delay_min`` column from ``open_clock_min`` and day.open."""
    if per_tps is None or per_tps.first(*COL_OPEN_DELAY) or not per_tps.first(*COL_OPEN_CLOCK):
        return
    import yaml

    from planner.scenario.clock import parse_clock

    day_open = 420.0
    path = run.file("scenario.resolved.yaml")
    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        text = (data.get("day") or {}).get("open")
        if text is not None:
            day_open = float(parse_clock(text))
    opens = per_tps.num(COL_OPEN_CLOCK[0])
    per_tps.columns["open_delay_min"] = [
        "" if math.isnan(v) else f"{max(0.0, v - day_open):.3f}" for v in opens
    ]


def headline_part(run: RunData, tr: Translator) -> Part:
    """Cards with the main metrics and a table of every metric with its interval."""
    metrics = (run.summary or {}).get("metrics") or {}
    if not metrics:
        return Part(
            "headline", tr("sec_headline"), html.note(tr("not_available", what="summary.json"))
        )
    cards = []
    for name, _, _ in HEADLINE:
        m = metrics.get(name)
        if not isinstance(m, dict):
            continue
        cards.append(
            (
                metric_label(tr, name),
                format_metric(tr, name, m.get("mean", math.nan)),
                tr(
                    "ci_text",
                    low=format_metric(tr, name, m.get("ci95_low", math.nan)),
                    high=format_metric(tr, name, m.get("ci95_high", math.nan)),
                ),
            )
        )
    rows = [
        [
            metric_label(tr, name),
            name,
            format_metric(tr, name, m.get("mean", math.nan)),
            format_metric(tr, name, m.get("ci95_low", math.nan)),
            format_metric(tr, name, m.get("ci95_high", math.nan)),
            m.get("n"),
        ]
        for name, m in metrics.items()
        if isinstance(m, dict)
    ]
    n = (run.summary or {}).get("replications", "?")
    body = html.join(
        [
            html.paragraph(tr("headline_intro", n=n)),
            html.metric_cards(cards),
            html.table(
                [tr("metric"), "", tr("mean"), "95% ↓", "95% ↑", "n"],
                rows,
                caption=tr("all_metrics"),
                numeric=[False, False, True, True, True, True],
            ),
        ]
    )
    return Part("headline", tr("sec_headline"), body)


def queues_part(run: RunData, tr: Translator, trace: DayTrace | None, trace_error: str) -> Part:
    """Queue length through the day at the five worst TPS and the median TPS."""
    if trace is None or not trace.queue:
        return Part("queues", tr("sec_queues"), html.note(tr("trace_failed", why=trace_error)))
    series = []
    for tps_id, (times, lengths) in trace.queue.items():
        label = tr("median_tps", tps=tps_id) if tps_id == trace.median_tps else tps_id
        series.append((label, times, lengths))
    plot = plots.line_plot(
        tr("queue_plot_title"),
        tr("clock_time"),
        tr("people_in_queue"),
        series,
        clock_x=True,
        step=True,
    )
    body = html.join(
        [
            html.figure(plot),
            html.note(tr("queue_plot_note", rep=trace.replication, seed=trace.seed)),
        ]
    )
    return Part("queues", tr("sec_queues"), body)


def waits_part(
    tr: Translator,
    per_tps: CsvTable | None,
    per_district: CsvTable | None,
    trace: DayTrace | None,
) -> Part:
    """Wait distribution (per TPS, and per voter on one day) and >30 min share by kecamatan."""
    parts: list[Html] = []
    col = per_tps.first(*COL_WAIT) if per_tps else None
    if per_tps is not None and col:
        waits = per_tps.num(col)
        parts.append(
            html.figure(
                plots.histogram(
                    tr("wait_hist_title"),
                    tr("wait_min_axis"),
                    tr("tps_count"),
                    waits,
                    bins=30,
                    marks=[(30.0, "30 min")] if np.nanmax(waits) > 25 else [],
                )
            )
        )
    if trace is not None and len(trace.voter_waits):
        parts.append(
            html.figure(
                plots.histogram(
                    tr("voter_wait_title"),
                    tr("voter_wait_axis"),
                    tr("voters"),
                    trace.voter_waits,
                    bins=40,
                )
            )
        )
    names, shares = _share_over_30_by_district(per_tps, per_district)
    if names:
        parts.append(
            html.figure(
                plots.bar_chart(
                    tr("over30_title"),
                    tr("share_axis"),
                    tr("kecamatan"),
                    names,
                    100 * np.asarray(shares),
                    horizontal=True,
                )
            )
        )
    if not parts:
        parts.append(html.note(tr("not_available", what="per_tps.csv")))
    return Part("waits", tr("sec_waits"), html.join(parts))


def _share_over_30_by_district(
    per_tps: CsvTable | None, per_district: CsvTable | None
) -> tuple[list[str], list[float]]:
    """(kecamatan, share waiting over 30 min) from per_district.csv, else voter-weighted TPS."""
    if (
        per_district is not None
        and per_district.has("district")
        and per_district.first(*COL_OVER30)
    ):
        col = per_district.first(*COL_OVER30)
        assert col is not None
        return per_district.text("district"), list(per_district.num(col))
    if per_tps is None or not per_tps.has("district") or not per_tps.first(*COL_OVER30):
        return [], []
    col = per_tps.first(*COL_OVER30)
    assert col is not None
    share = per_tps.num(col)
    weight_col = per_tps.first(*COL_VOTED, "voters")
    weight = per_tps.num(weight_col) if weight_col else np.ones(per_tps.rows)
    districts = per_tps.text("district")
    names = sorted(set(districts))
    out = []
    for name in names:
        mask = np.array([d == name for d in districts]) & np.isfinite(share)
        total = weight[mask].sum()
        out.append(float((share[mask] * weight[mask]).sum() / total) if total > 0 else math.nan)
    return names, out


def staff_part(run: RunData, tr: Translator, trace: DayTrace | None) -> Part:
    """Fatigue of the seven KPPS at the worst TPS, and health events."""
    parts: list[Html] = []
    if trace is not None and trace.fatigue:
        series = [
            (tr("worker", n=k + 1), times, values)
            for k, (times, values) in enumerate(trace.fatigue.values())
        ]
        parts.append(
            html.figure(
                plots.line_plot(
                    tr("fatigue_title", tps=trace.worst_tps),
                    tr("clock_time"),
                    tr("fatigue_axis"),
                    series,
                    clock_x=True,
                    hlines=[(3.5, tr("awake_18h"))],
                )
            )
        )
    health = run.metric("staff_health_events")
    peak = run.metric("fatigue_peak")
    if health is not None:
        parts.append(
            html.subsection(
                tr("health_events"),
                html.paragraph(
                    tr(
                        "health_text",
                        n=tr.number(health["mean"], 2),
                        low=tr.number(health["ci95_low"], 2),
                        high=tr.number(health["ci95_high"], 2),
                        peak=tr.number(peak["mean"], 2) if peak else "–",
                    )
                ),
            )
        )
    if trace is not None and trace.health_events:
        parts.append(
            html.table(
                [tr("clock_time"), tr("tps"), tr("value")],
                [[plots.clock_label(t), tps, what] for t, tps, what in trace.health_events],
            )
        )
    if not parts:
        parts.append(html.note(tr("not_available", what="fatigue")))
    return Part("staff", tr("sec_staff"), html.join(parts))


def counting_part(tr: Translator, per_tps: CsvTable | None) -> Part:
    """Distribution of count finish times, and the TPS that finish after midnight."""
    col = per_tps.first(*COL_COUNT_END) if per_tps else None
    if per_tps is None or col is None:
        return Part(
            "counting", tr("sec_counting"), html.note(tr("not_available", what="count finish"))
        )
    finish = per_tps.num(col)
    parts = [
        html.figure(
            plots.histogram(
                tr("count_hist_title"),
                tr("clock_time"),
                tr("tps_count"),
                finish,
                bins=30,
                marks=[(1440.0, tr("midnight"))] if np.nanmax(finish) >= 1380 else [],
                clock_x=True,
            )
        )
    ]
    late = np.nonzero(finish >= 1440)[0]
    if len(late):
        ids = per_tps.text("tps_id")
        districts = per_tps.text("district")
        order = late[np.argsort(-finish[late])]
        rows = [
            [ids[i] if ids else i, districts[i] if districts else "", plots.clock_label(finish[i])]
            for i in order[:50]
        ]
        parts.append(
            html.table(
                [tr("tps"), tr("kecamatan"), tr("count_finish")],
                rows,
                caption=tr("after_midnight", n=len(late)),
            )
        )
    else:
        parts.append(html.paragraph(tr("after_midnight_none")))
    return Part("counting", tr("sec_counting"), html.join(parts))


def incidents_part(run: RunData, tr: Translator, trace: DayTrace | None) -> Part:
    """Incidents per day by type, by type and hour on one day, response times by agency."""
    parts: list[Html] = []
    metrics = (run.summary or {}).get("metrics") or {}
    by_type: dict[str, dict[str, float]] = {
        name.removeprefix("incidents_"): m
        for name, m in metrics.items()
        if name.startswith("incidents_")
        and name not in ("incidents_total", "incidents_unresolved")
        and isinstance(m, dict)
    }
    if by_type:
        names = sorted(by_type, key=lambda k: -by_type[k].get("mean", 0))
        parts.append(
            html.figure(
                plots.bar_chart(
                    tr("incidents_type_title"),
                    tr("incidents_axis"),
                    "",
                    [incident_label(tr, k) for k in names],
                    [by_type[k]["mean"] for k in names],
                    errors=(  # a count is never below 0, whatever a t-interval says
                        [
                            max(0.0, float(by_type[k].get("ci95_low", by_type[k]["mean"])))
                            for k in names
                        ],
                        [float(by_type[k].get("ci95_high", by_type[k]["mean"])) for k in names],
                    ),
                    horizontal=True,
                )
            )
        )
    if trace is not None and trace.incidents:
        hours = list(
            range(
                int(min(t for t, _ in trace.incidents) // 60),
                int(max(t for t, _ in trace.incidents) // 60) + 1,
            )
        )
        types = sorted({k for _, k in trace.incidents})
        stacks = {
            incident_label(tr, k): [
                sum(1 for t, kk in trace.incidents if kk == k and int(t // 60) == h) for h in hours
            ]
            for k in types
        }
        parts.append(
            html.figure(
                plots.stacked_bars(
                    tr("incidents_hour_title"),
                    tr("hour_of_day"),
                    tr("incidents_axis"),
                    [
                        plots.clock_label(60 * h)[:-3] if h < 24 else plots.clock_label(60 * h)
                        for h in hours
                    ],
                    stacks,
                )
            )
        )
    if trace is not None and trace.responses:
        groups: dict[str, list[float]] = {}
        for agency, minutes in trace.responses:
            groups.setdefault(agency, []).append(minutes)
        parts.append(
            html.figure(
                plots.box_plot(tr("response_title"), tr("agency"), tr("response_axis"), groups)
            )
        )
    table = interval_table(
        tr,
        metrics,
        (
            "incidents_total",
            "incidents_unresolved",
            "settled_on_site",
            "escalations",
            "response_mean_min",
            "response_p90_min",
            "revote_risk_tps",
            *sorted(k for k in metrics if k.startswith("utilisation_")),
        ),
    )
    if table is not None:
        parts.append(table)
    if not parts:
        parts.append(html.note(tr("not_available", what=tr("incidents"))))
    return Part("incidents", tr("sec_incidents"), html.join(parts))


def logistics_part(run: RunData, tr: Translator, per_tps: CsvTable | None) -> Part:
    """Opening delays and kit problems."""
    parts: list[Html] = []
    col = per_tps.first(*COL_OPEN_DELAY) if per_tps else None
    if per_tps is not None and col is not None:
        delay = per_tps.num(col)
        if np.nanmax(delay) > 0:
            parts.append(
                html.figure(
                    plots.histogram(
                        tr("open_delay_title"),
                        tr("open_delay_axis"),
                        tr("tps_count"),
                        delay[delay > 0],
                        bins=25,
                    )
                )
            )
    metrics = (run.summary or {}).get("metrics") or {}
    table = interval_table(
        tr,
        metrics,
        (
            "tps_opened_late",
            "open_delay_mean_min",
            "logistics_late_tps",
            "ballot_short_tps",
            "kits_replaced",
            "results_complete_mean_clock_min",
            "results_complete_last_clock_min",
        ),
    )
    if table is not None:
        parts.append(table)
    if not parts:
        parts.append(html.note(tr("not_available", what="logistics")))
    return Part("logistics", tr("sec_logistics"), html.join(parts))


def attention_scores(per_tps: CsvTable) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
    """A score per TPS (sum of each problem scaled to the worst TPS) and its main reasons.

    Problems: mean wait, voters who gave up, opening delay, counting past 22:00, incidents,
    health events, re-vote risk. Each is divided by its maximum over TPS so no single unit
    dominates; the reasons are the problems that contribute at least a quarter of the worst.
    """
    problems: list[tuple[str, np.ndarray]] = []
    for key, names, offset in (
        ("why_wait", COL_WAIT, 0.0),
        ("why_gave_up", COL_GAVE_UP, 0.0),
        ("why_late", COL_OPEN_DELAY, 0.0),
        ("why_count", COL_COUNT_END, 22 * 60.0),
        ("why_incidents", COL_INCIDENTS, 0.0),
        ("why_health", COL_HEALTH, 0.0),
        ("why_revote", COL_REVOTE, 0.0),
    ):
        col = per_tps.first(*names)
        if col is None:
            continue
        problems.append((key, per_tps.num(col) - offset))
    score = np.zeros(per_tps.rows)
    reasons: list[list[tuple[str, float]]] = [[] for _ in range(per_tps.rows)]
    for key, values in problems:
        v = np.nan_to_num(values, nan=0.0)
        scaled_by = v.max()
        if scaled_by <= 0:
            continue
        scaled = np.clip(v, 0, None) / scaled_by
        score += scaled
        raw = values + (22 * 60.0 if key == "why_count" else 0.0)
        for i in np.nonzero(scaled >= 0.25)[0]:
            reasons[i].append((key, float(raw[i])))
    return score, reasons


def attention_part(tr: Translator, per_tps: CsvTable | None) -> Part:
    """The 20 TPS that need attention most, and why."""
    if per_tps is None or per_tps.rows == 0:
        return Part(
            "attention", tr("sec_attention"), html.note(tr("not_available", what="per_tps.csv"))
        )
    score, reasons = attention_scores(per_tps)
    order = np.argsort(-score, kind="stable")[:20]
    ids = per_tps.text("tps_id") or [str(i) for i in range(per_tps.rows)]
    districts = per_tps.text("district") or [""] * per_tps.rows
    classes = per_tps.text("risk_class") or [""] * per_tps.rows
    rows = []
    for rank, i in enumerate(order, start=1):
        if score[i] <= 0:
            break
        why = "; ".join(_reason_text(tr, key, value) for key, value in reasons[i])
        rows.append([rank, ids[i], districts[i], classes[i], round(float(score[i]), 2), why])
    body = html.join(
        [
            html.paragraph(tr("attention_intro")),
            html.table(
                [tr("rank"), tr("tps"), tr("kecamatan"), tr("risk_class"), "score", tr("reason")],
                rows,
                numeric=[True, False, False, False, True, False],
            ),
        ]
    )
    return Part("attention", tr("sec_attention"), body)


def _reason_text(tr: Translator, key: str, value: float) -> str:
    if key == "why_count":
        return tr(key, v=plots.clock_label(value))
    if key == "why_revote":
        return tr(key, v=tr.percent(value, 1))
    return tr(key, v=tr.number(value, 1 if value < 10 else 0))


def districts_part(tr: Translator, per_district: CsvTable | None) -> Part:
    """The per-kecamatan table as written by simulate."""
    return _area_part(tr, per_district, "districts", "sec_districts", "per_district.csv")


MAX_VILLAGE_ROWS = 200
"""Most villages the report lists (est.: about six A4 pages at ~35 table rows a page); a
province has a thousand or more (Kaltim 1,038), which the workbook's filterable sheet serves
better than pages of print."""


def villages_part(tr: Translator, per_village: CsvTable | None) -> Part:
    """The per-kelurahan table as written by simulate: what a lurah or camat is handed."""
    if per_village is not None and per_village.rows > MAX_VILLAGE_ROWS:
        text = tr("villages_elsewhere", n=f"{per_village.rows:,}", most=MAX_VILLAGE_ROWS)
        return Part("villages", tr("sec_villages"), html.note(text))
    return _area_part(tr, per_village, "villages", "sec_villages", "per_village.csv")


def _area_part(
    tr: Translator, table: CsvTable | None, anchor: str, title: str, file: str
) -> Part:
    if table is None or table.rows == 0:
        return Part(anchor, tr(title), html.note(tr("not_available", what=file)))
    headers = list(table.columns)
    rows: list[Sequence[object]] = []
    for r in table.row_dicts():
        rows.append([_cell(h, r[h]) for h in headers])
    return Part(anchor, tr(title), html.table(headers, rows))


def _cell(name: str, text: str) -> object:
    try:
        value = float(text)
    except ValueError:
        return text
    if name.endswith("_clock_min") and math.isfinite(value):
        return plots.clock_label(value)
    if name.startswith("share_"):
        return f"{100 * value:.1f}%"
    return value
