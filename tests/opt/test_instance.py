"""The integer instance: scaling, cells, reserve base, rules, and user errors."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import ScenarioError
from planner.opt.instance import build_instance

from .helpers import security, tiny_scenario

TPS = [
    ("D1", "V1", 301, "rawan", 3),
    ("D1", "V1", 500, "kurang_rawan"),
    ("D1", "V1", 450, "rawan"),
    ("D2", "V2", 120, "kurang_rawan"),
]


def test_weights_residuals_and_reductions_are_scaled_exactly() -> None:
    """Rawan weight 2.5 × 301 voters × (1 + 0.1 × 3 indicators) = 978.25 weighted voters →
    97,825 at 0.01; residual 0.6 → 600 at 0.001; reduction 0.08 → 80."""
    sec = security(
        reserves=[
            {"agency": "police", "team_size": 2, "max_per_district": 1, "harm_reduction": [0.08]}
        ]
    )
    inst = build_instance(tiny_scenario(TPS, sec))
    assert inst.tps_weight.tolist() == [97_825, 50_000, 112_500, 12_000]
    assert inst.residual[inst.class_names.index("rawan")].tolist() == [800, 600, 400]
    assert inst.reserves[0].reduction == (80,)
    assert inst.resolution.objective_scale == 100 * 1000 * 1000


def test_cells_hold_their_tps_heaviest_first() -> None:
    """(V1, rawan) lists the 450-voter TPS before the 301-voter one with 3 indicators."""
    inst = build_instance(tiny_scenario(TPS, security()))
    cells = {
        (inst.cell_group[k], inst.class_names[inst.cell_class[k]]): inst.cell_tps(k).tolist()
        for k in range(inst.n_cells)
    }
    v1 = inst.tps_group[0]
    assert cells[(v1, "rawan")] == [2, 0]
    assert cells[(v1, "kurang_rawan")] == [1]
    assert inst.n_cells == 3 and inst.n_groups == 2


def test_reserve_base_is_the_default_plans_harm_per_kecamatan() -> None:
    """Standard patterns are the last allowed (2-1-2, residual 0.4)."""
    inst = build_instance(tiny_scenario(TPS, security()))
    expected = [(97_825 + 50_000 + 112_500) * 400, 12_000 * 400]
    assert inst.reserve_base is not None and inst.reserve_base.tolist() == expected
    inst_plan = build_instance(tiny_scenario(TPS, security(reserve_base="plan")))
    assert inst_plan.reserve_base is None


def test_rules_list_every_limit() -> None:
    sec = security(budgets={"polres": 5}, total_budget_idr=9)
    sec["agencies"]["tni"]["available_total"] = 3
    sec["agencies"]["police"]["available_per_district"] = {"D2": 1}
    rules = build_instance(tiny_scenario(TPS, sec)).rules()
    assert [r.name for r in rules] == [
        "budget:polres",
        "budget:total",
        "available:tni",
        "available:police:D2",
    ]
    assert rules[0].per_agency.tolist() == [0, 1_000_000, 0]
    assert rules[1].per_agency.tolist() == [0, 1_000_000, 500_000]
    assert rules[3].district == 1 and rules[3].unit == "persons"


def test_unknown_kecamatan_in_availability_is_a_user_error() -> None:
    sec = security()
    sec["agencies"]["police"]["available_per_district"] = {"Nowhere": 3}
    with pytest.raises(ScenarioError, match="unknown kecamatan 'Nowhere'"):
        build_instance(tiny_scenario(TPS, sec))


def test_reductions_of_all_reserve_types_must_stay_below_one() -> None:
    """Two reserve types whose reductions sum to 1 would remove all harm: refused."""
    sec = security(
        reserves=[
            {"agency": "police", "team_size": 1, "max_per_district": 1, "harm_reduction": [0.6]},
            {"agency": "tni", "team_size": 1, "max_per_district": 1, "harm_reduction": [0.4]},
        ]
    )
    with pytest.raises(ScenarioError, match="sum to less than 1"):
        tiny_scenario(TPS, sec)


def test_index_arrays_are_int64() -> None:
    inst = build_instance(tiny_scenario(TPS, security()))
    assert inst.tps_weight.dtype == np.int64 and inst.cell_order.dtype == np.int64
