"""results.xlsx read back: sheets, frozen headers, filters, number formats, and every number
equal to the run folder's CSV/JSON files (real runs of the small training scenario)."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet

from planner.cli import main
from planner.report.i18n import Translator
from planner.report.workbook import (
    CLOCK,
    COUNT,
    MINUTES,
    PERCENT,
    RUPIAH,
    STRINGS,
    WORKBOOK_NAME,
    column_label,
    format_of,
)

SMALL = str(Path(__file__).resolve().parents[2] / "scenarios" / "training-small.yaml")
EN = Translator("en", extra=STRINGS)
ID = Translator("id", extra=STRINGS)


def run(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """simulate (en), optimise (id) and compare (en) of the training scenario, -r 2."""
    root = tmp_path_factory.mktemp("workbook")
    out = {k: root / k for k in ("simulate", "optimise", "compare")}
    run("simulate", SMALL, "-r", "2", "--out", str(out["simulate"]), "--no-report")
    run("optimise", SMALL, "--out", str(out["optimise"]), "--no-report", "--lang", "id")
    run("compare", SMALL, "default", f"opt={out['optimise'] / 'plan.csv'}", "-r", "2",
        "--out", str(out["compare"]), "--no-report")
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def table(ws: Worksheet) -> tuple[list[str], list[list[Any]]]:
    """Header and body rows of a sheet."""
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return [str(h) for h in rows[0]], rows[1:]


def cells(ws: Worksheet) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(min_row=2)]


def stored(cell: Any) -> str:
    """The number as stored in the sheet's XML (openpyxl reads a time-formatted cell back as a
    timedelta rounded to the millisecond; the file holds more)."""
    path = Path(cell.parent.parent.path_of_file)
    with zipfile.ZipFile(path) as archive:
        index = cell.parent.parent.sheetnames.index(cell.parent.title) + 1
        root = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    found = root.find(f".//m:c[@r='{cell.coordinate}']/m:v", ns)
    assert found is not None and found.text is not None, cell.coordinate
    return found.text


def number_of(cell: Any) -> float:
    """A cell's number as stored (a clock cell: the day fraction)."""
    if isinstance(cell.value, timedelta):
        return float(stored(cell))
    assert isinstance(cell.value, int | float), cell.value
    return float(cell.value)


def sixteen_digits(value: float, fmt: str) -> float:
    """What the workbook holds for a file's number: the number to 16 significant digits (what
    openpyxl writes; a spreadsheet shows 15), a clock time as its day fraction."""
    return float("%.16g" % (value / 1440 if fmt == CLOCK else value))


def load(path: Path) -> Any:
    """The workbook, remembering its file (for `stored`)."""
    wb = openpyxl.load_workbook(path)
    wb.path_of_file = str(path)
    return wb


def assert_same(cell: Any, text: str, column: str) -> None:
    """A cell holds the CSV's number (to 16 significant digits; a clock time as its day
    fraction), and nothing when the CSV cell is blank."""
    if text == "":
        assert cell.value is None, column
        return
    assert number_of(cell) == sixteen_digits(float(text), cell.number_format), (column, text)


def assert_sheet_matches_csv(ws: Worksheet, rows: list[dict[str, str]],
                             key: str | tuple[str, ...], tr: Translator) -> int:
    """Every CSV column is a sheet column (same order, translated header) and every number is
    the CSV's number; rows matched on `key` (a column, or columns that together name a row).
    Returns how many numbers were compared."""
    header, _ = table(ws)
    names = list(rows[0])
    labels = [column_label(tr, n) for n in names]
    positions = [header.index(label) for label in labels]
    assert positions == sorted(positions)
    keys = (key,) if isinstance(key, str) else key
    key_cols = [header.index(column_label(tr, k)) for k in keys]
    by_key = {tuple(r[c].value for c in key_cols): r for r in cells(ws)}
    assert len(by_key) == len(rows)
    compared = 0
    for row in rows:
        sheet_row = by_key[tuple(row[k] for k in keys)]
        for name, pos in zip(names, positions, strict=True):
            text = row[name]
            try:
                float(text)
            except ValueError:
                if text:
                    assert sheet_row[pos].value == text, name
                continue
            if name in ("significant",):
                continue
            assert_same(sheet_row[pos], text, name)
            compared += 1
    return compared


def assert_table_sheet(ws: Worksheet, freeze: str) -> None:
    """Header frozen (with the key columns), autofilter over the whole table, bold header."""
    assert ws.freeze_panes == freeze
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
    assert all(c.font.bold for c in ws[1])


