"""The scenario format's JSON Schema and the generated `docs/scenario-reference.md`.

Run ``python -m planner.scenario.reference > docs/scenario-reference.md`` (or ``make docs``)
after changing the schema; a test fails when the committed reference is stale.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import yaml
from pydantic import BaseModel, PlainSerializer
from pydantic.fields import FieldInfo

from planner.scenario.clock import CLOCK_PATTERN, FIRST_DAY, LAST_DAY, format_clock
from planner.scenario.distributions import _Dist
from planner.scenario.load import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from planner.scenario.messages import models_in
from planner.scenario.schema import ScenarioSpec
from planner.scenario.sections.security import Security, default_security
from planner.scenario.sheets import HEADER_SEARCH_ROWS

MERGED_MODELS = ("Security", "Agency", "ClassPolicy")
"""Models whose keys are all optional in a file: the loader merges what the file gives onto
`default_security()` (planner.scenario.load.merge_security_defaults)."""


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, as the loader reads it.

    Pydantic's schema describes the validated models; two loader rules make files looser:
    a distribution may be a plain number (a fixed value), and the security section is merged
    onto the defaults, so none of its keys (nor those of an agency or a class policy) is
    required in the file.
    """
    schema = ScenarioSpec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "planner scenario"
    _allow_numbers_for_distributions(schema)
    _clock_defaults_as_text(schema)
    for name in MERGED_MODELS:
        model = schema.get("$defs", {}).get(name)
        if model is not None:
            model.pop("required", None)
    return schema


def _allow_numbers_for_distributions(node: Any) -> None:
    """Rewrite every ``dist``-discriminated union as ``anyOf: [number, that union]``."""
    if isinstance(node, list):
        for item in node:
            _allow_numbers_for_distributions(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _allow_numbers_for_distributions(value)
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict) and discriminator.get("propertyName") == "dist":
        union = {"oneOf": node.pop("oneOf"), "discriminator": node.pop("discriminator")}
        node["anyOf"] = [{"type": "number", "description": "A fixed value."}, union]


def _clock_defaults_as_text(node: Any) -> None:
    """Clock defaults are held as minutes; editors should show them as "HH:MM"."""
    if isinstance(node, list):
        for item in node:
            _clock_defaults_as_text(item)
    elif isinstance(node, dict):
        if node.get("pattern") == CLOCK_PATTERN and isinstance(node.get("default"), int):
            node["default"] = format_clock(node["default"])
        for value in node.values():
            _clock_defaults_as_text(value)


# --- docs/scenario-reference.md ---------------------------------------------------------------

