"""TPS and TPS-rawan sheets (.xlsx/.csv) read through a column mapping: forgiving names,
header rows found below title rows, every problem reported on its own line."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import ScenarioError, ScenarioProblems
from planner.scenario.load import load_scenario
from planner.scenario.sheets import (
    NameMatcher,
    cell_text,
    display_name,
    name_key,
    read_cells,
    tps_number,
)
from planner.scenario.tps_sheet import class_of

HEADER = ["No", "Kecamatan", "Kelurahan/Desa", "No TPS", "Jumlah\nDPT", "Kategori"]
TITLE = [["REKAPITULASI DPT PER TPS"], ["KOTA UJI — angka karangan"], []]
DATA = [
    [1, "Alpha", "Satu", "001", 500, "Kurang Rawan"],
    [2, "Kec. ALPHA", "Kel. Satu", "002", 450, "rawan"],
    [3, "alpha", "Dua", "001", 520, ""],
    [4, "Beta", "Desa Tiga", "1", 480, "Sangat Rawan"],
]
MAPPING = """\
  tps_columns:
    tps_id: No TPS
    district: Kecamatan
    village: Kelurahan/Desa
    voters: Jumlah DPT
    risk_class: Kategori
    tps_numbered_per_village: true
"""


def write_xlsx(path: Path, rows: list[list[object]], merge_titles: int = 0) -> Path:
    """A one-sheet workbook holding `rows`, the first `merge_titles` rows merged over 6 cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for r in range(1, merge_titles + 1):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def scenario(folder: Path, tps_file: str, extra: str = "", mapping: str = MAPPING) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(
        f"name: sheet test\nseed: 1\nregion:\n  name: Kota Uji\n  tps_file: {tps_file}\n"
        + mapping
        + extra,
        encoding="utf-8",
    )
    return path


# --- forgiving names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Balikpapan Kota", "balikpapan kota"),
        ("Kec. BALIKPAPAN KOTA", "balikpapan kota"),
        ("Kecamatan  Balikpapan   Kota", "balikpapan kota"),
        ("kec.balikpapan kota", "balikpapan kota"),
        ("Kel. Klandasan Ulu", "klandasan ulu"),
        ("Kelurahan Klandasan-Ulu", "klandasan ulu"),
        ("Desa Sungai Merdeka", "sungai merdeka"),
        ("Ds. Sungai Merdeka", "sungai merdeka"),
        ("Desa", "desa"),  # a name that is only a prefix word stays itself
        ("Kota Bangun", "kota bangun"),  # 'Kota' is not a kecamatan prefix
    ],
)
def test_name_key_ignores_case_spaces_and_prefixes(text: str, key: str) -> None:
    assert name_key(text) == key


def test_display_name_drops_prefix_and_shouts() -> None:
    assert display_name("Kec. BALIKPAPAN KOTA") == "Balikpapan Kota"
    assert display_name("Kel.  Prapatan") == "Prapatan"
    assert display_name("Balikpapan  Kota") == "Balikpapan Kota"
    assert display_name("Muara Badak") == "Muara Badak"


@pytest.mark.parametrize(
    ("text", "number"),
    [("001", 1), ("1", 1), ("TPS 012", 12), ("tps12", 12), ("7.0", 7), ("A1", None), ("", None)],
)
def test_tps_number(text: str, number: int | None) -> None:
    assert tps_number(text) == number


def test_matcher_learns_the_most_common_spelling() -> None:
    m = NameMatcher()
    for text in ("Kec. BALIKPAPAN KOTA", "Balikpapan Kota", "Balikpapan Kota", "Balikpapan Barat"):
        m.learn(text)
    m.resolve()
    assert m.names() == ["Balikpapan Kota", "Balikpapan Barat"]
    assert m.match("KEC BALIKPAPAN KOTA") == "Balikpapan Kota"
    assert m.match("Balikpapan Timur") is None
    assert m.suggestion("Balikpapn Kota") == " (did you mean 'Balikpapan Kota'?)"
    assert m.suggestion("Samarinda Ulu") == ""


def test_fixed_matcher_keeps_the_scenario_spelling_and_learns_nothing() -> None:
    m = NameMatcher(["Balikpapan Kota"])
    m.learn("Balikpapan Utara")
    m.resolve()
    assert m.names() == ["Balikpapan Kota"]
    assert m.match("kec. balikpapan kota") == "Balikpapan Kota"
    assert m.match("Balikpapan Utara") is None


