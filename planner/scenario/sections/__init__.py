"""Sections of the scenario format, one module per section (see `planner.scenario.schema`)."""
