"""Load a scenario: YAML (safe loader) + optional CSV TPS tables, overrides, validation.

Every user mistake becomes a `ScenarioError` whose one line names the file, the location (a
YAML path such as ``voters.stages[1].service_min.cv`` or a CSV row and column) and what is
allowed. Nothing else escapes for bad input.
"""

from __future__ import annotations

import csv
import math
import types
import typing
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from planner.errors import ScenarioError
from planner.scenario.overrides import apply_overrides
from planner.scenario.resolved import Scenario, district_label
from planner.scenario.schema import ScenarioSpec
from planner.scenario.sections.region import Region
from planner.scenario.synth import generate_region, slug
from planner.scenario.tps import ACCESS_CODES, TpsTable

REQUIRED_COLUMNS = ("tps_id", "district", "village", "voters", "risk_class")
OPTIONAL_COLUMNS = ("lat", "lon", "booths", "access", "indicators")


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read, override, validate and resolve a scenario file.

    `overrides` are ``path.to.key=value`` strings (as ``--set``); the whole scenario is
    re-validated after they are applied. Raises `ScenarioError` for any user mistake.
    """
    file = Path(path)
    raw = read_yaml(file)
    data = apply_overrides(raw, list(overrides), where=str(file))
    spec = validate_spec(data, where=str(file))
    table = resolve_tps(spec, file.parent, where=str(file))
    return Scenario(spec=spec, tps=table, path=file)


def read_yaml(file: Path) -> dict[str, Any]:
    """The scenario file's top-level mapping."""
    if not file.exists():
        raise ScenarioError("file not found; check the path", where=str(file))
    if file.is_dir():
        raise ScenarioError("is a directory; give a scenario .yaml file", where=str(file))
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the file ({exc})", where=str(file)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(
            f"YAML syntax error: {problem}; fix the indentation or quoting there",
            where=str(file),
            location=where,
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            "the file must be a YAML mapping with at least name and region", where=str(file)
        )
    return data


def validate_spec(data: dict[str, Any], where: str | None = None) -> ScenarioSpec:
    """Validate raw data into a `ScenarioSpec`, turning the first error into one clear line."""
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise scenario_error_from(exc, data, where) from None


def scenario_error_from(exc: ValidationError, data: Any, where: str | None) -> ScenarioError:
    """The first validation error as a `ScenarioError` with a YAML path and a fix."""
    err = exc.errors(include_url=False)[0]
    loc = _yaml_path(err["loc"], data)
    kind = err["type"]
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, ") :]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        msg = f"unknown key {loc[-1]!r}" + (
            f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        )
    elif kind == "missing":
        msg = "required key is missing; add it"
    elif kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        msg = (
            f"unknown dist {ctx.get('tag')!r}; use one of fixed, exponential, lognormal, "
            "gamma, uniform, triangular"
        )
    elif kind == "literal_error":
        ctx = err.get("ctx") or {}
        msg = f"must be one of {ctx.get('expected')}, got {err.get('input')!r}"
    else:
        msg = _plain(msg, err.get("input"))
    return ScenarioError(msg, where=where, location=_label(loc) or None)


def _plain(msg: str, value: Any) -> str:
    replacements = {
        "Input should be ": "must be ",
        "String should have at least 1 character": "must not be empty",
        "List should have at least 1 item after validation, not 0": "must not be empty",
    }
    for old, new in replacements.items():
        msg = msg.replace(old, new)
    if msg.startswith("must be") and value is not None and not isinstance(value, dict | list):
        msg += f", got {value!r}"
    return msg


