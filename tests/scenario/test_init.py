"""`planner init`: from the bundled KPU-style sheet to a first simulate with no hand edits;
the written defaults are the schema's; the bundled sheets are what their script writes."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from planner.cli import main
from planner.scenario.load import load_scenario

REPO = Path(__file__).resolve().parents[2]
RECAP = REPO / "scenarios" / "example-kpu-recap.xlsx"
RAWAN = REPO / "scenarios" / "example-tps-rawan.xlsx"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_example_sheet", REPO / "scenarios" / "make_example_sheet.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _init(tmp_path: Path, *extra: str) -> tuple[Path, Any]:
    out = tmp_path / "region" / "scenario.yaml"
    result = CliRunner().invoke(
        main,
        ["init", str(RECAP), "--rawan", str(RAWAN), "--name", "Kota Balikpapan (contoh)",
         "--out", str(out), *extra],
    )
    return out, result


def test_bundled_sheet_goes_from_init_to_simulate(tmp_path: Path) -> None:
    """init → validate → simulate -r 2 on the bundled sheets, no edits in between."""
    out, result = _init(tmp_path)
    assert result.exit_code == 0, result.output
    assert "20 TPS in 2 kecamatan and 6 kelurahan/desa, 10,611 voters" in result.output
    validated = CliRunner().invoke(main, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output
    assert validated.output.strip().endswith(f"OK: {out} is valid")
    run = tmp_path / "run"
    simulated = CliRunner().invoke(
        main, ["simulate", str(out), "-r", "2", "--out", str(run), "--no-report"]
    )
    assert simulated.exit_code == 0, simulated.output
    assert json.loads((run / "summary.json").read_text(encoding="utf-8"))
    with (run / "tps.csv").open(encoding="utf-8") as handle:
        rows = {r["tps_id"]: r for r in csv.DictReader(handle)}
    assert len(rows) == 20
    # the kecamatan written "Kec. BALIKPAPAN KOTA" joined "Balikpapan Kota"
    assert {r["district"] for r in rows.values()} == {"Balikpapan Kota", "Balikpapan Selatan"}
    assert sum(int(r["voters"]) for r in rows.values()) == 10_611
    # the TPS-rawan sheet: classes and indicator counts of its five TPS (RAWAN_DATA)
    damai = rows["Balikpapan Selatan / Damai / TPS 001"]
    assert (damai["risk_class"], damai["indicators"]) == ("sangat_rawan", "5")
    prapatan = rows["Balikpapan Kota / Prapatan / TPS 002"]
    assert (prapatan["risk_class"], prapatan["indicators"]) == ("kurang_rawan", "1")
    sepinggan = rows["Balikpapan Selatan / Sepinggan / TPS 004"]
    assert (sepinggan["risk_class"], sepinggan["indicators"]) == ("rawan", "2")
    assert sum(int(r["indicators"]) for r in rows.values()) == 2 + 3 + 1 + 5 + 2
    assert sorted(r["risk_class"] for r in rows.values()).count("kurang_rawan") == 17


def test_written_file_holds_the_sheet_values_and_relative_paths(tmp_path: Path) -> None:
    out, result = _init(tmp_path)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    region = data["region"]
    assert set(data) == {"name", "region"}
    assert (out.parent / region["tps_file"]).resolve() == RECAP.resolve()
    assert not Path(region["tps_file"]).is_absolute()
    assert region["tps_columns"] == {
        "tps_id": "No TPS",
        "district": "Kecamatan",
        "village": "Kelurahan/Desa",
        "voters": "Jumlah DPT",
        "tps_numbered_per_village": True,
    }
    assert region["district_names"] == ["Balikpapan Kota", "Balikpapan Selatan"]
    assert region["rawan_columns"]["risk_class"] == "Kategori"
    assert region["rawan_columns"]["indicator_columns"] == _generator().INDICATORS


def _commented_defaults(text: str) -> list[tuple[tuple[str, ...], Any]]:
    """(YAML path, value) of every commented default line that holds a value."""
    found: list[tuple[tuple[str, ...], Any]] = []
    stack: list[str] = []
    body = text.splitlines()
    start = next(i for i, line in enumerate(body) if line.startswith("# seed:"))
    for line in body[start:]:
        match = re.match(r"^# ((?:  )*)([A-Za-z_][A-Za-z0-9_]*):(.*)$", line)
        if not match:
            continue
        depth = len(match.group(1)) // 2
        key, rest = match.group(2), match.group(3)
        del stack[depth:]
        value = yaml.safe_load(f"v:{rest}")["v"]
        if value is None and not rest.strip().startswith("null"):
            stack.append(key)  # a section line: its keys follow, indented
            continue
        if value == "...":
            continue  # a catalogue: see the reference
        found.append(((*stack, key), value))
    return found


def test_every_commented_default_is_the_schema_default(tmp_path: Path) -> None:
    """Each commented line holds the value the scenario actually takes when the line stays
    commented, so uncommenting one changes nothing until it is edited."""
    out, result = _init(tmp_path)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    spec = load_scenario(out).spec.model_dump(mode="json")
    lines = _commented_defaults(text)
    assert len(lines) > 100
    sections = {path[0] for path, _ in lines}
    assert {"seed", "election", "day", "voters", "staff", "incidents", "security"} <= sections
    for path, value in lines:
        actual: Any = spec
        for key in path:
            actual = actual[key]
        assert actual == value, path
    assert "#   turnout: 0.7  # Share of DPT voters who come (facts §7.1" in text  # sources
    assert "(est." in text


def test_init_refuses_to_overwrite_and_reports_unknown_columns(tmp_path: Path) -> None:
    result = _init(tmp_path)[1]
    assert result.exit_code == 0
    again = _init(tmp_path)[1]
    assert again.exit_code == 2
    assert "exists" in again.stderr and "--force" in again.stderr
    assert _init(tmp_path, "--force")[1].exit_code == 0
    sheet = tmp_path / "odd.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Kecamatan", "Kelurahan/Desa", "No TPS", "Pemilih Terdaftar"])
    book.active.append(["Alpha", "Satu", "1", 300])
    book.save(sheet)
    runner = CliRunner()
    args = ["init", str(sheet), "--name", "R", "--out", str(tmp_path / "o.yaml")]
    bad = runner.invoke(main, args)
    assert bad.exit_code == 2
    assert "found no column for voters" in bad.stderr
    assert "--column voters=HEADER" in bad.stderr
    good = runner.invoke(
        main,
        [*args, "--column", "voters=Pemilih Terdaftar"],
    )
    assert good.exit_code == 0, good.output
    assert len(load_scenario(tmp_path / "o.yaml").tps) == 1
    typo = runner.invoke(main, [*args, "--force", "--column", "voters=Pemilih"])
    assert typo.exit_code == 2
    assert "--column voters='Pemilih': the header row (row 1) has no such column" in typo.stderr


def test_bundled_sheets_are_what_the_script_writes() -> None:
    """The committed workbooks hold exactly the generator's cells, with merged title rows and
    the invented-numbers note."""
    gen = _generator()
    for path, rows, titles in ((RECAP, gen.recap_rows(), 3), (RAWAN, gen.rawan_rows(), 2)):
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        got = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
        width = max(len(r) for r in rows)
        want = [[*r, *[None] * (width - len(r))] for r in rows]
        assert [[None if c == "" else c for c in r] for r in got] == [
            [None if c == "" else c for c in r] for r in want
        ]
        assert len(sheet.merged_cells.ranges) == titles
        assert any("ANGKA KARANGAN" in str(r[0]) for r in rows[:titles])


@pytest.mark.parametrize("flag", ["--name", "--out"])
def test_init_needs_name_and_out(tmp_path: Path, flag: str) -> None:
    args = ["init", str(RECAP), "--name", "R", "--out", str(tmp_path / "s.yaml")]
    i = args.index(flag)
    result = CliRunner().invoke(main, args[:i] + args[i + 2 :])
    assert result.exit_code == 2
    assert flag in result.output


def test_init_on_a_malformed_sheet_prints_each_problem(tmp_path: Path) -> None:
    """init reads the rows as the loader does: every bad row is its own line, exit 2, and no
    scenario file is left behind."""
    sheet = tmp_path / "recap.xlsx"
    book = openpyxl.Workbook()
    for row in (
        ["REKAPITULASI DPT"],
        ["No", "Kecamatan", "Kelurahan/Desa", "No TPS", "Jumlah DPT"],
        [1, "Alpha", "Satu", "001", 300],
        [2, "Alpha", "Satu", "001", 310],  # row 4: TPS 001 of Satu again
        [3, "Alpha", "Dua", "001", "tiga ratus"],  # row 5
        [4, "Alpha", "Dua", "002", 900],  # row 6: over the Pilkada cap of 600
    ):
        book.active.append(row)
    book.save(sheet)
    out = tmp_path / "s.yaml"
    result = CliRunner().invoke(main, ["init", str(sheet), "--name", "R", "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ")[2] for line in lines] == [
        "row 4, column 'No TPS'",
        "row 5, column 'Jumlah DPT'",
        "row 6, column 'Jumlah DPT'",
    ]
    assert all(line.startswith(f"error: {sheet}: ") for line in lines)
    assert not out.exists()


def _behind_a_cover(source: Path, target: Path) -> str:
    """`source` saved as `target` with a cover worksheet put first (as many KPU files open);
    returns the name of the worksheet holding the table."""
    book = openpyxl.load_workbook(source)
    name = book.worksheets[0].title
    book.create_sheet("Sampul", 0)["A1"] = "REKAPITULASI — lihat lembar berikut"
    book.save(target)
    return name


def test_init_reads_the_named_worksheets_and_the_scenario_keeps_them(tmp_path: Path) -> None:
    recap = tmp_path / "recap.xlsx"
    rawan = tmp_path / "rawan.xlsx"
    table, rawan_table = _behind_a_cover(RECAP, recap), _behind_a_cover(RAWAN, rawan)
    out = tmp_path / "region" / "scenario.yaml"
    args = ["init", str(recap), "--rawan", str(rawan), "--name", "Kota Uji", "--out", str(out)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and not out.exists()
    line = refused.stderr.strip()
    assert "'Sampul' was read, the workbook also has " + repr(table) in line, line
    assert "planner init --sheet" in line
    done = CliRunner().invoke(main, [*args, "--sheet", table, "--rawan-sheet", rawan_table])
    assert done.exit_code == 0, done.output
    assert f"worksheet {table!r}: columns: tps_id ← 'No TPS'" in done.output
    region = yaml.safe_load(out.read_text(encoding="utf-8"))["region"]
    assert region["tps_columns"]["sheet"] == table
    assert region["rawan_columns"]["sheet"] == rawan_table
    plain, result = _init(tmp_path / "plain")
    assert result.exit_code == 0, result.output
    named, alone = load_scenario(out).tps, load_scenario(plain).tps
    assert list(named.tps_id) == list(alone.tps_id)
    assert named.voters.tolist() == alone.voters.tolist()
    assert named.indicators.tolist() == alone.indicators.tolist()
    assert named.risk_class.tolist() == alone.risk_class.tolist()


def test_init_rawan_sheet_needs_rawan(tmp_path: Path) -> None:
    out = tmp_path / "s.yaml"
    result = CliRunner().invoke(main, ["init", str(RECAP), "--name", "X", "--out", str(out),
                                       "--rawan-sheet", "Data"])
    assert result.exit_code == 2 and not out.exists()
    assert "give --rawan too" in result.stderr
