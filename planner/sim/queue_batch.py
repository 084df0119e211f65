"""The batch voter engine: the FIFO multi-server recursion across all TPS at once (numpy).

For each stage the voters are taken in queue order; the n-th voter of every TPS is handled
in one vectorised step (Kiefer–Wolfowitz recursion). Each slot ``j`` keeps the time it is
next free, ``free[j]``; the voter's earliest start on slot ``j`` is the first moment at or
after ``max(arrival, free[j])`` outside the slot's blocked intervals, and the voter takes
the slot with the earliest start, lowest number on ties (rules in `planner.sim.queueing`).
One pass over a slot's intervals sorted by start finds that moment even when intervals
overlap: the time only moves forward, out of an interval, so it can only land in a later
one.
"""

from __future__ import annotations

import numpy as np

from planner.sim.queueing import (
    OUT_GAVE_UP,
    OUT_STRANDED,
    OUT_TURNED_AWAY,
    OUT_VOTED,
    FloatArray,
    Int8Array,
    IntArray,
    QueueInputs,
    QueueResult,
    StageSlots,
)


def run_batch(inputs: QueueInputs) -> QueueResult:
    """Serve every voter of every TPS through all stages; per-voter times in arrival order."""
    stages, n_tps, width = inputs.service_min.shape
    result = QueueResult.empty(stages, n_tps, width)
    arrival = inputs.arrival_min
    order: IntArray = np.tile(np.arange(width, dtype=np.int64), (n_tps, 1))
    """order[i, p]: the voter at queue position p of the current stage at TPS i."""
    for k in range(stages):
        service = np.take_along_axis(inputs.service_min[k], order, axis=1)
        first = k == 0
        start, end, status = _serve_stage(
            inputs,
            k,
            arrival,
            service,
            inputs.patience_min if first else None,
            inputs.ballots if first else None,
        )
        np.put_along_axis(result.start_min[k], order, start, axis=1)
        np.put_along_axis(result.end_min[k], order, end, axis=1)
        if first:
            result.outcome[:] = status
            result.leave_min[:] = np.where(
                status == OUT_GAVE_UP, arrival + inputs.patience_min, np.nan
            )
            result.leave_min[:] = np.where(status == OUT_TURNED_AWAY, start, result.leave_min)
            start_unserved = status == OUT_TURNED_AWAY
            result.start_min[k][start_unserved] = np.nan
        else:
            stranded = np.zeros_like(status, dtype=bool)
            np.put_along_axis(stranded, order, status == OUT_STRANDED, axis=1)
            result.outcome[stranded] = OUT_STRANDED
        served = status == OUT_VOTED
        departure = np.where(served, end, np.inf)
        next_order = np.argsort(departure, axis=1, kind="stable")
        arrival = np.take_along_axis(departure, next_order, axis=1)
        order = np.take_along_axis(order, next_order, axis=1)
    last_end = result.end_min[stages - 1]
    voted = result.outcome == OUT_VOTED
    result.leave_min[:] = np.where(voted, last_end, result.leave_min)
    return result


def _serve_stage(
    inputs: QueueInputs,
    stage: int,
    arrival: FloatArray,
    service: FloatArray,
    patience: FloatArray | None,
    ballots: IntArray | None,
) -> tuple[FloatArray, FloatArray, Int8Array]:
    """One stage for all TPS: start, end and status per queue position."""
    n_tps, width = arrival.shape
    slots: StageSlots = inputs.slots[stage]
    blocks = [
        (slots.block_start[:, :, q], slots.block_end[:, :, q])
        for q in range(slots.block_start.shape[2])
        if (slots.block_start[:, :, q] < np.inf).any()
    ]
    free = np.full((slots.slots, n_tps), -np.inf)
    rows = np.arange(n_tps)
    start = np.full((n_tps, width), np.nan)
    end = np.full((n_tps, width), np.nan)
    served_at = np.zeros((n_tps, width), dtype=bool)
    turned_at = np.zeros((n_tps, width), dtype=bool)
    gave_up_at = np.zeros((n_tps, width), dtype=bool)
    stranded_at = np.zeros((n_tps, width), dtype=bool)
    issued = np.zeros(n_tps, dtype=np.int64)
    grid = inputs.grid
    multiplier = inputs.multiplier.ravel() if inputs.fatigue_applies[stage] else None
    row_base = rows * grid.cells
    last_cell = grid.cells - 1
    no_one = np.zeros(n_tps, dtype=bool)
    everyone = np.ones(n_tps, dtype=bool)
    active_cols = int((arrival < np.inf).sum(axis=1).max(initial=0))
    for n in range(active_cols):
        a = arrival[:, n]
        active = a < np.inf
        cand = np.maximum(free, a)
        for bs, be in blocks:
            cand = np.where((cand >= bs) & (cand < be), be, cand)
        slot = cand.argmin(axis=0)
        s = cand[slot, rows]
        can_start = s < np.inf
        gave_up = active & (s > a + patience[:, n]) if patience is not None else no_one
        stays = active & ~gave_up
        has_ballot = issued < ballots if ballots is not None else everyone
        served = stays & can_start & has_ballot
        s_safe = np.where(can_start, s, grid.start_min)
        d = service[:, n]
        if multiplier is not None:
            cell = np.floor((s_safe - grid.start_min) / grid.step_min)
            cell = np.minimum(np.maximum(cell, 0), last_cell).astype(np.int64)
            d = d * multiplier.take(row_base + cell)
        e = s_safe + d
        free[slot, rows] = np.where(served, e, free[slot, rows])
        issued += served
        start[:, n] = s
        end[:, n] = e
        served_at[:, n] = served
        turned_at[:, n] = stays & can_start & ~has_ballot
        gave_up_at[:, n] = gave_up
        stranded_at[:, n] = stays & ~can_start
    status = np.full((n_tps, width), -1, dtype=np.int8)
    status[served_at] = OUT_VOTED
    status[turned_at] = OUT_TURNED_AWAY
    status[gave_up_at] = OUT_GAVE_UP
    status[stranded_at] = OUT_STRANDED
    start = np.where(served_at | turned_at, start, np.nan)
    end = np.where(served_at, end, np.nan)
    return start, end, status
