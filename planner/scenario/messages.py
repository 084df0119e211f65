"""Pydantic validation errors rewritten as one clear line for the user.

A `ValidationError` knows pydantic's location (with union tags such as ``lognormal`` or
``function-after[...]`` in it) and pydantic's wording. `scenario_error_from` turns its first
error into a `ScenarioError` whose location is the YAML path the user wrote
(``voters.stages[1].service_min.cv``; a `FieldError` from a cross-field check adds its key),
and whose message says what is allowed: the keys a mapping takes, the range of a number,
"a whole number or one of 'booths'" when a value fits no member of a union.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from planner.errors import ScenarioError
from planner.scenario.schema import ScenarioSpec


def scenario_error_from(exc: ValidationError, data: Any, where: str | None) -> ScenarioError:
    """The first validation error as a `ScenarioError` with a YAML path and a fix.

    When a value fails every member of a union (``servers: many`` is neither a number nor
    ``booths``), the errors at that same path are combined into one "must be X or Y".
    """
    errors = exc.errors(include_url=False)
    err = errors[0]
    loc = _error_path(err, data)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(err["loc"][:-1])
        msg = f"unknown key {loc[-1]!r}" + (
            f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        )
    elif kind == "missing":
        msg = "required key is missing; add it"
    elif kind == "union_tag_invalid":
        msg = (
            f"unknown dist {ctx.get('tag')!r}; use one of fixed, exponential, lognormal, "
            "gamma, uniform, triangular"
        )
    else:
        wanted = [
            _wanted(e) for e in errors if _error_path(e, data) == loc and _wanted(e) is not None
        ]
        if len(wanted) > 1 or (wanted and (kind in _TYPE_NOUNS or kind == "literal_error")):
            unique = list(dict.fromkeys(w for w in wanted if w))
            msg = f"must be {' or '.join(unique)}, got {_shown(value)}"
        else:
            msg = _plain(err)
    return ScenarioError(msg, where=where, location=_label(loc) or None)


_TYPE_NOUNS: dict[str, str] = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "list_type": "a list",
    "none_required": "null",
}


def _wanted(err: Any) -> str | None:
    """What an error says the value should have been, as a noun phrase (or None)."""
    kind = err["type"]
    if kind == "literal_error":
        return f"one of {(err.get('ctx') or {}).get('expected')}"
    return _TYPE_NOUNS.get(kind)


def _plain(err: Any) -> str:
    """A pydantic message rewritten as 'must be ..., got ...' in the scenario's words."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = f", got {_shown(err.get('input'))}"
    bounds = {
        "greater_than_equal": ("≥", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("≤", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        sign, key = bounds[kind]
        return f"must be {sign} {_shown(ctx.get(key))}{got}"
    if kind == "int_parsing_size":
        return f"is far too large a whole number{got}; see its range in docs/scenario-reference.md"
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} items"
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg.replace("Input should be ", "must be ")


def _shown(value: Any) -> str:
    """A raw YAML value as the user wrote it, for 'got ...'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a bound of 1.0 reads "≤ 1"
    return str(value)


def _error_path(err: Any, data: Any) -> list[str | int]:
    ctx = err.get("ctx") or {}
    extra = getattr(ctx.get("error"), "path", ())  # a FieldError names its key
    return _yaml_path((*err["loc"], *extra), data)


def _yaml_path(loc: tuple[Any, ...], data: Any) -> list[str | int]:
    """Drop pydantic's union tags from a location, keeping only real keys and indices."""
    path: list[str | int] = []
    node = data
    off_data = False  # past a key the user did not write: keep every plain part
    for part in loc:
        if off_data:
            if isinstance(part, int) or not _is_tag(part):
                path.append(part)
        elif isinstance(part, int) and isinstance(node, list):
            path.append(part)
            node = node[part] if -len(node) <= part < len(node) else None
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing key
            off_data = True
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


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model at pydantic location `loc` (for 'unknown key' messages).

    Union tags in the location (a distribution's ``exponential``, a model's class name)
    narrow the candidates to that member, so a distribution lists only its own keys.
    """
    models: list[type[BaseModel]] = [ScenarioSpec]
    for part in loc:
        if isinstance(part, int):
            continue
        fields_here = [m.model_fields[part] for m in models if part in m.model_fields]
        if fields_here:
            models = [inner for f in fields_here for inner in models_in(f.annotation)] or models
            continue
        members = [m for m in models if part in (m.__name__, _dist_tag(m))]
        if members:
            models = members
    keys: list[str] = []
    for model in models:
        keys.extend(k for k in model.model_fields if k not in keys)
    return keys


def _dist_tag(model: type[BaseModel]) -> str | None:
    """The ``dist`` literal of a distribution model (its union tag), else None."""
    field = model.model_fields.get("dist")
    args = typing.get_args(field.annotation) if field is not None else ()
    return str(args[0]) if args else None


def models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return models_in(args[1])
    if origin in (list, tuple, typing.Union, types.UnionType, typing.Annotated) or args:
        for arg in args:
            out.extend(models_in(arg))
    return out
