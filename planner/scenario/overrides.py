"""``--set path.to.key=value`` overrides, applied to the raw scenario data before validation."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from planner.errors import ScenarioError

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``voters.stages[1].servers`` → ``['voters', 'stages', 1, 'servers']``."""
    parts: list[str | int] = []
    pos = 0
    for match in _PART.finditer(path):
        if match.start() != pos and path[pos : match.start()] != ".":
            raise ValueError(path)
        name, index = match.groups()
        parts.append(int(index) if index is not None else (int(name) if name.isdigit() else name))
        pos = match.end()
    if not parts or pos != len(path):
        raise ValueError(path)
    return parts


def apply_overrides(
    data: dict[str, Any], overrides: list[str] | tuple[str, ...], where: str | None = None
) -> dict[str, Any]:
    """A copy of `data` with each ``path=value`` set (value parsed as a YAML scalar or list)."""
    result = copy.deepcopy(data)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(
                f"override {item!r} is not path.to.key=value (e.g. voters.turnout=0.65)",
                where="--set",
            )
        try:
            path = parse_path(key.strip())
        except ValueError:
            raise ScenarioError(
                f"override path {key!r} is not dotted keys with optional [index], e.g. "
                "voters.stages[0].servers",
                where="--set",
            ) from None
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        node: Any = result
        for depth, part in enumerate(path[:-1]):
            label = _label(path[: depth + 1])
            if isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    raise ScenarioError(f"{label} is not an existing list item", where="--set")
                node = node[part]
            else:
                if not isinstance(node, dict):
                    raise ScenarioError(f"{label}: parent is not a mapping", where="--set")
                node = node.setdefault(part, {})
        last = path[-1]
        if isinstance(last, int):
            if not isinstance(node, list) or not -len(node) <= last < len(node):
                raise ScenarioError(f"{_label(path)} is not an existing list item", where="--set")
            node[last] = value
        else:
            if not isinstance(node, dict):
                raise ScenarioError(f"{_label(path)}: parent is not a mapping", where="--set")
            node[last] = value
    return result


def _label(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
