"""95% intervals that respect what a metric is: counts and amounts never below zero, shares
inside [0, 1], means of waits and clock times by Student's t.

A summary metric is the mean over ``n`` independent replications (polling days) of one
number per day. What that number is decides the interval (docs/experiments.md §10, where
the choice is justified and its coverage measured by ``benchmarks/coverage_intervals.py``):

``count``
    A whole number of events per day (incidents of a type, health events, escalations,
    voters who gave up, TPS opened late). Interval: the gamma interval of Fay & Feuer
    (1997) for a sum of Poisson-like counts, with the variance of the mean taken as the
    larger of the replications' own variance (t-scaled, see ``amount``) and the Poisson
    variance ``m / n`` of a count with that mean (so a rare count seen once or never is
    not given a falsely tight interval, and an overdispersed one — area events reaching
    many TPS at once — is not given a Poisson-narrow one), and one event (weight ``1/n``)
    added to the upper limit's gamma, so a count that was zero on every day gets
    ``[0, −ln(0.025)/n] = [0, 3.69/n]``, the exact Poisson (Garwood) upper limit of a zero
    total. Where the Poisson variance is the larger it *is* the Garwood interval of the
    total divided by ``n``.
``amount``
    A non-negative real amount per day that is not a whole count: an expected count (a sum
    of probabilities, ``revote_risk_tps``), a rate per 100,000 KPPS, the loop's harm index.
    Interval: the gamma with the mean and the replications' variance of the mean, that
    variance scaled by ``(t(0.975, n−1) / z(0.975))²`` so that, where the gamma is nearly
    normal, the interval is the Student-t one. A constant amount gets the point.
``share``
    A proportion in [0, 1] per day (turnout, share of long waits, utilisation of an
    agency's units). Interval: the beta distribution with the mean and the t-scaled
    variance of the mean, so the limits lie in [0, 1] by construction; a share that was 0
    (or 1) on every day gets the point.
``mean``
    A mean or percentile of many observations (waits, response times, clock times, duty
    hours, fatigue points): the central limit theorem holds over the voters or TPS inside
    a day, so the Student-t interval is right; it is cut at 0 because the metric cannot be
    negative (a cut at a bound the true mean cannot pass changes no coverage).

Every method is deterministic (no resampling), so summaries stay bit-identical for any
executor and number of workers without a random stream. One replication gives the point
for amounts, shares and means (no spread to go by) and the Poisson-floored interval for a
count; no replication gives zeros, as the t-interval always did. Values outside a kind's
range (a negative one, a share above 1) get the plain t-interval (`kind_interval`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from planner.experiment.stats import Interval, mean_interval, t_quantile
from planner.sim.metrics import MetricKind, metric_kind

IntervalMethod = Literal["gamma-poisson", "gamma", "beta", "t"]
"""How a kind's 95% interval is computed."""

METHOD_OF_KIND: dict[MetricKind, IntervalMethod] = {
    "count": "gamma-poisson",
    "amount": "gamma",
    "share": "beta",
    "mean": "t",
}
"""The interval method of each metric kind."""

ALPHA = 0.05
"""1 − the confidence level of every interval."""


@lru_cache(maxsize=1)
def _z() -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - ALPHA / 2))


def _moments(values: Sequence[float]) -> tuple[int, float, float]:
    """n, mean and sample variance (n − 1 divisor; 0 when n < 2)."""
    n = len(values)
    if n == 0:
        return 0, 0.0, 0.0
    mean = math.fsum(values) / n
    if n < 2:
        return n, mean, 0.0
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return n, mean, var


def _gamma_quantile(p: float, mean: float, var: float) -> float:
    """The `p` quantile of the gamma distribution with this mean and variance (mean > 0)."""
    from scipy.stats import gamma

    if var <= 0.0:
        return mean
    shape = mean * mean / var
    return float(gamma.ppf(p, shape, scale=var / mean))


