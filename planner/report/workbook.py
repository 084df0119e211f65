"""`write_workbook(run_dir, lang)`: ``results.xlsx``, the run's tables as one spreadsheet.

KPU, Pemda and Polres staff work in spreadsheets: the workbook is the run's result as a
document they can filter, sort and forward. Like report.html it is built from the run
folder's files alone (`planner.report.runs.load_run`), so it can be (re)made later, in the
other language, with ``planner report RUN_DIR``.

One sheet per table a reader uses, each present only when its file is in the folder: a cover
(scenario, seed, command, replications, dates, planner version, the sheets), the summary with
its 95% intervals (summary.json), per kecamatan, per village and per TPS (per_district.csv,
per_village.csv, per_tps.csv), the deployment per kecamatan → village → TPS with pattern and
personnel per agency, as a Polsek hands it out (plan.csv, districts.csv, plan.json), the
paired differences of a comparison (compare.csv, differences.csv, compare_districts.csv),
the loop's iterations, the frontier (frontier.csv, frontier_simulated.csv) and the
calibration (calibration.csv).

Every number is the file's number unchanged, with a number format for reading: rupiah
``#,##0``, minutes ``0.0``, shares as percentages, and clock times (``*_clock_min``, minutes
after midnight) as ``[hh]:mm`` — for those the cell holds the day fraction minutes / 1440,
which is how a spreadsheet stores a time. Headers are in the report's language, frozen, with
an autofilter.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.files import atomic_write_bytes
from planner.report.i18n import DEFAULT_LANG, Translator
from planner.report.labels import METRIC_LABELS
from planner.report.runs import CsvTable, RunData, load_run

WORKBOOK_NAME = "results.xlsx"

RUPIAH = "#,##0"
COUNT = "#,##0"
MINUTES = "0.0"
CLOCK = "[hh]:mm"
PERCENT = "0.0%"
DECIMAL = "#,##0.00"
SMALL = "0.0000"
MINUTES_PER_DAY = 1440.0

STRINGS: dict[str, tuple[str, str]] = {
    # sheet names (at most 31 characters, no []:*?/\)
    "wb_cover": ("Cover", "Sampul"),
    "wb_summary": ("Summary", "Ringkasan"),
    "wb_per_district": ("Per kecamatan", "Per kecamatan"),
    "wb_per_village": ("Per village", "Per kelurahan"),
    "wb_per_tps": ("Per TPS", "Per TPS"),
    "wb_plan_totals": ("Plan totals", "Total rencana"),
    "wb_deploy_district": ("Deployment per kecamatan", "Pengerahan per kecamatan"),
    "wb_deploy_village": ("Deployment per village", "Pengerahan per kelurahan"),
    "wb_deploy_tps": ("Deployment per TPS", "Pengerahan per TPS"),
    "wb_compare": ("Plans compared", "Rencana dibandingkan"),
    "wb_differences": ("Paired differences", "Selisih berpasangan"),
    "wb_compare_districts": ("Differences per kecamatan", "Selisih per kecamatan"),
    "wb_iterations": ("Loop iterations", "Iterasi putaran"),
    "wb_frontier": ("Frontier", "Batas anggaran"),
    "wb_frontier_simulated": ("Frontier simulated", "Batas tersimulasi"),
    "wb_calibration": ("Calibration", "Kalibrasi"),
    # cover
    "wb_title": ("planner results", "hasil planner"),
    "wb_command_line": ("Command line (from the manifest)", "Baris perintah (dari manifest)"),
    "wb_planner_version": ("planner version", "versi planner"),
    "wb_language": ("Language", "Bahasa"),
    "wb_folder": ("Run folder", "Folder hasil"),
    "wb_sheets": ("Sheets", "Lembar"),
    "wb_source": ("from", "dari"),
    "wb_note": (
        "Numbers are the run folder's files unchanged; clock times are stored as fractions "
        "of a day and shown as hh:mm.",
        "Angka sama persis dengan berkas di folder hasil; jam disimpan sebagai pecahan hari "
        "dan ditampilkan sebagai jj:mm.",
    ),
    # columns the metric labels do not cover
    "wb_metric_key": ("metric (key)", "ukuran (kunci)"),
    "wb_metric_label": ("metric", "ukuran"),
    "wb_ci_low": ("95% low", "95% bawah"),
    "wb_ci_high": ("95% high", "95% atas"),
    "wb_method": ("interval method", "metode interval"),
    "wb_total_personnel": ("personnel, all agencies", "personel semua instansi"),
    "wb_agency": ("agency", "instansi"),
    "wb_personnel": ("personnel", "personel"),
    "wb_cost": ("cost (Rp)", "biaya (Rp)"),
    "wb_budget": ("budget (Rp)", "anggaran (Rp)"),
    "wb_available": ("available", "tersedia"),
    "wb_reserve_teams": ("reserve teams", "tim cadangan"),
}
"""Workbook strings, key → (English, Indonesian), passed to the report's `Translator`."""

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "tps_id": ("TPS", "TPS"),
    "district": ("kecamatan", "kecamatan"),
    "village": ("village", "kelurahan/desa"),
    "risk_class": ("risk class", "kelas kerawanan"),
    "voters": ("voters (DPT)", "pemilih (DPT)"),
    "voters_listed": ("voters listed (DPT + DPTb + DPK)", "pemilih terdaftar (DPT + DPTb + DPK)"),
    "tps": ("TPS", "jumlah TPS"),
    "pattern": ("pattern", "pola"),
    "linmas": ("linmas", "linmas"),
    "police": ("police", "polisi"),
    "tni": ("TNI", "TNI"),
    "personnel_linmas": ("linmas", "linmas"),
    "personnel_police": ("police", "polisi"),
    "personnel_tni": ("TNI", "TNI"),
    "reserve_teams_police": ("police reserve teams", "tim cadangan polisi"),
    "reserve_teams_tni": ("TNI reserve teams", "tim cadangan TNI"),
    "cost_idr": ("cost (Rp)", "biaya (Rp)"),
    "cost_total_idr": ("total cost (Rp)", "total biaya (Rp)"),
    "harm_plan": ("residual harm, plan", "sisa kerugian, rencana"),
    "harm_default": ("residual harm, policy default", "sisa kerugian, bawaan kebijakan"),
    "harm_change": ("harm change vs default", "perubahan kerugian vs bawaan"),
    "metric": ("metric (key)", "ukuran (kunci)"),
    "plan": ("plan", "rencana"),
    "plan_a": ("reference plan", "rencana acuan"),
    "plan_b": ("plan", "rencana"),
    "mean": ("mean", "rata-rata"),
    "mean_a": ("mean, reference", "rata-rata, acuan"),
    "mean_b": ("mean, plan", "rata-rata, rencana"),
    "ci95_low": ("95% low", "95% bawah"),
    "ci95_high": ("95% high", "95% atas"),
    "n": ("replications", "replikasi"),
    "diff_mean": ("difference (plan − reference)", "selisih (rencana − acuan)"),
    "diff_ci95_low": ("difference 95% low", "selisih 95% bawah"),
    "diff_ci95_high": ("difference 95% high", "selisih 95% atas"),
    "unpaired_ci95_low": ("unpaired 95% low", "95% bawah tak berpasangan"),
    "unpaired_ci95_high": ("unpaired 95% high", "95% atas tak berpasangan"),
    "significant": ("significant", "signifikan"),
    "iteration": ("iteration", "iterasi"),
    "objective": ("objective (predicted harm)", "tujuan (kerugian prakiraan)"),
    "bound": ("bound", "batas bawah"),
    "gap": ("gap", "celah"),
    "status": ("solver status", "status solver"),
    "sim_mean": ("simulated harm, mean", "kerugian tersimulasi, rata-rata"),
    "sim_ci95_low": ("simulated harm, 95% low", "kerugian tersimulasi, 95% bawah"),
    "sim_ci95_high": ("simulated harm, 95% high", "kerugian tersimulasi, 95% atas"),
    "train_mean": ("training harm, mean", "kerugian pelatihan, rata-rata"),
    "kept": ("kept", "dipilih"),
    "changed": ("plan changed", "rencana berubah"),
    "budget": ("budget", "anggaran"),
    "budget_scale": ("budget scale", "skala anggaran"),
    "patterns_used": ("patterns used", "pola dipakai"),
    "marginal_harm_per_billion_idr": (
        "harm cut per added Rp 1 bn",
        "kerugian berkurang per tambahan Rp 1 M",
    ),
    "classes_first_at_standard": (
        "classes first at their standard pattern",
        "kelas pertama kali pada pola standar",
    ),
    "solve_seconds": ("solve time (s)", "waktu solver (dtk)"),
    "step_idr": ("budget step (Rp)", "langkah anggaran (Rp)"),
    "predicted_harm_cut_per_billion": (
        "predicted harm cut per Rp 1 bn",
        "prakiraan kerugian berkurang per Rp 1 M",
    ),
    "simulated_harm_cut_per_billion": (
        "simulated harm cut per Rp 1 bn",
        "kerugian tersimulasi berkurang per Rp 1 M",
    ),
    "weight": ("weighted voters", "pemilih berbobot"),
    "sim_harm_per_weight": ("simulated harm per weight", "kerugian tersimulasi per bobot"),
    "share": ("harm share vs standard", "proporsi kerugian vs standar"),
    "share_before": ("share before", "proporsi sebelumnya"),
    "incidents": ("incidents", "insiden"),
    "attempts": ("attempts", "percobaan"),
    "deterred": ("attempts deterred", "percobaan diurungkan"),
    "prevented": ("attempts prevented", "percobaan tercegah"),
    "displaced": ("attempts displaced", "percobaan berpindah"),
    "displaced_in": ("attempts displaced here", "percobaan pindahan ke sini"),
    "found_later": ("fraud found at counting", "kecurangan ketahuan saat hitung"),
    "undetected": ("fraud undetected", "kecurangan tak terungkap"),
    "revote_risk": ("re-vote risk", "risiko PSU"),
    "opened_late": ("opened late", "terlambat buka"),
    "logistics_late": ("late kits", "logistik terlambat"),
    "ballot_short": ("short of ballots", "kurang surat suara"),
    "count_finish_clock_min": ("count finished", "selesai hitung"),
    "count_finish_max_clock_min": ("last count finished", "hitung terakhir selesai"),
    "results_complete_clock_min": ("results complete at PPK", "hasil lengkap di PPK"),
    "open_clock_min": ("opened", "buka"),
    "voting_end_clock_min": ("voting ended", "pemungutan selesai"),
    "queue_at_open": ("queue at opening", "antrean saat buka"),
    "open_delay_min": ("opening delay (min)", "terlambat buka (menit)"),
    "count_recounts": ("recounts", "hitung ulang"),
    "count_pause_min": ("count paused (min)", "hitung terhenti (menit)"),
    "suspended_min": ("voting suspended (min)", "pemungutan terhenti (menit)"),
    "response_sum_min": ("response time, total (min)", "waktu respons, total (menit)"),
    "responses": ("responses", "respons"),
    "ballots_lost": ("ballots lost", "surat suara hilang"),
    "staff_ill_expected": ("expected ill workers", "perkiraan petugas sakit"),
    "dpk_turned_away": ("DPK voters turned away", "pemilih DPK ditolak"),
    "voters_stranded": ("voters still queueing at close", "pemilih tertahan saat tutup"),
    "turnout": ("turnout", "partisipasi"),
    "voting_end_mean_clock_min": ("voting ended (mean)", "pemungutan selesai (rata-rata)"),
    "fatigue_peak_max": ("highest fatigue at any TPS (points)",
                         "kelelahan tertinggi di satu TPS (poin)"),
    "staff_severe_events": ("severe worker health events", "kejadian kesehatan berat petugas"),
    "staff_ill_per_100k": ("workers ill per 100,000", "petugas sakit per 100.000"),
    "staff_severe_per_100k": ("severe per 100,000 workers", "kejadian berat per 100.000 petugas"),
    "kpps_duty_hours_mean": ("KPPS duty hours (mean)", "jam tugas KPPS (rata-rata)"),
    "tps_count_past_deadline": ("TPS counting past the deadline",
                                "TPS hitung melewati batas waktu"),
}
"""Column key → (English, Indonesian) for the CSV columns that are not summary metrics."""

