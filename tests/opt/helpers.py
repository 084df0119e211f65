"""Builders for tiny optimiser instances and a brute-force reference solver."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from planner.opt.check import Assignment, evaluate
from planner.opt.instance import Instance
from planner.scenario.load import build_table, validate_spec
from planner.scenario.resolved import Scenario

ALL_CLASSES = ("kurang_rawan", "rawan", "sangat_rawan", "khusus")


def security(
    patterns: Sequence[dict[str, Any]] | None = None,
    allowed: dict[str, list[str]] | None = None,
    budgets: dict[str, int | None] | None = None,
    reserves: Sequence[dict[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A full security section (the loader merges it onto the defaults; every value that
    matters is given): police (Rp 1,000,000 a person, line
    polres), tni (Rp 500,000, line kodim), linmas (Rp 100,000, no line)."""
    patterns = list(
        patterns
        or [
            {
                "name": "2-4-8",
                "team": {"police": 2},
                "tps_per_team": 4,
                "per_tps": {"linmas": 2},
                "residual_harm": 0.8,
            },
            {
                "name": "2-2-4",
                "team": {"police": 2},
                "tps_per_team": 2,
                "per_tps": {"linmas": 2},
                "residual_harm": 0.6,
            },
            {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.4},
        ]
    )
    names = [p["name"] for p in patterns]
    allowed = allowed or {}
    policy = {
        c: {"allowed": allowed.get(c, names), "standard": allowed.get(c, names)[-1]}
        for c in ALL_CLASSES
    }
    return {
        "agencies": {
            "linmas": {
                "role": "guard",
                "cost_per_person_day_idr": 100_000,
                "fixed_cost_per_person_idr": 0,
                "days_deployed": 1,
                "budget_line": None,
            },
            "police": {
                "role": "police",
                "cost_per_person_day_idr": 250_000,
                "days_deployed": 4,
                "budget_line": "polres",
            },
            "tni": {
                "role": "military",
                "cost_per_person_day_idr": 125_000,
                "days_deployed": 4,
                "budget_line": "kodim",
            },
        },
        "patterns": patterns,
        "policy": policy,
        "budgets_idr": {"polres": None, "kodim": None, **(budgets or {})},
        "reserves": list(reserves),
        "min_village_tps": 1,
        **extra,
    }


def tiny_scenario(
    tps: Sequence[tuple[str, str, int, str]] | Sequence[tuple[str, str, int, str, int]],
    sec: dict[str, Any] | None = None,
    weights: dict[str, float] | None = None,
) -> Scenario:
    """A scenario with an explicit TPS table: (district, village, voters, class[, indicators])."""
    weights = weights or {"kurang_rawan": 1.0, "rawan": 2.5, "sangat_rawan": 5.0, "khusus": 3.0}
    data = {
        "name": "tiny",
        "seed": 1,
        "region": {"name": "R", "tps_file": "in-memory.csv"},
        "risk": {
            "classes": {c: {"share": 0.25, "weight": weights[c]} for c in ALL_CLASSES},
            "indicator_weight": 0.1,
        },
        "security": sec or security(),
    }
    spec = validate_spec(data, where="tiny")
    rows = []
    for i, row in enumerate(tps):
        district, village, voters, cls = row[:4]
        rows.append(
            {
                "tps_id": f"T{i + 1}",
                "region": "R",
                "region_index": 0,
                "district": district,
                "village": village,
                "voters": voters,
                "risk_class": cls,
                "booths": 1,
                "access": "road",
                "indicators": row[4] if len(row) > 4 else 0,
            }
        )
    return Scenario(spec=spec, tps=build_table(spec, rows))


def brute_force(instance: Instance) -> tuple[int | None, Assignment | None]:
    """The best feasible plan by enumerating every pattern per TPS and every reserve count
    (checker objective), or (None, None) when no plan is feasible."""
    n_d = len(instance.district_names)
    choices = [np.flatnonzero(instance.allowed[c]).tolist() for c in instance.tps_class.tolist()]
    reserve_options = [
        list(range(r.min_per_district, r.max_per_district + 1))
        for r in instance.reserves
        for _ in range(n_d)
    ]
    best: tuple[int | None, Assignment | None] = (None, None)
    for reserves in itertools.product(*reserve_options):
        table = np.array(reserves, dtype=np.int64).reshape(len(instance.reserves), n_d)
        for combo in itertools.product(*choices):
            plan = Assignment(pattern=np.array(combo, dtype=np.int64), reserves=table)
            ev = evaluate(instance, plan)
            if ev.feasible and (best[0] is None or ev.objective < best[0]):
                best = (ev.objective, plan)
    return best
