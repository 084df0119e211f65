"""Ballot and kit logistics: warehouse → PPK → PPS → TPS, and results back."""

from __future__ import annotations

from pydantic import Field

from planner.scenario.clock import Clock
from planner.scenario.distributions import Distribution, Lognormal, Triangular, Uniform
from planner.scenario.sections.base import Section


class Leg(Section):
    """One leg of the delivery chain."""

    depart: Clock = Field(description="Departure clock time of this leg.")
    depart_remote: Clock | None = Field(
        None, description="Departure for remote kecamatan (null: same as depart)."
    )
    road_min: Distribution = Field(description="Travel time by road, minutes.")
    river_min: Distribution = Field(description="Travel time by river, minutes.")
    disruption_prob: float = Field(
        0.001,
        ge=0,
        le=1,
        description="Chance a trip is disrupted (flooded road, low river) (facts §7.5: 0.001 "
        "per remote leg, est.).",
    )
    disruption_add_min: Distribution = Field(
        default_factory=lambda: Uniform(dist="uniform", low=60.0, high=360.0),
        description="Delay a disruption adds, minutes (est.).",
    )


def _leg(
    depart: str,
    road: tuple[float, float, float],
    river: tuple[float, float, float],
    depart_remote: str | None = None,
) -> Leg:
    return Leg(
        depart=depart,
        depart_remote=depart_remote,
        road_min=Triangular(dist="triangular", low=road[0], mode=road[1], high=road[2]),
        river_min=Triangular(dist="triangular", low=river[0], mode=river[1], high=river[2]),
    )


class Logistics(Section):
    """Kit delivery and results return."""

    enabled: bool = Field(True, description="Simulate logistics.")
    warehouse_to_ppk: Leg = Field(
        default_factory=lambda: _leg(
            "H-2 08:00", (30, 90, 240), (300, 420, 720), depart_remote="H-5 08:00"
        ),
        description="KPU warehouse → PPK, H-2 (H-5 remote); river legs 5–8 h (facts §5.4).",
    )
    ppk_to_pps: Leg = Field(
        default_factory=lambda: _leg("H-1 08:00", (15, 45, 120), (60, 180, 480)),
        description="PPK → PPS on H-1 (facts §5.4).",
    )
    pps_to_tps: Leg = Field(
        default_factory=lambda: _leg("H-1 16:00", (10, 30, 90), (30, 90, 240)),
        description="PPS → TPS on the evening of H-1 (facts §5.4).",
    )
    kit_short_prob: float = Field(
        0.006,
        ge=0,
        le=1,
        description="Chance a TPS kit arrives with too few ballots (facts §7.5: H-1 shortage "
        "0.006).",
    )
    kit_damaged_prob: float = Field(
        0.004,
        ge=0,
        le=1,
        description="Chance a kit arrives damaged or unsealed (facts §7.5: unsealed box 0.004).",
    )
    kit_missing_item_prob: float = Field(
        0.003,
        ge=0,
        le=1,
        description="Chance a kit misses an item (ink, seals, forms) (facts §7.5: incomplete "
        "logistics 0.013 less shortage and damage).",
    )
    setup_min: Distribution = Field(
        default_factory=lambda: Triangular(dist="triangular", low=20.0, mode=40.0, high=60.0),
        description="TPS set-up after the kit is complete (oath, empty boxes shown), minutes "
        "(est.).",
    )
    replacement_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=90.0, cv=0.5),
        description="Time for the PPK to deliver a replacement after a request, minutes (est.).",
    )
    return_to_pps_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=30.0, cv=0.5),
        description="TPS → PPS with results and boxes after counting, minutes (est.).",
    )
    return_to_ppk_min: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=60.0, cv=0.5),
        description="PPS → PPK, minutes (est.; facts §5.4: returns run through the night).",
    )