def test_format_rules() -> None:
    assert format_of("count_finish_mean_clock_min").code == CLOCK
    assert format_of("count_finish_mean_clock_min").divisor == 1440
    assert format_of("count_finish_mean_clock_min", difference=True).code == MINUTES
    assert format_of("wait_mean_min").code == MINUTES
    assert format_of("cost_total_idr").code == RUPIAH
    assert format_of("share_wait_over_30min").code == PERCENT
    assert format_of("utilisation_police").code == PERCENT
    assert format_of("linmas", [2.0, 4.0]).code == COUNT
    assert format_of("fatigue_peak", [2.5]).code == "#,##0.00"
    assert format_of("revote_risk", [0.025]).code == "0.0000"


def test_labels_fall_back_by_suffix() -> None:
    assert column_label(EN, "sim_harm_diff_prev_ci95_low") == (
        "simulated harm (weighted voters): change from previous step, 95% low"
    )
    assert column_label(ID, "incidents_flood") == "insiden: Banjir"
    assert column_label(ID, "district") == "kecamatan"
    assert column_label(EN, "no_such_column") == "no_such_column"


def test_simulate_workbook(runs: dict[str, Path]) -> None:
    folder = runs["simulate"]
    wb = load(folder / WORKBOOK_NAME)
    assert wb.sheetnames == ["Cover", "Summary", "Per kecamatan", "Per village", "Per TPS"]
    assert not list(folder.glob(".results.xlsx.*"))  # written atomically, no temp left

    cover = {r[0].value: r[1].value for r in wb["Cover"].iter_rows(min_row=3) if r[0].value}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert cover["Scenario"] == "Training — Balikpapan Kota, 20 TPS"
    assert cover["Seed"] == 7 and cover["Replications"] == 2
    assert cover["Command"] == "simulate"
    assert cover["planner version"] == manifest["versions"]["planner"]
    assert cover["Command line (from the manifest)"].startswith("planner simulate ")
    assert "-r 2 --seed 7" in cover["Command line (from the manifest)"]
    assert cover["Summary"] == "summary.json" and cover["Per TPS"] == "per_tps.csv"
    assert cover["Per village"] == "per_village.csv"

    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["metrics"]
    ws = wb["Summary"]
    assert_table_sheet(ws, "C2")
    header, _ = table(ws)
    assert header[:6] == ["metric (key)", "metric", "mean", "95% low", "95% high",
                          "Replications"]
    rows = {r[0].value: r for r in cells(ws)}
    shown = [n for n, m in summary.items() if m.get("enabled", True)]
    assert list(rows) == shown
    for name in shown:
        for k, field in ((2, "mean"), (3, "ci95_low"), (4, "ci95_high")):
            cell = rows[name][k]
            expected = sixteen_digits(summary[name][field], cell.number_format)
            assert number_of(cell) == expected, (name, field)
        assert rows[name][5].value == summary[name]["n"]
    assert rows["wait_mean_min"][2].number_format == MINUTES
    assert rows["share_wait_over_30min"][2].number_format == PERCENT
    assert rows["utilisation_police"][3].number_format == PERCENT
    assert rows["count_finish_p95_clock_min"][2].number_format == CLOCK
    assert rows["wait_mean_min"][1].value == "mean wait (min)"

    ws = wb["Per kecamatan"]
    assert_table_sheet(ws, "B2")
    district = read_csv(folder / "per_district.csv")
    assert assert_sheet_matches_csv(ws, district, "district", EN) == 27
    header, _ = table(ws)
    assert ws.cell(row=2, column=header.index("mean count finish") + 1).number_format == CLOCK

    ws = wb["Per village"]
    assert_table_sheet(ws, "C2")
    village = read_csv(folder / "per_village.csv")
    assert [(r["district"], r["village"]) for r in village] == [
        ("Balikpapan Kota", "Klandasan Ulu"), ("Balikpapan Kota", "Prapatan")]
    assert list(village[0])[2:] == list(district[0])[1:]  # per_district's columns
    # 27 numbers a row; Klandasan Ulu had no response to time in either day (left blank)
    assert village[0]["response_mean_min"] == ""
    assert assert_sheet_matches_csv(ws, village, ("district", "village"), EN) == 2 * 27 - 1
    header, body = table(ws)
    assert header[:3] == ["kecamatan", "village", "TPS"]
    assert [(r[0], r[1]) for r in body] == sorted((r[0], r[1]) for r in body)
    assert sum(r[2] for r in body) == 20  # the kecamatan's TPS, village by village
    assert ws.cell(row=2, column=header.index("mean count finish") + 1).number_format == CLOCK
    assert ws.cell(row=2, column=header.index("mean wait (min)") + 1).number_format == MINUTES

    ws = wb["Per TPS"]
    assert_table_sheet(ws, "B2")
    tps = read_csv(folder / "per_tps.csv")
    assert assert_sheet_matches_csv(ws, tps, "tps_id", EN) == 20 * 36
    ids = [r[0].value for r in cells(ws)]
    by_id = {r["tps_id"]: r for r in tps}
    assert ids == sorted(ids, key=lambda t: (by_id[t]["district"], by_id[t]["village"], t))


