"""Statistics over replications: means with 95% Student-t confidence intervals.

Replications are independent and identically distributed, so the mean of a metric over
``n`` replications has the interval ``mean ± t(0.975, n−1) · sd / √n``. The t quantile is
taken from scipy rather than hand-written numerics. This interval serves the paired
differences of ``compare`` (which may be negative), the ``--precision`` stopping rule and
the means of waits and times; a summary metric's own interval depends on what it is (a
count, an amount, a share or a mean) and comes from `planner.experiment.intervals`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Interval:
    """A mean and its 95% confidence interval over `n` replications."""

    mean: float
    ci95_low: float
    ci95_high: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        """The DESIGN §5 form: mean, ci95_low, ci95_high, n."""
        return {
            "mean": self.mean,
            "ci95_low": self.ci95_low,
            "ci95_high": self.ci95_high,
            "n": self.n,
        }

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.ci95_high - self.ci95_low) / 2


@lru_cache(maxsize=256)
def t_quantile(p: float, df: float) -> float:
    """The `p` quantile of Student's t with `df` degrees of freedom (scipy)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    from scipy.stats import t as student_t

    return float(student_t.ppf(p, df))


def mean_interval(values: Sequence[float]) -> Interval:
    """Mean and 95% t-interval of independent replications (a point when n < 2)."""
    n = len(values)
    if n == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    mean = math.fsum(values) / n
    if n < 2:
        return Interval(mean, mean, mean, n)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(0.975, n - 1) * math.sqrt(var / n)
    return Interval(mean, mean - half, mean + half, n)
