"""Deterrence, displacement and detection: which attempted incidents happen, and where.

For a human-made incident type (one with ``presence`` in the catalogue) the rate draws of
`planner.sim.incidents` are *attempts*: plan-independent, from the type's own stream. This
module decides, for one plan, what becomes of each attempt (docs/model-incidents.md,
"Deterrence"):

1. **Deterred or not.** The attempt at TPS i at minute t is stopped when its uniform
   ``u_stop`` (stream ``deterrence/<type>``) is below the stop probability of the presence
   there (`planner.sim.presence.Presence.stop_probability`). One uniform per attempt, so
   more presence at a TPS can only stop more of the attempts made there.
2. **Displaced or prevented.** A stopped attempt is tried again at once at a nearby TPS with
   less presence with probability ``displacement × (1 − c)`` (the type's share; c the share
   of the kecamatan's TPS with an officer there at that minute — displacement vanishes at
   full coverage): the
   TPS of the same village with the lowest stop probability at that minute, if lower than
   the origin's, else the kecamatan's; none lower — prevented. The displaced attempt goes
   ahead there unless stopped by that TPS's presence (its own uniform); either way
   deterred = prevented + displaced.
3. **Caught, found later, or undetected** (fraud types). An attempt that goes ahead is
   caught at once with ``caught_watched`` when an officer is there, ``caught_linmas`` with
   only linmas, else ``caught_alone``; caught ones are incidents as before (responders,
   suspensions). Of the rest, ``found_later`` are found at counting: the incident moves to a
   uniform time in the counting window, pauses nothing, and adds ``late_revote_prob`` to
   the TPS's re-vote risk; the remainder are *undetected* — no incident, but the fraud stands
   (it counts in the simulated harm).

All uniforms are drawn for every attempt whatever the plan (six per attempt, in a fixed
order), so two plans see the same attempts and the same draws; with deterrence switched off
the incidents are exactly the attempts, and nothing is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.incidents import IncidentDraws
from planner.sim.presence import (
    BY_LINMAS,
    DETERRED_BY,
    NOT_STOPPED,
    Presence,
    build_presence,
    patrol_groups,
    patrol_unit_name,
)
from planner.sim.record import TraceRow
from planner.streams import named_rng

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

OUTCOMES: tuple[str, ...] = (
    "attempted",
    "deterred",
    "prevented",
    "displaced",
    "displaced_ahead",
    "caught",
    "found_later",
    "undetected",
)
"""Counts kept per TPS (of the attempt's origin, except `displaced_ahead`: where it went)."""


@dataclass(frozen=True)
class AttemptLog:
    """Every human-made attempt of the day and what became of it, one entry per attempt
    (scripted inject incidents are not attempts). What the trainer's demo tells
    (`planner.demo.day`); replications keep only the counts."""

    type: IntArray
    """Index into the catalogue's incident types."""
    origin: IntArray
    """TPS row where the attempt was made."""
    time_min: FloatArray
    deterred_by: IntArray
    """`planner.sim.presence.DETERRED_BY` code of what stopped it at its origin (-1: went
    ahead there)."""
    target: IntArray
    """TPS row it was displaced to (-1: not displaced)."""
    target_deterred_by: IntArray
    """What stopped the displaced attempt at its target (-1: went ahead there, or not
    displaced)."""
    ahead: BoolArray
    """It went ahead (at its origin, or at its target when displaced)."""
    caught: BoolArray
    """Went ahead and was caught at once (an incident at `time_min`)."""
    found_later: BoolArray
    """Fraud found at counting (an incident at `found_min`)."""
    found_min: FloatArray
    """When it was found at counting (NaN otherwise)."""
    undetected: BoolArray
    """Fraud nobody found: it stands in the count."""

    def __len__(self) -> int:
        return len(self.type)

    @property
    def at(self) -> IntArray:
        """The TPS where it went ahead or was finally stopped: the target when displaced."""
        return np.asarray(np.where(self.target >= 0, self.target, self.origin), dtype=np.int64)


@dataclass(frozen=True)
class DeterrenceResult:
    """What became of the day's attempts: counts per TPS for each outcome in `OUTCOMES`, and
    per (type, outcome) totals; `log` lists the attempts one by one."""

    per_tps: dict[str, FloatArray]
    by_type: dict[str, dict[str, int]]
    presence: Presence
    log: AttemptLog | None = None
    patrols: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """The plan's patrol teams, (pattern, TPS rows of its round) (`patrol_groups`)."""


def apply_deterrence(
    scenario: Scenario, plan: Plan, draws: IncidentDraws, seed: int, replication: int
) -> tuple[IncidentDraws, DeterrenceResult | None]:
    """The incidents that happen under `plan` out of the attempts in `draws`, and what became
    of the attempts (None when no type has presence effects). With deterrence off every
    attempt goes ahead and is caught: `draws` unchanged, nothing drawn."""
    spec = scenario.spec.incidents
    types = spec.types
    deterrable = [k for k, t in enumerate(types) if t.presence is not None]
    if not deterrable:
        return draws, None
    groups = patrol_groups(scenario, plan)
    presence = build_presence(scenario, plan, groups)
    if not spec.deterrence.enabled:
        result = _all_ahead(scenario, draws, deterrable, presence)
        return draws, replace(result, patrols=tuple(groups))
    table = scenario.tps
    n_tps = len(table)
    per_tps = {name: np.zeros(n_tps) for name in OUTCOMES}
    by_type: dict[str, dict[str, int]] = {}
    keep = np.ones(len(draws), dtype=bool)
    new_tps = draws.tps.copy()
    new_time = draws.time_min.copy()
    new_phase = draws.phase.copy()
    new_effect = draws.effect_min.copy()
    new_revote = draws.extra_revote.copy()
    by_district = [np.flatnonzero(table.district == d) for d in range(len(table.district_names))]

    def coverage(d: int, t: float) -> float:
        """Share of kecamatan d's TPS with an officer there at minute t."""
        rows = by_district[d]
        return float(presence.watched(rows, np.full(len(rows), t)).mean())

    close = float(scenario.spec.day.close)
    window = float(spec.counting_window_min)
    logs: list[AttemptLog] = []
    for k in deterrable:
        t = types[k]
        effect = t.presence
        assert effect is not None
        rows = np.flatnonzero((draws.type == k) & ~draws.scripted)
        n = len(rows)
        rng = named_rng(seed, replication, f"deterrence/{t.name}")
        u = rng.random((6, n))  # stop, displace, stop at target, caught, found later, when
        origin = draws.tps[rows]
        time = draws.time_min[rows]
        stopped = u[0] < presence.stop_probability(effect, origin, time)
        want = np.zeros(n, dtype=bool)
        for j in np.flatnonzero(stopped & (u[1] < effect.displacement)):
            cover = coverage(int(table.district[origin[j]]), float(time[j]))
            want[j] = u[1][j] < effect.displacement * (1.0 - cover)
        target = np.full(n, -1, dtype=np.int64)
        for j in np.flatnonzero(want):
            target[j] = displacement_target(
                scenario, presence, effect, int(origin[j]), float(time[j])
            )
        displaced = target >= 0
        at = np.where(displaced, target, origin)
        moved_ahead = displaced & (
            u[2] >= presence.stop_probability(effect, np.maximum(target, 0), time)
        )
        ahead = ~stopped | moved_ahead
        caught = ahead.copy()
        later = np.zeros(n, dtype=bool)
        if effect.fraud:
            watched = presence.watched(at, time)
            guarded = presence.linmas[at] > 0
            p_catch = np.where(
                watched,
                effect.caught_watched,
                np.where(guarded, effect.caught_linmas, effect.caught_alone),
            )
            caught = ahead & (u[3] < p_catch)
            later = ahead & ~caught & (u[4] < effect.found_later)
        undetected = ahead & ~caught & ~later
        keep[rows] = caught | later
        new_tps[rows] = at
        late_rows = rows[later]
        new_time[late_rows] = close + u[5][later] * window
        new_phase[late_rows] = 2
        new_effect[late_rows] = np.nan
        new_revote[late_rows] = effect.late_revote_prob
        counts = {
            "attempted": np.ones(n, dtype=bool),
            "deterred": stopped,
            "prevented": stopped & ~displaced,
            "displaced": displaced,
            "caught": caught,
            "found_later": later,
            "undetected": undetected,
        }
        for name, mask in counts.items():
            per_tps[name] += np.bincount(origin[mask], minlength=n_tps)
        per_tps["displaced_ahead"] += np.bincount(at[moved_ahead], minlength=n_tps)
        by_type[t.name] = {name: int(mask.sum()) for name, mask in counts.items()}
        by_type[t.name]["displaced_ahead"] = int(moved_ahead.sum())
        logs.append(
            _attempt_log(
                presence,
                effect,
                k,
                origin,
                time,
                u,
                stopped,
                target,
                ahead,
                caught,
                later,
                np.where(later, close + u[5] * window, np.nan),
                undetected,
            )
        )
    happened = replace(
        draws,
        tps=new_tps,
        time_min=new_time,
        phase=new_phase,
        effect_min=new_effect,
        extra_revote=new_revote,
    )
    log = _concat_logs(logs)
    patrols = tuple(groups)
    return _select(happened, keep), DeterrenceResult(per_tps, by_type, presence, log, patrols)


def deterrence_trace(
    scenario: Scenario, result: DeterrenceResult, i: int, until_min: float
) -> list[TraceRow]:
    """Trace rows of TPS `i`: its attempts (made there or displaced to it) and what became
    of them, and its patrol team's visits (arrival, departure) until `until_min`."""
    from planner.scenario.clock import format_clock

    table = scenario.tps
    names = [t.name for t in scenario.spec.incidents.types]
    rows: list[TraceRow] = []
    log = result.log
    if log is not None:
        at = log.at
        for j in np.flatnonzero((log.origin == i) | (log.target == i)).tolist():
            t = float(log.time_min[j])
            what = names[int(log.type[j])].replace("_", " ")
            origin, target = int(log.origin[j]), int(log.target[j])
            by = int(log.deterred_by[j])
            if origin == i and by >= 0:
                fate = f"displaced to {table.tps_id[target]}" if target >= 0 else "prevented"
                rows.append(
                    (t, "attempt", f"{what} attempt deterred", f"by {DETERRED_BY[by]}; {fate}")
                )
            if target == i:
                by_there = int(log.target_deterred_by[j])
                there = f"deterred by {DETERRED_BY[by_there]}" if by_there >= 0 else "went ahead"
                rows.append(
                    (t, "attempt", f"{what} attempt displaced from {table.tps_id[origin]}", there)
                )
            if log.ahead[j] and int(at[j]) == i:
                if log.found_later[j]:
                    fate = f"found at counting {format_clock(float(log.found_min[j]))}"
                elif log.undetected[j]:
                    fate = "undetected"
                else:
                    fate = "caught"
                rows.append((t, "attempt", f"{what} attempt went ahead", fate))
    presence = result.presence
    for pattern, members in result.patrols:
        if i not in members:
            continue
        team = patrol_unit_name(scenario, pattern, members)
        k = len(members)
        after = table.tps_id[members[(members.index(i) + 1) % k]]
        visits = presence.visits(i, until_min)
        for n, (start, stop) in enumerate(visits, start=1):
            rows.append((start, team, "patrol arrives", f"visit {n}, round of {k} TPS"))
            if k > 1 and stop - start >= presence.dwell_min - 1e-9:
                rows.append((stop, team, "patrol leaves", f"for {after}"))
    return rows


def _attempt_log(
    presence: Presence,
    effect: Any,
    k: int,
    origin: IntArray,
    time: FloatArray,
    u: FloatArray,
    stopped: BoolArray,
    target: IntArray,
    ahead: BoolArray,
    caught: BoolArray,
    later: BoolArray,
    found_min: FloatArray,
    undetected: BoolArray,
) -> AttemptLog:
    """One type's attempts as an `AttemptLog`, with what stopped each one (from the same
    uniforms that decided it, `Presence.deterred_by`)."""
    by = np.where(stopped, presence.deterred_by(effect, origin, time, u[0]), NOT_STOPPED)
    # u < stop_probability and u < the last layer agree except at rounding: call it linmas
    by = np.where(stopped & (by == NOT_STOPPED), BY_LINMAS, by)
    displaced = target >= 0
    at_target = np.maximum(target, 0)
    stopped_there = displaced & ~ahead
    by_target = np.where(
        stopped_there, presence.deterred_by(effect, at_target, time, u[2]), NOT_STOPPED
    )
    by_target = np.where(stopped_there & (by_target == NOT_STOPPED), BY_LINMAS, by_target)
    return AttemptLog(
        type=np.full(len(origin), k, dtype=np.int64),
        origin=origin.astype(np.int64),
        time_min=time.astype(np.float64),
        deterred_by=by.astype(np.int64),
        target=target.astype(np.int64),
        target_deterred_by=by_target.astype(np.int64),
        ahead=ahead.astype(bool),
        caught=caught.astype(bool),
        found_later=later.astype(bool),
        found_min=found_min.astype(np.float64),
        undetected=undetected.astype(bool),
    )


def _concat_logs(logs: list[AttemptLog]) -> AttemptLog:
    """The types' logs as one, in order of time (then TPS, then type)."""
    names = [f for f in AttemptLog.__dataclass_fields__]
    if not logs:
        empty: dict[str, Any] = {f: np.zeros(0) for f in names}
        for f in ("type", "origin", "deterred_by", "target", "target_deterred_by"):
            empty[f] = np.zeros(0, dtype=np.int64)
        for f in ("ahead", "caught", "found_later", "undetected"):
            empty[f] = np.zeros(0, dtype=bool)
        return AttemptLog(**empty)
    joined = {f: np.concatenate([getattr(g, f) for g in logs]) for f in names}
    order = np.lexsort((joined["type"], joined["origin"], joined["time_min"]))
    return AttemptLog(**{f: v[order] for f, v in joined.items()})


def _all_ahead(
    scenario: Scenario, draws: IncidentDraws, deterrable: list[int], presence: Presence
) -> DeterrenceResult:
    """The outcome counts when nothing deters: every attempt goes ahead and is caught."""
    n_tps = len(scenario.tps)
    per_tps = {name: np.zeros(n_tps) for name in OUTCOMES}
    by_type: dict[str, dict[str, int]] = {}
    for k in deterrable:
        mask = (draws.type == k) & ~draws.scripted
        counts = np.bincount(draws.tps[mask], minlength=n_tps)
        per_tps["attempted"] += counts
        per_tps["caught"] += counts
        name = scenario.spec.incidents.types[k].name
        by_type[name] = {o: 0 for o in OUTCOMES} | {
            "attempted": int(mask.sum()),
            "caught": int(mask.sum()),
        }
    return DeterrenceResult(per_tps, by_type, presence)


def displacement_target(
    scenario: Scenario, presence: Presence, effect: Any, origin: int, time: float
) -> int:
    """The TPS a stopped attempt at `origin` moves to: the least-guarded TPS of its village
    at `time`, else of its kecamatan, if less guarded than `origin`; -1 if none is (ties
    go to the TPS listed first)."""
    table = scenario.tps
    here = float(presence.stop_probability(effect, np.array([origin]), np.array([time]))[0])
    for rows in (
        np.flatnonzero(table.village == table.village[origin]),
        np.flatnonzero(table.district == table.district[origin]),
    ):
        rows = rows[rows != origin]
        if not len(rows):
            continue
        stop = presence.stop_probability(effect, rows, np.full(len(rows), time))
        best = int(np.argmin(stop))
        if stop[best] < here - 1e-12:
            return int(rows[best])
    return -1


def _select(draws: IncidentDraws, keep: BoolArray) -> IncidentDraws:
    """The rows of `draws` where `keep`, re-sorted by time (as `IncidentDraws` are)."""
    fields = {
        name: getattr(draws, name)[keep]
        for name in draws.__dataclass_fields__
        if name != "type_names"
    }
    order = np.lexsort((fields["tps"], fields["type"], fields["time_min"]))
    return IncidentDraws(type_names=draws.type_names, **{k: v[order] for k, v in fields.items()})