def test_class_names_in_words() -> None:
    known = ["kurang_rawan", "rawan", "sangat_rawan", "khusus"]
    assert class_of("Sangat Rawan", known) == "sangat_rawan"
    assert class_of("KURANG RAWAN", known) == "kurang_rawan"
    assert class_of("sangat-rawan", known) == "sangat_rawan"
    assert class_of("aman", known) is None


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(523.0) == "523"
    assert cell_text(1.5) == "1.5"
    assert cell_text("Jumlah\nDPT") == "Jumlah DPT"
    assert cell_text("  Alpha ") == "Alpha"


# --- reading sheets --------------------------------------------------------------------------


def test_xlsx_and_csv_give_the_same_table(tmp_path: Path) -> None:
    """The same cells as a workbook (merged title rows) and as a CSV load to one TPS table,
    with names merged across spellings and TPS numbered per kelurahan."""
    rows = [*TITLE, HEADER, *DATA]
    (tmp_path / "x").mkdir()
    (tmp_path / "c").mkdir()
    write_xlsx(tmp_path / "x" / "tps.xlsx", rows, merge_titles=2)
    write_csv(tmp_path / "c" / "tps.csv", rows)
    a = load_scenario(scenario(tmp_path / "x", "tps.xlsx"))
    b = load_scenario(scenario(tmp_path / "c", "tps.csv"))
    assert a.tps.to_csv() == b.tps.to_csv()
    t = a.tps
    assert t.district_names == ("Alpha", "Beta")
    assert t.village_names == ("Satu", "Dua", "Tiga")
    assert t.tps_id == (
        "Alpha / Satu / TPS 001",
        "Alpha / Satu / TPS 002",
        "Alpha / Dua / TPS 001",
        "Beta / Tiga / TPS 001",
    )
    assert t.voters.tolist() == [500, 450, 520, 480]
    assert [t.class_names[c] for c in t.risk_class] == [
        "kurang_rawan",
        "rawan",
        "kurang_rawan",  # empty class cell: the default class
        "sangat_rawan",
    ]


def test_mapped_sheet_equals_the_contract_csv(tmp_path: Path) -> None:
    """A sheet with unique TPS ids read through a mapping gives the table the contract CSV
    with the same data gives (same loader downstream)."""
    sheet = [["Kode TPS", "Kec", "Desa", "DPT", "Kategori", "Bilik"]]
    contract = [["tps_id", "district", "village", "voters", "risk_class", "booths"]]
    for i, (d, v, n, cls) in enumerate(
        [("Alpha", "Satu", 500, "rawan"), ("Alpha", "Dua", 300, "kurang_rawan"),
         ("Beta", "Tiga", 410, "khusus")]
    ):
        sheet.append([f"T-{i}", d, v, str(n), cls, "3"])
        contract.append([f"T-{i}", d, v, str(n), cls, "3"])
    write_xlsx(tmp_path / "tps.xlsx", sheet)
    write_csv(tmp_path / "contract.csv", contract)
    mapping = (
        "  tps_columns: {tps_id: Kode TPS, district: Kec, village: Desa, voters: DPT, "
        "risk_class: Kategori, booths: Bilik}\n"
    )
    a = load_scenario(scenario(tmp_path, "tps.xlsx", mapping=mapping))
    b = load_scenario(scenario(tmp_path, "contract.csv", mapping=""))
    assert a.tps.to_csv() == b.tps.to_csv()


def test_total_rows_and_blank_rows_are_not_tps(tmp_path: Path) -> None:
    rows = [*TITLE, HEADER, DATA[0], [], DATA[1], ["", "JUMLAH", "", "", 950, ""]]
    write_xlsx(tmp_path / "tps.xlsx", rows)
    sc = load_scenario(scenario(tmp_path, "tps.xlsx"))
    assert len(sc.tps) == 2
    assert int(sc.tps.voters.sum()) == 950


