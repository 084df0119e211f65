"""Scenario distributions as transforms of basic variates, for drawing many TPS at once.

Drawing each TPS's voters from its own stream one distribution at a time costs a numpy call
per distribution per TPS. Instead each TPS draws blocks of basic variates — uniforms,
standard normals, standard gammas — in one or two calls, and the distributions are applied
afterwards to all TPS together:

* fixed: the value (no variate);
* exponential, uniform, triangular: inverse CDF of a uniform;
* lognormal: ``exp(μ + σ z)`` of a standard normal;
* gamma: ``scale × standard gamma(shape)``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from planner.scenario.distributions import (
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
AnyDist = Fixed | Exponential | Lognormal | Gamma | Uniform | Triangular
Variate = Literal["none", "uniform", "normal", "gamma"]


def variate_of(dist: AnyDist) -> Variate:
    """Which basic variate `dist` is a transform of."""
    if isinstance(dist, Fixed):
        return "none"
    if isinstance(dist, Lognormal):
        return "normal"
    if isinstance(dist, Gamma):
        return "gamma"
    return "uniform"


def gamma_shape(dist: Gamma) -> float:
    """The standard-gamma shape of a gamma given by mean and cv."""
    return 1.0 / dist.cv**2


def transform(dist: AnyDist, variate: FloatArray | None, size: int) -> FloatArray:
    """Values of `dist` from its basic variates (`size` values; `variate` unused if fixed)."""
    if isinstance(dist, Fixed):
        return np.full(size, dist.value, dtype=np.float64)
    assert variate is not None
    if isinstance(dist, Exponential):
        return np.asarray(-dist.mean * np.log1p(-variate), dtype=np.float64)
    if isinstance(dist, Uniform):
        return np.asarray(dist.low + variate * (dist.high - dist.low), dtype=np.float64)
    if isinstance(dist, Triangular):
        span = dist.high - dist.low
        cut = (dist.mode - dist.low) / span
        lower = dist.low + np.sqrt(variate * span * (dist.mode - dist.low))
        upper = dist.high - np.sqrt((1.0 - variate) * span * (dist.high - dist.mode))
        return np.asarray(np.where(variate < cut, lower, upper), dtype=np.float64)
    if isinstance(dist, Lognormal):
        sigma2 = math.log1p(dist.cv**2)
        mu = math.log(dist.mean) - sigma2 / 2
        return np.asarray(np.exp(mu + math.sqrt(sigma2) * variate), dtype=np.float64)
    shape = gamma_shape(dist)
    return np.asarray(variate * (dist.mean / shape), dtype=np.float64)
