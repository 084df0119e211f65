"""Polling-day incidents: the catalogue of types, their rates and what they do to a TPS.

Each type has a rate per TPS per polling day (or per village / kecamatan for area-wide
events), a profile over the phases of the day, a severity distribution, who can settle it
(KPPS and linmas on site with a probability, or a dispatched agency), how long that takes,
what it does to the TPS (voting suspended, counting paused, ballots lost) and how it escalates
when no adequate responder arrives in time. The default catalogue below is built from the
reference facts (§5.1, §5.2, §7.5); the rules are in `planner.sim.incidents`,
`planner.sim.response` and `docs/model.md`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from planner.scenario.distributions import BallotCount, Fixed, Lognormal, Minutes, Uniform
from planner.scenario.sections.base import Name, Section

MAX_RATE_PER_TPS_DAY = 10.0
"""Highest rate of one incident type per TPS per day (est.: the commonest Bawaslu problem
reaches a few percent of TPS, facts §5.1; ten a day at every TPS is a riot, not polling day,
and keeps the expected event count of a large run bounded)."""

SEVERITIES: tuple[str, ...] = ("minor", "major", "grave")
RESERVED_TYPE_NAMES: frozenset[str] = frozenset({"total", "unresolved"})
"""Type names that would collide with the metrics incidents_total / incidents_unresolved."""


class PhaseWeights(Section):
    """Share of a type's events in each phase of the day (normalised to sum 1).

    Within a phase, events fall uniformly in time: pre_open from day.staff_arrive to
    day.open, voting from day.open to day.close, counting from day.close for
    incidents.counting_window_min.
    """

    pre_open: float = Field(0.0, ge=0, le=1000, description="From staff arrival to opening.")
    voting: float = Field(1.0, ge=0, le=1000, description="From opening to close.")
    counting: float = Field(
        0.0, ge=0, le=1000, description="From close through the counting window."
    )

    @model_validator(mode="after")
    def _positive(self) -> PhaseWeights:
        if self.pre_open + self.voting + self.counting <= 0:
            raise ValueError("at least one phase weight must be positive")
        return self


def _three_probabilities(values: list[float], what: str) -> None:
    if len(values) != 3 or any(not 0 <= p <= 1 for p in values):
        raise ValueError(f"{what} needs 3 probabilities in [0, 1] (minor, major, grave)")


class PresenceEffect(Section):
    """What presence at a TPS does to one human-made incident type (docs/model-incidents.md,
    "Deterrence"): the share of attempts it stops, and for fraud, the share caught at once.

    Strengths are for the reference presence of `incidents.deterrence.reference_people`
    (two, as in 2-1-2); n people of a kind stop ``1 − (1 − s)^(n / reference)`` of attempts,
    and kinds combine as independent chances. Ranges are in each description; a
    sensitivity run varies them (docs/calibration.md).
    """

    stationed: float = Field(
        ge=0,
        le=0.95,
        description="Share of attempts stopped by two police or soldiers stationed at the TPS "
        "all day (range 0.2–0.75: −60% over-voting at observed stations in Ghana 2012, −75% "
        "car theft at a guarded block in Buenos Aires, security-effects §1).",
    )
    patrol: float = Field(
        ge=0,
        le=0.95,
        description="Share stopped while a patrol team of two is at the TPS, decaying after it "
        "leaves (range 0.08–0.73: Koper 1995, disorder in the 30 min after a 10–16 min stop "
        "4% against 15% after a drive-through; −8 to −16% average in the hot-spot meta-"
        "analysis, security-effects §1).",
    )
    linmas: float = Field(
        ge=0,
        le=0.95,
        description="Share stopped by two linmas alone (range 0–0.3, est.: unarmed "
        "community guards known to the actors; weaker than police).",
    )
    displacement: float = Field(
        ge=0,
        le=1,
        description="Share of stopped attempts tried again at once at a nearby TPS with less "
        "presence (same village first, else the kecamatan) where nobody in the kecamatan is "
        "watched; it shrinks in proportion to the share of the kecamatan's TPS with an "
        "officer there at that minute (range 0–0.75: Ghana 2012, unobserved stations near "
        "observed ones 75% more likely to show fraud, vanishing at the highest observer "
        "intensity; organised actors displace, opportunists mostly do not, Braga et al. "
        "2019, security-effects §2).",
    )
    fraud: bool = Field(
        False,
        description="Fraud that can go unseen (vote buying, multiple voting): if nobody "
        "catches it at once it is found later at counting, or never.",
    )
    caught_watched: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Fraud only: share caught at once when police or soldiers are at the TPS "
        "(stationed or a patrol there) (est.: the point of presence; range 0.7–1).",
    )
    caught_linmas: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Fraud only: share caught at once with only linmas there (est., range "
        "0.3–0.8).",
    )
    caught_alone: float = Field(
        0.4,
        ge=0,
        le=1,
        description="Fraud only: share caught at once by KPPS and witnesses alone (est., range "
        "0.2–0.6: witnesses of each pair watch the TPS, facts §2.2).",
    )
    found_later: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Fraud only: share of what was not caught at once that is found later, "
        "at counting (a dispute over the count; an objection in the recap), the rest going "
        "undetected (est., range 0.3–0.7: Moscow 2011 shows most unobserved fraud survives "
        "the count, security-effects §1).",
    )
    late_revote_prob: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Fraud only: re-vote (PSU) chance when it is found later rather than "
        "stopped (est.: Bawaslu recommends a PSU where proven voting irregularities changed "
        "the count, facts §5.2; range 0.02–0.2).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> PresenceEffect:
        if not self.caught_alone <= self.caught_linmas <= self.caught_watched:
            raise ValueError(
                "need caught_alone ≤ caught_linmas ≤ caught_watched: more presence cannot "
                "catch less fraud"
            )
        return self


class Deterrence(Section):
    """Presence deterring human-made incidents, and deterred attempts moving next door."""

    enabled: bool = Field(
        True,
        description="Presence stops a share of attempts (off: every attempt goes ahead, the "
        "model before deterrence).",
    )
    reference_people: int = Field(
        2,
        ge=1,
        le=50,
        description="People of one kind the strengths are given for: the two officers of "
        "2-1-2 or of a patrol team (facts §3.2).",
    )
    residual_tau_min: float = Field(
        60.0,
        ge=1,
        le=1440,
        description="After a patrol leaves a TPS its deterrence decays as exp(−minutes / "
        "this) (range 30–120, est.: Koper 1995 finds the effect lasting the 30 min after a "
        "stop; on the London Underground 97% of the effect came while police were absent "
        "between four daily visits, security-effects §1).",
    )


class IncidentType(Section):
    """One kind of incident."""

    name: Name = Field(description="Type name, e.g. dispute, flood.")
    trigger: Literal["rate", "health"] = Field(
        "rate",
        description="rate: drawn from rate_per_tps_day; health: raised by the KPPS health model "
        "(worker collapse), not by a rate.",
    )
    rate_per_tps_day: float = Field(
        0.0,
        ge=0,
        le=MAX_RATE_PER_TPS_DAY,
        description="Mean events per TPS per polling day averaged over the risk classes' "
        "shares (scaled by incidents.class_rate_multiplier when class_scaled); for area "
        "events, per village or kecamatan per day.",
    )
    class_scaled: bool = Field(
        True,
        description="The rate depends on the TPS's risk class (security incidents); false for "
        "weather, power and ballot errors.",
    )
    area: Literal["tps", "village", "district"] = Field(
        "tps", description="tps: one TPS; village/district: one event hits TPS of the area at once."
    )
    area_hit_share: float = Field(
        1.0,
        gt=0,
        le=1,
        description="For area events: share of the area's TPS the event reaches (each TPS "
        "independently).",
    )
    phases: PhaseWeights = Field(default_factory=PhaseWeights, description="When it happens.")
    severity: list[float] = Field(
        default_factory=lambda: [0.8, 0.17, 0.03],
        description="Probabilities of minor, major, grave (sum 1).",
    )
    onsite_resolve: list[float] = Field(
        default_factory=lambda: [0.9, 0.3, 0.0],
        description="Probability KPPS and linmas settle it on site, by severity (minor, major, "
        "grave).",
    )
    responders: list[str] = Field(
        default_factory=lambda: ["police"],
        description="Agencies (or 'medical') that can settle it when KPPS and linmas cannot, "
        "for minor and major incidents.",
    )
    grave_responders: list[str] = Field(
        default_factory=lambda: ["police", "tni"],
        description="Agencies (or 'medical') that can settle grave incidents.",
    )
    resolve_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=20.0, cv=0.6),
        description="Time to settle it once whoever settles it is there, minutes (est.).",
    )
    suspend_voting_min: Minutes | None = Field(
        None,
        description="Voting stops for this long when it happens before close, minutes "
        "(scaled by severity_effect_scale; null: voting goes on).",
    )
    pause_counting_min: Minutes | None = Field(
        None,
        description="Counting stops for this long when it happens after close, minutes "
        "(scaled by severity_effect_scale; null: counting goes on).",
    )
    ballots_lost: BallotCount = Field(
        default_factory=lambda: Fixed(value=0.0),
        description="Ballot sets spoiled or lost (rounded; scaled by severity_effect_scale).",
    )
    severity_effect_scale: list[float] = Field(
        default_factory=lambda: [0.5, 1.0, 2.0],
        description="Multiplier on suspension, pause and ballots lost for minor, major, grave "
        "(est.: a grave event disrupts about four times as long as a minor one).",
    )
    escalate_after_min: float = Field(
        30.0,
        gt=0,
        le=1440,
        description="If it needs a responder and none has arrived this many minutes after it "
        "began, it escalates: severity one step up, voting suspended (or counting paused) for "
        "escalation_suspend_min, re-vote risk raised.",
    )
    escalation_suspend_min: Minutes | None = Field(
        default_factory=lambda: Uniform(dist="uniform", low=15.0, high=60.0),
        description="Suspension (or counting pause) an escalation causes, minutes (est.).",
    )
    revote_prob: list[float] = Field(
        default_factory=lambda: [0.0, 0.0, 0.0],
        description="Chance the incident forces a re-vote or postponed vote (PSU/PSS), by "
        "severity (minor, major, grave).",
    )
    revote_prob_if_escalated: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Extra re-vote chance when the incident escalates.",
    )
    presence: PresenceEffect | None = Field(
        None,
        description="For human-made types: how presence deters attempts and catches fraud "
        "(null: presence changes nothing, e.g. floods; the rate is then of events, not "
        "attempts).",
    )
    source: str = Field("", description="Where the rate and effects come from.")

    @model_validator(mode="after")
    def _probabilities(self) -> IncidentType:
        if len(self.severity) != 3 or abs(sum(self.severity) - 1) > 1e-6:
            raise ValueError("severity needs 3 probabilities (minor, major, grave) summing to 1")
        if any(p < 0 for p in self.severity):
            raise ValueError("severity probabilities must be ≥ 0")
        _three_probabilities(self.onsite_resolve, "onsite_resolve")
        _three_probabilities(self.revote_prob, "revote_prob")
        if len(self.severity_effect_scale) != 3 or any(
            not 0 <= s <= 10 for s in self.severity_effect_scale
        ):
            raise ValueError(
                "severity_effect_scale needs 3 numbers from 0 to 10 (minor, major, grave)"
            )
        if self.trigger == "health" and self.area != "tps":
            raise ValueError("a health-triggered type happens at one TPS (area: tps)")
        if self.presence is not None and (self.trigger != "rate" or self.area != "tps"):
            raise ValueError(
                "presence (deterrence) applies to rate-triggered types at one TPS (area: tps)"
            )
        return self


def default_incident_types() -> list[IncidentType]:
    """The bundled catalogue (rates per TPS per day unless the type is area-wide).

    Rates are national shares of TPS with each problem: Pilkada 2024 where Bawaslu's record
    has the row (security-effects §4: swapped ballots, intimidation), else Pemilu 2024 (facts
    §5.1 and §7.5); where the facts give none the value is an estimate and says why. Re-vote chances
    are sized so the catalogue gives the right order of re-votes and postponements (Pilkada
    2024: 46 PSU and 231 PSS among ~435,000 TPS, facts §5.2).
    """
    u = Uniform
    ln = Lognormal
    return [
        IncidentType(
            name="dispute",
            rate_per_tps_day=0.0171,
            phases=PhaseWeights(pre_open=0.0, voting=0.4, counting=0.6),
            severity=[0.8, 0.17, 0.03],
            onsite_resolve=[0.8, 0.3, 0.0],
            responders=["police"],
            grave_responders=["police", "tni"],
            resolve_min=ln(dist="lognormal", mean=30.0, cv=0.6),
            suspend_voting_min=u(dist="uniform", low=5.0, high=30.0),
            pause_counting_min=u(dist="uniform", low=10.0, high=60.0),
            escalate_after_min=30.0,
            revote_prob=[0.0, 0.0, 0.01],
            revote_prob_if_escalated=0.01,
            presence=PresenceEffect(stationed=0.5, patrol=0.4, linmas=0.2, displacement=0.1),
            # est.: disputes are partly spontaneous (witness objections), so below the
            # −60% observers achieve on planned fraud; Koper's patrol effect scaled down;
            # opportunistic, so they rarely move next door
            source="attempts: the recorded rate / the share of attempts recorded under the "
            "policy-default presence (docs/calibration.md, Attempt rates). "
            "est.: disputes and protests (witness objections, supporters) at about 1% of "
            "TPS; Bawaslu 2024 counts voter mobilisation 0.3%, counting started early 0.4%, "
            "totals not matching 0.26% of TPS (facts §5.1), and names unhandled witness "
            "objections the main voting-day risk (facts §4.2); 60% during counting.",
        ),
        IncidentType(
            name="intimidation",
            rate_per_tps_day=0.00035,
            phases=PhaseWeights(pre_open=0.0, voting=0.6, counting=0.4),
            severity=[0.6, 0.3, 0.1],
            onsite_resolve=[0.5, 0.1, 0.0],
            responders=["police"],
            grave_responders=["police", "tni"],
            resolve_min=ln(dist="lognormal", mean=30.0, cv=0.6),
            suspend_voting_min=u(dist="uniform", low=10.0, high=40.0),
            pause_counting_min=u(dist="uniform", low=10.0, high=40.0),
            escalate_after_min=30.0,
            revote_prob=[0.0, 0.0, 0.02],
            revote_prob_if_escalated=0.02,
            presence=PresenceEffect(stationed=0.6, patrol=0.5, linmas=0.2, displacement=0.3),
            # Ghana 2012: observers also lowered violence at their stations (−60% on fraud);
            # partly organised (est. 0.3 displaced)
            source="attempts: the recorded rate / the share of attempts recorded under the "
            "policy-default presence (docs/calibration.md, Attempt rates). "
            "security-effects §4: intimidation of organisers at 87 of 435,296 TPS in "
            "Pilkada 2024 (0.02%; the record has no row for intimidation of voters, so this "
            "is a lower bound); Pemilu 2024 had 2,271 TPS while voting and 1,473 while "
            "counting of ~820k (0.46%, facts §5.1), whose 60/40 split is kept; facts §7.5: "
            "about ×5 at sangat rawan TPS (class multipliers).",
        ),
        IncidentType(
            name="vote_buying",
            rate_per_tps_day=0.0075,
            phases=PhaseWeights(pre_open=0.3, voting=0.7, counting=0.0),
            severity=[0.9, 0.1, 0.0],
            onsite_resolve=[0.3, 0.0, 0.0],
            responders=["police"],
            grave_responders=["police"],
            resolve_min=ln(dist="lognormal", mean=45.0, cv=0.5),
            escalate_after_min=60.0,
            escalation_suspend_min=None,
            presence=PresenceEffect(
                stationed=0.6, patrol=0.3, linmas=0.1, displacement=0.5, fraud=True
            ),
            # Ghana 2012 −60% at observed stations; vote buying happens near, not at, the
            # TPS, so a passing patrol sees less of it (est.)
            source="attempts: the recorded rate / the share of attempts recorded under the "
            "policy-default presence (docs/calibration.md, Attempt rates). "
            "facts §7.5 and §4.3: money-politics events near the TPS at 0.5% of TPS "
            "(Bawaslu flags 0.5% nationally, up to 3.4% in Banjarmasin); 30% at dawn before "
            "opening ('serangan fajar', est.); handled by police for Gakkumdu, nothing stops.",
        ),
        IncidentType(
            name="multiple_voting",
            rate_per_tps_day=0.0054,
            phases=PhaseWeights(pre_open=0.0, voting=1.0, counting=0.0),
            severity=[0.85, 0.15, 0.0],
            onsite_resolve=[0.95, 0.5, 0.0],
            responders=["police"],
            grave_responders=["police"],
            resolve_min=ln(dist="lognormal", mean=15.0, cv=0.5),
            suspend_voting_min=u(dist="uniform", low=5.0, high=15.0),
            escalate_after_min=30.0,
            revote_prob=[0.02, 0.1, 0.2],
            presence=PresenceEffect(
                stationed=0.6, patrol=0.4, linmas=0.2, displacement=0.5, fraud=True
            ),
            # Ghana 2012: over-voting −60% at observed stations
            source="attempts: the recorded rate / the share of attempts recorded under the "
            "policy-default presence (docs/calibration.md, Attempt rates). "
            "facts §5.1: voting more than once at 2,413 of ~820k TPS (0.3%); a proven "
            "double vote is a legal ground for a re-vote, and Pilkada 2024 had 46 PSU among "
            "~435k TPS (facts §5.2), so at most ~3.5% of these lead to one (mean 3.2% here).",
        ),
        IncidentType(
            name="swapped_ballots",
            rate_per_tps_day=0.0025,
            class_scaled=False,
            phases=PhaseWeights(pre_open=0.6, voting=0.4, counting=0.0),
            severity=[0.8, 0.2, 0.0],
            onsite_resolve=[1.0, 1.0, 1.0],
            responders=[],
            grave_responders=[],
            resolve_min=ln(dist="lognormal", mean=45.0, cv=0.5),
            suspend_voting_min=u(dist="uniform", low=15.0, high=60.0),
            ballots_lost=ln(dist="lognormal", mean=10.0, cv=1.0),
            revote_prob=[0.0, 0.02, 0.05],
            source="security-effects §4: ballots swapped at 1,073 of 435,296 TPS in Pilkada "
            "2024 (0.25%; Pemilu 2024 with five ballot types: 0.7%, facts §5.1); found at "
            "setup or by voters (60/40, est.); KPPS and PPS sort them out, "
            "voting waits (est. 15–60 min); ballots used wrongly can force a PSU (est.).",
        ),
        IncidentType(
            name="damaged_ballots",
            rate_per_tps_day=0.002,
            class_scaled=False,
            phases=PhaseWeights(pre_open=0.7, voting=0.3, counting=0.0),
            severity=[0.8, 0.18, 0.02],
            onsite_resolve=[1.0, 1.0, 1.0],
            responders=[],
            grave_responders=[],
            resolve_min=ln(dist="lognormal", mean=20.0, cv=0.5),
            ballots_lost=ln(dist="lognormal", mean=20.0, cv=0.8),
            revote_prob=[0.0, 0.0, 0.05],
            source="est.: a batch of ballots found wet, torn or misprinted at the TPS (beyond "
            "single spoiled papers, logistics.spoiled_per_ballot); damaged ballots turned up "
            "in 32.2% of regencies during distribution (facts §5.4) and forced a postponed "
            "vote at 2 TPS in Nias (facts §5.1).",
        ),
        IncidentType(
            name="power_cut",
            rate_per_tps_day=0.01,
            class_scaled=False,
            area="village",
            phases=PhaseWeights(pre_open=0.0, voting=0.0, counting=1.0),
            severity=[0.6, 0.3, 0.1],
            onsite_resolve=[1.0, 1.0, 1.0],
            responders=[],
            grave_responders=[],
            resolve_min=u(dist="uniform", low=5.0, high=90.0),
            pause_counting_min=u(dist="uniform", low=5.0, high=90.0),
            source="facts §7.5 (est.) and §4.3: electricity problems at ~1% of TPS; facts §5.1: "
            "cuts of 5 min to ~1.5 h during counting, sometimes a whole village or kecamatan "
            "at once; rate per village per day, so each TPS is hit with probability 0.01.",
        ),
        IncidentType(
            name="flood",
            rate_per_tps_day=0.02,
            class_scaled=False,
            area="district",
            area_hit_share=0.25,
            phases=PhaseWeights(pre_open=0.5, voting=0.5, counting=0.0),
            severity=[0.7, 0.2, 0.1],
            onsite_resolve=[1.0, 1.0, 0.0],
            responders=["police"],
            grave_responders=["tni", "police"],
            resolve_min=ln(dist="lognormal", mean=60.0, cv=0.5),
            suspend_voting_min=u(dist="uniform", low=30.0, high=90.0),
            severity_effect_scale=[0.5, 1.0, 3.0],
            escalate_after_min=60.0,
            revote_prob=[0.0, 0.0, 1.0],
            source="est.: heavy rain or tide floods part of a kecamatan (late November is the "
            "rainy season; 1.3% of TPS flagged disaster-prone, facts §4.3); per kecamatan per "
            "day, reaching a quarter of its TPS, so each TPS is hit with probability 0.005; "
            "minor = booths moved and voting goes on (Sampit, facts §5.1); grave floods "
            "postpone the vote (PSS), 0.005 × 0.1 = 0.0005 of TPS as in facts §7.5.",
        ),
        IncidentType(
            name="worker_collapse",
            trigger="health",
            class_scaled=False,
            phases=PhaseWeights(pre_open=0.0, voting=0.5, counting=0.5),
            severity=[0.0, 0.97, 0.03],
            onsite_resolve=[1.0, 0.5, 0.0],
            responders=["medical"],
            grave_responders=["medical"],
            resolve_min=ln(dist="lognormal", mean=30.0, cv=0.5),
            escalate_after_min=30.0,
            escalation_suspend_min=None,
            source="raised by the KPPS health model (staff.health), not a rate: an ill worker "
            "(major) is checked by the Puskesmas team half the time (est.), a severe case "
            "(grave, staff.health.severe_share) always; time on scene and transfer est.",
        ),
    ]


class Medical(Section):
    """Puskesmas ambulance teams that answer worker collapses."""

    teams_per_district: int = Field(
        1,
        ge=0,
        le=100,
        description="Ambulance teams on call per kecamatan (est.: one Puskesmas per kecamatan "
        "on standby for polling day).",
    )
    travel_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=20.0, cv=0.5),
        description="Travel time from the Puskesmas to a TPS when TPS have no coordinates, "
        "minutes (est.).",
    )
    speed_road_kmh: float = Field(
        40.0, ge=1, le=300, description="Ambulance speed on roads, km/h (est.)."
    )
    speed_river_kmh: float = Field(15.0, ge=1, le=300, description="Speed by boat, km/h (est.).")


class Response(Section):
    """How responders move: patrol rotation of shared teams and on-site handling."""

    patrol_dwell_min: float = Field(
        15.0,
        ge=1,
        le=1440,
        description="A shared police team (pattern k TPS per team) stays this long at each of "
        "its TPS in turn, from day.staff_arrive, in table order (Koper 1995: stops of 10–16 "
        "min deter most per minute spent, longer stops add little, security-effects §1; a "
        "2-6-12 team then passes each of its TPS every 90 minutes, within Koper's 'at least "
        "every 2 hours').",
    )
    patrol_travel_factor: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Without coordinates: a patrolling team's trip to another of its TPS takes "
        "this share of a kecamatan trip (est.: its TPS lie in one village).",
    )
    kpps_alone_factor: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Where a plan leaves no linmas (guard) at a TPS, the chance KPPS settle an "
        "incident on site is multiplied by this (est.).",
    )


class Incidents(Section):
    """Incident catalogue, class multipliers, medical teams and response rules."""

    enabled: bool = Field(True, description="Simulate incidents and responders.")
    class_rate_multiplier: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {
            "kurang_rawan": 1.0,
            "rawan": 2.5,
            "sangat_rawan": 5.0,
            "khusus": 2.0,
        },
        description="Relative rate of class-scaled incidents by risk class, normalised so the "
        "average over risk.classes shares is 1 (each type's rate is the national average). "
        "Sangat rawan ×5 of kurang rawan (facts §7.5, est.); rawan between (est. 2.5, a TPS "
        "classed rawan for a history of conflict, facts §3.2); khusus (prisons, hospitals) "
        "2 (est.: closed sites, fewer outsiders).",
    )
    types: list[IncidentType] = Field(
        default_factory=default_incident_types,
        max_length=50,
        description="The incident catalogue (default: the bundled catalogue, see docs/model.md).",
    )
    counting_window_min: float = Field(
        420.0,
        gt=0,
        le=1440,
        description="Length of the counting phase in which counting-phase incidents fall, "
        "from day.close, minutes (est.: Pilkada counting ends about 20:00, facts §5.5).",
    )
    medical: Medical = Field(default_factory=Medical, description="Medical teams.")
    response: Response = Field(default_factory=Response, description="Response rules.")
    deterrence: Deterrence = Field(
        default_factory=Deterrence, description="Deterrence and displacement by presence."
    )
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
        taken = sorted(set(names) & RESERVED_TYPE_NAMES)
        if taken:
            raise ValueError(
                f"incident type name {taken[0]!r} is reserved (metric incidents_{taken[0]}); "
                "choose another name"
            )
        if any(m <= 0 for m in self.class_rate_multiplier.values()):
            raise ValueError("class_rate_multiplier values must be > 0")
        return self
