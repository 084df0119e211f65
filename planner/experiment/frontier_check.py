"""The budget frontier checked by simulation (``planner frontier --simulate -r N``).

The optimiser's frontier predicts how much residual harm each added rupiah removes, from its
residual-harm table. Here every step's plan is simulated on the same polling days (common
random numbers: every plan meets the same voters, attempts and incidents), so the harm the
simulation leaves (`sim_harm`, planner/sim/harm.py) is compared step by step with a paired
interval: "harm removed per Rp 1 bn" is shown both as predicted (the optimiser's objective,
in its table's units) and as simulated (sim_harm, weighted voters and minutes), with the
simulated figure's 95% interval. Where the two disagree in sign, the optimiser's table is
wrong for that step — the question issue 12 item 6 answers by learning the table.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

from planner.experiment.compare import CompareResult, Difference, compare_plans, paired_difference
from planner.experiment.executors import Executor
from planner.experiment.stats import mean_interval
from planner.opt.frontier import BILLION, Frontier, FrontierPoint, rupiah_step
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.metrics import ATTEMPT_METRICS

CHECKED = ("sim_harm", "incidents_total")
"""The simulated metrics of every step paired against the previous step: the harm measure
and the incidents that started."""
ALSO_MEANS = ATTEMPT_METRICS
"""What security did at each step (means per day; the report's security section)."""


@dataclass
class SimulatedStep:
    """One feasible step of the frontier as the simulation sees it."""

    point: FrontierPoint
    label: str
    means: dict[str, float]
    """Mean per replication of each `CHECKED` metric."""
    vs_previous: dict[str, Difference] | None
    """This step − the previous feasible step, paired by replication (None for the first)."""
    step_idr: float | None
    """Rupiah added since the previous feasible step."""

    def removed_per_billion(self) -> tuple[float, float, float] | None:
        """Simulated harm removed per added Rp 1 bn: (mean, 95% low, 95% high), or None."""
        if self.vs_previous is None or not self.step_idr or self.step_idr <= 0:
            return None
        d = self.vs_previous["sim_harm"]
        scale = BILLION / self.step_idr
        return (-d.mean * scale, -d.ci95_high * scale, -d.ci95_low * scale)


@dataclass
class SimulatedFrontier:
    """The frontier, its plans simulated on common days, and the step-by-step differences."""

    frontier: Frontier
    compare: CompareResult
    steps: list[SimulatedStep]

    def summary(self) -> dict[str, Any]:
        """The ``simulated`` part of frontier.json."""
        rows = []
        for s in self.steps:
            removed = s.removed_per_billion()
            rows.append(
                {
                    "budget": s.point.label,
                    "plan": s.label,
                    "means": s.means,
                    "vs_previous": None
                    if s.vs_previous is None
                    else {m: d.as_dict() for m, d in s.vs_previous.items()},
                    "step_idr": s.step_idr,
                    "predicted_harm_cut_per_billion": s.point.marginal_per_billion,
                    "simulated_harm_cut_per_billion": None
                    if removed is None
                    else {"mean": removed[0], "ci95_low": removed[1], "ci95_high": removed[2]},
                }
            )
        return {
            "replications": self.compare.replications,
            "seed": self.compare.seed,
            "metrics": list(CHECKED),
            "steps": rows,
            "disagreements": self.disagreements(),
        }

    def disagreements(self) -> list[str]:
        """Steps where the optimiser predicts harm removed but the simulation shows, with a
        significant paired difference, harm added (or the reverse)."""
        out = []
        for s in self.steps:
            removed = s.removed_per_billion()
            predicted = s.point.marginal_per_billion
            if removed is None or predicted is None or s.vs_previous is None:
                continue
            if not s.vs_previous["sim_harm"].significant:
                continue
            if (predicted > 0) != (removed[0] > 0):
                out.append(s.label)
        return out

    def to_csv(self) -> str:
        """frontier_simulated.csv: one row per feasible step."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        header = ["budget", "plan"]
        for m in CHECKED:
            header += [f"{m}_mean", f"{m}_diff_prev", f"{m}_diff_prev_ci95_low",
                       f"{m}_diff_prev_ci95_high", f"{m}_diff_prev_significant"]
        also = [m for m in ALSO_MEANS if self.steps and m in self.steps[0].means]
        header += [f"{m}_mean" for m in also]
        header += ["step_idr", "predicted_harm_cut_per_billion", "simulated_harm_cut_per_billion",
                   "simulated_harm_cut_per_billion_ci95_low",
                   "simulated_harm_cut_per_billion_ci95_high"]
        writer.writerow(header)
        for s in self.steps:
            row: list[Any] = [_num(s.point.label), s.label]
            for m in CHECKED:
                d = None if s.vs_previous is None else s.vs_previous[m]
                row += [_num(s.means[m])]
                row += ["", "", "", ""] if d is None else [
                    _num(d.mean), _num(d.ci95_low), _num(d.ci95_high), int(d.significant)]
            removed = s.removed_per_billion()
            row += [_num(s.means[m]) for m in also]
            row += ["" if s.step_idr is None else _num(s.step_idr),
                    "" if s.point.marginal_per_billion is None
                    else _num(s.point.marginal_per_billion)]
            row += ["", "", ""] if removed is None else [_num(v) for v in removed]
            writer.writerow(row)
        return out.getvalue()


def simulate_frontier(
    scenario: Scenario,
    frontier: Frontier,
    replications: int,
    seed: int,
    executor: Executor,
    progress: Any = None,
) -> SimulatedFrontier:
    """Simulate every feasible step's plan on the same `replications` days and pair each
    step with the previous feasible one."""
    from planner.errors import UserError

    feasible = [p for p in frontier.points if p.plan is not None]
    if not feasible:
        raise UserError(
            "no step of the sweep has a plan to simulate; raise --to (the infeasibility "
            "message of `planner optimise` names the least budget that fits)",
            where="--simulate",
        )
    labels = [f"step{k + 1}" for k, p in enumerate(frontier.points) if p.plan is not None]
    plans: list[Plan | None] = [
        Plan(p.plan.patterns, p.plan.reserves, label)
        for p, label in zip(feasible, labels, strict=True)
        if p.plan is not None
    ]
    result = compare_plans(scenario, plans, labels, replications, seed, executor,
                           progress=progress)
    steps: list[SimulatedStep] = []
    for k, (point, label) in enumerate(zip(feasible, labels, strict=True)):
        means = {
            m: mean_interval(result.series(k, m)).mean
            for m in (*CHECKED, *ALSO_MEANS)
            if m in result.metric_names()
        }
        vs = None
        step_idr = None
        if k > 0:
            vs = {m: paired_difference(result.series(k - 1, m), result.series(k, m))
                  for m in CHECKED}
            step_idr = rupiah_step(feasible[k - 1], point)
        steps.append(SimulatedStep(point, label, means, vs, step_idr))
    return SimulatedFrontier(frontier, result, steps)


def format_simulated(simulated: SimulatedFrontier) -> str:
    """The printed table of ``frontier --simulate``."""
    from planner.terminal import format_table

    scale = simulated.frontier.swept == "all budgets (scale)"

    def budget(value: float) -> str:
        return f"{value:.3g}" if scale else f"{value / BILLION:,.3f}"

    def signed(value: float) -> str:
        return f"{value + 0.0:+,.1f}"

    rows = []
    for s in simulated.steps:
        d = None if s.vs_previous is None else s.vs_previous["sim_harm"]
        removed = s.removed_per_billion()
        rows.append([
            s.label,
            budget(s.point.label),
            f"{s.means['sim_harm']:,.1f}",
            f"{s.means['incidents_total']:,.2f}",
            "" if d is None else f"{signed(d.mean)} ({signed(d.ci95_low)} … {signed(d.ci95_high)})"
            + (" *" if d.significant else ""),
            "" if s.point.marginal_per_billion is None else f"{s.point.marginal_per_billion:,.1f}",
            "" if removed is None
            else f"{removed[0] + 0.0:,.1f} ({removed[1] + 0.0:,.1f} … {removed[2] + 0.0:,.1f})",
        ])
    title = (f"simulated on {simulated.compare.replications} common days "
             f"(seed {simulated.compare.seed}); * significant")
    table = format_table(
        ["step", "scale" if scale else "budget Rp bn", "sim_harm", "incidents",
         "sim_harm vs previous (95%)", "predicted cut / Rp 1 bn", "simulated cut / Rp 1 bn (95%)"],
        rows,
        title=title,
    )
    off = simulated.disagreements()
    note = ("prediction and simulation agree in sign wherever the simulated difference is "
            "significant" if not off else
            f"prediction and simulation disagree in sign at {', '.join(off)} (significant)")
    return f"{table}\n{note}"


def _num(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def frontier_json(result: Frontier | SimulatedFrontier) -> dict[str, Any]:
    """frontier.json: the sweep's summary, with the simulated check when there is one."""
    from planner.opt.frontier import frontier_summary

    if isinstance(result, SimulatedFrontier):
        return {**frontier_summary(result.frontier), "simulated": result.summary()}
    return frontier_summary(result)
