"""Counting pauses are clock intervals: counting progress stops during a pause, so only the
part of a pause inside the TPS's counting period (finish extended by earlier pauses)
delays it, and a pause after the finish does nothing. Array path and SimPy reference agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from simcore_helpers import pilkada

from planner.scenario.injects import resolve_injects
from planner.scenario.load import load_scenario
from planner.sim.counting import Interval, count_tps, draw_counting, through_pauses
from planner.sim.counting_reference import count_reference
from planner.sim.day import day_grid, simulate_day

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "scenarios" / "training" / "klandasan-city.yaml"


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        ([], 160.0),  # 60 min of work from 100
        ([(200.0, 230.0)], 160.0),  # begins after the finish: nothing
        ([(160.0, 200.0)], 160.0),  # begins exactly at the finish: nothing
        ([(50.0, 90.0)], 160.0),  # ended before counting started
        ([(120.0, 150.0)], 190.0),  # inside: +30
        ([(80.0, 110.0)], 170.0),  # under way at the start: holds it until 110
        ([(150.0, 170.0), (180.0, 200.0)], 180.0),  # 50 done by 150; 10 left from 170 → 180;
        # the second begins exactly at the extended finish: nothing
        ([(150.0, 170.0), (175.0, 200.0)], 205.0),  # 5 left at 175; resume 200 → 205
        ([(120.0, 150.0), (140.0, 160.0)], 200.0),  # overlapping: progress stops 120–160
        ([(140.0, 160.0), (120.0, 130.0)], 190.0),  # any order: stops 120–130 and 140–160
        ([(130.0, 135.0), (125.0, 140.0)], 175.0),  # one inside the other: 125–140 only
        ([(170.0, 180.0), (120.0, 150.0)], 200.0),  # the first pause pushes the end into
        # the second: 20 done by 120, resume 150, 40 left → 190, but 170–180 stops it: 200
    ],
)
def test_through_pauses_hand_computed(pauses: list[Interval], expected: float) -> None:
    assert through_pauses(100.0, 60.0, pauses) == pytest.approx(expected, abs=1e-12)


def test_through_pauses_infinite_work_stays_infinite() -> None:
    assert through_pauses(100.0, np.inf, [(120.0, 150.0)]) == np.inf


def _counting_inputs() -> tuple[object, ...]:
    """A small Pilkada day's counting inputs with a team that thins out and tires by cell."""
    sc = pilkada(tps=6, voters_per_tps=250)
    grid = day_grid(sc)
    draws = draw_counting(sc, 5, 0)
    n = len(sc.tps)
    close = float(sc.spec.day.close)
    start = close + np.array([0.0, 4.0, 11.5, 0.0, 30.0, 7.25])
    papers = np.array([500, 420, 380, 460, 300, 0], dtype=np.int64)
    k = sc.spec.staff.kpps_per_tps
    on_duty = np.full((n, grid.cells), float(k))
    on_duty[:, grid.cells // 2 :] = k - 2  # two KPPS leave mid-day: slower by cell
    deficit = np.tile(np.linspace(0.0, 6.0, grid.cells), (n, 1))
    return sc, grid, draws, start, papers, on_duty, deficit


def test_pauses_delay_by_the_overlap_and_engines_agree() -> None:
    sc, grid, draws, start, papers, on_duty, deficit = _counting_inputs()
    none: list[list[Interval]] = [[] for _ in range(6)]
    base = count_tps(sc, grid, draws, start, papers, on_duty, deficit, none)  # type: ignore[arg-type]
    s, done, fin = base.start_min, base.papers_done_min, base.finish_min
    assert np.all(fin > s + 30) and np.all(done[:5] > s[:5] + 30)
    pauses: list[list[Interval]] = [
        [(float(s[0] + 10), float(s[0] + 40))],  # during the paper count: +30 on both
        [(float(fin[1] + 1), float(fin[1] + 60))],  # after the finish: nothing
        [(float(s[2] - 20), float(s[2] + 15))],  # under way at the start: +15
        [  # overlapping, and one pushed into by the other
            (float(done[3] + 5), float(done[3] + 25)),
            (float(done[3] + 15), float(done[3] + 35)),
            (float(fin[3] + 20), float(fin[3] + 30)),
        ],
        [(float(fin[4] - 10), float(fin[4] + 50))],  # over the last 10 min: +60
        [(float(s[5] + 1), float(s[5] + 2))],  # no papers, but the administration: +1
    ]
    a = count_tps(sc, grid, draws, start, papers, on_duty, deficit, pauses)  # type: ignore[arg-type]
    b = count_reference(sc, grid, draws, start, papers, on_duty, deficit, pauses)  # type: ignore[arg-type]
    delay = a.finish_min - fin
    assert delay == pytest.approx([30.0, 0.0, 15.0, 40.0, 60.0, 1.0], abs=1e-9)
    # pause 3's third interval lies 20 min past the old finish, reached after +30: 10 more
    assert a.papers_done_min - done == pytest.approx([30.0, 0.0, 15.0, 0.0, 0.0, 0.0], abs=1e-9)
    assert np.array_equal(a.errors, base.errors)
    for name in ("start_min", "papers_done_min", "finish_min", "recount_min", "admin_min"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.allclose(x, y, rtol=0.0, atol=1e-9), name
    assert np.array_equal(a.errors, b.errors)


def test_power_cut_after_counting_leaves_the_finish_klu005() -> None:
    """Training city, KLU-005: counting ends 17:32 without injects. A power cut at 18:00 or
    23:00 comes after the finish and changes nothing; one at 17:00 or 17:20 for 45 min lies
    wholly inside the (extended) counting period and delays the finish by exactly 45 min."""
    sc = load_scenario(CITY, [])
    i = sc.tps.index_of("KLU-005")

    def finish(inject: str | None) -> float:
        events = tuple(resolve_injects([inject], sc.tps)) if inject else ()
        return float(simulate_day(sc, 7, 0, injects=events).counting.finish_min[i])

    plain = finish(None)
    assert 17 * 60 + 31 < plain < 17 * 60 + 32.5  # 17:32 on the clock (17:31.5)
    assert finish("power-cut@KLU-005@18:00+45min") == plain
    assert finish("power-cut@KLU-005@23:00+45min") == plain
    assert finish("power-cut@KLU-005@17:00+45min") == pytest.approx(plain + 45.0, abs=1e-9)
    assert finish("power-cut@KLU-005@17:20+45min") == pytest.approx(plain + 45.0, abs=1e-9)
    # starting 2 min before the finish: the last 2 min wait out the whole cut
    assert finish("power-cut@KLU-005@17:30+45min") == pytest.approx(plain + 45.0, abs=1e-9)


def test_day_engines_agree_with_a_counting_pause() -> None:
    """simulate_day, both engines, with power cuts during and after counting (incidents off:
    the injects act directly)."""
    sc = pilkada(tps=6, voters_per_tps=250)
    ids = sc.tps.tps_id
    events = tuple(
        resolve_injects(
            [f"power-cut@{ids[0]}@13:30+40min", f"power-cut@{ids[1]}@23:00+45min"], sc.tps
        )
    )
    plain = simulate_day(sc, 7, 0)
    a = simulate_day(sc, 7, 0, engine="batch", injects=events)
    b = simulate_day(sc, 7, 0, engine="reference", injects=events)
    assert np.allclose(a.counting.finish_min, b.counting.finish_min, rtol=0.0, atol=1e-9)
    assert np.allclose(a.counting.papers_done_min, b.counting.papers_done_min, atol=1e-9)
    assert a.counting.finish_min[1] == plain.counting.finish_min[1]
    assert a.counting.finish_min[0] > plain.counting.finish_min[0]
