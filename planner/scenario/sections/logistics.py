"""Ballot and kit logistics: warehouse → PPK → PPS → TPS, and results back.

Kits travel the chain KPU warehouse → PPK (one trip per kecamatan) → PPS (one trip per
village) → TPS (one trip per TPS), each leg with its own departure time, vehicles or boats,
travel time by route type (road or river) and chance of a disruption (facts §5.4). The KPPS
check the kit when they start setting up; a short, damaged or incomplete kit makes them ask
the PPK for a replacement, which comes with its own travel time. After counting, results
and boxes go back TPS → PPS → PPK. The rules are in `planner.sim.logistics` and
`docs/model.md`.
"""

from __future__ import annotations

from pydantic import Field

from planner.scenario.clock import Clock
from planner.scenario.distributions import (
    Lognormal,
    Minutes,
    Share,
    Triangular,
    TripMinutes,
    Uniform,
)
from planner.scenario.sections.base import Name, Section


class Leg(Section):
    """One leg of the delivery chain (and, reversed, of the results' return)."""

    depart: Clock = Field(description="Departure clock time of this leg.")
    depart_remote: Clock | None = Field(
        None, description="Departure for remote kecamatan (null: same as depart)."
    )
    vehicles: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="Vehicles or boats at each origin (the warehouse, each PPK, each PPS) that "
        "make this leg's trips one after another, each going back for the next load (null: "
        "one per destination, all leaving at the departure time; est.: the facts give no "
        "fleet sizes and KPU hires transport per destination, facts §5.4).",
    )
    road_min: TripMinutes = Field(description="One-way travel time by road, minutes.")
    river_min: TripMinutes = Field(description="One-way travel time by river, minutes.")
    disruption_prob: float = Field(
        0.001,
        ge=0,
        le=1,
        description="Chance a trip is disrupted (flooded road, low river, breakdown) (facts "
        "§7.5: 0.001 per remote leg, est.; applied to every trip).",
    )
    disruption_add_min: TripMinutes = Field(
        default_factory=lambda: Uniform(dist="uniform", low=60.0, high=360.0),
        description="Delay a disruption adds to the trip, minutes (est.: a flooded road or "
        "low river holds a convoy for hours, facts §5.4).",
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
    """Kit delivery to every TPS, the kit check at setup, replacements, and results return."""

    enabled: bool = Field(
        True,
        description="Simulate logistics (off: every TPS opens at day.open with DPT + reserve "
        "ballots).",
    )
    remote_districts: list[Name] = Field(
        default_factory=list,
        description="Kecamatan (by name) whose kits leave at each leg's depart_remote, in "
        "addition to those marked remote in region.districts.",
    )
    warehouse_to_ppk: Leg = Field(
        default_factory=lambda: _leg(
            "H-2 08:00", (30, 90, 240), (300, 420, 720), depart_remote="H-5 08:00"
        ),
        description="KPU warehouse → PPK, H-2 (H-5 remote); river legs 5–8 h, up to 12 h "
        "(facts §5.4).",
    )
    ppk_to_pps: Leg = Field(
        default_factory=lambda: _leg("H-1 08:00", (15, 45, 120), (60, 180, 480)),
        description="PPK → PPS on H-1 (facts §5.4); travel times est.",
    )
    pps_to_tps: Leg = Field(
        default_factory=lambda: _leg("H-1 16:00", (10, 30, 90), (30, 90, 240)),
        description="PPS → TPS on the evening of H-1 (facts §5.4: evening of H-1 at the "
        "latest, or dawn of H); travel times est.",
    )
    kit_short_prob: float = Field(
        0.026,
        ge=0,
        le=1,
        description="Chance a TPS kit arrives with fewer ballots than DPT + reserve, or "
        "another quantity wrong that does not stop the TPS opening; the KPPS ask for the rest "
        "(security-effects §4: Pilkada 2024 voting logistics not the right quantity at 12,696 "
        "of 435,296 TPS, 0.029, less kit_missing_item_prob, whose items do stop it; Pemilu "
        "2024 had 4,594 of ~820k TPS short at H-1, facts §5.1).",
    )
    short_share: Share = Field(
        default_factory=lambda: Uniform(dist="uniform", low=0.02, high=0.2),
        description="Share of the TPS's ballots missing from a short kit (est.: one to a few "
        "packs of a few hundred ballots; at least one ballot is always missing).",
    )
    kit_damaged_prob: float = Field(
        0.004,
        ge=0,
        le=1,
        description="Chance a kit arrives damaged or unsealed so the TPS cannot open with it "
        "(facts §5.1/§7.5: 3,441 of ~820k TPS received unsealed boxes, 0.004).",
    )
    kit_missing_item_prob: float = Field(
        0.003,
        ge=0,
        le=1,
        description="Chance a kit misses an item needed to open (ink, seals, forms) (facts "
        "§7.5: incomplete logistics at 0.013 of TPS, less the shortages and damage above, "
        "rounded down because some shortages were fixed before H).",
    )
    setup_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=24.0, cv=0.35),
        description="Morning setup once KPPS and a complete kit are there, the part that does "
        "not depend on the number of ballot types (oath, TPS arranged, boxes opened), minutes; "
        "setup_min_per_ballot_type is added (est.: KPPS arrive at 06:00 to open at 07:00, "
        "facts §2.3; the spread, cv 0.35, is a tail for late members or witnesses; the mean "
        "is fitted with setup_min_per_ballot_type so that 1.25% of Pilkada 2024 TPS and 4.6% "
        "of Pemilu 2024 TPS open late, security-effects §4, facts §5.1, docs/calibration.md).",
    )
    setup_min_per_ballot_type: float = Field(
        3.75,
        ge=0,
        le=120,
        description="Setup minutes per ballot type (election.ballots): its empty box shown, "
        "its ballot papers counted before witnesses and the count signed (est. with "
        "setup_min from the two late-opening records: 2 types in a Pilkada, 5 in a Pemilu, "
        "docs/calibration.md).",
    )
    replacement_prepare_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=20.0, cv=0.5),
        description="From the KPPS's request until the PPK's replacement leaves (phone call, "
        "stock found, escort), minutes (est.).",
    )
    replacement_road_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=45.0, cv=0.5),
        description="PPK → TPS travel of a replacement by road (motorbike or car with escort), "
        "minutes (est.: the Banjarmasin TPS that had to move opened about an hour late, "
        "facts §5.1).",
    )
    replacement_river_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=150.0, cv=0.5),
        description="PPK → TPS travel of a replacement by river, minutes (est.: shorter than "
        "the scheduled river legs of facts §5.4, by speedboat).",
    )
    spoiled_per_ballot: float = Field(
        0.0005,
        ge=0,
        le=1,
        description="Share of ballot papers spoiled by voters and replaced from the reserve "
        "(facts §5.3: Kaltim 1,542 damaged of 2.9 M, about 0.05%).",
    )
    results_hold_min: Minutes = Field(
        default_factory=lambda: Uniform(dist="uniform", low=15.0, high=45.0),
        description="After counting ends, time to seal the boxes and hand over before leaving "
        "for the PPS, minutes (est.).",
    )
