"""Counting after close: ballots, administration, errors and recounts."""

from __future__ import annotations

from pydantic import Field

from planner.scenario.distributions import Fixed, Lognormal, Minutes, Seconds, Uniform
from planner.scenario.sections.base import Section


class Counting(Section):
    """How long counting takes at a TPS."""

    enabled: bool = Field(True, description="Simulate counting.")
    seconds_per_ballot: Seconds = Field(
        default_factory=lambda: Fixed(value=12.0),
        description="Seconds to open, show, call and tally one ballot paper (facts §7.3: 12 s "
        "Pilkada, est.; 30–40 s for Pemilu legislative ballots).",
    )
    admin_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=60.0, cv=0.5),
        description="Administration after the count that does not depend on the number of "
        "ballot types (minutes): sealing the boxes, the handover, packing (est.: with "
        "admin_min_per_ballot_type, about 2 h for a Pilkada, facts §7.3).",
    )
    admin_min_per_ballot_type: float = Field(
        30.0,
        ge=0,
        description="Administration per ballot type (minutes): each type has its own C-Hasil "
        "forms, copies for witnesses and Sirekap photo upload (est.: 60 + 2 × 30 = 2 h for a "
        "Pilkada, facts §7.3: 2.5 h, range 1.5–5 h; 60 + 5 × 30 = 3.5 h for a Pemilu before "
        "tiredness, whose paperwork and uploads ran 2–4 h past the count, to 02:00–04:30, "
        "facts §2.3, §5.5).",
    )
    errors_per_1000_ballots: float = Field(
        0.0012,
        ge=0,
        description="Tally mismatches per 1,000 ballot papers at full alertness, each forcing "
        "a recount (derived: 0.26% of Pemilu 2024 TPS had valid + invalid ≠ voters, facts "
        "§5.1; with about 1,230 papers per TPS and the model's error factor of about 2 at a "
        "Pemilu night's fatigue, that is 0.0012 per 1,000 papers).",
    )
    recount_min: Minutes = Field(
        default_factory=lambda: Uniform(dist="uniform", low=30.0, high=90.0),
        description="Time a recount adds, minutes (facts §7.5: +30–90 min, est.).",
    )
    fatigue_applies: bool = Field(
        True, description="Counting slows and errs more with KPPS fatigue."
    )