TEXT_COLUMNS = frozenset(
    {"tps_id", "district", "village", "risk_class", "pattern", "metric", "plan", "plan_a",
     "plan_b", "status", "patterns_used", "classes_first_at_standard"}
)
"""Columns that are text even when every value looks like a number (a TPS numbered 001)."""

FLAG_COLUMNS = frozenset({"significant", "kept", "changed"})
"""0/1 columns shown as yes/no (also any column ending in ``_significant``)."""

LEVEL_COLUMNS = ("mean", "ci95_low", "ci95_high", "mean_a", "mean_b")
"""In a table with a metric per row: columns in the metric's own unit."""

DIFF_COLUMNS = ("diff_mean", "diff_ci95_low", "diff_ci95_high", "unpaired_ci95_low",
                "unpaired_ci95_high")
"""In a table with a metric per row: differences (a clock metric's difference is minutes)."""


@dataclass(frozen=True)
class Format:
    """A cell's number format and the divisor from the file's number to the cell's (1440 for
    a clock time: minutes after midnight to a day fraction)."""

    code: str
    divisor: float = 1.0


def format_of(name: str, values: Sequence[float] = (), difference: bool = False) -> Format:
    """The number format of a column (or metric) `name` with these values. A clock metric is
    a time of day ([hh]:mm, stored as a day fraction); its `difference` is minutes."""
    if "_clock_min" in name:
        return Format(MINUTES) if difference else Format(CLOCK, MINUTES_PER_DAY)
    if name.endswith("_min"):
        return Format(MINUTES)
    if name.endswith("_idr") or "_idr_" in name:
        return Format(RUPIAH)
    if (
        name.startswith(("share", "utilisation_"))
        or "_share" in name
        or name in ("gap", "harm_change", "turnout")
    ):
        return Format(PERCENT)
    finite = [v for v in values if math.isfinite(v)]
    if finite and all(float(v).is_integer() for v in finite):
        return Format(COUNT)
    if finite and max(abs(v) for v in finite) < 0.1:
        return Format(SMALL)
    return Format(DECIMAL)


