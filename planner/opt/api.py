"""`optimise`: scenario in, checked plan and solve report out (the Python API and the CLI).

    import planner
    result = planner.optimise("scenarios/balikpapan-2024.yaml", budgets={"police": 5e9},
                              time_limit_s=30)
    result.plan                    # planner.scenario.plan.Plan (None when infeasible)
    result.report["status"]        # OPTIMAL / FEASIBLE / INFEASIBLE / UNKNOWN
    result.report["cost_idr"]      # per agency and total

Every plan returned has passed the independent checker (`planner.opt.check`); the
policy-default plan (`baseline`) is scored with the same objective alongside.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.opt.check import (
    Assignment,
    Evaluation,
    assignment_from_plan,
    evaluate,
    plan_from_assignment,
)
from planner.opt.explain import Explanation, explain_infeasibility
from planner.opt.groups import Column
from planner.opt.instance import Instance, Resolution, build_instance
from planner.opt.limits import with_limits
from planner.opt.model import SolverSettings
from planner.opt.solve import PipelineSettings, Solution, phase_dicts, solve_instance
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario


@dataclass
class OptimiseResult:
    """A plan (or None), the report written as plan.json, and what produced them."""

    scenario: Scenario
    instance: Instance
    plan: Plan | None
    evaluation: Evaluation | None
    """The checker's evaluation of `plan`."""
    baseline: Evaluation
    """The checker's evaluation of the policy-default plan."""
    solution: Solution
    explanation: Explanation | None
    settings: SolverSettings
    log: list[str] = field(default_factory=list)
    """CP-SAT's search log and the pipeline's own lines."""

    @property
    def status(self) -> str:
        """OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN."""
        return self.solution.status

    @property
    def report(self) -> dict[str, Any]:
        """The solve report (the content of plan.json, DESIGN §5)."""
        return solve_report(self)