def test_optimise_workbook_is_a_polsek_list(runs: dict[str, Path]) -> None:
    folder = runs["optimise"]
    wb = load(folder / WORKBOOK_NAME)
    assert wb.sheetnames == ["Sampul", "Total rencana", "Pengerahan per kecamatan",
                             "Pengerahan per kelurahan", "Pengerahan per TPS"]
    plan = read_csv(folder / "plan.csv")

    ws = wb["Pengerahan per TPS"]
    assert_table_sheet(ws, "D2")
    header, body = table(ws)
    assert header[:5] == ["TPS", "kecamatan", "kelurahan/desa", "kelas kerawanan", "pola"]
    assert header[-1] == "personel semua instansi"
    assert assert_sheet_matches_csv(ws, plan, "tps_id", ID) == 20 * 3
    keyed = {r[0]: r for r in body}
    for row in plan:
        total = sum(int(row[a]) for a in ("linmas", "police", "tni"))
        assert keyed[row["tps_id"]][-1] == total
        assert keyed[row["tps_id"]][4] == row["pattern"]
    order = [(r[1], r[2], r[0]) for r in body]
    assert order == sorted(order)

    ws = wb["Pengerahan per kelurahan"]
    assert_table_sheet(ws, "C2")
    header, body = table(ws)
    assert header == ["kecamatan", "kelurahan/desa", "jumlah TPS", "linmas", "polisi", "TNI",
                      "personel semua instansi", "pola dipakai"]
    villages = sorted({(r["district"], r["village"]) for r in plan})
    assert [(r[0], r[1]) for r in body] == villages
    for row in body:
        mine = [p for p in plan if (p["district"], p["village"]) == (row[0], row[1])]
        sums = [sum(int(p[a]) for p in mine) for a in ("linmas", "police", "tni")]
        assert row[2:7] == [len(mine), *sums, sum(sums)]
    assert all(c.number_format == COUNT for c in ws["D"][1:])

    ws = wb["Pengerahan per kecamatan"]
    assert_table_sheet(ws, "B2")
    districts = read_csv(folder / "districts.csv")
    assert assert_sheet_matches_csv(ws, districts, "district", ID) == 10
    header, _ = table(ws)
    assert ws.cell(row=2, column=header.index("biaya (Rp)") + 1).number_format == RUPIAH
    assert ws.cell(row=2, column=header.index("perubahan kerugian vs bawaan") + 1
                   ).number_format == PERCENT

    ws = wb["Total rencana"]
    plan_json = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    header, body = table(ws)
    assert [r[0] for r in body] == ["linmas", "polisi", "TNI"]
    for row, agency in zip(body, ("linmas", "police", "tni"), strict=True):
        assert row[1] == plan_json["personnel"][agency]
        assert row[2] == plan_json["cost_idr"][agency]
        assert row[3] == plan_json["budget_idr"][agency]
    assert ws["C2"].number_format == RUPIAH