def column_label(tr: Translator, name: str) -> str:
    """A CSV column's header in the report's language (the key itself when unknown)."""
    index = 0 if tr.lang == "en" else 1
    if name in METRIC_LABELS:
        return METRIC_LABELS[name][index]
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name][index]
    kind = name.removeprefix("incidents_")
    if kind != name and tr.has(f"type_{kind}"):
        return f"{tr('incidents')}: {tr(f'type_{kind}')}"
    for suffix, (en, id_) in (
        ("_diff_prev_ci95_low", ("change from previous step, 95% low",
                                 "perubahan dari langkah sebelumnya, 95% bawah")),
        ("_diff_prev_ci95_high", ("change from previous step, 95% high",
                                  "perubahan dari langkah sebelumnya, 95% atas")),
        ("_diff_prev_significant", ("change significant", "perubahan signifikan")),
        ("_diff_prev", ("change from previous step", "perubahan dari langkah sebelumnya")),
        ("_ci95_low", ("95% low", "95% bawah")),
        ("_ci95_high", ("95% high", "95% atas")),
        ("_mean", ("mean", "rata-rata")),
    ):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            return f"{column_label(tr, base)}: {(en, id_)[index]}"
    if name.startswith("share_standard_"):
        cls = name.removeprefix("share_standard_").replace("_", " ")
        return ("share of {c} at standard pattern", "proporsi {c} pada pola standar")[
            index
        ].format(c=cls)
    return name