def optimise(
    scenario: Scenario | str | Path,
    budgets: Mapping[str, int | float | None] | None = None,
    available: Mapping[str, int | None] | None = None,
    time_limit_s: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    gap: float = 0.0,
    overrides: Sequence[str] = (),
    warm_start: Assignment | None = None,
    columns: Sequence[Column] = (),
    pipeline: PipelineSettings | None = None,
    on_log: Callable[[str], None] | None = None,
) -> OptimiseResult:
    """Optimise the deployment of a scenario under its (or the given) budgets.

    Parameters
    ----------
    scenario
        A loaded scenario or a path (then `overrides` are ``--set`` strings).
    budgets
        Rupiah by agency name or budget-line name (`planner.opt.limits`); None = unlimited.
    available
        Personnel available by agency; None = no limit.
    time_limit_s, workers, seed, gap
        CP-SAT time limit for the whole solve, search workers, random seed, and the relative
        gap at which to stop (0: prove optimality or use the whole time).
    warm_start, columns
        A plan (instance indices) and group configurations to start from; by default the
        policy-default plan.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, list(overrides))
    sc = with_limits(
        sc,
        {k: None if v is None else int(v) for k, v in (budgets or {}).items()},
        dict(available or {}),
    )
    instance = build_instance(sc, Resolution())
    baseline_assignment = assignment_from_plan(instance, default_plan(sc))
    baseline = evaluate(instance, baseline_assignment)
    settings = SolverSettings(
        time_limit_s=time_limit_s, workers=workers, seed=seed, relative_gap_limit=gap
    )
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if on_log is not None:
            on_log(line)

    hint = warm_start if warm_start is not None else baseline_assignment
    solution = solve_instance(
        instance, settings, hint=hint, columns=columns, pipeline=pipeline, log=log
    )
    plan = None
    evaluation = None
    explanation = None
    if solution.assignment is not None:
        evaluation = evaluate(instance, solution.assignment)
        if not evaluation.feasible:  # solve_instance checks already; never write a bad plan
            raise RuntimeError("checker rejected the plan: " + "; ".join(evaluation.violations))
        plan = plan_from_assignment(instance, solution.assignment, label="optimised")
    else:
        start = time.perf_counter()
        explanation = explain_infeasibility(
            instance,
            SolverSettings(time_limit_s=max(5.0, time_limit_s / 2), workers=workers, seed=seed),
        )
        log(
            f"[planner] shortfall relaxation {explanation.status} in "
            f"{time.perf_counter() - start:.2f} s"
        )
        if solution.status == "UNKNOWN" and explanation.shortfalls:
            solution.status = "INFEASIBLE"  # the relaxation proves no plan fits the limits
    return OptimiseResult(
        scenario=sc,
        instance=instance,
        plan=plan,
        evaluation=evaluation,
        baseline=baseline,
        solution=solution,
        explanation=explanation,
        settings=settings,
        log=lines,
    )


def check_plans(
    scenario: Scenario, plans: Sequence[Plan | None]
) -> tuple[Instance, list[Evaluation]]:
    """The checker's evaluation of each plan (None: the policy default) under the
    scenario's own rules, budgets and availability, as `optimise` scores plans.

    Raises `ScenarioError` when the instance cannot be built and ValueError when a plan
    does not fit the scenario (TPS count, pattern or reserve names)."""
    instance = build_instance(scenario, Resolution())
    evaluations = [
        evaluate(
            instance, assignment_from_plan(instance, default_plan(scenario) if p is None else p)
        )
        for p in plans
    ]
    return instance, evaluations


def solve_report(result: OptimiseResult) -> dict[str, Any]:
    """plan.json: status, objective, bound, gap, cost/budget/personnel per agency, solve
    seconds (DESIGN §5), reserves per kecamatan, TPS per pattern and class, the policy
    default for comparison, and how the solver got there."""
    inst = result.instance
    sol = result.solution
    agencies = inst.agency_names
    to_float = inst.objective_to_float
    ev = result.evaluation
    budget_of = {
        a: (
            None
            if inst.agency_line[i] < 0 or inst.line_budget_idr[inst.agency_line[i]] < 0
            else int(inst.line_budget_idr[inst.agency_line[i]])
        )
        for i, a in enumerate(agencies)
    }
    report: dict[str, Any] = {
        "scenario": result.scenario.name,
        "status": sol.status,
        "objective": None if sol.objective is None else to_float(sol.objective),
        "bound": None if sol.bound is None else to_float(sol.bound),
        "gap": sol.gap,
        "objective_unit": "weighted voters of residual harm (after reserves)",
        "cost_idr": None,
        "budget_idr": budget_of,
        "personnel": None,
        "available": {
            a: None if inst.available_total[i] < 0 else int(inst.available_total[i])
            for i, a in enumerate(agencies)
        },
        "budget_line_idr": {
            line: None if inst.line_budget_idr[b] < 0 else int(inst.line_budget_idr[b])
            for b, line in enumerate(inst.line_names)
        },
        "total_budget_idr": inst.total_budget_idr,
        "solve_seconds": round(sol.seconds, 3),
    }
    if ev is not None and result.plan is not None:
        report["cost_idr"] = {
            **{a: int(ev.cost_idr[i]) for i, a in enumerate(agencies)},
            "total": ev.cost_total_idr,
        }
        report["cost_by_budget_line_idr"] = {
            line: int(ev.cost_line_idr[b]) for b, line in enumerate(inst.line_names)
        }
        report["personnel"] = {a: int(ev.personnel[i]) for i, a in enumerate(agencies)}
        report["reserves"] = reserves_by_district(result.plan)
        report["tps_by_class_and_pattern"] = tps_by_class_and_pattern(inst, result.plan)
    base = result.baseline
    report["policy_default"] = {
        "objective": to_float(base.objective),
        "cost_idr": {
            **{a: int(base.cost_idr[i]) for i, a in enumerate(agencies)},
            "total": base.cost_total_idr,
        },
        "personnel": {a: int(base.personnel[i]) for i, a in enumerate(agencies)},
        "violations": list(base.violations),
    }
    if sol.objective is not None and base.objective > 0:
        report["harm_change_vs_default"] = sol.objective / base.objective - 1.0
    if result.explanation is not None:
        report["explanation"] = result.explanation.to_dict()
    decomposition = sol.decomposition
    report["solver"] = {
        "time_limit_s": result.settings.time_limit_s,
        "workers": result.settings.workers,
        "random_seed": result.settings.seed,
        "relative_gap_limit": result.settings.relative_gap_limit,
        "resolution": {
            "weight_scale": inst.resolution.weight_scale,
            "harm_scale": inst.resolution.harm_scale,
            "reduction_scale": inst.resolution.reduction_scale,
        },
        "harm_seconds": round(sol.harm_seconds, 3),
        "objective_units": sol.objective,
        "bound_units": sol.bound,
        "phases": phase_dicts(sol.phases),
        "column_generation": None
        if decomposition is None
        else {
            "rounds": decomposition.rounds,
            "converged": decomposition.converged,
            "bound": decomposition.bound,
            "columns": sum(len(c) for c in decomposition.columns),
            "seconds": round(decomposition.seconds, 3),
        },
        "counts_model": sol.model_size,
        "instance": {
            "tps": inst.n_tps,
            "sharing_groups": inst.n_groups,
            "cells": inst.n_cells,
            "kecamatan": len(inst.district_names),
        },
    }
    return report


def reserves_by_district(plan: Plan) -> dict[str, dict[str, int]]:
    """{kecamatan: {agency: teams}} (the key `planner.scenario.plan.read_plan` reads)."""
    out: dict[str, dict[str, int]] = {}
    for (district, agency), teams in sorted(plan.reserves.items()):
        out.setdefault(district, {})[agency] = int(teams)
    return out


def tps_by_class_and_pattern(instance: Instance, plan: Plan) -> dict[str, dict[str, int]]:
    """{class: {pattern: TPS}} in catalogue order."""
    out: dict[str, dict[str, int]] = {c: {} for c in instance.class_names}
    for c_code, pattern in zip(instance.tps_class.tolist(), plan.patterns, strict=True):
        row = out[instance.class_names[c_code]]
        row[pattern] = row.get(pattern, 0) + 1
    order = {name: p for p, name in enumerate(instance.pattern_names)}
    return {c: dict(sorted(row.items(), key=lambda kv: order[kv[0]])) for c, row in out.items()}
