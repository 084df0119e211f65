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
    return {
        "scenario": spec.name,
        "election": spec.election.kind,
        "regions": list(tps.region_names),
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


def format_summary(s: dict[str, Any]) -> str:
    """Plain-text rendering of `summarise` for the terminal."""
    lines = [
        f"{s['scenario']}  ({s['election']})",
        f"  kecamatan {s['kecamatan']}, villages {s['villages']}, TPS {s['tps']:,}, "
        f"voters {s['voters']:,} (max {s['voters_per_tps_max']} per TPS)",
        f"  ballots needed with reserve: {s['ballots_needed']:,}; expected turnout "
        f"{s['expected_turnout']:.0%}",
        "  TPS by risk class: " + ", ".join(f"{k} {v}" for k, v in s["tps_by_class"].items()),
        "  policy-default plan:",
        f"    {'agency':<10}{'personnel':>10}{'available':>11}{'cost (Rp)':>18}",
    ]
    plan = s["default_plan"]
    for agency, n in plan["personnel"].items():
        avail = plan["available"][agency]
        lines.append(
            f"    {agency:<10}{n:>10,}{'-' if avail is None else f'{avail:,}':>11}"
            f"{plan['cost_idr'][agency]:>18,}"
        )
    for line, cost in plan["cost_by_budget_line_idr"].items():
        budget = plan["budget_idr"].get(line)
        limit = "unlimited" if budget is None else f"Rp {budget:,}"
        lines.append(f"    budget {line}: Rp {cost:,} of {limit}")
    return "\n".join(lines)
