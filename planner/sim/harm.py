"""The harm a deployment actually left on a simulated day, per TPS, weighted as the objective.

The optimiser scores a plan by ``Σ_i w_i × r(class_i, pattern_i)`` (less what reserves
remove), with ``w_i = class weight × voters × (1 + indicator_weight × indicators)`` the harm
at stake at TPS i and ``r`` the share of it a pattern leaves (`planner.opt.instance`). The
simulation shows the harm actually left: incidents no adequate responder settled, incidents
that escalated, voting suspended, re-votes risked, and the time incidents waited for a
responder. This module turns those per-TPS outcomes
of the *security* response (the medical answer to KPPS health events is not the deployment's
job) into one harm index per TPS, in "polling days lost":

    e_i = revote_risk_i + (suspended_min_i + 0.5 × waiting_min_i) / voting window
          + 0.1 × escalations_i + 0.2 × unresolved_i + 0.2 × undetected_i

(``waiting_min``: minutes from each incident that KPPS and linmas could not settle until a
responder arrived, or until the counting deadline when none came). The waiting term is what
a deployment changes most directly: in a compact city responders arrive within the
30-minute escalation limit, so escalations, and the suspensions and re-vote risk they add,
hardly differ between plans, while response times do.

and the simulated harm of a day ``Σ_i voters_i × (1 + indicator_weight × indicators_i) × e_i``
in weighted voters, like the objective. The class weight is left out on purpose: it stands
for the higher incident burden of a vulnerable class, which the simulation produces itself
(its incident rates are scaled by the same class ratios, docs/model-incidents.md), so
counting it again would weigh a sangat-rawan incident twice.

(``undetected_i``: fraud at the TPS nobody caught, at once or at counting —
`planner.sim.deterrence`; it stands in the count.) Deterrence enters through what did
not happen: a prevented attempt adds nothing, a displaced one adds its harm where it went.

The weights of the parts are `HarmWeights` (est., reasoning on each field); they are the one
modelling choice of the ``sim_harm`` metric that every simulated day reports (with its parts,
`harm_metrics`) and that the sim–opt loop (`planner.experiment.loop`) minimises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.resolved import Scenario

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

HARM_COLUMNS: tuple[str, ...] = (
    "harm_incidents",
    "harm_unresolved",
    "harm_escalated",
    "harm_suspended_min",
    "harm_waiting_min",
    "harm_revote_risk",
    "harm_undetected",
    "harm_index",
)
"""Per-TPS columns a harm-measuring task adds to its result (means over replications end up
in per_tps.csv)."""

HARM_METRIC = "sim_harm"
"""The scalar metric: simulated harm left of the day, weighted voters."""


@dataclass(frozen=True)
class HarmWeights:
    """Weights of the parts of the per-TPS harm index, in polling days lost (est.)."""

    revote: float = 1.0
    """Per unit of re-vote risk: a re-vote repeats the TPS's whole polling day (the unit)."""
    suspension_per_window: float = 1.0
    """Per voting window of suspension (a suspended minute counts 1 / (close − open)): the
    share of the day's voting time lost."""
    waiting_per_window: float = 0.5
    """Per voting window an incident waits for a responder (est.: the TPS is disturbed but
    voting goes on unless the incident's own effect stops it, which counts as suspension;
    half a suspended minute)."""
    escalation: float = 0.1
    """Per escalated incident (est.): about what the suspension an escalation causes costs
    already (15–60 min, mean 37 min ≈ 0.1 of a 6-hour window), so the disorder itself
    weighs as much as the delay it brings."""
    unresolved: float = 0.2
    """Per incident no adequate responder settled before the counting deadline (est.: twice
    an escalation: it stays open into the count, where objections and recounts follow)."""
    undetected: float = 0.2
    """Per fraud nobody detected (est.: like an unresolved incident it stays uncorrected,
    and unlike one it also changes the count; a single bought or doubled vote rarely decides
    a TPS, so no more than an unresolved incident)."""


def tps_stakes(scenario: Scenario) -> FloatArray:
    """Voters at stake per TPS: ``voters × (1 + indicator_weight × indicators)`` (the
    objective's harm weight without the class weight, see the module docstring)."""
    tps = scenario.tps
    share = scenario.spec.risk.indicator_weight
    return np.asarray(tps.voters * (1.0 + share * tps.indicators), dtype=np.float64)