def is_flag(name: str) -> bool:
    """True for a 0/1 column shown as yes/no."""
    return name in FLAG_COLUMNS or name.endswith("_significant")


def parse_number(text: str) -> float | None:
    """The number in a CSV cell, or None when blank or not a number."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def cell_number(value: float) -> int | float | str:
    """A file's number as a cell value: integers as int; a non-finite number as text (a
    spreadsheet has no infinity)."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# ---------------------------------------------------------------------------------------
# Writing sheets


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")


@dataclass
class Column:
    """One column of a sheet: its key, header, values (already cell values) and the number
    format of each row (None: no format, e.g. text)."""

    key: str
    header: str
    values: list[Any]
    formats: Sequence[str | None]


def add_table(
    wb: Workbook, title: str, columns: Sequence[Column], freeze_columns: int = 0
) -> Worksheet:
    """A sheet with a bold header row (frozen, with `freeze_columns` key columns frozen too),
    an autofilter over the table and column widths fitted to the contents."""
    ws: Worksheet = wb.create_sheet(title[:31])
    rows = max((len(c.values) for c in columns), default=0)
    for j, col in enumerate(columns, start=1):
        head = ws.cell(row=1, column=j, value=col.header)
        head.font, head.fill, head.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
        for i, value in enumerate(col.values, start=2):
            if value is None:
                continue
            cell = ws.cell(row=i, column=j, value=value)
            fmt = col.formats[i - 2]
            if fmt is not None and not isinstance(value, str):
                cell.number_format = fmt
        width = max([len(col.header) * 0.8] + [len(_shown(v)) for v in col.values[:500]])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 45)
    ws.freeze_panes = ws.cell(row=2, column=freeze_columns + 1).coordinate
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
    return ws


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def csv_columns(
    tr: Translator, table: CsvTable, order: Sequence[int] | None = None
) -> list[Column]:
    """A CSV table as sheet columns, its numbers unchanged (clock times as day fractions).

    In a table with a ``metric`` column every row takes its metric's format and a label
    column follows the key."""
    index = list(order) if order is not None else list(range(table.rows))
    metrics = table.text("metric") if table.has("metric") else None
    row_formats = _metric_formats(table) if metrics is not None else {}
    out: list[Column] = []
    for name, raw in table.columns.items():
        texts = [raw[i] for i in index]
        numbers = [parse_number(t) for t in texts]
        numeric = name not in TEXT_COLUMNS and all(
            n is not None for n, t in zip(numbers, texts, strict=True) if t.strip()
        )
        if is_flag(name) and numeric:
            values: list[Any] = [
                None if n is None else tr("yes") if n else tr("no") for n in numbers
            ]
            out.append(Column(name, column_label(tr, name), values, [None] * len(values)))
            continue
        if not numeric:
            out.append(Column(name, column_label(tr, name), [t or None for t in texts],
                              [None] * len(texts)))
            if name == "metric" and metrics is not None:
                labels = [_metric_label(tr, t) for t in texts]
                out.append(Column("metric_label", tr("wb_metric_label"), labels,
                                  [None] * len(labels)))
            continue
        finite = [n for n in numbers if n is not None]
        per_row = metrics is not None and name in LEVEL_COLUMNS + DIFF_COLUMNS
        whole = format_of(name, finite)
        values, formats = [], []
        for k, n in enumerate(numbers):
            fmt = whole
            if per_row and metrics is not None:
                fmt = row_formats[(metrics[index[k]], name in DIFF_COLUMNS)]
            values.append(None if n is None else _scaled(n, fmt))
            formats.append(fmt.code)
        out.append(Column(name, column_label(tr, name), values, formats))
    return out


