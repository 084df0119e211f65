"""One simulated day re-run for the report's time series.

A simulate run keeps per-replication aggregates only (DESIGN §7). The report's time series
(queue length through the day, fatigue of the seven KPPS, each voter's wait, incidents by
hour, response times by agency) come from re-running ONE replication deterministically from
the run folder: its resolved scenario (scenario.resolved.yaml + tps.csv), its plan (plan.csv
if the run used one) and its seed. Named random streams (DESIGN §6) make the re-run identical
to that replication of the original run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.report.runs import CsvTable
from planner.report.story import DayStory

WORST_COUNT = 5


@dataclass
class DayTrace:
    """What the simulate report plots from one re-run day."""

    replication: int
    seed: int
    worst_tps: str
    """TPS with the longest mean wait over all replications (its KPPS' fatigue is drawn)."""
    median_tps: str
    queue: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """TPS id → (clock minutes, people in the queue) as a step function."""
    fatigue: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Worker id at the worst TPS → (clock minutes, fatigue 0..1)."""
    voter_waits: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Wait in minutes of every voter at the traced TPS."""
    incidents: list[tuple[float, str]] = field(default_factory=list)
    """(clock minute, incident type) of every incident of the day, all TPS."""
    responses: list[tuple[str, float]] = field(default_factory=list)
    """(agency, dispatch-to-arrival minutes) of every dispatch of the day."""
    health_events: list[tuple[float, str, str]] = field(default_factory=list)
    """(clock minute, TPS id, what) of worker health events at the traced TPS."""
    story: DayStory | None = None
    """The whole re-run day (every TPS), for the situation reports."""


def chosen_tps(per_tps: CsvTable | None) -> tuple[list[str], str]:
    """The five worst TPS by mean wait and the median TPS (ids), from per_tps.csv."""
    if per_tps is None or not per_tps.has("tps_id", "wait_mean_min") or per_tps.rows == 0:
        return [], ""
    ids = per_tps.text("tps_id")
    wait = np.nan_to_num(per_tps.num("wait_mean_min"), nan=-1.0)
    order = np.argsort(-wait, kind="stable")
    worst = [ids[i] for i in order[:WORST_COUNT]]
    median = ids[int(order[len(order) // 2])]
    return worst, median
