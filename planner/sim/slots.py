"""When each server slot of each stage can start a service: opening, suspensions, staffing.

Three things block slots (rule 2 in `planner.sim.queueing`):

* the TPS is not open yet (before its opening time) — every slot of every stage;
* voting is suspended (an incident) — every slot of every stage;
* the stage has fewer servers than the slot's number because fewer KPPS are on duty.

KPPS on duty are a step function of time per TPS (breaks, illness, replacements, staff taken
away by incidents). How many servers each stage gets from ``n`` KPPS on duty is fixed by
`allocate_servers`: ``kpps_without_stage`` of them (the chair) do not staff a stage; when the
rest cannot staff every server, the stage with the most servers (the earliest on ties) gives
one up, again and again, but every staffed stage keeps one server while anyone is on duty
(workers then cover several tasks). Unstaffed stages (booths) always have all their servers.
"""

from __future__ import annotations

import numpy as np

from planner.sim.queueing import FloatArray, IntArray, StageSlots


def allocate_servers(full: IntArray, kpps_per_server: IntArray, available: IntArray) -> IntArray:
    """Servers per stage (stages, tps) when `available` KPPS (per TPS) can staff stages."""
    servers = full.copy()
    staffed = kpps_per_server > 0
    if not staffed.any():
        return servers
    q = kpps_per_server[:, None]
    for _ in range(int(full[staffed].sum()) + 1):
        need = (servers * q).sum(axis=0)
        score = np.where(staffed[:, None] & (servers > 1), servers, -1)
        stage = score.argmax(axis=0)
        cut = (need > available) & (score.max(axis=0) > 0)
        if not cut.any():
            break
        cols = np.nonzero(cut)[0]
        servers[stage[cols], cols] -= 1
    nobody = available < 0
    servers[np.ix_(staffed, nobody)] = 0
    return servers


def staffing_blocks(
    full: IntArray,
    kpps_per_server: IntArray,
    kpps_without_stage: int,
    team: int,
    change_min: FloatArray,
    change: IntArray,
) -> list[tuple[FloatArray, FloatArray]]:
    """Per stage, the (slots, tps, intervals) block start/end arrays from staffing.

    `change_min` and `change` (tps, m) are the times and sizes (+1 / −1) of changes in the
    KPPS on duty, starting from `team` everyone on duty; padding is (+inf, 0).
    """
    stages, n_tps = full.shape
    order = np.argsort(change_min, axis=1, kind="stable")
    times = np.take_along_axis(change_min, order, axis=1)
    on_duty = team + np.cumsum(np.take_along_axis(change, order, axis=1), axis=1)
    seg_start = np.concatenate([np.full((n_tps, 1), -np.inf), times], axis=1)
    seg_count = np.concatenate([np.full((n_tps, 1), team), on_duty], axis=1)
    seg_end = np.concatenate([times, np.full((n_tps, 1), np.inf)], axis=1)
    counts = np.unique(seg_count)
    table = {
        int(c): allocate_servers(full, kpps_per_server, np.full(n_tps, int(c) - kpps_without_stage))
        for c in counts
    }
    servers = np.zeros((stages, n_tps, seg_count.shape[1]), dtype=np.int64)
    for c, alloc in table.items():
        hit = seg_count == c
        servers += np.where(hit[None, :, :], alloc[:, :, None], 0)
    out: list[tuple[FloatArray, FloatArray]] = []
    for k in range(stages):
        n_slots = int(full[k].max(initial=1))
        starts: list[FloatArray] = []
        ends: list[FloatArray] = []
        for j in range(n_slots):
            blocked = servers[k] <= j
            s, e = _runs(blocked, seg_start, seg_end)
            starts.append(s)
            ends.append(e)
        width = max(s.shape[1] for s in starts)
        out.append(
            (
                np.stack([_pad(s, width) for s in starts]),
                np.stack([_pad(e, width) for e in ends]),
            )
        )
    return out


def _runs(
    mask: np.ndarray, seg_start: FloatArray, seg_end: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Maximal runs of True segments as (tps, runs) start/end arrays, +inf padded."""
    n_tps = mask.shape[0]
    false_col = np.zeros((n_tps, 1), dtype=bool)
    prev = np.concatenate([false_col, mask[:, :-1]], axis=1)
    nxt = np.concatenate([mask[:, 1:], false_col], axis=1)
    starts = np.sort(np.where(mask & ~prev, seg_start, np.inf), axis=1)
    ends = np.sort(np.where(mask & ~nxt, seg_end, np.inf), axis=1)
    runs = int((mask & ~prev).sum(axis=1).max(initial=0))
    runs = max(runs, 1)
    return starts[:, :runs], ends[:, :runs]


def _pad(a: FloatArray, width: int) -> FloatArray:
    if a.shape[1] == width:
        return a
    pad = np.full((a.shape[0], width - a.shape[1]), np.inf)
    return np.concatenate([a, pad], axis=1)


def global_blocks(
    open_min: FloatArray, suspensions: list[list[tuple[float, float]]]
) -> tuple[FloatArray, FloatArray]:
    """(tps, intervals) blocks shared by every slot: before opening and each suspension."""
    n_tps = len(open_min)
    width = 1 + max((len(s) for s in suspensions), default=0)
    start = np.full((n_tps, width), np.inf)
    end = np.full((n_tps, width), np.inf)
    start[:, 0] = -np.inf
    end[:, 0] = open_min
    for i, spans in enumerate(suspensions):
        for q, (s, e) in enumerate(spans, start=1):
            start[i, q] = s
            end[i, q] = e
    return start, end


def stage_slots(
    staffing: list[tuple[FloatArray, FloatArray]], shared: tuple[FloatArray, FloatArray]
) -> tuple[StageSlots, ...]:
    """Combine staffing blocks with the shared blocks; intervals sorted by start per slot."""
    out: list[StageSlots] = []
    g_start, g_end = shared
    for s_start, s_end in staffing:
        n_slots = s_start.shape[0]
        start = np.concatenate(
            [s_start, np.broadcast_to(g_start, (n_slots, *g_start.shape))], axis=2
        )
        end = np.concatenate([s_end, np.broadcast_to(g_end, (n_slots, *g_end.shape))], axis=2)
        order = np.argsort(start, axis=2, kind="stable")
        out.append(
            StageSlots(
                np.take_along_axis(start, order, axis=2), np.take_along_axis(end, order, axis=2)
            )
        )
    return tuple(out)
