"""The metric registry and the per-replication aggregate (planner.sim.metrics)."""

from __future__ import annotations

import numpy as np
import pytest
from simcore_helpers import pilkada

from planner.sim.day import simulate_day
from planner.sim.metrics import (
    METRIC_NAMES,
    format_value,
    headline_rows,
    replication_result,
    row_percentile,
)
from planner.sim.queueing import OUT_VOTED

DESIGN_5 = {
    "voters_arrived", "voters_voted", "voters_gave_up", "wait_mean_min", "wait_p95_min",
    "share_wait_over_30min", "tps_opened_late", "open_delay_mean_min", "incidents_total",
    "incidents_unresolved", "response_mean_min", "response_p90_min", "fatigue_peak",
    "staff_health_events", "count_finish_mean_clock_min", "count_finish_p95_clock_min",
    "logistics_late_tps", "ballot_short_tps", "revote_risk_tps",
}  # fmt: skip


def test_registry_holds_every_design_metric() -> None:
    """DESIGN §5's names are all in the registry, once each."""
    assert set(METRIC_NAMES) >= DESIGN_5
    assert len(set(METRIC_NAMES)) == len(METRIC_NAMES)


def test_row_percentile_matches_numpy() -> None:
    """Per-row percentiles of masked values equal numpy's (linear method); NaN when empty."""
    rng = np.random.default_rng(0)
    values = rng.exponential(10.0, (40, 30))
    mask = rng.random((40, 30)) < 0.6
    mask[3] = False
    mask[4] = False
    mask[4, 7] = True
    got = row_percentile(values, mask, 95.0)
    want = [np.percentile(values[i][mask[i]], 95) if mask[i].any() else np.nan for i in range(40)]
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_aggregate_agrees_with_the_voters() -> None:
    """Scalars, per-TPS and per-kecamatan columns are consistent with per-voter results."""
    sc = pilkada(tps=8)
    day = simulate_day(sc, 6, 0)
    res = replication_result(day)
    voted = day.queue.outcome == OUT_VOTED
    wait = day.queue.wait_min(day.voters.arrival_min)
    assert res.scalars["voters_voted"] == voted.sum()
    assert res.scalars["wait_mean_min"] == pytest.approx(wait[voted].mean())
    assert res.scalars["wait_p95_min"] == pytest.approx(np.percentile(wait[voted], 95))
    share = (wait[voted] > 30).mean()
    assert res.scalars["share_wait_over_30min"] == pytest.approx(share)
    np.testing.assert_array_equal(res.per_tps["voters_voted"], voted.sum(axis=1))
    assert res.per_district["voters_voted"].sum() == voted.sum()
    assert res.per_district["tps"].tolist() == [4.0, 4.0]
    finish = day.counting.finish_min
    assert res.scalars["count_finish_mean_clock_min"] == pytest.approx(finish.mean())
    assert res.scalars["count_finish_p95_clock_min"] == pytest.approx(np.percentile(finish, 95))
    assert res.enabled["incidents_total"] is False and res.scalars["incidents_total"] == 0.0


def test_headline_formatting() -> None:
    """Clock metrics print as HH:MM, shares as percentages; disabled metrics are left out."""
    assert format_value("count_finish_mean_clock_min", 1065.0) == "17:45"
    assert format_value("count_finish_mean_clock_min", 1500.0) == "H+1 01:00"
    assert format_value("share_wait_over_30min", 0.0523) == "5.2%"
    summary = {
        "metrics": {
            "wait_mean_min": {"mean": 10.5, "ci95_low": 10.0, "ci95_high": 11.0, "enabled": True},
            "incidents_total": {"mean": 0.0, "ci95_low": 0.0, "ci95_high": 0.0, "enabled": False},
        }
    }
    assert headline_rows(summary) == [["wait_mean_min", "10.50", "10.00 – 11.00"]]
