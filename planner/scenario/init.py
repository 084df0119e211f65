"""`planner init`: a scenario file for a new region, written from its TPS sheet.

The sheet's columns are recognised by the Indonesian (and English) headers KPU recaps and
Bawaslu TPS-rawan lists use; what the sheet gives (region name, file, column mapping, the
kecamatan as spelled) is written as values, and every other key of the scenario as a
commented line holding its default and its description (where the description's source is
stated), so a planner sees what the model assumes and can change it by uncommenting a line.
"""

from __future__ import annotations

import json
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from planner.errors import ScenarioError, UserError
from planner.scenario.distributions import _Dist
from planner.scenario.load import load_scenario, resolve_tps, validate_spec
from planner.scenario.reference import _default_value, _is_model_collection, _plain_default
from planner.scenario.resolved import Scenario
from planner.scenario.schema import ScenarioSpec
from planner.scenario.sections.region import RawanColumns, TpsColumns
from planner.scenario.sheets import (
    HEADER_SEARCH_ROWS,
    header_key,
    other_sheets_hint,
    read_cells,
    tps_number,
)
from planner.scenario.tps_sheet import NO_MARKS

TPS_HEADERS: dict[str, tuple[str, ...]] = {
    "tps_id": ("no tps", "no. tps", "nomor tps", "tps", "kode tps", "tps_id", "id tps"),
    "district": ("kecamatan", "nama kecamatan", "kec", "kec.", "district"),
    "village": (
        "kelurahan/desa",
        "desa/kelurahan",
        "kel/desa",
        "desa/kel",
        "kelurahan",
        "desa",
        "nama kelurahan",
        "nama desa",
        "village",
    ),
    "voters": (
        "jumlah dpt",
        "total dpt",
        "dpt (l+p)",
        "dpt l+p",
        "jumlah pemilih",
        "jumlah",
        "dpt",
        "voters",
    ),
    "risk_class": (
        "kategori",
        "kategori kerawanan",
        "tingkat kerawanan",
        "klasifikasi",
        "risk_class",
    ),
    "booths": ("jumlah bilik", "bilik", "booths"),
    "access": ("akses", "access"),
    "lat": ("lintang", "latitude", "lat"),
    "lon": ("bujur", "longitude", "long", "lon"),
    "indicators": ("jumlah indikator", "indikator", "indicators"),
}
"""Headers recognised per field, in order of preference (compared as `header_key`)."""

RAWAN_FIELDS = ("tps_id", "district", "village", "risk_class", "indicators")
SERIAL_HEADERS = frozenset({"no", "no.", "nomor", "no urut"})
"""Row-number columns ('No'), which are not indicators."""
INDICATOR_MARKS = NO_MARKS | {"v", "y", "ya", "x", "1", "✓", "√", "✔", "yes", "true"}
"""What an indicator column's cells may hold for `planner init` to take it for one."""


@dataclass
class InitResult:
    """What `planner init` wrote and found."""

    out: Path
    scenario: Scenario
    tps_columns: dict[str, Any]
    rawan_columns: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)


def detect_columns(
    cells: list[list[str]],
    fields: tuple[str, ...],
    required: tuple[str, ...],
    path: Path,
    what: str,
    worksheet: str | None = None,
) -> tuple[int, dict[str, str]]:
    """The header row (0-based) and field → header text, recognised from `TPS_HEADERS`
    (`worksheet`: the one the cells come from, for the error's hint)."""
    best_row, best_map = -1, dict[str, str]()
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) for c in row]
        found: dict[str, str] = {}
        used: set[int] = set()
        for f in fields:
            for synonym in TPS_HEADERS[f]:
                if synonym in keys and keys.index(synonym) not in used:
                    found[f] = row[keys.index(synonym)]
                    used.add(keys.index(synonym))
                    break
        if len(found) > len(best_map):
            best_row, best_map = r, found
    missing = [f for f in required if f not in best_map]
    if missing:
        seen = ", ".join(repr(c) for c in cells[best_row] if c)[:300] if best_row >= 0 else ""
        hint = " ".join(f"--column {f}=HEADER" for f in missing)
        raise ScenarioError(
            f"{what}: found no column for {', '.join(missing)} (recognised headers: "
            + "; ".join(f"{f}: {', '.join(TPS_HEADERS[f][:3])}" for f in missing)
            + (f"; closest header row {best_row + 1} has {seen or 'nothing'}" if best_row >= 0
               else f"; none of them in the first {HEADER_SEARCH_ROWS} rows")
            + f"); name it with {hint}"
            + other_sheets_hint(path, worksheet),
            where=str(path),
        )
    return best_row, best_map


