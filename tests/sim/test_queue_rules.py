"""The voter-flow rules (planner.sim.queueing) on hand-computed cases, for both engines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from simcore_helpers import hand_inputs

from planner.sim.grid import TimeGrid
from planner.sim.queue_batch import run_batch
from planner.sim.queue_reference import run_reference
from planner.sim.queueing import (
    OUT_GAVE_UP,
    OUT_STRANDED,
    OUT_TURNED_AWAY,
    OUT_VOTED,
    QueueInputs,
    QueueResult,
    merged_intervals,
)

ENGINES = [run_batch, run_reference]
INF = math.inf


def both(inputs: QueueInputs) -> list[QueueResult]:
    return [engine(inputs) for engine in ENGINES]


@pytest.mark.parametrize("engine", ENGINES)
def test_single_server_fifo_exact(engine) -> None:
    """One server, fixed times: the textbook recursion start = max(arrival, previous end)."""
    inp = hand_inputs([[0.0, 1.0, 1.5, 10.0]], [[[2.0, 2.0, 2.0, 1.0]]], [[[[]]]])
    r = engine(inp)
    np.testing.assert_array_equal(r.start_min[0, 0], [0.0, 2.0, 4.0, 10.0])
    np.testing.assert_array_equal(r.end_min[0, 0], [2.0, 4.0, 6.0, 11.0])
    assert (r.outcome == OUT_VOTED).all()


@pytest.mark.parametrize("engine", ENGINES)
def test_two_servers_lowest_slot_on_ties_and_blocked_slot(engine) -> None:
    """Equal starts go to the lowest slot; a blocked slot cannot start until unblocked."""
    # slot 1 (second) is blocked [0, 5): both early voters must use slot 0
    inp = hand_inputs(
        [[0.0, 0.0, 1.0]],
        [[[3.0, 3.0, 3.0]]],
        [[[[]], [[(-INF, 5.0)]]]],
    )
    r = engine(inp)
    np.testing.assert_array_equal(r.start_min[0, 0], [0.0, 3.0, 5.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_suspension_blocks_starts_but_not_service_in_progress(engine) -> None:
    """A service under way continues through a suspension; nobody starts inside it."""
    inp = hand_inputs(
        [[0.0, 1.0, 2.0]],
        [[[4.0, 1.0, 1.0]]],
        [[[[(-INF, 0.0), (3.0, 10.0)]]]],
    )
    r = engine(inp)
    np.testing.assert_array_equal(r.start_min[0, 0], [0.0, 10.0, 11.0])
    np.testing.assert_array_equal(r.end_min[0, 0], [4.0, 11.0, 12.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_patience_boundary(engine) -> None:
    """Starting exactly when patience runs out counts as served; later means gave up."""
    inp = hand_inputs(
        [[0.0, 0.0, 0.0]],
        [[[5.0, 5.0, 5.0]]],
        [[[[]]]],
        patience=[[INF, 5.0, 4.9]],
    )
    r = engine(inp)
    assert list(r.outcome[0]) == [OUT_VOTED, OUT_VOTED, OUT_GAVE_UP]
    assert r.leave_min[0, 2] == 4.9
    assert r.start_min[0, 0, 1] == 5.0


@pytest.mark.parametrize("engine", ENGINES)
def test_ballots_run_out(engine) -> None:
    """The third voter finds no ballot set: turned away at the desk, the slot stays free."""
    inp = hand_inputs(
        [[0.0, 0.5, 1.0, 1.2]],
        [[[2.0, 2.0, 2.0, 2.0]]],
        [[[[]], [[]]]],
        ballots=[2],
    )
    r = engine(inp)
    assert list(r.outcome[0]) == [OUT_VOTED, OUT_VOTED, OUT_TURNED_AWAY, OUT_TURNED_AWAY]
    np.testing.assert_array_equal(r.leave_min[0, 2:], [2.0, 2.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_tandem_reorders_by_departure_and_ties_keep_start_order(engine) -> None:
    """At the next stage voters queue by departure; equal departures keep start order."""
    # stage 0: two servers; voter 0 takes 5, voter 1 takes 2 -> voter 1 reaches stage 1 first
    # voter 2 arrives 1, starts at 2 on slot 1, ends 5 = voter 0's end: tie, voter 0 first
    inp = hand_inputs(
        [[0.0, 0.0, 1.0]],
        [[[5.0, 2.0, 3.0]], [[1.0, 1.0, 1.0]]],
        [[[[]], [[]]], [[[]]]],
    )
    r = engine(inp)
    np.testing.assert_array_equal(r.end_min[0, 0], [5.0, 2.0, 5.0])
    np.testing.assert_array_equal(r.start_min[1, 0], [5.0, 2.0, 6.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_fatigue_multiplier_at_service_start(engine) -> None:
    """Duration = base × multiplier of the grid cell holding the start time."""
    grid = TimeGrid(0.0, 10.0, 3)
    inp = hand_inputs(
        [[0.0, 9.0]],
        [[[9.5, 1.0]]],
        [[[[]]]],
        multiplier=[[1.0, 2.0, 3.0]],
        grid=grid,
    )
    r = engine(inp)
    np.testing.assert_array_equal(r.start_min[0, 0], [0.0, 9.5])
    np.testing.assert_array_equal(r.end_min[0, 0], [9.5, 10.5])  # cell 0 -> ×1
    inp2 = hand_inputs(
        [[0.0, 9.0]], [[[10.5, 1.0]]], [[[[]]]], multiplier=[[1.0, 2.0, 3.0]], grid=grid
    )
    r2 = engine(inp2)
    np.testing.assert_array_equal(r2.end_min[0, 0], [10.5, 12.5])  # starts 10.5 -> cell 1, ×2


@pytest.mark.parametrize("engine", ENGINES)
def test_stranded_when_every_slot_is_blocked_for_good(engine) -> None:
    """Without patience a voter at a TPS that can never serve is stranded, not lost."""
    inp = hand_inputs([[0.0, 1.0]], [[[1.0, 1.0]]], [[[[(0.5, INF)]]]])
    r = engine(inp)
    assert list(r.outcome[0]) == [OUT_VOTED, OUT_STRANDED]


def test_merged_intervals() -> None:
    """Overlapping and touching intervals merge; empty ones vanish."""
    got = merged_intervals(np.array([3.0, 0.0, 5.0, 9.0, INF]), np.array([6.0, 2.0, 5.0, 9.5, INF]))
    assert got == [(0.0, 2.0), (3.0, 6.0), (9.0, 9.5)]
    assert merged_intervals(np.array([0.0, 2.0]), np.array([2.0, 4.0])) == [(0.0, 4.0)]
