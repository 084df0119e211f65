"""Shared helpers for scenario tests: write a small scenario (and tables) to a temp folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planner.scenario.load import load_scenario
from planner.scenario.resolved import Scenario

MINIMAL = """\
name: unit test
seed: 3
region:
  name: Kota Uji
  districts:
    - {name: Alpha, villages: 3, tps: 12, voters: 5400}
    - {name: Beta, villages: 2, tps: 5, voters: 2100}
"""
"""A small valid scenario: two kecamatan, 5 villages, 17 TPS, 7,500 voters."""

Writer = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write text files into a fresh folder; returns the path of the one named first."""

    def _write(text: str = MINIMAL, name: str = "scenario.yaml", **others: str) -> Path:
        for other, content in others.items():
            (tmp_path / other.replace("__", ".")).write_text(content, encoding="utf-8")
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


# A 12-TPS scenario for exact personnel and cost arithmetic. One kecamatan D: village V1 has
# 7 kurang rawan TPS (a sharing group of its own); V2 (2 kurang rawan + 1 rawan) and V3
# (1 sangat rawan + 1 khusus) are smaller than min_village_tps = 4 and pool at kecamatan
# level. The security section is written out in full so expected numbers do not depend on
# the bundled defaults.
COSTING_SCENARIO = """\
name: costing
seed: 1
region: {name: R, tps_file: tps.csv}
security:
  agencies:
    linmas: {role: guard, cost_per_person_day_idr: 0, fixed_cost_per_person_idr: 650000,
             days_deployed: 1, budget_line: null}
    police: {role: police, cost_per_person_day_idr: 100000, days_deployed: 4, budget_line: polres}
    tni: {role: military, cost_per_person_day_idr: 50000, days_deployed: 2, budget_line: kodim}
  patterns:
    - {name: 2-6-12, team: {police: 2}, tps_per_team: 6, per_tps: {linmas: 2}, residual_harm: 0.8}
    - {name: 2-2-4, team: {police: 2}, tps_per_team: 2, per_tps: {linmas: 2}, residual_harm: 0.6}
    - {name: 2-1-2, per_tps: {police: 2, linmas: 2}, residual_harm: 0.4}
    - {name: 2-1-2+tni, per_tps: {police: 2, linmas: 2, tni: 1}, residual_harm: 0.3}
  policy:
    kurang_rawan: {allowed: [2-6-12, 2-2-4], standard: 2-6-12}
    rawan: {allowed: [2-2-4, 2-1-2], standard: 2-2-4}
    sangat_rawan: {allowed: [2-1-2, 2-1-2+tni], standard: 2-1-2}
    khusus: {allowed: [2-1-2+tni], standard: 2-1-2+tni}
  reserves:
    - {agency: police, team_size: 10, min_per_district: 1, max_per_district: 2,
       harm_reduction: [0.1, 0.05]}
    - {agency: tni, team_size: 5, min_per_district: 1, max_per_district: 1, harm_reduction: [0.05]}
  budgets_idr: {polres: 10000000, kodim: 1000}
"""

COSTING_TABLE = "tps_id,district,village,voters,risk_class\n" + "".join(
    f"T{i:02d},D,{v},{400 + i},{c}\n"
    for i, (v, c) in enumerate(
        [("V1", "kurang_rawan")] * 7
        + [("V2", "kurang_rawan"), ("V2", "kurang_rawan"), ("V2", "rawan")]
        + [("V3", "sangat_rawan"), ("V3", "khusus")],
        start=1,
    )
)


@pytest.fixture
def costing(write: Writer) -> Scenario:
    """The 12-TPS costing scenario (see COSTING_SCENARIO)."""
    return load_scenario(write(COSTING_SCENARIO, tps__csv=COSTING_TABLE))