def _numbered_per_village(cells: list[list[str]], header: int, mapping: dict[str, str]) -> bool:
    """True when the sheet's TPS numbers repeat across kelurahan (KPU numbers TPS from 1 in
    each kelurahan)."""
    keys = [header_key(c) for c in cells[header]]
    col = {f: keys.index(header_key(h)) for f, h in mapping.items()}
    places: dict[str, set[tuple[str, str]]] = {}
    for row in cells[header + 1 :]:
        if len(row) <= max(col["tps_id"], col["district"], col["village"]):
            continue
        tps = row[col["tps_id"]]
        if tps_number(tps) is None:
            continue
        place = (header_key(row[col["district"]]), header_key(row[col["village"]]))
        places.setdefault(str(tps_number(tps)), set()).add(place)
    return any(len(p) > 1 for p in places.values())


def _rawan_mapping(
    cells: list[list[str]], path: Path, per_village: bool, worksheet: str | None = None
) -> dict[str, Any]:
    """The TPS-rawan sheet's column mapping: TPS, place, class and count columns by header,
    and as indicator columns every other column whose cells are all marks."""
    required = ("tps_id", "district", "village") if per_village else ("tps_id",)
    header, mapping = detect_columns(
        cells, RAWAN_FIELDS, required, path, "the TPS-rawan sheet", worksheet
    )
    taken = {header_key(h) for h in mapping.values()}
    data = [r for r in cells[header + 1 :] if any(r)]
    marks: list[str] = []
    for c, text in enumerate(cells[header]):
        key = header_key(text)
        if not key or key in taken or key in SERIAL_HEADERS:
            continue
        values = [header_key(r[c]) if c < len(r) else "" for r in data]
        if all(v in INDICATOR_MARKS for v in values) and any(values):
            marks.append(text)
    out: dict[str, Any] = dict(mapping)
    if "indicators" not in out and marks:
        out["indicator_columns"] = marks
    if "risk_class" not in out and "indicators" not in out and not marks:
        raise ScenarioError(
            "the TPS-rawan sheet: found no class column (Kategori), no count column (Jumlah "
            "Indikator) and no indicator columns marked v/1/ya; check the sheet"
            + other_sheets_hint(path, worksheet),
            where=str(path),
        )
    return out


def _relative(target: Path, folder: Path) -> str:
    """`target` as written in a scenario in `folder` (relative, forward slashes)."""
    return Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()


def init_scenario(
    sheet: Path,
    name: str,
    out: Path,
    rawan: Path | None = None,
    columns: dict[str, str] | None = None,
    force: bool = False,
    worksheet: str | None = None,
    rawan_worksheet: str | None = None,
) -> InitResult:
    """Write a scenario for region `name` from its TPS sheet (and TPS-rawan sheet) to `out`,
    then load it as every command would. `worksheet` and `rawan_worksheet` name the sheets
    of the workbooks that hold the tables (default: each one's first); the scenario keeps
    them (`sheet:` in its column mappings). Raises `UserError` for a sheet it cannot read."""
    if out.exists() and not force:
        raise UserError(f"{out} exists; choose another --out or give --force to replace it")
    cells = read_cells(sheet, "the TPS sheet", worksheet)
    fields = tuple(TPS_HEADERS)
    given = dict(columns or {})
    for key in given:
        if key not in fields:
            raise UserError(f"--column {key}=...: unknown field; fields: {', '.join(fields)}")
    header, found = detect_columns(
        cells,
        fields,
        tuple(f for f in ("tps_id", "district", "village", "voters") if f not in given),
        sheet,
        "the TPS sheet",
        worksheet,
    )
    headers = {header_key(c) for c in cells[header]}
    for key, text in given.items():
        if header_key(text) not in headers:
            shown = ", ".join(repr(c) for c in cells[header] if c)[:300]
            raise UserError(
                f"--column {key}={text!r}: the header row (row {header + 1}) has no such "
                f"column; it has {shown}",
                where=str(sheet),
            )
    mapping: dict[str, Any] = {**found, **given}
    mapping["tps_numbered_per_village"] = _numbered_per_village(cells, header, mapping)
    if worksheet is not None:
        mapping["sheet"] = worksheet
    TpsColumns.model_validate(mapping)
    folder = out.parent
    region: dict[str, Any] = {
        "name": name,
        "tps_file": _relative(sheet, folder),
        "tps_columns": mapping,
    }
    rawan_map: dict[str, Any] | None = None
    if rawan is not None:
        rawan_map = _rawan_mapping(
            read_cells(rawan, "the TPS-rawan sheet", rawan_worksheet),
            rawan,
            mapping["tps_numbered_per_village"],
            rawan_worksheet,
        )
        if rawan_worksheet is not None:
            rawan_map["sheet"] = rawan_worksheet
        region["rawan_file"] = _relative(rawan, folder)
        region["rawan_columns"] = rawan_map
        RawanColumns.model_validate(rawan_map)
    data: dict[str, Any] = {"name": name, "region": region}
    where = str(out)
    out.parent.mkdir(parents=True, exist_ok=True)  # the relative paths pass through it
    spec = validate_spec(data, where=where)
    table = resolve_tps(spec, folder, where=where)
    region["district_names"] = list(table.district_names)
    text = scenario_text(data, sheet, rawan, len(table), len(table.village_names))
    from planner.files import atomic_write_text

    atomic_write_text(out, text)
    scenario = load_scenario(out)
    notes = [
        f"{len(table)} TPS in {len(table.district_names)} kecamatan and "
        f"{len(table.village_names)} kelurahan/desa, {int(table.voters.sum()):,} voters",
        ("" if worksheet is None else f"worksheet {worksheet!r}: ")
        + "columns: "
        + ", ".join(f"{k} ← {v!r}" for k, v in mapping.items() if isinstance(v, str)
                    and k != "sheet"),
    ]
    if rawan_map is not None:
        flagged = int((table.indicators > 0).sum())
        notes.append(
            f"TPS-rawan sheet: {flagged} TPS with indicators; classes "
            + ", ".join(f"{k} {v}" for k, v in table.count_by_class().items() if v)
        )
    return InitResult(out, scenario, mapping, rawan_map, notes)


