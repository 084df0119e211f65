"""Logistics, incidents and responders in one replication: what `planner.sim.day` calls.

`planner.sim.day` runs the day; at its extension points it calls

1. `day_logistics` (step 1): kit delivery and opening times, or every TPS at day.open with
   DPT + reserve ballots when `logistics.enabled` is off;
2. `day_response` (step 4): the day's incidents (`planner.sim.incidents`) answered by the
   plan's responders (`planner.sim.response`) — without a plan, the policy-default plan
   (each class's standard pattern, the minimum of reserve teams); None when
   `incidents.enabled` is off;
3. `finish_operations` (after counting): the medical teams' answer to the KPPS health
   events, the results' return to the PPK, and this part's metrics, table columns and
   trace rows in `DayResult.extras` (see `planner.sim.metrics`).

Exercise injects (`planner.scenario.injects`, `simulate_day(..., injects=...)`) enter at the
same points: late kits in `day_logistics`, flood/power-cut/protest incidents in
`day_response`, collapses as the medical teams' calls in `collapse_response`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from planner.scenario.injects import ScriptedEvent
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.sim.dayresult import DayResult
from planner.sim.deterrence import apply_deterrence, deterrence_trace
from planner.sim.harm import harm_metrics
from planner.sim.incidents import draw_incidents, inject_collapses, inject_draws, merge_draws
from planner.sim.logistics import (
    LogisticsResult,
    ReturnResult,
    effective_open_min,
    logistics_metrics,
    logistics_trace,
    no_logistics,
    return_metrics,
    return_results,
    return_trace,
    simulate_logistics,
)
from planner.sim.response import (
    ResponseResult,
    respond_medical,
    response_metrics,
    simulate_response,
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


def day_logistics(
    scenario: Scenario, seed: int, replication: int, injects: Sequence[ScriptedEvent] = ()
) -> LogisticsResult:
    """Kits, opening times and ballots of every TPS (all on time when logistics are off),
    with the ``late-kit`` injects' kits held back (`planner.sim.logistics.late_kits`)."""
    if scenario.spec.logistics.enabled:
        return simulate_logistics(scenario, seed, replication, injects)
    return no_logistics(scenario, injects)


def day_response(
    scenario: Scenario,
    plan: Plan | None,
    seed: int,
    replication: int,
    injects: Sequence[ScriptedEvent] = (),
) -> ResponseResult | None:
    """The day's incidents — the random ones and the injects' flood, power-cut and protest
    (`planner.sim.incidents.inject_draws`) — and who answered them (None when incidents
    are off)."""
    if not scenario.spec.incidents.enabled:
        return None
    deployed = plan if plan is not None else default_plan(scenario)
    attempts = draw_incidents(scenario, seed, replication)
    draws, deterrence = apply_deterrence(scenario, deployed, attempts, seed, replication)
    scripted = inject_draws(scenario, injects)
    if len(scripted):
        draws = merge_draws(draws, scripted)
    result = simulate_response(scenario, deployed, draws, seed, replication)
    return result if deterrence is None else replace(result, deterrence=deterrence)


def collapse_response(
    scenario: Scenario, injects: Sequence[ScriptedEvent], seed: int, replication: int
) -> ResponseResult | None:
    """The medical teams' answer to the ``collapse`` injects (treated as severe health
    events); None when there are none or incidents are off."""
    tps, time_min = inject_collapses(injects)
    if not scenario.spec.incidents.enabled or not len(tps):
        return None
    scripted = np.ones(len(tps), dtype=bool)
    return respond_medical(scenario, tps, time_min, scripted, seed, replication, scripted)


