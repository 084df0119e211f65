"""Attempt rates of human-made incident types from the rates the record shows.

Bawaslu counts the problems that were *found*, at TPS that had the presence of the day (the
policy-default patterns). With deterrence in the model a type's ``rate_per_tps_day`` is the
rate of *attempts*, so the catalogue's rates are the recorded rates divided by the share of
attempts that end up recorded under that presence (`recorded_share`: they go ahead, at home
or displaced, and are caught at once or found at counting). The share is measured on the
bundled Kaltim province (6,274 TPS of five regencies and cities, every risk class) with its
policy-default plan. Run

    python -m planner.sim.attempts

to print the table in docs/calibration.md ("Attempt rates"). The share is measured at a
high attempt rate (`MEASURE_RATE`) so that its standard error is small; it does not depend
on the rate (attempts are independent of each other).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from planner.scenario.load import load_scenario
from planner.scenario.plan import default_plan
from planner.scenario.resolved import Scenario
from planner.sim.deterrence import apply_deterrence
from planner.sim.incidents import draw_incidents

MEASURE_RATE = 0.2
"""Attempt rate per TPS-day of each type while measuring its recorded share: many attempts,
a small error, and a table that does not depend on the catalogue's current rates."""
REPLICATIONS = 20
RECORDED_RATE: dict[str, tuple[float, str]] = {
    "dispute": (0.01, "est. about 1% of TPS (facts §5.1, §4.2)"),
    "intimidation": (
        0.0002,
        "87 of 435,296 TPS, intimidation of organisers, Pilkada 2024 (security-effects §4)",
    ),
    "vote_buying": (0.005, "0.5% of TPS (facts §7.5, §4.3)"),
    "multiple_voting": (0.003, "2,413 of ~820k TPS, Pemilu 2024 (facts §5.1)"),
}
"""The recorded rate per TPS-day of each human-made type, and its source."""


@dataclass(frozen=True)
class RecordedShare:
    """Of one type's attempts under the policy-default presence: how many were made, the
    share recorded, and its standard error."""

    name: str
    attempts: int
    share: float
    se: float


def recorded_share(scenario: Scenario, replications: int = REPLICATIONS) -> list[RecordedShare]:
    """The share of attempts recorded (caught at once or found at counting) per human-made
    type under the scenario's policy-default plan, at `MEASURE_RATE` attempts per TPS-day."""
    inc = scenario.spec.incidents
    types = [
        t.model_copy(update={"rate_per_tps_day": MEASURE_RATE})
        if t.presence is not None
        else t
        for t in inc.types
    ]
    spec = scenario.spec.model_copy(update={"incidents": inc.model_copy(update={"types": types})})
    scaled = Scenario(spec=spec, tps=scenario.tps, path=scenario.path)
    plan = default_plan(scaled)
    made: dict[str, int] = {}
    kept: dict[str, int] = {}
    for rep in range(replications):
        attempts = draw_incidents(scaled, scaled.seed, rep)
        _, result = apply_deterrence(scaled, plan, attempts, scaled.seed, rep)
        if result is None:
            return []
        for name, c in result.by_type.items():
            made[name] = made.get(name, 0) + c["attempted"]
            kept[name] = kept.get(name, 0) + c["caught"] + c["found_later"]
    out = []
    for name, n in made.items():
        g = kept[name] / n if n else math.nan
        out.append(RecordedShare(name, n, g, math.sqrt(g * (1 - g) / n) if n else math.nan))
    return out


def table(shares: list[RecordedShare]) -> str:
    """The Markdown table of docs/calibration.md: recorded rate, share, attempt rate."""
    lines = [
        "| type | recorded rate (source) | attempts measured | recorded share ± SE | "
        "attempt rate |",
        "|---|---|---|---|---|",
    ]
    for s in shares:
        rate, source = RECORDED_RATE[s.name]
        lines.append(
            f"| {s.name} | {rate:g} ({source}) | {s.attempts:,} | {s.share:.3f} ± {s.se:.3f} | "
            f"{_rate(rate / s.share)} |"
        )
    return "\n".join(lines)


def _rate(x: float) -> str:
    """Four decimals, or two significant figures below 0.001 (so no rate prints as 0.0003)."""
    return f"{x:.4f}" if x >= 0.001 else f"{x:.2g}"


def main() -> None:  # pragma: no cover - a documentation script
    scenario = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "kaltim-2024.yaml")
    print(table(recorded_share(scenario)))


if __name__ == "__main__":  # pragma: no cover
    main()
