"""KPPS poll workers: ages, sleep, fatigue, health events, and the policies that protect them.

The fatigue model follows the three-process model of alertness (Åkerstedt & Folkard 1995,
1997): a homeostatic component S that falls exponentially with time awake and recovers
during sleep, a circadian component C, and alertness A = S + C on a 1–16 scale (below about
7 is "sleepy"). Time on task and workload lower it further; breaks restore time on task.
The equations are in docs/model.md ("KPPS fatigue"); the health parameters were chosen once
against three elections (docs/calibration.md).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from planner.scenario.clock import Clock
from planner.scenario.distributions import Hours, Minutes, Triangular, Uniform, Years
from planner.scenario.sections.base import FieldError, Section


class Fatigue(Section):
    """Alertness of each KPPS through the day (three-process model) and what it does."""

    enabled: bool = Field(True, description="Model fatigue (off: constant full alertness).")
    s_upper: float = Field(
        14.3,
        ge=0,
        le=24,
        description="Upper asymptote of S during sleep (Åkerstedt & Folkard 1995).",
    )
    s_lower: float = Field(
        2.4, ge=0, le=24, description="Lower asymptote of S during wake (Åkerstedt & Folkard 1995)."
    )
    s_decay_per_h: float = Field(
        0.0353, gt=0, le=1, description="Rate S falls per hour awake (Åkerstedt & Folkard 1995)."
    )
    s_recovery_per_h: float = Field(
        0.381,
        gt=0,
        le=5,
        description="Rate S recovers per hour of sleep (Åkerstedt & Folkard 1995).",
    )
    c_amplitude: float = Field(
        2.5,
        ge=0,
        le=10,
        description="Amplitude of the circadian component C (Åkerstedt & Folkard).",
    )
    c_peak_hour: float = Field(
        16.8, ge=0, lt=24, description="Clock hour of the circadian peak (Åkerstedt & Folkard)."
    )
    previous_wake: Clock = Field(
        -1080,
        description='When KPPS woke, rested, on the day before polling day ("H-1 06:00", est.: '
        "a normal working day precedes the evening of TPS preparation).",
    )
    time_on_task_max: float = Field(
        1.5,
        ge=0,
        le=10,
        description="Alertness lost to time on task after a long spell of work without a break, "
        "restored by a break; the loss approaches this value as 1 − exp(−hours / "
        "time_on_task_tau_h) (est.: Tucker 2003 finds risk rising over each spell of work and "
        "falling after a break; 1.5 points is a little over half the circadian swing).",
    )
    time_on_task_tau_h: float = Field(
        2.0,
        gt=0,
        le=24,
        description="Time constant of the time-on-task loss, hours (est.: Tucker 2003 finds most "
        "of the rise within two hours of continuous work).",
    )
    load_per_100_voters: float = Field(
        0.15,
        ge=0,
        le=10,
        description="Alertness lost per 100 voters who have come to the TPS (est.: serving "
        "600 voters costs about one point, like four hours of time on task).",
    )
    load_per_1000_ballots: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Alertness lost per 1,000 ballot papers counted (est.: a Pemilu count of "
        "about 1,200 papers costs 0.6 points on top of its long hours).",
    )
    alertness_full: float = Field(
        12.0,
        ge=0,
        le=24,
        description="Alertness at or above which work is at full speed: the model's value for a "
        "rested person in mid-morning (S ≈ 12.5, C ≈ −0.5), so the deficit measures fatigue "
        "beyond a normal working morning.",
    )
    slowdown_per_point: float = Field(
        0.06,
        ge=0,
        le=1,
        description="Extra service and counting time per alertness point below alertness_full "
        "(est.: 17–19 h awake, about 3.5 points in this model, slows responses by 20–30% "
        "(Williamson & Feyer 2000), about 6% per point).",
    )
    error_per_point: float = Field(
        0.15,
        ge=0,
        le=10,
        description="Relative rise of the counting-error rate per alertness point below "
        "alertness_full (est.: sleep loss raises error rates more than it slows responses; "
        "about +50% at 17–19 h awake).",
    )
    grid_step_min: float = Field(
        10.0,
        ge=1,
        le=60,
        description="Fatigue, hazard and counting speed are evaluated once per step of this many "
        "minutes (est.: alertness changes by well under a point in 10 minutes).",
    )


class Health(Section):
    """Health events among KPPS: a hazard per hour on duty, raised by fatigue, age, comorbidity.

    hazard = base × exp(fatigue_hazard_per_point × deficit + age_hazard_per_decade ×
    (age − 40)/10) × comorbidity_hazard_ratio (if comorbid). Chosen once for Pemilu 2019,
    Pemilu 2024 and Pilkada 2024 together (docs/calibration.md).
    """

    base_ill_per_100k_h: float = Field(
        0.026,
        ge=0,
        le=100_000,
        description="Health events per 100,000 KPPS-hours for a 40-year-old without "
        "comorbidity at full alertness (calibrated once against Pemilu 2019, Pemilu 2024 and "
        "Pilkada 2024, docs/calibration.md).",
    )
    fatigue_hazard_per_point: float = Field(
        0.7,
        ge=0,
        le=5,
        description="Log hazard increase per alertness point below alertness_full (calibrated "
        "once, docs/calibration.md; facts §2.5: deaths and illness peak on polling day and the "
        "night after).",
    )
    age_hazard_per_decade: float = Field(
        1.0,
        ge=0,
        le=5,
        description="Log hazard increase per decade of age (calibrated once, docs/"
        "calibration.md: ×2.7 per decade, at the steep end of the roughly ×2–3 per decade of "
        "cardiovascular event rates; facts §2.5: deaths concentrated at 41–67).",
    )
    comorbidity_share: float = Field(
        0.30,
        ge=0,
        le=1,
        description="Share of 40-year-old workers with cardiovascular comorbidity without "
        "screening (est.: measured hypertension in Indonesian adults aged 35–44 is about 30%, "
        "Riskesdas 2018).",
    )
    comorbidity_age_per_decade: float = Field(
        0.34,
        ge=0,
        le=5,
        description="Log increase of the comorbidity share per decade of age (est.: "
        "hypertension rises from about 13% at 18–24 to 55% at 55–64, Riskesdas 2018, about "
        "×1.4 per decade).",
    )
    comorbidity_hazard_ratio: float = Field(
        3.0,
        ge=1,
        le=100,
        description="Hazard ratio for workers with comorbidity (est.; facts §2.5: comorbidity "
        "(heart disease, hypertension, stroke) dominated the 2019 and 2024 deaths).",
    )
    severe_share: float = Field(
        0.0055,
        ge=0,
        le=1,
        description="Share of health events that are severe (death or critical) for a "
        "40-year-old without comorbidity (calibrated once, docs/calibration.md; facts §2.5: "
        "deaths per sick worker 4.4% in 2019, 1.7% in 2024 over all ages).",
    )
    severe_age_per_decade: float = Field(
        1.0,
        ge=0,
        le=5,
        description="Log increase of the severe share per decade of age: the same rate as the "
        "hazard (deaths are the severe end of the same cardiovascular events; facts §2.5: "
        "deaths mostly aged 46–67; calibrated with age_hazard_per_decade).",
    )
    severe_comorbidity_ratio: float = Field(
        2.0,
        ge=1,
        le=100,
        description="Multiplier of the severe share for workers with comorbidity (est.; facts "
        "§2.5: most deaths had heart disease or hypertension).",
    )


class StaffPolicies(Section):
    """Policies a planner can test; each has a measurable effect in the simulation."""

    age_cap_years: int | None = Field(
        None,
        ge=17,
        le=100,
        description="Maximum KPPS age (55 in Pemilu 2024, facts §2.4; not confirmed for Pilkada "
        "2024, so none by default). Older candidates are replaced by the next drawn.",
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
        description="Comorbidity share of 40-year-olds after screening, rising with age like "
        "health.comorbidity_share (est.: screening for blood pressure, sugar and cholesterol "
        "removes most but not all at-risk workers).",
    )
    break_every_min: float | None = Field(
        None,
        ge=30,
        le=1440,
        description="Rotate each KPPS off for a break this often, staggered so breaks spread "
        "evenly (null: no planned breaks).",
    )
    break_length_min: float = Field(
        15.0, ge=1, le=240, description="Length of a planned break, minutes (1 to 240)."
    )
    reserve_workers: int = Field(
        0,
        ge=0,
        le=7,
        description="Extra trained workers at the TPS all day: they cover breaks and a worker "
        "who falls ill.",
    )
    replacement_delay_min: Minutes | None = Field(
        default_factory=lambda: Uniform(dist="uniform", low=60.0, high=180.0),
        description="Time for the PPS to send a replacement for a worker who falls ill, minutes; "
        "null = no replacement (est.).",
    )
    split_counting_shift: bool = Field(
        False,
        description="A fresh team of the same size takes over at the start of counting and the "
        "voting team goes home (costs a second set of honoraria).",
    )
    split_shift_wake: Clock = Field(
        360,
        description='When the fresh counting team woke after a normal night ("06:00", est.).',
    )


class Staff(Section):
    """KPPS at each TPS."""

    kpps_per_tps: int = Field(7, ge=1, le=20, description="KPPS per TPS (facts §2.1: 7).")
    kpps_without_stage: int = Field(
        1,
        ge=0,
        le=20,
        description="KPPS who do not staff a service stage: the chair, who calls voters and "
        "hands out ballots (facts §2.2).",
    )
    age_years: Years = Field(
        default_factory=lambda: Triangular(dist="triangular", low=17.0, mode=40.0, high=70.0),
        description="Age of KPPS recruits before any cap, years (est.: 17 minimum, facts §2.4; "
        "older community members were common before the 2024 cap — the 2019 deaths were "
        "mostly aged 46–67, facts §2.5 — so the pool reaches 70 with its mode at 40).",
    )
    sleep_before_h: Hours = Field(
        default_factory=lambda: Triangular(dist="triangular", low=3.0, mode=5.0, high=7.0),
        description="Hours slept the night before (est.: KPPS prepare the TPS late on H-1, "
        "DESIGN §1).",
    )
    awake_before_arrival_h: Hours = Field(
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
        if self.kpps_without_stage > self.kpps_per_tps:
            raise ValueError("kpps_without_stage cannot exceed kpps_per_tps")
        every = self.policies.break_every_min
        if every is not None and self.policies.break_length_min >= every:
            raise FieldError(
                ("policies", "break_length_min"),
                f"{self.policies.break_length_min:g} min breaks every {every:g} min leave no "
                "time to work; make breaks shorter than policies.break_every_min",
            )
        f = self.fatigue
        if not f.s_lower < f.s_upper:
            raise FieldError(
                ("fatigue", "s_lower"),
                f"{f.s_lower:g} must be below fatigue.s_upper ({f.s_upper:g}): S falls towards "
                "s_lower while awake and recovers towards s_upper during sleep",
            )
        return self
