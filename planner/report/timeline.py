"""The report of a `planner demo` run: the day as a timeline, plots, situation reports.

Reads ``story.json`` (the day with the injects) and, when the demo was run with
``--compare-without-injects``, ``story_without_injects.json`` (the same seed without them),
shown side by side: what the injects cost. The manifest's ``sitrep_min`` sets the interval
of the situation reports.
"""

from __future__ import annotations

import math

import numpy as np

from planner.report import html, plots
from planner.report.build import Part
from planner.report.html import Html
from planner.report.i18n import Translator
from planner.report.narrate import Entry, describe_inject, narrate
from planner.report.runs import RunData
from planner.report.sitrep import sitrep_cells, sitrep_headers, sitreps
from planner.report.story import BIN_MIN, DayStory, load_story

STORY = "story.json"
STORY_WITHOUT = "story_without_injects.json"


def build(run: RunData, tr: Translator) -> list[Part]:
    """Sections of a demo report."""
    path = run.file(STORY)
    if not path.is_file():
        return [Part("timeline", tr("sec_timeline"), html.note(tr("not_available", what=STORY)))]
    story = load_story(path)
    without = load_story(run.file(STORY_WITHOUT)) if run.file(STORY_WITHOUT).is_file() else None
    sitrep_min = int(run.manifest.get("sitrep_min") or 0) or None
    parts = [
        injects_part(story, tr),
        timeline_part(story, tr, sitrep_min),
        plots_part(story, without, tr),
    ]
    if without is not None:
        parts.append(compare_part(story, without, tr))
    parts.append(sitrep_part(story, tr, sitrep_min or 60))
    return parts


def subject_line(story: DayStory, tr: Translator) -> str:
    """'TPS-0012, Margomulyo, Kecamatan Balikpapan Barat' or 'Kecamatan X (50 TPS)'."""
    if story.subject_kind == "tps" and story.tps:
        t = next((t for t in story.tps if t.tps_id == story.subject), story.tps[0])
        return tr("demo_subject_tps", tps=t.tps_id, village=t.village, district=t.district)
    n = sum(1 for t in story.tps if t.district == story.subject)
    return tr("demo_subject_district", district=story.subject, n=n)


def injects_part(story: DayStory, tr: Translator) -> Part:
    """The subject and the injects of the exercise."""
    items: list[Html] = [html.paragraph(subject_line(story, tr))]
    if story.injects:
        items.append(
            html.bullet_list(f"{spec} — {describe_inject(spec, tr)}" for spec in story.injects)
        )
    else:
        items.append(html.paragraph(tr("no_injects")))
    return Part("injects", tr("sec_injects"), html.join(items))


def timeline_html(entries: list[Entry], tr: Translator) -> Html:
    """The entries as an ordered list, incidents and sitreps styled apart."""
    items = []
    for e in entries:
        tag = tr(f"tag_{e.kind}") if tr.has(f"tag_{e.kind}") else e.kind
        cls = {
            "incident": "incident",
            "inject": "incident",
            "attempt": "incident",
            "sitrep": "sitrep",
        }.get(e.kind, "")
        attr = f' class="{cls}"' if cls else ""
        items.append(
            f'<li{attr}><span class="t">{html.esc(e.clock)}</span>'
            f'<span class="tag">{html.esc(tag)}</span>{html.esc(e.text)}</li>'
        )
    return Html('<ol class="timeline">' + "".join(items) + "</ol>")


def timeline_part(story: DayStory, tr: Translator, sitrep_min: int | None) -> Part:
    """The day told hour by hour."""
    return Part("timeline", tr("sec_timeline"), timeline_html(narrate(story, tr, sitrep_min), tr))


def _voted_curve(story: DayStory) -> tuple[np.ndarray, np.ndarray]:
    """(clock minutes, voters who have voted) summed over the subject's TPS."""
    tps = story.subject_tps() or story.tps
    if not tps:
        return np.zeros(0), np.zeros(0)
    start = min(t.voted_bins_start_min for t in tps)
    end = max(t.voted_bins_start_min + BIN_MIN * len(t.voted_bins) for t in tps)
    times = np.arange(start, end + BIN_MIN, BIN_MIN, dtype=float)
    total = np.array([sum(t.voted_by(x) for t in tps) for x in times], dtype=float)
    return times, total


def _queue_series(story: DayStory) -> tuple[np.ndarray, np.ndarray]:
    """The subject's queue (one TPS) or the summed queue of the traced TPS (kecamatan)."""
    traced = [t for t in story.tps if t.queue_times]
    if not traced:
        return np.zeros(0), np.zeros(0)
    if story.subject_kind == "tps":
        t = next((t for t in traced if t.tps_id == story.subject), traced[0])
        return np.asarray(t.queue_times, dtype=float), np.asarray(t.queue_lengths, dtype=float)
    grid = np.unique(np.concatenate([np.asarray(t.queue_times, dtype=float) for t in traced]))
    total = np.zeros(len(grid))
    for t in traced:
        idx = np.searchsorted(np.asarray(t.queue_times), grid, side="right") - 1
        lengths = np.asarray(t.queue_lengths, dtype=float)
        total += np.where(idx >= 0, lengths[np.clip(idx, 0, None)], 0.0)
    return grid, total


