"""The metric registry and the small per-replication aggregate (DESIGN §5).

`METRICS` lists every summary metric `planner simulate` reports, in output order, with its
unit, meaning and owner. Metrics owned by the incidents/logistics part report 0 with
``"enabled": false`` until that part runs; it fills them through `DayResult.extras`:

* ``extras["metrics"]``: {name: value} for this replication (names in `METRICS` or new ones),
* ``extras["metrics_enabled"]``: {name: bool},
* ``extras["per_tps"]`` / ``extras["per_district"]`` / ``extras["per_village"]``: {column:
  array} extra table columns.

`replication_result` turns one `DayResult` into a `ReplicationResult` of a few per-TPS,
per-kecamatan and per-village arrays and scalars, so a worker returns kilobytes, never the
event log. Kecamatan and village columns come from one grouping (`area_columns`), so a
kecamatan's value is what its villages' values add up to (counts) or their weighted mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from planner.scenario.resolved import Scenario
from planner.sim.dayresult import DayResult
from planner.sim.harm import HARM_PARTS
from planner.sim.queueing import OUT_GAVE_UP, OUT_STRANDED, OUT_TURNED_AWAY, OUT_VOTED
from planner.sim.voters import KIND_DPK

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
Owner = Literal["core", "incidents", "logistics", "counting"]
MetricKind = Literal["count", "amount", "share", "mean"]
"""What one replication's value of a metric is; it chooses the metric's 95% interval
(`planner.experiment.intervals`, docs/experiments.md §10):

* ``count``: a whole number of events or units per day (≥ 0),
* ``amount``: a non-negative real amount per day that is not a whole count (an expected
  count, a rate),
* ``share``: a proportion in [0, 1] per day,
* ``mean``: a mean or percentile of many observations (waits, times, clock times, points),
  never negative.