INTRO = f"""\
# Scenario reference

Generated from the schema by `make docs` (`python -m planner.scenario.reference >
docs/scenario-reference.md`); do not edit by hand — a test fails when this file is stale.
`planner schema` prints the same format as JSON Schema for editors.

## Reading this reference

- A scenario is one YAML file. Its top level is [ScenarioSpec](#scenariospec); each section
  below is one mapping of the file, with its keys, types, defaults and sources. Unknown keys
  are an error everywhere. Every key has a default except those marked `required`, so a
  scenario may give only `name`, `seed` and `region` (see the README for an annotated
  example).
- Units are in key names: `_min` minutes, `_h` hours, `_idr` whole rupiah, `_kmh` km/h,
  `_per_100k_h` per 100,000 workers per hour.
- Clock times are strings `"HH:MM"` (local time on polling day), or with a day prefix for the
  days around it: `"H-1 19:00"` is the evening before, `"H+1 02:00"` after midnight. Quote
  them: YAML reads an unquoted `07:00` as a number.
- A *distribution* is a plain number (a fixed value) or a mapping with `dist` — see
  [Distributions](#distributions): `{{dist: exponential, mean: 2.0}}`,
  `{{dist: lognormal, mean: 1.5, cv: 0.4}}`, `{{dist: gamma, mean: 150, cv: 0.3}}`,
  `{{dist: uniform, low: 60, high: 180}}`, `{{dist: triangular, low: 17, mode: 38, high: 65}}`.
  `cv` is the coefficient of variation (standard deviation / mean).
- Sources: "facts §N" cites `reference/pilkada-facts.md`; "(est.)" marks an engineering
  estimate, with its reasoning in the description.
- `yes`/`no`/`on`/`off` are booleans in YAML; they are rejected for number keys.

## The security section is merged onto the defaults

Unlike other sections, a file's `security` mapping is merged key by key onto the bundled
defaults (listed under [Defaults of lists and mappings](#defaults-of-lists-and-mappings)):
mappings merge recursively, any other value (a number, null, a list such as `patterns` or a
policy's `allowed`) replaces the default. So

```yaml
security:
  budgets_idr: {{polres: 6199000000}}            # kodim keeps its default (unlimited)
  agencies: {{police: {{available_total: 422}}}}    # police keeps its costs and speeds
  policy: {{rawan: {{allowed: [2-2-4, 2-1-2]}}}}     # rawan keeps its standard pattern
```

changes three values and keeps everything else. Other sections follow the usual rule: a
key you give replaces that key's default (a `risk.classes` mapping replaces all classes).

## TPS table (CSV)

`region.tps_file` names a CSV file, resolved relative to the scenario file, one row per TPS.
Required columns: {", ".join(f"`{c}`" for c in REQUIRED_COLUMNS)}; optional:
{", ".join(f"`{c}`" for c in OPTIONAL_COLUMNS)}. `risk_class` is one of the classes in
`risk.classes`; `voters` is at most `election.max_voters_per_tps`; `lat`/`lon` are decimal
degrees (both or neither); `booths` defaults to `election.booths_per_tps`; `access` is
`road` or `river` (default: the kecamatan's, else road); `indicators` counts the Bawaslu
vulnerability indicators flagged at the TPS. When `districts` are also given, each
kecamatan's TPS and voters in the table must match its totals.

## TPS sheets as the KPU and Bawaslu publish them (.xlsx or .csv)

With `region.tps_columns` ([TpsColumns](#tpscolumns)) the TPS file may be a workbook (.xlsx;
its first worksheet, or the one `sheet:` names, as on the tab — a KPU file often opens on a
cover or recap sheet) or a CSV laid out as a KPU recap: the mapping names the header of each
column (`tps_id: No TPS`, `district: Kecamatan`, `village: Kelurahan/Desa`, `voters: Jumlah
DPT`), the header row is found by those names in the first {HEADER_SEARCH_ROWS} rows (title
rows and merged cells above it are skipped; case, spaces and line breaks in headers are
ignored), other columns are ignored, empty rows and total rows ("Jumlah", "Total") are left
out. Kecamatan and kelurahan/desa names are matched forgivingly: case, punctuation, runs of
spaces and a leading "Kec.", "Kecamatan", "Kel.", "Kelurahan", "Desa" or "Ds." are ignored,
so "Kec. BALIKPAPAN KOTA" is "Balikpapan Kota". With `region.district_names` (which
`planner init` writes) every row's kecamatan must match one of them. With
`tps_numbered_per_village: true` the TPS column is the number within the kelurahan ("001")
and the TPS id becomes "Kecamatan / Kelurahan / TPS 001". `region.rawan_file` with
`region.rawan_columns` ([RawanColumns](#rawancolumns)) reads Bawaslu's TPS-rawan list: each
row names a TPS (matched the same way) and sets its indicator count (a count column, or the
number of marked indicator columns) and, with a class column, its risk class. Every problem
— a missing column, an empty or non-numeric cell, a name that matches nothing, a TPS listed
twice — is reported on its own line with the file, row and column; nothing is dropped.
"""


