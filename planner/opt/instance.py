"""The optimiser's instance: a scenario turned into integer-scaled, solver-independent data.

CP-SAT has no floating-point numbers, so every float of the problem is scaled to an integer
once, here, with a stated resolution (`Resolution`); the model (`planner.opt.model`), the
checker (`planner.opt.check`) and the naive reference model all read the same integers, so
"optimal" means optimal for exactly the objective the checker recomputes.

Units and resolution (defaults):

- harm weight of TPS i: ``w_i = class weight × voters × (1 + indicator_weight ×
  indicators)`` in *weighted voters*, stored as ``round(w_i × 100)`` (0.01 weighted voter);
- residual harm of a pattern for a class: share in (0, 1] stored as ``round(share × 1000)``
  (0.001, the precision of the catalogue's shares, so the defaults are exact);
- reserve harm reduction per team: share in [0, 1) stored as ``round(share × 1000)``;
- the objective, with ``H_d = Σ_{i in d} w_i × r_i`` the residual harm of kecamatan d and
  ``ρ_d`` the sum of the reductions of the reserve teams kept there, is
  ``Σ_d (H_d − ρ_d × B_d)`` where the base ``B_d`` is the kecamatan's residual harm under the
  policy-default plan (`security.reserve_base: default_plan`, linear) or ``H_d`` itself
  (`plan`: ``Σ_d H_d (1 − ρ_d)``); it is computed exactly in units of 1 / (100 × 1000 ×
  1000) weighted voter (a national instance, 2.3e8 weighted voters, stays near 2e16, far
  inside int64); money is whole rupiah (exact, no scaling); personnel are whole persons.

TPS of the same sharing group (village, or kecamatan pool, `planner.scenario.costing`) and
the same risk class are interchangeable for every constraint, so the instance also lists
these *cells* with their TPS sorted by weight, highest first: the model chooses how many TPS
of a cell get each pattern, and the plan gives the best patterns to the heaviest TPS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.errors import ScenarioError
from planner.scenario.costing import sharing_groups
from planner.scenario.resolved import Scenario

IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class Resolution:
    """Integer scales of the objective's floats (see the module docstring)."""

    weight_scale: int = 100
    """Harm weight units per weighted voter (100: resolution 0.01 weighted voter)."""
    harm_scale: int = 1000
    """Residual-harm units per share (1000: resolution 0.001)."""
    reduction_scale: int = 1000
    """Reserve harm-reduction units per share (1000: resolution 0.001)."""

    @property
    def objective_scale(self) -> int:
        """Objective units per weighted voter of residual harm."""
        return self.weight_scale * self.harm_scale * self.reduction_scale


@dataclass(frozen=True)
class ReserveType:
    """Reserve teams of one agency kept at every kecamatan post."""

    agency: int
    """Index into `Instance.agency_names`."""
    team_size: int
    min_per_district: int
    max_per_district: int
    reduction: tuple[int, ...]
    """Harm reduction of the 1st, 2nd, ... team (units of `Resolution.reduction_scale`)."""


@dataclass(frozen=True)
class Rule:
    """A limit on personnel: ``Σ_a per_agency[a] × persons of agency a (in one kecamatan or
    all) ≤ limit``. Budget lines (rupiah per person of the agencies they pay), the total
    budget, and availability per agency (1 per person) all take this form."""

    name: str
    """``budget:LINE``, ``budget:total``, ``available:AGENCY`` or ``available:AGENCY:KEC``."""
    per_agency: IntArray
    district: int | None
    limit: int
    unit: str
    """"rupiah" or "persons"."""
    rupiah_per_unit: int
    """Rupiah one unit of shortfall stands for (cost of one person for availability)."""


