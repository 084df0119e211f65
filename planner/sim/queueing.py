"""The voter flow at a TPS as a network of FIFO multi-server stages: inputs, rules, results.

Both voter engines (`planner.sim.queue_batch`, array recursion across all TPS, and
`planner.sim.queue_reference`, SimPy event by event) read a `QueueInputs` and write a
`QueueResult`, and follow the same rules (docs/model.md, "Service rules"):

1. **Stages in tandem.** A voter passes every stage in order; leaving one stage is arriving
   at the next. Each stage serves its own queue first come, first served.
2. **Server slots.** A stage has numbered server slots. A slot may *start* a service only
   when it is idle and not blocked. Blocks are half-open intervals ``[start, end)``: before
   the TPS opens, during a voting suspension (every slot of every stage), and while the
   stage has fewer servers than the slot number because KPPS are ill, away or on break. A
   service already under way when its slot becomes blocked is finished (non-preemptive).
3. **Who starts where.** The voter at the head of a queue starts at the earliest time any
   slot can start; when several slots could start at that same time the lowest-numbered
   slot takes the voter.
4. **Ties in time.** Voters reaching a stage at the same instant queue in the order they
   started the previous stage (arrival order for the first stage).
5. **Patience** (first stage only). A voter whose wait for the first stage would exceed
   their patience leaves at arrival + patience, unserved. Starting exactly then counts.
6. **Ballots.** A voter takes one ballot set when the first stage starts; when none is left
   the voter is turned away at that moment and the slot stays free.
7. **Duration.** ``base service × fatigue multiplier`` of the TPS at the service start (for
   stages where fatigue applies), the multiplier held constant within each grid cell.
8. **Close.** Voters arrive only before close and everyone who queued is served (or gives up
   by rule 5); a TPS whose every slot is blocked for good leaves its queue stranded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.sim.grid import TimeGrid

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
Int8Array = np.ndarray[Any, np.dtype[np.int8]]

OUT_VOTED = 0
OUT_GAVE_UP = 1
OUT_TURNED_AWAY = 2
OUT_STRANDED = 3
OUT_NONE = -1


@dataclass(frozen=True)
class StageSlots:
    """Blocked intervals of every server slot of one stage at every TPS.

    `block_start` and `block_end` have shape (slots, tps, intervals); along the last axis
    intervals are sorted by start and may overlap; unused entries are (+inf, +inf). A slot
    the TPS does not have is blocked over (−inf, +inf).
    """

    block_start: FloatArray
    block_end: FloatArray

    @property
    def slots(self) -> int:
        """Number of slots (the most any TPS has)."""
        return int(self.block_start.shape[0])


@dataclass(frozen=True)
class QueueInputs:
    """Everything the voter engines need for one replication."""

    arrival_min: FloatArray
    """(tps, voters) first-stage arrivals, sorted per row, +inf padding."""
    patience_min: FloatArray
    """(tps, voters) patience for the first stage (inf: never leaves)."""
    service_min: FloatArray
    """(stages, tps, voters) base service minutes, indexed by voter (arrival order)."""
    ballots: IntArray
    """(tps,) ballot sets available."""
    slots: tuple[StageSlots, ...]
    """One per stage."""
    grid: TimeGrid
    multiplier: FloatArray
    """(tps, cells) service-time multiplier from KPPS fatigue."""
    fatigue_applies: tuple[bool, ...]
    """Per stage: whether the multiplier applies."""
    stage_names: tuple[str, ...]

    @property
    def tps_count(self) -> int:
        """Number of TPS."""
        return int(self.arrival_min.shape[0])

    def service_duration(self, stage: int, tps: int, voter: int, start_min: float) -> float:
        """Rule 7 for one voter (the reference engine); the batch engine vectorises it."""
        base = float(self.service_min[stage, tps, voter])
        if not self.fatigue_applies[stage]:
            return base
        return base * float(self.multiplier[tps, self.grid.cell_of_scalar(start_min)])


@dataclass
class QueueResult:
    """Per-voter times (voter = column in arrival order), NaN where a stage was not served."""

    start_min: FloatArray
    """(stages, tps, voters) service start."""
    end_min: FloatArray
    """(stages, tps, voters) service end."""
    outcome: Int8Array
    """(tps, voters) OUT_VOTED, OUT_GAVE_UP, OUT_TURNED_AWAY, OUT_STRANDED or OUT_NONE."""
    leave_min: FloatArray
    """(tps, voters) when the voter left: last stage end, gave-up or turned-away time."""

    @classmethod
    def empty(cls, stages: int, tps: int, voters: int) -> QueueResult:
        """A result with nothing recorded yet."""
        return cls(
            np.full((stages, tps, voters), np.nan),
            np.full((stages, tps, voters), np.nan),
            np.full((tps, voters), OUT_NONE, dtype=np.int8),
            np.full((tps, voters), np.nan),
        )

    def wait_min(self, arrival_min: FloatArray) -> FloatArray:
        """(tps, voters) total time queuing over all stages (NaN unless voted)."""
        stages = self.start_min.shape[0]
        wait = self.start_min[0] - arrival_min
        for k in range(1, stages):
            wait = wait + (self.start_min[k] - self.end_min[k - 1])
        return np.where(self.outcome == OUT_VOTED, wait, np.nan)


def merged_intervals(starts: FloatArray, ends: FloatArray) -> list[tuple[float, float]]:
    """The union of intervals ``[start, end)`` as sorted, disjoint, non-touching intervals."""
    pairs = sorted(
        (float(s), float(e)) for s, e in zip(starts, ends, strict=True) if e > s and s < np.inf
    )
    out: list[tuple[float, float]] = []
    for s, e in pairs:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out