def _metric_formats(table: CsvTable) -> dict[tuple[str, bool], Format]:
    """(metric, is a difference) → the format of that metric's levels (or differences) in a
    table with a metric per row, from all its values there (one format across a row)."""
    metrics = table.text("metric")
    values: dict[tuple[str, bool], list[float]] = {}
    for difference, names in ((False, LEVEL_COLUMNS), (True, DIFF_COLUMNS)):
        for name in names:
            if not table.has(name):
                continue
            for metric, number in zip(metrics, table.num(name), strict=True):
                values.setdefault((metric, difference), [])
                if math.isfinite(number):
                    values[(metric, difference)].append(float(number))
    return {
        key: format_of(key[0], found, difference=key[1]) for key, found in values.items()
    }


def _scaled(value: float, fmt: Format) -> int | float | str:
    if fmt.divisor == 1.0 or not math.isfinite(value):
        return cell_number(value)
    return value / fmt.divisor


def _metric_label(tr: Translator, name: str) -> str:
    return column_label(tr, name)


def add_csv_sheet(
    wb: Workbook, tr: Translator, run: RunData, filename: str, title_key: str,
    freeze_columns: int = 0, sort_by: Sequence[str] = (),
) -> str | None:
    """A sheet of one CSV file of the run (rows sorted by `sort_by` columns when given);
    its title, or None when the file is absent or empty."""
    table = run.csv(filename)
    if table is None or not table.columns:
        return None
    order = list(range(table.rows))
    keys = [table.text(c) for c in sort_by if table.has(c)]
    if keys:
        order.sort(key=lambda i: tuple(k[i] for k in keys))
    title = tr(title_key)
    add_table(wb, title, csv_columns(tr, table, order), freeze_columns)
    return title


