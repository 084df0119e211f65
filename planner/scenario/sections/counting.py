"""Counting after close: ballots, administration, errors and recounts."""

from __future__ import annotations

from pydantic import Field

from planner.scenario.distributions import Distribution, Fixed, Lognormal, Uniform
from planner.scenario.sections.base import Section


class Counting(Section):
    """How long counting takes at a TPS."""

    enabled: bool = Field(True, description="Simulate counting.")
    seconds_per_ballot: Distribution = Field(
        default_factory=lambda: Fixed(value=12.0),
        description="Seconds to open, show, call and tally one ballot paper (facts §7.3: 12 s "
        "Pilkada, est.; 30–40 s for Pemilu legislative ballots).",
    )
    admin_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=150.0, cv=0.3),
        description="Forms C-Hasil, copies, Sirekap photo upload and sealing, minutes (facts "
        "§7.3: 2.5 h, est.).",
    )
    errors_per_1000_ballots: float = Field(
        0.05,
        ge=0,
        description="Tally mismatches per 1,000 ballots at full alertness, each forcing a "
        "recount (est.: facts §7.5 count mismatch at 0.3% of TPS).",
    )
    recount_min: Distribution = Field(
        default_factory=lambda: Uniform(dist="uniform", low=30.0, high=90.0),
        description="Time a recount adds, minutes (facts §7.5: +30–90 min, est.).",
    )
    fatigue_applies: bool = Field(
        True, description="Counting slows and errs more with KPPS fatigue."
    )
