"""Load a scenario: YAML (safe loader) + optional CSV TPS tables, overrides, validation.

Every user mistake becomes a `ScenarioError` whose one line names the file, the location (a
YAML path such as ``voters.stages[1].service_min.cv`` or a CSV row and column) and what is
allowed. Nothing else escapes for bad input.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from planner.errors import ScenarioError
from planner.scenario.messages import scenario_error_from
from planner.scenario.overrides import apply_overrides
from planner.scenario.resolved import Scenario, district_label
from planner.scenario.schema import ScenarioSpec
from planner.scenario.sections.base import MAX_NAME_LENGTH, printable_name
from planner.scenario.sections.region import Region
from planner.scenario.sections.security import default_security
from planner.scenario.sheets import MAX_TPS_TABLE_BYTES, check_file_size
from planner.scenario.synth import generate_region, slug
from planner.scenario.tps import ACCESS_CODES, TpsTable
from planner.scenario.tps_sheet import apply_rawan, read_tps_sheet

REQUIRED_COLUMNS = ("tps_id", "district", "village", "voters", "risk_class")
OPTIONAL_COLUMNS = ("lat", "lon", "booths", "access", "indicators")


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read, override, validate and resolve a scenario file.

    `overrides` are ``path.to.key=value`` strings (as ``--set``); the whole scenario is
    re-validated after they are applied. Raises `ScenarioError` for any user mistake.
    """
    file = Path(path)
    raw = merge_security_defaults(read_yaml(file))
    data = apply_overrides(raw, list(overrides), where=str(file))
    try:
        spec = validate_spec(data, where=str(file))
    except ScenarioError as exc:
        raise _blame_override(exc, overrides) from None
    table = resolve_tps(spec, file.parent, where=str(file))
    return Scenario(spec=spec, tps=table, path=file)


def _blame_override(exc: ScenarioError, overrides: list[str] | tuple[str, ...]) -> ScenarioError:
    """`exc`, saying so when the bad value came from a ``--set`` rather than the file."""
    for item in overrides:
        key = item.partition("=")[0].strip()
        loc = exc.location
        if loc is not None and (
            loc == key
            or loc.startswith((key + ".", key + "["))
            or key.startswith((loc + ".", loc + "["))
        ):
            return ScenarioError(
                f"{exc.message} (value from --set {item})", where=exc.where, location=exc.location
            )
    return exc


MAX_SCENARIO_BYTES = 2_000_000
"""Largest scenario file read, bytes (2 MB; the largest bundled scenario is about 10 kB, and a
TPS list belongs in region.tps_file). A bigger file is refused before it is parsed, which
for a 100 MB YAML file would otherwise take about a minute and gigabytes of memory."""
PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("null", "bool", "int", "float", "str", "map", "seq", "merge", "timestamp")
)
"""YAML tags a scenario may hold (those plain YAML values carry). Others are refused: !!set
(its order depends on PYTHONHASHSEED, so results would too), !!omap, !!pairs, !!binary and
every application tag such as !!python/object."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error.

    Plain PyYAML keeps the last value silently, so a second ``voters:`` block would quietly
    discard the first; a scenario should never lose data without a word.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag not in PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed; write "
                "plain YAML values (mappings, lists, numbers, text, true/false, null)",
                node.start_mark,
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges may be overridden by explicit keys
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in one mapping; keep one",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def read_yaml(file: Path) -> dict[str, Any]:
    """The scenario file's top-level mapping (safe loader; duplicate keys rejected)."""
    try:
        exists, is_dir = file.exists(), file.is_dir()
    except (OSError, ValueError):
        exists, is_dir = False, False
    if not exists:
        raise ScenarioError("file not found; check the path", where=str(file))
    if is_dir:
        raise ScenarioError("is a directory; give a scenario .yaml file", where=str(file))
    check_file_size(file, MAX_SCENARIO_BYTES, "the scenario file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(
            "the file is not UTF-8 text; save it as UTF-8", where=str(file)
        ) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror})", where=str(file)) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError):
            text = f"YAML: {problem}"  # duplicate keys, tags such as !!python/object
            if "twice" not in problem and "plain YAML" not in problem:
                text += "; write plain YAML values without tags"
        else:
            text = f"YAML syntax error: {problem}; fix the indentation, quoting or brackets"
        raise ScenarioError(text, where=str(file), location=where) from None
    except RecursionError:
        raise ScenarioError("the YAML nests too deeply", where=str(file)) from None
    if data is None:
        raise ScenarioError(
            "the file is empty; a scenario needs at least name and region", where=str(file)
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            f"the file holds a YAML {_yaml_kind(data)}; a scenario is a mapping with at least "
            "name and region",
            where=str(file),
        )
    return data


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return "number" if isinstance(value, int | float) else type(value).__name__


