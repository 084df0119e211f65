"""A validated scenario together with its resolved TPS table."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planner.scenario.schema import ScenarioSpec
from planner.scenario.tps import IntArray, TpsTable


@dataclass(frozen=True)
class Scenario:
    """What every command works on: the validated spec and the TPS table it resolves to."""

    spec: ScenarioSpec
    tps: TpsTable
    path: Path | None = None

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.spec.name

    @property
    def seed(self) -> int:
        """The scenario's run seed."""
        return self.spec.seed

    def spec_data(self) -> dict[str, Any]:
        """The spec as plain JSON-ready data (clock times as "HH:MM")."""
        return self.spec.model_dump(mode="json")

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (spec and TPS table), for manifests."""
        h = hashlib.sha256()
        h.update(json.dumps(self.spec_data(), sort_keys=True).encode())
        h.update(self.tps.to_csv().encode())
        return h.hexdigest()

    def ballots_needed(self) -> IntArray:
        """Ballot sets per TPS: DPT + reserve share, rounded up (facts §5.3)."""
        return reserve_ballots(self.tps.voters, self.spec.election.ballot_reserve)

    def turnout_by_tps(self) -> np.ndarray:
        """Turnout per TPS: the kecamatan override where given, else voters.turnout."""
        base = self.spec.voters.turnout
        overrides: dict[str, float] = {}
        for region in self.spec.all_regions():
            for d in region.districts or []:
                if d.turnout is not None:
                    overrides[_district_label(self.spec, region.name, d.name)] = d.turnout
        by_district = np.array(
            [overrides.get(name, base) for name in self.tps.district_names], dtype=np.float64
        )
        return by_district[self.tps.district]


def reserve_ballots(voters: IntArray, reserve_share: float) -> IntArray:
    """Ballot sets per TPS: DPT + reserve share of DPT, rounded up (facts §5.3).

    Integer arithmetic on the reserve in parts per million avoids float artefacts such as
    200 × 0.025 = 5.000000000000001 rounding up to 6.
    """
    ppm = round(reserve_share * 1_000_000)
    extra = -((-voters.astype(np.int64) * ppm) // 1_000_000)
    return np.asarray(voters.astype(np.int64) + extra, dtype=np.int64)


def _district_label(spec: ScenarioSpec, region: str, district: str) -> str:
    return f"{region} / {district}" if spec.regions is not None else district


district_label = _district_label
