"""``--set path.to.key=value`` overrides, applied to the raw scenario data before validation."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from planner.errors import ScenarioError

_PART = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``voters.stages[1].servers`` → ``['voters', 'stages', 1, 'servers']``.

    Keys may contain spaces (kecamatan names); an index may be negative (``[-1]``: the last).
    """
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
    """A copy of `data` with each ``path=value`` set (value parsed as a YAML scalar or list).

    Mappings missing on the way are created (``--set voters.turnout=0.6`` works on a file
    without ``voters``); list items must already exist in the file. Errors name the override.
    """
    result = copy.deepcopy(data)
    for item in overrides:
        key, sep, raw = item.partition("=")
        here = f"--set {item}"
        if not sep or not key.strip():
            raise ScenarioError(
                "not path.to.key=value; write e.g. --set voters.turnout=0.65", where=here
            )
        try:
            path = parse_path(key.strip())
        except ValueError:
            raise ScenarioError(
                f"{key.strip()!r} is not dotted keys with optional [index], e.g. "
                "voters.stages[0].servers",
                where=here,
            ) from None
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        node: Any = result
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if isinstance(part, int):
                _check_index(node, path, depth, here)
                if last:
                    node[part] = value
                else:
                    node = node[part]
            else:
                if not isinstance(node, dict):
                    raise ScenarioError(
                        f"{_label(path[:depth])} is {_describe(node)}, not a mapping, so it has "
                        f"no key {part!r}",
                        where=here,
                    )
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
    return result


def _check_index(node: Any, path: list[str | int], depth: int, here: str) -> None:
    """Raise unless `node` is a list that has item `path[depth]`."""
    parent = _label(path[:depth]) or "the scenario"
    index = path[depth]
    if isinstance(node, list):
        assert isinstance(index, int)
        if not -len(node) <= index < len(node):
            raise ScenarioError(
                f"{parent} has {len(node)} items, so there is no item [{index}]", where=here
            )
        return
    if node == {}:
        raise ScenarioError(
            f"{parent} is not written in the scenario file, so --set cannot change its item "
            f"[{index}]; write the list in the file first",
            where=here,
        )
    raise ScenarioError(f"{parent} is {_describe(node)}, not a list", where=here)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _label(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