def merge_security_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """The raw data with the user's ``security`` mapping deep-merged onto the defaults.

    Pydantic replaces a whole section when the user gives it, and the security defaults
    (agencies, the pattern catalogue, the policy) are long, so a scenario that only wants to
    set its budgets or police strength would have to restate all of them. Instead a
    ``security`` mapping is merged key by key into `default_security()`: mappings merge
    recursively (``agencies.police.available_total`` changes one field of police and keeps
    the rest), while any other value — a number, a string, null, a list such as
    ``patterns`` or a policy's ``allowed`` — replaces the default outright. A scenario without
    ``security`` gets the defaults written out, so ``--set security.patterns[2].residual_harm=
    0.7`` can reach them. Anything that is not a mapping is left for validation to reject.
    """
    user = data.get("security", {})
    if not isinstance(user, dict):
        return data
    defaults = default_security().model_dump(mode="json")
    return {**data, "security": deep_merge(defaults, user)}


def deep_merge(base: Any, over: Any) -> Any:
    """`over` merged onto `base`: dicts merge key by key (recursively); anything else in
    `over` replaces what `base` has. Neither argument is modified."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = deep_merge(base[key], value) if key in base else value
        return out
    return over


def validate_spec(data: dict[str, Any], where: str | None = None) -> ScenarioSpec:
    """Validate raw scenario data into a `ScenarioSpec` as the loader does (security merged
    onto the defaults), turning the first error into one clear line naming `where`."""
    data = merge_security_defaults(data)
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise scenario_error_from(exc, data, where) from None


def resolve_tps(spec: ScenarioSpec, base_dir: Path, where: str | None = None) -> TpsTable:
    """Build the scenario's TPS table: read each region's CSV or generate it from totals."""
    cap = spec.election.max_voters_per_tps
    rows_by_region: list[list[dict[str, Any]]] = []
    multi = spec.regions is not None
    prefixes = region_prefixes([r.name for r in spec.all_regions()])
    for r_index, region in enumerate(spec.all_regions()):
        if region.tps_file is not None:
            csv_path = base_dir / region.tps_file
            try:
                found = csv_path.is_file()
            except (OSError, ValueError):
                found = False
            if not found:
                key = "region" if not multi else f"regions[{r_index}]"
                raise ScenarioError(
                    f"TPS table {str(csv_path)!r} not found; tps_file is resolved relative to "
                    "the scenario file",
                    where=where,
                    location=f"{key}.tps_file",
                )
            key = "region" if not multi else f"regions[{r_index}]"
            if region.tps_columns is not None:
                rows = read_tps_sheet(csv_path, spec, region, region.tps_columns)
            elif csv_path.suffix.lower() != ".csv":
                raise ScenarioError(
                    f"{region.tps_file!r} is not a .csv table, so give {key}.tps_columns (which "
                    "column holds what); `planner init SHEET` writes it",
                    where=where,
                    location=f"{key}.tps_file",
                )
            else:
                rows = read_tps_csv(csv_path, spec, region)
            if region.rawan_file is not None and region.rawan_columns is not None:
                per_village = (
                    region.tps_columns is not None and region.tps_columns.tps_numbered_per_village
                )
                apply_rawan(
                    rows,
                    base_dir / region.rawan_file,
                    spec,
                    region.rawan_columns,
                    per_village,
                    where=where,
                )
        else:
            rows = generate_region(region, spec.risk, spec.seed, cap, spec.election.booths_per_tps)
        if multi:
            for row in rows:
                row["tps_id"] = f"{prefixes[r_index]}-{row['tps_id']}"
        for row in rows:
            row["region"] = region.name
            row["region_index"] = r_index
        rows_by_region.append(rows)
    all_rows = [row for rows in rows_by_region for row in rows]
    if not all_rows:
        raise ScenarioError("the scenario has no TPS", where=where, location="region")
    seen: set[str] = set()
    for row in all_rows:
        if row["tps_id"] in seen:
            raise ScenarioError(
                f"TPS id {row['tps_id']!r} appears in two regions; give the regions names that "
                "differ in their letters and digits",
                where=where,
                location="regions",
            )
        seen.add(str(row["tps_id"]))
    table = build_table(spec, all_rows)
    check_table_references(spec, table, where)
    return table


def check_table_references(spec: ScenarioSpec, table: TpsTable, where: str | None) -> None:
    """What other sections say about kecamatan and booths must fit the TPS table: every
    kecamatan named by logistics.remote_districts or an agency's available_per_district
    exists, and every stage served per booth is staffable at the TPS with the most booths."""
    labels = list(table.district_names)
    bare = {label.split(" / ")[-1] for label in labels}
    shown = ", ".join(labels[:12]) + (", ..." if len(labels) > 12 else "")
    for i, name in enumerate(spec.logistics.remote_districts):
        if name not in labels and name not in bare:
            raise ScenarioError(
                f"unknown kecamatan {name!r}; kecamatan: {shown}",
                where=where,
                location=f"logistics.remote_districts[{i}]",
            )
    for agency, ag in spec.security.agencies.items():
        for name in ag.available_per_district:
            if name not in labels:
                raise ScenarioError(
                    f"unknown kecamatan {name!r}; kecamatan: {shown}",
                    where=where,
                    location=f"security.agencies.{agency}.available_per_district",
                )
    booths = int(table.booths.max())
    on_stages = spec.staff.kpps_per_tps - spec.staff.kpps_without_stage
    for k, stage in enumerate(spec.voters.stages):
        if stage.servers == "booths" and booths * stage.kpps_per_server > on_stages:
            tps = table.tps_id[int(np.argmax(table.booths))]
            raise ScenarioError(
                f"stage {stage.name!r} needs {booths} × {stage.kpps_per_server} KPPS at TPS "
                f"{tps!r} ({booths} booths) but a TPS has {on_stages} on stages; lower "
                "kpps_per_server or the booths",
                where=where,
                location=f"voters.stages[{k}].kpps_per_server",
            )


def region_prefixes(names: list[str]) -> list[str]:
    """TPS id prefixes for a multi-region scenario: the region's name in capitals without
    'Kabupaten'/'Kota', made unique by a number when two names give the same prefix (as
    'Kutai Barat' and 'Kutai Timur' would if cut short)."""
    bases = [slug(re.sub(r"^(kabupaten|kab\.?|kota)\s+", "", n.strip(), flags=re.I)) for n in names]
    out: list[str] = []
    for i, base in enumerate(bases):
        out.append(base if bases.count(base) == 1 else f"{base}{i + 1}")
    return out


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
    try:
        exists = path.is_file()
    except (OSError, ValueError):
        exists = False
    if not exists:
        raise ScenarioError(
            "TPS table not found (region.tps_file is resolved relative to the scenario file); "
            "check the name",
            where=where,
        )
    check_file_size(path, MAX_TPS_TABLE_BYTES, "the TPS table")
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
            raw_rows = []
            for n, record in enumerate(reader, start=2):
                if None in record:  # DictReader files surplus values under the key None
                    raise ScenarioError(
                        f"{len(header) + len(record[None])} values but the header has "
                        f"{len(header)} columns; remove the extra values or quote a value "
                        "that contains a comma",
                        where=where,
                        location=f"row {n}",
                    )
                raw_rows.append({(k or "").strip(): (v or "").strip() for k, v in record.items()})
    except UnicodeDecodeError:
        raise ScenarioError("the CSV is not UTF-8 text; save it as UTF-8", where=where) from None
    except (OSError, csv.Error) as exc:
        raise ScenarioError(f"cannot read the CSV ({exc})", where=where) from None
    if not raw_rows:
        raise ScenarioError("the TPS table has no rows", where=where)
    cap = spec.election.max_voters_per_tps
    known_classes = set(spec.risk.classes)
    districts = {d.name: d for d in region.districts or []}
    rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for n, raw in enumerate(raw_rows, start=2):

        def bad(column: str, what: str, n: int = n) -> ScenarioError:
            return ScenarioError(what, where=where, location=f"row {n}, column {column}")

        for column in REQUIRED_COLUMNS:
            if not raw.get(column):
                raise bad(column, "empty value; every TPS needs " + column)
        for column in ("tps_id", "district", "village"):
            try:
                printable_name(raw[column])
            except ValueError as exc:
                raise bad(column, str(exc)) from None
            if len(raw[column]) > MAX_NAME_LENGTH:
                raise bad(column, f"longer than {MAX_NAME_LENGTH} characters")
        if raw["tps_id"] in first_row:
            raise bad(
                "tps_id",
                f"TPS id {raw['tps_id']!r} already used in row {first_row[raw['tps_id']]}; "
                "TPS ids must be unique",
            )
        first_row[raw["tps_id"]] = n
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


def load_resolved(folder: Path) -> Scenario:
    """A run folder's scenario, rebuilt from its scenario.resolved.yaml and tps.csv.

    The TPS table is read from tps.csv when present (so a scenario that named a TPS file
    elsewhere still loads from the folder alone), else generated again from the spec. Both
    files get the loader's checks; a damaged one is a `ScenarioError` naming it.
    """
    path = folder / "scenario.resolved.yaml"
    if not path.is_file():
        raise ScenarioError("no scenario.resolved.yaml in the run folder", where=str(folder))
    data = read_yaml(path)
    # the dump writes unset alternatives (region/regions) as null
    data = {k: v for k, v in data.items() if v is not None}
    spec = validate_spec(data, where=str(path))
    table_path = folder / "tps.csv"
    rows = _run_tps_rows(table_path)
    if not rows:
        return Scenario(spec=spec, tps=resolve_tps(spec, folder, where=str(path)), path=path)
    try:
        return Scenario(spec=spec, tps=_table_from_run(spec, rows), path=path)
    except (KeyError, ValueError, IndexError) as exc:
        raise ScenarioError(
            f"tps.csv does not fit the run's scenario ({type(exc).__name__}: {exc}); the run "
            "folder was edited or is damaged — run the command again",
            where=str(table_path),
        ) from None


def _run_tps_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a run folder's tps.csv (none when it is missing)."""
    if not path.is_file():
        return []
    check_file_size(path, MAX_TPS_TABLE_BYTES, "the TPS table")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                for row in csv.DictReader(handle)
            ]
    except UnicodeDecodeError:
        raise ScenarioError("not UTF-8 text; was the run folder edited?", where=str(path)) from None
    except (OSError, csv.Error) as exc:
        raise ScenarioError(f"cannot read the CSV ({exc})", where=str(path)) from None


