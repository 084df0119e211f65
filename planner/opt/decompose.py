"""Column generation over sharing groups: a strong lower bound, good columns and cuts.

The CP-SAT counts model's linear relaxation lets a group pay for a fraction of a shared team,
which on real instances leaves it 1–2% below the optimum, and CP-SAT cannot close that by
search on thousands of groups. The Dantzig–Wolfe reformulation convexifies each group
separately, which keeps the rounding:

    min  Σ_d (H_d − Σ (h_j / R) Z_dj)                       (weighted voters)
    s.t. Σ_s α_gs = 1                          for every group g        (dual θ_g)
         H_d − Σ_{g in d, s} harm_gs α_gs = 0  for every kecamatan d    (dual η_d)
         Σ_gs α_gs (v_r · persons_gs) + reserves_r ≤ limit_r  + slack_r  (dual λ_r)
         reserves y_dj ∈ [0, 1], Z_dj ≤ H_d, Z_dj ≤ Hmax_d y_dj, Z_dj ≤ H_d − Hmin_d (1 − y_dj)
         α ≥ 0, slack ≥ 0 at a penalty larger than any harm

over the columns generated so far (the restricted master LP, solved by GLOP through
MathOpt). Pricing solves every group exactly for the duals (`planner.opt.groups.best_column`:
harm weighted by η_d, persons priced at μ_a = −Σ_r λ_r v_r[a]); the columns with negative
reduced cost join the master. At every round ``LP value + Σ_g min(0, reduced cost_g)`` is a
valid lower bound (the Lagrangian bound); at convergence it equals the Dantzig–Wolfe bound.

The group optima at the best duals also give one cut per group for the CP-SAT model
(`planner.opt.model.Cut`), which lifts CP-SAT's own bound to the same level.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.math_opt.python import mathopt

from planner.opt.groups import Column, column_from_counts, group_cells
from planner.opt.instance import Instance, IntArray
from planner.opt.model import Cut
from planner.opt.pricing import columns_of, price_all

_logger = logging.getLogger(__name__)

RUPIAH_PER_LP_UNIT = 1_000_000
"""Budget rows of the master LP are in millions of rupiah (keeps GLOP well scaled)."""


@dataclass
class Decomposition:
    """What column generation found."""

    bound: float | None
    """Best Lagrangian lower bound (objective units), None if no round completed."""
    lp_value: float | None
    """Last restricted-master LP value (objective units)."""
    columns: list[list[Column]]
    cuts: list[Cut]
    rounds: int
    seconds: float
    converged: bool
    slack_left: bool = False
    """The master LP still needed slack at the end: the convexified problem is infeasible
    (so is the real one) or the rounds ran out before feasibility."""
    priced_out: bool = False
    """The last pricing round found no column with a negative reduced cost: the master LP is
    the full Dantzig–Wolfe relaxation's optimum."""
    slack_total: float = 0.0
    """Sum of the master LP's slacks (millions of rupiah and persons). At a converged LP,
    0.2 or more proves that no plan exists: the penalty (10 × all harm + 1 per unit) makes
    any point within the rules cheaper than one that needs that much slack."""
    history: list[tuple[int, float, float | None]] = field(default_factory=list)
    """(round, LP value, Lagrangian bound) per round, objective units."""
    alpha: list[np.ndarray] = field(default_factory=list)
    """Last master LP solution: weight of each column, per group."""
    reserve_level: np.ndarray | None = None
    """Last master LP solution: reserve teams kept per (reserve type, kecamatan), fractional."""
    prices: np.ndarray | None = None
    """Last duals as prices per group and agency (objective units per person)."""


