"""The compact summary `planner validate` prints: counts, ballots, plan personnel and money."""

from __future__ import annotations

from planner.scenario.load import load_scenario
from planner.scenario.resolved import Scenario
from planner.scenario.summary import format_summary, summarise

from .conftest import COSTING_SCENARIO, COSTING_TABLE, MINIMAL, Writer


def test_summary_numbers(costing: Scenario) -> None:
    """Every number of the summary, checked against the hand-made 12-TPS table."""
    s = summarise(costing)
    voters = sum(400 + i for i in range(1, 13))  # 4,878
    ballots = sum(v + -(-v * 25 // 1000) for v in range(401, 413))  # + ceil(2.5%)
    assert s["scenario"] == "costing"
    assert (s["kecamatan"], s["villages"], s["tps"]) == (1, 3, 12)
    assert s["voters"] == voters
    assert s["voters_per_tps_max"] == 412
    assert s["ballots_needed"] == ballots == voters + 12 * 11
    assert s["tps_by_class"] == {"kurang_rawan": 9, "rawan": 1, "sangat_rawan": 1, "khusus": 1}
    assert s["districts"] == [{"district": "D", "villages": 3, "tps": 12, "voters": voters}]
    assert s["region_totals"] == [
        {"region": "R", "kecamatan": 1, "villages": 3, "tps": 12, "voters": voters}
    ]
    assert s["expected_turnout"] == 0.7
    plan = s["default_plan"]
    assert plan["personnel"] == {"linmas": 24, "police": 22, "tni": 6}
    assert plan["cost_idr"] == {"linmas": 15_600_000, "police": 8_800_000, "tni": 600_000}
    assert plan["cost_by_budget_line_idr"] == {"polres": 8_800_000, "kodim": 600_000}
    assert plan["budget_idr"] == {"polres": 10_000_000, "kodim": 1000}
    assert plan["available"] == {"linmas": None, "police": None, "tni": None}


def test_formatted_summary_flags_overruns(write: Writer) -> None:
    """The text names kecamatan, shows cost against budget and flags overruns."""
    sc = load_scenario(
        write(COSTING_SCENARIO, tps__csv=COSTING_TABLE),
        ["security.agencies.police.available_total=20"],
    )
    text = format_summary(summarise(sc))
    assert text.splitlines()[0] == "costing  (pilkada, seed 1)"
    assert "kecamatan 1, villages 3, TPS 12, voters 4,878 (max 412 per TPS)" in text
    assert "    police            22         20         8,800,000  over availability by 2" in text
    assert "budget polres: Rp 8,800,000 of Rp 10,000,000 (88%)" in text
    assert "budget kodim: Rp 600,000 of Rp 1,000 (60000%)  OVER BUDGET" in text
    assert "    D                                   3     12      4,878" in text


def test_unlimited_budget_and_region_table(write: Writer) -> None:
    """Unlimited lines say so; more than 25 kecamatan are summarised per region instead."""
    districts = "".join(
        f"    - {{name: K{i}, villages: 1, tps: 1, voters: 100}}\n" for i in range(30)
    )
    text = format_summary(
        summarise(load_scenario(write(f"name: big\nregion:\n  name: R\n  districts:\n{districts}")))
    )
    assert "budget polres: Rp" in text and "of unlimited" in text
    assert "    R                                   30       30     30      3,000" in text
    small = format_summary(summarise(load_scenario(write(MINIMAL))))
    assert "Alpha" in small and "Beta" in small
