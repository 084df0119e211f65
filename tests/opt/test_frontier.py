"""The budget sweep: marginal value of money and the first budget at the standard pattern."""

from __future__ import annotations

import pytest

from planner.opt.frontier import frontier_csv, sweep_budgets

from .helpers import security, tiny_scenario

PATTERNS = [
    {"name": "0-1-2", "per_tps": {"linmas": 2}, "residual_harm": 1.0},
    {"name": "2-1-2", "per_tps": {"police": 2, "linmas": 2}, "residual_harm": 0.5},
]
TWO = [("D", "V", 100, "kurang_rawan"), ("D", "V", 200, "kurang_rawan")]


@pytest.mark.parametrize("agency", ["police", None])
def test_sweep_by_hand(agency: str | None) -> None:
    """Rp 0, 2 m, 4 m for police (2 officers = Rp 2 m per guarded TPS): harm 300, 200 (the
    200-voter TPS guarded first), 150; 50,000 then 25,000 weighted voters per added Rp 1 bn;
    kurang rawan first reaches its standard 2-1-2 at Rp 4 m. Scaling a Rp 2 m budget by
    0, 1, 2 gives the same sweep."""
    sc = tiny_scenario(TWO, security(patterns=PATTERNS, budgets={"polres": 2_000_000}))
    start, stop = (0.0, 4_000_000.0) if agency else (0.0, 2.0)
    frontier = sweep_budgets(sc, agency, start, stop, 3, time_limit_s=10, workers=1, seed=1)
    assert [p.status for p in frontier.points] == ["OPTIMAL"] * 3
    assert [p.objective for p in frontier.points] == pytest.approx([300.0, 200.0, 150.0])
    assert frontier.points[0].marginal_per_billion is None
    assert [p.marginal_per_billion for p in frontier.points[1:]] == pytest.approx(
        [50_000.0, 25_000.0]
    )
    assert frontier.first_budget_at_standard["kurang_rawan"] == stop
    assert frontier.points[1].share_standard["kurang_rawan"] == 0.5
    assert frontier.points[1].patterns == {"0-1-2": 1, "2-1-2": 1}
    text = frontier_csv(frontier)
    assert text.splitlines()[3].split(",")[-2] == "kurang_rawan"
