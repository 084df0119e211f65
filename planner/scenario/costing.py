"""Personnel and cost of a plan, by the scenario's rules (the reference arithmetic).

TPS share a police team within a group: their village, or their kecamatan when the village
has fewer than `security.min_village_tps` TPS (or when `security.grouping` is "district").
A pattern shared by k TPS needs ceil(TPS on that pattern in the group / k) teams.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario


def sharing_groups(scenario: Scenario) -> np.ndarray:
    """Group code per TPS: villages ≥ min_village_tps keep their own group, the rest pool by
    kecamatan. Codes 0..V-1 are villages, V + d is the pool of kecamatan d."""
    tps = scenario.tps
    sec = scenario.spec.security
    n_villages = len(tps.village_names)
    if sec.grouping == "district":
        return n_villages + tps.district
    size = np.bincount(tps.village, minlength=n_villages)
    small = size[tps.village] < sec.min_village_tps
    return np.where(small, n_villages + tps.district, tps.village)


def personnel_by_agency(scenario: Scenario, plan: Plan) -> dict[str, int]:
    """Whole persons each agency deploys under the plan: TPS posts, shared teams, reserves."""
    sec = scenario.spec.security
    groups = sharing_groups(scenario)
    totals: Counter[str] = Counter({a: 0 for a in sec.agencies})
    per_group: Counter[tuple[int, str]] = Counter()
    for g, name in zip(groups.tolist(), plan.patterns, strict=True):
        per_group[(g, name)] += 1
    for (_, name), count in per_group.items():
        pattern = sec.pattern(name)
        for agency, n in pattern.per_tps.items():
            totals[agency] += n * count
        teams = math.ceil(count / pattern.tps_per_team)
        for agency, n in pattern.team.items():
            totals[agency] += n * teams
    sizes = {r.agency: r.team_size for r in sec.reserves}
    for (_, agency), teams in plan.reserves.items():
        totals[agency] += teams * sizes.get(agency, 0)
    return dict(totals)


def cost_by_agency(scenario: Scenario, personnel: dict[str, int]) -> dict[str, int]:
    """Rupiah cost of each agency's personnel."""
    sec = scenario.spec.security
    return {a: personnel.get(a, 0) * sec.agencies[a].cost_per_person_idr() for a in sec.agencies}


def cost_by_budget_line(scenario: Scenario, costs: dict[str, int]) -> dict[str, int]:
    """Rupiah charged to each budget line (agencies without a line are not charged)."""
    sec = scenario.spec.security
    lines = {line: 0 for line in sec.budgets_idr}
    for agency, cost in costs.items():
        line = sec.agencies[agency].budget_line
        if line is not None:
            lines[line] += cost
    return lines
