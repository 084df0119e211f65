"""The plan checker: the executable specification of the deployment problem.

Given an `Instance` and a plan (a pattern per TPS and reserve teams per kecamatan), it
recomputes personnel, cost and the objective from scratch, per TPS, without any of the
optimiser's aggregation, and lists every rule the plan breaks. Every plan the optimiser
writes passes through here first; the policy-default baseline is scored here too.

Rules (one violation message each):

- policy: every TPS uses a pattern its risk class allows;
- reserves: teams per kecamatan and reserve type within [min_per_district, max_per_district];
- budgets: cost charged to each budget line ≤ its budget; the sum over lines ≤ the total
  budget;
- availability: personnel per agency ≤ available_total, and per (agency, kecamatan) ≤
  available_per_district.

Personnel follow the reference arithmetic (`planner.scenario.costing`): per sharing group
and pattern, ``count × per_tps + ceil(count / tps_per_team) × team``, plus reserve teams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.opt.instance import Instance, IntArray
from planner.scenario.plan import Plan


@dataclass(frozen=True)
class Assignment:
    """A plan in instance indices: pattern per TPS and reserve teams per (reserve, kecamatan)."""

    pattern: IntArray
    """Pattern index per TPS."""
    reserves: IntArray
    """Teams per (reserve type, kecamatan), shape (reserve types, kecamatan)."""


@dataclass(frozen=True)
class Evaluation:
    """What a plan costs and achieves, and every rule it breaks."""

    violations: tuple[str, ...]
    objective: int
    """Residual harm after reserves (units: `Resolution.objective_scale` per weighted voter)."""
    harm_district: IntArray
    """Residual harm before reserves per kecamatan, Σ w_i r_i (units weight × harm scale)."""
    objective_district: IntArray
    """Objective per kecamatan (objective units)."""
    personnel: IntArray
    """Persons per agency."""
    personnel_district: IntArray
    """Persons per (agency, kecamatan)."""
    cost_idr: IntArray
    """Rupiah per agency."""
    cost_line_idr: IntArray
    """Rupiah per budget line."""

    @property
    def feasible(self) -> bool:
        """True when the plan breaks no rule."""
        return not self.violations

    @property
    def cost_total_idr(self) -> int:
        """Rupiah over all agencies (including those paid outside the budget lines)."""
        return int(self.cost_idr.sum())


def assignment_from_plan(instance: Instance, plan: Plan) -> Assignment:
    """The plan in instance indices; unknown patterns or reserve keys raise ValueError."""
    if len(plan.patterns) != instance.n_tps:
        raise ValueError(f"plan has {len(plan.patterns)} TPS, the instance {instance.n_tps}")
    index = {name: p for p, name in enumerate(instance.pattern_names)}
    pattern = np.array([index[name] for name in plan.patterns], dtype=np.int64)
    reserves = np.zeros((len(instance.reserves), len(instance.district_names)), dtype=np.int64)
    by_agency = {instance.agency_names[r.agency]: j for j, r in enumerate(instance.reserves)}
    for (district, agency), teams in plan.reserves.items():
        if agency not in by_agency:
            if teams:
                raise ValueError(f"plan keeps reserve teams of {agency!r}, which has no reserve")
            continue
        reserves[by_agency[agency], instance.district_names.index(district)] = teams
    return Assignment(pattern=pattern, reserves=reserves)


def plan_from_assignment(instance: Instance, assignment: Assignment, label: str) -> Plan:
    """A `Plan` (pattern names, reserves keyed by kecamatan and agency) from indices."""
    names = instance.pattern_names
    reserves = {
        (instance.district_names[d], instance.agency_names[r.agency]): int(
            assignment.reserves[j, d]
        )
        for j, r in enumerate(instance.reserves)
        for d in range(len(instance.district_names))
    }
    return Plan(
        patterns=tuple(names[p] for p in assignment.pattern.tolist()),
        reserves=reserves,
        label=label,
    )


def evaluate(instance: Instance, assignment: Assignment) -> Evaluation:
    """Recompute personnel, cost and objective of a plan and list the rules it breaks."""
    inst = instance
    n_p = len(inst.pattern_names)
    n_a = len(inst.agency_names)
    n_d = len(inst.district_names)
    pattern = assignment.pattern
    violations: list[str] = []

    # Policy.
    bad = ~inst.allowed[inst.tps_class, pattern]
    for i in np.flatnonzero(bad)[:5].tolist():
        c = int(inst.tps_class[i])
        violations.append(
            f"policy: TPS {inst.tps_id[i]} ({inst.class_names[c]}) uses pattern "
            f"{inst.pattern_names[pattern[i]]}, which its class does not allow"
        )
    if int(bad.sum()) > 5:
        violations.append(f"policy: {int(bad.sum()) - 5} more TPS use patterns not allowed")

    # Reserves.
    for j, r in enumerate(inst.reserves):
        agency = inst.agency_names[r.agency]
        for d in range(n_d):
            kept = int(assignment.reserves[j, d])
            if not r.min_per_district <= kept <= r.max_per_district:
                violations.append(
                    f"reserves: {inst.district_names[d]} keeps {kept} {agency} reserve teams, "
                    f"allowed {r.min_per_district}–{r.max_per_district}"
                )

    # Personnel: TPS posts and shared teams per (group, pattern), then reserves.
    counts = np.bincount(inst.tps_group * n_p + pattern, minlength=inst.n_groups * n_p).reshape(
        inst.n_groups, n_p
    )
    teams = -(-counts // inst.pattern_tps_per_team[None, :])
    by_group = counts @ inst.pattern_per_tps + teams @ inst.pattern_team  # (groups, agencies)
    personnel_district = np.zeros((n_d, n_a), dtype=np.int64)
    np.add.at(personnel_district, inst.group_district, by_group)
    personnel_district = personnel_district.T.copy()
    for j, r in enumerate(inst.reserves):
        personnel_district[r.agency] += assignment.reserves[j] * r.team_size
    personnel = personnel_district.sum(axis=1)

    # Money.
    cost = personnel * inst.agency_cost_idr
    cost_line = np.zeros(len(inst.line_names), dtype=np.int64)
    for a in range(n_a):
        if inst.agency_line[a] >= 0:
            cost_line[inst.agency_line[a]] += cost[a]
    for b, name in enumerate(inst.line_names):
        budget = int(inst.line_budget_idr[b])
        if budget >= 0 and cost_line[b] > budget:
            violations.append(
                f"budget: line {name} ({_payers(inst, b)}) costs Rp {int(cost_line[b]):,}, "
                f"over its budget Rp {budget:,} by Rp {int(cost_line[b]) - budget:,}"
            )
    if inst.total_budget_idr is not None and int(cost_line.sum()) > inst.total_budget_idr:
        violations.append(
            f"budget: all lines together cost Rp {int(cost_line.sum()):,}, over the total "
            f"budget Rp {inst.total_budget_idr:,}"
        )

    # Availability.
    for a, name in enumerate(inst.agency_names):
        limit = int(inst.available_total[a])
        if limit >= 0 and personnel[a] > limit:
            violations.append(
                f"availability: {name} needs {int(personnel[a]):,} persons, {limit:,} available"
            )
    for (a, d), limit in sorted(inst.available_district.items()):
        if personnel_district[a, d] > limit:
            violations.append(
                f"availability: {inst.agency_names[a]} in {inst.district_names[d]} needs "
                f"{int(personnel_district[a, d]):,} persons, {limit:,} available"
            )

    # Objective: Σ_d (R H_d − ρ_d B_d), H_d = Σ_{i in d} w_i r_i, ρ_d = reductions kept in d,
    # B_d the default plan's H_d or (reserve_base "plan") H_d itself.
    harm_tps = inst.tps_weight * inst.residual[inst.tps_class, pattern]
    harm_district = np.zeros(n_d, dtype=np.int64)
    np.add.at(harm_district, inst.tps_district, harm_tps)
    reduction = np.zeros(n_d, dtype=np.int64)
    for j, r in enumerate(inst.reserves):
        prefix = np.concatenate([[0], np.cumsum(r.reduction)]).astype(np.int64)
        teams_kept = np.clip(assignment.reserves[j], 0, len(r.reduction))
        reduction += prefix[teams_kept]
    base = harm_district if inst.reserve_base is None else inst.reserve_base
    objective_district = inst.resolution.reduction_scale * harm_district - reduction * base
    return Evaluation(
        violations=tuple(violations),
        objective=int(objective_district.sum()),
        harm_district=harm_district,
        objective_district=objective_district,
        personnel=personnel.astype(np.int64),
        personnel_district=personnel_district,
        cost_idr=cost.astype(np.int64),
        cost_line_idr=cost_line,
    )


def check_plan(instance: Instance, plan: Plan) -> Evaluation:
    """Evaluate a `Plan` (by pattern names) against the instance."""
    return evaluate(instance, assignment_from_plan(instance, plan))


def _payers(instance: Instance, line: int) -> str:
    pairs = zip(instance.agency_names, instance.agency_line.tolist(), strict=True)
    names = [a for a, b in pairs if b == line]
    return ", ".join(names) or "no agency"