def count_interval(values: Sequence[float]) -> Interval:
    """Mean of a count per replication and its 95% Fay–Feuer gamma interval (≥ 0).

    With ``m`` the mean, ``v = max(s²/n · (t/z)², m/n)`` the variance of the mean
    (`_t_scaled_var`; the Poisson variance as a floor) and ``w = 1/n`` the weight of one
    event: lower = gamma(mean m, var v) quantile 0.025 (0 when m = 0), upper = gamma(mean
    m + w, var v + w²) quantile 0.975. Values are assumed ≥ 0.
    """
    n, mean, var = _moments(values)
    if n == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    mean = max(mean, 0.0)
    v = max(_t_scaled_var(n, var) if n > 1 else 0.0, mean / n)
    w = 1.0 / n
    low = _gamma_quantile(ALPHA / 2, mean, v) if mean > 0 else 0.0
    high = _gamma_quantile(1 - ALPHA / 2, mean + w, v + w * w)
    return Interval(mean, max(0.0, min(low, mean)), max(high, mean), n)


def _t_scaled_var(n: int, var: float) -> float:
    """Variance of the mean, scaled by (t(0.975, n−1)/z(0.975))² (Student-t calibration)."""
    ratio = t_quantile(1 - ALPHA / 2, n - 1) / _z()
    return var / n * ratio * ratio


def amount_interval(values: Sequence[float]) -> Interval:
    """Mean of a non-negative amount and its 95% gamma interval (≥ 0; a point when constant)."""
    n, mean, var = _moments(values)
    if n == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    mean = max(mean, 0.0)
    if n < 2 or var <= 0.0 or mean <= 0.0:
        return Interval(mean, mean, mean, n)
    v = _t_scaled_var(n, var)
    low = _gamma_quantile(ALPHA / 2, mean, v)
    high = _gamma_quantile(1 - ALPHA / 2, mean, v)
    return Interval(mean, max(0.0, min(low, mean)), max(high, mean), n)


def share_interval(values: Sequence[float]) -> Interval:
    """Mean of a share in [0, 1] and its 95% moment-matched beta interval (inside [0, 1]).

    The beta has the mean ``m`` and the t-scaled variance ``v`` of the mean; when no beta has
    them (``v ≥ m(1 − m)``, possible only with two or three replications) the interval is
    the whole [0, 1].
    """
    n, mean, var = _moments(values)
    if n == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    mean = min(max(mean, 0.0), 1.0)
    if n < 2 or var <= 0.0 or mean <= 0.0 or mean >= 1.0:
        return Interval(mean, mean, mean, n)
    v = _t_scaled_var(n, var)
    spread = mean * (1.0 - mean) / v - 1.0
    if spread <= 0.0:
        return Interval(mean, 0.0, 1.0, n)
    from scipy.stats import beta

    a, b = mean * spread, (1.0 - mean) * spread
    low = float(beta.ppf(ALPHA / 2, a, b))
    high = float(beta.ppf(1 - ALPHA / 2, a, b))
    return Interval(mean, max(0.0, min(low, mean)), min(1.0, max(high, mean)), n)


def nonnegative_t_interval(values: Sequence[float]) -> Interval:
    """Mean and 95% Student-t interval, its lower limit cut at 0 (the metric is ≥ 0)."""
    iv = mean_interval(values)
    return Interval(iv.mean, max(iv.ci95_low, 0.0), max(iv.ci95_high, 0.0), iv.n)


def kind_interval(kind: MetricKind, values: Sequence[float]) -> Interval:
    """The 95% interval of the mean of `values` by the method of `kind`.

    Values outside the kind's range (a negative one, a share above 1) mean the metric is not
    what its kind says; they get the plain Student-t interval rather than a bound they break.
    """
    if any(v < 0.0 for v in values) or (kind == "share" and any(v > 1.0 for v in values)):
        return mean_interval(values)
    if kind == "count":
        return count_interval(values)
    if kind == "amount":
        return amount_interval(values)
    if kind == "share":
        return share_interval(values)
    return nonnegative_t_interval(values)


def metric_interval(name: str, values: Sequence[float]) -> Interval:
    """The 95% interval of summary metric `name` over replications (its registered kind)."""
    return kind_interval(metric_kind(name), values)


def metric_method(name: str) -> IntervalMethod:
    """The interval method used for summary metric `name`."""
    return METHOD_OF_KIND[metric_kind(name)]