@dataclass(frozen=True)
class Instance:
    """Everything the optimiser and checker need, as integers and index arrays.

    Indices: TPS ``i`` (TPS-table order), class ``c``, pattern ``p``, agency ``a``, budget line
    ``b``, kecamatan ``d``, sharing group ``g``, cell ``k`` (a (group, class) pair).
    """

    name: str
    resolution: Resolution
    # TPS
    tps_id: tuple[str, ...]
    tps_class: IntArray
    tps_district: IntArray
    tps_group: IntArray
    tps_weight: IntArray
    """Harm weight per TPS (units of `Resolution.weight_scale`)."""
    # names
    class_names: tuple[str, ...]
    district_names: tuple[str, ...]
    group_district: IntArray
    """Kecamatan of each sharing group."""
    # patterns
    pattern_names: tuple[str, ...]
    pattern_per_tps: IntArray
    """Personnel stationed at each TPS, shape (patterns, agencies)."""
    pattern_team: IntArray
    """Personnel of one shared team, shape (patterns, agencies)."""
    pattern_tps_per_team: IntArray
    allowed: BoolArray
    """Pattern allowed for class, shape (classes, patterns)."""
    standard: IntArray
    """Standard (hand-planned) pattern of each class."""
    residual: IntArray
    """Residual harm of a pattern at a TPS of a class, shape (classes, patterns)
    (units of `Resolution.harm_scale`)."""
    # agencies and money
    agency_names: tuple[str, ...]
    agency_cost_idr: IntArray
    """Cost of one person for the whole deployment, rupiah."""
    agency_line: IntArray
    """Budget line paying the agency, -1 for none."""
    available_total: IntArray
    """Personnel available per agency, -1 for no limit."""
    available_district: dict[tuple[int, int], int]
    """Personnel available per (agency, kecamatan) where the scenario limits it."""
    line_names: tuple[str, ...]
    line_budget_idr: IntArray
    """Budget per line, rupiah; -1 for unlimited."""
    total_budget_idr: int | None
    reserves: tuple[ReserveType, ...]
    reserve_base: IntArray | None
    """Per kecamatan, the residual harm a reserve team's reduction is a share of (weight ×
    harm units): the policy-default plan's; None when it is the plan's own (the product)."""
    # cells: TPS of one sharing group and class, heaviest first
    cell_group: IntArray
    cell_class: IntArray
    cell_start: IntArray
    """Cell k holds ``cell_order[cell_start[k]:cell_start[k + 1]]`` (length cells + 1)."""
    cell_order: IntArray
    """TPS indices grouped by cell, each cell sorted by weight descending (ties: TPS order)."""

    @property
    def n_tps(self) -> int:
        """Number of TPS."""
        return len(self.tps_id)

    @property
    def n_cells(self) -> int:
        """Number of (sharing group, class) cells."""
        return len(self.cell_group)

    @property
    def n_groups(self) -> int:
        """Number of sharing groups."""
        return len(self.group_district)

    def cell_tps(self, k: int) -> IntArray:
        """TPS of cell `k`, heaviest first."""
        return self.cell_order[self.cell_start[k] : self.cell_start[k + 1]]

    def allowed_by_harm(self, c: int) -> list[int]:
        """Patterns allowed for class `c`, lowest residual harm first (ties: catalogue order)."""
        allowed = [p for p in range(len(self.pattern_names)) if self.allowed[c, p]]
        return sorted(allowed, key=lambda p: (int(self.residual[c, p]), p))

    def team_patterns(self) -> list[int]:
        """Patterns whose shared team spans more than one TPS (these need a team count)."""
        return [
            p
            for p in range(len(self.pattern_names))
            if self.pattern_tps_per_team[p] > 1 and self.pattern_team[p].any()
        ]

    def rules(self) -> list[Rule]:
        """Every budget and availability limit of the instance, in a fixed order."""
        out: list[Rule] = []
        n_a = len(self.agency_names)
        for b, line in enumerate(self.line_names):
            budget = int(self.line_budget_idr[b])
            if budget >= 0:
                per = self.agency_cost_idr * (self.agency_line == b)
                out.append(Rule(f"budget:{line}", per.astype(np.int64), None, budget, "rupiah", 1))
        if self.total_budget_idr is not None:
            per = self.agency_cost_idr * (self.agency_line >= 0)
            out.append(
                Rule("budget:total", per.astype(np.int64), None, self.total_budget_idr, "rupiah", 1)
            )
        eye = np.eye(n_a, dtype=np.int64)
        for a, agency in enumerate(self.agency_names):
            limit = int(self.available_total[a])
            if limit >= 0:
                cost = max(1, int(self.agency_cost_idr[a]))
                out.append(Rule(f"available:{agency}", eye[a], None, limit, "persons", cost))
        for (a, d), limit in sorted(self.available_district.items()):
            cost = max(1, int(self.agency_cost_idr[a]))
            name = f"available:{self.agency_names[a]}:{self.district_names[d]}"
            out.append(Rule(name, eye[a], d, limit, "persons", cost))
        return out

    def pattern_index(self, name: str) -> int:
        """Index of the pattern called `name`."""
        return self.pattern_names.index(name)

    def objective_to_float(self, value: int) -> float:
        """An objective value in weighted voters of residual harm."""
        return value / self.resolution.objective_scale


