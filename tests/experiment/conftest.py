"""Small scenarios shared by the experiment tests."""

from __future__ import annotations

from pathlib import Path

import pytest

LOOP_SCENARIO = """\
name: loop test
seed: 11
region:
  name: Kota Uji
  districts:
    - {name: Alpha, villages: 2, tps: 8, voters: 3600}
    - {name: Beta, villages: 2, tps: 8, voters: 3600}
risk:
  classes:
    kurang_rawan: {share: 0.6, weight: 1.0}
    rawan: {share: 0.3, weight: 2.5}
    sangat_rawan: {share: 0.1, weight: 5.0}
    khusus: {share: 0.0, weight: 3.0}
logistics: {enabled: false}
incidents:
  types:
    - name: dispute
      rate_per_tps_day: 0.8
      onsite_resolve: [0.3, 0.1, 0.0]
      escalate_after_min: 15
      escalation_suspend_min: {dist: uniform, low: 15, high: 60}
      revote_prob_if_escalated: 0.05
security:
  travel:
    district_travel_min: {dist: lognormal, mean: 25, cv: 0.5}
"""
"""16 TPS with frequent disputes and slow responders: the deployment changes escalations,
suspensions and re-vote risk, so plans differ in what the simulation shows."""

PROVINCE_SCENARIO = """\
name: two regions
seed: 7
regions:
  - name: Kota Satu
    districts:
      - {name: Alpha, villages: 2, tps: 6, voters: 3000}
      - {name: Beta, villages: 1, tps: 4, voters: 2000}
  - name: Kabupaten Dua
    districts:
      - {name: Gamma, villages: 2, tps: 5, voters: 2400}
incidents:
  types:
    - name: dispute
      rate_per_tps_day: 0.5
      onsite_resolve: [0.3, 0.1, 0.0]
"""
"""A province of two small regions with incidents and logistics on."""


@pytest.fixture
def loop_file(tmp_path: Path) -> Path:
    path = tmp_path / "loop.yaml"
    path.write_text(LOOP_SCENARIO, encoding="utf-8")
    return path


@pytest.fixture
def province_file(tmp_path: Path) -> Path:
    path = tmp_path / "province.yaml"
    path.write_text(PROVINCE_SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def module_loop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LOOP_SCENARIO in a folder shared by a test module (for module-scoped runs)."""
    path = tmp_path_factory.mktemp("scenario") / "loop.yaml"
    path.write_text(LOOP_SCENARIO, encoding="utf-8")
    return path
