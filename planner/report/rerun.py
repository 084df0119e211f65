"""Re-run one replication of a run folder through the simulation's trace API.

Kept apart from `trace` so the report layer depends on the simulation in one place only.
"""

from __future__ import annotations

from planner.report.runs import RunData
from planner.report.trace import DayTrace


def trace_run_day(run: RunData, worst: list[str], median: str) -> tuple[DayTrace | None, str]:
    """The day trace of replication 0 for the chosen TPS, or (None, why not)."""
    del run, worst, median
    return None, "the simulation core does not expose a trace API yet"
