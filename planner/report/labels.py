"""Metric labels and value formats shared by the report sections (id/en).

`METRIC_LABELS` names every summary metric a report shows in both languages;
`metric_label`, `format_metric` and `interval_table` are what the simulate, compare and
security sections use to show a metric, so a metric reads the same in every report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from planner.report import html, plots
from planner.report.html import Html
from planner.report.i18n import Translator

HEADLINE: tuple[tuple[str, str, str], ...] = (
    # metric, English label, Indonesian label
    ("voters_voted", "voters who voted", "pemilih yang memilih"),
    ("voters_gave_up", "voters who gave up", "pemilih yang batal"),
    ("wait_mean_min", "mean wait (min)", "rata-rata tunggu (menit)"),
    ("wait_p95_min", "95th percentile wait (min)", "persentil 95 tunggu (menit)"),
    ("share_wait_over_30min", "share waiting over 30 min", "proporsi tunggu > 30 menit"),
    ("tps_opened_late", "TPS opened late", "TPS terlambat buka"),
    ("incidents_total", "incidents", "insiden"),
    ("response_mean_min", "mean response (min)", "rata-rata respons (menit)"),
    ("fatigue_peak", "peak fatigue (points)", "kelelahan puncak (poin)"),
    ("staff_health_events", "worker health events", "kejadian kesehatan petugas"),
    ("count_finish_p95_clock_min", "95% of TPS counted by", "95% TPS selesai hitung pukul"),
    ("revote_risk_tps", "TPS at risk of re-vote", "TPS berisiko PSU"),
)

METRIC_LABELS: dict[str, tuple[str, str]] = {m: (en, id_) for m, en, id_ in HEADLINE} | {
    "voters_arrived": ("voters who came", "pemilih yang datang"),
    "open_delay_mean_min": ("mean opening delay (min)", "rata-rata terlambat buka (menit)"),
    "incidents_unresolved": ("incidents unresolved", "insiden tak selesai"),
    "response_p90_min": ("90th percentile response (min)", "persentil 90 respons (menit)"),
    "count_finish_mean_clock_min": ("mean count finish", "rata-rata selesai hitung"),
    "logistics_late_tps": ("TPS with late kits", "TPS logistik terlambat"),
    "ballot_short_tps": ("TPS short of ballots", "TPS kurang surat suara"),
    "settled_on_site": ("incidents settled on site", "insiden selesai di tempat"),
    "escalations": ("incidents escalated", "insiden meningkat"),
    "utilisation_police": (
        "police units busy (share of the day)",
        "unit polisi sibuk (bagian hari)",
    ),
    "utilisation_tni": ("TNI units busy (share of the day)", "unit TNI sibuk (bagian hari)"),
    "utilisation_medical": (
        "medical teams busy (share of the day)",
        "tim medis sibuk (bagian hari)",
    ),
    "kits_replaced": ("kits replaced", "logistik diganti"),
    "results_complete_mean_clock_min": (
        "kecamatan results complete at PPK (mean)",
        "hasil kecamatan lengkap di PPK (rata-rata)",
    ),
    "results_complete_last_clock_min": (
        "last kecamatan results complete at PPK",
        "hasil kecamatan terakhir lengkap di PPK",
    ),
    "attempts_total": (
        "attempts (before security deters any)",
        "percobaan (sebelum dicegah penjagaan)",
    ),
    "attempts_deterred": ("attempts deterred", "percobaan diurungkan karena penjagaan"),
    "attempts_prevented": ("attempts prevented", "percobaan tercegah"),
    "attempts_displaced": (
        "attempts displaced to another TPS",
        "percobaan berpindah ke TPS lain",
    ),
    "fraud_found_later": ("fraud found at counting", "kecurangan ketahuan saat penghitungan"),
    "fraud_undetected": ("fraud undetected", "kecurangan tak terungkap"),
    "sim_harm": ("simulated harm (weighted voters)", "kerugian tersimulasi (pemilih berbobot)"),
    "sim_harm_revote": ("harm: re-vote risk", "kerugian: risiko PSU"),
    "sim_harm_suspension": ("harm: voting suspended", "kerugian: pemungutan terhenti"),
    "sim_harm_waiting": (
        "harm: incidents waiting for a responder",
        "kerugian: insiden menunggu petugas",
    ),
    "sim_harm_escalation": ("harm: escalations", "kerugian: insiden meningkat"),
    "sim_harm_unresolved": ("harm: unresolved incidents", "kerugian: insiden tak selesai"),
    "sim_harm_undetected": ("harm: undetected fraud", "kerugian: kecurangan tak terungkap"),
}


def metric_label(tr: Translator, name: str) -> str:
    """A metric's label in the report language (the metric name when unknown)."""
    labels = METRIC_LABELS.get(name)
    if labels is None:
        return name
    return labels[0] if tr.lang == "en" else labels[1]


def format_metric(tr: Translator, name: str, value: float) -> str:
    """A metric value: clock metrics as HH:MM, shares as %, counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if name.endswith("_clock_min"):
        return plots.clock_label(value)
    if name.startswith(("share_", "utilisation_")):
        return tr.percent(value, 1)
    if abs(value) >= 100:
        return tr.number(value, 0)
    return tr.number(value, 1 if abs(value) >= 10 else 2)


def interval_table(tr: Translator, metrics: dict[str, object], names: Sequence[str]) -> Html | None:
    """Mean and 95% interval of the summary's metrics `names` that the run has, as a table
    (None when it has none of them)."""
    rows = [
        [
            metric_label(tr, name),
            format_metric(tr, name, m["mean"]),
            format_metric(tr, name, m.get("ci95_low", math.nan)),
            format_metric(tr, name, m.get("ci95_high", math.nan)),
        ]
        for name in names
        if isinstance(m := metrics.get(name), dict)
    ]
    if not rows:
        return None
    return html.table(
        [tr("metric"), tr("mean"), "95% ↓", "95% ↑"], rows, numeric=[False, True, True, True]
    )
