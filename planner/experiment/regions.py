"""Multi-region scenarios (a province): region × replication tasks, merged per replication.

DESIGN §7 makes *a replication of one region* the unit of work, so a province (or a country)
scales by regions as well as by replications: a task simulates one region's day alone, which
keeps a worker's memory to one region (Kaltim's 6,274 TPS in one day need about 0.8 GB; its
largest region a fifth of that) and lets a cluster spread one replication over many workers.

What a province replication is. Regions do not interact on polling day in the model — every
regency and city has its own KPU warehouse and PPK chain, Polres and Polsek reserves,
kecamatan and village areas for area events — so replication ``r`` of a province is the
union of the regions' days, replication ``r`` each. Region ``k`` draws from its own streams:
its sub-scenario (that region's TPS, the same spec) is simulated with the seed
`region_seed` derives from the run seed and the region's *name*, so reordering or adding
regions does not change a region's days, and two regions never share draws. The result does
not depend on how tasks are spread over workers or executors; it is by definition what a
province run is, and the same for every executor (a one-region scenario is one task per
replication, as before). A whole-province `planner.sim.day.simulate_day` (used by
``--trace``-style single days) draws from province-wide streams and so is a different,
equally valid day.

Merging. Each region's `ReplicationResult` (its own summary metrics) is kept for the
per-region report; the province's is merged (`merge_results`): per-TPS, per-kecamatan and
per-village columns are placed back in province order; summary metrics are combined by
explicit rules (`SCALAR_RULES`): counts add up, means are weighted by what they are means
over (voters who voted, TPS, late TPS, responses, workers, units), maxima take the maximum,
and percentiles are recomputed from what the tasks ship: per-TPS counting finish (exact),
every response time (exact; a few hundred a day) and a 0.1-minute histogram of waits (so the
province's ``wait_p95_min`` is exact to 0.1 min; each region's own is exact).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.load import build_table
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.harm import HARM_PARTS
from planner.sim.metrics import ATTEMPT_METRICS, ReplicationResult
from planner.streams import stream_key

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

WAIT_BIN_MIN = 0.1
"""Width of the wait histogram's bins, minutes (the province's wait_p95_min resolution)."""
WAIT_BINS = 14_400
"""Bins up to 24 h of waiting (longer waits fall in the last bin)."""


@dataclass(frozen=True)
class RegionPart:
    """One region of a multi-region scenario, ready to simulate on its own."""

    index: int
    name: str
    scenario: Scenario
    """The region's sub-scenario: the same spec with only this region, its TPS."""
    seed: int
    """The seed its days are simulated with (`region_seed`)."""
    tps: IntArray
    """Rows of the province TPS table, in the sub-scenario's order."""
    districts: IntArray
    """Kecamatan codes of the province, in the sub-scenario's order."""
    villages: IntArray
    """Village codes of the province, in the sub-scenario's order (a village is a kecamatan
    and village pair: names repeat across kecamatan)."""


def region_seed(seed: int, name: str) -> int:
    """The run seed of one region: ``SeedSequence(seed, spawn_key=(crc32("region"),
    crc32(name)))`` folded to 63 bits."""
    seq = np.random.SeedSequence(seed, spawn_key=(stream_key("region"), stream_key(name)))
    hi, lo = (int(v) for v in seq.generate_state(2, np.uint32))
    return ((hi << 32) | lo) & (2**63 - 1)


