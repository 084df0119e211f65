"""Spreadsheets as the KPU, Bawaslu and Polres keep them: read cells from .xlsx or .csv, find
the header row by the column names a mapping gives, and match names forgivingly.

A KPU recap is not a clean table: it has title rows above the header (often merged cells:
"REKAPITULASI DPT PER TPS", the region, the date), headers with line breaks, a total row at
the bottom, and the same kecamatan written "Kec. Balikpapan Kota" in one row and
"BALIKPAPAN KOTA" in the next. This module turns such a sheet into rows of text keyed by
the mapped field, and every cell it cannot place into a problem with its row and column.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from planner.errors import ScenarioError

MAX_TPS_TABLE_BYTES = 100_000_000
"""Largest TPS table read, bytes (100 MB; every TPS of a national Pemilu, 823,220 rows of
about 60 bytes, facts §1.1, is about 50 MB)."""


def check_file_size(file: Path, limit: int, what: str) -> None:
    """Refuse `file` when it is larger than `limit` bytes, before reading it."""
    try:
        size = file.stat().st_size
    except OSError:
        return  # the read that follows reports the problem
    if size > limit:
        raise ScenarioError(
            f"{what} is {size / 1e6:,.1f} MB, over the {limit / 1e6:,.0f} MB limit; check it "
            "is the right file",
            where=str(file),
        )


SHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")
"""File types a TPS or TPS-rawan sheet may have (openpyxl reads .xlsx and .xlsm; the legacy
binary .xls it cannot, so a user must save such a file as .xlsx)."""

HEADER_SEARCH_ROWS = 30
"""Rows searched for the header (est.: KPU recaps put 3–8 title rows above it; 30 leaves room
for a long preamble while a wrong mapping still fails fast)."""

MAX_SHEET_ROWS = 1_000_000
"""Rows read from one sheet: above every TPS of a national Pemilu (823,220, facts §1.1)."""

MAX_SHEET_COLUMNS = 200
"""Columns read per row (est.: a TPS-rawan sheet with all 28 indicators, facts §4.3, and a
KPU recap with voters by sex and age have well under 100)."""

TOTAL_WORDS = frozenset({"jumlah", "total", "jumlah total", "sub total", "subtotal", "grand total"})
"""What a total row says in place of a TPS (Indonesian 'jumlah' = sum): such rows are not TPS."""

NAME_PREFIXES = (
    "kecamatan",
    "kec",
    "kelurahan",
    "kel",
    "desa",
    "ds",
)
"""Words written before a kecamatan or kelurahan/desa name that are not part of it."""


@dataclass(frozen=True)
class SheetRows:
    """A sheet's data rows after its header: each a mapping field → cell text (stripped), with
    the sheet's own 1-based row number, and the header text of each mapped field."""

    path: Path
    header_row: int
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]
    skipped_totals: list[int]
    """Row numbers of total rows ('Jumlah', 'Total') left out."""


