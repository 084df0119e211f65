"""Voters: turnout, arrivals through the day, patience, and the service stages at a TPS."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from planner.scenario.clock import Clock
from planner.scenario.distributions import Lognormal, Minutes
from planner.scenario.sections.base import Name, Section

MAX_SERVERS = 20
"""Most parallel servers of one stage (est.: a TPS has 7 KPPS and at most 10 booths, so no
stage of a real TPS has more than 10 desks; 20 leaves room for a merged or double TPS)."""


class ArrivalProfile(Section):
    """When voters come: a share queuing before the doors open, then hourly weights."""

    early_share: float = Field(
        0.10,
        ge=0,
        lt=1,
        description="Share of voters who arrive before opening and wait for the doors (est.: "
        "US line counts show almost every precinct has a queue at opening, peers §A3).",
    )
    early_from: Clock = Field(
        390,
        ge=0,
        description='Earliest arrival of early voters ("06:30", est.; not before 00:00 of '
        "polling day).",
    )
    hourly_weights: list[Annotated[float, Field(ge=0, le=1000)]] = Field(
        default_factory=lambda: [1.0, 1.6, 1.4, 0.9, 0.6, 0.5],
        description="Relative arrival intensity for each voting hour from opening (one weight "
        "per hour): morning peak 08:00–10:00, tail to 13:00 (facts §7.1, est.).",
    )

    @model_validator(mode="after")
    def _weights(self) -> ArrivalProfile:
        if not self.hourly_weights:
            raise ValueError("hourly_weights needs one weight per voting hour")
        if sum(self.hourly_weights) <= 0:
            raise ValueError("hourly_weights must have a positive sum (some voting hour > 0)")
        return self


class Stage(Section):
    """One service stage a voter passes, FIFO with parallel servers."""

    name: Name = Field(description="Stage name, e.g. check_in, booth, box_ink.")
    servers: Annotated[int, Field(ge=1, le=MAX_SERVERS)] | Literal["booths"] = Field(
        description="Parallel servers: a number (1 to 20), or 'booths' for the TPS's booth count."
    )
    service_min: Minutes = Field(description="Service time per voter, minutes.")
    kpps_per_server: int = Field(
        0,
        ge=0,
        le=20,
        description="KPPS needed to staff one server; the stage loses servers when fewer KPPS "
        "are on duty (0: not staffed, e.g. booths).",
    )
    fatigue_applies: bool = Field(
        True, description="Service slows with the fatigue of the KPPS staffing the stage."
    )


def _default_stages() -> list[Stage]:
    return [
        Stage(
            name="check_in",
            servers=2,
            kpps_per_server=2,
            service_min=Lognormal(dist="lognormal", mean=1.0, cv=0.5),
        ),  # facts §7.2 checkin_time 1.0 min (est.), KPPS 2–5 at two desks (facts §2.2)
        Stage(
            name="booth",
            servers="booths",
            kpps_per_server=0,
            fatigue_applies=False,
            service_min=Lognormal(dist="lognormal", mean=1.5, cv=0.4),
        ),  # facts §7.2 booth_time_pilkada 1.5 min, Sumsel simulation ≤ 2 min
        Stage(
            name="box_ink",
            servers=1,
            kpps_per_server=2,
            service_min=Lognormal(dist="lognormal", mean=0.3, cv=0.5),
        ),  # facts §7.2 ink_exit_time 0.3 min (est.), KPPS 6 and 7 (facts §2.2)
    ]


class Voters(Section):
    """Who votes, when they arrive, how long they wait, and the stages they pass."""

    turnout: float = Field(
        0.70,
        gt=0,
        le=1,
        description="Share of DPT voters who come (facts §7.1: 0.70; Balikpapan ≈ 0.60).",
    )
    arrival_profile: ArrivalProfile | Literal["constant"] = Field(
        default_factory=ArrivalProfile,
        description="'constant' (homogeneous Poisson over the open hours) or a profile.",
    )
    patience_min: Minutes | None = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=120.0, cv=0.6),
        description="How long a voter will wait before leaving, minutes; null = never leaves "
        "(est.: voters live within walking distance of a ≤ 600-voter TPS and few leave; about "
        "3% of voters in long US lines leave per hour, peers §A5).",
    )
    slow_share: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Share of slower voters (elderly, disabled) (est.: people aged 60+ are about "
        "a tenth of the electorate).",
    )
    slow_factor: float = Field(
        2.0,
        ge=1,
        le=10,
        description="Service-time multiplier for slower voters (facts §7.2: ×2; at most 10).",
    )
    dptb_share: float = Field(
        0.012,
        ge=0,
        le=0.2,
        description="Transferred voters (DPTb) as a share of DPT, voting with reserve ballots "
        "(facts §7.1, Kaltim).",
    )
    dpk_per_tps_mean: float = Field(
        2.0,
        ge=0,
        le=100,
        description="Mean number of unlisted voters (DPK) per TPS, Poisson, arriving from "
        "day.dpk_from (facts §7.1, est.).",
    )
    stages: list[Stage] = Field(
        default_factory=_default_stages, min_length=1, description="Service stages in order."
    )

    @model_validator(mode="after")
    def _unique_stages(self) -> Voters:
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError("stage names must be unique")
        return self
