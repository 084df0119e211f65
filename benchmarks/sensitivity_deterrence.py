"""Sensitivity: how the headline plan comparison moves across the deterrence strengths.

The headline comparison (issue 12) is Balikpapan's policy-default plan against the
minimum-budget plan — `planner optimise scenarios/balikpapan-2024.yaml --budget
polres=461360000 --budget kodim=0` (292 police instead of 488). The strengths with which
presence stops attempts are uncertain (security-effects §1: −8% to −75% across studies), so
this script runs that comparison with every human-made type's strengths at the low end, at
the catalogue's (central) values, and at the high end of their documented ranges
(`PresenceEffect` field descriptions, docs/model-incidents.md):

=========  ========  ======  ======  =============
level      stationed patrol  linmas  residual tau
=========  ========  ======  ======  =============
low        0.20      0.08    0.00    30 min
central    catalogue (per type)      60 min
high       0.75      0.73    0.30    120 min
=========  ========  ======  ======  =============

Displacement and detection stay at the catalogue's values (they are not deterrence
strengths). At every level the attempt rates are re-derived as `planner.sim.attempts` does
(recorded rate / share recorded under the policy-default presence of the bundled Kaltim
province), so the default plan reproduces the recorded rates at every level: the record pins
what happens under today's presence, and the strengths decide how much a thinner plan loses.

For each level it prints the paired difference (min − default) of ``incidents_total`` and
``sim_harm`` with its 95% interval over common random numbers. Run

    .venv/bin/python benchmarks/sensitivity_deterrence.py [--reps 10]

(about 45 s at -r 10 on one core). The table is in docs/calibration.md ("Sensitivity to the
deterrence strengths"). Not a test: it only reports.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from planner.experiment.compare import compare_plans
from planner.opt.api import optimise
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.attempts import RECORDED_RATE, recorded_share

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "balikpapan-2024.yaml"
PROVINCE = ROOT / "scenarios" / "kaltim-2024.yaml"
MIN_BUDGETS = {"polres": 461_360_000, "kodim": 0}
"""The least feasible police budget of Balikpapan (the amount optimise's infeasibility
message names) and no TNI money."""
LEVELS: dict[str, dict[str, float] | None] = {
    "low": {"stationed": 0.2, "patrol": 0.08, "linmas": 0.0, "tau": 30.0},
    "central": None,
    "high": {"stationed": 0.75, "patrol": 0.73, "linmas": 0.3, "tau": 120.0},
}
"""The ends of each strength's documented range (PresenceEffect descriptions); None: the
catalogue as it is."""
METRICS = ("incidents_total", "sim_harm")


def at_level(scenario: Scenario, level: dict[str, float] | None) -> Scenario:
    """The scenario with every human-made type's strengths (and the residual decay) at one
    end of their ranges; unchanged for the central level."""
    if level is None:
        return scenario
    inc = scenario.spec.incidents
    types = [
        t.model_copy(
            update={
                "presence": t.presence.model_copy(
                    update={k: level[k] for k in ("stationed", "patrol", "linmas")}
                )
            }
        )
        if t.presence is not None
        else t
        for t in inc.types
    ]
    det = inc.deterrence.model_copy(update={"residual_tau_min": level["tau"]})
    spec = scenario.spec.model_copy(
        update={"incidents": inc.model_copy(update={"types": types, "deterrence": det})}
    )
    return Scenario(spec=spec, tps=scenario.tps, path=scenario.path)


def with_rates(scenario: Scenario, rates: dict[str, float]) -> Scenario:
    """The scenario with the human-made types' attempt rates replaced."""
    inc = scenario.spec.incidents
    types = [
        t.model_copy(update={"rate_per_tps_day": rates[t.name]}) if t.name in rates else t
        for t in inc.types
    ]
    spec = scenario.spec.model_copy(update={"incidents": inc.model_copy(update={"types": types})})
    return Scenario(spec=spec, tps=scenario.tps, path=scenario.path)


def derived_rates(level: dict[str, float] | None) -> dict[str, float]:
    """Attempt rates that reproduce the recorded rates under the province's policy-default
    presence at this level (the derivation of `planner.sim.attempts`)."""
    province = at_level(load_scenario(PROVINCE), level)
    return {s.name: RECORDED_RATE[s.name][0] / s.share for s in recorded_share(province)}


def min_budget_plan(scenario: Scenario) -> Plan:
    """The plan `planner optimise --budget polres=461360000 --budget kodim=0` gives."""
    result = optimise(scenario, budgets=MIN_BUDGETS)
    if result.plan is None:
        raise SystemExit("the minimum-budget optimisation found no plan")
    return result.plan


Row = tuple[str, dict[str, float], dict[str, tuple[float, float, float, float]]]
"""A level's name, its attempt rates, and per metric (default mean, min − default, CI low,
CI high)."""


def run(reps: int) -> list[Row]:
    """Per level: the attempt rates used, and per metric the default's mean and the paired
    min − default difference with its 95% interval."""
    base = load_scenario(SCENARIO)
    plan = min_budget_plan(base)
    rows = []
    for name, level in LEVELS.items():
        rates = (
            {t.name: t.rate_per_tps_day for t in base.spec.incidents.types if t.presence}
            if level is None
            else derived_rates(level)
        )
        sc = with_rates(at_level(base, level), rates)
        result = compare_plans(sc, [None, plan], ["default", "min"], reps)
        out: dict[str, tuple[float, float, float, float]] = {}
        for metric in METRICS:
            d = result.difference(1, metric)
            series = result.series(0, metric)
            out[metric] = (sum(series) / len(series), d.mean, d.ci95_low, d.ci95_high)
        rows.append((name, rates, out))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10, help="paired replications per level")
    args = ap.parse_args()
    start = time.perf_counter()
    rows = run(args.reps)
    print(f"Balikpapan, default vs minimum-budget plan, {args.reps} paired replications per level")
    print(
        "| level | attempt rates (dispute / intimidation / vote buying / multiple voting) | "
        "incidents_total, default | min − default (95% CI) | sim_harm, default | "
        "min − default (95% CI) |"
    )
    print("|---|---|---|---|---|---|")
    for name, rates, out in rows:
        rate_text = " / ".join(f"{rates[k]:.2g}" for k in RECORDED_RATE)
        cells = []
        for metric in METRICS:
            mean0, diff, low, high = out[metric]
            cells.append(f"{mean0:,.1f} | {diff:+,.1f} ({low:+,.1f} to {high:+,.1f})")
        print(f"| {name} | {rate_text} | " + " | ".join(cells) + " |")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