def scenario_text(
    data: dict[str, Any], sheet: Path, rawan: Path | None, tps: int, villages: int
) -> str:
    """The scenario file: a header, the values the sheets give, every default commented."""
    sources = sheet.name + (f" and {rawan.name}" if rawan is not None else "")
    lines = [
        f"# {data['name']} — written by `planner init` from {sources}.",
        f"# The sheet gives the TPS ({tps} TPS in {villages} kelurahan/desa): its file, its column",
        "# mapping and the kecamatan as this scenario spells them (region.district_names; a row",
        "# naming another kecamatan is reported). Check the numbers in the sheet yourself: the",
        "# tool reads them as given.",
        "# Every other key takes the default shown commented below, with its description and",
        '# source ("facts §N" = reference/pilkada-facts.md, "(est.)" = an estimate; full',
        "# reference: docs/scenario-reference.md). To change one, uncomment it and its section",
        "# line. Then: planner validate THIS_FILE; planner simulate THIS_FILE -r 10",
        "",
    ]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=96)
    lines += [body.rstrip(), ""]
    for name, info in ScenarioSpec.model_fields.items():
        if name in data or name == "regions":
            continue
        lines += _commented(ScenarioSpec, name, info.description or "", 0)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _commented(model: type[BaseModel], name: str, description: str, depth: int) -> list[str]:
    """Commented lines of one top-level key's default."""
    value = _default_value(model, name)
    dumped = (
        value.model_dump(mode="json")
        if isinstance(value, BaseModel)
        else _plain_default(model.model_fields[name])
    )
    return _commented_value(name, value, dumped, description, depth)


def _commented_value(name: str, value: Any, dumped: Any, description: str, depth: int) -> list[str]:
    """Commented lines of a default value (a section: its own keys, recursively); `dumped`
    is the value as a file writes it (clock times as "HH:MM")."""
    pad = "  " * depth
    desc = " ".join(description.split())
    note = f"  # {desc}" if desc else ""
    if isinstance(value, BaseModel) and not isinstance(value, _Dist):
        lines = [f"# {pad}{name}:{note}"]
        for key, info in type(value).model_fields.items():
            lines += _commented_value(
                key, getattr(value, key), dumped[key], info.description or "", depth + 1
            )
        return lines
    if _is_model_collection(value):
        return [
            f"# {pad}{name}: ...{note} ({len(value)} entries by default: see "
            "docs/scenario-reference.md, 'Defaults of lists and mappings')"
        ]
    return [f"# {pad}{name}: {json.dumps(dumped, ensure_ascii=False)}{note}"]


def parse_columns(items: typing.Iterable[str]) -> dict[str, str]:
    """``FIELD=HEADER`` options as a mapping; UserError for an item without '='."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UserError(f"--column {item!r}: write FIELD=HEADER, e.g. voters='Jumlah DPT'")
        out[key.strip()] = value.strip()
    return out