# ---------------------------------------------------------------------------------------
# The sheets of a run


def summary_columns(tr: Translator, metrics: dict[str, Any]) -> list[Column]:
    """summary.json's metrics (those not switched off) as key, label, mean, 95% interval,
    replications and, when given, the interval's method."""
    names = [
        n for n, m in metrics.items()
        if isinstance(m, dict) and m.get("enabled", True) is not False and "mean" in m
    ]
    has_method = any("method" in metrics[n] for n in names)
    fmts = [
        format_of(n, [float(metrics[n][k]) for k in ("mean", "ci95_low", "ci95_high")
                      if isinstance(metrics[n].get(k), int | float)])
        for n in names
    ]

    def level(field: str) -> list[Any]:
        out: list[Any] = []
        for n, fmt in zip(names, fmts, strict=True):
            value = metrics[n].get(field)
            out.append(None if value is None else _scaled(float(value), fmt))
        return out

    cols = [
        Column("metric", tr("wb_metric_key"), list(names), [None] * len(names)),
        Column("metric_label", tr("wb_metric_label"), [_metric_label(tr, n) for n in names],
               [None] * len(names)),
        Column("mean", tr("mean"), level("mean"), [f.code for f in fmts]),
        Column("ci95_low", tr("wb_ci_low"), level("ci95_low"), [f.code for f in fmts]),
        Column("ci95_high", tr("wb_ci_high"), level("ci95_high"), [f.code for f in fmts]),
        Column("n", tr("replications"), [metrics[n].get("n") for n in names],
               [COUNT] * len(names)),
    ]
    if has_method:
        cols.append(Column("method", tr("wb_method"),
                           [metrics[n].get("method") for n in names], [None] * len(names)))
    return cols


AGENCY_KEYS = ("linmas", "police", "tni")


def deployment_columns(table: CsvTable) -> list[str]:
    """The plan's personnel columns (one per agency): its numeric columns after ``pattern``."""
    names = list(table.columns)
    start = names.index("pattern") + 1 if "pattern" in names else 0
    return [
        n for n in names[start:]
        if n not in TEXT_COLUMNS
        and all(parse_number(v) is not None for v in table.text(n) if v.strip())
    ]


def aggregate_plan(tr: Translator, table: CsvTable, keys: Sequence[str]) -> list[Column]:
    """plan.csv summed over the TPS of each `keys` group (kecamatan, or kecamatan and village):
    number of TPS, personnel per agency and in all, and the patterns used with their counts."""
    agencies = deployment_columns(table)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in range(table.rows):
        groups.setdefault(tuple(table.columns[k][i] for k in keys), []).append(i)
    ordered = sorted(groups)
    cols = [
        Column(k, column_label(tr, k), [g[j] for g in ordered], [None] * len(ordered))
        for j, k in enumerate(keys)
    ]
    cols.append(Column("tps", column_label(tr, "tps"), [len(groups[g]) for g in ordered],
                       [COUNT] * len(ordered)))
    totals = [0.0] * len(ordered)
    for agency in agencies:
        values = table.num(agency)
        sums = [float(sum(values[i] for i in groups[g] if math.isfinite(values[i])))
                for g in ordered]
        totals = [t + s for t, s in zip(totals, sums, strict=True)]
        cols.append(Column(agency, column_label(tr, agency), [cell_number(s) for s in sums],
                           [COUNT] * len(ordered)))
    cols.append(Column("personnel_total", tr("wb_total_personnel"),
                       [cell_number(t) for t in totals], [COUNT] * len(ordered)))
    if table.has("pattern"):
        patterns = table.text("pattern")
        shown = []
        for g in ordered:
            counts: dict[str, int] = {}
            for i in groups[g]:
                counts[patterns[i]] = counts.get(patterns[i], 0) + 1
            shown.append("; ".join(f"{p} ×{c}" for p, c in sorted(counts.items())))
        cols.append(Column("patterns", column_label(tr, "patterns_used"), shown,
                           [None] * len(shown)))
    return cols