def split_regions(scenario: Scenario, seed: int) -> tuple[RegionPart, ...]:
    """The regions of a multi-region scenario as parts; () for a one-region scenario."""
    spec = scenario.spec
    if spec.regions is None or len(spec.regions) < 2:
        return ()
    tps = scenario.tps
    pairs = zip(tps.village_district.tolist(), tps.village_names, strict=True)
    village_code = {pair: v for v, pair in enumerate(pairs)}
    parts: list[RegionPart] = []
    for k, region in enumerate(spec.regions):
        rows_idx = np.flatnonzero(tps.region == k).astype(np.int64)
        sub_spec = spec.model_copy(update={"regions": [region]})
        rows = []
        for i in rows_idx.tolist():
            row = tps.row(i)
            row["region_index"] = 0
            row["district"] = str(row["district"]).removeprefix(f"{region.name} / ")
            row["lat"] = math.nan if row["lat"] is None else row["lat"]
            row["lon"] = math.nan if row["lon"] is None else row["lon"]
            rows.append(row)
        table = build_table(sub_spec, rows)
        districts = np.array(
            [tps.district_names.index(name) for name in table.district_names], dtype=np.int64
        )
        villages = np.array(
            [
                village_code[(int(districts[d]), name)]
                for d, name in zip(
                    table.village_district.tolist(), table.village_names, strict=True
                )
            ],
            dtype=np.int64,
        )
        sub = Scenario(spec=sub_spec, tps=table, path=scenario.path)
        parts.append(
            RegionPart(
                index=k,
                name=region.name,
                scenario=sub,
                seed=region_seed(seed, region.name),
                tps=rows_idx,
                districts=districts,
                villages=villages,
            )
        )
    return tuple(parts)


def region_plan(plan: Plan | None, part: RegionPart) -> Plan | None:
    """The part of a province plan that concerns one region (None stays None)."""
    if plan is None:
        return None
    names = set(part.scenario.tps.district_names)
    return Plan(
        patterns=tuple(plan.patterns[i] for i in part.tps.tolist()),
        reserves={k: v for k, v in plan.reserves.items() if k[0] in names},
        label=plan.label,
    )


# --- what a region task ships besides its result (computed from its day) ---------------


def merge_notes(day: Any, result: ReplicationResult) -> dict[str, Any]:
    """Weights and raw values the province merge needs, from one region's `DayResult`."""
    from planner.sim.queueing import OUT_VOTED

    q = day.queue
    voted = q.outcome == OUT_VOTED
    waits = q.wait_min(day.voters.arrival_min)[voted]
    hist = np.bincount(
        np.minimum((waits / WAIT_BIN_MIN).astype(np.int64), WAIT_BINS - 1), minlength=WAIT_BINS
    ).astype(np.int64)
    extras = day.extras
    responses = [r for r in (extras.get("response"), extras.get("medical")) if r is not None]
    times = (
        np.concatenate([r.response_min[np.isfinite(r.response_min)] for r in responses])
        if responses
        else np.zeros(0)
    )
    units: dict[str, set[str]] = {}
    for r in responses:
        for name, agencies in zip(r.unit_names, r.unit_agencies, strict=True):
            for a in agencies:
                units.setdefault(a, set()).add(name)
    complete = result.per_district.get("results_complete_clock_min")
    weights = {
        "tps": float(len(day.scenario.tps)),
        "listed": float(np.sum(day.voters.listed)),
        "voted": float(voted.sum()),
        "late": float(result.scalars.get("tps_opened_late", 0.0)),
        "responses": float(len(times)),
        "workers": float(np.sum(day.staff.workers)),
        "districts_complete": float(np.isfinite(complete).sum()) if complete is not None else 0.0,
        **{f"units_{a}": float(len(names)) for a, names in units.items()},
    }
    return {"weights": weights, "wait_hist": hist, "response_min": times.astype(np.float64)}


# --- the province from its regions --------------------------------------------------------

SUM = "sum"
MAX = "max"
WAIT_P95 = "wait_p95"
RESPONSE_P90 = "response_p90"
FINISH_P95 = "finish_p95"