def test_compare_workbook_paired_differences(runs: dict[str, Path]) -> None:
    folder = runs["compare"]
    wb = load(folder / WORKBOOK_NAME)
    assert wb.sheetnames == ["Cover", "Paired differences", "Plans compared",
                             "Differences per kecamatan"]
    diffs = read_csv(folder / "differences.csv")
    ws = wb["Paired differences"]
    assert_table_sheet(ws, "E2")
    header, body = table(ws)
    assert header[:4] == ["reference plan", "plan", "metric (key)", "metric"]
    sig = header.index("significant")
    keyed = {r[2]: r for r in body}
    compared = 0
    for row in diffs:
        sheet_row = next(r for r in cells(ws) if r[2].value == row["metric"])
        for name, text in row.items():
            if name in ("plan_a", "plan_b", "metric", "significant"):
                continue
            assert_same(sheet_row[header.index(column_label(EN, name))], text, name)
            compared += 1
        assert keyed[row["metric"]][sig] == ("yes" if row["significant"] == "1" else "no")
    assert compared == len(diffs) * 8
    for row in cells(ws):  # one format across a metric's row
        assert row[header.index("mean, reference")].number_format == row[
            header.index("mean, plan")].number_format
    clock = next(r for r in cells(ws) if r[2].value == "count_finish_mean_clock_min")
    assert clock[header.index("mean, reference")].number_format == CLOCK
    assert clock[header.index("difference (plan − reference)")].number_format == MINUTES

    compare = read_csv(folder / "compare.csv")
    ws = wb["Plans compared"]
    header, _ = table(ws)
    rows = cells(ws)
    assert len(rows) == len(compare)
    for row, sheet_row in zip(compare, rows, strict=True):
        assert (sheet_row[0].value, sheet_row[2].value) == (row["metric"], row["plan"])
        for name in ("mean", "ci95_low", "ci95_high", "n", "diff_mean"):
            assert_same(sheet_row[header.index(column_label(EN, name))], row[name], name)

    per_district = read_csv(folder / "compare_districts.csv")
    ws = wb["Differences per kecamatan"]
    header, _ = table(ws)
    rows = cells(ws)
    assert len(rows) == len(per_district)
    for row, sheet_row in zip(per_district, rows, strict=True):
        for name in ("mean_a", "mean_b", "diff_mean", "diff_ci95_low", "diff_ci95_high"):
            assert_same(sheet_row[header.index(column_label(EN, name))], row[name], name)


def test_no_xlsx_and_report_rewrites_in_another_language(tmp_path: Path) -> None:
    folder = tmp_path / "sim"
    run("simulate", SMALL, "-r", "2", "--out", str(folder), "--no-report", "--no-xlsx")
    assert not (folder / WORKBOOK_NAME).exists()
    run("report", str(folder), "--lang", "id")
    wb = load(folder / WORKBOOK_NAME)
    assert wb.sheetnames == ["Sampul", "Ringkasan", "Per kecamatan", "Per kelurahan", "Per TPS"]
    assert wb["Ringkasan"]["C1"].value == "rata-rata"
    assert [c.value for c in wb["Per kelurahan"][1][:2]] == ["kecamatan", "kelurahan/desa"]
    assert (folder / "report.html").is_file()


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(libreoffice() is None,
                    reason="LibreOffice is not installed (apt-get install libreoffice-calc)")