class _Master:
    """The restricted master LP (MathOpt + GLOP, re-solved incrementally)."""

    def __init__(self, instance: Instance) -> None:
        inst = instance
        self.inst = inst
        self.wh = inst.resolution.weight_scale * inst.resolution.harm_scale
        self.obj_scale = inst.resolution.objective_scale
        self.model = mathopt.Model(name="master")
        n_d = len(inst.district_names)
        self.rules = inst.rules()
        self.rule_scale = [
            RUPIAH_PER_LP_UNIT if rule.unit == "rupiah" else 1 for rule in self.rules
        ]
        h_max = np.zeros(n_d)
        h_min = np.zeros(n_d)
        for k in range(inst.n_cells):
            c = int(inst.cell_class[k])
            d = int(inst.group_district[inst.cell_group[k]])
            total = float(inst.tps_weight[inst.cell_tps(k)].sum())
            allowed = inst.allowed_by_harm(c)
            h_max[d] += float(inst.residual[c, allowed[-1]]) * total / self.wh
            h_min[d] += float(inst.residual[c, allowed[0]]) * total / self.wh
        penalty = 10.0 * float(h_max.sum()) + 1.0
        objective = mathopt.LinearExpression()
        # With a fixed reserve base (linear objective) a column's harm goes straight into the
        # objective; with the product, H_d is a variable the reserve terms link to.
        self.linear = inst.reserve_base is not None
        self.harm = [] if self.linear else [self.model.add_variable(lb=0.0) for _ in range(n_d)]
        self.harm_rows = [self.model.add_linear_constraint(h == 0.0) for h in self.harm]
        for h in self.harm:
            objective += h
        rule_terms: list[mathopt.LinearExpression] = [
            mathopt.LinearExpression() for _ in self.rules
        ]
        reduction_scale = inst.resolution.reduction_scale
        self.reserve_vars: list[list[list[mathopt.Variable]]] = []
        for r_type in inst.reserves:
            per_district: list[list[mathopt.Variable]] = []
            self.reserve_vars.append(per_district)
            for d in range(n_d):
                previous = None
                per_district.append([])
                for j in range(r_type.max_per_district):
                    lb = 1.0 if j < r_type.min_per_district else 0.0
                    y = self.model.add_variable(lb=lb, ub=1.0)
                    per_district[d].append(y)
                    if previous is not None and not self.linear:
                        # (linear: benefits fall and costs are equal, so the LP keeps the
                        # teams in order by itself)
                        self.model.add_linear_constraint(y <= previous)
                    previous = y
                    for q, rule in enumerate(self.rules):
                        if rule.district is not None and rule.district != d:
                            continue
                        coef = int(rule.per_agency[r_type.agency]) * r_type.team_size
                        if coef:
                            rule_terms[q] += (coef / self.rule_scale[q]) * y
                    reduction = r_type.reduction[j]
                    if reduction and inst.reserve_base is not None:
                        base = float(inst.reserve_base[d]) / self.wh
                        objective -= (reduction / reduction_scale) * base * y
                    elif reduction:
                        z = self.model.add_variable(lb=0.0)
                        self.model.add_linear_constraint(z <= self.harm[d])
                        self.model.add_linear_constraint(z <= float(h_max[d]) * y)
                        self.model.add_linear_constraint(
                            z <= self.harm[d] - float(h_min[d]) + float(h_min[d]) * y
                        )
                        objective -= (reduction / reduction_scale) * z
        self.slack = []
        self.rule_rows = []
        for q, rule in enumerate(self.rules):
            s = self.model.add_variable(lb=0.0)
            self.slack.append(s)
            objective += penalty * s
            self.rule_rows.append(
                self.model.add_linear_constraint(
                    rule_terms[q] - s <= rule.limit / self.rule_scale[q]
                )
            )
        self.model.minimize(objective)
        self.conv_rows = [
            self.model.add_linear_constraint(lb=1.0, ub=1.0) for _ in range(inst.n_groups)
        ]
        self.alphas: list[list[mathopt.Variable]] = [[] for _ in range(inst.n_groups)]
        self.columns: list[list[Column]] = [[] for _ in range(inst.n_groups)]
        self.keys: list[set[tuple[tuple[int, int, int], ...]]] = [
            set() for _ in range(inst.n_groups)
        ]
        self.solver: mathopt.IncrementalSolver | None = None

    def add(self, column: Column) -> bool:
        """Add a column unless the group already has it."""
        g = column.group
        if column.counts in self.keys[g]:
            return False
        self.keys[g].add(column.counts)
        a = self.model.add_variable(lb=0.0)
        self.conv_rows[g].set_coefficient(a, 1.0)
        d = int(self.inst.group_district[g])
        if self.linear:
            self.model.objective.set_linear_coefficient(a, column.harm / self.wh)
        else:
            self.harm_rows[d].set_coefficient(a, -column.harm / self.wh)
        for q, rule in enumerate(self.rules):
            if rule.district is not None and rule.district != d:
                continue
            used = int(column.personnel @ rule.per_agency)
            if used:
                self.rule_rows[q].set_coefficient(a, used / self.rule_scale[q])
        self.alphas[g].append(a)
        self.columns[g].append(column)
        return True

    def solve(self, time_limit_s: float) -> mathopt.SolveResult:
        if self.solver is None:
            self.solver = mathopt.IncrementalSolver(self.model, mathopt.SolverType.GLOP)
        params = mathopt.SolveParameters(time_limit=_seconds(time_limit_s))
        return self.solver.solve(params=params)


def _seconds(value: float) -> object:
    import datetime

    return datetime.timedelta(seconds=max(0.01, value))


