"""The day's attempts one by one (planner.sim.deterrence.AttemptLog) and their trace rows.

The log is what the trainer's demo tells, so it must say exactly what the counts say
(every per-TPS count is a bincount of the log), name the presence that stopped each
attempt from the same uniform that decided it, and put the found-later fraud where the
incident list has it.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_deterrence import make, uniform_plan

from planner.scenario.plan import default_plan
from planner.scenario.sections.incidents import PresenceEffect
from planner.sim.deterrence import apply_deterrence, deterrence_trace
from planner.sim.incidents import draw_incidents
from planner.sim.presence import (
    BY_LINMAS,
    BY_PATROL,
    BY_RESIDUAL,
    BY_STATIONED,
    DETERRED_BY,
    NOT_STOPPED,
    build_presence,
)


def test_the_log_is_what_the_counts_count() -> None:
    """Per TPS: attempted, deterred, prevented, displaced, caught, found later and
    undetected are the log's entries by origin; displaced_ahead its displaced entries that
    went ahead, by target; the found-later entries are the incidents moved to counting."""
    sc = make(rate_factor=30.0)
    plan = default_plan(sc)
    n = len(sc.tps)
    seen_displaced = 0
    for rep in range(6):
        attempts = draw_incidents(sc, 5, rep)
        got, res = apply_deterrence(sc, plan, attempts, 5, rep)
        assert res is not None and res.log is not None
        log = res.log
        deterred = log.deterred_by >= 0
        displaced = log.target >= 0
        masks = {
            "attempted": np.ones(len(log), dtype=bool),
            "deterred": deterred,
            "prevented": deterred & ~displaced,
            "displaced": displaced,
            "caught": log.caught,
            "found_later": log.found_later,
            "undetected": log.undetected,
        }
        for name, mask in masks.items():
            assert np.array_equal(np.bincount(log.origin[mask], minlength=n), res.per_tps[name]), (
                name
            )
        moved = displaced & log.ahead
        assert np.array_equal(
            np.bincount(log.target[moved], minlength=n), res.per_tps["displaced_ahead"]
        )
        assert not (displaced & ~deterred).any()  # only a stopped attempt moves
        assert np.array_equal(log.ahead, ~deterred | moved)
        assert not (log.target_deterred_by[~displaced] >= 0).any()
        assert np.array_equal(log.target_deterred_by >= 0, displaced & ~log.ahead)
        assert np.array_equal(np.isfinite(log.found_min), log.found_later)
        # each found-later entry is an incident of its type at the TPS where it went ahead,
        # at the minute it was found
        incidents = set(
            zip(
                got.tps.tolist(), got.type.tolist(), np.round(got.time_min, 9).tolist(), strict=True
            )
        )
        for j in np.flatnonzero(log.found_later):
            key = (int(log.at[j]), int(log.type[j]), round(float(log.found_min[j]), 9))
            assert key in incidents
        assert np.all(np.diff(log.time_min) >= 0)
        seen_displaced += int(displaced.sum())
    assert seen_displaced > 0  # the check saw displacement


def test_deterred_by_cuts_the_unit_interval_in_layers() -> None:
    """u below the stationed chance: stationed; then up to 1 − (1−st)(1−pa): the patrol (or
    its residual after it left); then up to the combined chance: linmas; above it, not
    stopped — and "stopped" is exactly u < stop_probability."""
    sc = make({"incidents": {"response": {"patrol_dwell_min": 60}}})
    e = PresenceEffect(stationed=0.6, patrol=0.5, linmas=0.2, displacement=0.5)
    # a patrol pattern: linmas and a patrol team, nobody stationed
    pres = build_presence(sc, uniform_plan(sc, "2-6-12"))
    i = int(np.flatnonzero(pres.patrol_pos == 0)[0])
    there, after = pres.start_min + 10, pres.start_min + 90
    for t, patrol_code in ((there, BY_PATROL), (after, BY_RESIDUAL)):
        st, pa, li = pres.stop_parts(e, np.array([i]), np.array([t]))
        assert st[0] == 0.0 and li[0] == pytest.approx(0.2)
        cut2 = 1 - (1 - pa[0])
        cut3 = 1 - (1 - pa[0]) * (1 - li[0])
        u = np.array([cut2 / 2, (cut2 + cut3) / 2, (cut3 + 1) / 2])
        got = pres.deterred_by(e, np.full(3, i), np.full(3, t), u)
        assert got.tolist() == [patrol_code, BY_LINMAS, NOT_STOPPED]
    # stationed officers (4-1-4: four police and four linmas at every TPS)
    full = build_presence(sc, uniform_plan(sc, "4-1-4"))
    st, _, li = full.stop_parts(e, np.array([0]), np.array([500.0]))
    assert st[0] == pytest.approx(1 - 0.4**2) and li[0] == pytest.approx(1 - 0.8**2)
    assert full.patrol_size[0] == 0
    cut3 = 1 - (1 - st[0]) * (1 - li[0])
    u = np.array([st[0] / 2, (st[0] + cut3) / 2, (cut3 + 1) / 2])
    got = full.deterred_by(e, np.zeros(3, dtype=np.int64), np.full(3, 500.0), u)
    assert got.tolist() == [BY_STATIONED, BY_LINMAS, NOT_STOPPED]
    # on many uniforms, stopped by the layers = stopped by the combined chance
    rng = np.random.default_rng(3)
    rows = rng.integers(0, len(sc.tps), 5000)
    times = rng.uniform(pres.start_min, pres.start_min + 600, 5000)
    uu = rng.random(5000)
    by = pres.deterred_by(e, rows, times, uu)
    assert np.array_equal(by >= 0, uu < pres.stop_probability(e, rows, times))
    assert set(np.unique(by).tolist()) == {NOT_STOPPED, BY_PATROL, BY_RESIDUAL, BY_LINMAS}
    assert DETERRED_BY[BY_RESIDUAL] == "patrol_residual"


def test_trace_rows_are_the_log_and_the_patrol_rotation() -> None:
    """A TPS's trace lists each of its patrol visits (arrival, departure) as the presence
    timeline has them, and one row per attempt made there or displaced to it."""
    sc = make({"incidents": {"response": {"patrol_dwell_min": 30}}}, rate_factor=30.0)
    plan = uniform_plan(sc, "2-6-12")
    attempts = draw_incidents(sc, 5, 0)
    _, res = apply_deterrence(sc, plan, attempts, 5, 0)
    assert res is not None and res.log is not None
    log = res.log
    i = int(np.bincount(log.origin, minlength=len(sc.tps)).argmax())
    until = 1200.0
    rows = deterrence_trace(sc, res, i, until)
    arrivals = [t for t, _, what, _ in rows if what == "patrol arrives"]
    leaves = [t for t, _, what, _ in rows if what == "patrol leaves"]
    visits = res.presence.visits(i, until)
    assert arrivals == [a for a, _ in visits]
    assert leaves == [b for a, b in visits if b - a >= res.presence.dwell_min - 1e-9]
    deterred_here = [t for t, who, what, _ in rows if who == "attempt" and "deterred" in what]
    want = log.time_min[(log.origin == i) & (log.deterred_by >= 0)].tolist()
    assert deterred_here == want
    assert want  # this TPS had deterred attempts