"""

LONG_WAIT_MIN = 30.0
"""A wait longer than this counts as long (`share_wait_over_30min`; peers §A3: 6% of US
in-person voters waited more than 30 minutes in 2018)."""


@dataclass(frozen=True)
class MetricSpec:
    """One summary metric."""

    name: str
    unit: str
    description: str
    owner: Owner = "core"
    kind: MetricKind = "mean"
    """What one replication's value is (chooses the interval method)."""


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "voters_arrived", "voters", "Voters who came to a TPS (listed and DPK).", kind="count"
    ),
    MetricSpec("voters_voted", "voters", "Voters who voted.", kind="count"),
    MetricSpec(
        "voters_gave_up",
        "voters",
        "Voters who left because the wait exceeded their patience.",
        kind="count",
    ),
    MetricSpec(
        "dpk_turned_away",
        "voters",
        "Voters turned away because no ballot set was left.",
        kind="count",
    ),
    MetricSpec(
        "voters_stranded",
        "voters",
        "Voters still queuing when a TPS could serve no one.",
        kind="count",
    ),
    MetricSpec(
        "turnout", "share", "Voters who voted / voters on the lists (DPT + DPTb).", kind="share"
    ),
    MetricSpec("wait_mean_min", "min", "Mean total queuing time of voters who voted.", kind="mean"),
    MetricSpec(
        "wait_p95_min",
        "min",
        "95th percentile of queuing time over all voters who voted.",
        kind="mean",
    ),
    MetricSpec(
        "share_wait_over_30min",
        "share",
        "Share of voters who voted after queuing more than 30 min.",
        kind="share",
    ),
    MetricSpec(
        "queue_at_open",
        "voters",
        "Voters waiting per TPS when it opened (mean over TPS).",
        kind="mean",
    ),
    MetricSpec(
        "voting_end_mean_clock_min",
        "clock min",
        "When the last voter left, mean over TPS.",
        kind="mean",
    ),
    MetricSpec(
        "tps_opened_late",
        "TPS",
        "TPS whose voting started after day.open (late kit, slow setup, incident at opening).",
        "logistics",
        kind="count",
    ),
    MetricSpec(
        "open_delay_mean_min",
        "min",
        "Mean opening delay of the TPS that opened late.",
        "logistics",
        kind="mean",
    ),
    MetricSpec(
        "incidents_total",
        "incidents",
        "Incidents at TPS (an area event once per TPS it reaches; worker collapses included).",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "incidents_unresolved",
        "incidents",
        "Incidents no adequate responder reached before the counting deadline.",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "response_mean_min",
        "min",
        "Mean response time of incidents that needed a responder and got one.",
        "incidents",
        kind="mean",
    ),
    MetricSpec(
        "response_p90_min", "min", "90th percentile of response time.", "incidents", kind="mean"
    ),
    MetricSpec(
        "escalations",
        "incidents",
        "Incidents no adequate responder reached within their time limit.",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "attempts_total",
        "attempts",
        "Attempted human-made incidents (disputes, intimidation, vote buying, multiple "
        "voting), before presence deters any.",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "attempts_deterred",
        "attempts",
        "Attempts stopped by the presence at their TPS (= prevented + displaced).",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "attempts_prevented",
        "attempts",
        "Deterred attempts not tried again.",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "attempts_displaced",
        "attempts",
        "Deterred attempts tried again at a nearby TPS with less presence.",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "fraud_found_later",
        "incidents",
        "Fraud nobody caught at once, found at counting (a dispute over the count).",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "fraud_undetected",
        "incidents",
        "Fraud never detected: it stands in the count.",
        "incidents",
        kind="count",
    ),
    MetricSpec(
        "sim_harm",
        "weighted voters",
        "Simulated harm left by the day's incidents: per TPS, re-vote risk, suspended and "
        "waiting time, escalations, unresolved incidents and undetected fraud in polling days "
        "lost, weighted by voters at stake (planner.sim.harm).",
        "incidents",
        kind="amount",
    ),
    *(
        MetricSpec(
            f"sim_harm_{part}",
            "weighted voters",
            f"The {part} part of sim_harm.",
            "incidents",
            kind="amount",
        )
        for part in HARM_PARTS
    ),
    MetricSpec(
        "fatigue_peak",
        "points",
        "Peak mean alertness deficit of the KPPS on duty, mean over TPS.",
        kind="mean",
    ),
    MetricSpec(
        "fatigue_peak_max",
        "points",
        "Peak mean alertness deficit at the most tired TPS.",
        kind="mean",
    ),
    MetricSpec("staff_health_events", "workers", "KPPS who fell ill on duty.", kind="count"),
    MetricSpec(
        "staff_severe_events",
        "workers",
        "Of those, severe events (death or critical).",
        kind="count",
    ),
    MetricSpec(
        "staff_ill_per_100k",
        "per 100k KPPS",
        "Expected health events per 100,000 KPPS (sum of event probabilities).",
        kind="amount",
    ),
    MetricSpec(
        "staff_severe_per_100k",
        "per 100k KPPS",
        "Expected severe events per 100,000 KPPS.",
        kind="amount",
    ),
    MetricSpec(
        "kpps_duty_hours_mean",
        "h",
        "Hours from KPPS arrival to the end of their work, mean over TPS.",
        kind="mean",
    ),
    MetricSpec(
        "count_finish_mean_clock_min",
        "clock min",
        "Counting finish time, mean over TPS.",
        "counting",
        kind="mean",
    ),
    MetricSpec(
        "count_finish_p95_clock_min",
        "clock min",
        "95th percentile over TPS of the counting finish time.",
        "counting",
        kind="mean",
    ),
    MetricSpec(
        "count_finish_max_clock_min",
        "clock min",
        "Latest counting finish.",
        "counting",
        kind="mean",
    ),
    MetricSpec(
        "tps_count_past_deadline",
        "TPS",
        "TPS whose counting ended after day.count_deadline.",
        "counting",
        kind="count",
    ),
    MetricSpec(
        "count_recounts", "recounts", "Recounts forced by tally errors.", "counting", kind="count"
    ),
    MetricSpec(
        "logistics_late_tps",
        "TPS",
        "TPS whose kit arrived after setup should have started.",
        "logistics",
        kind="count",
    ),
    MetricSpec(
        "ballot_short_tps",
        "TPS",
        "TPS whose kit arrived short of DPT + reserve.",
        "logistics",
        kind="count",
    ),
    MetricSpec(
        "kits_replaced",
        "TPS",
        "TPS that needed a replacement from the PPK.",
        "logistics",
        kind="count",
    ),
    MetricSpec(
        "results_complete_mean_clock_min",
        "clock min",
        "When a kecamatan has all its TPS results at the PPK (recap can start), mean.",
        "logistics",
        kind="mean",
    ),
    MetricSpec(
        "results_complete_last_clock_min",
        "clock min",
        "When the last kecamatan has all its TPS results at the PPK.",
        "logistics",
        kind="mean",
    ),
    MetricSpec(
        "revote_risk_tps",
        "TPS",
        "Expected TPS needing a re-vote (sum of re-vote probabilities).",
        "incidents",
        kind="amount",
    ),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)