def plots_part(story: DayStory, without: DayStory | None, tr: Translator) -> Part:
    """Queue, voters served and the KPPS' fatigue; with the no-inject day when given."""
    figures: list[Html] = []
    label_with = tr("with_injects") if without is not None else ""
    times, lengths = _queue_series(story)
    if len(times):
        series = [(label_with or story.subject, times, lengths)]
        if without is not None:
            t2, l2 = _queue_series(without)
            series.append((tr("without_injects"), t2, l2))
        title = (
            tr("queue_one_title", tps=story.subject)
            if story.subject_kind == "tps"
            else tr("queue_district_title", district=story.subject)
        )
        figures.append(
            html.figure(
                plots.line_plot(
                    title, tr("clock_time"), tr("people_in_queue"), series, clock_x=True, step=True
                )
            )
        )
    times, voted = _voted_curve(story)
    if len(times):
        series = [(label_with or tr("m_voted"), times, voted)]
        if without is not None:
            t2, v2 = _voted_curve(without)
            series.append((tr("without_injects"), t2, v2))
        dpt = sum(t.voters_dpt for t in (story.subject_tps() or story.tps))
        figures.append(
            html.figure(
                plots.line_plot(
                    tr("voted_title"),
                    tr("clock_time"),
                    tr("voted_axis"),
                    series,
                    clock_x=True,
                    hlines=[(float(dpt), "DPT")],
                )
            )
        )
    if story.workers:
        tps_id = story.workers[0].tps_id
        series = [
            (w.worker, np.asarray(w.times_min), np.asarray(w.fatigue))
            for w in story.workers
            if w.tps_id == tps_id
        ]
        figures.append(
            html.figure(
                plots.line_plot(
                    tr("fatigue_title", tps=tps_id),
                    tr("clock_time"),
                    tr("fatigue_axis"),
                    series,
                    clock_x=True,
                    hlines=[(3.5, tr("awake_18h"))],
                )
            )
        )
    if not figures:
        figures.append(html.note(tr("not_available", what="plots")))
    return Part("plots", tr("sec_story_plots"), html.join(figures))


def story_metrics(story: DayStory) -> dict[str, float]:
    """Day totals of the subject (one TPS or one kecamatan) for the side-by-side table."""
    tps = story.subject_tps() or story.tps
    names = {t.tps_id for t in tps}
    districts = {t.district for t in tps}
    voted = sum(t.voters_voted for t in tps)
    waits = [t.wait_mean_min * t.voters_voted for t in tps if math.isfinite(t.wait_mean_min)]
    return {
        "m_voted": float(voted),
        "m_gave_up": float(sum(t.voters_gave_up for t in tps)),
        "m_wait_mean": sum(waits) / voted if voted else math.nan,
        "m_wait_max": max((t.wait_max_min for t in tps), default=math.nan),
        "m_opened": max((t.open_min for t in tps), default=math.nan),
        "m_closed": max((t.last_voter_min for t in tps), default=math.nan),
        "m_count_done": max((t.count_end_min for t in tps), default=math.nan),
        "m_results_ppk": max(
            (v for d, v in story.district_results_min.items() if d in districts),
            default=math.nan,
        ),
        "m_incidents": float(sum(1 for i in story.incidents if i.tps_id in names)),
        "m_health": float(
            sum(1 for w in story.workers if w.tps_id in names and math.isfinite(w.health_event_min))
        ),
        "m_deterred": float(sum(1 for a in story.attempts if a.deterred_by and a.tps_id in names)),
        "m_undetected": float(sum(1 for a in story.attempts if a.undetected and a.at_tps in names)),
    }


CLOCK_METRICS = ("m_opened", "m_closed", "m_count_done", "m_results_ppk")


def compare_part(story: DayStory, without: DayStory, tr: Translator) -> Part:
    """The day with and without the injects, side by side, and the difference."""
    a, b = story_metrics(story), story_metrics(without)
    rows: list[list[object]] = []
    for key in a:
        va, vb = a[key], b[key]
        diff = va - vb if math.isfinite(va) and math.isfinite(vb) else math.nan
        if key in CLOCK_METRICS:
            rows.append(
                [
                    tr(key),
                    _clock(va),
                    _clock(vb),
                    f"{diff:+.0f} min" if math.isfinite(diff) else "–",
                ]
            )
        else:
            rows.append([tr(key), *(_whole(v) for v in (va, vb, diff))])
    body = html.join(
        [
            html.paragraph(tr("compare_intro")),
            html.table(
                ["", tr("with_injects"), tr("without_injects"), tr("difference")],
                rows,
                numeric=[False, True, True, True],
            ),
            html.two_columns(
                html.join(
                    [
                        html.paragraph(tr("with_injects"), "note"),
                        timeline_html(narrate(story, tr), tr),
                    ]
                ),
                html.join(
                    [
                        html.paragraph(tr("without_injects"), "note"),
                        timeline_html(narrate(without, tr), tr),
                    ]
                ),
            ),
        ]
    )
    return Part("compare", tr("sec_compare_injects"), body)


def _whole(value: float) -> float | int:
    """Counts as whole numbers in the table (1 not 1.00)."""
    return int(value) if math.isfinite(value) and float(value).is_integer() else value


def _clock(value: float) -> str:
    return plots.clock_label(value) if math.isfinite(value) else "–"


def sitrep_part(story: DayStory, tr: Translator, step_min: int) -> Part:
    """The situation reports as one table per report time."""
    blocks: list[Html] = [html.paragraph(tr("sitrep_intro", step=step_min))]
    headers = sitrep_headers(tr)
    rows = [sitrep_cells(tr, row) for group in sitreps(story, step_min) for row in group]
    blocks.append(html.table(headers, rows, css_class="sitrep"))
    return Part("sitrep", tr("sec_sitrep"), html.join(blocks))
