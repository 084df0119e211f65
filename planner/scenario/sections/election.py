"""The election being run and the polling-day timetable."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from planner.scenario.clock import Clock, format_clock
from planner.scenario.sections.base import FieldError, Section

ELECTION_DEFAULTS: dict[str, dict[str, float]] = {
    # facts §1.2 (cap), §5.4 (ballot types), §5.3 (reserve rule)
    "pilkada": {
        "ballots": 2,
        "ballot_reserve": 0.025,
        "max_voters_per_tps": 600,
        "booths_per_tps": 2,
    },
    "pemilu": {
        "ballots": 5,
        "ballot_reserve": 0.02,
        "max_voters_per_tps": 300,
        "booths_per_tps": 4,
    },
}


class Election(Section):
    """Which election: Pilkada (regional, 2 ballots, ≤ 600 voters per TPS) or Pemilu (general,
    5 ballots, ≤ 300 voters per TPS). Unset values follow the kind."""

    kind: Literal["pilkada", "pemilu"] = Field(
        "pilkada", description="Election kind; sets the defaults of the other fields."
    )
    ballots: int = Field(
        2,
        ge=1,
        le=5,
        description="Ballot papers per voter: 2 in Pilkada (governor + regent/mayor), 5 in "
        "Pemilu (facts §5.4).",
    )
    ballot_reserve: float = Field(
        0.025,
        ge=0,
        le=0.5,
        description="Reserve ballots per TPS as a share of its DPT, rounded up: 2.5% in Pilkada "
        "2024, 2% in Pemilu 2024 (facts §5.3).",
    )
    max_voters_per_tps: int = Field(
        600,
        ge=1,
        le=1000,
        description="Cap on DPT voters per TPS: 600 in Pilkada, 300 in Pemilu (facts §1.2).",
    )

    booths_per_tps: int = Field(
        2,
        ge=1,
        le=10,
        description="Voting booths per TPS unless the TPS table says otherwise: 2 in Pilkada "
        "2024, 4 in Pemilu 2019 (facts §6).",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_by_kind(cls, data: Any) -> Any:
        if isinstance(data, dict):
            kind = data.get("kind", "pilkada")
            defaults = ELECTION_DEFAULTS.get(kind) if isinstance(kind, str) else None
            if defaults:
                return {**defaults, **data}
        return data


class Day(Section):
    """The polling-day timetable, in local time (WITA in Kalimantan)."""

    staff_arrive: Clock = Field(360, description='KPPS arrive at the TPS ("06:00", facts §2.3).')
    open: Clock = Field(420, description='Voting opens ("07:00", PKPU 17/2024, facts §2.3).')
    close: Clock = Field(
        780,
        description='Voting closes ("13:00"); voters already queuing still vote (facts §2.3).',
    )
    dpk_from: Clock = Field(
        720,
        description="Voters not on any list (DPK) may vote from this time while reserve "
        'ballots last ("12:00", facts §2.3).',
    )
    count_deadline: Clock = Field(
        2160,
        description="Counting must end by this time: the same day plus at most 12 hours "
        '("H+1 12:00", PKPU 25/2023 art. 49, facts §2.3).',
    )

    @model_validator(mode="after")
    def _ordered(self) -> Day:
        f = format_clock
        if not self.staff_arrive <= self.open:
            raise FieldError(
                "staff_arrive",
                f"{f(self.staff_arrive)} is after open ({f(self.open)}); staff arrive at or "
                "before opening",
            )
        if not self.open < self.close:
            raise FieldError(
                "close", f"{f(self.close)} is not after open ({f(self.open)}); close after open"
            )
        if not self.open <= self.dpk_from <= self.close:
            raise FieldError(
                "dpk_from",
                f"{f(self.dpk_from)} is outside voting hours; give a time between open "
                f"({f(self.open)}) and close ({f(self.close)})",
            )
        if not self.close < self.count_deadline:
            raise FieldError(
                "count_deadline",
                f"{f(self.count_deadline)} is not after close ({f(self.close)}); e.g. "
                '"H+1 12:00"',
            )
        return self
