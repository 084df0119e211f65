"""A plan from a spreadsheet (issue 13 item 1): plan.csv opened in a spreadsheet program,
edited and saved as .xlsx is read exactly as the CSV, checked as strictly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from planner.cli import main

SMALL = str(Path(__file__).resolve().parents[2] / "scenarios" / "training-small.yaml")


def _as_xlsx(plan_csv: Path, target: Path, edit: dict[int, str] | None = None) -> None:
    """The plan as a workbook: a title row above the header, numbers as numbers."""
    with plan_csv.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Rencana pengamanan TPS (dari planner optimise)"])
    sheet.append(rows[0])
    for k, row in enumerate(rows[1:], start=1):
        cells: list[object] = [int(c) if c.isdigit() else c for c in row]
        if edit and k in edit:
            cells[rows[0].index("pattern")] = edit[k]
        sheet.append(cells)
    book.save(target)


def test_an_xlsx_plan_simulates_as_its_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    opt = tmp_path / "opt"
    assert runner.invoke(main, ["optimise", SMALL, "--time-limit", "5", "--out", str(opt),
                                "--no-report", "--no-xlsx"]).exit_code == 0
    book = tmp_path / "edited" / "plan.xlsx"
    book.parent.mkdir()
    _as_xlsx(opt / "plan.csv", book)
    (book.parent / "plan.json").write_text((opt / "plan.json").read_text())  # its reserves
    summaries = []
    for plan, out in ((opt / "plan.csv", "a"), (book, "b")):
        args = ["simulate", SMALL, "-r", "2", "--plan", str(plan), "--out",
                str(tmp_path / out), "--no-report", "--no-xlsx"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        summaries.append(json.loads((tmp_path / out / "summary.json").read_text())["metrics"])
    assert summaries[0] == summaries[1]


def test_an_xlsx_plan_is_checked_as_strictly(tmp_path: Path) -> None:
    runner = CliRunner()
    opt = tmp_path / "opt"
    assert runner.invoke(main, ["optimise", SMALL, "--time-limit", "5", "--out", str(opt),
                                "--no-report", "--no-xlsx"]).exit_code == 0
    bad = tmp_path / "bad.xlsx"
    _as_xlsx(opt / "plan.csv", bad, edit={3: "9-9-9"})
    result = runner.invoke(main, ["simulate", SMALL, "-r", "2", "--plan", str(bad),
                                  "--out", str(tmp_path / "x"), "--no-report"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "row 5, column pattern: unknown pattern '9-9-9'" in lines[0]
    assert not (tmp_path / "x").exists()
    book = openpyxl.Workbook()
    book.active.append(["something", "else"])
    book.save(tmp_path / "nothing.xlsx")
    none = runner.invoke(main, ["simulate", SMALL, "--plan", str(tmp_path / "nothing.xlsx")])
    assert none.exit_code == 2 and "missing column tps_id" in none.output


def test_a_plan_behind_a_cover_sheet_is_found_and_its_errors_name_the_worksheet(
    tmp_path: Path,
) -> None:
    """A budget officer's workbook: a cover sheet first, the plan on the second. It is read
    as its CSV; a bad cell is reported with that worksheet's name and row."""
    runner = CliRunner()
    opt = tmp_path / "opt"
    assert runner.invoke(main, ["optimise", SMALL, "--time-limit", "5", "--out", str(opt),
                                "--no-report", "--no-xlsx"]).exit_code == 0
    books = tmp_path / "books"
    books.mkdir()
    (books / "plan.json").write_text((opt / "plan.json").read_text())  # its reserves
    for name, edit in (("good.xlsx", None), ("bad.xlsx", {3: "9-9-9"})):
        _as_xlsx(opt / "plan.csv", books / name, edit)
        book = openpyxl.load_workbook(books / name)
        book.worksheets[0].title = "Rencana"
        book.create_sheet("Sampul", 0)["A1"] = "Rencana pengamanan — lihat lembar Rencana"
        book.save(books / name)
    summaries = []
    for plan, out in ((opt / "plan.csv", "a"), (books / "good.xlsx", "b")):
        result = runner.invoke(main, ["simulate", SMALL, "-r", "2", "--plan", str(plan),
                                      "--out", str(tmp_path / out), "--no-report", "--no-xlsx"])
        assert result.exit_code == 0, result.output
        summaries.append(json.loads((tmp_path / out / "summary.json").read_text())["metrics"])
    assert summaries[0] == summaries[1]
    bad = runner.invoke(main, ["simulate", SMALL, "--plan", str(books / "bad.xlsx")])
    assert bad.exit_code == 2
    assert f"{books / 'bad.xlsx'}, worksheet 'Rencana': row 5, column pattern: unknown " \
        "pattern '9-9-9'" in bad.output