def finish_operations(day: DayResult, seed: int, trace_tps: int | None = None) -> None:
    """After counting: medical response, results return, metrics and trace rows.

    Fills ``day.extras`` (``metrics``, ``metrics_enabled``, ``per_tps``, ``per_district``,
    ``per_village``, and the raw results under ``logistics``, ``response``, ``medical``,
    ``returns``) and sets ``day.incidents_on`` / ``day.logistics_on``.
    """
    scenario = day.scenario
    spec = scenario.spec
    rep = day.replication
    n_tps = len(scenario.tps)
    logistics: LogisticsResult | None = day.opening.logistics
    response: ResponseResult | None = day.disruptions.response
    collapses: ResponseResult | None = day.disruptions.collapse_medical
    incidents_on = spec.incidents.enabled and response is not None
    logistics_on = spec.logistics.enabled and logistics is not None

    medical: ResponseResult | None = None
    if incidents_on:
        ill = day.staff.ill_min
        tps_idx, worker = np.nonzero(np.isfinite(ill))
        medical = respond_medical(
            scenario,
            tps_idx.astype(np.int64),
            ill[tps_idx, worker].astype(np.float64),
            day.staff.severe[tps_idx, worker],
            seed,
            rep,
        )
    returns: ReturnResult | None = None
    if logistics_on:
        returns = return_results(scenario, day.counting.finish_min, seed, rep)

    metrics: dict[str, float] = {}
    per_tps: dict[str, FloatArray] = {}
    per_district: dict[str, FloatArray] = {}
    per_village: dict[str, FloatArray] = {}
    suspensions = response.suspensions if response is not None else None
    opened = effective_open_min(day.opening.open_min, suspensions)
    if logistics is not None and (logistics_on or incidents_on):
        m, cols = logistics_metrics(logistics, opened)
        if logistics_on:
            metrics.update(m)
            per_tps.update(cols)
        else:  # incidents at opening can still delay it
            for key in ("tps_opened_late", "open_delay_mean_min"):
                metrics[key] = m[key]
            for key in ("open_clock_min", "open_delay_min", "opened_late"):
                per_tps[key] = cols[key]
    if returns is not None:
        m, cols = return_metrics(returns)
        metrics.update(m)
        per_district.update(cols)
        # a village's results are all at the PPK when its PPS delivers them (the
        # kecamatan's time is the latest of its villages')
        per_village["results_complete_clock_min"] = returns.pps_at_ppk_min.astype(np.float64)
    if incidents_on and response is not None and medical is not None:
        answered = [response, medical] + ([collapses] if collapses is not None else [])
        m, cols = response_metrics(answered, n_tps, callable_agencies(scenario))
        metrics.update(m)
        per_tps.update(cols)
        metrics.update(harm_metrics(scenario, response))
    tps = scenario.tps
    per_district.update(area_sums(tps.district, len(tps.district_names), per_tps))
    per_village.update(area_sums(tps.village, len(tps.village_names), per_tps))

    day.incidents_on = incidents_on
    day.logistics_on = logistics_on
    day.extras.update(
        {
            "metrics": metrics,
            "metrics_enabled": {
                "tps_opened_late": logistics_on or incidents_on,
                "open_delay_mean_min": logistics_on or incidents_on,
            },
            "per_tps": per_tps,
            "per_district": per_district,
            "per_village": per_village,
            "logistics": logistics if logistics_on else None,
            "response": response,
            "medical": medical,
            "collapse_medical": collapses,
            "returns": returns,
        }
    )
    if day.log is not None and trace_tps is not None:
        rows = []
        if logistics_on and logistics is not None:
            rows += logistics_trace(scenario, logistics, trace_tps)
        if response is not None:
            rows += response.trace(trace_tps)
            if response.deterrence is not None:
                rows += deterrence_trace(
                    scenario,
                    response.deterrence,
                    trace_tps,
                    float(day.counting.finish_min[trace_tps]),
                )
        if medical is not None:
            rows += medical.trace(trace_tps)
        if collapses is not None:
            rows += collapses.trace(trace_tps)
        if returns is not None:
            rows += return_trace(scenario, returns, trace_tps)
        day.log.extend(rows)


def callable_agencies(scenario: Scenario) -> set[str]:
    """Agencies some incident type can call (and the medical teams)."""
    types = scenario.spec.incidents.types
    return {a for t in types for a in (*t.responders, *t.grave_responders)} | {"medical"}


AREA_SUMS: tuple[str, ...] = (
    "incidents",
    "incidents_unresolved",
    "attempts",
    "deterred",
    "prevented",
    "displaced",
    "displaced_in",
    "found_later",
    "undetected",
    "revote_risk",
    "opened_late",
    "logistics_late",
    "ballot_short",
)
"""This part's per-TPS columns that per_district.csv and per_village.csv hold as sums."""


def area_sums(
    area: IntArray, n_areas: int, per_tps: dict[str, FloatArray]
) -> dict[str, FloatArray]:
    """Per-area (kecamatan or village: TPS ``i`` in area ``area[i]``) totals of this part's
    per-TPS columns, and the mean response time over the area's responses."""
    out: dict[str, FloatArray] = {}
    for name in AREA_SUMS:
        if name in per_tps:
            sums = np.bincount(area, weights=per_tps[name], minlength=n_areas)
            out[name] = np.asarray(sums, dtype=np.float64)
    if "response_sum_min" in per_tps:
        total = np.bincount(area, weights=per_tps["response_sum_min"], minlength=n_areas)
        count = np.bincount(area, weights=per_tps["responses"], minlength=n_areas)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["response_mean_min"] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out