def deployment_tps_columns(tr: Translator, table: CsvTable) -> list[Column]:
    """plan.csv per TPS, ordered kecamatan → village → TPS, with the personnel in all."""
    keys = [table.text(k) for k in ("district", "village", "tps_id") if table.has(k)]
    order = sorted(range(table.rows), key=lambda i: tuple(k[i] for k in keys))
    cols = csv_columns(tr, table, order)
    agencies = deployment_columns(table)
    if agencies:
        nums = [table.num(a) for a in agencies]
        totals = [cell_number(float(sum(v[i] for v in nums if math.isfinite(v[i]))))
                  for i in order]
        cols.append(Column("personnel_total", tr("wb_total_personnel"), totals,
                           [COUNT] * len(totals)))
    return cols


def plan_totals_columns(tr: Translator, plan: dict[str, Any]) -> list[Column] | None:
    """plan.json per agency: personnel, cost, budget and personnel available."""
    cost = plan.get("cost_idr")
    if not isinstance(cost, dict):
        return None
    agencies = [a for a in cost if a != "total"]
    personnel = plan.get("personnel") or {}
    budget = plan.get("budget_idr") or {}
    available = plan.get("available") or {}

    def values(source: dict[str, Any]) -> list[Any]:
        return [None if source.get(a) is None else cell_number(float(source[a]))
                for a in agencies]

    n = len(agencies)
    return [
        Column("agency", tr("wb_agency"), [column_label(tr, a) for a in agencies], [None] * n),
        Column("personnel", tr("wb_personnel"), values(personnel), [COUNT] * n),
        Column("cost_idr", tr("wb_cost"), values(cost), [RUPIAH] * n),
        Column("budget_idr", tr("wb_budget"), values(budget), [RUPIAH] * n),
        Column("available", tr("wb_available"), values(available), [COUNT] * n),
    ]


def command_line(manifest: dict[str, Any]) -> str:
    """The command as it was given, rebuilt from the manifest's request (its name alone when
    the manifest has no request)."""
    request = manifest.get("request")
    command = str(manifest.get("command", "?"))
    if not isinstance(request, dict):
        return f"planner {command}"
    parts = ["planner", command, str(request.get("scenario", ""))]
    plans = request.get("plans") or []
    if command == "compare":
        parts.extend(str(p) for p in plans)
    if request.get("replications") is not None:
        parts.append(f"-r {request['replications']}")
    if request.get("seed") is not None:
        parts.append(f"--seed {request['seed']}")
    parts.extend(f"--set {o}" for o in request.get("overrides") or [])
    parts.extend(f"--precision {p}" for p in request.get("precision") or [])
    return " ".join(p for p in parts if p)


def cover_rows(tr: Translator, run: RunData, sheets: Iterable[tuple[str, str]]) -> list[list[Any]]:
    """The cover's rows: what was run, on which scenario and seed, when, by which version,
    and the workbook's sheets with the files they come from."""
    m = run.manifest
    replications = m.get("replications")
    if replications is None and run.summary:
        replications = run.summary.get("replications")
    versions = m.get("versions") or {}
    rows: list[list[Any]] = [
        [tr("scenario"), m.get("scenario")],
        [tr("seed"), m.get("seed")],
        [tr("command"), m.get("command")],
        [tr("wb_command_line"), command_line(m)],
        [tr("replications"), replications],
        [tr("started"), _when(m.get("started_utc"))],
        [tr("finished"), _when(m.get("finished_utc"))],
        [tr("status"), m.get("status")],
        [tr("wb_planner_version"), versions.get("planner")],
        [tr("versions"), ", ".join(f"{k} {v}" for k, v in versions.items())],
        [tr("wb_folder"), run.path.name],
        [tr("wb_language"), tr.lang],
        [],
        [tr("wb_sheets"), tr("wb_source")],
    ]
    rows.extend([title, source] for title, source in sheets)
    rows.extend([[], [tr("wb_note")]])
    return rows


def _when(stamp: Any) -> Any:
    return stamp.replace("T", " ").replace("Z", " UTC") if isinstance(stamp, str) else stamp


