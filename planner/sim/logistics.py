"""Ballot and kit logistics for one replication: delivery, the kit check, replacements, returns.

The chain (facts §5.4, DESIGN §1): KPU warehouse → PPK (one trip per kecamatan) → PPS (one
trip per village) → TPS (one trip per TPS). Each leg departs at its clock time (remote
kecamatan at `depart_remote`), once the load has reached the leg's origin. A leg with
`vehicles: V` has V vehicles or boats at each origin making its trips in table order, each
returning (undisrupted, same travel time) before the next load; without it every trip leaves
at once. A trip takes the leg's road or river time (by the destination's access) plus, with
probability `disruption_prob`, a disruption delay.

At the TPS the KPPS check the kit when they start setting up, at max(kit arrival,
day.staff_arrive). A kit can be short of ballots (below DPT + reserve), damaged, or missing an
item; any of these makes the KPPS send exactly one replacement request to the PPK, which
arrives after a preparation time plus its own road or river travel time. Setup takes
`setup_min` plus `setup_min_per_ballot_type` × election.ballots from the check (each ballot
type's box is shown and its papers counted before witnesses). The TPS opens at

    open = max(day.open, check + setup, replacement arrival if the kit was damaged or incomplete)

— a short kit does not stop the TPS from opening (it starts with the ballots it has). Ballots
available for the day are DPT + 2.5% reserve (rounded up, facts §5.3), or the short delivery
when its replacement comes only after close, less papers spoiled by voters.

After counting, each TPS seals its boxes (`results_hold_min`) and takes its results to the
PPS (the PPS → TPS leg's travel time, reversed); the PPS forwards them to the PPK once all its
TPS are in (the PPK → PPS leg reversed). A kecamatan's results are complete when its last
village's results reach the PPK — the start of the kecamatan recapitulation.

Every random number comes from the named streams ``logistics/<leg>``, ``logistics/kit``,
``logistics/spoiled`` and ``logistics/return``, drawn as whole vectors in table order, so the
draws never depend on the plan or on other parts of the model (common random numbers).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.injects import ScriptedEvent
from planner.scenario.resolved import Scenario, district_label, reserve_ballots
from planner.scenario.sections.logistics import Leg
from planner.streams import named_rng

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
TraceRow = tuple[float, str, str, str]
"""One trace event: (clock minute, who, what, detail)."""

LEGS: tuple[str, ...] = ("warehouse_to_ppk", "ppk_to_pps", "pps_to_tps")


@dataclass(frozen=True)
class LogisticsResult:
    """Kit delivery and opening times of every TPS in one replication (clock minutes)."""

    ppk_arrive_min: FloatArray
    """Per kecamatan: when its kits reached the PPK."""
    pps_arrive_min: FloatArray
    """Per village: when its kits reached the PPS."""
    kit_arrive_min: FloatArray
    """Per TPS: when the kit reached the TPS."""
    check_min: FloatArray
    """When the KPPS checked the kit and started setting up: max(arrival, staff arrival)."""
    setup_done_min: FloatArray
    kit_short: BoolArray
    kit_damaged: BoolArray
    kit_missing: BoolArray
    replacement_arrive_min: FloatArray
    """When the replacement from the PPK arrived (NaN: none was needed)."""
    kit_complete_min: FloatArray
    """When the TPS had its whole kit: the replacement's arrival, or the kit's."""
    open_min: FloatArray
    """When the TPS could open: max(day.open, setup done, blocking replacement)."""
    ballots_needed: IntArray
    """DPT + reserve, rounded up (facts §5.3)."""
    ballots_delivered: IntArray
    """Ballot sets in the first delivery (below ballots_needed when short)."""
    ballots_spoiled: IntArray
    """Ballot papers spoiled by voters and replaced from the reserve."""
    ballots_available: IntArray
    """Ballot sets for voters over the day: needed (or delivered when the replacement came
    only after close), less spoiled papers."""
    day_open_min: int
    staff_arrive_min: int

    @property
    def replaced(self) -> BoolArray:
        """TPS that requested (and got) one replacement."""
        return np.asarray(np.isfinite(self.replacement_arrive_min))

    @property
    def opened_late(self) -> BoolArray:
        """TPS that could not open at day.open."""
        return np.asarray(self.open_min > self.day_open_min + 1e-9)

    @property
    def open_delay_min(self) -> FloatArray:
        """Minutes each TPS opened after day.open (0 when on time)."""
        return np.maximum(self.open_min - self.day_open_min, 0.0)

    @property
    def logistics_late(self) -> BoolArray:
        """TPS whose complete kit was not there when the KPPS arrived."""
        return np.asarray(self.kit_complete_min > self.staff_arrive_min + 1e-9)


@dataclass(frozen=True)
class ReturnResult:
    """Results' journey back after counting (clock minutes)."""

    tps_at_pps_min: FloatArray
    """Per TPS: when its results and boxes reached the PPS."""
    pps_at_ppk_min: FloatArray
    """Per village: when the PPS delivered all its TPS's results to the PPK."""
    district_complete_min: FloatArray
    """Per kecamatan: when the PPK had every TPS's results (recap can start)."""


