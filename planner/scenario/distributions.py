"""Probability distributions as scenario values.

A distribution in a scenario is either a plain number (a fixed value) or a mapping such as
``{dist: lognormal, mean: 1.5, cv: 0.4}``. Every distribution is parameterised by what a
planner can estimate (a mean and a coefficient of variation, or bounds) rather than by the
textbook parameters, and converts itself to numpy's parameters when sampling.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        """Draw `size` values."""
        raise NotImplementedError

    @property
    def mean_value(self) -> float:
        """The distribution's mean."""
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: float = Field(description="The value.")

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        return np.full(size, self.value, dtype=np.float64)

    @property
    def mean_value(self) -> float:
        return self.value


class Exponential(_Dist):
    """Exponential with the given mean (memoryless: the textbook service time)."""

    dist: Literal["exponential"]
    mean: float = Field(gt=0, description="Mean (> 0).")

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        return rng.exponential(self.mean, size)

    @property
    def mean_value(self) -> float:
        return self.mean


class Lognormal(_Dist):
    """Lognormal with the given mean and coefficient of variation (right-skewed times)."""

    dist: Literal["lognormal"]
    mean: float = Field(gt=0, description="Mean (> 0).")
    cv: float = Field(
        gt=0, description="Coefficient of variation, standard deviation / mean (> 0)."
    )

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)

    @property
    def mean_value(self) -> float:
        return self.mean


class Gamma(_Dist):
    """Gamma with the given mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean: float = Field(gt=0, description="Mean (> 0).")
    cv: float = Field(
        gt=0, description="Coefficient of variation, standard deviation / mean (> 0)."
    )

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, size)

    @property
    def mean_value(self) -> float:
        return self.mean


class Uniform(_Dist):
    """Uniform between `low` and `high`."""

    dist: Literal["uniform"]
    low: float = Field(description="Lower bound.")
    high: float = Field(description="Upper bound (≥ low).")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must be ≤ high ({self.high:g})")
        return self

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        return rng.uniform(self.low, self.high, size)

    @property
    def mean_value(self) -> float:
        return (self.low + self.high) / 2


class Triangular(_Dist):
    """Triangular between `low` and `high` with its peak at `mode`."""

    dist: Literal["triangular"]
    low: float = Field(description="Lower bound.")
    mode: float = Field(description="Most likely value (low ≤ mode ≤ high).")
    high: float = Field(description="Upper bound.")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"need low ≤ mode ≤ high, got low={self.low:g}, mode={self.mode:g}, "
                f"high={self.high:g}"
            )
        if self.low == self.high:
            raise ValueError("low and high must differ (use a plain number for a fixed value)")
        return self

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        return rng.triangular(self.low, self.mode, self.high, size)

    @property
    def mean_value(self) -> float:
        return (self.low + self.mode + self.high) / 3


def _number_to_fixed(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic reject booleans
    if isinstance(value, int | float):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict) and "dist" not in value:
        raise ValueError(
            "a distribution needs a 'dist' key: one of fixed, exponential, lognormal, gamma, "
            "uniform, triangular"
        )
    return value


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Uniform | Triangular,
    Field(discriminator="dist"),
    BeforeValidator(_number_to_fixed),
]
"""A scenario distribution: a number (fixed) or ``{dist: NAME, ...parameters}``."""


def nonnegative(d: Fixed | Exponential | Lognormal | Gamma | Uniform | Triangular) -> bool:
    """True when the distribution can never draw a negative value."""
    if isinstance(d, Fixed):
        return d.value >= 0
    if isinstance(d, Uniform | Triangular):
        return d.low >= 0
    return True
