"""KPPS poll workers: ages, sleep, fatigue, health events, and the policies that protect them.

The fatigue model follows the three-process model of alertness (Åkerstedt & Folkard 1995;
Åkerstedt et al. 2004): a homeostatic component S that falls exponentially with time awake
and recovers during sleep, a circadian component C, and alertness A = S + C on a 1–16 scale
(below about 7 is "sleepy"). Workload adds a time-on-task cost that breaks restore.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from planner.scenario.distributions import Distribution, Triangular, Uniform
from planner.scenario.sections.base import Section


class Fatigue(Section):
    """Alertness of each KPPS through the day (three-process model) and what it does."""

    enabled: bool = Field(True, description="Model fatigue (off: constant full alertness).")
    s_upper: float = Field(
        14.3, description="Upper asymptote of S during sleep (Åkerstedt & Folkard 1995)."
    )
    s_lower: float = Field(
        2.4, description="Lower asymptote of S during wake (Åkerstedt & Folkard 1995)."
    )
    s_decay_per_h: float = Field(
        0.0353, gt=0, description="Rate S falls per hour awake (Åkerstedt & Folkard 1995)."
    )
    s_recovery_per_h: float = Field(
        0.381, gt=0, description="Rate S recovers per hour of sleep (Åkerstedt & Folkard 1995)."
    )
    c_amplitude: float = Field(
        2.5, ge=0, description="Amplitude of the circadian component C (Åkerstedt & Folkard)."
    )
    c_peak_hour: float = Field(
        16.8, ge=0, lt=24, description="Clock hour of the circadian peak (Åkerstedt & Folkard)."
    )
    time_on_task_per_h: float = Field(
        0.25,
        ge=0,
        description="Alertness lost per hour of continuous work, restored by a break (est.: "
        "time-on-task decrement of the order of the circadian swing over a 6-h session).",
    )
    alertness_full: float = Field(
        13.0, description="Alertness at or above which work is at full speed (est.)."
    )
    slowdown_per_point: float = Field(
        0.04,
        ge=0,
        description="Extra service time per alertness point below alertness_full (est.: "
        "17–19 h awake slows responses by 20–30%, Williamson & Feyer 2000).",
    )
    error_per_point: float = Field(
        0.15,
        ge=0,
        description="Relative rise of the counting-error rate per alertness point below "
        "alertness_full (est.).",
    )


class Health(Section):
    """Health events among KPPS: hazard by fatigue, age and comorbidity."""

    base_ill_per_100k_h: float = Field(
        0.2,
        ge=0,
        description="Hazard of falling ill per 100,000 rested, young, healthy workers per hour on "
        "duty (calibrated once across Pemilu 2019/2024 and Pilkada 2024, docs/calibration.md).",
    )
    fatigue_hazard_per_point: float = Field(
        0.35,
        ge=0,
        description="Log hazard increase per alertness point below alertness_full (calibrated, "
        "docs/calibration.md).",
    )
    age_hazard_per_decade: float = Field(
        0.6,
        ge=0,
        description="Log hazard increase per decade of age above 30 (most deaths aged 41–60, "
        "facts §2.5; calibrated).",
    )
    comorbidity_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Share of workers with cardiovascular comorbidity before screening (est.: "
        "adult hypertension prevalence in Indonesia is about a third).",
    )
    comorbidity_hazard_ratio: float = Field(
        3.0,
        ge=1,
        description="Hazard ratio for workers with comorbidity (est.; facts §2.5: comorbidity "
        "dominated the 2019 deaths).",
    )
    severe_share: float = Field(
        0.03,
        ge=0,
        le=1,
        description="Share of health events that are severe (death or critical) (facts §2.5: "
        "deaths/sick 4.4% in 2019, 1.7% in 2024).",
    )


class StaffPolicies(Section):
    """Policies a planner can test; each has a measurable effect in the simulation."""

    age_cap_years: int | None = Field(
        None,
        ge=17,
        le=100,
        description="Maximum KPPS age (55 in Pemilu 2024, facts §2.4; not confirmed for Pilkada "
        "2024, so none by default).",
    )
    screening: bool = Field(
        True,
        description="Health screening at recruitment (Pilkada 2024 KPPS selection included "
        "health tests, facts §2.4).",
    )
    screened_comorbidity_share: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Comorbidity share after screening (est.: screening for blood pressure, "
        "sugar and cholesterol removes most but not all at-risk workers).",
    )
    break_every_min: float | None = Field(
        None,
        gt=0,
        description="Rotate each KPPS off for a break this often (null: no planned breaks).",
    )
    break_length_min: float = Field(15.0, gt=0, description="Length of a planned break, minutes.")
    reserve_workers: int = Field(
        0, ge=0, le=7, description="Extra trained workers on standby at the TPS."
    )
    replacement_delay_min: Distribution | None = Field(
        default_factory=lambda: Uniform(dist="uniform", low=60.0, high=180.0),
        description="Time for the PPS to send a replacement for a worker who falls ill, minutes; "
        "null = no replacement (est.).",
    )
    split_counting_shift: bool = Field(
        False,
        description="A fresh team of the same size takes over counting at close (costs a second "
        "set of honoraria).",
    )


class Staff(Section):
    """KPPS at each TPS."""

    kpps_per_tps: int = Field(7, ge=1, le=20, description="KPPS per TPS (facts §2.1: 7).")
    age_years: Distribution = Field(
        default_factory=lambda: Triangular(dist="triangular", low=17.0, mode=38.0, high=65.0),
        description="Age of KPPS, years (est.: 17 minimum, facts §2.4; older workers common "
        "before the 2024 cap, 2019 deaths mostly aged 46–67, facts §2.5).",
    )
    sleep_before_h: Distribution = Field(
        default_factory=lambda: Triangular(dist="triangular", low=3.0, mode=5.0, high=7.0),
        description="Hours slept the night before (est.: KPPS prepare the TPS late on H-1, "
        "DESIGN §1).",
    )
    awake_before_arrival_h: Distribution = Field(
        default_factory=lambda: Uniform(dist="uniform", low=0.5, high=1.5),
        description="Hours awake before arriving at the TPS (est.).",
    )
    fatigue: Fatigue = Field(default_factory=Fatigue, description="Fatigue model.")
    health: Health = Field(default_factory=Health, description="Health-event model.")
    policies: StaffPolicies = Field(default_factory=StaffPolicies, description="Policies.")

    @model_validator(mode="after")
    def _age_cap_reachable(self) -> Staff:
        cap = self.policies.age_cap_years
        low = getattr(self.age_years, "low", getattr(self.age_years, "value", 0.0))
        if cap is not None and low is not None and low > cap:
            raise ValueError("policies.age_cap_years is below the youngest possible age")
        return self