def _bounds(prop: dict[str, Any]) -> str:
    """Range constraints of a property (or of its non-null union member) as text."""
    for member in prop.get("anyOf", []):
        if isinstance(member, dict) and member.get("type") != "null":
            inner = _bounds(member)
            if inner:
                return inner
    parts = []
    for key, sign in (("exclusiveMinimum", ">"), ("minimum", "≥")):
        if key in prop:
            parts.append(f"{sign} {_num(prop[key])}")
    for key, sign in (("exclusiveMaximum", "<"), ("maximum", "≤")):
        if key in prop:
            parts.append(f"{sign} {_num(prop[key])}")
    if "x-range" in prop:
        parts.append(str(prop["x-range"]))
    if prop.get("minItems") == 1 or prop.get("minLength") == 1:
        parts.append("not empty")
    if "maxLength" in prop:
        parts.append(f"at most {prop['maxLength']} characters, no control characters")
    if "maxProperties" in prop:
        parts.append(f"at most {prop['maxProperties']} entries")
    for key in ("items", "additionalProperties"):
        sub = prop.get(key)
        if isinstance(sub, dict) and "$ref" not in sub:
            each = _bounds(sub)
            if each:
                parts.append(f"each {each}")
    return ", ".join(parts)


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _type_text(prop: dict[str, Any]) -> str:
    if prop.get("pattern") == CLOCK_PATTERN:
        return f"clock (H{FIRST_DAY} to H+{LAST_DAY})"
    if "$ref" in prop:
        name = str(prop["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        return " or ".join(_type_text(p) for p in prop["anyOf"])
    if "oneOf" in prop:
        return "[distribution](#distributions)"
    if prop.get("type") == "array":
        return f"list of {_type_text(prop.get('items', {}))}"
    if prop.get("type") == "object" and "additionalProperties" in prop:
        inner = prop["additionalProperties"]
        return f"mapping to {_type_text(inner) if isinstance(inner, dict) else 'value'}"
    if "const" in prop:
        return json.dumps(prop["const"])
    if "enum" in prop:
        return " | ".join(json.dumps(e) for e in prop["enum"])
    kind = str(prop.get("type", "value"))
    return {"integer": "whole number", "number": "number", "string": "text"}.get(kind, kind)


def _plain_default(field: FieldInfo) -> Any:
    """A field's default as the user would write it (clock times as "HH:MM")."""
    value = field.get_default(call_default_factory=True)
    for meta in field.metadata:
        if isinstance(meta, PlainSerializer):
            return meta.func(value)  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def _is_model_collection(value: Any) -> bool:
    if isinstance(value, BaseModel):
        return False
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return True
    return (
        isinstance(value, dict)
        and bool(value)
        and isinstance(next(iter(value.values())), BaseModel)
    )


def _default_value(model: type[BaseModel], name: str) -> Any:
    """The default of a field; the security section's come from `default_security()`, which
    the loader merges under whatever the file gives (so none of them is required)."""
    if model is Security:
        return getattr(default_security(), name)
    return model.model_fields[name].get_default(call_default_factory=True)


def _default_text(model: type[BaseModel], name: str, path: str) -> str:
    field = model.model_fields[name]
    if field.is_required() and model is not Security:
        return "required"
    raw = _default_value(model, name)
    if isinstance(raw, BaseModel) and not isinstance(raw, _Dist):
        return "(section)"
    if _is_model_collection(raw):
        return f"[see defaults](#{_anchor(path)})"
    value = raw if model is Security else _plain_default(field)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _anchor(path: str) -> str:
    return "default-" + path.replace("[]", "").replace(".", "-").replace("_", "-").lower()


def _models() -> list[tuple[type[BaseModel], str]]:
    """Every model reachable from ScenarioSpec with the YAML path it is first reached by."""
    seen: dict[type[BaseModel], str] = {}

    def visit(model: type[BaseModel], path: str) -> None:
        if model in seen:
            return
        seen[model] = path
        for name, field in model.model_fields.items():
            key = f"{path}.{name}" if path else name
            if _is_list(field.annotation):
                key += "[]"
            for inner in models_in(field.annotation):
                visit(inner, key)

    visit(ScenarioSpec, "")
    return list(seen.items())


def _is_list(annotation: Any) -> bool:
    """True when `annotation` is a list (possibly optional)."""
    if typing.get_origin(annotation) is list:
        return True
    return any(typing.get_origin(a) is list for a in typing.get_args(annotation))


def _table(model: type[BaseModel], path: str) -> list[str]:
    props = model.model_json_schema().get("properties", {})
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for name in model.model_fields:
        prop = props.get(name, {})
        desc = " ".join(str(prop.get("description", "")).split())
        typ = _type_text(prop)
        bounds = _bounds(prop)
        if bounds:
            typ += f" ({bounds})"
        key_path = f"{path}.{name}" if path else name
        default = _default_text(model, name, key_path)
        if not default.startswith(("[", "(", "required")):
            default = f"`{default}`"
        cells = [f"`{name}`", typ, default, desc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def _collection_defaults(models: list[tuple[type[BaseModel], str]]) -> list[str]:
    """YAML of every default that is a list or mapping of sections (catalogues, classes)."""
    lines = [
        "## Defaults of lists and mappings",
        "",
        "The bundled catalogues, written as they would appear in a scenario file.",
        "",
    ]
    for model, path in models:
        for name, field in model.model_fields.items():
            if field.is_required() and model is not Security:
                continue
            raw = _default_value(model, name)
            if not _is_model_collection(raw):
                continue
            key_path = f"{path}.{name}" if path else name
            data = (
                [m.model_dump(mode="json") for m in raw]
                if isinstance(raw, list)
                else {k: m.model_dump(mode="json") for k, m in raw.items()}
            )
            text = yaml.safe_dump(
                {name: data}, allow_unicode=True, sort_keys=False, width=96, default_flow_style=None
            ).rstrip()
            lines += [f'### <a id="{_anchor(key_path)}"></a>`{key_path}`', "", "```yaml"]
            lines += [text, "```", ""]
    return lines


def reference_markdown() -> str:
    """The scenario reference as Markdown: intro, one table per section, distributions,
    and the default catalogues."""
    models = _models()
    sections = [(m, p) for m, p in models if not issubclass(m, _Dist)]
    dists = [(m, p) for m, p in models if issubclass(m, _Dist)]
    lines = [INTRO, "## Sections", ""]
    for model, path in sections:
        lines.append(f"- [{model.__name__}](#{model.__name__.lower()}) — `{path or 'top level'}`")
    lines.append("")
    for model, path in sections:
        lines += [f"### {model.__name__}", ""]
        where = f"`{path}`" if path else "the top level of the file"
        doc = " ".join((model.__doc__ or "").split())
        lines += [f"At {where}. {doc}".strip(), ""]
        lines += [*_table(model, path), ""]
    lines += [
        "## Distributions",
        "",
        "Wherever the type says *distribution*, give a number (a fixed value) or one of:",
        "",
    ]
    for model, _ in dists:
        doc = " ".join((model.__doc__ or "").split())
        lines += [f"### {model.__name__}", "", doc, "", *_table(model, ""), ""]
    lines += _collection_defaults(sections)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
