"""Write the bundled example sheets: a KPU-style DPT recap per TPS and a Bawaslu-style
TPS-rawan list, both with INVENTED numbers (stated in the sheets' title rows).

    python scenarios/make_example_sheet.py        # rewrites the two .xlsx files here

The recap is laid out as KPU recaps are: title rows with merged cells above the header,
Indonesian column names, voters by sex and in total, a kecamatan written two ways
("Balikpapan Kota" and "Kec. BALIKPAPAN KOTA"), a kelurahan written with its "Kel." prefix,
TPS numbered from 1 in each kelurahan, and a JUMLAH (total) row at the bottom. The names are
real kecamatan and kelurahan of Kota Balikpapan (facts §1.5); every number is made up.
`planner init scenarios/example-kpu-recap.xlsx --rawan scenarios/example-tps-rawan.xlsx`
reads both without edits (tests/scenario/test_init.py).
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
RECAP = HERE / "example-kpu-recap.xlsx"
RAWAN = HERE / "example-tps-rawan.xlsx"
NOTE = "CONTOH — ANGKA KARANGAN, BUKAN DATA KPU (example: invented numbers, not KPU data)"
FIXED_TIME = datetime.datetime(2024, 11, 1, 8, 0, 0)
"""Workbook created/modified stamp, fixed so the cells and properties do not change between runs."""

# (kecamatan as written in the sheet, kelurahan as written, [voters (male, female) per TPS])
RECAP_DATA: list[tuple[str, str, list[tuple[int, int]]]] = [
    ("Balikpapan Kota", "Klandasan Ulu", [(271, 277), (250, 262), (280, 283), (289, 301)]),
    ("Balikpapan Kota", "Klandasan Ilir", [(244, 251), (262, 270), (231, 240)]),
    ("Kec. BALIKPAPAN KOTA", "Kel. Prapatan", [(258, 266), (275, 279), (240, 248)]),
    ("Kec. BALIKPAPAN KOTA", "Telaga Sari", [(266, 270), (233, 239)]),
    ("Balikpapan Selatan", "Damai", [(282, 290), (270, 279), (259, 262), (247, 255)]),
    ("Balikpapan Selatan", "Sepinggan", [(288, 296), (276, 280), (263, 270), (251, 258)]),
]
"""INVENTED voters: 20 TPS with 472–590 voters each, near Balikpapan's ≈ 523 per TPS (facts §1.5)."""

INDICATORS = [
    "DPT Tidak Memenuhi Syarat",
    "Pemilih DPTb",
    "Potensi DPK",
    "Riwayat Kekerasan",
    "Rawan Bencana",
    "Kendala Listrik/Internet",
]
"""Six of Bawaslu's TPS-rawan indicators (facts §4.3), as column headers."""

# (kecamatan, kelurahan, TPS, indicators met (indices into INDICATORS), Polri class)
RAWAN_DATA: list[tuple[str, str, str, list[int], str]] = [
    ("Balikpapan Kota", "Klandasan Ulu", "001", [0, 1], "Kurang Rawan"),
    ("Balikpapan Kota", "Klandasan Ilir", "003", [0, 3, 4], "Rawan"),
    ("BALIKPAPAN KOTA", "Prapatan", "002", [1], "Kurang Rawan"),
    ("Balikpapan Selatan", "Damai", "001", [0, 1, 3, 4, 5], "Sangat Rawan"),
    ("Kec. Balikpapan Selatan", "Sepinggan", "004", [2, 4], "Rawan"),
]
"""INVENTED findings for five TPS."""


def recap_rows() -> list[list[object]]:
    """The recap's cells, row by row (titles, blank, header, one row per TPS, total)."""
    rows: list[list[object]] = [
        ["REKAPITULASI DAFTAR PEMILIH TETAP (DPT) PER TPS"],
        ["PEMILIHAN WALI KOTA DAN WAKIL WALI KOTA BALIKPAPAN TAHUN 2024"],
        [NOTE],
        [],
        ["No", "Kecamatan", "Kelurahan/Desa", "No TPS", "DPT\nLaki-laki", "DPT\nPerempuan",
         "Jumlah DPT"],
    ]
    k = 0
    total = [0, 0]
    for district, village, tps in RECAP_DATA:
        for j, (male, female) in enumerate(tps, start=1):
            k += 1
            rows.append([k, district, village, f"{j:03d}", male, female, male + female])
            total[0] += male
            total[1] += female
    rows.append(["", "JUMLAH", "", "", total[0], total[1], total[0] + total[1]])
    return rows


def rawan_rows() -> list[list[object]]:
    """The TPS-rawan list's cells, row by row."""
    rows: list[list[object]] = [
        ["PEMETAAN TPS RAWAN PEMILIHAN SERENTAK 2024 — KOTA BALIKPAPAN"],
        [NOTE],
        [],
        ["No", "Kecamatan", "Kelurahan", "TPS", *INDICATORS, "Kategori"],
    ]
    for k, (district, village, tps, met, cls) in enumerate(RAWAN_DATA, start=1):
        marks = ["v" if i in met else "" for i in range(len(INDICATORS))]
        rows.append([k, district, village, tps, *marks, cls])
    return rows


def write(path: Path, rows: list[list[object]], title_rows: int, width: int) -> None:
    """One worksheet with `rows`, the first `title_rows` merged across `width` columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    for r in range(1, title_rows + 1):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        sheet.cell(r, 1).font = Font(bold=True)
        sheet.cell(r, 1).alignment = Alignment(horizontal="center")
    book.properties.creator = "planner scenarios/make_example_sheet.py"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.save(path)


def main() -> None:
    recap, rawan = recap_rows(), rawan_rows()
    write(RECAP, recap, 3, len(recap[4]))
    write(RAWAN, rawan, 2, len(rawan[3]))
    print(f"wrote {RECAP.name} ({len(recap) - 6} TPS) and {RAWAN.name} ({len(rawan) - 4} TPS)")


if __name__ == "__main__":
    sys.exit(main())
