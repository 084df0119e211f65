"""TPS rows from a mapped sheet (`region.tps_columns`) and from a TPS-rawan sheet
(`region.rawan_file`), with every problem of every row reported at once.

The rows have the shape `planner.scenario.load.build_table` takes, so a sheet and the
equivalent contract CSV give the same TPS table.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from planner.errors import ScenarioError, ScenarioProblems, UserError
from planner.scenario.schema import ScenarioSpec
from planner.scenario.sections.base import MAX_NAME_LENGTH, printable_name
from planner.scenario.sections.region import RawanColumns, Region, TpsColumns
from planner.scenario.sheets import (
    NameMatcher,
    SheetRows,
    header_key,
    name_key,
    read_mapped,
    tps_number,
)
from planner.scenario.tps import ACCESS_CODES

DEFAULT_CLASS = "kurang_rawan"
"""The class of a TPS whose sheet gives none: most TPS are kurang rawan (95.8% in Kalsel,
Pemilu 2024; 98.8% in Sleman, Pilkada 2024 — facts §3.2)."""

NO_MARKS = frozenset({"", "0", "-", "tidak", "tdk", "no", "false", "n"})
"""Cells of an indicator column that mean 'not met'; any other mark ('v', '✓', '1', 'ya')
means met."""


class Problems:
    """Problems of one sheet, collected so all are reported together."""

    def __init__(self, path: Path):
        self.where = str(path)
        self.items: list[UserError] = []

    def add(self, row: int, column: str, message: str) -> None:
        """Note a problem at a row (1-based, as the spreadsheet numbers it) and column header."""
        self.items.append(
            ScenarioError(message, where=self.where, location=f"row {row}, column {column!r}")
        )

    def raise_if_any(self) -> None:
        """Raise every problem noted, one line each."""
        if self.items:
            raise ScenarioProblems(self.items)


def district_matcher(region: Region) -> NameMatcher:
    """Kecamatan names a sheet's rows must match: the scenario's, else learnt from the sheet."""
    if region.districts is not None:
        return NameMatcher([d.name for d in region.districts])
    if region.district_names is not None:
        return NameMatcher(list(region.district_names))
    return NameMatcher()


def class_of(text: str, known: list[str]) -> str | None:
    """The risk class `text` names ('Sangat Rawan', 'sangat_rawan', 'KHUSUS'), or None."""
    key = re.sub(r"[\W_]+", "_", text.casefold()).strip("_")
    return key if key in known else None


def whole(text: str) -> int | None:
    """`text` as a whole number ('523', '523.0'); None when it is not one."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or not value.is_integer() or abs(value) > 2**53:
        return None
    return int(value)


