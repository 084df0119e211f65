"""Confidence intervals over replications (planner.experiment.stats) against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from planner.experiment.stats import mean_interval, t_quantile


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706204736), (4, 2.776445105), (10, 2.228138852), (29, 2.045229642), (1000, 1.962339)],
)
def test_t_quantile_table_values(df: int, expected: float) -> None:
    """The 97.5% t quantile matches printed t tables; the lower tail is its mirror."""
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-6)


def test_t_quantile_rejects_bad_probability() -> None:
    with pytest.raises(ValueError):
        t_quantile(1.0, 5)


def test_mean_interval() -> None:
    """mean ± t·sd/√n, exactly as scipy computes it; degenerate cases stay finite."""
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 2.0, 12).tolist()
    got = mean_interval(x)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert got.mean == pytest.approx(np.mean(x))
    assert (got.ci95_low, got.ci95_high) == pytest.approx((low, high), abs=1e-9)
    assert got.n == 12
    assert mean_interval([3.0]).as_dict() == {
        "mean": 3.0,
        "ci95_low": 3.0,
        "ci95_high": 3.0,
        "n": 1,
    }
    assert mean_interval([2.0, 2.0, 2.0]).half_width == 0.0


def test_interval_covers_the_true_mean_about_95_percent() -> None:
    """Coverage over 2,000 samples of size 8 lies within 4 SE of 95%."""
    rng = np.random.default_rng(7)
    hits = 0
    trials = 2000
    for _ in range(trials):
        iv = mean_interval(rng.exponential(1.0, 8).tolist())
        hits += iv.ci95_low <= 1.0 <= iv.ci95_high
    # skewed data: t coverage is a little below nominal; the bound allows for it
    se = (0.95 * 0.05 / trials) ** 0.5
    assert 0.95 - 0.04 - 4 * se < hits / trials < 0.95 + 4 * se
