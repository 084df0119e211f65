"""Which compared plans the deployment rules allow, and what the optimiser predicts of them.

`planner compare` simulates plans; whether a plan can be fielded at all is the optimiser's
question. Every compared plan goes through the optimiser's plan checker
(`planner.opt.api.check_plans`) under the scenario's own rules — policy, reserves, the
budget lines and personnel available — so a comparison against a plan the budget or the
personnel cannot field is named as such (a plan within the rules that simulates worse
than one breaking them is not a worse plan to choose).

The checker also gives each plan's objective, the residual harm the optimiser predicts in
units of its table. With the scenario's κ (``security.residual_harm_scale``, weighted
voters of sim_harm per unit, learnt by `planner calibrate`) the predicted difference of a
plan from the reference is ``κ × (objective_B − objective_A)``; it is set beside the
simulated paired difference of sim_harm and its 95% interval (issue 12 item 6: the two
should agree in sign and the prediction lie in the interval).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from planner.errors import ScenarioError
from planner.opt.api import check_plans
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario

HARM_METRIC = "sim_harm"
"""The simulated metric the optimiser's objective predicts."""


class PairedInterval(Protocol):
    """A paired difference B − A with its 95% interval (`planner.experiment.compare`)."""

    @property
    def mean(self) -> float: ...
    @property
    def ci95_low(self) -> float: ...
    @property
    def ci95_high(self) -> float: ...


Pairing = Callable[[Sequence[float], Sequence[float]], PairedInterval]
"""B − A over paired replications: ``pair(a, b)``."""


@dataclass(frozen=True)
class PlanCheck:
    """One plan under the scenario's rules (the checker's numbers)."""

    label: str
    violations: tuple[str, ...]
    personnel: dict[str, tuple[int, int | None]]
    """Persons needed and available (None: no limit) per agency."""
    cost_line_idr: dict[str, tuple[int, int | None]]
    """Rupiah charged and budget (None: unlimited) per budget line."""
    cost_lines_total_idr: int
    cost_total_idr: int
    objective_units: int
    objective: float
    """Residual harm after reserves, weighted voters in the table's units."""
    predicted_sim_harm: float | None
    """κ × objective: the sim_harm the optimiser predicts (None without κ)."""

    @property
    def rules_broken(self) -> list[str]:
        """The kinds of rule broken (policy, reserves, budget, availability), in order."""
        return list(dict.fromkeys(v.split(":", 1)[0] for v in self.violations))

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "within_rules": not self.violations,
            "rules_broken": self.rules_broken,
            "violations": list(self.violations),
            "personnel": {
                a: {"needed": n, "available": lim} for a, (n, lim) in self.personnel.items()
            },
            "cost_by_budget_line_idr": {
                line: {"cost": c, "budget": b} for line, (c, b) in self.cost_line_idr.items()
            },
            "cost_budget_lines_total_idr": self.cost_lines_total_idr,
            "cost_total_idr": self.cost_total_idr,
            "objective": self.objective,
            "objective_units": self.objective_units,
            "predicted_sim_harm": self.predicted_sim_harm,
        }


@dataclass(frozen=True)
class Prediction:
    """One plan against the reference: the optimiser's predicted and the simulated sim_harm
    difference."""

    label: str
    objective_difference: float
    predicted: float | None
    simulated: float
    ci95_low: float
    ci95_high: float

    @property
    def same_sign(self) -> bool | None:
        """Prediction and simulated mean on the same side of zero (None without κ)."""
        if self.predicted is None or math.isnan(self.simulated):
            return None
        return _sign(self.predicted) == _sign(self.simulated)

    @property
    def within_interval(self) -> bool | None:
        """The prediction inside the simulated 95% interval (None without κ)."""
        if self.predicted is None or math.isnan(self.simulated):
            return None
        return self.ci95_low <= self.predicted <= self.ci95_high

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "objective_difference": self.objective_difference,
            "predicted_sim_harm_difference": self.predicted,
            "simulated_sim_harm_difference": self.simulated,
            "ci95_low": self.ci95_low,
            "ci95_high": self.ci95_high,
            "same_sign": self.same_sign,
            "within_interval": self.within_interval,
        }


@dataclass(frozen=True)
class Unfieldable:
    """A plan within the rules that simulates significantly worse (the paired 95% interval
    above zero) than one that breaks them."""

    within: str
    breaking: str
    mean: float
    ci95_low: float
    ci95_high: float

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "within_rules": self.within,
            "breaks_rules": self.breaking,
            "sim_harm_difference": self.mean,
            "ci95_low": self.ci95_low,
            "ci95_high": self.ci95_high,
            "significant": self.ci95_low > 0,
        }


