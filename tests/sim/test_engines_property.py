"""Property test: on any small input the two voter engines agree exactly.

Hypothesis builds random TPS with few voters, one to three stages of one to three slots,
blocked intervals that overlap and touch, times drawn from a coarse grid (so ties between
arrivals, service ends, block edges and patience run-outs are common), patience, scarce
ballots and a fatigue multiplier that changes from cell to cell. Ties are where two
implementations of the same rules usually part ways.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.sim.grid import TimeGrid
from planner.sim.queue_batch import run_batch
from planner.sim.queue_reference import run_reference
from planner.sim.queueing import QueueInputs, StageSlots

TIMES = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0])
DURATIONS = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])


@st.composite
def queue_inputs(draw: st.DrawFn) -> QueueInputs:
    n_tps = draw(st.integers(1, 3))
    width = draw(st.integers(1, 12))
    stages = draw(st.integers(1, 3))
    arrival = np.full((n_tps, width), np.inf)
    patience = np.full((n_tps, width), np.inf)
    for i in range(n_tps):
        n = draw(st.integers(0, width))
        arrival[i, :n] = sorted(draw(st.lists(TIMES, min_size=n, max_size=n)))
        for v in range(n):
            if draw(st.booleans()):
                patience[i, v] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]))
    service = np.array(
        [[[draw(DURATIONS) for _ in range(width)] for _ in range(n_tps)] for _ in range(stages)]
    )
    slots = []
    for _ in range(stages):
        n_slots = draw(st.integers(1, 3))
        k = draw(st.integers(1, 3))
        start = np.full((n_slots, n_tps, k), np.inf)
        end = np.full((n_slots, n_tps, k), np.inf)
        for j in range(n_slots):
            for i in range(n_tps):
                spans = []
                for _ in range(draw(st.integers(0, k))):
                    s = draw(st.sampled_from([-np.inf, 0.0, 1.0, 2.0, 3.0, 5.0]))
                    length = draw(st.sampled_from([0.5, 1.0, 2.0, 4.0, np.inf]))
                    e = draw(TIMES) if s == -np.inf else s + length
                    spans.append((s, e))
                for q, (s, e) in enumerate(sorted(spans)):
                    start[j, i, q] = s
                    end[j, i, q] = e
        slots.append(StageSlots(start, end))
    grid = TimeGrid(0.0, 2.0, 10)
    multiplier = np.array(
        [[draw(st.sampled_from([1.0, 1.25, 1.5])) for _ in range(10)] for _ in range(n_tps)]
    )
    ballots = np.array([draw(st.integers(0, width + 1)) for _ in range(n_tps)], dtype=np.int64)
    return QueueInputs(
        arrival_min=arrival,
        patience_min=patience,
        service_min=service,
        ballots=ballots,
        slots=tuple(slots),
        grid=grid,
        multiplier=multiplier,
        fatigue_applies=tuple(draw(st.booleans()) for _ in range(stages)),
        stage_names=tuple(f"s{k}" for k in range(stages)),
    )


@settings(max_examples=300, deadline=None)
@given(queue_inputs())
def test_engines_agree_on_any_small_input(inputs: QueueInputs) -> None:
    """Identical outcome, start, end and leave time for every voter."""
    a, b = run_batch(inputs), run_reference(inputs)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    for name in ("start_min", "end_min", "leave_min"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
