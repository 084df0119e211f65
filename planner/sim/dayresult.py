"""What one simulated polling day produced: the day's parts and the `DayResult` that holds
them (built by `planner.sim.day.simulate_day`, aggregated by `planner.sim.metrics`, finished
by `planner.sim.operations`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from planner.scenario.resolved import Scenario
from planner.sim import staff as st
from planner.sim.counting import CountResult
from planner.sim.grid import FloatArray, IntArray, TimeGrid
from planner.sim.queueing import QueueResult
from planner.sim.record import EventLog
from planner.sim.voters import VoterDraws

Engine = Literal["batch", "reference"]
BoolArray = st.BoolArray


@dataclass(frozen=True)
class Opening:
    """Per TPS: when voting can start and the ballot sets available."""

    open_min: FloatArray
    ballots: IntArray
    logistics: Any = None
    """The `planner.sim.logistics.LogisticsResult` behind these times (None: not simulated)."""


@dataclass(frozen=True)
class Disruptions:
    """What other parts of the day do to the voter flow and counting at each TPS."""

    suspensions: list[list[tuple[float, float]]]
    """Per TPS: voting suspension intervals [start, end) (clock minutes)."""
    staff_changes: list[list[tuple[float, int]]]
    """Per TPS: changes of KPPS on duty (clock minute, +n / −n) beyond breaks and illness."""
    count_pauses: list[list[tuple[float, float]]]
    """Per TPS: counting-pause intervals [start, end) (clock minutes). Counting progress
    stops inside them; only the part inside the TPS's counting period delays it
    (`counting.through_pauses`)."""
    response: Any = None
    """The `planner.sim.response.ResponseResult` behind these (None: incidents off)."""
    collapse_medical: Any = None
    """The medical teams' `ResponseResult` for ``collapse`` injects (None: none)."""

    @classmethod
    def none(cls, n_tps: int) -> Disruptions:
        """No suspensions, no staff taken away, no pauses."""
        return cls(
            [[] for _ in range(n_tps)], [[] for _ in range(n_tps)], [[] for _ in range(n_tps)]
        )

    @property
    def count_pause_min(self) -> FloatArray:
        """Per TPS: total length of the counting-pause intervals (merged); not the delay
        to counting, which counts only the part inside the counting period."""
        return np.array([_merged_length(p) for p in self.count_pauses], dtype=np.float64)


def _merged_length(intervals: list[tuple[float, float]]) -> float:
    """Minutes covered by the union of the intervals."""
    total, reach = 0.0, -np.inf
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


@dataclass(frozen=True)
class VotingStaff:
    """The voting team: draws, fatigue curves, and health events before counting."""

    team: st.TeamDraws
    curves: st.TeamCurves
    hazard_per_min: FloatArray
    ill_min: FloatArray
    """(tps, workers) first-pass event times; final for events before counting starts."""
    service_multiplier: FloatArray
    """(tps, cells) service-time multiplier from the mean deficit of KPPS on duty."""
    mean_deficit: FloatArray


@dataclass(frozen=True)
class StaffOutcome:
    """Health and fatigue of all KPPS over the whole day."""

    ill_min: FloatArray
    """(tps, workers of both teams) event time; inf when none happened."""
    severe: BoolArray
    ill_expected: FloatArray
    """(tps,) expected health events (sum of event probabilities) — for precise rates."""
    severe_expected: FloatArray
    workers: IntArray
    """(tps,) KPPS who worked (both teams with a split shift; replacements not counted)."""
    fatigue_peak: FloatArray
    """(tps,) highest mean alertness deficit of the KPPS on duty, points."""
    duty_hours: FloatArray
    """(tps,) hours from staff arrival to the end of the KPPS's work."""


@dataclass
class DayResult:
    """Everything one replication produced (per voter and per TPS); aggregated by metrics."""

    scenario: Scenario
    replication: int
    grid: TimeGrid
    opening: Opening
    voters: VoterDraws
    queue: QueueResult
    voting_staff: VotingStaff
    disruptions: Disruptions
    staff: StaffOutcome
    counting: CountResult
    counting_on: bool
    incidents_on: bool = False
    logistics_on: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    log: EventLog | None = None
