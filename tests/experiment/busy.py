"""The 20-TPS training region with human-made attempts ×40, so that who stands where matters
on a dozen simulated days (at the catalogue's rates a 20-TPS day has well under one
attempt). Used by the frontier --simulate and calibrate tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from planner.scenario.sections.incidents import default_incident_types

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "training-small.yaml"
RATE_FACTOR = 40


def write_busy(folder: Path, security: dict[str, Any] | None = None) -> Path:
    """Write the busy scenario (with `security` merged into its security section) into
    `folder` and return its path."""
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    types = [t.model_dump(mode="json") for t in default_incident_types()]
    for t in types:
        if t["presence"] is not None:
            t["rate_per_tps_day"] = t["rate_per_tps_day"] * RATE_FACTOR
    data.setdefault("incidents", {})["types"] = types
    data["region"]["tps_file"] = str(ROOT / "scenarios" / data["region"]["tps_file"])
    data["security"].update(security or {})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "busy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
