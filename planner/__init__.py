"""planner: polling-day simulation and security deployment for Indonesian regional elections.

Public API (importable from a notebook)::

    import planner
    sc = planner.load_scenario("scenarios/balikpapan-2024.yaml", overrides=["voters.turnout=0.7"])
"""

from __future__ import annotations

from planner.errors import InfeasibleError, PlanError, ScenarioError, UserError
from planner.scenario.load import load_scenario

__version__ = "0.1.0"

__all__ = [
    "InfeasibleError",
    "PlanError",
    "ScenarioError",
    "UserError",
    "__version__",
    "load_scenario",
]