def _yaml_path(loc: tuple[Any, ...], data: Any) -> list[str | int]:
    """Drop pydantic's union tags from a location, keeping only real keys and indices."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            path.append(part)
            node = node[part] if -len(node) <= part < len(node) else None
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing key
            node = None
        # else: a union member tag such as 'lognormal' or 'function-after[...]': skip
    return path


def _is_tag(part: str) -> bool:
    return "[" in part or part in {
        "fixed",
        "exponential",
        "lognormal",
        "gamma",
        "uniform",
        "triangular",
        "int",
        "float",
        "str",
        "bool",
        "list",
        "dict",
        "literal['constant']",
        "ArrivalProfile",
        "none",
        "constrained-int",
        "constrained-float",
    }


def _label(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(path: list[str | int]) -> list[str]:
    """Field names of the model at `path` (for 'unknown key' messages)."""
    models: list[type[BaseModel]] = [ScenarioSpec]
    for part in path:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                nxt.extend(_models_in(field.annotation))
        models = nxt or models
    keys: list[str] = []
    for model in models:
        keys.extend(k for k in model.model_fields if k not in keys)
    return keys


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return _models_in(args[1])
    if origin in (list, tuple, typing.Union, types.UnionType, typing.Annotated) or args:
        for arg in args:
            out.extend(_models_in(arg))
    return out


def resolve_tps(spec: ScenarioSpec, base_dir: Path, where: str | None = None) -> TpsTable:
    """Build the scenario's TPS table: read each region's CSV or generate it from totals."""
    cap = spec.election.max_voters_per_tps
    rows_by_region: list[list[dict[str, Any]]] = []
    multi = spec.regions is not None
    for r_index, region in enumerate(spec.all_regions()):
        if region.tps_file is not None:
            csv_path = base_dir / region.tps_file
            rows = read_tps_csv(csv_path, spec, region)
        else:
            rows = generate_region(region, spec.risk, spec.seed, cap, spec.election.booths_per_tps)
        if multi:
            prefix = slug(region.name)
            for row in rows:
                row["tps_id"] = f"{prefix}-{row['tps_id']}"
        for row in rows:
            row["region"] = region.name
            row["region_index"] = r_index
        rows_by_region.append(rows)
    all_rows = [row for rows in rows_by_region for row in rows]
    if not all_rows:
        raise ScenarioError("the scenario has no TPS", where=where, location="region")
    seen: dict[str, int] = {}
    for row in all_rows:
        if row["tps_id"] in seen:
            raise ScenarioError(
                f"TPS id {row['tps_id']!r} appears twice; TPS ids must be unique",
                where=where,
                location="region",
            )
        seen[str(row["tps_id"])] = 1
    return build_table(spec, all_rows)


def build_table(spec: ScenarioSpec, rows: list[dict[str, Any]]) -> TpsTable:
    """Encode row dicts into a columnar `TpsTable`."""
    multi = spec.regions is not None
    region_names = tuple(r.name for r in spec.all_regions())
    district_names: list[str] = []
    district_region: list[int] = []
    village_names: list[str] = []
    village_district: list[int] = []
    d_index: dict[str, int] = {}
    v_index: dict[tuple[int, str], int] = {}
    districts = np.empty(len(rows), dtype=np.int64)
    villages = np.empty(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        label = (
            district_label(spec, str(row["region"]), str(row["district"]))
            if multi
            else str(row["district"])
        )
        if label not in d_index:
            d_index[label] = len(district_names)
            district_names.append(label)
            district_region.append(int(row["region_index"]))
        d = d_index[label]
        key = (d, str(row["village"]))
        if key not in v_index:
            v_index[key] = len(village_names)
            village_names.append(str(row["village"]))
            village_district.append(d)
        districts[i] = d
        villages[i] = v_index[key]
    class_names = tuple(spec.risk.classes)
    c_index = {n: k for k, n in enumerate(class_names)}
    return TpsTable(
        tps_id=tuple(str(r["tps_id"]) for r in rows),
        region_names=region_names,
        region=np.array([int(r["region_index"]) for r in rows], dtype=np.int64),
        district_names=tuple(district_names),
        district=districts,
        district_region=np.array(district_region, dtype=np.int64),
        village_names=tuple(village_names),
        village=villages,
        village_district=np.array(village_district, dtype=np.int64),
        class_names=class_names,
        risk_class=np.array([c_index[str(r["risk_class"])] for r in rows], dtype=np.int64),
        voters=np.array([int(r["voters"]) for r in rows], dtype=np.int64),
        booths=np.array([int(r["booths"]) for r in rows], dtype=np.int64),
        access=np.array([ACCESS_CODES.index(str(r["access"])) for r in rows], dtype=np.int64),
        lat=np.array([r.get("lat", math.nan) for r in rows], dtype=np.float64),
        lon=np.array([r.get("lon", math.nan) for r in rows], dtype=np.float64),
        indicators=np.array([int(r.get("indicators", 0)) for r in rows], dtype=np.int64),
    )


def read_tps_csv(path: Path, spec: ScenarioSpec, region: Region) -> list[dict[str, Any]]:
    """Rows of a TPS table CSV, each value checked; errors name the row and column."""
    where = str(path)
    if not path.exists():
        raise ScenarioError(
            "TPS table not found; region.tps_file is resolved relative to the scenario file",
            where=where,
        )
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise ScenarioError(
                    f"missing column {', '.join(missing)}; required columns: "
                    f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})",
                    where=where,
                    location="header",
                )
            unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
            if unknown:
                raise ScenarioError(
                    f"unknown column {', '.join(unknown)}; allowed: "
                    f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}",
                    where=where,
                    location="header",
                )
            raw_rows = [
                {(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ScenarioError(f"cannot read the CSV ({exc})", where=where) from None
    if not raw_rows:
        raise ScenarioError("the TPS table has no rows", where=where)
    cap = spec.election.max_voters_per_tps
    known_classes = set(spec.risk.classes)
    districts = {d.name: d for d in region.districts or []}
    rows: list[dict[str, Any]] = []
    for n, raw in enumerate(raw_rows, start=2):

        def bad(column: str, what: str, n: int = n) -> ScenarioError:
            return ScenarioError(what, where=where, location=f"row {n}, column {column}")

        for column in REQUIRED_COLUMNS:
            if not raw.get(column):
                raise bad(column, "empty value; every TPS needs " + column)
        row: dict[str, Any] = {
            "tps_id": raw["tps_id"],
            "district": raw["district"],
            "village": raw["village"],
        }
        row["voters"] = _int(raw["voters"], lambda w: bad("voters", w))
        if not 1 <= row["voters"] <= cap:
            raise bad(
                "voters",
                f"{row['voters']} voters; must be between 1 and the "
                f"{spec.election.kind} cap of {cap}",
            )
        if raw["risk_class"] not in known_classes:
            raise bad(
                "risk_class",
                f"unknown class {raw['risk_class']!r}; known in risk.classes: "
                f"{', '.join(spec.risk.classes)}",
            )
        row["risk_class"] = raw["risk_class"]
        if districts and raw["district"] not in districts:
            raise bad(
                "district",
                f"kecamatan {raw['district']!r} is not in region.districts "
                f"({', '.join(districts)})",
            )
        booths = raw.get("booths") or ""
        row["booths"] = (
            _int(booths, lambda w: bad("booths", w)) if booths else spec.election.booths_per_tps
        )
        if row["booths"] < 1:
            raise bad("booths", f"{row['booths']} booths; a TPS needs at least 1")
        access = raw.get("access") or (
            districts[raw["district"]].access if raw["district"] in districts else "road"
        )
        if access not in ACCESS_CODES:
            raise bad("access", f"{access!r}; must be one of {', '.join(ACCESS_CODES)}")
        row["access"] = access
        for column, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
            text = raw.get(column) or ""
            if text:
                value = _float(text, lambda w, c=column: bad(c, w))
                if not low <= value <= high:
                    raise bad(column, f"{value} is outside {low}..{high} decimal degrees")
                row[column] = value
        if ("lat" in row) != ("lon" in row):
            raise bad("lat" if "lat" not in row else "lon", "give both lat and lon, or neither")
        text = raw.get("indicators") or ""
        row["indicators"] = _int(text, lambda w: bad("indicators", w)) if text else 0
        if row["indicators"] < 0:
            raise bad("indicators", "must be ≥ 0")
        rows.append(row)
    if districts:
        for name, d in districts.items():
            got = [r for r in rows if r["district"] == name]
            if len(got) != d.tps or sum(r["voters"] for r in got) != d.voters:
                raise ScenarioError(
                    f"kecamatan {name!r} has {len(got)} TPS and {sum(r['voters'] for r in got)} "
                    f"voters in the table but region.districts says {d.tps} TPS and {d.voters} "
                    "voters; make them agree or drop districts",
                    where=where,
                )
    return rows


def _int(text: str, bad: Any) -> int:
    try:
        return int(text)
    except ValueError:
        raise bad(f"{text!r} is not a whole number") from None


def _float(text: str, bad: Any) -> float:
    try:
        value = float(text)
    except ValueError:
        raise bad(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise bad(f"{text!r} is not a finite number")
    return value
