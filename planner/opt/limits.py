"""Budget and availability overrides (``--budget NAME=RUPIAH``, ``--available AGENCY=N``).

``--budget`` accepts either a budget-line name (a key of ``security.budgets_idr``, e.g.
``polres``) or an agency name (e.g. ``police``), which sets the budget of the line that pays
that agency. A name that is both an agency and a different budget line is refused as
ambiguous. ``unlimited`` (or ``none``) removes a limit. The result is a new, re-validated
scenario, so the run folder's resolved scenario shows the budgets actually used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from planner.errors import UserError
from planner.scenario.load import validate_spec
from planner.scenario.resolved import Scenario

UNLIMITED = ("unlimited", "none", "null")


def parse_amount(text: str, option: str) -> int | None:
    """``6_199_000_000``, ``6,199,000,000`` or ``6.2e9`` → int; ``unlimited`` → None."""
    raw = text.strip().lower()
    if raw in UNLIMITED:
        return None
    cleaned = re.sub(r"[_,\s]", "", raw)
    try:
        value = int(cleaned) if re.fullmatch(r"\d+", cleaned) else float(cleaned)
    except ValueError:
        raise UserError(
            f"{text!r} is not a whole number (e.g. 6199000000, 6_199_000_000 or 6.2e9) or "
            "'unlimited'",
            where=option,
        ) from None
    if not math.isfinite(value) or value < 0:
        raise UserError(
            f"{text!r} must be a finite amount ≥ 0 (or 'unlimited' for no limit)", where=option
        )
    return round(value)


def parse_pairs(items: tuple[str, ...] | list[str], option: str) -> dict[str, int | None]:
    """``NAME=AMOUNT`` strings → {name: amount}."""
    out: dict[str, int | None] = {}
    for item in items:
        name, sep, amount = item.partition("=")
        if not sep or not name.strip():
            raise UserError(f"{item!r} is not NAME=AMOUNT (e.g. police=6199000000)", where=option)
        out[name.strip()] = parse_amount(amount, option)
    return out


def with_limits(
    scenario: Scenario,
    budgets: Mapping[str, int | None] | None = None,
    available: Mapping[str, int | None] | None = None,
) -> Scenario:
    """A copy of the scenario with budgets (by line or agency) and availability replaced."""
    if not budgets and not available:
        return scenario
    sec = scenario.spec.security
    data = scenario.spec.model_dump(mode="json")
    for key in ("region", "regions"):
        if data.get(key) is None:
            data.pop(key, None)
    security = data["security"]
    for name, amount in (budgets or {}).items():
        line = budget_line_of(scenario, name)
        security["budgets_idr"][line] = amount
    for agency, count in (available or {}).items():
        if agency not in sec.agencies:
            raise UserError(
                f"unknown agency {agency!r}; agencies: {', '.join(sec.agencies)}",
                where="--available",
            )
        security["agencies"][agency]["available_total"] = count
    spec = validate_spec(data, where="--budget/--available")
    return Scenario(spec=spec, tps=scenario.tps, path=scenario.path)


def budget_line_of(scenario: Scenario, name: str, option: str = "--budget") -> str:
    """The budget line `name` refers to: itself, or the line paying agency `name` (a user
    error naming `option` otherwise)."""
    sec = scenario.spec.security
    lines = sec.budgets_idr
    if name in sec.agencies:
        line = sec.agencies[name].budget_line
        if name in lines and line != name:
            raise UserError(
                f"{name!r} is both an agency (paid from line {line!r}) and a budget line; "
                "rename one of them in the scenario",
                where="--budget",
            )
        if line is None:
            raise UserError(
                f"agency {name!r} is not paid from a budget line; give it one "
                f"(security.agencies.{name}.budget_line) or name a line: "
                f"{', '.join(lines) or 'none defined'}",
                where=option,
            )
        return line
    if name in lines:
        return name
    raise UserError(
        f"unknown agency or budget line {name!r}; agencies: {', '.join(sec.agencies)}; "
        f"budget lines: {', '.join(lines) or 'none'}",
        where=option,
    )