def header_key(text: str) -> str:
    """A header as compared: case, line breaks and runs of spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def name_key(text: str) -> str:
    """A kecamatan or kelurahan name as compared: case, punctuation, runs of spaces and a
    leading 'Kec.', 'Kecamatan', 'Kel.', 'Kelurahan', 'Desa' or 'Ds.' ignored."""
    words = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).split()
    while len(words) > 1 and words[0] in NAME_PREFIXES:
        words = words[1:]
    return " ".join(words)


def display_name(text: str) -> str:
    """A name as shown: spaces collapsed and a leading kecamatan/kelurahan prefix removed;
    all-capital names (as many KPU sheets write them) in title case."""
    words = " ".join(text.split()).split(" ")
    while len(words) > 1 and re.sub(r"\W", "", words[0]).casefold() in NAME_PREFIXES:
        words = words[1:]
    shown = " ".join(words)
    return shown.title() if shown.isupper() else shown


def tps_number(text: str) -> int | None:
    """The number of a TPS written 'TPS 001', '001', '1' or '1.0'; None when it is none."""
    match = re.fullmatch(r"(?:tps\s*)?0*(\d{1,6})(?:\.0+)?", text.strip().casefold())
    return int(match.group(1)) if match else None


class NameMatcher:
    """Names of one kind (kecamatan, or kelurahan of one kecamatan) matched forgivingly.

    Built from known names (the scenario's spellings) or learnt from a sheet (`learn`), in
    which case each group of spellings with the same `name_key` is shown by its most common
    `display_name` (ties: the first seen)."""

    def __init__(self, known: list[str] | None = None):
        self.fixed = known is not None
        self._names: dict[str, str] = {name_key(n): n for n in known or []}
        self._seen: dict[str, Counter[str]] = {}

    def learn(self, text: str) -> None:
        """Note a spelling found in the sheet (ignored when the names are fixed)."""
        if not self.fixed:
            self._seen.setdefault(name_key(text), Counter())[display_name(text)] += 1

    def resolve(self) -> None:
        """Fix the shown name of every learnt group."""
        for key, counts in self._seen.items():
            self._names.setdefault(key, counts.most_common(1)[0][0])

    def match(self, text: str) -> str | None:
        """The name `text` stands for, or None."""
        return self._names.get(name_key(text))

    def names(self) -> list[str]:
        """Every name, in the order first met."""
        return list(self._names.values())

    def suggestion(self, text: str) -> str:
        """' (did you mean X?)' for the nearest known name, or '' when none is near."""
        keys = difflib.get_close_matches(name_key(text), list(self._names), n=1, cutoff=0.6)
        return f" (did you mean {self._names[keys[0]]!r}?)" if keys else ""

    def shown(self, limit: int = 12) -> str:
        """The known names as a short list for a message."""
        names = self.names()
        return ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")


def cell_text(value: Any) -> str:
    """A cell's value as text: whole floats without '.0', dates ISO, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" in str(value) else str(value).strip()


def read_cells(path: Path, what: str, sheet: str | None = None) -> list[list[str]]:
    """Every row of the workbook's worksheet `sheet` (default: its first), or of the CSV, as
    cell texts.

    Raises `ScenarioError` naming the file for a wrong type, unreadable or non-UTF-8 CSV,
    damaged workbook, a worksheet it does not have (or any named for a CSV), or a sheet over
    `MAX_SHEET_ROWS`."""
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        hint = "; save it as .xlsx" if suffix == ".xls" else ""
        raise ScenarioError(
            f"{what} must be a .csv or .xlsx file, not {suffix or 'a file without a type'}{hint}",
            where=where,
        )
    try:
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise ScenarioError(
            f"{what} not found; it is resolved relative to the scenario file", where=where
        )
    check_file_size(path, MAX_TPS_TABLE_BYTES, what)
    rows: list[list[str]] = []
    if suffix == ".csv" and sheet is not None:
        raise ScenarioError(
            f"{what} is a CSV file, one table without worksheets; drop the worksheet name "
            f"({sheet!r}) or give the .xlsx workbook",
            where=where,
        )
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for record in csv.reader(handle):
                    rows.append([cell_text(c) for c in record[:MAX_SHEET_COLUMNS]])
                    if len(rows) > MAX_SHEET_ROWS:
                        break
        except UnicodeDecodeError:
            raise ScenarioError(
                "the CSV is not UTF-8 text; save it as UTF-8", where=where
            ) from None
        except (OSError, csv.Error) as exc:
            raise ScenarioError(f"cannot read the CSV ({exc})", where=where) from None
    else:
        rows = _xlsx_rows(path, what, sheet)
    if len(rows) > MAX_SHEET_ROWS:
        raise ScenarioError(
            f"more than {MAX_SHEET_ROWS:,} rows; a TPS sheet has one row per TPS", where=where
        )
    return rows


def _open_workbook(path: Path) -> Any:
    """The workbook, read-only with cached values (not formulas); a `ScenarioError` naming the
    file when it cannot be opened."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ScenarioError(
            f"cannot read the workbook ({type(exc).__name__}); save it again as .xlsx",
            where=str(path),
        ) from None


def _xlsx_rows(path: Path, what: str, name: str | None) -> list[list[str]]:
    """Rows of the workbook's worksheet `name` (default: its first), as values, not formulas
    (their cached results)."""
    where = str(path)
    book = _open_workbook(path)
    try:
        titles = [ws.title for ws in book.worksheets]  # not chart sheets: they hold no cells
        sheet = book[titles[0] if name is None else worksheet_named(titles, name, path, what)]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS):
            rows.append([cell_text(v) for v in values])
            if len(rows) > MAX_SHEET_ROWS:
                break
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise ScenarioError(
            f"cannot read the workbook ({type(exc).__name__}: {exc}); save it again as .xlsx",
            where=where,
        ) from None
    finally:
        book.close()
    return rows


def worksheet_named(names: list[str], name: str, path: Path, what: str) -> str:
    """The workbook's worksheet called `name` — exactly, else ignoring case and spaces (Excel
    itself treats 'dpt' and 'DPT' as the same sheet) — or an error listing the ones it has."""
    if name in names:
        return name
    close = [n for n in names if header_key(n) == header_key(name)]
    if len(close) == 1:
        return close[0]
    shown = ", ".join(repr(n) for n in names[:12]) + (", …" if len(names) > 12 else "")
    raise ScenarioError(
        f"{what}: the workbook has no worksheet {name!r}; its worksheets are {shown}",
        where=str(path),
    )


def find_header(
    cells: list[list[str]], wanted: dict[str, str], path: Path, what: str,
    sheet: str | None = None,
) -> tuple[int, dict[str, int]]:
    """The header row (0-based) and the column of each wanted field (field → header text).

    The header is the first of the top `HEADER_SEARCH_ROWS` rows holding every wanted header;
    when none does, the error names the headers missing from the row holding most of them.
    A header written twice in the header row is an error (which column would be meant?)."""
    want = {field: header_key(h) for field, h in wanted.items()}
    best, best_found = -1, -1
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) for c in row]
        found = sum(1 for k in want.values() if k in keys)
        if found == len(want):
            columns: dict[str, int] = {}
            for field, k in want.items():
                if keys.count(k) > 1:
                    raise ScenarioError(
                        f"column {wanted[field]!r} appears {keys.count(k)} times in the header; "
                        "rename one so the mapping names a single column",
                        where=str(path),
                        location=f"row {r + 1}",
                    )
                columns[field] = keys.index(k)
            return r, columns
        if found > best_found:
            best, best_found = r, found
    row = cells[best] if best >= 0 else []
    keys = [header_key(c) for c in row]
    missing = [wanted[f] for f, k in want.items() if k not in keys]
    seen = ", ".join(repr(c) for c in row if c)[:300] or "none"
    raise ScenarioError(
        f"{what}: no header row with column {', '.join(repr(m) for m in missing)} in the first "
        f"{HEADER_SEARCH_ROWS} rows (closest, row {best + 1}, has {seen}); fix the column "
        f"mapping or the header{other_sheets_hint(path, sheet)}",
        where=str(path),
    )


def worksheet_names(path: Path) -> list[str]:
    """The names of a workbook's worksheets, in tab order (chart sheets left out: they hold
    no cells); `[]` for a CSV. Raises `ScenarioError` for a workbook it cannot open."""
    if path.suffix.lower() != ".xlsx":
        return []
    book = _open_workbook(path)
    names = [ws.title for ws in book.worksheets]
    book.close()
    return names


def other_sheets_hint(path: Path, sheet: str | None = None) -> str:
    """For a workbook of several worksheets, which one was read and which others it has: a
    KPU file often opens on a cover or recap sheet, and the TPS table then lies further in."""
    try:
        names = worksheet_names(path)
    except ScenarioError:
        return ""  # its rows were read a moment ago; a hint is not worth an error of its own
    if len(names) < 2:
        return ""
    read = names[0] if sheet is None else worksheet_named(names, sheet, path, "")
    rest = [n for n in names if n != read]
    others = ", ".join(repr(n) for n in rest[:5]) + (", …" if len(rest) > 5 else "")
    return (
        f", or name the worksheet that holds the table (`sheet:` in the column mapping, "
        f"`planner init --sheet`; {read!r} was read, the workbook also has {others})"
    )


def read_mapped(
    path: Path, wanted: dict[str, str], what: str, sheet: str | None = None
) -> SheetRows:
    """The data rows under the header of the worksheet `sheet` (default: the first), as
    field → cell text. Empty rows are skipped; so are total rows (no TPS, and a cell saying
    'Jumlah' or 'Total'), listed in the result."""
    cells = read_cells(path, what, sheet)
    header, columns = find_header(cells, wanted, path, what, sheet)
    rows: list[tuple[int, dict[str, str]]] = []
    totals: list[int] = []
    for r in range(header + 1, len(cells)):
        row = cells[r]
        if not any(row):
            continue
        record = {f: (row[c] if c < len(row) else "") for f, c in columns.items()}
        if not record.get("tps_id") and any(header_key(c) in TOTAL_WORDS for c in row):
            totals.append(r + 1)
            continue
        rows.append((r + 1, record))
    headers = {f: cells[header][c] for f, c in columns.items()}
    return SheetRows(path, header + 1, headers, rows, totals)