def district_remote(scenario: Scenario) -> BoolArray:
    """Per kecamatan: True when its kits leave at `depart_remote` (region flag or list)."""
    spec = scenario.spec
    names = set(spec.logistics.remote_districts)
    flagged: set[str] = set()
    for region in spec.all_regions():
        for d in region.districts or []:
            if d.remote:
                flagged.add(district_label(spec, region.name, d.name))
    labels = scenario.tps.district_names
    return np.array(
        [lab in flagged or lab in names or lab.split(" / ")[-1] in names for lab in labels],
        dtype=bool,
    )


def majority_river(codes: IntArray, access: IntArray, n: int) -> BoolArray:
    """Per group code 0..n-1: True when most of its TPS are reached by river."""
    river = np.bincount(codes, weights=(access == 1).astype(np.float64), minlength=n)
    total = np.bincount(codes, minlength=n).astype(np.float64)
    return np.asarray(river * 2 > np.maximum(total, 1), dtype=bool)


def leg_travel(
    leg: Leg, river: BoolArray, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """(one-way undisrupted travel, disruption delay) per trip of a leg, drawn in table order.

    Road and river times are both drawn for every trip so the draws do not depend on access.
    """
    n = len(river)
    road = leg.road_min.sample(rng, n)
    by_river = leg.river_min.sample(rng, n)
    disrupted = rng.random(n) < leg.disruption_prob
    extra = leg.disruption_add_min.sample(rng, n)
    base = np.maximum(np.where(river, by_river, road), 0.0)
    return base, np.where(disrupted, np.maximum(extra, 0.0), 0.0)


def schedule_trips(
    ready_min: FloatArray,
    origin: IntArray,
    travel_min: FloatArray,
    delay_min: FloatArray,
    vehicles: int | None,
) -> FloatArray:
    """Arrival time of each trip.

    Without a vehicle limit a trip leaves when its load is ready. With `vehicles` per origin,
    trips leave in (ready time, table order) on the first free vehicle of their origin; a
    vehicle is free again after the trip and the undisrupted return (`travel_min`).
    """
    if vehicles is None:
        return np.asarray(ready_min + travel_min + delay_min, dtype=np.float64)
    arrive = np.empty(len(ready_min), dtype=np.float64)
    free: dict[int, list[float]] = {}
    order = np.lexsort((np.arange(len(ready_min)), ready_min))
    for j in order.tolist():
        pool = free.setdefault(int(origin[j]), [-math.inf] * vehicles)
        start = max(float(ready_min[j]), heapq.heappop(pool))
        arrive[j] = start + travel_min[j] + delay_min[j]
        heapq.heappush(pool, float(arrive[j] + travel_min[j]))
    return arrive


def simulate_logistics(
    scenario: Scenario,
    seed: int,
    replication: int,
    injects: Sequence[ScriptedEvent] = (),
) -> LogisticsResult:
    """Deliver every kit, check it at setup, replace what is wrong, and find opening times.

    `injects` may hold exercise injects (`planner.scenario.injects`); their ``late-kit``
    events move the kit's arrival at each TPS of their place (rule in `late_kits`); check,
    set-up, replacement and opening follow the late kit. Other kinds are ignored here.
    """
    spec = scenario.spec
    lg = spec.logistics
    tps = scenario.tps
    n_d = len(tps.district_names)
    n_v = len(tps.village_names)
    day = spec.day
    needed = reserve_ballots(tps.voters, spec.election.ballot_reserve)
    remote_d = district_remote(scenario)

    # Leg 1: warehouse → PPK, one trip per kecamatan.
    leg = lg.warehouse_to_ppk
    rng = named_rng(seed, replication, "logistics/warehouse_to_ppk")
    base, delay = leg_travel(leg, majority_river(tps.district, tps.access, n_d), rng)
    ready = np.where(remote_d, _depart(leg, True), _depart(leg, False)).astype(np.float64)
    ppk = schedule_trips(ready, np.zeros(n_d, dtype=np.int64), base, delay, leg.vehicles)

    # Leg 2: PPK → PPS, one trip per village, once the kits are at the PPK.
    leg = lg.ppk_to_pps
    rng = named_rng(seed, replication, "logistics/ppk_to_pps")
    base, delay = leg_travel(leg, majority_river(tps.village, tps.access, n_v), rng)
    vd = tps.village_district
    depart = np.where(remote_d[vd], _depart(leg, True), _depart(leg, False))
    ready = np.maximum(depart, ppk[vd])
    pps = schedule_trips(ready, vd, base, delay, leg.vehicles)

    # Leg 3: PPS → TPS, one trip per TPS, once the kits are at the PPS.
    leg = lg.pps_to_tps
    rng = named_rng(seed, replication, "logistics/pps_to_tps")
    base, delay = leg_travel(leg, tps.access == 1, rng)
    depart = np.where(remote_d[tps.district], _depart(leg, True), _depart(leg, False))
    ready = np.maximum(depart, pps[tps.village])
    kit = schedule_trips(ready, tps.village, base, delay, leg.vehicles)
    kit = late_kits(kit, injects, float(day.staff_arrive))

    # The kit check at setup and one replacement request for anything wrong.
    draws = draw_kit(scenario, seed, replication)
    short, damaged, missing = draws.short, draws.damaged, draws.missing
    share, setup, prepare = draws.short_share, draws.setup_min, draws.prepare_min
    repl_road, repl_river = draws.repl_road_min, draws.repl_river_min
    check = np.maximum(kit, float(day.staff_arrive))
    setup_done = check + setup
    problem = short | damaged | missing
    travel = np.maximum(np.where(tps.access == 1, repl_river, repl_road), 0.0)
    replacement = np.where(problem, check + prepare + travel, np.nan)
    blocking = damaged | missing
    open_min = np.maximum(float(day.open), setup_done)
    open_min = np.where(blocking, np.maximum(open_min, replacement), open_min)
    complete = np.where(problem, replacement, kit)

    missing_ballots = np.maximum(np.ceil(share * needed), 1).astype(np.int64)
    delivered = np.where(short, np.maximum(needed - missing_ballots, 0), needed)
    rng = named_rng(seed, replication, "logistics/spoiled")
    papers = np.round(tps.voters * scenario.turnout_by_tps() * spec.election.ballots)
    spoiled = rng.binomial(papers.astype(np.int64), lg.spoiled_per_ballot).astype(np.int64)
    on_hand = np.where(short & (replacement > day.close), delivered, needed)
    available = np.maximum(on_hand - spoiled, 0).astype(np.int64)
    return LogisticsResult(
        ppk_arrive_min=ppk,
        pps_arrive_min=pps,
        kit_arrive_min=kit,
        check_min=check,
        setup_done_min=setup_done,
        kit_short=short,
        kit_damaged=damaged,
        kit_missing=missing,
        replacement_arrive_min=replacement,
        kit_complete_min=complete,
        open_min=open_min,
        ballots_needed=needed,
        ballots_delivered=delivered.astype(np.int64),
        ballots_spoiled=spoiled,
        ballots_available=available,
        day_open_min=int(day.open),
        staff_arrive_min=int(day.staff_arrive),
    )


@dataclass(frozen=True)
class KitDraws:
    """Per-TPS draws of the kit check (stream ``logistics/kit``), in the array code's order."""

    short: np.ndarray[Any, np.dtype[np.bool_]]
    damaged: np.ndarray[Any, np.dtype[np.bool_]]
    missing: np.ndarray[Any, np.dtype[np.bool_]]
    short_share: FloatArray
    setup_min: FloatArray
    prepare_min: FloatArray
    repl_road_min: FloatArray
    repl_river_min: FloatArray


def draw_kit(scenario: Scenario, seed: int, replication: int) -> KitDraws:
    """The kit-check draws, used by `simulate_logistics` and its SimPy reference."""
    lg = scenario.spec.logistics
    n = len(scenario.tps)
    rng = named_rng(seed, replication, "logistics/kit")
    short = rng.random(n) < lg.kit_short_prob
    damaged = rng.random(n) < lg.kit_damaged_prob
    missing = rng.random(n) < lg.kit_missing_item_prob
    share = np.clip(lg.short_share.sample(rng, n), 0.0, 1.0)
    setup = np.maximum(lg.setup_min.sample(rng, n), 0.0) + (
        lg.setup_min_per_ballot_type * scenario.spec.election.ballots
    )
    prepare = np.maximum(lg.replacement_prepare_min.sample(rng, n), 0.0)
    road = lg.replacement_road_min.sample(rng, n)
    river = lg.replacement_river_min.sample(rng, n)
    return KitDraws(short, damaged, missing, share, setup, prepare, road, river)


def late_kits(
    kit_arrive_min: FloatArray, injects: Sequence[ScriptedEvent], staff_arrive_min: float
) -> FloatArray:
    """Kit arrivals after the ``late-kit`` injects — the one rule for every caller.

    ``+DURATION`` (``delay_min``): the kit reaches the TPS DURATION after it was needed,
    i.e. after the KPPS arrive (day.staff_arrive), or after its planned arrival if that
    was later still: ``max(planned, staff_arrive) + delay``. (The planned arrival is
    normally the evening before, so a delay counted from it would change nothing.)
    A clock time (``start_min``): the kit arrives then, or at its planned arrival if that
    is later still: ``max(planned, clock)``. An inject never makes a kit earlier.
    """
    out = np.array(kit_arrive_min, dtype=np.float64, copy=True)
    for e in injects:
        if e.kind != "late-kit":
            continue
        rows = np.array(e.tps, dtype=np.int64)
        if e.delay_min is not None:
            out[rows] = np.maximum(out[rows], staff_arrive_min) + e.delay_min
        elif e.start_min is not None:
            out[rows] = np.maximum(out[rows], float(e.start_min))
    return out


def no_logistics(scenario: Scenario, injects: Sequence[ScriptedEvent] = ()) -> LogisticsResult:
    """The result when logistics are off: every TPS opens at day.open with a full kit.

    The kit is there when the KPPS arrive and set-up takes no time, unless a ``late-kit``
    inject (`late_kits`) holds it back: then the TPS opens when its kit arrives.
    """
    tps = scenario.tps
    n = len(tps)
    day = scenario.spec.day
    needed = reserve_ballots(tps.voters, scenario.spec.election.ballot_reserve)
    nan_d = np.full(len(tps.district_names), np.nan)
    nan_v = np.full(len(tps.village_names), np.nan)
    staff = np.full(n, float(day.staff_arrive))
    kit = late_kits(staff, injects, float(day.staff_arrive))
    false = np.zeros(n, dtype=bool)
    return LogisticsResult(
        ppk_arrive_min=nan_d,
        pps_arrive_min=nan_v,
        kit_arrive_min=kit.copy(),
        check_min=kit.copy(),
        setup_done_min=kit.copy(),
        kit_short=false,
        kit_damaged=false.copy(),
        kit_missing=false.copy(),
        replacement_arrive_min=np.full(n, np.nan),
        kit_complete_min=kit.copy(),
        open_min=np.maximum(float(day.open), kit),
        ballots_needed=needed,
        ballots_delivered=needed.copy(),
        ballots_spoiled=np.zeros(n, dtype=np.int64),
        ballots_available=needed.copy(),
        day_open_min=int(day.open),
        staff_arrive_min=int(day.staff_arrive),
    )


def return_results(
    scenario: Scenario, count_finish_min: FloatArray, seed: int, replication: int
) -> ReturnResult:
    """Carry every TPS's results back to its PPS and PPK after counting ends.

    `count_finish_min` is the clock minute each TPS finished counting (NaN: unknown, which
    makes its village and kecamatan NaN too).
    """
    spec = scenario.spec
    lg = spec.logistics
    tps = scenario.tps
    n_d = len(tps.district_names)
    n_v = len(tps.village_names)
    rng = named_rng(seed, replication, "logistics/return")
    hold = np.maximum(lg.results_hold_min.sample(rng, len(tps)), 0.0)
    base, delay = leg_travel(lg.pps_to_tps, tps.access == 1, rng)
    at_pps = np.asarray(count_finish_min, dtype=np.float64) + hold + base + delay
    ready = np.full(n_v, -np.inf)
    np.maximum.at(ready, tps.village, np.where(np.isnan(at_pps), -np.inf, at_pps))
    has_nan = np.zeros(n_v, dtype=bool)
    np.logical_or.at(has_nan, tps.village, np.isnan(at_pps))
    ready[has_nan] = np.nan
    base_v, delay_v = leg_travel(lg.ppk_to_pps, majority_river(tps.village, tps.access, n_v), rng)
    at_ppk = ready + base_v + delay_v
    complete = np.full(n_d, -np.inf)
    np.maximum.at(complete, tps.village_district, np.where(np.isnan(at_ppk), -np.inf, at_ppk))
    nan_d = np.zeros(n_d, dtype=bool)
    np.logical_or.at(nan_d, tps.village_district, np.isnan(at_ppk))
    complete[nan_d] = np.nan
    complete[np.isneginf(complete)] = np.nan
    return ReturnResult(
        tps_at_pps_min=at_pps, pps_at_ppk_min=at_ppk, district_complete_min=complete
    )


def logistics_trace(scenario: Scenario, result: LogisticsResult, i: int) -> list[TraceRow]:
    """The logistics events of TPS `i` for a trace (clock minute, who, what, detail)."""
    tps = scenario.tps
    d = int(tps.district[i])
    v = int(tps.village[i])
    rows: list[TraceRow] = []
    if np.isfinite(result.ppk_arrive_min[d]):
        rows.append(
            (float(result.ppk_arrive_min[d]), "logistics", "kits at PPK", tps.district_names[d])
        )
    if np.isfinite(result.pps_arrive_min[v]):
        rows.append(
            (float(result.pps_arrive_min[v]), "logistics", "kits at PPS", tps.village_names[v])
        )
    rows.append(
        (
            float(result.kit_arrive_min[i]),
            "logistics",
            "kit at TPS",
            f"{int(result.ballots_delivered[i])} ballot sets of {int(result.ballots_needed[i])} "
            "needed",
        )
    )
    problems = [
        name
        for name, flag in (
            ("short of ballots", result.kit_short[i]),
            ("damaged", result.kit_damaged[i]),
            ("missing an item", result.kit_missing[i]),
        )
        if flag
    ]
    if problems:
        rows.append(
            (
                float(result.check_min[i]),
                "KPPS",
                "kit check: replacement requested from PPK",
                ", ".join(problems),
            )
        )
        rows.append(
            (float(result.replacement_arrive_min[i]), "logistics", "replacement at TPS", "")
        )
    else:
        rows.append((float(result.check_min[i]), "KPPS", "kit check: complete", "setup starts"))
    rows.append((float(result.setup_done_min[i]), "KPPS", "setup done", ""))
    late = result.open_min[i] - result.day_open_min
    detail = f"{late:.0f} min late" if late > 1e-9 else "on time"
    rows.append((float(result.open_min[i]), "TPS", "can open", detail))
    return rows


def return_trace(scenario: Scenario, ret: ReturnResult, i: int) -> list[TraceRow]:
    """The results-return events of TPS `i` for a trace."""
    tps = scenario.tps
    v = int(tps.village[i])
    d = int(tps.district[i])
    rows: list[TraceRow] = []
    for t, who, what, detail in (
        (ret.tps_at_pps_min[i], "logistics", "results at PPS", tps.village_names[v]),
        (ret.pps_at_ppk_min[v], "logistics", "village results at PPK", tps.district_names[d]),
        (ret.district_complete_min[d], "PPK", "all kecamatan results in", "recap can start"),
    ):
        if np.isfinite(t):
            rows.append((float(t), who, what, detail))
    return rows


def _depart(leg: Leg, remote: bool) -> float:
    if remote and leg.depart_remote is not None:
        return float(leg.depart_remote)
    return float(leg.depart)


def effective_open_min(
    open_min: FloatArray, suspensions: list[list[tuple[float, float]]] | None
) -> FloatArray:
    """When each TPS actually starts voting: its opening time, pushed past any voting
    suspension (an incident before or at opening) that covers it."""
    out = np.array(open_min, dtype=np.float64, copy=True)
    if suspensions is None:
        return out
    for i, spans in enumerate(suspensions):
        t = out[i]
        for start, end in sorted(spans):
            if start <= t < end:
                t = end
        out[i] = t
    return out


def logistics_metrics(
    result: LogisticsResult, open_min: FloatArray | None = None
) -> tuple[dict[str, float], dict[str, FloatArray]]:
    """Scalar metrics and per-TPS columns of one replication's logistics (DESIGN §5 names).

    `open_min` is the actual opening (e.g. `effective_open_min` with incident suspensions);
    by default the logistics opening. ``open_delay_mean_min`` is the mean delay over the TPS
    that opened late (0 when none did).
    """
    opened = result.open_min if open_min is None else open_min
    delay = np.maximum(opened - result.day_open_min, 0.0)
    late = delay > 1e-9
    scalars = {
        "tps_opened_late": float(late.sum()),
        "open_delay_mean_min": float(delay[late].mean()) if late.any() else 0.0,
        "logistics_late_tps": float(result.logistics_late.sum()),
        "ballot_short_tps": float(result.kit_short.sum()),
        "kits_replaced": float(result.replaced.sum()),
    }
    per_tps = {
        "open_clock_min": np.asarray(opened, dtype=np.float64),
        "open_delay_min": delay,
        "opened_late": late.astype(np.float64),
        "logistics_late": result.logistics_late.astype(np.float64),
        "ballot_short": result.kit_short.astype(np.float64),
    }
    return scalars, per_tps


def return_metrics(ret: ReturnResult) -> tuple[dict[str, float], dict[str, FloatArray]]:
    """Scalar metrics and the per-kecamatan column of the results' return."""
    done = ret.district_complete_min
    finite = done[np.isfinite(done)]
    scalars = {
        "results_complete_mean_clock_min": float(finite.mean()) if len(finite) else float("nan"),
        "results_complete_last_clock_min": float(finite.max()) if len(finite) else float("nan"),
    }
    return scalars, {"results_complete_clock_min": done}
