"""Polling-day incidents: the catalogue of types, their rates and what they do to a TPS."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planner.scenario.distributions import Distribution, Lognormal, Uniform
from planner.scenario.sections.base import Section

SEVERITIES: tuple[str, ...] = ("minor", "major", "grave")


class PhaseWeights(Section):
    """Relative intensity of an incident type before opening, during voting and counting."""

    pre_open: float = Field(0.0, ge=0, description="From staff arrival to opening.")
    voting: float = Field(1.0, ge=0, description="From opening to close.")
    counting: float = Field(0.0, ge=0, description="From close to the end of counting.")

    @model_validator(mode="after")
    def _positive(self) -> PhaseWeights:
        if self.pre_open + self.voting + self.counting <= 0:
            raise ValueError("at least one phase weight must be positive")
        return self


class IncidentType(Section):
    """One kind of incident."""

    name: str = Field(min_length=1, description="Type name, e.g. dispute, flood.")
    trigger: Literal["rate", "health"] = Field(
        "rate",
        description="rate: drawn from rate_per_tps_day; health: raised by the KPPS health model "
        "(worker collapse).",
    )
    rate_per_tps_day: float = Field(
        0.0,
        ge=0,
        description="Mean events per TPS per polling day, averaged over risk classes (scaled by "
        "incidents.class_rate_multiplier); for area events, per area per day.",
    )
    area: Literal["tps", "village", "district"] = Field(
        "tps", description="tps: one TPS; village/district: hits every TPS of the area at once."
    )
    phases: PhaseWeights = Field(default_factory=PhaseWeights, description="When it happens.")
    severity: list[float] = Field(
        default_factory=lambda: [0.8, 0.17, 0.03],
        description="Probabilities of minor, major, grave (sum 1).",
    )
    onsite_resolve: list[float] = Field(
        default_factory=lambda: [0.9, 0.3, 0.0],
        description="Probability KPPS and linmas settle it on site, by severity.",
    )
    responders: list[str] = Field(
        default_factory=lambda: ["police"],
        description="Agencies (or 'medical') that can settle major incidents.",
    )
    grave_responders: list[str] = Field(
        default_factory=lambda: ["police", "tni"],
        description="Agencies (or 'medical') that can settle grave incidents.",
    )
    resolve_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=20.0, cv=0.6),
        description="Time to settle once an adequate responder is there, minutes (est.).",
    )
    suspend_voting_min: Distribution | None = Field(
        None, description="Voting stops for this long when it happens during voting, minutes."
    )
    pause_counting_min: Distribution | None = Field(
        None, description="Counting stops for this long when it happens during counting, minutes."
    )
    ballots_lost: int = Field(0, ge=0, description="Ballot sets spoiled or lost.")
    escalate_after_min: float = Field(
        30.0,
        gt=0,
        description="If no adequate responder arrives within this time, the incident escalates.",
    )
    escalation_suspend_min: Distribution | None = Field(
        default_factory=lambda: Uniform(dist="uniform", low=15.0, high=60.0),
        description="Voting suspension an escalation causes, minutes (est.).",
    )
    revote_prob_if_escalated: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Chance an escalated incident of this type forces a re-vote (PSU).",
    )
    source: str = Field("", description="Where the rate comes from.")

    @model_validator(mode="after")
    def _probabilities(self) -> IncidentType:
        if len(self.severity) != 3 or abs(sum(self.severity) - 1) > 1e-6:
            raise ValueError("severity needs 3 probabilities (minor, major, grave) summing to 1")
        if any(p < 0 for p in self.severity):
            raise ValueError("severity probabilities must be ≥ 0")
        if len(self.onsite_resolve) != 3 or any(not 0 <= p <= 1 for p in self.onsite_resolve):
            raise ValueError("onsite_resolve needs 3 probabilities in [0, 1]")
        return self


class Medical(Section):
    """Puskesmas ambulance teams that answer worker collapses."""

    teams_per_district: int = Field(
        1, ge=0, description="Ambulance teams on call per kecamatan (est.: one Puskesmas each)."
    )
    travel_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=20.0, cv=0.5),
        description="Travel time to a TPS, minutes (est.).",
    )
    handling_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=30.0, cv=0.5),
        description="Time on scene and transfer, minutes (est.).",
    )


class Incidents(Section):
    """Incident catalogue and class multipliers."""

    enabled: bool = Field(True, description="Simulate incidents and responders.")
    class_rate_multiplier: dict[str, float] = Field(
        default_factory=lambda: {
            "kurang_rawan": 0.8,
            "rawan": 2.0,
            "sangat_rawan": 5.0,
            "khusus": 2.0,
        },
        description="Relative incident rate by risk class; rates are normalised so the average "
        "over the scenario's class shares equals each type's rate (est.: facts §7.5 gives ×5 "
        "intimidation at sangat rawan TPS).",
    )
    types: list[IncidentType] = Field(
        default_factory=list,
        description="The incident catalogue (empty: the bundled default catalogue).",
    )
    medical: Medical = Field(default_factory=Medical, description="Medical teams.")
    base_revote_prob: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Re-vote probability per TPS not explained by incidents (background).",
    )

    @model_validator(mode="after")
    def _unique(self) -> Incidents:
        names = [t.name for t in self.types]
        if len(set(names)) != len(names):
            raise ValueError("incident type names must be unique")
        if any(m <= 0 for m in self.class_rate_multiplier.values()):
            raise ValueError("class_rate_multiplier values must be > 0")
        return self