EXTRA_METRIC_KINDS: dict[str, MetricKind] = {
    "settled_on_site": "count",
    "sim_harm": "amount",
}
"""Kinds of metrics reported beside `METRICS`: incidents settled by KPPS and linmas without
a responder (`planner.sim.response`) and the harm index of the sim–opt loop
(`planner.experiment.harm`, weighted voters × polling days lost, ≥ 0)."""

PREFIX_METRIC_KINDS: tuple[tuple[str, MetricKind], ...] = (
    ("incidents_", "count"),
    ("utilisation_", "share"),
)
"""Kinds of the per-type and per-agency families: ``incidents_<type>`` (a count per day) and
``utilisation_<agency>`` (busy share of the agency's units over the horizon)."""

_KIND_OF: dict[str, MetricKind] = {m.name: m.kind for m in METRICS}


def metric_kind(name: str) -> MetricKind:
    """The kind of summary metric `name`; ``"mean"`` (a t-interval cut at 0) for names not
    registered here."""
    kind = _KIND_OF.get(name) or EXTRA_METRIC_KINDS.get(name)
    if kind is not None:
        return kind
    for prefix, family in PREFIX_METRIC_KINDS:
        if name.startswith(prefix):
            return family
    return "mean"


PER_TPS_COLUMNS: tuple[str, ...] = (
    "voters_listed",
    "voters_arrived",
    "voters_voted",
    "voters_gave_up",
    "dpk_turned_away",
    "wait_mean_min",
    "wait_p95_min",
    "share_wait_over_30min",
    "queue_at_open",
    "open_clock_min",
    "voting_end_clock_min",
    "count_finish_clock_min",
    "count_recounts",
    "fatigue_peak",
    "staff_health_events",
    "staff_ill_expected",
)


@dataclass
class ReplicationResult:
    """What one replication returns: scalars, per-TPS, per-kecamatan and per-village columns
    (a village column is indexed by the village code of `planner.scenario.tps.TpsTable`, one
    per kecamatan and village pair)."""

    replication: int
    scalars: dict[str, float]
    enabled: dict[str, bool]
    per_tps: dict[str, FloatArray]
    per_district: dict[str, FloatArray]
    per_village: dict[str, FloatArray]
    notes: dict[str, Any] = field(default_factory=dict)


def row_percentile(values: FloatArray, mask: np.ndarray, q: float) -> FloatArray:
    """Per row, the q-th percentile of the masked values (numpy's linear method; NaN if none)."""
    data = np.sort(np.where(mask, values, np.inf), axis=1)
    n = mask.sum(axis=1)
    pos = q / 100.0 * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    rows = np.arange(len(n))
    a, b = data[rows, lo], data[rows, hi]
    frac = pos - lo
    with np.errstate(invalid="ignore"):
        out = a + (b - a) * frac
    return np.asarray(np.where(n > 0, np.where(frac > 0, out, a), np.nan), dtype=np.float64)


