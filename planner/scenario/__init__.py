"""The scenario: schema (pydantic), loader (YAML + CSV + overrides), TPS tables and plans."""

from planner.scenario.resolved import Scenario
from planner.scenario.schema import ScenarioSpec

__all__ = ["Scenario", "ScenarioSpec"]
