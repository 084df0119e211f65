"""The simulated harm as the sim–opt loop and compare use it (`planner.sim.harm` computes it
for every day; this layer adds the refusal of a scenario that has no incidents to harm)."""

from __future__ import annotations

from planner.errors import UserError
from planner.scenario.resolved import Scenario
from planner.sim.harm import HARM_COLUMNS, HARM_METRIC, HarmWeights, harm_columns, tps_stakes

__all__ = [
    "HARM_COLUMNS",
    "HARM_METRIC",
    "HarmWeights",
    "harm_columns",
    "require_incidents",
    "tps_stakes",
]


def require_incidents(scenario: Scenario) -> None:
    """The harm is the security response's: refuse a scenario without incidents."""
    if not scenario.spec.incidents.enabled:
        raise UserError(
            "the simulated harm needs incidents; set incidents.enabled: true "
            "(or remove --set incidents.enabled=false)",
            where=str(scenario.path) if scenario.path else None,
        )