SCALAR_RULES: dict[str, str] = {
    **{
        name: SUM
        for name in (
            "voters_arrived",
            "voters_voted",
            "voters_gave_up",
            "dpk_turned_away",
            "voters_stranded",
            "tps_opened_late",
            "incidents_total",
            "incidents_unresolved",
            "escalations",
            "settled_on_site",
            "staff_health_events",
            "staff_severe_events",
            "tps_count_past_deadline",
            "count_recounts",
            "logistics_late_tps",
            "ballot_short_tps",
            "kits_replaced",
            "revote_risk_tps",
            "sim_harm",
            *ATTEMPT_METRICS,
            *(f"sim_harm_{part}" for part in HARM_PARTS),
        )
    },
    "turnout": "weight:listed",
    "wait_mean_min": "weight:voted",
    "share_wait_over_30min": "weight:voted",
    "wait_p95_min": WAIT_P95,
    "queue_at_open": "weight:tps",
    "voting_end_mean_clock_min": "weight:tps",
    "open_delay_mean_min": "weight:late",
    "response_mean_min": "weight:responses",
    "response_p90_min": RESPONSE_P90,
    "fatigue_peak": "weight:tps",
    "fatigue_peak_max": MAX,
    "staff_ill_per_100k": "weight:workers",
    "staff_severe_per_100k": "weight:workers",
    "kpps_duty_hours_mean": "weight:tps",
    "count_finish_mean_clock_min": "weight:tps",
    "count_finish_p95_clock_min": FINISH_P95,
    "count_finish_max_clock_min": MAX,
    "results_complete_mean_clock_min": "weight:districts_complete",
    "results_complete_last_clock_min": MAX,
}
"""How each summary metric of a province replication comes from its regions'."""


def scalar_rule(name: str) -> str | None:
    """The merge rule of a metric (prefix families included); None when there is none."""
    if name in SCALAR_RULES:
        return SCALAR_RULES[name]
    if name.startswith("incidents_"):
        return SUM  # counts per incident type
    if name.startswith("utilisation_"):
        return f"weight:units_{name.removeprefix('utilisation_')}"
    return None


def merge_results(
    scenario: Scenario,
    parts: Sequence[RegionPart],
    results: Sequence[ReplicationResult],
) -> ReplicationResult:
    """The province's result of one replication from its regions' (in region order).

    A metric without a rule (a new metric nobody taught this module) is merged as a mean
    weighted by TPS and listed in ``notes["merged_by_fallback"]`` (a test keeps that empty).
    """
    n_tps = len(scenario.tps)
    n_d = len(scenario.tps.district_names)
    per_tps = _place([(p.tps, r.per_tps) for p, r in zip(parts, results, strict=True)], n_tps)
    per_district = _place(
        [(p.districts, r.per_district) for p, r in zip(parts, results, strict=True)], n_d
    )
    per_village = _place(
        [(p.villages, r.per_village) for p, r in zip(parts, results, strict=True)],
        len(scenario.tps.village_names),
    )
    names: list[str] = []
    for r in results:
        names.extend(k for k in r.scalars if k not in names)
    weights = [r.notes["weights"] for r in results]
    scalars: dict[str, float] = {}
    fallback: list[str] = []
    for name in names:
        rule = scalar_rule(name)
        if rule is None:
            fallback.append(name)
            rule = "weight:tps"
        value = _merge_one(name, rule, results, weights, per_tps)
        if value is not None:
            scalars[name] = value
    enabled: dict[str, bool] = {}
    for r in results:
        for k, v in r.enabled.items():
            enabled[k] = enabled.get(k, False) or v
    return ReplicationResult(
        replication=results[0].replication,
        scalars=scalars,
        enabled=enabled,
        per_tps=per_tps,
        per_district=per_district,
        per_village=per_village,
        notes={"merged_by_fallback": fallback},
    )


