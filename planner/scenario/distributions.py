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
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    model_validator,
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

MAX_CV = 5.0
"""Largest coefficient of variation accepted (est.: service, travel and repair times in the
queueing and field literature have CVs of 0.3–2; beyond 5 a lognormal draws values millions
of times its mean and a gamma piles nearly all mass at zero, which no polling-day time does)."""


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

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
        gt=0,
        le=MAX_CV,
        description="Coefficient of variation, standard deviation / mean (> 0, ≤ 5).",
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
        gt=0,
        le=MAX_CV,
        description="Coefficient of variation, standard deviation / mean (> 0, ≤ 5).",
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


AnyDist = Fixed | Exponential | Lognormal | Gamma | Uniform | Triangular


def support(d: AnyDist) -> tuple[float, float]:
    """The smallest and largest value the distribution can draw (inf when unbounded)."""
    if isinstance(d, Fixed):
        return d.value, d.value
    if isinstance(d, Uniform | Triangular):
        return d.low, d.high
    return 0.0, math.inf


class WithJsonSchemaExtra:
    """Annotation metadata adding ``x-range`` (a distribution kind's allowed draws) to the
    JSON Schema, so the generated scenario reference can show it."""

    def __init__(self, text: str):
        self.text = text

    def __get_pydantic_json_schema__(
        self, core_schema: Any, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        schema = dict(handler(core_schema))
        schema["x-range"] = self.text
        return schema


def _within(low: float, high: float, unit: str) -> Any:
    """A check that a distribution draws only values in [low, high] `unit` (for the unbounded
    ones — exponential, lognormal, gamma — that its mean lies there)."""

    u = f" {unit}" if unit else ""

    def check(d: AnyDist) -> AnyDist:
        lo, hi = support(d)
        if lo < low:
            raise ValueError(
                f"can draw {lo:g}{u}; values here must be ≥ {low:g}{u}"
                + (" (a time, count or share cannot be negative)" if low == 0 else "")
            )
        top = hi if math.isfinite(hi) else d.mean_value
        if top > high:
            what = "can draw" if math.isfinite(hi) else "has mean"
            raise ValueError(f"{what} {top:g}{u}; values here must be ≤ {high:g}{u}")
        if not math.isfinite(hi) and d.mean_value < low:
            raise ValueError(f"has mean {d.mean_value:g}{u}; must be ≥ {low:g}{u}")
        return d

    return AfterValidator(check)


MAX_DAY_MIN = 1440.0
"""Longest duration that happens within polling day: 24 hours."""
MAX_TRIP_MIN = 7 * 1440.0
"""Longest kit journey leg: a week (est.: the longest river legs of facts §5.4 take 5–8 h and
remote kit dispatch starts at H-5; a week bounds any real leg with a wide margin)."""


def _range(low: float, high: float, unit: str) -> Any:
    """The range of a distribution kind in the JSON Schema, for the generated reference."""
    return WithJsonSchemaExtra(f"draws {low:,g} to {high:,g}{' ' + unit if unit else ''}")


Minutes = Annotated[Distribution, _within(0.0, MAX_DAY_MIN, "min"), _range(0, MAX_DAY_MIN, "min")]
"""A duration within polling day, minutes: never negative, at most a day (1,440 min)."""
TripMinutes = Annotated[
    Distribution, _within(0.0, MAX_TRIP_MIN, "min"), _range(0, MAX_TRIP_MIN, "min")
]
"""A logistics travel time, minutes: never negative, at most a week (10,080 min)."""
Seconds = Annotated[Distribution, _within(0.0, 3600.0, "s"), _range(0, 3600, "s")]
"""A short per-item time, seconds: never negative, at most an hour."""
Hours = Annotated[Distribution, _within(0.0, 24.0, "h"), _range(0, 24, "h")]
"""Hours within one day (sleep, time awake): 0 to 24."""
Years = Annotated[Distribution, _within(17.0, 100.0, "years"), _range(17, 100, "years")]
"""An age of KPPS, years: 17 (the legal minimum, facts §2.4) to 100."""
Share = Annotated[Distribution, _within(0.0, 1.0, ""), _range(0, 1, "")]
"""A share, 0 to 1."""
BallotCount = Annotated[Distribution, _within(0.0, 5000.0, "ballots"), _range(0, 5000, "ballots")]
"""A number of ballot papers at one TPS: 0 to 5,000 (1,000 voters × 5 ballot types, the
schema's upper limits on election.max_voters_per_tps and election.ballots)."""
