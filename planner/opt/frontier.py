"""The budget frontier: residual harm against money, one optimisation per budget step.

Either one budget line is swept (``--agency police --from 4e9 --to 8e9``: the line paying the
agency, or a line by name) or every budget line with a budget is scaled together (no
``--agency``: ``--from``/``--to`` are factors, e.g. 0.5 to 1.5). Steps run from the smallest
budget up, each warm-started from the previous plan (still within the larger budget) and its
pool of group configurations.

Per step: status, objective, bound and gap, persons and cost per agency, TPS per pattern,
the marginal value of money (harm removed per added billion rupiah since the previous step),
and the share of TPS of each class at its standard pattern or better (a pattern whose
residual harm is at most the standard's); the first budget at which that share reaches 1 is
reported per class.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.errors import UserError
from planner.opt.api import OptimiseResult, optimise
from planner.opt.check import Assignment
from planner.opt.groups import Column
from planner.opt.limits import budget_line_of
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.terminal import format_table

BILLION = 1_000_000_000


SCALE_SWEPT = "all budgets (scale)"
"""`Frontier.swept` (frontier.json's ``swept``) of a sweep that scales every budget line by
one factor; otherwise ``swept`` names the budget line swept in rupiah."""


@dataclass
class FrontierPoint:
    """One step of the sweep."""

    label: float
    """The swept budget in rupiah, or the scale factor."""
    budgets: dict[str, int | None]
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    cost_idr: dict[str, int] | None
    personnel: dict[str, int] | None
    patterns: dict[str, int]
    share_standard: dict[str, float]
    seconds: float
    marginal_per_billion: float | None = None
    first_standard: list[str] = field(default_factory=list)
    plan: Plan | None = None
    """The step's plan (None when no plan fits the budget)."""


@dataclass
class Frontier:
    """The sweep and what it found."""

    swept: str
    """The budget line swept, or `SCALE_SWEPT`."""
    points: list[FrontierPoint]
    first_budget_at_standard: dict[str, float | None]
    agencies: tuple[str, ...]
    classes: tuple[str, ...]


def sweep_budgets(
    scenario: Scenario,
    agency: str | None,
    start: float,
    stop: float,
    steps: int,
    time_limit_s: float = 20.0,
    workers: int = 2,
    seed: int = 0,
    gap: float = 0.0,
    on_step: Callable[[FrontierPoint], None] | None = None,
) -> Frontier:
    """Optimise at `steps` budgets from `start` to `stop` (rupiah, or factors if `agency` is
    None) and collect the frontier."""
    if steps < 1:
        raise UserError("--steps must be at least 1", where="--steps")
    if start < 0 or stop < 0:
        raise UserError("--from and --to must be ≥ 0", where="--from/--to")
    sec = scenario.spec.security
    lines = sec.budgets_idr
    if agency is not None:
        line = budget_line_of(scenario, agency, "--agency")
        swept = line
    else:
        limited = {k: v for k, v in lines.items() if v is not None}
        if not limited:
            raise UserError(
                "no budget line has a budget to scale; give --agency with --from/--to in rupiah",
                where="--agency",
            )
        swept = SCALE_SWEPT
    values = sorted(np.linspace(min(start, stop), max(start, stop), steps).tolist())
    points: list[FrontierPoint] = []
    warm: Assignment | None = None
    pool: list[Column] = []
    previous: FrontierPoint | None = None
    reached: dict[str, float | None] = {}
    for value in values:
        if agency is not None:
            budgets: dict[str, int | None] = {swept: round(value)}
        else:
            budgets = {k: round(v * value) for k, v in lines.items() if v is not None}
        result = optimise(
            scenario,
            budgets=budgets,
            time_limit_s=time_limit_s,
            workers=workers,
            seed=seed,
            gap=gap,
            warm_start=warm,
            columns=pool,
        )
        point = _point(result, value, budgets)
        if previous is not None and previous.objective is not None and point.objective is not None:
            step_idr = rupiah_step(previous, point)
            if step_idr > 0:
                point.marginal_per_billion = (previous.objective - point.objective) / (
                    step_idr / BILLION
                )
        for cls, share in point.share_standard.items():
            if share >= 1.0 and reached.get(cls) is None:
                reached[cls] = value
                point.first_standard.append(cls)
        points.append(point)
        if on_step is not None:
            on_step(point)
        if result.solution.assignment is not None:
            warm = result.solution.assignment
            decomposition = result.solution.decomposition
            if decomposition is not None:
                pool = [c for group in decomposition.columns for c in group]
            previous = point
    classes = tuple(result.instance.class_names)
    return Frontier(
        swept=swept,
        points=points,
        first_budget_at_standard={c: reached.get(c) for c in classes},
        agencies=result.instance.agency_names,
        classes=classes,
    )


def rupiah_step(previous: FrontierPoint, point: FrontierPoint) -> float:
    """Rupiah added between two steps (over the budget lines both limit)."""
    total = 0.0
    for line, amount in point.budgets.items():
        before = previous.budgets.get(line)
        if amount is not None and before is not None:
            total += amount - before
    return total


def _point(result: OptimiseResult, value: float, budgets: dict[str, int | None]) -> FrontierPoint:
    report = result.report
    inst = result.instance
    share: dict[str, float] = {}
    patterns: dict[str, int] = {}
    if result.plan is not None:
        index = {name: p for p, name in enumerate(inst.pattern_names)}
        chosen = np.array([index[name] for name in result.plan.patterns], dtype=np.int64)
        residual = inst.residual[inst.tps_class, chosen]
        standard = inst.residual[inst.tps_class, inst.standard[inst.tps_class]]
        at_standard = residual <= standard
        for c, cls in enumerate(inst.class_names):
            mask = inst.tps_class == c
            if mask.any():
                share[cls] = float(at_standard[mask].mean())
        for name in result.plan.patterns:
            patterns[name] = patterns.get(name, 0) + 1
        patterns = {p: patterns[p] for p in inst.pattern_names if p in patterns}
    return FrontierPoint(
        label=value,
        budgets=budgets,
        status=report["status"],
        objective=report["objective"],
        bound=report["bound"],
        gap=report["gap"],
        cost_idr=report["cost_idr"],
        personnel=report["personnel"],
        patterns=patterns,
        share_standard=share,
        seconds=report["solve_seconds"],
        plan=result.plan,
    )


def frontier_csv(frontier: Frontier) -> str:
    """frontier.csv: one row per step."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    label = "budget_idr" if frontier.swept != SCALE_SWEPT else "budget_scale"
    writer.writerow(
        [
            label,
            "status",
            "objective",
            "bound",
            "gap",
            "cost_total_idr",
            *[f"personnel_{a}" for a in frontier.agencies],
            "patterns_used",
            "marginal_harm_per_billion_idr",
            *[f"share_standard_{c}" for c in frontier.classes],
            "classes_first_at_standard",
            "solve_seconds",
        ]
    )
    for p in frontier.points:
        writer.writerow(
            [
                _num(p.label),
                p.status,
                _opt(p.objective),
                _opt(p.bound),
                _opt(p.gap, 6),
                "" if p.cost_idr is None else p.cost_idr["total"],
                *["" if p.personnel is None else p.personnel[a] for a in frontier.agencies],
                ";".join(f"{k}:{v}" for k, v in p.patterns.items()),
                _opt(p.marginal_per_billion),
                *[_opt(p.share_standard.get(c), 4) for c in frontier.classes],
                ";".join(p.first_standard),
                f"{p.seconds:.2f}",
            ]
        )
    return out.getvalue()


def frontier_summary(frontier: Frontier) -> dict[str, Any]:
    """frontier.json: what was swept and the first budget at standard per class."""
    return {
        "swept": frontier.swept,
        "steps": len(frontier.points),
        "first_budget_at_standard": frontier.first_budget_at_standard,
        "statuses": [p.status for p in frontier.points],
    }


def format_frontier(frontier: Frontier) -> str:
    """The printed table."""
    scale = frontier.swept == SCALE_SWEPT
    rows = []
    main = "police" if "police" in frontier.agencies else frontier.agencies[0]
    for p in frontier.points:
        rows.append(
            [
                f"{p.label:.3g}" if scale else f"{p.label / BILLION:,.3f}",
                p.status,
                p.objective,
                None if p.gap is None else f"{p.gap:.3%}",
                None if p.personnel is None else p.personnel[main],
                p.marginal_per_billion,
                ", ".join(p.first_standard) or "",
            ]
        )
    head = "scale" if scale else "budget Rp bn"
    title = f"frontier: {frontier.swept}"
    table = format_table(
        [
            head,
            "status",
            "residual harm",
            "gap",
            f"{main} persons",
            "harm cut per +Rp 1 bn",
            "class reaches standard",
        ],
        rows,
        title=title,
    )
    firsts = ", ".join(
        f"{c} {'never' if v is None else (f'{v:.3g}' if scale else f'Rp {v:,.0f}')}"
        for c, v in frontier.first_budget_at_standard.items()
    )
    return table + "\nfirst budget at the standard pattern: " + firsts


def _opt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"
