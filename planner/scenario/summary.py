"""A compact summary of a resolved scenario (what `planner validate` prints)."""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.scenario.costing import cost_by_agency, cost_by_budget_line, personnel_by_agency
from planner.scenario.plan import default_plan
from planner.scenario.resolved import Scenario


def summarise(scenario: Scenario) -> dict[str, Any]:
    """Kecamatan, villages, TPS by class, voters, ballots with reserve, and the personnel and
    cost per agency of the policy-default plan against budgets."""
    tps = scenario.tps
    spec = scenario.spec
    plan = default_plan(scenario)
    personnel = personnel_by_agency(scenario, plan)
    costs = cost_by_agency(scenario, personnel)
    by_line = cost_by_budget_line(scenario, costs)
    sec = spec.security
    districts = []
    for d, name in enumerate(tps.district_names):
        mask = tps.district == d
        districts.append(
            {
                "district": name,
                "villages": int((tps.village_district == d).sum()),
                "tps": int(mask.sum()),
                "voters": int(tps.voters[mask].sum()),
            }
        )
    regions = []
    for r, name in enumerate(tps.region_names):
        mask = tps.region == r
        regions.append(
            {
                "region": name,
                "kecamatan": int((tps.district_region == r).sum()),
                "villages": int((tps.district_region[tps.village_district] == r).sum()),
                "tps": int(mask.sum()),
                "voters": int(tps.voters[mask].sum()),
            }
        )
    return {
        "scenario": spec.name,
        "election": spec.election.kind,
        "seed": spec.seed,
        "regions": list(tps.region_names),
        "region_totals": regions,
        "districts": districts,
        "kecamatan": len(tps.district_names),
        "villages": len(tps.village_names),
        "tps": len(tps),
        "tps_by_class": tps.count_by_class(),
        "voters": int(tps.voters.sum()),
        "voters_per_tps_max": int(tps.voters.max()),
        "ballots_needed": int(scenario.ballots_needed().sum()),
        "expected_turnout": float(
            np.round((scenario.turnout_by_tps() * tps.voters).sum() / tps.voters.sum(), 4)
        ),
        "default_plan": {
            "personnel": personnel,
            "available": {a: sec.agencies[a].available_total for a in sec.agencies},
            "cost_idr": costs,
            "cost_by_budget_line_idr": by_line,
            "budget_idr": dict(sec.budgets_idr),
        },
    }


MAX_DISTRICT_ROWS = 25
"""`format_summary` lists kecamatan one per line up to this many, else regions."""


def format_summary(s: dict[str, Any]) -> str:
    """Plain-text rendering of `summarise` for the terminal."""
    lines = [
        f"{s['scenario']}  ({s['election']}, seed {s['seed']})",
        f"  kecamatan {s['kecamatan']:,}, villages {s['villages']:,}, TPS {s['tps']:,}, "
        f"voters {s['voters']:,} (max {s['voters_per_tps_max']} per TPS)",
        f"  ballots needed with reserve: {s['ballots_needed']:,}; expected turnout "
        f"{s['expected_turnout']:.0%}",
        "  TPS by risk class: " + ", ".join(f"{k} {v}" for k, v in s["tps_by_class"].items()),
    ]
    if len(s["districts"]) <= MAX_DISTRICT_ROWS:
        lines.append(f"    {'kecamatan':<28}{'villages':>9}{'TPS':>7}{'voters':>11}")
        for d in s["districts"]:
            lines.append(
                f"    {d['district']:<28}{d['villages']:>9,}{d['tps']:>7,}{d['voters']:>11,}"
            )
    else:
        lines.append(
            f"    {'region':<28}{'kecamatan':>10}{'villages':>9}{'TPS':>7}{'voters':>11}"
        )
        for r in s["region_totals"]:
            lines.append(
                f"    {r['region']:<28}{r['kecamatan']:>10,}{r['villages']:>9,}{r['tps']:>7,}"
                f"{r['voters']:>11,}"
            )
    lines += [
        "  policy-default plan (each class's standard pattern, minimum reserve teams):",
        f"    {'agency':<10}{'personnel':>10}{'available':>11}{'cost (Rp)':>18}",
    ]
    plan = s["default_plan"]
    for agency, n in plan["personnel"].items():
        avail = plan["available"][agency]
        note = f"  over availability by {n - avail:,}" if avail is not None and n > avail else ""
        lines.append(
            f"    {agency:<10}{n:>10,}{'-' if avail is None else f'{avail:,}':>11}"
            f"{plan['cost_idr'][agency]:>18,}{note}"
        )
    for line, cost in plan["cost_by_budget_line_idr"].items():
        budget = plan["budget_idr"].get(line)
        if budget is None:
            limit = "unlimited"
        else:
            share = f" ({cost / budget:.0%})" if budget else ""
            limit = f"Rp {budget:,}{share}" + ("  OVER BUDGET" if cost > budget else "")
        lines.append(f"    budget {line}: Rp {cost:,} of {limit}")
    return "\n".join(lines)