def build_instance(scenario: Scenario, resolution: Resolution | None = None) -> Instance:
    """Scale a scenario's security data to integers and index the cells.

    Raises `ScenarioError` when the security section names a kecamatan the TPS table lacks.
    """
    res = resolution or Resolution()
    spec = scenario.spec
    sec = spec.security
    tps = scenario.tps

    class_names = tps.class_names
    class_weight = np.array([spec.risk.classes[c].weight for c in class_names], dtype=np.float64)
    weight_float = (
        class_weight[tps.risk_class]
        * tps.voters
        * (1.0 + spec.risk.indicator_weight * tps.indicators)
    )
    tps_weight = np.rint(weight_float * res.weight_scale).astype(np.int64)

    pattern_names = tuple(p.name for p in sec.patterns)
    agency_names = tuple(sec.agencies)
    n_p, n_a, n_c = len(pattern_names), len(agency_names), len(class_names)
    per_tps = np.zeros((n_p, n_a), dtype=np.int64)
    team = np.zeros((n_p, n_a), dtype=np.int64)
    for p, pat in enumerate(sec.patterns):
        for a, agency in enumerate(agency_names):
            per_tps[p, a] = pat.per_tps.get(agency, 0)
            team[p, a] = pat.team.get(agency, 0)
    tps_per_team = np.array([pat.tps_per_team for pat in sec.patterns], dtype=np.int64)

    allowed = np.zeros((n_c, n_p), dtype=np.bool_)
    standard = np.zeros(n_c, dtype=np.int64)
    residual = np.zeros((n_c, n_p), dtype=np.int64)
    for c, cls in enumerate(class_names):
        if cls not in sec.policy:
            raise ScenarioError(
                f"TPS of class {cls} exist but security.policy has no entry for it; add "
                f"security.policy.{cls} with allowed and standard patterns",
                location=f"security.policy.{cls}",
            )
        policy = sec.policy[cls]
        for name in policy.allowed:
            allowed[c, pattern_names.index(name)] = True
        standard[c] = pattern_names.index(policy.standard)
        for p, name in enumerate(pattern_names):
            residual[c, p] = round(sec.harm_share(cls, name) * res.harm_scale)

    line_names = tuple(sec.budgets_idr)
    line_budget = np.array(
        [-1 if v is None else v for v in sec.budgets_idr.values()], dtype=np.int64
    )
    agency_cost = np.array(
        [sec.agencies[a].cost_per_person_idr() for a in agency_names], dtype=np.int64
    )
    lines_of = [sec.agencies[a].budget_line for a in agency_names]
    agency_line = np.array(
        [-1 if line is None else line_names.index(line) for line in lines_of], dtype=np.int64
    )
    available_total = np.array(
        [
            -1 if sec.agencies[a].available_total is None else sec.agencies[a].available_total
            for a in agency_names
        ],
        dtype=np.int64,
    )
    district_names = tps.district_names
    available_district: dict[tuple[int, int], int] = {}
    for a, agency in enumerate(agency_names):
        for district, count in sec.agencies[agency].available_per_district.items():
            if district not in district_names:
                raise ScenarioError(
                    f"unknown kecamatan {district!r}; kecamatan: {', '.join(district_names)}",
                    location=f"security.agencies.{agency}.available_per_district",
                )
            available_district[(a, district_names.index(district))] = count

    reserves = tuple(
        ReserveType(
            agency=agency_names.index(r.agency),
            team_size=r.team_size,
            min_per_district=r.min_per_district,
            max_per_district=r.max_per_district,
            reduction=tuple(
                round(h * res.reduction_scale) for h in r.harm_reduction[: r.max_per_district]
            ),
        )
        for r in sec.reserves
    )

    reduction_total = sum(sum(r.reduction) for r in reserves)
    if reduction_total >= res.reduction_scale:
        raise ScenarioError(
            "reserve harm_reduction entries sum to 1 or more after rounding to "
            f"1/{res.reduction_scale}; lower them",
            location="security.reserves",
        )
    reserve_base = None
    if sec.reserve_base == "default_plan":
        default_harm = tps_weight * residual[tps.risk_class, standard[tps.risk_class]]
        reserve_base = np.zeros(len(tps.district_names), dtype=np.int64)
        np.add.at(reserve_base, tps.district, default_harm)

    raw_group = sharing_groups(scenario).astype(np.int64)
    used, tps_group = np.unique(raw_group, return_inverse=True)
    tps_group = tps_group.astype(np.int64)
    group_district = np.zeros(len(used), dtype=np.int64)
    group_district[tps_group] = tps.district

    # Cells: sort TPS by (group, class, weight descending, index) in one stable pass.
    order = np.lexsort((np.arange(len(tps)), -tps_weight, tps.risk_class, tps_group))
    key_group = tps_group[order]
    key_class = tps.risk_class[order]
    if len(order):
        new_cell = np.ones(len(order), dtype=np.bool_)
        new_cell[1:] = (key_group[1:] != key_group[:-1]) | (key_class[1:] != key_class[:-1])
        starts = np.flatnonzero(new_cell)
    else:
        starts = np.zeros(0, dtype=np.int64)
    cell_start = np.append(starts, len(order)).astype(np.int64)

    return Instance(
        name=spec.name,
        resolution=res,
        tps_id=tps.tps_id,
        tps_class=tps.risk_class.astype(np.int64),
        tps_district=tps.district.astype(np.int64),
        tps_group=tps_group,
        tps_weight=tps_weight,
        class_names=class_names,
        district_names=district_names,
        group_district=group_district,
        pattern_names=pattern_names,
        pattern_per_tps=per_tps,
        pattern_team=team,
        pattern_tps_per_team=tps_per_team,
        allowed=allowed,
        standard=standard,
        residual=residual,
        agency_names=agency_names,
        agency_cost_idr=agency_cost,
        agency_line=agency_line,
        available_total=available_total,
        available_district=available_district,
        line_names=line_names,
        line_budget_idr=line_budget,
        total_budget_idr=sec.total_budget_idr,
        reserves=reserves,
        reserve_base=reserve_base,
        cell_group=key_group[starts].astype(np.int64),
        cell_class=key_class[starts].astype(np.int64),
        cell_start=cell_start,
        cell_order=order.astype(np.int64),
    )