def test_every_problem_gets_its_own_line_and_exit_2(tmp_path: Path) -> None:
    """An unmatched kecamatan, non-numeric voters and a duplicate TPS: three lines naming the
    file, the row and the column, and exit code 2."""
    rows = [
        *TITLE,
        HEADER,
        DATA[0],
        [2, "Kec. Gamma", "Satu", "001", 400, ""],  # row 6: no such kecamatan
        [3, "Alpha", "Dua", "001", "lima ratus", ""],  # row 7: voters in words
        [4, "ALPHA", "Kel. Satu", "1", 300, ""],  # row 8: the same TPS as row 5
        DATA[3],
    ]
    write_xlsx(tmp_path / "tps.xlsx", rows)
    path = scenario(tmp_path, "tps.xlsx", extra="  district_names: [Alpha, Beta]\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    where = str(tmp_path / "tps.xlsx")
    assert lines == [
        f"error: {where}: row 6, column 'Kecamatan': kecamatan 'Kec. Gamma' matches none of "
        "Alpha, Beta; fix the spelling in the sheet or in region.district_names",
        f"error: {where}: row 7, column 'Jumlah DPT': 'lima ratus' is not a whole number of "
        "voters",
        f"error: {where}: row 8, column 'No TPS': TPS 'Alpha / Satu / TPS 001' is already in "
        "row 5; every TPS appears once",
    ]


def test_missing_column_is_one_line(tmp_path: Path) -> None:
    rows = [*TITLE, [c for c in HEADER if c != "Jumlah\nDPT"], [1, "Alpha", "Satu", "001", ""]]
    write_xlsx(tmp_path / "tps.xlsx", rows)
    result = CliRunner().invoke(main, ["validate", str(scenario(tmp_path, "tps.xlsx"))])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no header row with column 'Jumlah DPT'" in lines[0]
    assert "row 4" in lines[0] and "'Kecamatan'" in lines[0]


def _cover_then_table(path: Path, rows: list[list[object]] | None = None) -> Path:
    """A KPU-style workbook: a cover sheet first, the TPS table on 'DPT per TPS'."""
    write_xlsx(path, [["Rekapitulasi DPT"], ["lihat lembar berikut"]])
    book = openpyxl.load_workbook(path)
    book.worksheets[0].title = "Sampul"
    data = book.create_sheet("DPT per TPS")
    for row in rows or [*TITLE, HEADER, *DATA]:
        data.append(row)
    book.create_sheet("Catatan")
    book.save(path)
    return path


def test_table_on_a_later_worksheet_is_named_in_the_error(tmp_path: Path) -> None:
    """Without `sheet:` the first worksheet is read; when the table sits on another, the one
    line says which sheet was read, which others the workbook has, and how to name one."""
    _cover_then_table(tmp_path / "tps.xlsx", [HEADER, [1, "Alpha", "Satu", "001", 300, ""]])
    result = CliRunner().invoke(main, ["validate", str(scenario(tmp_path, "tps.xlsx"))])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "name the worksheet that holds the table (`sheet:` in the column mapping, " \
        "`planner init --sheet`; 'Sampul' was read, the workbook also has 'DPT per TPS', " \
        "'Catatan')" in lines[0]


@pytest.mark.parametrize("name", ["DPT per TPS", "dpt per tps", " DPT  per TPS"])
def test_sheet_names_the_worksheet_read(tmp_path: Path, name: str) -> None:
    """`tps_columns.sheet` reads that worksheet (exactly, else ignoring case and spaces): the
    same TPS as the table on a one-sheet workbook."""
    _cover_then_table(tmp_path / "tps.xlsx")
    sheet = MAPPING + f"    sheet: '{name}'\n"
    named = load_scenario(scenario(tmp_path, "tps.xlsx", mapping=sheet))
    write_xlsx(tmp_path / "one.xlsx", [*TITLE, HEADER, *DATA])
    alone = load_scenario(scenario(tmp_path, "one.xlsx"))
    assert list(named.tps.tps_id) == list(alone.tps.tps_id)
    assert named.tps.voters.tolist() == alone.tps.voters.tolist() == [500, 450, 520, 480]


def test_an_unknown_sheet_lists_the_worksheets(tmp_path: Path) -> None:
    _cover_then_table(tmp_path / "tps.xlsx")
    path = scenario(tmp_path, "tps.xlsx", mapping=MAPPING + "    sheet: DPT\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'tps.xlsx'}: the TPS sheet: the workbook has no worksheet 'DPT'; "
        "its worksheets are 'Sampul', 'DPT per TPS', 'Catatan'"
    ]


def test_a_sheet_for_a_csv_is_refused_naming_the_key(tmp_path: Path) -> None:
    write_csv(tmp_path / "tps.csv", [*TITLE, HEADER, *DATA])
    path = scenario(tmp_path, "tps.csv", mapping=MAPPING + "    sheet: DPT\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "region.tps_columns.sheet" in line and "tps_file is a CSV" in line, line
    with pytest.raises(ScenarioError, match="is a CSV file, one table without worksheets"):
        read_cells(tmp_path / "tps.csv", "the TPS sheet", "DPT")


def test_one_worksheet_gets_no_sheet_hint(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "tps.xlsx", [["Rekapitulasi DPT"]])
    result = CliRunner().invoke(main, ["validate", str(scenario(tmp_path, "tps.xlsx"))])
    assert result.exit_code == 2 and "move the table" not in result.stderr


def test_misspelt_kecamatan_gets_a_suggestion(tmp_path: Path) -> None:
    write_csv(tmp_path / "tps.csv", [HEADER, [1, "Alpa", "Satu", "1", 300, ""]])
    path = scenario(tmp_path, "tps.csv", extra="  district_names: [Alpha, Beta]\n")
    with pytest.raises(ScenarioProblems) as err:
        load_scenario(path)
    assert "(did you mean 'Alpha'?)" in err.value.one_line()


def test_a_listed_kecamatan_without_tps_is_reported(tmp_path: Path) -> None:
    write_csv(tmp_path / "tps.csv", [HEADER, DATA[0]])
    path = scenario(tmp_path, "tps.csv", extra="  district_names: [Alpha, Beta, Gamma]\n")
    with pytest.raises(ScenarioProblems) as err:
        load_scenario(path)
    assert err.value.one_line() == "\nerror: ".join(
        f"{tmp_path / 'tps.csv'}: kecamatan {name!r} of region.district_names has no TPS in "
        "the sheet; remove it there or add its TPS"
        for name in ("Beta", "Gamma")
    )


def test_xlsx_needs_a_mapping_and_xls_is_refused(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "tps.xlsx", [HEADER, DATA[0]])
    with pytest.raises(ScenarioError, match=r"give region\.tps_columns"):
        load_scenario(scenario(tmp_path, "tps.xlsx", mapping=""))
    (tmp_path / "tps.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ScenarioError, match=r"save it as \.xlsx"):
        load_scenario(scenario(tmp_path, "tps.xls"))
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ScenarioError, match="cannot read the workbook"):
        load_scenario(scenario(tmp_path, "bad.xlsx"))


# --- TPS-rawan sheets ------------------------------------------------------------------------

RAWAN_MAPPING = """\
  rawan_file: rawan.xlsx
  rawan_columns:
    tps_id: TPS
    district: Kecamatan
    village: Kelurahan
    risk_class: Kategori
    indicator_columns: [DPTb, Rawan Bencana, Riwayat Kekerasan]
"""
RAWAN_HEADER = ["No", "Kecamatan", "Kelurahan", "TPS", "DPTb", "Rawan Bencana",
                "Riwayat Kekerasan", "Kategori"]


def test_rawan_sheet_sets_class_and_indicator_count(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "tps.xlsx", [*TITLE, HEADER, *DATA])
    write_xlsx(
        tmp_path / "rawan.xlsx",
        [
            ["PEMETAAN TPS RAWAN"],
            RAWAN_HEADER,
            [1, "KEC. ALPHA", "Dua", "TPS 001", "v", "v", "", "Rawan"],
            [2, "beta", "Kelurahan Tiga", "1", "", "-", "1", "Khusus"],
        ],
        merge_titles=1,
    )
    sc = load_scenario(scenario(tmp_path, "tps.xlsx", extra=RAWAN_MAPPING))
    t = sc.tps
    assert t.indicators.tolist() == [0, 0, 2, 1]
    assert [t.class_names[c] for c in t.risk_class] == [
        "kurang_rawan", "rawan", "rawan", "khusus"
    ]


def test_rawan_sheet_on_a_named_worksheet(tmp_path: Path) -> None:
    """`rawan_columns.sheet` reads Bawaslu's list from its own worksheet of a workbook."""
    write_xlsx(tmp_path / "tps.xlsx", [*TITLE, HEADER, *DATA])
    _cover_then_table(tmp_path / "rawan.xlsx", [
        RAWAN_HEADER, [1, "KEC. ALPHA", "Dua", "TPS 001", "v", "v", "", "Rawan"]])
    with pytest.raises(ScenarioError, match="'Sampul' was read"):
        load_scenario(scenario(tmp_path, "tps.xlsx", extra=RAWAN_MAPPING))
    named = RAWAN_MAPPING + "    sheet: DPT per TPS\n"
    sc = load_scenario(scenario(tmp_path, "tps.xlsx", extra=named))
    assert sc.tps.indicators.tolist() == [0, 0, 2, 0]


def test_rawan_rows_that_match_no_tps_are_reported(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "tps.xlsx", [*TITLE, HEADER, *DATA])
    write_xlsx(
        tmp_path / "rawan.xlsx",
        [
            RAWAN_HEADER,
            [1, "Gamma", "Dua", "1", "v", "", "", "Rawan"],  # no such kecamatan
            [2, "Alpha", "Lima", "1", "v", "", "", "Rawan"],  # no such kelurahan in Alpha
            [3, "Alpha", "Dua", "9", "v", "", "", "Rawan"],  # no TPS 9 there
            [4, "Alpha", "Dua", "1", "v", "", "", "Gawat"],  # unknown class
            [5, "Alpha", "Dua", "001", "v", "", "", "Rawan"],  # the same TPS again
        ],
    )
    with pytest.raises(ScenarioProblems) as err:
        load_scenario(scenario(tmp_path, "tps.xlsx", extra=RAWAN_MAPPING))
    lines = err.value.one_line().split("\nerror: ")
    assert [line.split(": ")[1] for line in lines] == [
        "row 2, column 'Kecamatan'",
        "row 3, column 'Kelurahan'",
        "row 4, column 'TPS'",
        "row 5, column 'Kategori'",
        "row 6, column 'TPS'",
    ]
    assert "'Gamma' is not in the TPS sheet (Alpha, Beta)" in lines[0]
    assert "'Lima' is not in kecamatan 'Alpha'" in lines[1]
    assert "TPS '9' of Dua, Alpha is not in the TPS sheet" in lines[2]
    assert "unknown class 'Gawat'" in lines[3]
    assert "already listed in row 5" in lines[4]


def test_rawan_sheet_on_a_contract_csv_matches_ids(tmp_path: Path) -> None:
    """A TPS-rawan sheet with an indicator count column also applies to a contract CSV."""
    write_csv(
        tmp_path / "tps.csv",
        [["tps_id", "district", "village", "voters", "risk_class"],
         ["A-1", "Alpha", "Satu", "300", "kurang_rawan"],
         ["A-2", "Alpha", "Satu", "310", "kurang_rawan"]],
    )
    write_csv(tmp_path / "rawan.csv", [["Kode", "Jumlah Indikator"], ["a-2", "4"], ["A-3", "1"]])
    extra = (
        "  rawan_file: rawan.csv\n"
        "  rawan_columns: {tps_id: Kode, indicators: Jumlah Indikator}\n"
    )
    with pytest.raises(ScenarioProblems) as err:
        load_scenario(scenario(tmp_path, "tps.csv", mapping="", extra=extra))
    assert err.value.one_line().endswith("row 3, column 'Kode': TPS 'A-3' is not in the TPS sheet")
    write_csv(tmp_path / "rawan.csv", [["Kode", "Jumlah Indikator"], ["a-2", "4"]])
    sc = load_scenario(scenario(tmp_path, "tps.csv", mapping="", extra=extra))
    assert sc.tps.indicators.tolist() == [0, 4]


def test_schema_refuses_half_given_rawan_and_orphan_mappings(tmp_path: Path) -> None:
    write_csv(tmp_path / "tps.csv", [HEADER, DATA[0]])
    with pytest.raises(ScenarioError, match="rawan_file and rawan_columns together"):
        load_scenario(scenario(tmp_path, "tps.csv", extra="  rawan_file: r.csv\n"))
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\nregion:\n  name: R\n  districts: [{name: A, villages: 1, tps: 1, voters: 10}]\n"
        "  district_names: [A]\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="needs tps_file"):
        load_scenario(path)
