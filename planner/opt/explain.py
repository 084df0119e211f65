"""Why no plan exists: the rules that bind and the least extra that makes a plan possible.

When no plan meets the policy (allowed patterns per class, minimum reserves) within budgets
and availability, the same model is solved with every budget and availability rule relaxed
by a non-negative shortfall variable, minimising the total shortfall in rupiah (a person
short counts at what that person costs the agency, so money and personnel compare). The
rules whose shortfall is positive in that solution are the ones that bind; their shortfalls
together are the least extra budget and personnel (in that rupiah-equivalent sense) with
which a plan exists. When a single rule binds, the amount is exactly the least extra for
that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.opt.instance import Instance, Rule
from planner.opt.model import DeploymentModel, SolverSettings


@dataclass(frozen=True)
class Shortfall:
    """One binding rule and how much more it needs."""

    rule: str
    """``budget:LINE``, ``budget:total``, ``available:AGENCY`` or ``available:AGENCY:KEC``."""
    subject: str
    """What the rule limits, in words."""
    limit: int
    extra: int
    unit: str
    """"rupiah" or "persons"."""

    @property
    def needed(self) -> int:
        """The limit that would make a plan possible (with the other shortfalls met)."""
        return self.limit + self.extra

    def sentence(self) -> str:
        """One line: what is short, by how much."""
        if self.unit == "rupiah":
            return (
                f"{self.subject} Rp {self.limit:,} is Rp {self.extra:,} short "
                f"(needs at least Rp {self.needed:,})"
            )
        return (
            f"{self.subject} {self.limit:,} persons is {self.extra:,} short "
            f"(needs at least {self.needed:,})"
        )

    def to_dict(self) -> dict[str, Any]:
        """For plan.json."""
        return {
            "rule": self.rule,
            "subject": self.subject,
            "limit": self.limit,
            "extra": self.extra,
            "needed": self.needed,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Explanation:
    """The outcome of the shortfall relaxation."""

    status: str
    """CP-SAT status of the relaxation (OPTIMAL: the amounts are least)."""
    shortfalls: tuple[Shortfall, ...]

    @property
    def plan_exists(self) -> bool:
        """True when no rule needs more (the plan exists; the search ran out of time)."""
        return self.status in ("OPTIMAL", "FEASIBLE") and not self.shortfalls

    def message(self) -> str:
        """The one-line explanation printed on exit 2."""
        if self.plan_exists:
            return (
                "a plan exists within budgets and availability but none was found in the time "
                "limit; raise --time-limit"
            )
        if not self.shortfalls:
            return (
                "no plan was found and the shortfall could not be computed in the time limit; "
                "raise --time-limit"
            )
        least = "least" if self.status == "OPTIMAL" else "a sufficient"
        parts = "; ".join(s.sentence() for s in self.shortfalls)
        return (
            f"no plan meets the policy (allowed patterns per class, minimum reserves) within "
            f"budgets and availability: {parts} — the {least} extra that makes a plan possible"
        )

    def to_dict(self) -> dict[str, Any]:
        """For plan.json."""
        return {
            "status": self.status,
            "plan_exists": self.plan_exists,
            "message": self.message(),
            "shortfalls": [s.to_dict() for s in self.shortfalls],
        }


def explain_infeasibility(instance: Instance, settings: SolverSettings) -> Explanation:
    """Solve the shortfall relaxation and list the binding rules with their extra need."""
    model = DeploymentModel(instance, slack=True, with_harm=False)
    status, slack = model.solve_slack(settings)
    rules = {rule.name: rule for rule in instance.rules()}
    shortfalls = tuple(
        Shortfall(
            rule=name,
            subject=_subject(instance, rules[name]),
            limit=rules[name].limit,
            extra=amount,
            unit=rules[name].unit,
        )
        for name, amount in slack.items()
        if amount > 0
    )
    return Explanation(status=status, shortfalls=shortfalls)


def _subject(instance: Instance, rule: Rule) -> str:
    kind, _, rest = rule.name.partition(":")
    if kind == "budget":
        if rest == "total":
            return "the total budget"
        b = instance.line_names.index(rest)
        payers = [
            a
            for a, line in zip(instance.agency_names, instance.agency_line.tolist(), strict=True)
            if line == b
        ]
        return f"budget line {rest} ({', '.join(payers) or 'no agency'})"
    agency, _, district = rest.partition(":")
    if district:
        return f"{agency} available in {district}"
    return f"{agency} available"