def _percentile(values: FloatArray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else 0.0


def replication_result(day: DayResult) -> ReplicationResult:
    """Aggregate one replication (see the module docstring)."""
    sc = day.scenario
    spec = sc.spec
    q = day.queue
    arrival = day.voters.arrival_min
    outcome = q.outcome
    voted = outcome == OUT_VOTED
    wait = q.wait_min(arrival)
    n_voted = voted.sum(axis=1)
    waits = VotedWaits.of(wait, voted)
    wait_sum = waits.sum_min
    long_wait = waits.long
    with np.errstate(invalid="ignore", divide="ignore"):
        wait_mean_tps = np.where(n_voted > 0, wait_sum / np.maximum(n_voted, 1), np.nan)
        share_long_tps = np.where(n_voted > 0, long_wait / np.maximum(n_voted, 1), np.nan)
        wait_p95_tps = row_percentile(wait, voted, 95.0)
    arrived = (outcome >= 0).sum(axis=1)
    gave_up = (outcome == OUT_GAVE_UP).sum(axis=1)
    turned = ((outcome == OUT_TURNED_AWAY) & (day.voters.kind == KIND_DPK)).sum(axis=1)
    turned_all = (outcome == OUT_TURNED_AWAY).sum(axis=1)
    stranded = (outcome == OUT_STRANDED).sum(axis=1)
    open_min = day.opening.open_min
    queue_open = ((arrival < open_min[:, None]) & (outcome >= 0)).sum(axis=1)
    leave = np.where(np.isfinite(q.leave_min), q.leave_min, -np.inf)
    voting_end = np.maximum(leave.max(axis=1), float(spec.day.close))
    finish = day.counting.finish_min
    st = day.staff
    events = np.isfinite(st.ill_min).sum(axis=1)
    severe = st.severe.sum(axis=1)
    per_tps: dict[str, FloatArray] = {
        "voters_listed": day.voters.listed.astype(np.float64),
        "voters_arrived": arrived.astype(np.float64),
        "voters_voted": n_voted.astype(np.float64),
        "voters_gave_up": gave_up.astype(np.float64),
        "dpk_turned_away": turned.astype(np.float64),
        "wait_mean_min": wait_mean_tps,
        "wait_p95_min": np.asarray(wait_p95_tps, dtype=np.float64),
        "share_wait_over_30min": share_long_tps,
        "queue_at_open": queue_open.astype(np.float64),
        "open_clock_min": open_min.astype(np.float64),
        "voting_end_clock_min": voting_end,
        "count_finish_clock_min": finish.astype(np.float64),
        "count_recounts": day.counting.errors.astype(np.float64),
        "fatigue_peak": st.fatigue_peak.astype(np.float64),
        "staff_health_events": events.astype(np.float64),
        "staff_ill_expected": st.ill_expected.astype(np.float64),
    }
    all_waits = waits.wait_min
    total_voted = int(n_voted.sum())
    workers = float(st.workers.sum())
    delay = np.maximum(open_min - float(spec.day.open), 0.0)
    scalars: dict[str, float] = {
        "voters_arrived": float(arrived.sum()),
        "voters_voted": float(total_voted),
        "voters_gave_up": float(gave_up.sum()),
        "dpk_turned_away": float(turned_all.sum()),
        "voters_stranded": float(stranded.sum()),
        "turnout": float(total_voted / max(int(day.voters.listed.sum()), 1)),
        "wait_mean_min": float(wait_sum.sum() / total_voted) if total_voted else 0.0,
        "wait_p95_min": _percentile(all_waits, 95),
        "share_wait_over_30min": float(long_wait.sum() / total_voted) if total_voted else 0.0,
        "queue_at_open": float(queue_open.mean()),
        "voting_end_mean_clock_min": float(voting_end.mean()),
        "tps_opened_late": float((open_min > float(spec.day.open)).sum()),
        "open_delay_mean_min": float(delay.mean()),
        "incidents_total": 0.0,
        "incidents_unresolved": 0.0,
        "response_mean_min": 0.0,
        "response_p90_min": 0.0,
        "fatigue_peak": float(st.fatigue_peak.mean()),
        "fatigue_peak_max": float(st.fatigue_peak.max(initial=0.0)),
        "staff_health_events": float(events.sum()),
        "staff_severe_events": float(severe.sum()),
        "staff_ill_per_100k": float(st.ill_expected.sum() / workers * 1e5) if workers else 0.0,
        "staff_severe_per_100k": float(st.severe_expected.sum() / workers * 1e5)
        if workers
        else 0.0,
        "kpps_duty_hours_mean": float(st.duty_hours.mean()),
        "count_finish_mean_clock_min": float(finish.mean()),
        "count_finish_p95_clock_min": _percentile(finish, 95),
        "count_finish_max_clock_min": float(finish.max(initial=0.0)),
        "tps_count_past_deadline": float((finish > float(spec.day.count_deadline)).sum()),
        "count_recounts": float(day.counting.errors.sum()),
        "logistics_late_tps": 0.0,
        "ballot_short_tps": 0.0,
        "revote_risk_tps": 0.0,
    }
    enabled = {m.name: _enabled(m, day) for m in METRICS}
    scalars.update({k: float(v) for k, v in day.extras.get("metrics", {}).items()})
    enabled.update(day.extras.get("metrics_enabled", {}))
    for k in scalars:
        enabled.setdefault(k, True)
    for name, is_on in enabled.items():
        if not is_on:
            scalars[name] = 0.0
    # A metric undefined in this replication (NaN: e.g. no incident needed a responder) is
    # left out, so its mean is over the replications where it is defined (n says how many).
    scalars = {k: v for k, v in scalars.items() if not math.isnan(v)}
    per_tps.update(day.extras.get("per_tps", {}))
    tps = sc.tps
    per_district = area_columns(tps.district, len(tps.district_names), waits, per_tps)
    per_district.update(day.extras.get("per_district", {}))
    per_village = area_columns(tps.village, len(tps.village_names), waits, per_tps)
    per_village.update(day.extras.get("per_village", {}))
    return ReplicationResult(
        day.replication, scalars, enabled, per_tps, per_district, per_village
    )


ATTEMPT_METRICS: tuple[str, ...] = (
    "attempts_total",
    "attempts_deterred",
    "attempts_prevented",
    "attempts_displaced",
    "fraud_found_later",
    "fraud_undetected",
)
"""What presence did to the day's human-made attempts (planner/sim/deterrence.py)."""


def metric_names_of(scenario: Scenario) -> tuple[str, ...]:
    """Every metric a run of this scenario can report: the fixed ones, a count per incident
    type (``incidents_<type>``) and a busy share per agency (``utilisation_<agency>``)."""
    spec = scenario.spec
    types = [t.name for t in spec.incidents.types]
    agencies = {*spec.security.agencies, "medical"}
    agencies |= {a for t in spec.incidents.types for a in (*t.responders, *t.grave_responders)}
    return (
        *METRIC_NAMES,
        *(f"incidents_{name}" for name in types if f"incidents_{name}" not in METRIC_NAMES),
        *(f"utilisation_{a}" for a in sorted(agencies) if f"utilisation_{a}" not in METRIC_NAMES),
    )


def metric_enabled(scenario: Scenario, name: str) -> bool:
    """Whether the scenario switches on the part a metric belongs to (a switched-off part's
    metrics are reported as 0 with ``enabled: false``)."""
    spec = scenario.spec
    if name in ("tps_opened_late", "open_delay_mean_min"):
        return spec.logistics.enabled or spec.incidents.enabled
    owner = next((m.owner for m in METRICS if m.name == name), None)
    if owner is None and name.startswith(("incidents_", "utilisation_")):
        owner = "incidents"
    if owner == "incidents":
        return spec.incidents.enabled
    if owner == "logistics":
        return spec.logistics.enabled
    if owner == "counting":
        return spec.counting.enabled
    return True


def _enabled(metric: MetricSpec, day: DayResult) -> bool:
    if metric.owner == "incidents":
        return day.incidents_on
    if metric.owner == "logistics":
        return day.logistics_on
    if metric.owner == "counting":
        return day.counting_on
    return True


@dataclass(frozen=True)
class VotedWaits:
    """The waits of one replication's voters who voted, computed once for every grouping."""

    wait_min: FloatArray
    """Each voter's queuing time, TPS by TPS (``wait[voted]``, row-major)."""
    tps: IntArray
    """The TPS row of each of those voters."""
    sum_min: FloatArray
    """Per TPS: the total queuing time of its voters who voted."""
    long: FloatArray
    """Per TPS: how many of them queued more than `LONG_WAIT_MIN`."""

    @classmethod
    def of(cls, wait: FloatArray, voted: np.ndarray) -> VotedWaits:
        """From the (TPS × voter) waits and the mask of voters who voted."""
        return cls(
            wait_min=np.asarray(wait[voted], dtype=np.float64),
            tps=np.nonzero(voted)[0].astype(np.int64),
            sum_min=np.where(voted, wait, 0.0).sum(axis=1),
            long=(voted & (wait > LONG_WAIT_MIN)).sum(axis=1).astype(np.float64),
        )


def group_percentile(
    values: FloatArray, groups: IntArray, n_groups: int, q: float
) -> FloatArray:
    """Per group ``0 … n_groups-1``, the q-th percentile of the values in it, bit for bit
    what ``np.percentile`` (linear method) gives on that group's values; 0 for an empty group
    (as the summary's percentiles). One stable sort by group, then a partition per group, so
    the cost grows with the values, not with groups × values."""
    order = np.argsort(groups, kind="stable")
    grouped = values[order]
    ends = np.cumsum(np.bincount(groups, minlength=n_groups)).tolist()
    out = np.zeros(n_groups, dtype=np.float64)
    share = q / 100.0
    start = 0
    for g, end in enumerate(ends):
        n = end - start
        if n:
            pos = (n - 1) * share
            lo = math.floor(pos)
            hi = min(lo + 1, n - 1)
            part = np.partition(grouped[start:end], (lo, hi))
            a, b, frac = float(part[lo]), float(part[hi]), pos - lo
            # numpy's _lerp: from the nearer end, so the result is exact at frac 0 and 1
            out[g] = b - (b - a) * (1 - frac) if frac >= 0.5 else a + (b - a) * frac
        start = end
    return out


def area_columns(
    area: IntArray, n_areas: int, waits: VotedWaits, per_tps: dict[str, FloatArray]
) -> dict[str, FloatArray]:
    """Aggregates of one replication over areas — kecamatan (``tps.district``) or village
    (``tps.village``, one code per kecamatan and village pair) — where TPS ``i`` lies in area
    ``area[i]``: counts summed; the mean wait and the long-wait share over the area's voters
    who voted; counting finish and fatigue as means over its TPS; the 95th percentile of every
    wait in the area; the latest counting finish."""

    def total(col: FloatArray) -> FloatArray:
        return np.bincount(area, weights=col, minlength=n_areas).astype(np.float64)

    count_tps = np.bincount(area, minlength=n_areas).astype(np.float64)
    voted_n = total(per_tps["voters_voted"])
    wait_total = total(waits.sum_min)
    long_total = total(waits.long)
    finish = per_tps["count_finish_clock_min"]
    finish_max = np.full(n_areas, -np.inf)
    np.maximum.at(finish_max, area, finish)
    p95 = group_percentile(waits.wait_min, area[waits.tps], n_areas, 95.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "tps": count_tps,
            "voters_listed": total(per_tps["voters_listed"]),
            "voters_arrived": total(per_tps["voters_arrived"]),
            "voters_voted": voted_n,
            "voters_gave_up": total(per_tps["voters_gave_up"]),
            "wait_mean_min": np.where(voted_n > 0, wait_total / np.maximum(voted_n, 1), 0.0),
            "wait_p95_min": p95,
            "share_wait_over_30min": np.where(
                voted_n > 0, long_total / np.maximum(voted_n, 1), 0.0
            ),
            "count_finish_mean_clock_min": total(finish) / np.maximum(count_tps, 1),
            "count_finish_max_clock_min": finish_max,
            "fatigue_peak": total(per_tps["fatigue_peak"]) / np.maximum(count_tps, 1),
            "staff_health_events": total(per_tps["staff_health_events"]),
        }


HEADLINE: tuple[str, ...] = (
    "voters_arrived",
    "voters_voted",
    "voters_gave_up",
    "wait_mean_min",
    "wait_p95_min",
    "share_wait_over_30min",
    "tps_opened_late",
    "incidents_total",
    "response_mean_min",
    "fatigue_peak",
    "staff_health_events",
    "count_finish_mean_clock_min",
    "count_finish_p95_clock_min",
    "revote_risk_tps",
)
"""The metrics `planner simulate` prints (all of them are in summary.json)."""


def format_value(name: str, value: float) -> str:
    """A metric value for people: clock times as HH:MM, shares as %, counts rounded."""
    from planner.scenario.clock import format_clock

    unit = next((m.unit for m in METRICS if m.name == name), "")
    if unit == "clock min":
        return format_clock(value)
    if unit == "share":
        return f"{100 * value:.1f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def headline_rows(summary: dict[str, Any]) -> list[list[str]]:
    """Rows (metric, mean, 95% interval) of the headline metrics that are enabled."""
    rows: list[list[str]] = []
    for name in HEADLINE:
        m = summary["metrics"].get(name)
        if m is None or not m.get("enabled", True):
            continue
        low = format_value(name, m["ci95_low"])
        high = format_value(name, m["ci95_high"])
        rows.append([name, format_value(name, m["mean"]), f"{low} – {high}"])
    return rows
