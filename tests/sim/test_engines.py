"""The batch (array) and reference (SimPy) voter engines give the same per-voter times.

Both read the same pre-drawn inputs; the claim is agreement to 1e-9 minutes (in practice
bit-for-bit) on every voter of every TPS, across the features that make the recursion hard:
fatigue slow-downs, late openings, suspensions, KPPS lost from a time on, breaks, patience,
ballots running out, fixed (tied) times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from simcore_helpers import pilkada

from planner.scenario.resolved import Scenario
from planner.sim import day as D
from planner.sim.queue_batch import run_batch
from planner.sim.queue_reference import run_reference
from planner.sim.queueing import OUT_GAVE_UP, OUT_TURNED_AWAY, QueueInputs, QueueResult


def inputs_for(
    sc: Scenario,
    seed: int = 5,
    replication: int = 0,
    late_open: dict[int, float] | None = None,
    suspensions: dict[int, list[tuple[float, float]]] | None = None,
    staff_changes: dict[int, list[tuple[float, int]]] | None = None,
) -> QueueInputs:
    """The engines' inputs for one replication, with optional disruptions injected."""
    grid = D.day_grid(sc)
    opening = D.open_and_ballots(sc, seed, replication)
    open_min = opening.open_min.copy()
    for i, t in (late_open or {}).items():
        open_min[i] = t
    opening = D.Opening(open_min, opening.ballots)
    voters = D.draw_voters(sc, seed, replication)
    voting = D.voting_staff(sc, grid, voters, seed, replication)
    n = len(sc.tps)
    disrupt = D.Disruptions(
        [list((suspensions or {}).get(i, [])) for i in range(n)],
        [list((staff_changes or {}).get(i, [])) for i in range(n)],
        [[] for _ in range(n)],
    )
    return D.queue_inputs(sc, grid, voters, opening, disrupt, voting)


def assert_same(a: QueueResult, b: QueueResult) -> None:
    """Identical outcomes and times within 1e-9 min (NaN where not served, in both)."""
    np.testing.assert_array_equal(a.outcome, b.outcome)
    for name in ("start_min", "end_min", "leave_min"):
        x, y = getattr(a, name), getattr(b, name)
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=name)
        both = ~np.isnan(x)
        assert np.max(np.abs(x[both] - y[both]), initial=0.0) <= 1e-9, name


CASES: dict[str, dict[str, Any]] = {
    "defaults with fatigue": {},
    "fatigue strong, slow voters": {
        "staff": {"fatigue": {"slowdown_per_point": 0.3}},
        "voters": {"slow_share": 0.4},
    },
    "illness, replacements and breaks": {
        "staff": {
            "health": {"base_ill_per_100k_h": 20000.0},
            "policies": {"break_every_min": 45.0, "break_length_min": 20.0},
        },
    },
    "illness without replacement, reserve worker, three booths": {
        "election": {"booths_per_tps": 3},
        "staff": {
            "health": {"base_ill_per_100k_h": 30000.0},
            "policies": {"replacement_delay_min": None, "reserve_workers": 1},
        },
    },
    "impatient voters": {
        "voters": {"patience_min": {"dist": "exponential", "mean": 8.0}, "turnout": 0.9},
    },
    "DPK beyond the reserve": {
        "election": {"ballot_reserve": 0.0},
        "voters": {
            "patience_min": None,
            "dpk_per_tps_mean": 12.0,
            "dptb_share": 0.02,
            "turnout": 1.0,
        },
    },
    "fixed times (ties everywhere)": {
        "voters": {
            "patience_min": 20.0,
            "stages": [
                {"name": "check_in", "servers": 2, "kpps_per_server": 2, "service_min": 1.0},
                {
                    "name": "booth",
                    "servers": "booths",
                    "fatigue_applies": False,
                    "service_min": 2.0,
                },
                {"name": "box_ink", "servers": 1, "kpps_per_server": 2, "service_min": 0.5},
            ],
        },
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_engines_agree(case: str) -> None:
    """Every voter's start, end, leave time and outcome agree between the two engines."""
    sc = pilkada(tps=6, voters_per_tps=520, **CASES[case])
    inputs = inputs_for(sc)
    assert_same(run_batch(inputs), run_reference(inputs))


def test_engines_agree_with_late_opening_suspensions_and_staff_taken_away() -> None:
    """Disruptions from outside the core (logistics, incidents) are honoured identically."""
    sc = pilkada(tps=4, voters_per_tps=540, staff={"fatigue": {"slowdown_per_point": 0.1}})
    inputs = inputs_for(
        sc,
        late_open={0: 480.0, 2: 455.5},
        suspensions={1: [(540.0, 600.0)], 2: [(600.0, 620.0), (610.0, 700.0)], 3: [(779.0, 800.0)]},
        staff_changes={0: [(500.0, -3), (560.0, 3)], 3: [(700.0, -6)]},
    )
    a, b = run_batch(inputs), run_reference(inputs)
    assert_same(a, b)
    start = a.start_min[0]
    assert np.nanmin(start[0]) >= 480.0  # late opening respected
    inside = (start[1] >= 540.0) & (start[1] < 600.0)
    assert not inside.any()  # nothing starts inside the suspension


def test_features_actually_bite() -> None:
    """The hard cases above really exercise the rules (so agreement is not vacuous)."""
    sc = pilkada(tps=6, voters_per_tps=520, **CASES["impatient voters"])
    assert (run_batch(inputs_for(sc)).outcome == OUT_GAVE_UP).sum() > 10
    sc = pilkada(tps=6, voters_per_tps=520, **CASES["DPK beyond the reserve"])
    assert (run_batch(inputs_for(sc)).outcome == OUT_TURNED_AWAY).sum() > 0
    sc2 = pilkada(tps=6, voters_per_tps=520, **CASES["illness, replacements and breaks"])
    inp = inputs_for(sc2)
    blocked = np.isfinite(inp.slots[0].block_start).sum()
    assert blocked > inp.tps_count * 2  # staffing blocks beyond the opening block