def decompose(
    instance: Instance,
    time_limit_s: float,
    initial: Sequence[Column] = (),
    max_rounds: int = 60,
    tolerance: float = 1e-6,
) -> Decomposition:
    """Column generation until the Lagrangian bound meets the LP value (within `tolerance`,
    relative), `max_rounds` rounds, or the time limit."""
    start = time.perf_counter()
    inst = instance
    n_a = len(inst.agency_names)
    group_district = inst.group_district
    master = _Master(inst)
    rmax = inst.resolution.reduction_scale
    cost_price = inst.agency_cost_idr + 1
    every = np.arange(inst.n_groups)
    ones = np.ones(inst.n_groups, dtype=np.int64)
    best_harm = price_all(inst, rmax * ones, np.zeros((inst.n_groups, n_a), dtype=np.int64))
    cheapest = price_all(inst, 0 * ones, np.tile(cost_price, (inst.n_groups, 1)))
    for column in columns_of(inst, best_harm, every) + columns_of(inst, cheapest, every):
        master.add(column)
    for column in initial:
        master.add(column)
    best_bound: float | None = None
    best_cuts: list[Cut] = []
    lp_value: float | None = None
    history: list[tuple[int, float, float | None]] = []
    converged = False
    priced_out = False
    slack_left = False
    slack_total = 0.0
    rounds = 0
    rule_district = [rule.district for rule in master.rules]
    alpha: list[np.ndarray] = []
    reserve_level: np.ndarray | None = None
    prices: np.ndarray | None = None
    while rounds < max_rounds:
        left = time_limit_s - (time.perf_counter() - start)
        if left <= 0:
            break
        result = master.solve(left)
        if result.termination.reason != mathopt.TerminationReason.OPTIMAL:
            _logger.info("master LP stopped: %s", result.termination.reason)
            break
        rounds += 1
        lp = float(result.objective_value()) * master.obj_scale
        lp_value = lp
        slack_values = result.variable_values(master.slack)
        slack_left = any(v > 1e-7 for v in slack_values)
        slack_total = float(sum(slack_values))
        values = result.variable_values()
        alpha = [np.array([values[a] for a in group]) for group in master.alphas]
        reserve_level = np.array(
            [[sum(values[y] for y in ys) for ys in per_d] for per_d in master.reserve_vars]
        ).reshape(len(inst.reserves), len(inst.district_names))
        theta = result.dual_values(master.conv_rows)
        eta = (
            result.dual_values(master.harm_rows)
            if master.harm_rows
            else [1.0] * len(inst.district_names)
        )
        lam = result.dual_values(master.rule_rows)
        # Price per agency and kecamatan: μ_a(d) = −Σ_r λ_r v_r[a] / scale_r (objective units).
        n_d = len(inst.district_names)
        mu_global = np.zeros(len(inst.agency_names))
        mu_local = np.zeros((n_d, len(inst.agency_names)))
        for q, rule in enumerate(master.rules):
            contribution = -lam[q] * rule.per_agency / master.rule_scale[q]
            if rule_district[q] is None:
                mu_global += contribution
            else:
                mu_local[rule_district[q]] += contribution
        harm_weight = np.maximum(np.asarray(eta, dtype=np.float64), 0.0)[group_district]
        positive = harm_weight > 1e-9
        factor = np.where(positive, rmax, 0).astype(np.int64)
        scale = np.where(
            positive, master.obj_scale / np.maximum(harm_weight, 1e-9), float(master.obj_scale)
        )
        mu = np.maximum(mu_global[None, :] + mu_local[group_district], 0.0)
        price = np.rint(mu * scale[:, None]).astype(np.int64)
        prices = mu * master.obj_scale
        if time.perf_counter() - start > time_limit_s:
            break
        priced = price_all(inst, factor, price)
        # Rounding prices to integers moves a value by at most 0.5 per person.
        persons = priced.personnel.sum(axis=1) + 1
        rc_low = (priced.value - 0.5 * persons) / scale - np.asarray(theta)
        total_rc = float(np.minimum(rc_low, 0.0).sum())
        cuts = [
            Cut(group=g, harm_factor=int(factor[g]), price=price[g], value=int(priced.value[g]))
            for g in range(inst.n_groups)
            if factor[g] > 0
        ]
        wanted = np.flatnonzero(rc_low < -1e-9 * max(1.0, abs(lp) / master.obj_scale))
        added = sum(master.add(column) for column in columns_of(inst, priced, wanted))
        bound = lp + total_rc * master.obj_scale
        history.append((rounds, lp, bound))
        if best_bound is None or bound > best_bound:
            best_bound = bound
            best_cuts = cuts
        _logger.info("round %d: LP %.6g, bound %.6g, %d columns added", rounds, lp, bound, added)
        if added == 0 or (lp - bound) <= tolerance * max(1.0, abs(lp)):
            converged = not slack_left
            priced_out = added == 0
            break
    return Decomposition(
        bound=best_bound,
        lp_value=lp_value,
        columns=master.columns,
        cuts=best_cuts,
        rounds=rounds,
        seconds=time.perf_counter() - start,
        converged=converged,
        slack_left=slack_left,
        slack_total=slack_total,
        priced_out=priced_out,
        history=history,
        alpha=alpha,
        reserve_level=reserve_level,
        prices=prices,
    )


def columns_from_pattern(instance: Instance, pattern: IntArray) -> list[Column]:
    """The column of every group in a per-TPS plan (to seed the master with a known plan)."""
    out = []
    for g, cells in enumerate(group_cells(instance)):
        counts: dict[tuple[int, int], int] = {}
        for k in cells:
            for p in pattern[instance.cell_tps(k)].tolist():
                counts[(k, p)] = counts.get((k, p), 0) + 1
        out.append(column_from_counts(instance, g, counts))
    return out
