"""The CP-SAT deployment model, in three interchangeable layers over the same rules.

**counts** (the model): TPS of the same sharing group and risk class are interchangeable for
every constraint (policy, teams, budgets, availability), so the model decides how many TPS
of each *cell* (group, class) use each pattern, ``x[k, p]``. Within a cell the plan gives the
lowest-residual-harm patterns to the heaviest TPS (by the rearrangement inequality the best
use of the counts), and the objective is exactly the harm of that expansion: with the cell's
weights sorted ``w_1 ≥ … ≥ w_n``, prefix sums ``W(t)`` (concave), allowed patterns sorted
``r_1 ≤ … ≤ r_m`` and cumulative counts ``X_j = x_1 + … + x_j``::

    harm_k = Σ_j r_j (W(X_j) − W(X_{j−1})) = r_m W(n) − Σ_{j<m} (r_{j+1} − r_j) W(X_j)

The coefficients of ``W(X_j)`` are negative and W is concave, so ``W(X_j)`` becomes a variable
``U_j ≤ w_{t+1} (X_j − t) + W(t)`` for every t (the linear pieces of W; equal weights give
the same piece, kept once). Minimisation pushes ``U_j`` up to ``W(X_j)``: exact.

**per_tps** (the naive model, for the benchmark and as a cross-check): one boolean per TPS
and allowed pattern; **columns** (the restricted master): one boolean per generated group
configuration (`planner.opt.groups.Column`), exactly one per group.

Shared by all layers:

- teams: ``tps_per_team × T[g, p] ≥ TPS of group g on p`` for patterns shared by k > 1 TPS;
- reserves (kecamatan d, reserve type, team j): a boolean ``y`` per team (``y_j ≥ y_{j+1}``,
  the first `min_per_district` fixed to 1) and ``Z ≤ H_d``, ``Z ≤ Hmax_d · y``, ``Z ≤ H_d −
  Hmin_d (1 − y)`` (McCormick) so ``Z = y · H_d`` at the optimum. The objective ``Σ_d (R ·
  H_d − Σ h_j Z_j) = Σ_d H_d (R − Σ_{teams kept} h_j)`` is strictly increasing in H_d (the
  reductions sum to less than R), so the linearisation is exact;
- budgets and availability: `planner.opt.instance.Rule` limits on personnel sums;
- optional Lagrangian cuts ``R · harm_g + μ · persons_g ≥ value`` from
  `planner.opt.decompose` (valid for every plan, they only tighten the LP relaxation).

Costs are lexicographic: phase 1 minimises harm; phase 2 adds ``objective ≤ phase-1 value``
and minimises total cost from the phase-1 solution (a single scaled objective would
overflow: harm × the largest cost exceeds 2^63 on national instances).
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from ortools.sat.python import cp_model

from planner.opt.check import Assignment, Evaluation, evaluate
from planner.opt.groups import Column, group_cells
from planner.opt.instance import Instance, IntArray

_logger = logging.getLogger(__name__)

Layer = Literal["counts", "per_tps", "columns"]
Expr = Any
"""A CP-SAT linear expression (or an int)."""


@dataclass(frozen=True)
class SolverSettings:
    """CP-SAT knobs, applied in one place (`apply_settings`) and recorded in every report."""

    time_limit_s: float = 60.0
    """Wall-clock limit of one solve."""
    workers: int = 2
    """CP-SAT search workers (the machine has 2 cores; tests use 1)."""
    seed: int = 0
    """CP-SAT random_seed."""
    relative_gap_limit: float = 0.0
    """Stop once (objective − bound) / objective is below this (0: prove optimality)."""
    log_search_progress: bool = True
    """Capture CP-SAT's search log."""


@dataclass(frozen=True)
class PhaseReport:
    """One CP-SAT solve: which model and objective, its status, value, bound and time."""

    phase: str
    status: str
    objective: int | None
    bound: int | None
    seconds: float


@dataclass(frozen=True)
class Cut:
    """A valid inequality ``harm_factor × harm_g + price · persons_g ≥ value`` for group g."""

    group: int
    harm_factor: int
    price: IntArray
    value: int