def harm_columns(
    scenario: Scenario, response: Any, weights: HarmWeights
) -> tuple[dict[str, FloatArray], float]:
    """Per-TPS harm columns and the day's simulated harm from the security response.

    `response` is the day's `planner.sim.response.ResponseResult` (``day.extras["response"]``;
    None when incidents are off, which the loop refuses earlier).
    """
    n = len(scenario.tps)
    if response is None:
        zero = {name: np.zeros(n) for name in HARM_COLUMNS}
        return zero, 0.0
    tps = np.asarray(response.draws.tps, dtype=np.int64)
    unresolved = np.asarray(
        np.bincount(tps, np.asarray(response.unresolved, dtype=np.float64), n), dtype=np.float64
    )
    escalated = np.asarray(
        np.bincount(tps, np.asarray(response.escalated, dtype=np.float64), n), dtype=np.float64
    )
    suspended = np.array(
        [sum(e - s for s, e in spans) for spans in response.suspensions], dtype=np.float64
    )
    revote = np.asarray(response.revote_risk, dtype=np.float64)
    day = scenario.spec.day
    needed = ~np.asarray(response.onsite, dtype=bool)
    came = np.where(np.isfinite(response.arrival_min), response.arrival_min, np.inf)
    until = np.minimum(came, float(day.count_deadline))
    wait = np.where(needed, np.maximum(until - response.draws.time_min, 0.0), 0.0)
    waiting = np.bincount(tps, wait, n)
    window = max(float(day.close) - float(day.open), 1.0)
    det = getattr(response, "deterrence", None)
    undetected = np.zeros(n) if det is None else np.asarray(det.per_tps["undetected"], float)
    parts = harm_parts(
        weights, revote, suspended / window, waiting / window, escalated, unresolved, undetected
    )
    index = sum(parts.values(), np.zeros(n))
    columns = {
        "harm_incidents": np.bincount(tps, minlength=n).astype(np.float64),
        "harm_unresolved": unresolved.astype(np.float64),
        "harm_escalated": escalated.astype(np.float64),
        "harm_suspended_min": suspended,
        "harm_waiting_min": waiting.astype(np.float64),
        "harm_revote_risk": revote,
        "harm_undetected": undetected,
        "harm_index": index,
    }
    return columns, float(np.dot(tps_stakes(scenario), index))


HARM_PARTS: tuple[str, ...] = (
    "revote",
    "suspension",
    "waiting",
    "escalation",
    "unresolved",
    "undetected",
)
"""The parts of the harm index; ``sim_harm_<part>`` are the day's weighted sums."""


def harm_parts(
    weights: HarmWeights,
    revote: FloatArray,
    suspended_windows: FloatArray,
    waiting_windows: FloatArray,
    escalated: FloatArray,
    unresolved: FloatArray,
    undetected: FloatArray,
) -> dict[str, FloatArray]:
    """Per TPS, each weighted part of the harm index (they sum to the index)."""
    return {
        "revote": weights.revote * revote,
        "suspension": weights.suspension_per_window * suspended_windows,
        "waiting": weights.waiting_per_window * waiting_windows,
        "escalation": weights.escalation * escalated,
        "unresolved": weights.unresolved * unresolved,
        "undetected": weights.undetected * undetected,
    }


def harm_metrics(
    scenario: Scenario, response: Any, weights: HarmWeights | None = None
) -> dict[str, float]:
    """The day's ``sim_harm`` and its parts ``sim_harm_<part>`` (weighted voters)."""
    w = weights or HarmWeights()
    columns, total = harm_columns(scenario, response, w)
    stakes = tps_stakes(scenario)
    day = scenario.spec.day
    window = max(float(day.close) - float(day.open), 1.0)
    parts = harm_parts(
        w,
        columns["harm_revote_risk"],
        columns["harm_suspended_min"] / window,
        columns["harm_waiting_min"] / window,
        columns["harm_escalated"],
        columns["harm_unresolved"],
        columns["harm_undetected"],
    )
    out = {HARM_METRIC: total}
    out |= {f"{HARM_METRIC}_{k}": float(np.dot(stakes, v)) for k, v in parts.items()}
    return out