def test_libreoffice_reads_the_workbook(runs: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice headless converts every sheet to CSV: the raw values equal per_tps.csv and
    per_village.csv (to LibreOffice's 15 digits) and the shown values carry the number
    formats."""
    folder = runs["simulate"]
    exe = libreoffice()
    assert exe is not None
    for shown in ("false", "true"):
        out = tmp_path / f"shown-{shown}"
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
             "--convert-to",
             f"csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,{shown},false,"
             "false,-1",
             "--outdir", str(out), str(folder / WORKBOOK_NAME)],
            check=True, capture_output=True, timeout=120,
        )
    raw = read_csv(tmp_path / "shown-false" / "results-Per TPS.csv")
    shown_rows = read_csv(tmp_path / "shown-true" / "results-Per TPS.csv")
    tps = {r["tps_id"]: r for r in read_csv(folder / "per_tps.csv")}
    assert len(raw) == len(tps) == 20
    assert assert_libreoffice_values(raw, tps, ("tps_id",)) == 20 * 36
    villages = read_csv(folder / "per_village.csv")
    raw = read_csv(tmp_path / "shown-false" / "results-Per village.csv")
    by_pair = {(r["district"], r["village"]): r for r in villages}
    assert len(raw) == len(by_pair) == 2
    assert assert_libreoffice_values(raw, by_pair, ("district", "village")) == 2 * 27 - 1
    first = next(r for r in shown_rows if r["TPS"] == "KLU-001")
    finish = float(tps["KLU-001"]["count_finish_clock_min"])
    assert first["count finished"] == f"{int(finish // 60):02d}:{int(finish % 60):02d}"
    assert first["mean wait (min)"] == f"{float(tps['KLU-001']['wait_mean_min']):.1f}"
    summary = read_csv(tmp_path / "shown-true" / "results-Summary.csv")
    share = next(r for r in summary if r["metric (key)"] == "share_wait_over_30min")
    assert share["mean"].endswith("%")


def assert_libreoffice_values(raw: list[dict[str, str]], expected: dict[Any, dict[str, str]],
                              key: tuple[str, ...]) -> int:
    """LibreOffice's raw CSV of a sheet holds the file's rows (matched on `key`): text as is,
    numbers to LibreOffice's 15 digits, clock times as its raw time. Returns how many numbers
    were compared."""
    compared = 0
    for row in raw:
        found_key = tuple(row[column_label(EN, k)] for k in key)
        want = expected[found_key[0] if len(key) == 1 else found_key]
        for name, text in want.items():
            got = row[column_label(EN, name)]
            if name in ("tps_id", "district", "village", "risk_class"):
                assert got == text
                continue
            if text == "":
                assert got == "", name
                continue
            if name.endswith("_clock_min"):  # LibreOffice's raw time: 13:00:54.72, 07:00:00 AM
                found = re.fullmatch(r"(\d+):(\d+):(\d+(?:\.\d+)?)(?: (AM|PM))?", got)
                assert found is not None, got
                hour = int(found[1])
                if found[4]:
                    hour = hour % 12 + (12 if found[4] == "PM" else 0)
                value = hour * 60 + int(found[2]) + float(found[3]) / 60
                assert math.isclose(value, float(text), abs_tol=1e-3), name
            elif got.endswith("%"):
                assert math.isclose(float(got[:-1]) / 100, float(text), rel_tol=1e-14), name
            else:
                assert math.isclose(float(got), float(text), rel_tol=1e-14), name
            compared += 1
    return compared


def assert_rows_equal(ws: Worksheet, rows: list[dict[str, str]], tr: Translator) -> int:
    """The sheet holds exactly the CSV's rows (in any order): text as text, flags as yes/no,
    numbers as stored (`sixteen_digits`). Returns how many cells were compared."""
    header, _ = table(ws)
    names = list(rows[0])
    positions, start = [], 0
    for name in names:
        start = header.index(column_label(tr, name), start)
        positions.append(start)
    flag = {tr("yes"): "1", tr("no"): "0"}

    def same(cell: Any, text: str) -> bool:
        if text == "" or cell.value is None:
            return text == "" and cell.value is None
        if isinstance(cell.value, str):
            return flag.get(cell.value, cell.value) == text
        return number_of(cell) == sixteen_digits(float(text), cell.number_format)

    pool = cells(ws)
    assert len(pool) == len(rows)
    for row in rows:  # each CSV row is one sheet row, none left over
        match = next((r for r in pool if all(
            same(r[p], row[n]) for p, n in zip(positions, names, strict=True))), None)
        assert match is not None, (ws.title, row)
        pool.remove(match)
    assert not pool
    return len(rows) * len(names)


@pytest.mark.parametrize(
    ("args", "sheets"),
    [
        (["frontier", SMALL, "--from", "0.5", "--to", "1.5", "--steps", "3", "--simulate",
          "-r", "2"],
         {"Frontier": "frontier.csv", "Frontier simulated": "frontier_simulated.csv"}),
        (["plan", SMALL, "-r", "2", "--iterations", "2"],
         {"Deployment per TPS": "plan.csv", "Loop iterations": "iterations.csv",
          "Paired differences": "differences.csv", "Plans compared": "compare.csv"}),
        (["calibrate", SMALL, "-r", "2"], {"Calibration": "calibration.csv"}),
    ],
    ids=["frontier", "plan", "calibrate"],
)
def test_every_table_of_other_commands(tmp_path: Path, args: list[str],
                                       sheets: dict[str, str]) -> None:
    folder = tmp_path / "run"
    run(*args, "--out", str(folder), "--no-report")
    wb = load(folder / WORKBOOK_NAME)
    cover = {r[0].value: r[1].value for r in wb["Cover"].iter_rows(min_row=3) if r[0].value}
    for title, source in sheets.items():
        assert cover[title] == source
        ws = wb[title]
        assert_table_sheet(ws, ws.freeze_panes)
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")
        assert assert_rows_equal(ws, read_csv(folder / source), EN) > 0
    if args[0] == "plan":  # no districts.csv: the kecamatan sheet sums plan.csv
        plan = read_csv(folder / "plan.csv")
        _, body = table(wb["Deployment per kecamatan"])
        assert body == [["Balikpapan Kota", 20,
                         *[sum(int(p[a]) for p in plan) for a in ("linmas", "police", "tni")],
                         sum(int(p[a]) for p in plan for a in ("linmas", "police", "tni")),
                         body[0][-1]]]
