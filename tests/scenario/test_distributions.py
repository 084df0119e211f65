"""Scenario distributions: parsing, validation, and samples against their theoretical moments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from planner.scenario.distributions import (
    Distribution,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
    support,
)

ADAPTER: TypeAdapter[Fixed | Exponential | Lognormal | Gamma | Uniform | Triangular] = TypeAdapter(
    Distribution
)
N = 200_000


def parse(value: object) -> Fixed | Exponential | Lognormal | Gamma | Uniform | Triangular:
    return ADAPTER.validate_python(value)


def test_number_means_fixed() -> None:
    """A plain number is a fixed distribution; ints become floats."""
    d = parse(3)
    assert isinstance(d, Fixed)
    assert d.value == 3.0
    assert d.mean_value == 3.0
    assert np.array_equal(d.sample(np.random.default_rng(0), 4), np.full(4, 3.0))


@pytest.mark.parametrize(
    ("raw", "cls"),
    [
        ({"dist": "fixed", "value": 1.5}, Fixed),
        ({"dist": "exponential", "mean": 2.0}, Exponential),
        ({"dist": "lognormal", "mean": 1.5, "cv": 0.4}, Lognormal),
        ({"dist": "gamma", "mean": 1.5, "cv": 0.4}, Gamma),
        ({"dist": "uniform", "low": 1, "high": 3}, Uniform),
        ({"dist": "triangular", "low": 1, "mode": 2, "high": 4}, Triangular),
    ],
)
def test_each_kind_parses(raw: dict[str, object], cls: type) -> None:
    """Every documented `dist` name selects its model."""
    assert isinstance(parse(raw), cls)


@pytest.mark.parametrize(
    "raw",
    [
        {"dist": "lognormal", "mean": 1.5, "cv": 0},
        {"dist": "gamma", "mean": 1.5, "cv": -0.1},
        {"dist": "exponential", "mean": 0},
        {"dist": "uniform", "low": 3, "high": 1},
        {"dist": "triangular", "low": 2, "mode": 1, "high": 4},
        {"dist": "triangular", "low": 1, "mode": 5, "high": 4},
        {"dist": "triangular", "low": 2, "mode": 2, "high": 2},
        {"dist": "weibull", "mean": 1},
        {"mean": 1.0},
        {"dist": "exponential", "mean": 1.0, "cv": 0.5},
        True,
        "fast",
    ],
)
def test_invalid_distributions_rejected(raw: object) -> None:
    """cv ≤ 0, mean ≤ 0, low > high, low > mode, unknown names, extra keys, booleans fail."""
    with pytest.raises(ValidationError):
        parse(raw)


def _excess_kurtosis(d: object) -> float:
    if isinstance(d, Exponential):
        return 6.0
    if isinstance(d, Gamma):
        return 6.0 * d.cv**2
    if isinstance(d, Lognormal):
        s2 = math.log1p(d.cv**2)
        return math.exp(4 * s2) + 2 * math.exp(3 * s2) + 3 * math.exp(2 * s2) - 6
    if isinstance(d, Uniform):
        return -1.2
    return -0.6  # triangular


def _variance(d: object) -> float:
    if isinstance(d, Exponential):
        return d.mean**2
    if isinstance(d, Gamma | Lognormal):
        return (d.mean * d.cv) ** 2
    if isinstance(d, Uniform):
        return (d.high - d.low) ** 2 / 12
    assert isinstance(d, Triangular)
    a, c, b = d.low, d.mode, d.high
    return (a * a + b * b + c * c - a * b - a * c - b * c) / 18


@pytest.mark.parametrize(
    ("raw", "seed"),
    [
        ({"dist": "exponential", "mean": 2.0}, 1),
        ({"dist": "lognormal", "mean": 1.5, "cv": 0.4}, 2),
        ({"dist": "gamma", "mean": 150.0, "cv": 0.3}, 3),
        ({"dist": "uniform", "low": 60, "high": 180}, 4),
        ({"dist": "triangular", "low": 17, "mode": 38, "high": 65}, 5),
    ],
)
def test_sample_moments_match_theory(raw: dict[str, object], seed: int) -> None:
    """Sample mean and variance lie within 4 standard errors of the theoretical values.

    SE(mean) = σ/√n; SE(s²) = σ²·√((2 + excess kurtosis)/n).
    """
    d = parse(raw)
    x = d.sample(np.random.default_rng(seed), N)
    var = _variance(d)
    assert abs(x.mean() - d.mean_value) < 4 * math.sqrt(var / N)
    se_var = var * math.sqrt((2 + _excess_kurtosis(d)) / N)
    assert abs(x.var(ddof=1) - var) < 4 * se_var


def test_same_generator_state_same_draws() -> None:
    """Sampling is a pure function of the generator: equal seeds give equal draws."""
    d = parse({"dist": "lognormal", "mean": 1.0, "cv": 0.5})
    a = d.sample(np.random.default_rng(9), 50)
    b = d.sample(np.random.default_rng(9), 50)
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2.0, (2.0, 2.0)),
        (-1.0, (-1.0, -1.0)),
        ({"dist": "uniform", "low": -1, "high": 1}, (-1.0, 1.0)),
        ({"dist": "triangular", "low": 0, "mode": 1, "high": 2}, (0.0, 2.0)),
        ({"dist": "exponential", "mean": 1}, (0.0, math.inf)),
        ({"dist": "lognormal", "mean": 1, "cv": 0.5}, (0.0, math.inf)),
    ],
)
def test_support(raw: object, expected: tuple[float, float]) -> None:
    """support() is the smallest and largest value a distribution can draw."""
    assert support(parse(raw)) == expected