def read_tps_sheet(
    path: Path, spec: ScenarioSpec, region: Region, columns: TpsColumns
) -> list[dict[str, Any]]:
    """Rows of a TPS sheet read through its column mapping; raises `ScenarioProblems` with
    one line per bad cell or unmatched name."""
    sheet = read_mapped(path, columns.mapped(), "the TPS sheet", columns.sheet)
    if not sheet.rows:
        raise ScenarioError(
            f"the TPS sheet has no rows under its header (row {sheet.header_row})",
            where=str(path),
        )
    problems = Problems(path)
    head = sheet.headers
    districts = district_matcher(region)
    for _, raw in sheet.rows:
        if raw["district"]:
            districts.learn(raw["district"])
    districts.resolve()
    villages: dict[str, NameMatcher] = {}
    parsed: list[tuple[int, dict[str, str], str]] = []
    for n, raw in sheet.rows:
        ok = True
        for field in ("tps_id", "district", "village", "voters"):
            if not raw[field]:
                problems.add(n, head[field], f"empty; every TPS needs its {field}")
                ok = False
        for field in ("tps_id", "district", "village"):
            if raw[field] and not _printable(raw[field], n, head[field], problems):
                ok = False
        if not ok:
            continue
        district = districts.match(raw["district"])
        if district is None:
            problems.add(
                n,
                head["district"],
                f"kecamatan {raw['district']!r} matches none of {districts.shown()}"
                f"{districts.suggestion(raw['district'])}; fix the spelling in the sheet or "
                "in region.district_names",
            )
            continue
        villages.setdefault(district, NameMatcher()).learn(raw["village"])
        parsed.append((n, raw, district))
    for matcher in villages.values():
        matcher.resolve()
    unmatched = bool(problems.items)  # a misspelt row may be the listed kecamatan's TPS
    for name in region.district_names or []:
        if name not in villages and not unmatched:
            problems.items.append(
                ScenarioError(
                    f"kecamatan {name!r} of region.district_names has no TPS in the sheet; "
                    "remove it there or add its TPS",
                    where=problems.where,
                )
            )
    by_district = {d.name: d for d in region.districts or []}
    cap = spec.election.max_voters_per_tps
    known = list(spec.risk.classes)
    rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for n, raw, district in parsed:
        village = villages[district].match(raw["village"])
        assert village is not None  # learnt above
        if columns.tps_numbered_per_village:
            number = tps_number(raw["tps_id"])
            if number is None:
                problems.add(
                    n,
                    head["tps_id"],
                    f"{raw['tps_id']!r} is not a TPS number (e.g. 1 or 'TPS 001')",
                )
                continue
            tps_id = f"{district} / {village} / TPS {number:03d}"
        else:
            tps_id = raw["tps_id"]
        if tps_id in first_row:
            problems.add(
                n,
                head["tps_id"],
                f"TPS {tps_id!r} is already in row {first_row[tps_id]}; every TPS appears once",
            )
            continue
        first_row[tps_id] = n
        row: dict[str, Any] = {"tps_id": tps_id, "district": district, "village": village}
        voters = whole(raw["voters"])
        if voters is None:
            problems.add(n, head["voters"], f"{raw['voters']!r} is not a whole number of voters")
        elif not 1 <= voters <= cap:
            problems.add(
                n,
                head["voters"],
                f"{voters} voters; must be between 1 and the {spec.election.kind} cap of {cap}",
            )
        row["voters"] = voters
        row["risk_class"] = DEFAULT_CLASS if DEFAULT_CLASS in known else known[0]
        text = raw.get("risk_class", "")
        if text:
            cls = class_of(text, known)
            if cls is None:
                problems.add(
                    n, head["risk_class"], f"unknown class {text!r}; known: {', '.join(known)}"
                )
            row["risk_class"] = cls
        text = raw.get("booths", "")
        row["booths"] = spec.election.booths_per_tps
        if text:
            booths = whole(text)
            if booths is None or booths < 1:
                problems.add(n, head["booths"], f"{text!r} booths; give a whole number ≥ 1")
            row["booths"] = booths
        access = raw.get("access", "").casefold() or (
            by_district[district].access if district in by_district else "road"
        )
        if access not in ACCESS_CODES:
            problems.add(n, head["access"], f"{access!r}; must be one of {', '.join(ACCESS_CODES)}")
        row["access"] = access
        for field, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
            text = raw.get(field, "")
            if text:
                try:
                    value = float(text.replace(",", "."))
                except ValueError:
                    value = math.nan
                if not low <= value <= high:
                    problems.add(
                        n, head[field], f"{text!r} is not a number in {low}..{high} degrees"
                    )
                row[field] = value
        if ("lat" in row) != ("lon" in row):
            missing = "lat" if "lat" not in row else "lon"
            problems.add(n, head.get(missing, missing), "give both lat and lon, or neither")
        text = raw.get("indicators", "")
        row["indicators"] = 0
        if text:
            count = whole(text)
            if count is None or count < 0:
                problems.add(n, head["indicators"], f"{text!r}; give a whole number ≥ 0")
            row["indicators"] = count
        rows.append(row)
    problems.raise_if_any()
    check_district_totals(rows, region, path)
    return rows


def _printable(text: str, n: int, column: str, problems: Problems) -> bool:
    try:
        printable_name(text)
    except ValueError as exc:
        problems.add(n, column, str(exc))
        return False
    if len(text) > MAX_NAME_LENGTH:
        problems.add(n, column, f"longer than {MAX_NAME_LENGTH} characters")
        return False
    return True


def check_district_totals(rows: list[dict[str, Any]], region: Region, path: Path) -> None:
    """When the scenario also gives kecamatan totals, the sheet must agree with them."""
    problems: list[UserError] = []
    for d in region.districts or []:
        got = [r for r in rows if r["district"] == d.name]
        voters = sum(int(r["voters"]) for r in got)
        if len(got) != d.tps or voters != d.voters:
            problems.append(
                ScenarioError(
                    f"kecamatan {d.name!r} has {len(got)} TPS and {voters} voters in the table "
                    f"but region.districts says {d.tps} TPS and {d.voters} voters; make them "
                    "agree or drop districts",
                    where=str(path),
                )
            )
    if problems:
        raise ScenarioProblems(problems)