def _merge_one(
    name: str,
    rule: str,
    results: Sequence[ReplicationResult],
    weights: Sequence[dict[str, float]],
    per_tps: dict[str, FloatArray],
) -> float | None:
    present = [
        (r.scalars[name], w) for r, w in zip(results, weights, strict=True) if name in r.scalars
    ]
    if not present:
        return None
    if rule == SUM:
        return math.fsum(v for v, _ in present)
    if rule == MAX:
        return max(v for v, _ in present)
    if rule.startswith("weight:"):
        key = rule.removeprefix("weight:")
        total = math.fsum(w.get(key, 0.0) for _, w in present)
        if total <= 0:
            return present[0][0] if all(v == present[0][0] for v, _ in present) else 0.0
        return math.fsum(v * w.get(key, 0.0) for v, w in present) / total
    if rule == FINISH_P95:
        finish = per_tps.get("count_finish_clock_min")
        if finish is None:
            return None
        return float(np.percentile(finish, 95)) if len(finish) else 0.0
    if rule == RESPONSE_P90:
        times = np.concatenate([r.notes["response_min"] for r in results])
        return float(np.percentile(times, 90)) if len(times) else None
    if rule == WAIT_P95:
        hist = np.sum([r.notes["wait_hist"] for r in results], axis=0)
        return histogram_percentile(hist, 95.0, WAIT_BIN_MIN)
    raise ValueError(f"unknown merge rule {rule!r} for {name}")


def histogram_percentile(counts: IntArray, q: float, width: float) -> float:
    """The q-th percentile (numpy's linear rule) of values known by bin counts, each value
    taken at its bin's middle."""
    total = int(counts.sum())
    if total == 0:
        return 0.0
    pos = q / 100.0 * (total - 1)
    cum = np.cumsum(counts)
    lo = math.floor(pos)
    hi = min(lo + 1, total - 1)
    a = (int(np.searchsorted(cum, lo, side="right")) + 0.5) * width
    b = (int(np.searchsorted(cum, hi, side="right")) + 0.5) * width
    return float(a + (b - a) * (pos - lo))


def _place(
    blocks: Sequence[tuple[IntArray, dict[str, FloatArray]]], size: int
) -> dict[str, FloatArray]:
    """Columns of the parts written into province-sized arrays (NaN where a part lacks one)."""
    out: dict[str, FloatArray] = {}
    for rows, columns in blocks:
        for name, values in columns.items():
            if name not in out:
                out[name] = np.full(size, np.nan)
            out[name][rows] = values
    return out


def region_rows(
    parts: Sequence[RegionPart], per_rep: Sequence[Sequence[dict[str, float]]]
) -> list[dict[str, Any]]:
    """Rows of per_region.csv: region, metric, mean and 95% interval over replications.

    `per_rep[k]` holds region k's summary metrics, one dict per replication.
    """
    from planner.experiment.intervals import metric_interval

    rows: list[dict[str, Any]] = []
    for part, reps in zip(parts, per_rep, strict=True):
        names: list[str] = []
        for rep in reps:
            names.extend(k for k in rep if k not in names)
        for name in names:
            interval = metric_interval(name, [rep[name] for rep in reps if name in rep])
            rows.append({"region": part.name, "metric": name, **interval.as_dict()})
    return rows


def day_of(
    scenario: Scenario, seed: int, plan: Plan | None, tps_id: str
) -> tuple[Scenario, int, Plan | None]:
    """The (scenario, seed, plan) whose day holds TPS `tps_id` as a run simulates it: the
    scenario itself, or for a province the TPS's region part (so ``--trace`` shows the same
    day as replication 0 of the run)."""
    for part in split_regions(scenario, seed):
        if tps_id in part.scenario.tps.tps_id:
            return part.scenario, part.seed, region_plan(plan, part)
    return scenario, seed, plan


REGION_TABLE_METRICS: tuple[str, ...] = (
    "voters_voted",
    "wait_mean_min",
    "incidents_total",
    "response_mean_min",
    "count_finish_mean_clock_min",
    "revote_risk_tps",
)
"""Metrics in the printed per-region table of a province run."""


def region_table(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (one per region, means) of the printed per-region table."""
    from planner.sim.metrics import format_value

    means: dict[str, dict[str, float]] = {}
    for row in rows:
        means.setdefault(str(row["region"]), {})[str(row["metric"])] = float(row["mean"])
    headers = ["region", *REGION_TABLE_METRICS]
    table = [
        [region, *(format_value(m, values[m]) if m in values else "" for m in REGION_TABLE_METRICS)]
        for region, values in means.items()
    ]
    return headers, table
