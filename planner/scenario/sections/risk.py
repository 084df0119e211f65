"""TPS risk classes (Polri's vulnerability classes) and how much harm each class weighs."""

from __future__ import annotations

import math

from pydantic import Field, field_validator

from planner.scenario.sections.base import FieldError, Section

RISK_CLASSES: tuple[str, ...] = ("kurang_rawan", "rawan", "sangat_rawan", "khusus")
"""The contract identifiers of Polri's classes: low, vulnerable, very vulnerable, special."""


class RiskClass(Section):
    """One risk class: its share of TPS (for generated tables) and its harm weight."""

    share: float = Field(
        ge=0, le=1, description="Share of TPS in this class when TPS are generated."
    )
    weight: float = Field(
        gt=0,
        description="Harm weight per voter of a TPS in this class, relative to kurang_rawan = 1.",
    )


def _default_classes() -> dict[str, RiskClass]:
    # Shares: facts §7.4 (0.95 / 0.04 / 0.01 / ~0.005; kurang_rawan lowered to 0.945 so the
    # shares sum to 1). Weights (est.): proportional to the expected incident burden per voter,
    # from the incident multipliers in `incidents.class_rate_multiplier` (facts §7.5 notes
    # intimidation about ×5 at sangat rawan TPS); khusus (prisons, hospitals) between rawan and
    # sangat rawan because incidents there are rarer but harder to contain.
    return {
        "kurang_rawan": RiskClass(share=0.945, weight=1.0),
        "rawan": RiskClass(share=0.04, weight=2.5),
        "sangat_rawan": RiskClass(share=0.01, weight=5.0),
        "khusus": RiskClass(share=0.005, weight=3.0),
    }


class Risk(Section):
    """Risk classes of TPS and the weight of Bawaslu vulnerability indicators."""

    classes: dict[str, RiskClass] = Field(
        default_factory=_default_classes,
        description="Risk classes by identifier (kurang_rawan, rawan, sangat_rawan, khusus).",
    )
    indicator_weight: float = Field(
        0.1,
        ge=0,
        le=2,
        description="Each Bawaslu TPS-vulnerability indicator flagged in the TPS table column "
        "'indicators' raises the TPS's harm weight by this share (est.: Bawaslu maps up to 28 "
        "indicators per TPS, facts §4.3; ten flagged indicators double the weight).",
    )

    @field_validator("classes")
    @classmethod
    def _known_and_summing(cls, classes: dict[str, RiskClass]) -> dict[str, RiskClass]:
        for name in classes:
            if name not in RISK_CLASSES:
                raise FieldError(
                    name, f"unknown risk class {name!r}; allowed: {', '.join(RISK_CLASSES)}"
                )
        if not classes:
            raise ValueError("at least one risk class is needed")
        total = sum(c.share for c in classes.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"class shares must sum to 1, they sum to {total:.6g}")
        return classes
