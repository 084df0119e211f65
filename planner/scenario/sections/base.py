"""The base of every scenario model: frozen, unknown keys forbidden, no booleans for numbers,
no NaN or infinity anywhere, and names that print safely."""

from __future__ import annotations

import types
import typing
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.fields import FieldInfo

MAX_NAME_LENGTH = 120
"""Longest name (scenario, region, kecamatan, village, stage, type, pattern, agency) accepted:
the longest kelurahan names run to about 40 characters; 120 leaves room for a full
'Kabupaten ...' with a note, and keeps report tables readable."""


def printable_name(value: str) -> str:
    """Refuse names a report or a CSV cannot show as written: control characters (newlines,
    tabs, escape codes), leading or trailing spaces, and names that are only spaces."""
    if not value.strip():
        raise ValueError("must not be blank")
    if value != value.strip():
        raise ValueError(f"{value!r} has leading or trailing spaces; remove them")
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            raise ValueError(
                f"{value!r} contains the control character U+{ord(char):04X}; use letters, "
                "digits, spaces and punctuation only"
            )
    return value


Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH),
    AfterValidator(printable_name),
]
"""A name a user gives (and reports, CSV files and HTML pages show): non-empty, at most
`MAX_NAME_LENGTH` characters, no control characters, no surrounding spaces. CSV writers quote
and HTML pages escape every name; this rule keeps what they show equal to what was written."""


class FieldError(ValueError):
    """A cross-field check's error about one key of the model being validated.

    Raise it from a validator with the key's path relative to that model, e.g.
    ``FieldError(("districts", 2, "voters"), "...")``; the loader appends the path to the
    model's own location so the user sees ``region.districts[2].voters``. Pydantic keeps
    the exception in the error's context, so it needs no special handling elsewhere.
    """

    def __init__(self, path: tuple[str | int, ...] | str, message: str):
        super().__init__(message)
        self.path: tuple[str | int, ...] = (path,) if isinstance(path, str) else tuple(path)


class Section(BaseModel):
    """A scenario section: immutable once validated; unknown keys are an error; every float
    (in the section, its lists and its mappings) must be finite, so NaN and infinity, which
    would spread silently through every sum and mean of a run, are refused by one rule."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_boolean_numbers(cls, data: Any) -> Any:
        # Pydantic's lax mode reads true/false as 1/0, and YAML 1.1 reads yes/no/on/off as
        # booleans, so `booths_per_tps: yes` would silently become 1 booth. Reject booleans
        # given to any key that does not take one.
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                value = data.get(name)
                if isinstance(value, bool) and not _accepts_bool(field.annotation):
                    raise FieldError(
                        name,
                        f"must be {_field_noun(field)}, got {str(value).lower()} (YAML "
                        "reads yes/no/on/off as true/false)",
                    )
        return data


def _accepts_bool(annotation: Any) -> bool:
    """True when `annotation` is bool or a union/annotation that contains bool."""
    if annotation is bool or annotation is Any or annotation is object:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_accepts_bool(arg) for arg in typing.get_args(annotation))
    return False


def _field_noun(field: FieldInfo) -> str:
    """What a field takes, in words; clock fields carry their format in metadata."""
    for meta in field.metadata:
        schema = getattr(meta, "json_schema", None)
        if isinstance(schema, dict) and schema.get("type") == "string":
            return 'a clock time "HH:MM"'
    return _noun(field.annotation)


def _noun(annotation: Any) -> str:
    """What a key of this type takes, in words, for the boolean check's message."""
    if annotation is int:
        return "a whole number"
    if annotation is float:
        return "a number"
    if annotation is str:
        return 'text (quote it, e.g. "yes")'
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin is typing.Annotated:
        return _noun(args[0])
    if origin in (typing.Union, types.UnionType):
        if any(isinstance(a, type) and "dist" in getattr(a, "model_fields", {}) for a in args):
            return "a number or a distribution mapping"
        nouns = [_noun(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(nouns))
    if origin is dict:
        return "a mapping (key: value)"
    if origin is list:
        return "a list"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a mapping (key: value)"
    return "a value of the documented type"