@dataclass
class ModelSolution:
    """A solve's result: status, plan in indices (or None), proven bound, phases run."""

    status: str
    """OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN (of the harm phase)."""
    assignment: Assignment | None
    bound: int | None
    """Proven lower bound on the objective (objective units)."""
    objective: int | None = None
    """Phase-1 objective value in the model (objective units)."""
    phases: list[PhaseReport] = field(default_factory=list)


class DeploymentModel:
    """The CP-SAT model of an `Instance`: build, hint, solve harm then cost, extract a plan.

    Parameters
    ----------
    instance
        The integer-scaled instance.
    layer
        "counts" (the model), "per_tps" (naive booleans) or "columns" (choose one of
        `columns` per group).
    columns
        Candidate configurations per group (layer "columns" only).
    cuts
        Lagrangian cuts to add.
    slack
        Give every budget and availability rule a non-negative shortfall variable
        (`planner.opt.explain` minimises their rupiah-equivalent sum).
    with_harm
        Build the harm objective (the shortfall relaxation does not need it).
    """

    def __init__(
        self,
        instance: Instance,
        *,
        layer: Layer = "counts",
        columns: Sequence[Sequence[Column]] | None = None,
        cuts: Sequence[Cut] = (),
        slack: bool = False,
        with_harm: bool = True,
    ) -> None:
        start = time.perf_counter()
        self.inst = instance
        self.layer = layer
        self.with_harm = with_harm
        self.model = cp_model.CpModel()
        self._vars: list[cp_model.IntVar] = []
        self.cells_by_group = group_cells(instance)
        self.cell_district = instance.group_district[instance.cell_group]
        self.count: list[dict[int, Expr]] = [{} for _ in range(instance.n_cells)]
        """Per cell: pattern → TPS of the cell on that pattern."""
        self.group_harm: list[Expr] = [0] * instance.n_groups
        """Per group: Σ w_i r_i of its TPS (weight × harm units), an upper estimate in the
        model that is exact at the optimum."""
        self.group_teams: list[dict[int, Expr]] = [{} for _ in range(instance.n_groups)]
        """Per group: shared-team pattern → teams."""
        self.x: list[dict[int, cp_model.IntVar]] = []
        self.u: list[list[tuple[cp_model.IntVar, int, list[tuple[int, int]]]]] = []
        self.tps_bool: dict[int, dict[int, cp_model.IntVar]] = {}
        self.columns: list[list[Column]] = [list(c) for c in columns] if columns else []
        self.column_bool: list[list[cp_model.IntVar]] = []
        self.team_var: dict[tuple[int, int], cp_model.IntVar] = {}
        self.reserve_y: list[list[list[cp_model.IntVar]]] = []
        self.reserve_z: list[list[list[tuple[int, cp_model.IntVar]]]] = []
        self.harm_district: list[cp_model.IntVar] = []
        self.slacks: dict[str, tuple[cp_model.IntVar, int, str]] = {}
        """Rule name → (shortfall variable, rupiah per unit, unit) in the slack relaxation."""
        self.objective: Expr = 0
        self.cost: Expr = 0
        if layer == "counts":
            self._add_counts()
        elif layer == "per_tps":
            self._add_per_tps()
        else:
            self._add_columns()
        self._add_reserves()
        if with_harm:
            self._add_objective()
        self._add_limits(slack)
        for cut in cuts:
            self.add_cut(cut)
        self.build_seconds = time.perf_counter() - start
        _logger.debug("%s model built in %.2f s", layer, self.build_seconds)

    # ------------------------------------------------------------------ variables
    def _new_int(self, lo: int, hi: int) -> cp_model.IntVar:
        var = self.model.new_int_var(lo, hi, "")
        self._vars.append(var)
        return var

    def _new_bool(self) -> cp_model.IntVar:
        var = self.model.new_bool_var("")
        self._vars.append(var)
        return var

    @property
    def n_variables(self) -> int:
        """Variables in the model."""
        return len(self._vars)

    @property
    def n_constraints(self) -> int:
        """Constraints in the model."""
        return len(self.model.proto.constraints)

    # ------------------------------------------------------------------ layers
    def _add_counts(self) -> None:
        inst = self.inst
        for k in range(inst.n_cells):
            c = int(inst.cell_class[k])
            g = int(inst.cell_group[k])
            allowed = inst.allowed_by_harm(c)
            tps = inst.cell_tps(k)
            n = len(tps)
            row = {p: self._new_int(0, n) for p in allowed}
            self.model.add(sum(row.values()) == n)
            self.x.append(row)
            self.count[k] = dict(row)
            if not self.with_harm:
                self.u.append([])
                continue
            weights = inst.tps_weight[tps].tolist()
            r = [int(inst.residual[c, p]) for p in allowed]
            total = sum(weights)
            pieces = _pieces(weights)
            cell_u: list[tuple[cp_model.IntVar, int, list[tuple[int, int]]]] = []
            terms: list[Expr] = []
            cumulative: list[cp_model.IntVar] = []
            for j in range(len(allowed) - 1):
                cumulative.append(row[allowed[j]])
                delta = r[j + 1] - r[j]
                if delta == 0:
                    continue
                u = self._new_int(0, total)
                x_j = sum(cumulative)
                for slope, intercept in pieces:
                    self.model.add(u <= slope * x_j + intercept)
                cell_u.append((u, delta, pieces))
                terms.append(-delta * u)
            self.u.append(cell_u)
            self.group_harm[g] = self.group_harm[g] + r[-1] * total + sum(terms)
        self._add_team_vars()

    def _add_per_tps(self) -> None:
        inst = self.inst
        for k in range(inst.n_cells):
            c = int(inst.cell_class[k])
            g = int(inst.cell_group[k])
            allowed = inst.allowed_by_harm(c)
            members: dict[int, list[cp_model.IntVar]] = {p: [] for p in allowed}
            harm_vars: list[cp_model.IntVar] = []
            harm_coefs: list[int] = []
            for i in inst.cell_tps(k).tolist():
                row = {p: self._new_bool() for p in allowed}
                self.model.add_exactly_one(row.values())
                self.tps_bool[i] = row
                for p, v in row.items():
                    members[p].append(v)
                    harm_vars.append(v)
                    harm_coefs.append(int(inst.tps_weight[i]) * int(inst.residual[c, p]))
            self.count[k] = {p: sum(vs) for p, vs in members.items()}
            if self.with_harm:
                harm = cp_model.LinearExpr.weighted_sum(harm_vars, harm_coefs)
                self.group_harm[g] = self.group_harm[g] + harm
        self._add_team_vars()

    def _add_team_vars(self) -> None:
        """Shared teams: tps_per_team · T ≥ TPS on the pattern, per group."""
        inst = self.inst
        for p in inst.team_patterns():
            size = int(inst.pattern_tps_per_team[p])
            for g, cells in enumerate(self.cells_by_group):
                members = [self.count[k][p] for k in cells if p in self.count[k]]
                if not members:
                    continue
                cap = sum(
                    int(inst.cell_start[k + 1] - inst.cell_start[k])
                    for k in cells
                    if p in self.count[k]
                )
                t = self._new_int(0, math.ceil(cap / size))
                self.model.add(size * t >= sum(members))
                self.team_var[(g, p)] = t
                self.group_teams[g][p] = t

    def _add_columns(self) -> None:
        inst = self.inst
        if len(self.columns) != inst.n_groups:
            raise ValueError("the columns layer needs a list of columns for every group")
        for g, cols in enumerate(self.columns):
            if not cols:
                raise ValueError(f"group {g} has no column")
            bools = [self._new_bool() for _ in cols]
            self.model.add_exactly_one(bools)
            self.column_bool.append(bools)
            counts: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
            teams: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
            for col, b in zip(cols, bools, strict=True):
                for k, p, n in col.counts:
                    counts[(k, p)].append((n, b))
                for p, t in col.teams:
                    teams[p].append((t, b))
            for (k, p), terms in counts.items():
                self.count[k][p] = sum(n * b for n, b in terms)
            for p, terms in teams.items():
                self.group_teams[g][p] = sum(t * b for t, b in terms)
            if self.with_harm:
                self.group_harm[g] = cp_model.LinearExpr.weighted_sum(
                    bools, [col.harm for col in cols]
                )

    # ------------------------------------------------------------------ shared parts
    def _add_reserves(self) -> None:
        inst = self.inst
        for r in inst.reserves:
            per_district: list[list[cp_model.IntVar]] = []
            for _d in range(len(inst.district_names)):
                ys = [self._new_bool() for _ in range(r.max_per_district)]
                for j in range(1, len(ys)):
                    self.model.add_implication(ys[j], ys[j - 1])
                for j in range(min(r.min_per_district, len(ys))):
                    self.model.add(ys[j] == 1)
                per_district.append(ys)
            self.reserve_y.append(per_district)

    def _add_objective(self) -> None:
        """H_d per kecamatan, the reserve products Z, and Σ_d (R H_d − Σ h Z)."""
        inst = self.inst
        n_d = len(inst.district_names)
        h_max = [0] * n_d
        h_min = [0] * n_d
        harm_by_district: list[list[Expr]] = [[] for _ in range(n_d)]
        for k in range(inst.n_cells):
            c = int(inst.cell_class[k])
            d = int(self.cell_district[k])
            total = int(inst.tps_weight[inst.cell_tps(k)].sum())
            allowed = inst.allowed_by_harm(c)
            h_max[d] += int(inst.residual[c, allowed[-1]]) * total
            h_min[d] += int(inst.residual[c, allowed[0]]) * total
        for g, harm in enumerate(self.group_harm):
            harm_by_district[int(inst.group_district[g])].append(harm)
        scale = inst.resolution.reduction_scale
        objective: list[Expr] = []
        for d in range(n_d):
            h = self._new_int(h_min[d], h_max[d])
            self.model.add(h == sum(harm_by_district[d]))
            self.harm_district.append(h)
            objective.append(scale * h)
        for q, r_type in enumerate(inst.reserves):
            z_district: list[list[tuple[int, cp_model.IntVar]]] = []
            for d in range(n_d):
                zs: list[tuple[int, cp_model.IntVar]] = []
                for j, reduction in enumerate(r_type.reduction):
                    if reduction == 0:
                        continue
                    y = self.reserve_y[q][d][j]
                    if inst.reserve_base is not None:
                        objective.append(-reduction * int(inst.reserve_base[d]) * y)
                        continue
                    z = self._new_int(0, h_max[d])
                    self.model.add(z <= self.harm_district[d])
                    self.model.add(z <= h_max[d] * y)
                    self.model.add(z <= self.harm_district[d] - h_min[d] + h_min[d] * y)
                    zs.append((j, z))
                    objective.append(-reduction * z)
                z_district.append(zs)
            self.reserve_z.append(z_district)
        self.objective = sum(objective)

    def resource(
        self, per_agency: IntArray, district: int | None = None, group: int | None = None
    ) -> Expr:
        """Σ_a per_agency[a] × persons of agency a (TPS posts, shared teams and, unless a
        single group is asked for, reserve teams), in one kecamatan or group, or all."""
        inst = self.inst
        team_patterns = set(inst.team_patterns())
        per_count = (inst.pattern_per_tps @ per_agency).tolist()
        per_team = (inst.pattern_team @ per_agency).tolist()
        for p in range(len(inst.pattern_names)):
            if p not in team_patterns:
                per_count[p] += per_team[p]
        terms: list[Expr] = []
        coefs: list[int] = []
        if group is not None:
            groups = [group]
        elif district is not None:
            groups = [g for g in range(inst.n_groups) if inst.group_district[g] == district]
        else:
            groups = list(range(inst.n_groups))
        for g in groups:
            for k in self.cells_by_group[g]:
                for p, expr in self.count[k].items():
                    if per_count[p]:
                        terms.append(expr)
                        coefs.append(per_count[p])
            for p, expr in self.group_teams[g].items():
                if per_team[p]:
                    terms.append(expr)
                    coefs.append(per_team[p])
        if group is None:
            for q, r_type in enumerate(inst.reserves):
                unit = int(per_agency[r_type.agency]) * r_type.team_size
                if not unit:
                    continue
                for d, ys in enumerate(self.reserve_y[q]):
                    if district is None or d == district:
                        terms.extend(ys)
                        coefs.extend([unit] * len(ys))
        if not terms:
            return 0
        if self.layer == "counts":
            return cp_model.LinearExpr.weighted_sum(terms, coefs)
        return sum(c * t for c, t in zip(coefs, terms, strict=True))

    def _add_limits(self, slack: bool) -> None:
        """Budgets per line, the total budget, availability per agency and per kecamatan."""
        inst = self.inst
        self.cost = self.resource(inst.agency_cost_idr)
        for rule in inst.rules():
            expr = self.resource(rule.per_agency, rule.district)
            if slack:
                upper = self._upper(rule.per_agency, rule.district)
                s = self._new_int(0, max(0, upper - rule.limit))
                self.model.add(expr <= rule.limit + s)
                self.slacks[rule.name] = (s, rule.rupiah_per_unit, rule.unit)
            else:
                self.model.add(expr <= rule.limit)

    def _upper(self, per_agency: IntArray, district: int | None = None) -> int:
        """An upper bound of `resource` (every TPS on its dearest allowed pattern with a team
        of its own, every reserve team kept): the bound of a shortfall variable."""
        inst = self.inst
        per_tps = inst.pattern_per_tps @ per_agency + inst.pattern_team @ per_agency
        total = 0
        for k in range(inst.n_cells):
            if district is not None and self.cell_district[k] != district:
                continue
            c = int(inst.cell_class[k])
            n = int(inst.cell_start[k + 1] - inst.cell_start[k])
            total += n * int(max(per_tps[p] for p in inst.allowed_by_harm(c)))
        districts = len(inst.district_names) if district is None else 1
        for r in inst.reserves:
            total += districts * r.max_per_district * r.team_size * int(per_agency[r.agency])
        return total

    def add_cut(self, cut: Cut) -> None:
        """Add ``harm_factor × harm_g + price · persons_g ≥ value`` (valid for every plan)."""
        harm = self.group_harm[cut.group]
        persons = self.resource(cut.price, group=cut.group)
        self.model.add(cut.harm_factor * harm + persons >= cut.value)

    # ------------------------------------------------------------------ hints
    def hint(self, assignment: Assignment) -> None:
        """A complete hint from a plan (replacing any earlier hint)."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for var, value in self.values_of(assignment).items():
            self.model.add_hint(var, value)

    def values_of(self, assignment: Assignment) -> dict[cp_model.IntVar, int]:
        """The value of every model variable that represents `assignment` (columns layer:
        only groups whose configuration is one of the columns)."""
        inst = self.inst
        values: dict[cp_model.IntVar, int] = {}
        pattern = assignment.pattern
        counts: list[dict[int, int]] = []
        for k in range(inst.n_cells):
            tps = inst.cell_tps(k)
            row: dict[int, int] = defaultdict(int)
            for p in pattern[tps].tolist():
                row[p] += 1
            counts.append(row)
            if self.layer == "per_tps":
                for i in tps.tolist():
                    for p, v in self.tps_bool[i].items():
                        values[v] = int(pattern[i] == p)
            elif self.layer == "counts":
                for p, v in self.x[k].items():
                    values[v] = row[p]
                self._hint_u(k, row, values)
        if self.layer == "columns":
            for g, cols in enumerate(self.columns):
                key = tuple(
                    sorted((k, p, n) for k in self.cells_by_group[g] for p, n in counts[k].items())
                )
                for col, b in zip(cols, self.column_bool[g], strict=True):
                    values[b] = int(col.counts == key)
        for (g, p), t in self.team_var.items():
            members = sum(counts[k].get(p, 0) for k in self.cells_by_group[g])
            values[t] = -(-members // int(inst.pattern_tps_per_team[p]))
        for q in range(len(inst.reserves)):
            for d, ys in enumerate(self.reserve_y[q]):
                kept = int(assignment.reserves[q, d])
                for j, y in enumerate(ys):
                    values[y] = int(j < kept)
        evaluation = evaluate(inst, assignment)
        if self.with_harm:
            harm = evaluation.harm_district.tolist()
            for d, h in enumerate(self.harm_district):
                values[h] = harm[d]
            for q in range(len(inst.reserves)):
                for d, zs in enumerate(self.reserve_z[q]):
                    kept = int(assignment.reserves[q, d])
                    for j, z in zs:
                        values[z] = harm[d] if j < kept else 0
        if self.slacks:
            shortfall = shortfalls(inst, evaluation)
            for name, (s, _rupiah, _unit) in self.slacks.items():
                values[s] = shortfall.get(name, 0)
        return values

    def _hint_u(self, k: int, row: dict[int, int], values: dict[cp_model.IntVar, int]) -> None:
        if not self.u[k]:
            return
        inst = self.inst
        c = int(inst.cell_class[k])
        allowed = inst.allowed_by_harm(c)
        cumulative = 0
        it = iter(self.u[k])
        for j in range(len(allowed) - 1):
            cumulative += row[allowed[j]]
            if inst.residual[c, allowed[j + 1]] == inst.residual[c, allowed[j]]:
                continue
            u, _delta, pieces = next(it)
            values[u] = min(s * cumulative + b for s, b in pieces)

    # ------------------------------------------------------------------ solving
    def solve(
        self,
        settings: SolverSettings,
        log: Callable[[str], None] | None = None,
        hint: Assignment | None = None,
    ) -> ModelSolution:
        """Minimise harm within `settings.time_limit_s` (from `hint` when given)."""
        start = time.perf_counter()
        if hint is not None:
            self.hint(hint)
        self.model.minimize(self.objective)
        solver = cp_model.CpSolver()
        apply_settings(solver, settings, settings.time_limit_s, log)
        status = solver.solve(self.model)
        phase = _phase_report(f"harm/{self.layer}", solver, status, time.perf_counter() - start)
        result = ModelSolution(
            status=phase.status, assignment=None, bound=phase.bound, phases=[phase]
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return result
        if status == cp_model.OPTIMAL and solver.objective_value > solver.best_objective_bound:
            result.status = "FEASIBLE"  # stopped by relative_gap_limit, not proven
        result.objective = int(solver.value(self.objective))
        result.assignment = self.extract({v: int(solver.value(v)) for v in self._vars})
        return result

    def solve_cost(
        self,
        plan: Assignment,
        harm_value: int,
        settings: SolverSettings,
        log: Callable[[str], None] | None = None,
    ) -> tuple[Assignment | None, PhaseReport]:
        """The lexicographic tie-break: hold ``objective ≤ harm_value`` and minimise total
        cost, starting from `plan` (which must meet the hold)."""
        start = time.perf_counter()
        self.hint(plan)
        self.model.add(self.objective <= harm_value)
        self.model.minimize(self.cost)
        solver = cp_model.CpSolver()
        apply_settings(solver, settings, settings.time_limit_s, log, gap=False)
        status = solver.solve(self.model)
        phase = _phase_report(f"cost/{self.layer}", solver, status, time.perf_counter() - start)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return self.extract({v: int(solver.value(v)) for v in self._vars}), phase
        return None, phase

    def solve_slack(
        self, settings: SolverSettings, log: Callable[[str], None] | None = None
    ) -> tuple[str, dict[str, int]]:
        """Minimise the rupiah-equivalent shortfall; return status and shortfall per rule."""
        self.model.minimize(sum(rupiah * s for s, rupiah, _unit in self.slacks.values()))
        solver = cp_model.CpSolver()
        apply_settings(solver, settings, settings.time_limit_s, log)
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _status_name(status), {}
        return _status_name(status), {
            name: int(solver.value(s)) for name, (s, _r, _u) in self.slacks.items()
        }

    def extract(self, values: dict[cp_model.IntVar, int]) -> Assignment:
        """The plan: counts expanded per cell, heaviest TPS on the lowest-harm pattern."""
        inst = self.inst
        pattern = np.full(inst.n_tps, -1, dtype=np.int64)
        if self.layer == "per_tps":
            for i, row in self.tps_bool.items():
                for p, v in row.items():
                    if values[v]:
                        pattern[i] = p
        else:
            counts: list[dict[int, int]] = [{} for _ in range(inst.n_cells)]
            if self.layer == "counts":
                for k, row in enumerate(self.x):
                    counts[k] = {p: values[v] for p, v in row.items()}
            else:
                for g, cols in enumerate(self.columns):
                    for col, b in zip(cols, self.column_bool[g], strict=True):
                        if values[b]:
                            for k, p, n in col.counts:
                                counts[k][p] = n
            for k in range(inst.n_cells):
                tps = inst.cell_tps(k)
                at = 0
                for p in inst.allowed_by_harm(int(inst.cell_class[k])):
                    n = counts[k].get(p, 0)
                    pattern[tps[at : at + n]] = p
                    at += n
        reserves = np.zeros((len(inst.reserves), len(inst.district_names)), dtype=np.int64)
        for q in range(len(inst.reserves)):
            for d, ys in enumerate(self.reserve_y[q]):
                reserves[q, d] = sum(values[y] for y in ys)
        return Assignment(pattern=pattern, reserves=reserves)


def apply_settings(
    solver: cp_model.CpSolver,
    settings: SolverSettings,
    time_limit_s: float,
    log: Callable[[str], None] | None,
    gap: bool = True,
) -> None:
    """Every CP-SAT parameter in one place so runs record them identically."""
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, time_limit_s)
    params.num_workers = settings.workers
    params.random_seed = settings.seed
    if gap and settings.relative_gap_limit > 0:
        params.relative_gap_limit = settings.relative_gap_limit
    params.log_search_progress = settings.log_search_progress and log is not None
    params.log_to_stdout = False
    if log is not None:
        solver.log_callback = log


def shortfalls(instance: Instance, evaluation: Evaluation) -> dict[str, int]:
    """How far an evaluated plan exceeds each budget and availability rule, by rule name."""
    out: dict[str, int] = {}
    for rule in instance.rules():
        if rule.district is None:
            used = int(evaluation.personnel @ rule.per_agency)
        else:
            used = int(evaluation.personnel_district[:, rule.district] @ rule.per_agency)
        out[rule.name] = max(0, used - rule.limit)
    return out


def _pieces(weights: Sequence[int]) -> list[tuple[int, int]]:
    """Linear pieces (slope, intercept) of the concave prefix sum of sorted weights.

    Piece t is ``W(t) + w_{t+1} (X − t)``; a weight equal to the previous one gives the same
    line, so it is skipped.
    """
    pieces: list[tuple[int, int]] = []
    prefix = 0
    previous: int | None = None
    for t, w in enumerate(weights):
        if w != previous:
            pieces.append((w, prefix - t * w))
            previous = w
        prefix += w
    return pieces


def _status_name(status: Any) -> str:
    if status == cp_model.OPTIMAL:
        return "OPTIMAL"
    if status == cp_model.FEASIBLE:
        return "FEASIBLE"
    if status == cp_model.INFEASIBLE:
        return "INFEASIBLE"
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError("CP-SAT rejected the model as invalid (a bug in planner.opt.model)")
    return "UNKNOWN"


def _phase_report(
    phase: str, solver: cp_model.CpSolver, status: Any, seconds: float
) -> PhaseReport:
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return PhaseReport(
        phase=phase,
        status=_status_name(status),
        objective=round(solver.objective_value) if found else None,
        bound=math.floor(solver.best_objective_bound) if found else None,
        seconds=round(seconds, 3),
    )
