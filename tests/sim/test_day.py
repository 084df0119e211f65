"""One simulated day: conservation, paired-seed metamorphic relations, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from simcore_helpers import pilkada

from planner.errors import UserError
from planner.sim.day import simulate_day, trace_day
from planner.sim.metrics import replication_result
from planner.sim.queueing import OUT_GAVE_UP, OUT_STRANDED, OUT_TURNED_AWAY, OUT_VOTED

PATIENT = {"voters": {"patience_min": None}}


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"voters": {"patience_min": {"dist": "exponential", "mean": 10.0}}},
        {
            "election": {"ballot_reserve": 0.0},
            "voters": {"turnout": 1.0, "dpk_per_tps_mean": 10.0, "dptb_share": 0.03},
        },
        {
            "staff": {
                "health": {"base_ill_per_100k_h": 40000.0},
                "policies": {"replacement_delay_min": None},
            }
        },
    ],
)
def test_conservation(extra: dict) -> None:
    """Arrived = voted + gave up + turned away + stranded, per TPS, in every replication."""
    sc = pilkada(tps=8, **extra)
    for rep in range(3):
        day = simulate_day(sc, 21, rep)
        out = day.queue.outcome
        arrived = (out >= 0).sum(axis=1)
        parts = sum(
            (out == code).sum(axis=1)
            for code in (OUT_VOTED, OUT_GAVE_UP, OUT_TURNED_AWAY, OUT_STRANDED)
        )
        np.testing.assert_array_equal(arrived, parts)
        np.testing.assert_array_equal(arrived, day.voters.count)
        s = replication_result(day).scalars
        assert s["voters_arrived"] == (
            s["voters_voted"] + s["voters_gave_up"] + s["dpk_turned_away"] + s["voters_stranded"]
        )
        ballots_used = (out == OUT_VOTED).sum(axis=1)
        assert np.all(ballots_used <= day.opening.ballots)


def test_one_more_booth_never_raises_mean_wait() -> None:
    """Paired seeds, fatigue off: a third booth never raises the mean wait of a replication."""
    base = {"staff": {"fatigue": {"enabled": False}}, "voters": {"patience_min": None}}
    two = pilkada(tps=10, voters_per_tps=580, **base, election={"booths_per_tps": 2})
    three = pilkada(tps=10, voters_per_tps=580, **base, election={"booths_per_tps": 3})
    gains = []
    for rep in range(4):
        w2 = replication_result(simulate_day(two, 8, rep)).scalars["wait_mean_min"]
        w3 = replication_result(simulate_day(three, 8, rep)).scalars["wait_mean_min"]
        assert w3 <= w2 + 1e-12
        gains.append(w2 - w3)
    assert max(gains) > 0.1  # the booth is a real bottleneck here


def test_higher_turnout_never_lowers_mean_wait() -> None:
    """Paired seeds: turnout 0.8 never gives a lower mean wait than 0.5 (fatigue on)."""
    low = pilkada(tps=10, voters={"turnout": 0.5})
    high = pilkada(tps=10, voters={"turnout": 0.8})
    for rep in range(4):
        w_low = replication_result(simulate_day(low, 9, rep)).scalars["wait_mean_min"]
        w_high = replication_result(simulate_day(high, 9, rep)).scalars["wait_mean_min"]
        assert w_high >= w_low


def test_turnout_only_adds_voters() -> None:
    """Paired seeds: the voters of the lower turnout are a subset of the higher's."""
    low = simulate_day(pilkada(tps=5, voters={"turnout": 0.5}), 4, 0).voters
    high = simulate_day(pilkada(tps=5, voters={"turnout": 0.8}), 4, 0).voters
    for i in range(5):
        a = set(low.arrival_min[i][np.isfinite(low.arrival_min[i])].tolist())
        b = set(high.arrival_min[i][np.isfinite(high.arrival_min[i])].tolist())
        assert a <= b and len(b) > len(a)


def test_fatigue_off_never_finishes_counting_later() -> None:
    """Paired seeds: switching fatigue off never delays any TPS's counting finish."""
    on = pilkada(tps=10, **PATIENT)
    off = pilkada(tps=10, voters={"patience_min": None}, staff={"fatigue": {"enabled": False}})
    for rep in range(3):
        f_on = simulate_day(on, 10, rep).counting.finish_min
        f_off = simulate_day(off, 10, rep).counting.finish_min
        assert np.all(f_off <= f_on + 1e-9)
        assert np.mean(f_on - f_off) > 5.0  # fatigue is not negligible


def test_same_seed_same_day_different_seed_different_day() -> None:
    """A replication is a pure function of (scenario, seed, replication)."""
    sc = pilkada(tps=6)
    a = replication_result(simulate_day(sc, 3, 1))
    b = replication_result(simulate_day(sc, 3, 1))
    c = replication_result(simulate_day(sc, 4, 1))
    d = replication_result(simulate_day(sc, 3, 2))
    assert a.scalars == b.scalars
    for k in a.per_tps:
        np.testing.assert_array_equal(a.per_tps[k], b.per_tps[k])
    assert a.scalars["wait_mean_min"] != c.scalars["wait_mean_min"]
    assert a.scalars["wait_mean_min"] != d.scalars["wait_mean_min"]


def test_late_counts_past_deadline_are_reported() -> None:
    """A count that runs past day.count_deadline is counted in tps_count_past_deadline."""
    sc = pilkada(tps=4, counting={"seconds_per_ballot": 200.0}, day={"count_deadline": "H+1 00:00"})
    s = replication_result(simulate_day(sc, 1, 0)).scalars
    assert s["tps_count_past_deadline"] == 4
    assert s["count_finish_max_clock_min"] > 1440


def test_trace_has_voters_staff_and_counting_events() -> None:
    """--trace: the event log of one TPS holds voter, KPPS and counting events in time order."""
    sc = pilkada(tps=3)
    log = trace_day(sc, 2, sc.tps.tps_id[1])
    rows = log.sorted_rows()
    whats = {r[2] for r in rows}
    assert {
        "team arrives",
        "opens",
        "arrives",
        "counting starts",
        "results signed and sealed",
    } <= whats
    assert any(w.startswith("starts booth") for w in whats)
    times = [r[0] for r in rows]
    assert times == sorted(times)
    text = log.to_csv()
    assert text.splitlines()[0] == "clock_min,clock,who,what,detail"
    day = simulate_day(sc, 2, 0)
    voted = int((day.queue.outcome[1] == OUT_VOTED).sum())
    assert sum(1 for r in rows if r[2] == "leaves") == voted


def test_trace_unknown_tps_is_a_user_error() -> None:
    """An unknown TPS id names the problem and examples of real ids."""
    sc = pilkada(tps=2)
    with pytest.raises(UserError, match="no TPS with id 'TPS-9999'"):
        trace_day(sc, 1, "TPS-9999")