@dataclass(frozen=True)
class PlansChecked:
    """Every compared plan under the rules, the predictions, and the unfieldable pairs."""

    reference: str
    plans: list[PlanCheck]
    kappa: float | None
    predictions: list[Prediction]
    unfieldable: list[Unfieldable]
    unavailable: str | None = None
    """Why the checker could not run (then everything else is empty)."""

    def as_dict(self) -> dict[str, Any]:
        """compare.json's ``plans_checked``."""
        return {
            "checked": self.unavailable is None,
            "reason": self.unavailable,
            "reference": self.reference,
            "kappa_sim_harm_per_unit": self.kappa,
            "objective_unit": "weighted voters of residual harm (after reserves), table units",
            "plans": {p.label: p.as_dict() for p in self.plans},
            "predicted_vs_simulated": {p.label: p.as_dict() for p in self.predictions},
            "unfieldable_comparisons": [u.as_dict() for u in self.unfieldable],
        }

    def lines(self) -> list[str]:
        """Console lines: one per plan that breaks a rule, then the unfieldable pairs."""
        if self.unavailable is not None:
            return [f"plans not checked against the deployment rules: {self.unavailable}"]
        out = [
            f"{p.label} breaks {', '.join(p.rules_broken)}: {'; '.join(brief(p))}"
            for p in self.plans
            if p.violations
        ]
        out += [
            f"{u.within} keeps the rules but simulates {HARM_METRIC} {u.mean:+.1f} "
            f"({u.ci95_low:+.1f} … {u.ci95_high:+.1f}) against {u.breaking}, a plan the "
            "budget or personnel available cannot field"
            for u in self.unfieldable
        ]
        return out


def brief(check: PlanCheck) -> list[str]:
    """Each broken limit in numbers (``police 488 of 422 available``), then the checker's
    messages of the other rules."""
    out = [
        f"{agency} {needed:,} of {limit:,} available"
        for agency, (needed, limit) in check.personnel.items()
        if limit is not None and needed > limit
    ]
    out += [
        f"line {line} Rp {cost:,} of Rp {budget:,}"
        for line, (cost, budget) in check.cost_line_idr.items()
        if budget is not None and cost > budget
    ]
    numbered = ("availability: ", "budget: line ")
    out += [
        v
        for v in check.violations
        if not v.startswith(numbered)
        or (v.startswith("availability: ") and " in " in v.split(" needs ", 1)[0])
    ]
    return out


def check_compared(
    scenario: Scenario,
    plans: Sequence[Plan | None],
    labels: Sequence[str],
    harm_series: Sequence[Sequence[float]],
    pair: Pairing,
) -> PlansChecked:
    """Check every plan, predict each one's sim_harm difference from the first, and find the
    plans within the rules that simulate worse than one breaking them.

    `harm_series` holds each plan's sim_harm per replication (paired by index; empty when
    the metric is not measured); `pair` takes the paired difference (compare's)."""

    reference = labels[0]
    if len(plans) != len(labels):
        return PlansChecked(reference, [], None, [], [], unavailable="the plans were not kept")
    try:
        instance, evaluations = check_plans(scenario, plans)
    except (ScenarioError, ValueError) as exc:
        return PlansChecked(reference, [], None, [], [], unavailable=str(exc))
    kappa = scenario.spec.security.residual_harm_scale
    agencies = instance.agency_names
    checks: list[PlanCheck] = []
    for label, ev in zip(labels, evaluations, strict=True):
        objective = instance.objective_to_float(ev.objective)
        checks.append(
            PlanCheck(
                label=label,
                violations=ev.violations,
                personnel={
                    a: (int(ev.personnel[i]), _limit(int(instance.available_total[i])))
                    for i, a in enumerate(agencies)
                },
                cost_line_idr={
                    line: (int(ev.cost_line_idr[b]), _limit(int(instance.line_budget_idr[b])))
                    for b, line in enumerate(instance.line_names)
                },
                cost_lines_total_idr=int(ev.cost_line_idr.sum()),
                cost_total_idr=ev.cost_total_idr,
                objective_units=ev.objective,
                objective=objective,
                predicted_sim_harm=None if kappa is None else kappa * objective,
            )
        )
    measured = all(len(s) > 0 for s in harm_series)
    predictions: list[Prediction] = []
    unfieldable: list[Unfieldable] = []
    if measured:
        for k in range(1, len(checks)):
            delta = instance.objective_to_float(evaluations[k].objective - evaluations[0].objective)
            d = pair(harm_series[0], harm_series[k])
            predictions.append(
                Prediction(
                    label=labels[k],
                    objective_difference=delta,
                    predicted=None if kappa is None else predicted_difference(kappa, delta),
                    simulated=d.mean,
                    ci95_low=d.ci95_low,
                    ci95_high=d.ci95_high,
                )
            )
        for good in checks:
            if good.violations:
                continue
            for bad in checks:
                if not bad.violations:
                    continue
                g = labels.index(good.label)
                b = labels.index(bad.label)
                d = pair(harm_series[b], harm_series[g])
                if d.ci95_low > 0:  # only a significant excess is reported as "worse"
                    unfieldable.append(
                        Unfieldable(good.label, bad.label, d.mean, d.ci95_low, d.ci95_high)
                    )
    return PlansChecked(reference, checks, kappa, predictions, unfieldable)


def predicted_difference(kappa: float, objective_difference: float) -> float:
    """The sim_harm difference the optimiser predicts: κ × the objective difference."""
    return kappa * objective_difference


def _limit(value: int) -> int | None:
    return None if value < 0 else value


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)
