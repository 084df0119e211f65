"""Incident triggers for one replication, drawn from the scenario only (never from a plan).

For each rate-triggered type of the catalogue (`incidents.types`), from its own stream
``incidents/<type>``:

1. **How many.** A TPS-level type gives each TPS a Poisson number of events with mean
   ``rate_per_tps_day × m[class]``, where ``m`` is the class multiplier normalised so the
   average over `risk.classes` shares is 1 (so the rate stays the national average). An
   area type gives each village or kecamatan a Poisson number of events with mean
   ``rate_per_tps_day`` (unscaled); each event reaches each TPS of the area independently
   with probability ``area_hit_share``.
2. **When.** A phase is chosen by the type's phase weights (pre-open: staff arrival to
   opening; voting: opening to close; counting: close to close + counting window), then a
   time uniformly within it. An area event has one time for all its TPS.
3. **What.** Severity (minor, major, grave) by the type's probabilities (one per area event);
   a uniform number for the on-site attempt; the time to settle; the suspension or counting
   pause (scaled by severity); the escalation's suspension; ballots lost. Area events share
   the settle time and the suspension across their TPS.

Everything an incident will need later is drawn here, when it is created (DESIGN §6), so two
plans simulated with the same seed see identical incidents: same time, TPS, type, severity
and durations. Only what the responders do differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.errors import UserError
from planner.scenario.injects import ScriptedEvent
from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import SEVERITIES, IncidentType
from planner.streams import named_rng

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

PHASES: tuple[str, ...] = ("pre_open", "voting", "counting")


@dataclass(frozen=True)
class IncidentDraws:
    """All incidents of one replication, one row per (incident, TPS), sorted by time.

    An area event appears once per TPS it reaches, with the same `area_event` number.
    Durations are minutes; `effect_min` is the suspension (before close) or counting pause
    (after close) already scaled by severity, NaN when the type has none;
    `escalation_min` is NaN when the type's escalation suspends nothing.
    """

    type_names: tuple[str, ...]
    tps: IntArray
    type: IntArray
    severity: IntArray
    """0 minor, 1 major, 2 grave."""
    phase: IntArray
    """Index into PHASES."""
    time_min: FloatArray
    area_event: IntArray
    """-1 for a single-TPS incident, else a number shared by the TPS one area event hit."""
    onsite_u: FloatArray
    """Uniform(0, 1): settled on site when below the on-site probability."""
    resolve_min: FloatArray
    effect_min: FloatArray
    escalation_min: FloatArray
    ballots_lost: IntArray
    scripted: BoolArray
    """Came from a script (an exercise inject or a test), not from the rates."""
    extra_revote: FloatArray
    """Re-vote chance added to the type's (fraud found only at counting, `planner.sim.
    deterrence`); 0 otherwise."""

    def __len__(self) -> int:
        return len(self.tps)

    def counts_by_type(self) -> dict[str, int]:
        """Number of incident rows of each type."""
        counts = np.bincount(self.type, minlength=len(self.type_names))
        return {name: int(c) for name, c in zip(self.type_names, counts, strict=True)}

    def triggers(self) -> list[tuple[float, int, str]]:
        """(time, TPS, type) of every incident, for comparing draws across plans."""
        return [
            (float(t), int(i), self.type_names[k])
            for t, i, k in zip(self.time_min, self.tps, self.type, strict=True)
        ]


def class_multipliers(scenario: Scenario) -> FloatArray:
    """Per TPS: its class's rate multiplier, normalised so the share-weighted mean is 1."""
    spec = scenario.spec
    table = spec.incidents.class_rate_multiplier
    classes = spec.risk.classes
    mean = sum(c.share * table.get(name, 1.0) for name, c in classes.items())
    if mean <= 0:
        mean = 1.0
    per_class = np.array(
        [table.get(name, 1.0) / mean for name in scenario.tps.class_names], dtype=np.float64
    )
    return np.asarray(per_class[scenario.tps.risk_class], dtype=np.float64)


def phase_windows(scenario: Scenario) -> list[tuple[float, float]]:
    """(start, end) clock minutes of the pre-open, voting and counting phases."""
    day = scenario.spec.day
    close = float(day.close)
    return [
        (float(day.staff_arrive), float(day.open)),
        (float(day.open), close),
        (close, close + scenario.spec.incidents.counting_window_min),
    ]


def phase_probabilities(t: IncidentType, windows: list[tuple[float, float]]) -> FloatArray:
    """The type's phase weights, with empty phases dropped, normalised to sum 1."""
    w = np.array([t.phases.pre_open, t.phases.voting, t.phases.counting], dtype=np.float64)
    w[[end <= start for start, end in windows]] = 0.0
    total = w.sum()
    if total <= 0:
        return np.zeros(3)
    return np.asarray(w / total, dtype=np.float64)


def draw_incidents(scenario: Scenario, seed: int, replication: int) -> IncidentDraws:
    """Every rate-triggered incident of one replication (none when incidents are off)."""
    spec = scenario.spec.incidents
    names = tuple(t.name for t in spec.types)
    parts: list[dict[str, np.ndarray]] = []
    if spec.enabled:
        windows = phase_windows(scenario)
        mult = class_multipliers(scenario)
        next_area = 0
        for k, t in enumerate(spec.types):
            if t.trigger != "rate" or t.rate_per_tps_day <= 0:
                continue
            rng = named_rng(seed, replication, f"incidents/{t.name}")
            probs = phase_probabilities(t, windows)
            if probs.sum() <= 0:
                continue
            if t.area == "tps":
                part = _draw_tps_type(scenario, t, k, rng, probs, windows, mult)
            else:
                part = _draw_area_type(scenario, t, k, rng, probs, windows, next_area)
                if len(part["tps"]):
                    next_area = int(part["area_event"].max()) + 1
            parts.append(part)
    return _assemble(names, parts)


def empty_draws(type_names: tuple[str, ...]) -> IncidentDraws:
    """No incidents."""
    return _assemble(type_names, [])


def scripted_draws(
    scenario: Scenario,
    rows: list[dict[str, Any]],
) -> IncidentDraws:
    """Incidents given explicitly (tests, trainer injects): one dict per incident with keys
    tps (row index), type (name), time_min, and optionally severity (0–2, default 1),
    onsite_u (default 1.0: not settled on site), resolve_min (default the type's mean),
    effect_min (default the type's mean suspension or pause scaled by severity, NaN if none),
    escalation_min (default the type's mean, NaN if none), ballots_lost (default 0),
    area_event (default -1)."""
    types = scenario.spec.incidents.types
    names = tuple(t.name for t in types)
    windows = phase_windows(scenario)
    cols: dict[str, list[Any]] = {key: [] for key in _COLUMNS}
    for r in rows:
        k = names.index(str(r["type"]))
        t = types[k]
        sev = int(r.get("severity", 1))
        time = float(r["time_min"])
        phase = _phase_of(time, windows)
        effect = t.suspend_voting_min if phase < 2 else t.pause_counting_min
        default_effect = (
            np.nan if effect is None else effect.mean_value * t.severity_effect_scale[sev]
        )
        esc = t.escalation_suspend_min
        cols["tps"].append(int(r["tps"]))
        cols["type"].append(k)
        cols["severity"].append(sev)
        cols["phase"].append(phase)
        cols["time_min"].append(time)
        cols["area_event"].append(int(r.get("area_event", -1)))
        cols["onsite_u"].append(float(r.get("onsite_u", 1.0)))
        cols["resolve_min"].append(float(r.get("resolve_min", t.resolve_min.mean_value)))
        cols["effect_min"].append(float(r.get("effect_min", default_effect)))
        cols["escalation_min"].append(
            float(r.get("escalation_min", np.nan if esc is None else esc.mean_value))
        )
        cols["ballots_lost"].append(int(r.get("ballots_lost", 0)))
        cols["scripted"].append(True)
        cols["extra_revote"].append(float(r.get("extra_revote", 0.0)))
    part: dict[str, np.ndarray] = {key: np.array(v, dtype=_DTYPES[key]) for key, v in cols.items()}
    return _assemble(names, [part] if rows else [])


_COLUMNS: tuple[str, ...] = (
    "tps",
    "type",
    "severity",
    "phase",
    "time_min",
    "area_event",
    "onsite_u",
    "resolve_min",
    "effect_min",
    "escalation_min",
    "ballots_lost",
    "scripted",
    "extra_revote",
)
_DTYPES: dict[str, type] = {
    "tps": np.int64,
    "type": np.int64,
    "severity": np.int64,
    "phase": np.int64,
    "time_min": np.float64,
    "area_event": np.int64,
    "onsite_u": np.float64,
    "resolve_min": np.float64,
    "effect_min": np.float64,
    "escalation_min": np.float64,
    "ballots_lost": np.int64,
    "scripted": np.bool_,
    "extra_revote": np.float64,
}


def _phase_of(time: float, windows: list[tuple[float, float]]) -> int:
    if time < windows[1][0]:
        return 0
    if time < windows[1][1]:
        return 1
    return 2


def _times(
    rng: np.random.Generator,
    n: int,
    probs: FloatArray,
    windows: list[tuple[float, float]],
) -> tuple[IntArray, FloatArray]:
    phase = rng.choice(3, size=n, p=probs).astype(np.int64)
    u = rng.random(n)
    start = np.array([w[0] for w in windows])[phase]
    end = np.array([w[1] for w in windows])[phase]
    return phase, start + u * (end - start)


def _effects(
    t: IncidentType,
    rng: np.random.Generator,
    n: int,
    phase: IntArray,
    severity: IntArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(resolve, effect scaled by severity, escalation) durations, drawn for every row."""
    scale = np.array(t.severity_effect_scale)[severity]
    resolve = np.maximum(t.resolve_min.sample(rng, n), 0.0)
    suspend = (
        np.full(n, np.nan)
        if t.suspend_voting_min is None
        else np.maximum(t.suspend_voting_min.sample(rng, n), 0.0)
    )
    pause = (
        np.full(n, np.nan)
        if t.pause_counting_min is None
        else np.maximum(t.pause_counting_min.sample(rng, n), 0.0)
    )
    effect = np.where(phase < 2, suspend, pause) * scale
    esc = (
        np.full(n, np.nan)
        if t.escalation_suspend_min is None
        else np.maximum(t.escalation_suspend_min.sample(rng, n), 0.0)
    )
    return resolve, effect, esc


def _draw_tps_type(
    scenario: Scenario,
    t: IncidentType,
    k: int,
    rng: np.random.Generator,
    probs: FloatArray,
    windows: list[tuple[float, float]],
    mult: FloatArray,
) -> dict[str, np.ndarray]:
    n_tps = len(scenario.tps)
    lam = t.rate_per_tps_day * (mult if t.class_scaled else np.ones(n_tps))
    counts = rng.poisson(lam)
    tps = np.repeat(np.arange(n_tps, dtype=np.int64), counts)
    n = len(tps)
    phase, time = _times(rng, n, probs, windows)
    severity = rng.choice(3, size=n, p=np.array(t.severity) / sum(t.severity)).astype(np.int64)
    onsite_u = rng.random(n)
    resolve, effect, esc = _effects(t, rng, n, phase, severity)
    lost = _ballots_lost(t, rng, n, severity)
    return {
        "tps": tps,
        "type": np.full(n, k, dtype=np.int64),
        "severity": severity,
        "phase": phase,
        "time_min": time,
        "area_event": np.full(n, -1, dtype=np.int64),
        "onsite_u": onsite_u,
        "resolve_min": resolve,
        "effect_min": effect,
        "escalation_min": esc,
        "ballots_lost": lost,
        "scripted": np.zeros(n, dtype=bool),
    }


def _draw_area_type(
    scenario: Scenario,
    t: IncidentType,
    k: int,
    rng: np.random.Generator,
    probs: FloatArray,
    windows: list[tuple[float, float]],
    first_event: int,
) -> dict[str, np.ndarray]:
    tps_table = scenario.tps
    codes = tps_table.village if t.area == "village" else tps_table.district
    n_areas = len(tps_table.village_names if t.area == "village" else tps_table.district_names)
    counts = rng.poisson(t.rate_per_tps_day, n_areas)
    area_of_event = np.repeat(np.arange(n_areas, dtype=np.int64), counts)
    n_ev = len(area_of_event)
    phase_ev, time_ev = _times(rng, n_ev, probs, windows)
    sev_ev = rng.choice(3, size=n_ev, p=np.array(t.severity) / sum(t.severity)).astype(np.int64)
    resolve_ev, effect_ev, _ = _effects(t, rng, n_ev, phase_ev, sev_ev)
    members = {a: np.flatnonzero(codes == a) for a in np.unique(area_of_event).tolist()}
    rows_tps: list[np.ndarray] = []
    rows_ev: list[np.ndarray] = []
    for e, a in enumerate(area_of_event.tolist()):
        hit = rng.random(len(members[a])) < t.area_hit_share
        rows_tps.append(members[a][hit])
        rows_ev.append(np.full(int(hit.sum()), e, dtype=np.int64))
    tps = np.concatenate(rows_tps) if rows_tps else np.zeros(0, dtype=np.int64)
    ev = np.concatenate(rows_ev) if rows_ev else np.zeros(0, dtype=np.int64)
    n = len(tps)
    onsite_u = rng.random(n)
    esc = (
        np.full(n, np.nan)
        if t.escalation_suspend_min is None
        else np.maximum(t.escalation_suspend_min.sample(rng, n), 0.0)
    )
    lost = _ballots_lost(t, rng, n, sev_ev[ev])
    return {
        "tps": tps.astype(np.int64),
        "type": np.full(n, k, dtype=np.int64),
        "severity": sev_ev[ev],
        "phase": phase_ev[ev],
        "time_min": time_ev[ev],
        "area_event": ev + first_event,
        "onsite_u": onsite_u,
        "resolve_min": resolve_ev[ev],
        "effect_min": effect_ev[ev],
        "escalation_min": esc,
        "ballots_lost": lost,
        "scripted": np.zeros(n, dtype=bool),
    }


def _ballots_lost(
    t: IncidentType, rng: np.random.Generator, n: int, severity: IntArray
) -> IntArray:
    scale = np.array(t.severity_effect_scale)[severity]
    lost = np.maximum(t.ballots_lost.sample(rng, n), 0.0) * scale
    return np.asarray(np.round(lost), dtype=np.int64)


def _assemble(names: tuple[str, ...], parts: list[dict[str, np.ndarray]]) -> IncidentDraws:
    cols: dict[str, np.ndarray] = {}
    for key in _COLUMNS:
        arrays = [p[key] if key in p else np.zeros(len(p["tps"])) for p in parts]
        cols[key] = (
            np.concatenate(arrays).astype(_DTYPES[key])
            if arrays
            else np.zeros(0, dtype=_DTYPES[key])
        )
    order = np.lexsort((cols["tps"], cols["type"], cols["time_min"]))
    return IncidentDraws(type_names=names, **{key: cols[key][order] for key in _COLUMNS})


def severity_name(code: int) -> str:
    """'minor', 'major' or 'grave'."""
    return SEVERITIES[code]


INJECT_TYPES: dict[str, tuple[str, int, float]] = {
    "flood": ("flood", 1, 1.0),
    "power-cut": ("power_cut", 1, 0.0),
    "protest": ("dispute", 1, 1.0),
}
"""Exercise inject kind → (catalogue type, severity, on-site draw). A flood or protest is a
major incident that calls for responders (on-site draw 1.0 is never below a probability);
a power cut is handled on site."""


def inject_draws(scenario: Scenario, events: Sequence[ScriptedEvent]) -> IncidentDraws:
    """Incidents from exercise injects (`planner.scenario.injects`): flood, power-cut and
    protest events at every TPS of their place, at their start time, lasting their duration
    (a voting suspension before close, a counting pause after; a power cut before close
    stops nothing, as voting goes on in daylight). Collapses and late kits are not
    incidents here: see `inject_collapses` and `simulate_logistics(..., injects=...)`."""
    names = {t.name for t in scenario.spec.incidents.types}
    close = float(scenario.spec.day.close)
    rows: list[dict[str, Any]] = []
    area = _INJECT_AREA_BASE
    for e in events:
        if e.kind not in INJECT_TYPES or e.start_min is None:
            continue
        type_name, severity, onsite_u = INJECT_TYPES[e.kind]
        if type_name not in names:
            raise UserError(
                f"inject {e.spec!r} needs incident type {type_name!r} in incidents.types; "
                "add it back to the catalogue or drop the inject",
                where="--inject",
            )
        effect = np.nan if e.duration_min is None else float(e.duration_min)
        if e.kind == "power-cut" and e.start_min < close:
            effect = np.nan
        for i in e.tps:
            rows.append(
                {
                    "tps": i,
                    "type": type_name,
                    "time_min": float(e.start_min),
                    "severity": severity,
                    "onsite_u": onsite_u,
                    "effect_min": effect,
                    "area_event": area if len(e.tps) > 1 else -1,
                }
            )
        area += 1
    return scripted_draws(scenario, rows)


def inject_collapses(events: Sequence[ScriptedEvent]) -> tuple[IntArray, FloatArray]:
    """(TPS, clock minute) of every collapse inject, for the staff model and the medical
    teams (`planner.sim.response.respond_medical`)."""
    tps: list[int] = []
    times: list[float] = []
    for e in events:
        if e.kind == "collapse" and e.start_min is not None:
            for i in e.tps:
                tps.append(i)
                times.append(float(e.start_min))
    return np.array(tps, dtype=np.int64), np.array(times, dtype=np.float64)


def inject_disruptions(
    scenario: Scenario, events: Sequence[ScriptedEvent]
) -> tuple[list[list[tuple[float, float]]], list[list[tuple[float, float]]]]:
    """(Per-TPS suspensions, per-TPS counting-pause intervals) of the injects applied
    directly, without dispatch — what flood, power-cut and protest do when incidents are off:
    a voting suspension for the duration when they start before close (a power cut in
    daylight stops nothing), a counting pause from their start when they start after."""
    close = float(scenario.spec.day.close)
    n_tps = len(scenario.tps)
    suspensions: list[list[tuple[float, float]]] = [[] for _ in range(n_tps)]
    pauses: list[list[tuple[float, float]]] = [[] for _ in range(n_tps)]
    for e in events:
        if e.kind not in INJECT_TYPES or e.start_min is None or e.duration_min is None:
            continue
        for i in e.tps:
            if e.start_min < close and e.kind != "power-cut":
                suspensions[i].append((float(e.start_min), float(e.start_min + e.duration_min)))
            elif e.start_min >= close:
                pauses[i].append((float(e.start_min), float(e.start_min + e.duration_min)))
    return suspensions, pauses


def merge_draws(*parts: IncidentDraws) -> IncidentDraws:
    """Several sets of incidents (e.g. the rates' and the injects') as one, by time."""
    names = parts[0].type_names if parts else ()
    for p in parts:
        if p.type_names != names:
            raise ValueError("incident draws from different catalogues cannot be merged")
    cols = [{key: getattr(p, key) for key in _COLUMNS} for p in parts if len(p)]
    return _assemble(names, cols)


_INJECT_AREA_BASE = 1_000_000
"""Area-event numbers of injects start here, apart from the rates' area events."""
