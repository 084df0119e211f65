"""The group DP against enumeration of every per-TPS assignment, for random prices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planner.opt.groups import best_column, column_value, group_cells
from planner.opt.instance import Instance, build_instance

from .helpers import security, tiny_scenario

PATTERNS = [
    {
        "name": "2-3-6",
        "team": {"police": 2},
        "tps_per_team": 3,
        "per_tps": {"linmas": 2},
        "residual_harm": 0.85,
    },
    {
        "name": "2-2-4",
        "team": {"police": 2},
        "tps_per_team": 2,
        "per_tps": {"linmas": 2},
        "residual_harm": 0.6,
    },
    {
        "name": "1-2-2+tni",
        "team": {"police": 1, "tni": 1},
        "tps_per_team": 2,
        "per_tps": {"linmas": 1},
        "residual_harm": 0.55,
    },
    {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.4},
]
# kurang rawan and rawan share 2-2-4 and 1-2-2+tni (the DP's carry state); sangat rawan
# only has per-TPS patterns.
ALLOWED = {
    "kurang_rawan": ["2-3-6", "2-2-4", "1-2-2+tni"],
    "rawan": ["2-2-4", "1-2-2+tni", "2-1-2"],
    "sangat_rawan": ["2-1-2"],
}
GROUP = [
    ("D", "V", 410, "kurang_rawan"),
    ("D", "V", 350, "kurang_rawan", 2),
    ("D", "V", 290, "kurang_rawan"),
    ("D", "V", 505, "rawan"),
    ("D", "V", 120, "rawan"),
    ("D", "V", 600, "sangat_rawan"),
]


def _enumerate(inst: Instance, harm_factor: int, price: np.ndarray) -> int:
    choices = [np.flatnonzero(inst.allowed[c]).tolist() for c in inst.tps_class.tolist()]
    best = None
    for combo in itertools.product(*choices):
        pattern = np.array(combo)
        harm = int((inst.tps_weight * inst.residual[inst.tps_class, pattern]).sum())
        counts = np.bincount(pattern, minlength=len(inst.pattern_names))
        teams = -(-counts // inst.pattern_tps_per_team)
        persons = counts @ inst.pattern_per_tps + teams @ inst.pattern_team
        value = harm_factor * harm + int(persons @ price)
        best = value if best is None else min(best, value)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(12))
def test_dp_equals_enumeration(seed: int) -> None:
    """For random harm factors and prices per agency the DP finds the exact minimum, and
    its column's value is that minimum."""
    rng = np.random.default_rng(seed)
    inst = build_instance(tiny_scenario(GROUP, security(patterns=PATTERNS, allowed=ALLOWED)))
    assert inst.n_groups == 1
    price = rng.integers(0, 4_000_000_000, size=len(inst.agency_names)).astype(np.int64)
    harm_factor = int(rng.integers(0, 1001))
    optimum = best_column(inst, 0, group_cells(inst)[0], harm_factor, price)
    assert optimum.exact
    assert optimum.value == _enumerate(inst, harm_factor, price)
    assert column_value(optimum.column, harm_factor, price) == optimum.value


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_pricing_equals_the_single_group_dp(seed: int) -> None:
    """price_all (all groups at once, batched by cell size) returns the same optimum as
    best_column group by group, with per-group prices, and consistent harm and persons."""
    from planner.opt.pricing import price_all

    rng = np.random.default_rng(100 + seed)
    tps = [
        (f"D{g % 2}", f"V{g}", int(rng.integers(50, 600)), str(cls))
        for g in range(5)
        for cls in rng.choice(
            ["kurang_rawan", "rawan", "sangat_rawan"], size=int(rng.integers(1, 6))
        )
    ]
    inst = build_instance(tiny_scenario(tps, security(patterns=PATTERNS, allowed=ALLOWED)))
    cells = group_cells(inst)
    factor = rng.integers(0, 1001, size=inst.n_groups)
    price = rng.integers(0, 4_000_000_000, size=(inst.n_groups, len(inst.agency_names)))
    priced = price_all(inst, factor, price)
    single = [
        best_column(inst, g, cells[g], int(factor[g]), price[g]).value for g in range(inst.n_groups)
    ]
    assert priced.value.tolist() == single
    assert (factor * priced.harm + (priced.personnel * price).sum(axis=1)).tolist() == single
