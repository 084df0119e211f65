"""Personnel and cost of a plan by the scenario's rules, checked by hand on a small table.

The table (one kecamatan D): village V1 has 7 kurang rawan TPS (a group of its own);
V2 (2 kurang rawan + 1 rawan) and V3 (1 sangat rawan + 1 khusus) are smaller than
min_village_tps = 4, so they pool at kecamatan level. The security section is written out in
full so the expected numbers do not depend on the bundled defaults.
"""

from __future__ import annotations

import numpy as np

from planner.scenario.costing import (
    cost_by_agency,
    cost_by_budget_line,
    personnel_by_agency,
    sharing_groups,
)
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario

from .conftest import COSTING_SCENARIO, COSTING_TABLE, Writer


def load_with(write: Writer, *overrides: str) -> Scenario:
    return load_scenario(write(COSTING_SCENARIO, tps__csv=COSTING_TABLE), list(overrides))


def test_sharing_groups(costing: Scenario) -> None:
    """V1 keeps its own group (code 0); V2 and V3 pool into the kecamatan (code 3 + 0)."""
    assert sharing_groups(costing).tolist() == [0] * 7 + [3] * 5


def test_default_plan_uses_standard_patterns(costing: Scenario) -> None:
    """Every TPS gets its class's standard pattern and each kecamatan the minimum reserves."""
    plan = default_plan(costing)
    assert plan.patterns == ("2-6-12",) * 9 + ("2-2-4", "2-1-2", "2-1-2+tni")
    assert plan.reserves == {("D", "police"): 1, ("D", "tni"): 1}
    assert plan.pattern_counts() == {"2-6-12": 9, "2-2-4": 1, "2-1-2": 1, "2-1-2+tni": 1}


def test_personnel_by_hand(costing: Scenario) -> None:
    """V1: 7 TPS on 2-6-12 → 2 teams = 4 police; pool: 2 on 2-6-12 → 2 police, 1 rawan on
    2-2-4 → 2, sangat rawan and khusus 2 each; reserves 10 police and 5 TNI; linmas 2 per TPS;
    TNI 1 at the khusus TPS."""
    people = personnel_by_agency(costing, default_plan(costing))
    assert people == {"linmas": 24, "police": 4 + 2 + 2 + 2 + 2 + 10, "tni": 1 + 5}


def test_costs_by_hand(costing: Scenario) -> None:
    """Cost = persons × (fixed + per day × days); agencies without a line are not charged."""
    people = personnel_by_agency(costing, default_plan(costing))
    costs = cost_by_agency(costing, people)
    assert costs == {"linmas": 24 * 650_000, "police": 22 * 100_000 * 4, "tni": 6 * 50_000 * 2}
    assert cost_by_budget_line(costing, costs) == {"polres": 8_800_000, "kodim": 600_000}


def test_district_grouping_pools_the_village(write: Writer) -> None:
    """With grouping by kecamatan all 9 kurang rawan TPS share: ceil(9/6) = 2 teams, 4 police."""
    sc = load_with(write, "security.grouping=district")
    assert sharing_groups(sc).tolist() == [3] * 12
    assert personnel_by_agency(sc, default_plan(sc))["police"] == 4 + 2 + 2 + 2 + 10


def test_min_village_tps_decides_pooling(write: Writer) -> None:
    """With min_village_tps = 8, V1 (7 TPS) pools too."""
    sc = load_with(write, "security.min_village_tps=8")
    assert sharing_groups(sc).tolist() == [3] * 12


def test_more_teams_or_reserves_cost_more(costing: Scenario) -> None:
    """A plan moving kurang rawan TPS to 2-2-4 and adding a reserve team needs more police."""
    base = default_plan(costing)
    richer = Plan(
        patterns=("2-2-4",) * 9 + base.patterns[9:],
        reserves={**base.reserves, ("D", "police"): 2},
    )
    # V1: ceil(7/2) = 4 teams = 8; pool: 2 kurang rawan + 1 rawan on 2-2-4 → 2 teams = 4
    people = personnel_by_agency(costing, richer)
    assert people["police"] == 8 + 4 + 2 + 2 + 20
    assert people["police"] > personnel_by_agency(costing, base)["police"]
    assert np.all(np.array(list(people.values())) >= 0)
