"""Per-kecamatan and per-village columns come from one grouping (`area_columns`, `area_sums`):
in every replication a kecamatan's value is what its villages' values imply — their sum,
their weighted mean with the weights of the formula, their maximum — and each area's wait
percentile is numpy's on that area's waits."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from simcore_helpers import make

from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import default_incident_types
from planner.sim.day import simulate_day
from planner.sim.metrics import ReplicationResult, group_percentile, replication_result
from planner.sim.operations import AREA_SUMS
from planner.sim.queueing import OUT_VOTED

SUMS = {
    "tps",
    "voters_listed",
    "voters_arrived",
    "voters_voted",
    "voters_gave_up",
    "staff_health_events",
    *AREA_SUMS,
}
"""Columns that are totals over the area's TPS."""
VOTED_MEANS = {"wait_mean_min", "share_wait_over_30min"}
"""Means over the area's voters who voted (weight: voters_voted)."""
TPS_MEANS = {"count_finish_mean_clock_min", "fatigue_peak"}
"""Means over the area's TPS (weight: tps)."""
RESPONSE_MEANS = {"response_mean_min"}
"""Mean over the area's responses (weight: the per-TPS ``responses`` summed)."""
MAXIMA = {"count_finish_max_clock_min", "results_complete_clock_min"}
"""The latest over the area: a kecamatan's is its latest village's."""
PERCENTILES = {"wait_p95_min"}
"""Not implied by the villages' values: checked against numpy on the area's waits."""
RULES = SUMS | VOTED_MEANS | TPS_MEANS | RESPONSE_MEANS | MAXIMA | PERCENTILES

REL = 1e-12
"""Real-valued sums and weighted means regrouped village by village are added in another
order: each of the few dozen additions rounds by at most 2^-53 relative, far below this."""


def busy(tps: int = 30) -> Scenario:
    """Two kecamatan whose villages share names (Baru, Lama in both), frequent incidents,
    troubled logistics and ill KPPS, so every column has something to add up."""
    types = [
        t.model_copy(update={"rate_per_tps_day": t.rate_per_tps_day * 30}).model_dump(mode="json")
        for t in default_incident_types()
    ]
    data: dict[str, Any] = {
        "name": "areas",
        "seed": 8,
        "region": {
            "name": "R",
            "districts": [
                {"name": "A", "villages": 3, "tps": tps // 2, "voters": tps // 2 * 480,
                 "village_names": ["Baru", "Lama", "Tengah"]},
                {"name": "B", "villages": 2, "tps": tps - tps // 2,
                 "voters": (tps - tps // 2) * 480, "village_names": ["Lama", "Baru"]},
            ],
        },
        "incidents": {"types": copy.deepcopy(types)},
        "logistics": {"kit_damaged_prob": 0.3, "kit_short_prob": 0.2},
        "staff": {"health": {"base_ill_per_100k_h": 20000.0}},
    }  # fmt: skip
    return make(data)


@pytest.fixture(scope="module")
def day_result() -> tuple[Scenario, Any, ReplicationResult]:
    sc = busy()
    day = simulate_day(sc, 5, 0)
    return sc, day, replication_result(day)


def test_villages_are_kecamatan_and_village_pairs(
    day_result: tuple[Scenario, Any, ReplicationResult],
) -> None:
    sc, _, res = day_result
    tps = sc.tps
    assert tps.village_names == ("Baru", "Lama", "Tengah", "Lama", "Baru")
    assert tps.village_district.tolist() == [0, 0, 0, 1, 1]
    counts = np.bincount(tps.village, minlength=5)
    assert res.per_village["tps"].tolist() == counts.astype(float).tolist()
    assert set(res.per_village) == set(res.per_district) == RULES  # every column has a rule
    for name, col in res.per_village.items():
        assert col.shape == (5,), name


def test_kecamatan_values_are_implied_by_their_villages(
    day_result: tuple[Scenario, Any, ReplicationResult],
) -> None:
    sc, day, res = day_result
    tps = sc.tps
    vd = tps.village_district
    village, district = res.per_village, res.per_district

    def weighted(name: str, weight: np.ndarray) -> np.ndarray:
        ok = weight > 0
        num = np.bincount(vd[ok], weights=(village[name] * weight)[ok], minlength=2)
        den = np.bincount(vd, weights=weight, minlength=2)
        return np.asarray(num / den)

    for name in sorted(SUMS):
        summed = np.bincount(vd, weights=village[name], minlength=2)
        if np.array_equal(village[name], np.round(village[name])):
            np.testing.assert_array_equal(summed, district[name], err_msg=name)  # whole numbers
        else:
            np.testing.assert_allclose(summed, district[name], rtol=REL, err_msg=name)
    for name in sorted(VOTED_MEANS):
        got = weighted(name, village["voters_voted"])
        np.testing.assert_allclose(got, district[name], rtol=REL, err_msg=name)
    for name in sorted(TPS_MEANS):
        np.testing.assert_allclose(weighted(name, village["tps"]), district[name], rtol=REL)
    responses = np.bincount(tps.village, weights=res.per_tps["responses"], minlength=5)
    assert (responses > 0).sum() >= 3  # most villages had a response to average
    np.testing.assert_allclose(weighted("response_mean_min", responses),
                               district["response_mean_min"], rtol=REL)  # fmt: skip
    for name in sorted(MAXIMA):
        latest = [village[name][vd == d].max() for d in range(2)]
        np.testing.assert_array_equal(latest, district[name], err_msg=name)
    assert np.isfinite(village["results_complete_clock_min"]).all()
    # shares are whole numbers of voters over voters who voted
    long = village["share_wait_over_30min"] * village["voters_voted"]
    np.testing.assert_allclose(long, np.round(long), rtol=0, atol=1e-9)
    assert village["voters_gave_up"].sum() > 0 and village["incidents"].sum() > 0
    # the percentile: numpy's, on the waits of the area's voters who voted
    voted = day.queue.outcome == OUT_VOTED
    wait = day.queue.wait_min(day.voters.arrival_min)
    for codes, names, table in ((tps.village, 5, village), (tps.district, 2, district)):
        want = [np.percentile(wait[codes == k][voted[codes == k]], 95) for k in range(names)]
        assert table["wait_p95_min"].tolist() == [float(w) for w in want]


def test_group_percentile_is_numpys_bit_for_bit() -> None:
    """Every group's percentile equals np.percentile on its values (ties, one value, none)."""
    rng = np.random.default_rng(4)
    values = np.round(rng.exponential(12.0, 5000), 1)  # rounded: many ties
    groups = rng.integers(0, 40, 5000)
    groups[groups == 7] = 8  # group 7 empty
    groups[np.flatnonzero(groups == 9)[1:]] = 10  # group 9 holds one value
    for q in (95.0, 90.0, 50.0, 0.0, 100.0, 33.3):
        got = group_percentile(values, groups, 42, q)
        want = [float(np.percentile(values[groups == g], q)) if (groups == g).any() else 0.0
                for g in range(42)]  # fmt: skip
        assert got.tolist() == want, q
    assert group_percentile(values[:0], groups[:0], 3, 95.0).tolist() == [0.0, 0.0, 0.0]
