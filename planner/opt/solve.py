"""The solve pipeline: bound and columns, a rounded plan, CP-SAT to improve and prove, cost.

1. **Column generation** (`planner.opt.decompose`, at most `bound_share` of the time): the
   Dantzig–Wolfe bound over sharing groups (valid, and 1–2% above the plain LP bound on real
   instances), a pool of good group configurations, one Lagrangian cut per group. The
   policy-default plan's configurations seed the pool (the warm start); each group's
   optimum at the final prices with persons also priced at their cost joins the pool (the
   cheaper of nearly equal configurations, for the cost tie-break).
2. **Rounding** (`planner.opt.rounding`): the master LP's solution rounded to a plan, repaired
   if a rule breaks, leftover budget spent greedily, cost trimmed where harm does not rise.
3. **Restricted master** (CP-SAT on the pool, layer "columns", up to `MASTER_MAX_GROUPS`
   groups), hinted with the rounded plan: one configuration per group and the reserves under
   every rule.
4. **Counts model with the cuts** (CP-SAT, layer "counts", up to `COUNTS_MODEL_MAX_TPS` TPS),
   hinted with the best plan: the complete model; it proves optimality on city-sized
   instances.
5. **Cost** (CP-SAT, counts or columns layer): harm held at the best value, total cost
   minimised (the lexicographic tie-break).

The bound reported is the larger of the Dantzig–Wolfe bound (less a 1e-7 relative margin for
LP tolerances) and CP-SAT's own; OPTIMAL means CP-SAT proved it or the bound meets the
objective. Every plan is checked (`planner.opt.check`) as soon as it is found.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.opt.check import Assignment, evaluate
from planner.opt.decompose import Decomposition, columns_from_pattern, decompose
from planner.opt.groups import Column
from planner.opt.instance import Instance
from planner.opt.model import DeploymentModel, PhaseReport, SolverSettings
from planner.opt.pricing import columns_of, price_all
from planner.opt.rounding import round_master

_logger = logging.getLogger(__name__)

LP_MARGIN = 1e-7
"""Relative margin taken off the Dantzig–Wolfe bound (GLOP's tolerances)."""

COUNTS_MODEL_MAX_TPS = 2_500
"""Above this many TPS the counts model is skipped: CP-SAT's presolve of its piecewise harm
alone takes seconds and its bound stays below the Dantzig–Wolfe bound within minutes, while
the restricted master is already within 0.02% (measured on Kaltim, 6,274 TPS)."""

MASTER_MAX_GROUPS = 20_000
"""Above this many sharing groups CP-SAT is not run on the restricted master (on a national
instance, 70,000 groups, it improves nothing in minutes); the rounded LP plan stands."""


@dataclass(frozen=True)
class PipelineSettings:
    """How the time limit is shared between the steps."""

    bound_share: float = 0.4
    """Most of the time limit column generation may use."""
    master_share: float = 0.2
    """Most of the time limit the restricted master may use."""
    cost_share: float = 0.15
    """Share of the time limit kept for the cost tie-break."""
    use_decomposition: bool = True
    """Run steps 1–2 (off: CP-SAT counts model alone, for the benchmark)."""
    use_counts_model: bool = True
    """Run step 3."""
    use_cuts: bool = True
    """Add the Lagrangian cuts to the counts model."""


@dataclass
class Solution:
    """The pipeline's result in instance indices."""

    status: str
    assignment: Assignment | None
    objective: int | None
    """Objective of the plan, recomputed by the checker (objective units)."""
    bound: int | None
    seconds: float
    phases: list[PhaseReport] = field(default_factory=list)
    decomposition: Decomposition | None = None
    model_size: dict[str, int] = field(default_factory=dict)
    harm_seconds: float = 0.0
    """When the harm objective was settled (before the cost tie-break)."""

    @property
    def gap(self) -> float | None:
        """(objective − bound) / objective, None without both."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective <= 0:
            return 0.0 if self.bound >= self.objective else None
        return max(0.0, (self.objective - self.bound) / self.objective)


def solve_instance(
    instance: Instance,
    settings: SolverSettings,
    hint: Assignment | None = None,
    columns: Sequence[Column] = (),
    pipeline: PipelineSettings | None = None,
    log: Callable[[str], None] | None = None,
) -> Solution:
    """Run the pipeline within `settings.time_limit_s` and return the best plan found."""
    steps = pipeline or PipelineSettings()
    start = time.perf_counter()
    limit = settings.time_limit_s

    def left() -> float:
        return limit - (time.perf_counter() - start)

    say = log or (lambda _line: None)
    phases: list[PhaseReport] = []
    best: Assignment | None = None
    best_value: int | None = None
    bound: int | None = None
    decomposition: Decomposition | None = None
    model_size: dict[str, int] = {}
    proven_infeasible = False
    proven_optimal = False

    def consider(candidate: Assignment | None) -> None:
        nonlocal best, best_value
        if candidate is None:
            return
        evaluation = evaluate(instance, candidate)
        if not evaluation.feasible:
            raise RuntimeError(
                "the optimiser produced a plan the checker rejects: "
                + "; ".join(evaluation.violations[:3])
            )
        if best_value is None or evaluation.objective < best_value:
            best, best_value = candidate, evaluation.objective

    def gap_met() -> bool:
        if best_value is None or bound is None:
            return False
        if bound >= best_value:
            return True
        return settings.relative_gap_limit > 0 and (
            best_value - bound <= settings.relative_gap_limit * abs(best_value)
        )

    if steps.use_decomposition:
        seeds = list(columns)
        if hint is not None:
            seeds += columns_from_pattern(instance, hint.pattern)
        say(f"[planner] column generation (up to {limit * steps.bound_share:.1f} s)")
        decomposition = decompose(instance, limit * steps.bound_share, initial=seeds)
        if decomposition.bound is not None:
            bound = math.floor(decomposition.bound - LP_MARGIN * abs(decomposition.bound))
        say(
            f"[planner] column generation: {decomposition.rounds} rounds, "
            f"{sum(len(c) for c in decomposition.columns)} columns, bound {bound}, "
            f"converged {decomposition.converged}, {decomposition.seconds:.2f} s"
        )
        if decomposition.priced_out and decomposition.slack_total >= 0.2:
            # No column prices out yet slack remains: even the convexified problem has no
            # point within the rules (see Decomposition.slack_total).
            proven_infeasible = True
        pool = _pool_with_tie_breaks(instance, decomposition)
        if not proven_infeasible:
            consider(round_master(instance, decomposition, pool))
            say(f"[planner] rounded master LP: objective {best_value}")
        master_time = min(limit * steps.master_share, left() - limit * steps.cost_share)
        if (
            instance.n_groups <= MASTER_MAX_GROUPS
            and master_time > 0.05
            and not gap_met()
            and not proven_infeasible
        ):
            master = DeploymentModel(instance, layer="columns", columns=pool)
            result = master.solve(
                _with_time(settings, master_time), log=_prefixed(log, "[master] "), hint=best
            )
            phases.extend(result.phases)
            consider(result.assignment)
    if (
        steps.use_counts_model
        and instance.n_tps <= COUNTS_MODEL_MAX_TPS
        and not gap_met()
        and not proven_infeasible
        and left() - limit * steps.cost_share > 0.05
    ):
        cuts = decomposition.cuts if (decomposition and steps.use_cuts) else []
        model = DeploymentModel(instance, layer="counts", cuts=cuts)
        say(
            f"[planner] counts model: {model.n_variables} variables, "
            f"{model.n_constraints} constraints, {len(cuts)} cuts, "
            f"built in {model.build_seconds:.2f} s"
        )
        result = model.solve(
            _with_time(settings, left() - limit * steps.cost_share),
            log=_prefixed(log, "[counts] "),
            hint=best if best is not None else hint,
        )
        model_size = {"variables": model.n_variables, "constraints": model.n_constraints}
        phases.extend(result.phases)
        consider(result.assignment)
        if result.bound is not None:
            bound = result.bound if bound is None else max(bound, result.bound)
        proven_optimal = result.status == "OPTIMAL"
        proven_infeasible = proven_infeasible or result.status == "INFEASIBLE"
    harm_seconds = time.perf_counter() - start
    if best is not None and best_value is not None and left() > 0.05:
        if instance.n_tps <= COUNTS_MODEL_MAX_TPS or decomposition is None:
            cost_model = DeploymentModel(instance, layer="counts")
        elif instance.n_groups <= MASTER_MAX_GROUPS:
            cost_model = DeploymentModel(
                instance, layer="columns", columns=_with_plan(instance, pool, best)
            )
        else:
            cost_model = None
        if cost_model is not None:
            # The tie-break gets its share of the limit, but no more than the harm took (at
            # least 2 s): it refines a secondary objective and rarely proves it.
            cost_time = min(left(), limit * steps.cost_share, max(2.0, harm_seconds))
            cheaper, phase = cost_model.solve_cost(
                best, best_value, _with_time(settings, cost_time), log=_prefixed(log, "[cost] ")
            )
            phases.append(phase)
            if cheaper is not None:
                check = evaluate(instance, cheaper)
                if not check.feasible or check.objective > best_value:
                    raise RuntimeError("the cost tie-break produced a worse or infeasible plan")
                best, best_value = cheaper, check.objective
    if best is not None and best_value is not None:
        if bound is not None:
            bound = min(bound, best_value)
        status = (
            "OPTIMAL"
            if proven_optimal or (bound is not None and bound >= best_value)
            else ("FEASIBLE")
        )
    elif proven_infeasible:
        status = "INFEASIBLE"
    else:
        status = "UNKNOWN"
    return Solution(
        status=status,
        assignment=best,
        objective=best_value,
        bound=bound if best is not None else None,
        seconds=time.perf_counter() - start,
        phases=phases,
        decomposition=decomposition,
        model_size=model_size,
        harm_seconds=harm_seconds,
    )


def _pool_with_tie_breaks(instance: Instance, decomposition: Decomposition) -> list[list[Column]]:
    """The column pool plus, per group, its optimum at the last prices with every person
    also priced at what it costs: the cheapest of (nearly) equally good configurations,
    which the cost tie-break needs."""
    pool = [list(c) for c in decomposition.columns]
    if decomposition.prices is None:
        return pool
    factor = np.full(instance.n_groups, instance.resolution.reduction_scale, dtype=np.int64)
    price = np.rint(decomposition.prices + instance.agency_cost_idr[None, :]).astype(np.int64)
    priced = price_all(instance, factor, price)
    for column in columns_of(instance, priced, np.arange(instance.n_groups)):
        if column.counts not in {c.counts for c in pool[column.group]}:
            pool[column.group].append(column)
    return pool


def _with_plan(
    instance: Instance, columns: list[list[Column]], plan: Assignment
) -> list[list[Column]]:
    """The column pool with the plan's own configuration in every group."""
    pool = [list(c) for c in columns]
    for column in columns_from_pattern(instance, plan.pattern):
        if column.counts not in {c.counts for c in pool[column.group]}:
            pool[column.group].append(column)
    return pool


def _with_time(settings: SolverSettings, time_s: float) -> SolverSettings:
    from dataclasses import replace

    return replace(settings, time_limit_s=max(0.05, time_s))


def _prefixed(log: Callable[[str], None] | None, prefix: str) -> Callable[[str], None] | None:
    if log is None:
        return None
    sink = log

    def emit(line: str) -> None:
        for part in line.splitlines() or [""]:
            sink(prefix + part)

    return emit


def phase_dicts(phases: Sequence[PhaseReport]) -> list[dict[str, Any]]:
    """Phases as plain dicts (for plan.json)."""
    return [
        {
            "phase": p.phase,
            "status": p.status,
            "objective": p.objective,
            "bound": p.bound,
            "seconds": p.seconds,
        }
        for p in phases
    ]
