"""The scenario format's JSON Schema and the generated `docs/scenario-reference.md`.

Run ``python -m planner.scenario.reference > docs/scenario-reference.md`` (or ``make docs``)
after changing the schema; a test fails when the committed reference is stale.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from planner.scenario.schema import ScenarioSpec


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file."""
    schema = ScenarioSpec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "planner scenario"
    return schema


def _type_text(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_text(p) for p in prop["anyOf"])
    if "oneOf" in prop:
        return "distribution"
    if prop.get("type") == "array":
        return f"list of {_type_text(prop.get('items', {}))}"
    if prop.get("type") == "object" and "additionalProperties" in prop:
        inner = prop["additionalProperties"]
        return f"mapping to {_type_text(inner) if isinstance(inner, dict) else 'value'}"
    if "const" in prop:
        return json.dumps(prop["const"])
    if "enum" in prop:
        return " | ".join(json.dumps(e) for e in prop["enum"])
    return str(prop.get("type", "value"))


def _default_text(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    if field.is_required():
        return "required"
    try:
        value = field.get_default(call_default_factory=True)
    except TypeError:
        return "(computed)"
    if isinstance(value, BaseModel):
        dumped = value.model_dump(mode="json")
        text = json.dumps(dumped, ensure_ascii=False)
        return text if len(text) <= 80 else "(section defaults)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return "(see defaults)"
    if isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
        return "(see defaults)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        from planner.scenario.load import _models_in

        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                visit(inner)

    visit(ScenarioSpec)
    return seen


def reference_markdown() -> str:
    """The scenario reference as Markdown, one table per model."""
    lines = [
        "# Scenario reference",
        "",
        "Generated from the schema by `make docs` (`python -m planner.scenario.reference`); do",
        "not edit by hand. Units are in key names (`_min` minutes, `_h` hours, `_idr` rupiah,",
        '`_kmh` km/h). Clock times are `"HH:MM"` or `"H-1 HH:MM"`. A distribution is a',
        "number (fixed) or `{dist: fixed|exponential|lognormal|gamma|uniform|triangular, ...}`",
        "with `value`; `mean`; `mean, cv`; `mean, cv`; `low, high`; `low, mode, high`.",
        "",
    ]
    for model in _models():
        schema = model.model_json_schema()
        props = schema.get("properties", {})
        lines += [f"## {model.__name__}", ""]
        doc = " ".join((model.__doc__ or "").split())
        if doc:
            lines += [doc, ""]
        lines += ["| key | type | default | description |", "|---|---|---|---|"]
        for name in model.model_fields:
            prop = props.get(name, {})
            desc = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
            typ = _type_text(prop).replace("|", "\\|")
            default = _default_text(model, name).replace("|", "\\|")
            lines.append(f"| `{name}` | {typ} | `{default}` | {desc} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference_markdown(), end="")
