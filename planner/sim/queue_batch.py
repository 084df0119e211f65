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
    merged_intervals,
)


def run_batch(inputs: QueueInputs) -> QueueResult:
    """Serve every voter of every TPS through all stages; per-voter times in arrival order."""
    stages, n_tps, width = inputs.service_min.shape
    result = QueueResult.empty(stages, n_tps, width)
    arrival = inputs.arrival_min
    order: IntArray = np.tile(np.arange(width, dtype=np.int64), (n_tps, 1))
    """order[i, p]: the voter at queue position p of the current stage at TPS i."""
    row_start = (np.arange(n_tps, dtype=np.int64) * width)[:, None]
    for k in range(stages):
        flat = (row_start + order).ravel()  # where each queue position's voter lives
        service = inputs.service_min[k].ravel().take(flat).reshape(n_tps, width)
        first = k == 0
        start, end, status = _serve_stage(
            inputs,
            k,
            arrival,
            service,
            inputs.patience_min if first else None,
            inputs.ballots if first else None,
        )
        result.start_min[k].ravel()[flat] = start.ravel()
        result.end_min[k].ravel()[flat] = end.ravel()
        if first:
            result.outcome[:] = status
            result.leave_min[:] = np.where(
                status == OUT_GAVE_UP, arrival + inputs.patience_min, np.nan
            )
            result.leave_min[:] = np.where(status == OUT_TURNED_AWAY, start, result.leave_min)
            start_unserved = status == OUT_TURNED_AWAY
            result.start_min[k][start_unserved] = np.nan
        else:
            stranded = flat[(status == OUT_STRANDED).ravel()]
            result.outcome.ravel()[stranded] = OUT_STRANDED
        served = status == OUT_VOTED
        departure = np.where(served, end, np.inf)
        next_order = np.argsort(departure, axis=1, kind="stable")
        arrival = np.take_along_axis(departure, next_order, axis=1)
        order = np.take_along_axis(order, next_order, axis=1)
    last_end = result.end_min[stages - 1]
    voted = result.outcome == OUT_VOTED
    result.leave_min[:] = np.where(voted, last_end, result.leave_min)
    return result


def disjoint_blocks(slots: StageSlots) -> tuple[FloatArray, FloatArray]:
    """Each slot's blocks at each TPS merged into disjoint, non-touching intervals in time
    order, padded with (+inf, +inf) and one more such sentinel at the end."""
    n_slots, n_tps, _ = slots.block_start.shape
    finite = slots.block_start < np.inf
    count = finite.sum(axis=2)
    if int(count.max(initial=0)) <= 1:
        pad = np.full((n_slots, n_tps, 1), np.inf)
        return (
            np.concatenate([slots.block_start[:, :, :1], pad], axis=2),
            np.concatenate([slots.block_end[:, :, :1], pad], axis=2),
        )
    merged: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for j, i in zip(*np.nonzero(count > 1), strict=True):
        merged[(int(j), int(i))] = merged_intervals(slots.block_start[j, i], slots.block_end[j, i])
    most = max([1, *(len(v) for v in merged.values())])
    start = np.full((n_slots, n_tps, most + 1), np.inf)
    end = np.full((n_slots, n_tps, most + 1), np.inf)
    first = np.argmax(finite, axis=2)
    one = count == 1
    rows_j, rows_i = np.nonzero(one)
    start[rows_j, rows_i, 0] = slots.block_start[rows_j, rows_i, first[one]]
    end[rows_j, rows_i, 0] = slots.block_end[rows_j, rows_i, first[one]]
    for (j, i), spans in merged.items():
        for q, (b0, b1) in enumerate(spans):
            start[j, i, q] = b0
            end[j, i, q] = b1
    return start, end


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
    block_start, block_end = disjoint_blocks(slots)
    n_slots = slots.slots
    width_blocks = block_start.shape[2]
    flat_start = block_start.ravel()
    flat_end = block_end.ravel()
    # pointer base of (slot j, TPS i) into the flattened (slot, tps, block) arrays
    base = (np.arange(n_slots)[:, None] * n_tps + np.arange(n_tps)[None, :]) * width_blocks
    pointer = np.zeros((n_slots, n_tps), dtype=np.int64)
    free = np.full((n_slots, n_tps), -np.inf)
    rows = np.arange(n_tps)
    active_cols = int((arrival < np.inf).sum(axis=1).max(initial=0))
    # positions as rows (contiguous), TPS as columns
    arrival_t = np.ascontiguousarray(arrival[:, :active_cols].T)
    service_t = np.ascontiguousarray(service[:, :active_cols].T)
    if patience is not None:
        renege_t = arrival_t + np.ascontiguousarray(patience[:, :active_cols].T)
    start_t = np.empty((active_cols, n_tps))
    end_t = np.empty((active_cols, n_tps))
    served_t = np.zeros((active_cols, n_tps), dtype=bool)
    gave_up_t = np.zeros((active_cols, n_tps), dtype=bool)
    issued = np.zeros(n_tps, dtype=np.int64)
    grid = inputs.grid
    multiplier = inputs.multiplier.ravel() if inputs.fatigue_applies[stage] else None
    row_base = rows * grid.cells
    last_cell = grid.cells - 1
    for n in range(active_cols):
        cand = np.maximum(free, arrival_t[n])
        # skip blocks that ended: each slot's candidate only grows, so pointers only advance
        be = flat_end.take(base + pointer)
        ended = (be <= cand) & (be < np.inf)
        while ended.any():
            pointer += ended
            be = flat_end.take(base + pointer)
            ended = (be <= cand) & (be < np.inf)
        cand = np.where(cand >= flat_start.take(base + pointer), be, cand)
        if n_slots == 1:
            s = cand[0]
        else:
            slot = cand.argmin(axis=0)  # the first minimum: lowest slot on ties
            s = cand.min(axis=0)
        can_start = s < np.inf
        served = can_start
        if patience is not None:
            gave_up = s > renege_t[n]
            gave_up_t[n] = gave_up
            served = served & ~gave_up
        if ballots is not None:
            served = served & (issued < ballots)
            issued += served
        d = service_t[n]
        if multiplier is not None:
            cell = np.floor((s - grid.start_min) / grid.step_min)
            cell = np.minimum(np.maximum(cell, 0), last_cell).astype(np.int64)
            d = d * multiplier.take(row_base + cell)
        e = s + d
        if n_slots == 1:
            np.copyto(free[0], e, where=served)
        else:
            for j in range(n_slots):
                np.copyto(free[j], e, where=served & (slot == j))
        start_t[n] = s
        end_t[n] = e
        served_t[n] = served
    active = arrival[:, :active_cols] < np.inf
    start_p = start_t.T
    served_p = served_t.T
    gave_up_p = gave_up_t.T
    can_start_p = start_p < np.inf
    status = np.full((n_tps, width), -1, dtype=np.int8)
    view = status[:, :active_cols]
    view[served_p] = OUT_VOTED
    view[active & can_start_p & ~gave_up_p & ~served_p] = OUT_TURNED_AWAY
    view[gave_up_p] = OUT_GAVE_UP
    view[active & ~can_start_p & ~gave_up_p] = OUT_STRANDED
    start = np.full((n_tps, width), np.nan)
    end = np.full((n_tps, width), np.nan)
    start[:, :active_cols] = np.where(served_p | (view == OUT_TURNED_AWAY), start_p, np.nan)
    end[:, :active_cols] = np.where(served_p, end_t.T, np.nan)
    return start, end, status