def _tables(wb: Workbook, tr: Translator, run: RunData) -> list[tuple[str, str]]:
    """Every table sheet the run's files allow, in reading order: (title, source file)."""
    made: list[tuple[str, str]] = []

    def note(title: str | None, source: str) -> None:
        if title is not None:
            made.append((title, source))

    if run.summary and isinstance(run.summary.get("metrics"), dict):
        title = tr("wb_summary")
        add_table(wb, title, summary_columns(tr, run.summary["metrics"]), 2)
        note(title, "summary.json")
    note(add_csv_sheet(wb, tr, run, "per_district.csv", "wb_per_district", 1,
                       sort_by=("district",)), "per_district.csv")
    note(add_csv_sheet(wb, tr, run, "per_village.csv", "wb_per_village", 2,
                       sort_by=("district", "village")), "per_village.csv")
    note(add_csv_sheet(wb, tr, run, "per_tps.csv", "wb_per_tps", 1,
                       sort_by=("district", "village", "tps_id")), "per_tps.csv")
    plan_json = run.json("plan.json") if run.command in ("optimise", "plan") else None
    if isinstance(plan_json, dict) and (cols := plan_totals_columns(tr, plan_json)):
        title = tr("wb_plan_totals")
        add_table(wb, title, cols, 1)
        note(title, "plan.json")
    plan = run.csv("plan.csv") if run.command in ("optimise", "plan") else None
    if plan is not None and plan.has("district"):
        if run.csv("districts.csv") is not None:
            note(add_csv_sheet(wb, tr, run, "districts.csv", "wb_deploy_district", 1,
                               sort_by=("district",)), "districts.csv")
        else:
            title = tr("wb_deploy_district")
            add_table(wb, title, aggregate_plan(tr, plan, ("district",)), 1)
            note(title, "plan.csv")
        if plan.has("village"):
            title = tr("wb_deploy_village")
            add_table(wb, title, aggregate_plan(tr, plan, ("district", "village")), 2)
            note(title, "plan.csv")
        title = tr("wb_deploy_tps")
        add_table(wb, title, deployment_tps_columns(tr, plan), 3)
        note(title, "plan.csv")
    note(add_csv_sheet(wb, tr, run, "iterations.csv", "wb_iterations", 1), "iterations.csv")
    note(add_csv_sheet(wb, tr, run, "differences.csv", "wb_differences", 4), "differences.csv")
    note(add_csv_sheet(wb, tr, run, "compare.csv", "wb_compare", 2), "compare.csv")
    note(add_csv_sheet(wb, tr, run, "compare_districts.csv", "wb_compare_districts", 2,
                       sort_by=("district",)), "compare_districts.csv")
    note(add_csv_sheet(wb, tr, run, "frontier.csv", "wb_frontier", 1), "frontier.csv")
    note(add_csv_sheet(wb, tr, run, "frontier_simulated.csv", "wb_frontier_simulated", 1),
         "frontier_simulated.csv")
    note(add_csv_sheet(wb, tr, run, "calibration.csv", "wb_calibration", 2), "calibration.csv")
    return made


def build_workbook(run: RunData, lang: str = DEFAULT_LANG) -> Workbook:
    """The workbook of a loaded run folder: the cover first, then one sheet per table."""
    tr = Translator(lang, extra=STRINGS)
    wb = Workbook()
    cover: Worksheet = wb.active
    cover.title = tr("wb_cover")
    sheets = _tables(wb, tr, run)
    title_key = f"report_title_{run.command}"
    heading = tr(title_key) if tr.has(title_key) else tr("wb_title")
    cover.cell(row=1, column=1, value=heading).font = Font(bold=True, size=14)
    for i, row in enumerate(cover_rows(tr, run, sheets), start=3):
        for j, value in enumerate(row, start=1):
            cell = cover.cell(row=i, column=j, value=value)
            if j == 1 and len(row) > 1:
                cell.font = HEADER_FONT
    cover.column_dimensions["A"].width = 34
    cover.column_dimensions["B"].width = 70
    return wb


def write_workbook(run_dir: Path, lang: str = DEFAULT_LANG) -> Path:
    """Write ``results.xlsx`` into `run_dir` (atomically) and return its path."""
    run = load_run(run_dir)
    wb = build_workbook(run, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    target = run.path / WORKBOOK_NAME
    atomic_write_bytes(target, buffer.getvalue())
    return target