def _table_from_run(spec: ScenarioSpec, raw_rows: list[dict[str, str]]) -> TpsTable:
    """The TPS table written to a run folder's tps.csv, read back for `spec`."""
    known = set(spec.risk.classes)
    regions = [r.name for r in spec.all_regions()]
    multi = spec.regions is not None
    rows: list[dict[str, Any]] = []
    for raw in raw_rows:
        if raw["risk_class"] not in known or raw.get("access", "road") not in ("road", "river", ""):
            raise ValueError(f"TPS {raw['tps_id']!r} has a class or access the scenario lacks")
        region = raw.get("region") or regions[0]
        district = raw["district"]
        if multi and district.startswith(f"{region} / "):
            district = district[len(region) + 3 :]
        row: dict[str, Any] = {
            "tps_id": raw["tps_id"],
            "district": district,
            "village": raw["village"],
            "voters": int(raw["voters"]),
            "risk_class": raw["risk_class"],
            "booths": int(raw.get("booths") or spec.election.booths_per_tps),
            "access": raw.get("access") or "road",
            "indicators": int(raw.get("indicators") or 0),
            "region": region,
            "region_index": regions.index(region) if region in regions else 0,
        }
        if raw.get("lat") and raw.get("lon"):
            row["lat"], row["lon"] = float(raw["lat"]), float(raw["lon"])
        rows.append(row)
    return build_table(spec, rows)
