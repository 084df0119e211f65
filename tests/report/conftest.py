"""Shared fixtures for report, demo and inject tests: a small scenario on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.scenario.load import load_scenario
from planner.scenario.resolved import Scenario

SMALL_YAML = """\
name: Report test city
seed: 7
region:
  name: Kota Uji
  districts:
    - name: Balikpapan Barat
      villages: 3
      tps: 6
      voters: 2400
      village_names: [Margomulyo, Marga Sari, Baru Ulu]
    - name: Balikpapan Kota
      villages: 2
      tps: 4
      voters: 1500
      village_names: [Klandasan Ilir, Klandasan Ulu]
"""


@pytest.fixture()
def small_scenario_file(tmp_path: Path) -> Path:
    """A two-kecamatan, ten-TPS scenario file."""
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    return path


@pytest.fixture()
def small_scenario(small_scenario_file: Path) -> Scenario:
    """The small scenario, loaded."""
    return load_scenario(small_scenario_file)
