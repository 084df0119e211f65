"""Security agencies, deployment patterns, policy, budgets and reserves.

Agencies are data: the scenario lists them (linmas, police, TNI, and others such as Satpol
PP), each with costs, availability and the budget line that pays for it. A pattern in the
police–TPS–linmas notation ("2-6-12": two officers share six TPS with twelve linmas) is a
shared `team` of personnel spread over `tps_per_team` TPS plus personnel stationed at each
TPS (`per_tps`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from planner.scenario.distributions import Lognormal, Minutes
from planner.scenario.sections.base import Name, Section

MAX_PERSON_COST_IDR = 10_000_000
"""Highest cost per person (per day, or one-off) accepted, rupiah: 25 times the Rp 395,000
daily rate of facts §3.4 and 15 times the linmas honorarium (facts §2.6). With the limits
below (personnel per TPS, agencies, TPS per scenario) every plan cost stays far inside
64-bit integers, which the optimiser needs."""
MAX_PERSONNEL = 1_000_000
"""Most personnel of one agency (Polri has about 470,000 members nationwide, est.)."""
MAX_BUDGET_IDR = 10**15
"""Largest budget accepted, rupiah: a quarter of Indonesia's whole state budget, far above
any regional security grant (Rp 0.5–30 bn, facts §3.4), and safe in 64-bit sums."""

PersonnelCount = Annotated[int, Field(ge=0, le=50)]
"""Personnel of one agency in a pattern's team or at one TPS: 0 to 50 (est.: the heaviest
recorded pattern stations 4 police and a soldier at a TPS, facts §3.2; 50 is a platoon)."""
MAX_AGENCIES = 20
"""Most agencies in one scenario (linmas, police, TNI, Satpol PP, Dishub ... est.)."""


class Agency(Section):
    """An agency that supplies personnel: costs, availability and who pays."""

    role: Literal["guard", "police", "military", "civil"] = Field(
        description="guard: stands at its TPS only (linmas); police/military/civil: can be "
        "dispatched to incidents."
    )
    cost_per_person_day_idr: int = Field(
        ge=0,
        le=MAX_PERSON_COST_IDR,
        description="Allowance, meals and transport per person per day deployed, rupiah "
        "(at most Rp 10 million).",
    )
    fixed_cost_per_person_idr: int = Field(
        0,
        ge=0,
        le=MAX_PERSON_COST_IDR,
        description="One-off cost per person (e.g. an honorarium), rupiah (at most Rp 10 million).",
    )
    days_deployed: int = Field(
        4,
        ge=1,
        le=30,
        description="Days each person is deployed around polling day (facts §3.2: about 4 days).",
    )
    budget_line: Name | None = Field(
        None,
        description="Key in security.budgets_idr that pays this agency (None: not charged to "
        "any regional grant, e.g. linmas honoraria paid by KPU).",
    )
    available_total: int | None = Field(
        None,
        ge=0,
        le=MAX_PERSONNEL,
        description="Personnel available for TPS duty and reserves (None: no limit; at most "
        "1,000,000).",
    )
    available_per_district: dict[Name, Annotated[int, Field(ge=0, le=MAX_PERSONNEL)]] = Field(
        default_factory=dict,
        description="Personnel available per kecamatan (by name); kecamatan not listed are "
        "limited only by available_total.",
    )
    speed_road_kmh: float = Field(
        30.0,
        ge=1,
        le=300,
        description="Travel speed on roads for dispatch, km/h (est.: motorbike/patrol car in "
        "town traffic on polling day).",
    )
    speed_river_kmh: float = Field(
        15.0,
        ge=1,
        le=300,
        description="Travel speed by boat, km/h (est.: facts §5.4 river legs of 5–8 h for "
        "about 80–120 km).",
    )

    def cost_per_person_idr(self) -> int:
        """Total cost of one person for the whole deployment."""
        return self.fixed_cost_per_person_idr + self.cost_per_person_day_idr * self.days_deployed


class Pattern(Section):
    """A deployment pattern: a team shared by `tps_per_team` TPS plus personnel at each TPS."""

    name: Name = Field(description="Pattern name, e.g. '2-6-12'.")
    team: dict[Name, PersonnelCount] = Field(
        default_factory=dict,
        description="Personnel of the shared team by agency, e.g. {police: 2}.",
    )
    tps_per_team: int = Field(
        1,
        ge=1,
        le=100,
        description="Number of TPS that share one team (the 6 in 2-6-12; at most 100).",
    )
    per_tps: dict[Name, PersonnelCount] = Field(
        default_factory=dict,
        description="Personnel stationed at every TPS by agency, e.g. {linmas: 2}.",
    )
    residual_harm: float = Field(
        gt=0,
        le=1,
        description="Share of a TPS's harm this pattern leaves (1 = no protection); "
        "overridable per class in security.residual_harm.",
    )
    description: str = Field("", description="Where this pattern is used (source).")

    def personnel_per_tps(self, agency: str) -> float:
        """Average personnel of `agency` per TPS under this pattern."""
        return self.per_tps.get(agency, 0) + self.team.get(agency, 0) / self.tps_per_team


class ClassPolicy(Section):
    """Which patterns a risk class may use and which is its standard (hand-planned) one."""

    allowed: list[Name] = Field(min_length=1, description="Pattern names allowed for the class.")
    standard: Name = Field(description="The pattern police use by default for the class.")

    @model_validator(mode="after")
    def _standard_allowed(self) -> ClassPolicy:
        if self.standard not in self.allowed:
            raise ValueError(f"standard pattern {self.standard!r} must be in allowed")
        return self


class Reserve(Section):
    """Reserve teams kept at each kecamatan post (Polsek, Koramil)."""

    agency: Name = Field(description="Agency of the reserve teams.")
    team_size: int = Field(ge=1, le=1000, description="Personnel per reserve team (1 to 1,000).")
    min_per_district: int = Field(
        0,
        ge=0,
        le=50,
        description="Policy minimum of teams per kecamatan (default none: a scenario states its "
        "own policy).",
    )
    max_per_district: int = Field(
        4,
        ge=0,
        le=50,
        description="Most teams worth keeping per kecamatan (est.: Polres Kukar held 3 "
        "quick-reaction platoons and a Brimob company for 20 kecamatan, facts §3.2, i.e. "
        "well under one platoon per kecamatan; 4 small teams bounds the choice generously).",
    )
    harm_reduction: list[float] = Field(
        description="Share of the kecamatan's residual harm removed by the 1st, 2nd, ... team "
        "(diminishing returns; one entry per team up to max_per_district)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Reserve:
        if self.min_per_district > self.max_per_district:
            raise ValueError("min_per_district must be ≤ max_per_district")
        if len(self.harm_reduction) < self.max_per_district:
            raise ValueError(
                f"harm_reduction needs {self.max_per_district} entries (one per team), "
                f"has {len(self.harm_reduction)}"
            )
        if any(not 0 <= r < 1 for r in self.harm_reduction):
            raise ValueError("harm_reduction entries must be in [0, 1)")
        if any(a < b for a, b in zip(self.harm_reduction, self.harm_reduction[1:], strict=False)):
            raise ValueError("harm_reduction must not increase (diminishing returns)")
        if sum(self.harm_reduction[: self.max_per_district]) >= 1:
            raise ValueError("harm_reduction entries must sum to less than 1")
        return self


class Travel(Section):
    """How long responders take to reach a TPS."""

    road_distance_factor: float = Field(
        1.4,
        ge=1,
        le=5,
        description="Road distance / straight-line distance (est.: typical circuity of urban "
        "road networks, 1.2–1.5).",
    )
    district_travel_min: Minutes = Field(
        default_factory=lambda: Lognormal(dist="lognormal", mean=15.0, cv=0.5),
        description="Travel time from the kecamatan post or a patrol point to a TPS when TPS "
        "have no coordinates, minutes (est.: a kecamatan of 10–40 km² at 20–30 km/h).",
    )


class Security(Section):
    """Agencies, patterns, policy, budgets and reserves."""

    agencies: dict[Name, Agency] = Field(
        min_length=1,
        max_length=MAX_AGENCIES,
        description="Agencies by name (linmas, police, tni, ...); 1 to 20.",
    )
    patterns: list[Pattern] = Field(min_length=1, description="Catalogue of deployment patterns.")
    policy: dict[str, ClassPolicy] = Field(
        description="Allowed and standard patterns by risk class."
    )
    residual_harm: dict[str, dict[str, Annotated[float, Field(gt=0, le=1)]]] = Field(
        default_factory=dict,
        description="Overrides of pattern residual harm by class then pattern, e.g. "
        "{sangat_rawan: {2-1-2: 0.4}}; the sim–opt loop estimates this table.",
    )
    residual_harm_scale: float | None = Field(
        None,
        gt=0,
        le=1e9,
        description="Weighted voters of simulated harm (sim_harm) per unit of the optimiser's "
        "objective (κ), written by `planner calibrate` with the table it learnt; compare "
        "then predicts a plan's sim_harm difference as κ × its objective difference. None: "
        "the table is not learnt from the simulation, no prediction.",
    )
    reserves: list[Reserve] = Field(
        default_factory=list, description="Reserve team types (at most one per agency)."
    )
    reserve_base: Literal["default_plan", "plan"] = Field(
        "default_plan",
        description="What a reserve team's harm_reduction is a share of, in the optimiser's "
        "objective: 'default_plan' — the kecamatan's residual harm under the policy-default "
        "plan (a fixed base per kecamatan, so a team's benefit does not depend on the TPS "
        "patterns; the objective stays linear and optimality is proven quickly); 'plan' — the "
        "kecamatan's residual harm under the plan itself (the exact product: reserves count "
        "for less where TPS are better guarded; much harder to prove optimal). (est.: the "
        "base matters little because reserves answer incidents that TPS guards could not "
        "settle, whose number depends mostly on the kecamatan's voters and risk classes.)",
    )
    budgets_idr: dict[Name, Annotated[int, Field(ge=0, le=MAX_BUDGET_IDR)] | None] = Field(
        default_factory=dict,
        description="Budget per budget line (e.g. polres, kodim, pemda), rupiah available for "
        "polling-day TPS security; None means unlimited.",
    )
    total_budget_idr: int | None = Field(
        None,
        ge=0,
        le=MAX_BUDGET_IDR,
        description="Optional cap on the sum over budget lines, rupiah (at most Rp 10^15).",
    )
    grouping: Literal["village", "district"] = Field(
        "village",
        description="Where TPS share a police team: within a village, or within the kecamatan.",
    )
    min_village_tps: int = Field(
        4,
        ge=1,
        le=1000,
        description="Villages with fewer TPS than this are grouped at kecamatan level (est.: a "
        "shared team covers 2–16 TPS, facts §3.2, so villages of 1–3 TPS cannot fill one and "
        "Polsek pool them across the kecamatan).",
    )
    travel: Travel = Field(default_factory=Travel, description="Responder travel times.")

    @model_validator(mode="after")
    def _references(self) -> Security:
        names = [p.name for p in self.patterns]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"pattern names must be unique, repeated: {', '.join(dup)}")
        known = set(names)
        for p in self.patterns:
            for agency in [*p.team, *p.per_tps]:
                if agency not in self.agencies:
                    raise ValueError(
                        f"pattern {p.name!r} uses unknown agency {agency!r}; agencies: "
                        f"{', '.join(self.agencies)}"
                    )
        for cls_name, pol in self.policy.items():
            for name in pol.allowed:
                if name not in known:
                    raise ValueError(
                        f"policy.{cls_name}.allowed names unknown pattern {name!r}; patterns: "
                        f"{', '.join(names)}"
                    )
        for cls_name, table in self.residual_harm.items():
            for name in table:
                if name not in known:
                    raise ValueError(f"residual_harm.{cls_name} names unknown pattern {name!r}")
        for agency_name, ag in self.agencies.items():
            if ag.budget_line is not None and ag.budget_line not in self.budgets_idr:
                raise ValueError(
                    f"agency {agency_name!r} is paid from budget line {ag.budget_line!r}, which is "
                    f"not in budgets_idr ({', '.join(self.budgets_idr) or 'empty'})"
                )
        for r in self.reserves:
            if r.agency not in self.agencies:
                raise ValueError(f"reserve agency {r.agency!r} is not in agencies")
        reserve_agencies = [r.agency for r in self.reserves]
        dup = sorted({a for a in reserve_agencies if reserve_agencies.count(a) > 1})
        if dup:
            raise ValueError(
                f"reserves lists agency {', '.join(dup)} twice; give one reserve type per agency"
            )
        if sum(sum(r.harm_reduction[: r.max_per_district]) for r in self.reserves) >= 1:
            raise ValueError(
                "reserve harm_reduction entries of all reserve types together must sum to "
                "less than 1 (all teams kept cannot remove all harm)"
            )
        return self

    def pattern(self, name: str) -> Pattern:
        """The pattern called `name`."""
        for p in self.patterns:
            if p.name == name:
                return p
        raise KeyError(name)

    def harm_share(self, risk_class: str, pattern: str) -> float:
        """Residual harm of `pattern` at a TPS of `risk_class`."""
        override = self.residual_harm.get(risk_class, {})
        if pattern in override:
            return override[pattern]
        return self.pattern(pattern).residual_harm


def _pattern(
    name: str, police: int, tps: int, linmas: int, tni: int, harm: float, note: str
) -> Pattern:
    team = {"police": police} if tps > 1 else {}
    per_tps: dict[str, int] = {"linmas": linmas // tps}
    if tps == 1:
        per_tps["police"] = police
    if tni:
        per_tps["tni"] = tni
    return Pattern(
        name=name,
        team=team,
        tps_per_team=tps,
        per_tps=per_tps,
        residual_harm=harm,
        description=note,
    )


def default_security() -> Security:
    """Polri's patterns as recorded in Kalimantan and elsewhere (facts §3.2), with costs.

    Residual harm (est.): r = 1 / (1 + 0.8 p), p = officer-equivalents per TPS (police + TNI):
    each officer present cuts the harm left by incidents, with diminishing returns; the
    sim–opt loop re-estimates the table from simulation.

    Costs: linmas Rp 650,000 honorarium, paid by KPU, no regional budget line (facts §2.6);
    police Rp 395,000 per person-day × 4 days = Rp 1.58 m per person, the Palangka Raya 2018
    grant's Rp 632 m for 400 BKO personnel (facts §3.4; the 2019 Rp 171,000 index covered one
    day only and 2024 rates are unconfirmed), days from facts §3.2 (about 4 days at the TPS);
    TNI the same (est.: no Kodim per-person figure is published; grants are per agency).

    Reserves (est.): Polres Kukar kept 3 quick-reaction platoons and a Brimob company behind
    its TPS (facts §3.2); here each kecamatan post (Polsek) keeps at least one police team of
    10 and may keep up to 4, and the Koramil up to 3 TNI teams of 10. A team removes a share
    of the kecamatan's residual harm with halving returns (police 10%, 6%, 3%, 1.5%; TNI,
    which backs police up rather than leading, 6%, 3%, 1.5%): a team answers the incidents
    that TPS guards could not settle, and the first team answers most of them.
    """
    patterns = [
        _pattern("2-16-32", 2, 16, 32, 0, 0.909, "Jakarta Barat, Pemilu 2024 (facts §3.2)"),
        _pattern("2-8-16", 2, 8, 16, 0, 0.833, "Sleman Pilkada 2024, most common (facts §3.2)"),
        _pattern("2-6-12", 2, 6, 12, 0, 0.789, "Polresta Balikpapan Pilkada 2024 (facts §3.2)"),
        _pattern("2-4-8", 2, 4, 8, 0, 0.714, "Mabes Polri 2019 kurang rawan (facts §3.2)"),
        _pattern("2-2-4", 2, 2, 4, 0, 0.556, "Tarakan rawan, Banjarbaru (facts §3.2)"),
        _pattern("2-1-2", 2, 1, 2, 0, 0.385, "Balikpapan sangat rawan (facts §3.2)"),
        _pattern(
            "2-1-2+tni", 2, 1, 2, 1, 0.294, "2-1-2 with a soldier; PPU ~1 TNI per TPS (facts §3.3)"
        ),
        _pattern("4-1-4", 4, 1, 4, 0, 0.238, "Kutim 3–4 police at sangat rawan (facts §3.2)"),
        _pattern("4-1-4+tni", 4, 1, 4, 1, 0.200, "4-1-4 with a soldier (facts §3.3)"),
    ]
    agencies = {
        "linmas": Agency(
            role="guard",
            cost_per_person_day_idr=0,
            fixed_cost_per_person_idr=650_000,
            days_deployed=1,
            budget_line=None,
        ),
        "police": Agency(
            role="police",
            cost_per_person_day_idr=395_000,
            days_deployed=4,
            budget_line="polres",
        ),
        "tni": Agency(
            role="military",
            cost_per_person_day_idr=395_000,
            days_deployed=4,
            budget_line="kodim",
        ),
    }
    low = ["2-16-32", "2-8-16", "2-6-12", "2-4-8", "2-2-4", "2-1-2"]
    policy = {
        "kurang_rawan": ClassPolicy(allowed=low, standard="2-6-12"),
        "rawan": ClassPolicy(allowed=["2-2-4", "2-1-2", "2-1-2+tni", "4-1-4"], standard="2-2-4"),
        "sangat_rawan": ClassPolicy(
            allowed=["2-1-2", "2-1-2+tni", "4-1-4", "4-1-4+tni"], standard="2-1-2"
        ),
        "khusus": ClassPolicy(allowed=["2-1-2", "2-1-2+tni", "4-1-4"], standard="2-1-2"),
    }
    reserves = [
        Reserve(
            agency="police",
            team_size=10,
            min_per_district=1,
            max_per_district=4,
            harm_reduction=[0.10, 0.06, 0.03, 0.015],
        ),
        Reserve(
            agency="tni",
            team_size=10,
            min_per_district=0,
            max_per_district=3,
            harm_reduction=[0.06, 0.03, 0.015],
        ),
    ]
    return Security(
        agencies=agencies,
        patterns=patterns,
        policy=policy,
        reserves=reserves,
        budgets_idr={"polres": None, "kodim": None},
    )