def apply_rawan(
    rows: list[dict[str, Any]],
    path: Path,
    spec: ScenarioSpec,
    columns: RawanColumns,
    per_village: bool,
    where: str | None = None,
) -> None:
    """Set the indicator count (and, with a class column, the risk class) of every TPS the
    TPS-rawan sheet lists; every row naming no TPS of the table is a problem."""
    wanted = columns.mapped()
    marks = {f"indicator {i + 1}": h for i, h in enumerate(columns.indicator_columns)}
    if per_village and (columns.district is None or columns.village is None):
        raise ScenarioError(
            "the TPS sheet numbers TPS per village, so the TPS-rawan sheet needs its kecamatan "
            "and kelurahan columns: give rawan_columns.district and rawan_columns.village",
            where=where,
            location="region.rawan_columns",
        )
    sheet: SheetRows = read_mapped(
        path, {**wanted, **marks}, "the TPS-rawan sheet", columns.sheet
    )
    problems = Problems(path)
    head = {**sheet.headers}
    districts = NameMatcher(list(dict.fromkeys(str(r["district"]) for r in rows)))
    villages: dict[str, NameMatcher] = {}
    for r in rows:
        villages.setdefault(str(r["district"]), NameMatcher()).learn(str(r["village"]))
    for matcher in villages.values():
        matcher.resolve()
    by_id = {str(r["tps_id"]): r for r in rows}
    loose = {header_key(k): v for k, v in by_id.items()}
    known = list(spec.risk.classes)
    seen: dict[str, int] = {}
    for n, raw in sheet.rows:
        target = _rawan_target(
            n, raw, head, per_village, districts, villages, by_id, loose, problems
        )
        if target is None:
            continue
        tps = str(target["tps_id"])
        if tps in seen:
            problems.add(n, head["tps_id"], f"TPS {tps!r} is already listed in row {seen[tps]}")
            continue
        seen[tps] = n
        text = raw.get("risk_class", "")
        if text:
            cls = class_of(text, known)
            if cls is None:
                problems.add(
                    n, head["risk_class"], f"unknown class {text!r}; known: {', '.join(known)}"
                )
            else:
                target["risk_class"] = cls
        elif columns.risk_class is not None:
            problems.add(n, head["risk_class"], "empty; give the TPS's class")
        if columns.indicators is not None:
            count = whole(raw["indicators"] or "0")
            if count is None or count < 0:
                problems.add(
                    n, head["indicators"], f"{raw['indicators']!r}; give a whole number ≥ 0"
                )
            else:
                target["indicators"] = count
        elif marks:
            target["indicators"] = sum(
                1 for key in marks if raw[key].strip().casefold() not in NO_MARKS
            )
    problems.raise_if_any()


def _rawan_target(
    n: int,
    raw: dict[str, str],
    head: dict[str, str],
    per_village: bool,
    districts: NameMatcher,
    villages: dict[str, NameMatcher],
    by_id: dict[str, dict[str, Any]],
    loose: dict[str, dict[str, Any]],
    problems: Problems,
) -> dict[str, Any] | None:
    """The TPS row a TPS-rawan row names, or None (with the problem noted)."""
    if not raw["tps_id"]:
        problems.add(n, head["tps_id"], "empty; every row names a TPS")
        return None
    if not per_village:
        target = by_id.get(raw["tps_id"]) or loose.get(header_key(raw["tps_id"]))
        if target is None:
            problems.add(n, head["tps_id"], f"TPS {raw['tps_id']!r} is not in the TPS sheet")
        return target
    district = districts.match(raw["district"])
    if district is None:
        problems.add(
            n,
            head["district"],
            f"kecamatan {raw['district']!r} is not in the TPS sheet "
            f"({districts.shown()}){districts.suggestion(raw['district'])}",
        )
        return None
    village = villages[district].match(raw["village"])
    if village is None:
        problems.add(
            n,
            head["village"],
            f"kelurahan/desa {raw['village']!r} is not in kecamatan {district!r} of the TPS "
            f"sheet ({villages[district].shown()}){villages[district].suggestion(raw['village'])}",
        )
        return None
    number = tps_number(raw["tps_id"])
    key = f"{district} / {village} / TPS {number:03d}" if number is not None else ""
    if key not in by_id:
        problems.add(
            n,
            head["tps_id"],
            f"TPS {raw['tps_id']!r} of {village}, {district} is not in the TPS sheet",
        )
        return None
    return by_id[key]


__all__ = ["apply_rawan", "class_of", "name_key", "read_tps_sheet", "whole"]
