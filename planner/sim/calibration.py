"""Calibration against the record: KPPS illness and deaths in three elections, count finish.

Three scenario variants stand for a typical TPS of each election (docs/calibration.md):

* **Pemilu 2019** — 5 ballots, 238 voters per TPS (192.77 M / 811,118 TPS, facts §1.1),
  4 booths (facts §6), no age cap and no health screening (facts §2.4).
* **Pemilu 2024** — 5 ballots, 249 voters per TPS (204.8 M / 823,220, facts §1.1), 4 booths,
  KPPS aged ≤ 55 with health screening (facts §2.4).
* **Pilkada 2024** — 2 ballots, 466 voters per TPS (203 M / 435,296, facts §1.1), 2 booths,
  screening (facts §2.4), no confirmed age cap.

Everything else — arrivals, service times apart from the booth, KPPS sleep and fatigue, the
health model — is the same for all three: one shared parameter set. The health parameters
that the record cannot pin down from the literature (the base hazard, its rise per point
of fatigue, the severe share) are chosen once by `fit`: the base hazard and the severe share
scale all variants alike and are set to the geometric-mean ratio; the fatigue slope is the
grid value that best matches the three elections' ratios. Run

    python -m planner.sim.calibration

to print the table in docs/calibration.md (expected rates: sums of event probabilities, so
rare events need no huge replication counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planner.scenario.clock import format_clock
from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.resolved import Scenario
from planner.sim.day import simulate_day
from planner.sim.metrics import replication_result

PEMILU_SECONDS_PER_PAPER = 29.0
"""Mean counting time per ballot paper in a Pemilu: two quick ballots (president, DPD; 12 s
like a Pilkada paper) and three legislative ones at the upper end of 30–40 s (facts §7.3):
(2·12 + 3·40)/5 ≈ 29 s. The record's 10–11 h count (facts §5.5) for about 1,000 papers
(238 voters × 82% × 5) implies about 35 s per paper including tiredness."""

PEMILU_BOOTH_MIN = 3.5
"""Booth time with five ballots (facts §7.2 booth_time_pemilu)."""


@dataclass(frozen=True)
class Variant:
    """One election as a scenario variant and its record."""

    name: str
    data: dict[str, Any]
    ill_per_100k: float
    dead_per_100k: float
    finish_reference: str


def _stages(booth_min: float) -> list[dict[str, Any]]:
    return [
        {
            "name": "check_in",
            "servers": 2,
            "kpps_per_server": 2,
            "service_min": {"dist": "lognormal", "mean": 1.0, "cv": 0.5},
        },
        {
            "name": "booth",
            "servers": "booths",
            "fatigue_applies": False,
            "service_min": {"dist": "lognormal", "mean": booth_min, "cv": 0.4},
        },
        {
            "name": "box_ink",
            "servers": 1,
            "kpps_per_server": 2,
            "service_min": {"dist": "lognormal", "mean": 0.3, "cv": 0.5},
        },
    ]


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "Pemilu 2019",
        {
            "election": {"kind": "pemilu"},
            "voters_per_tps": 238,
            "voters": {"turnout": 0.82, "stages": _stages(PEMILU_BOOTH_MIN)},
            "counting": {"seconds_per_ballot": PEMILU_SECONDS_PER_PAPER},
            "staff": {"policies": {"screening": False, "age_cap_years": None}},
        },
        194.0,
        8.6,
        "counting to 23:00–00:30, results signed 02:00–04:30 (facts §5.5)",
    ),
    Variant(
        "Pemilu 2024",
        {
            "election": {"kind": "pemilu"},
            "voters_per_tps": 249,
            "voters": {"turnout": 0.818, "stages": _stages(PEMILU_BOOTH_MIN)},
            "counting": {"seconds_per_ballot": PEMILU_SECONDS_PER_PAPER},
            "staff": {"policies": {"screening": True, "age_cap_years": 55}},
        },
        75.0,
        1.3,
        "counting to 23:00–00:30, results signed 02:00–04:30 (facts §2.3, §5.5)",
    ),
    Variant(
        "Pilkada 2024",
        {
            "election": {"kind": "pilkada"},
            "voters_per_tps": 466,
            "voters": {"turnout": 0.71},
            "staff": {"policies": {"screening": True, "age_cap_years": None}},
        },
        4.0,
        0.2,
        "about 20:00 (estimate, facts §7.3); slowest Balikpapan TPS by 02:00 (facts §2.3)",
    ),
)


def variant_scenario(
    variant: Variant, tps: int = 200, health: dict[str, float] | None = None
) -> Scenario:
    """The variant as a region of `tps` identical-size TPS (incidents and logistics off)."""
    data = {k: v for k, v in variant.data.items() if k != "voters_per_tps"}
    per_tps = int(variant.data["voters_per_tps"])
    staff = dict(data.get("staff", {}))
    if health:
        staff["health"] = dict(health)
    data["staff"] = staff
    spec = validate_spec(
        {
            "name": variant.name,
            "seed": 2024,
            "region": {
                "name": variant.name,
                "districts": [{"name": "D", "villages": 10, "tps": tps, "voters": per_tps * tps}],
            },
            "incidents": {"enabled": False},
            "logistics": {"enabled": False},
            **data,
        }
    )
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


@dataclass
class VariantResult:
    """Simulated figures of one variant (means over replications)."""

    variant: Variant
    ill_per_100k: float
    severe_per_100k: float
    finish_mean_min: float
    finish_p95_min: float
    papers_done_mean_min: float
    fatigue_peak: float
    duty_hours: float
    turnout: float


def evaluate(
    health: dict[str, float] | None = None, tps: int = 200, replications: int = 2, seed: int = 1
) -> list[VariantResult]:
    """Simulate every variant with the given health parameters (others: defaults)."""
    out: list[VariantResult] = []
    for v in VARIANTS:
        sc = variant_scenario(v, tps, health)
        rows = []
        papers = []
        for r in range(replications):
            day = simulate_day(sc, seed, r)
            rows.append(replication_result(day).scalars)
            papers.append(float(np.mean(day.counting.papers_done_min)))

        def mean(k: str, rows: list[dict[str, float]] = rows) -> float:
            return float(np.mean([x[k] for x in rows]))

        out.append(
            VariantResult(
                v,
                mean("staff_ill_per_100k"),
                mean("staff_severe_per_100k"),
                mean("count_finish_mean_clock_min"),
                mean("count_finish_p95_clock_min"),
                float(np.mean(papers)),
                mean("fatigue_peak"),
                mean("kpps_duty_hours_mean"),
                mean("turnout"),
            )
        )
    return out


def log_error(results: list[VariantResult], which: str) -> list[float]:
    """log(simulated / reference) per variant for 'ill' or 'dead'."""
    errs = []
    for r in results:
        sim = r.ill_per_100k if which == "ill" else r.severe_per_100k
        ref = r.variant.ill_per_100k if which == "ill" else r.variant.dead_per_100k
        errs.append(math.log(sim / ref))
    return errs


def fit(
    fatigue_slopes: tuple[float, ...] = (0.6, 0.65, 0.7, 0.75, 0.8),
    age_slopes: tuple[float, ...] = (0.7, 0.8, 0.9, 1.0, 1.1),
    tps: int = 200,
    replications: int = 2,
) -> tuple[dict[str, float], float]:
    """Choose the health parameters once for all three elections; (parameters, loss).

    For each grid point of the fatigue slope and the age slope (the severe share rises with
    age at the same rate as the hazard: deaths are the severe end of the same events) the
    base hazard and the severe share only scale every variant alike, so they are set to
    match the geometric mean; the loss is the sum of squared log errors left over, for
    illness and deaths together.
    """
    from planner.scenario.sections.staff import Health

    h = Health()
    best: tuple[float, dict[str, float]] | None = None
    for slope in fatigue_slopes:
        for age in age_slopes:
            trial = {
                "base_ill_per_100k_h": h.base_ill_per_100k_h,
                "fatigue_hazard_per_point": slope,
                "age_hazard_per_decade": age,
                "severe_age_per_decade": age,
                "severe_share": h.severe_share,
            }
            results = evaluate(trial, tps, replications)
            ill = np.array(log_error(results, "ill"))
            dead = np.array(log_error(results, "dead"))
            loss = float(((ill - ill.mean()) ** 2).sum() + ((dead - dead.mean()) ** 2).sum())
            trial["base_ill_per_100k_h"] = h.base_ill_per_100k_h * math.exp(-ill.mean())
            trial["severe_share"] = h.severe_share * math.exp(ill.mean() - dead.mean())
            if best is None or loss < best[0]:
                best = (loss, trial)
    assert best is not None
    return best[1], best[0]


def table(results: list[VariantResult]) -> str:
    """The calibration table as Markdown."""
    lines = [
        "| Election | ill / 100k (sim) | ill (record) | ratio | dead / 100k (sim) | dead (record) "
        "| ratio | count finish mean / p95 (sim) | record |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        v = r.variant
        lines.append(
            f"| {v.name} | {r.ill_per_100k:.1f} | {v.ill_per_100k:g} | "
            f"×{r.ill_per_100k / v.ill_per_100k:.2f} | {r.severe_per_100k:.2f} | "
            f"{v.dead_per_100k:g} | ×{r.severe_per_100k / v.dead_per_100k:.2f} | "
            f"{format_clock(r.finish_mean_min)} / {format_clock(r.finish_p95_min)} | "
            f"{v.finish_reference} |"
        )
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - a documentation script
    """Print the calibration table with the current defaults (``--fit``: search first)."""
    import sys

    if "--fit" in sys.argv:
        params, loss = fit()
        print(f"fitted: {params} (loss {loss:.4f})")
    results = evaluate(tps=300, replications=3)
    print(table(results))
    for r in results:
        print(
            f"{r.variant.name}: papers counted by {format_clock(r.papers_done_mean_min)}, "
            f"fatigue peak {r.fatigue_peak:.2f}, duty {r.duty_hours:.1f} h, "
            f"turnout {r.turnout:.3f}"
        )


if __name__ == "__main__":  # pragma: no cover
    main()
