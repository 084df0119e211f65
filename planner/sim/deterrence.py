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
from planner.sim.presence import Presence, build_presence
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
class DeterrenceResult:
    """What became of the day's attempts: counts per TPS for each outcome in `OUTCOMES`, and
    per (type, outcome) totals."""

    per_tps: dict[str, FloatArray]
    by_type: dict[str, dict[str, int]]
    presence: Presence


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
    presence = build_presence(scenario, plan)
    if not spec.deterrence.enabled:
        return draws, _all_ahead(scenario, draws, deterrable, presence)
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
    happened = replace(
        draws,
        tps=new_tps,
        time_min=new_time,
        phase=new_phase,
        effect_min=new_effect,
        extra_revote=new_revote,
    )
    return _select(happened, keep), DeterrenceResult(per_tps, by_type, presence)


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
