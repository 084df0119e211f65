"""Responders and dispatch on polling day (SimPy): who answers each incident, and when.

**Who is where.** The plan (or the default policy) gives each TPS a pattern
(`security.patterns`). From it:

- *guards* (agencies of role ``guard``, the linmas) stand at their TPS; with them there, KPPS
  and linmas settle an incident on site with the type's probability by severity (without
  them, that probability times ``incidents.response.kpps_alone_factor``);
- personnel a pattern puts *at each TPS* (``per_tps``, e.g. the two police of 2-1-2) form one
  *stationed* unit per agency that serves only that TPS — they are already there;
- a pattern's shared *team* (e.g. the two police of 2-6-12) is one *patrol* unit for each k
  TPS: the TPS of a sharing group (village, or kecamatan for small villages, as in
  `planner.scenario.costing`) on that pattern, taken in table order, k at a time. It serves
  only its k TPS and is at one of them at any moment: it stays ``patrol_dwell_min`` at each
  in turn, in table order, from ``day.staff_arrive`` (a deterministic rotation);
- *reserve* teams (``plan.reserves``) wait at the kecamatan post (Polsek, Koramil) and serve
  every TPS of their kecamatan;
- *medical* teams (``incidents.medical.teams_per_district``) wait at the Puskesmas and answer
  health events (worker collapse) in their kecamatan.

**Dispatch.** An incident not settled on site needs a unit of an adequate agency
(``responders`` for minor and major, ``grave_responders`` for grave). Among the adequate
units that serve its TPS, the closest *free* one goes (shortest travel from where it is
now); if none is free, the call joins the queue of the unit that would arrive first (it
finishes its earlier calls first, in order). Ties go to the unit listed first (stationed,
then patrol, then reserve). A unit's trip: travel to the TPS, settle the incident
(``resolve_min``), travel back to its post or patrol; then it is free.

**Travel.** With coordinates for every TPS: great-circle distance × ``road_distance_factor``
at the agency's road or river speed (by the incident TPS's access); posts sit at the
kecamatan's TPS centroid. Without coordinates: one draw per incident from the kecamatan's
travel-time distribution (``region.districts[].travel_min`` or
``security.travel.district_travel_min``; ``incidents.medical.travel_min`` for medical
teams) from the stream ``response/travel`` (``response/medical``), shared by every unit
that would come from the post, times ``patrol_travel_factor`` for a patrol team coming from
another of its TPS, and 0 for a unit already at the TPS.

**Escalation.** If the adequate unit has not arrived ``escalate_after_min`` after the
incident began (or none exists), the incident escalates then: severity one step up, voting
suspended (before close) or counting paused (after close) for ``escalation_min``, and the
re-vote chance of the final severity plus ``revote_prob_if_escalated``. An incident with no
adequate unit at all, or whose unit arrives only after ``day.count_deadline`` (the legal end
of counting), is *unresolved*.

**Effects on the TPS.** An incident's own effect (``effect_min``) suspends voting from its
time when it happens before close, or pauses counting when after; overlapping intervals
merge. Re-vote risk per TPS is ``1 − (1 − base) Π (1 − p_k)``.

Response time is arrival − incident time, for incidents not settled on site that had an
adequate unit (0 when a stationed or patrolling unit was already there). Utilisation is a
unit's busy minutes (travel out and back, settling) over the horizon, ``day.staff_arrive``
to ``day.close + incidents.counting_window_min``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from planner.scenario.distributions import Fixed, Lognormal
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario, district_label
from planner.sim.deterrence import DeterrenceResult
from planner.sim.incidents import PHASES, IncidentDraws, severity_name
from planner.sim.presence import patrol_groups, patrol_unit_name
from planner.streams import named_rng

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
TraceRow = tuple[float, str, str, str]
"""One trace event: (clock minute, who, what, detail)."""
Interval = tuple[float, float]

EARTH_RADIUS_KM = 6371.0


@dataclass
class Unit:
    """One responder unit: a stationed pair, a patrol team, a reserve team or a medical team."""

    name: str
    kind: str
    """"stationed", "patrol", "reserve" or "medical"."""
    agencies: frozenset[str]
    speed_road_kmh: float
    speed_river_kmh: float
    home_tps: int = -1
    """Stationed: the TPS it stands at."""
    members: tuple[int, ...] = ()
    """Patrol: the TPS it patrols, in rotation order."""
    district: int = -1
    """Reserve and medical: the kecamatan it serves."""
    available_min: float = -math.inf
    """When it is back and free after every call it has been given."""
    busy_min: float = 0.0
    calls: int = 0


@dataclass(frozen=True)
class Responders:
    """The units of a plan (and the medical teams) and which of them serve each TPS."""

    units: list[Unit]
    scope: list[list[int]]
    """Per TPS: indices of units that serve it, in tie-break order."""
    guard_present: BoolArray
    """Per TPS: a guard (linmas) stands there."""

    def fresh(self) -> Responders:
        """A copy with every unit free (units carry state during one replication)."""
        units = [
            Unit(
                name=u.name,
                kind=u.kind,
                agencies=u.agencies,
                speed_road_kmh=u.speed_road_kmh,
                speed_river_kmh=u.speed_river_kmh,
                home_tps=u.home_tps,
                members=u.members,
                district=u.district,
            )
            for u in self.units
        ]
        return Responders(units=units, scope=self.scope, guard_present=self.guard_present)


@dataclass(frozen=True)
class ResponseResult:
    """What happened to every incident and to every TPS in one replication."""

    draws: IncidentDraws
    onsite: BoolArray
    """Settled on site by KPPS and linmas."""
    unit: IntArray
    """The unit sent (-1: none)."""
    dispatch_min: FloatArray
    """When the unit set off (after finishing earlier calls); NaN if none."""
    arrival_min: FloatArray
    resolved_min: FloatArray
    """When the incident was settled; NaN if never."""
    response_min: FloatArray
    """Arrival − incident time; NaN when settled on site or no unit came."""
    escalated: BoolArray
    escalate_min: FloatArray
    final_severity: IntArray
    unresolved: BoolArray
    revote_prob: FloatArray
    """Per incident: chance it forces a re-vote."""
    unit_names: tuple[str, ...]
    unit_agencies: tuple[frozenset[str], ...]
    unit_busy_min: FloatArray
    horizon_min: float
    suspensions: list[list[Interval]]
    """Per TPS: merged voting-suspension intervals (clock minutes)."""
    pauses: list[list[Interval]]
    """Per TPS: merged counting-pause intervals."""
    pause_min: FloatArray
    """Per TPS: total counting-pause minutes (length of the merged intervals); the delay to
    counting is only their part inside the TPS's counting period (`counting.through_pauses`)."""
    ballots_lost: IntArray
    revote_risk: FloatArray
    """Per TPS: chance of a re-vote or postponed vote."""
    deterrence: DeterrenceResult | None = None
    """What became of the human-made attempts (`planner.sim.deterrence`); None when
    deterrence is off or these are not the day's rate incidents."""

    @property
    def needed_response(self) -> BoolArray:
        """Incidents that needed a responder (not settled on site)."""
        return np.asarray(~self.onsite, dtype=bool)

    def utilisation_by_agency(self) -> dict[str, float]:
        """Busy share of each agency's units over the horizon (0 when it has none)."""
        out: dict[str, float] = {}
        agencies = sorted({a for ags in self.unit_agencies for a in ags})
        for a in agencies:
            idx = [j for j, ags in enumerate(self.unit_agencies) if a in ags]
            busy = float(np.minimum(self.unit_busy_min[idx], self.horizon_min).sum())
            out[a] = busy / (len(idx) * self.horizon_min) if idx and self.horizon_min > 0 else 0.0
        return out

    def units_by_agency(self) -> dict[str, int]:
        """Number of responder units of each agency."""
        out: dict[str, int] = {}
        for ags in self.unit_agencies:
            for a in ags:
                out[a] = out.get(a, 0) + 1
        return out

    def trace(self, i: int) -> list[TraceRow]:
        """Incidents at TPS `i`: occurrence, dispatch, arrival, escalation, settlement, effects."""
        d = self.draws
        rows: list[TraceRow] = []
        for k in np.flatnonzero(d.tps == i).tolist():
            name = d.type_names[int(d.type[k])]
            sev = severity_name(int(d.severity[k]))
            t = float(d.time_min[k])
            area = " (area-wide)" if d.area_event[k] >= 0 else ""
            rows.append((t, "incident", f"{name} ({sev}){area}", PHASES[int(d.phase[k])]))
            if self.onsite[k]:
                rows.append((float(self.resolved_min[k]), "KPPS/linmas", f"settled {name}", ""))
            elif self.unit[k] >= 0:
                who = self.unit_names[int(self.unit[k])]
                wait = float(self.dispatch_min[k]) - t
                queued = f"after {wait:.0f} min in queue" if wait > 1e-9 else "at once"
                rows.append((float(self.dispatch_min[k]), who, f"dispatched to {name}", queued))
                rows.append(
                    (
                        float(self.arrival_min[k]),
                        who,
                        f"arrived for {name}",
                        f"response {float(self.response_min[k]):.0f} min",
                    )
                )
                if np.isfinite(self.resolved_min[k]):
                    rows.append((float(self.resolved_min[k]), who, f"settled {name}", ""))
            else:
                rows.append((t, "dispatch", f"no adequate responder for {name}", "unresolved"))
            if self.escalated[k]:
                rows.append(
                    (
                        float(self.escalate_min[k]),
                        "incident",
                        f"{name} escalated",
                        f"now {severity_name(int(self.final_severity[k]))}",
                    )
                )
        for start, end in self.suspensions[i]:
            rows.append((start, "TPS", "voting suspended", f"until {_hhmm(end)}"))
            rows.append((end, "TPS", "voting resumes", ""))
        for start, end in self.pauses[i]:
            rows.append((start, "TPS", "counting paused", f"until {_hhmm(end)}"))
            rows.append((end, "TPS", "counting resumes", ""))
        return rows


def build_responders(scenario: Scenario, plan: Plan | None) -> Responders:
    """The units a plan deploys and the units serving each TPS.

    Only agencies some incident type can call are built as units; guards still count for
    on-site handling. Medical teams join only when a rate-triggered type calls them (health
    events go to `respond_medical`).
    """
    spec = scenario.spec
    sec = spec.security
    tps = scenario.tps
    n = len(tps)
    callable_agencies = {
        a for t in spec.incidents.types for a in (*t.responders, *t.grave_responders)
    }
    guards = {name for name, ag in sec.agencies.items() if ag.role == "guard"}
    units: list[Unit] = []
    scope: list[list[int]] = [[] for _ in range(n)]
    guard_present = np.zeros(n, dtype=bool)

    def speeds(agencies: frozenset[str]) -> tuple[float, float]:
        known = [sec.agencies[a] for a in agencies if a in sec.agencies]
        if not known:
            return 30.0, 15.0
        return min(a.speed_road_kmh for a in known), min(a.speed_river_kmh for a in known)

    if plan is not None:
        for i, name in enumerate(plan.patterns):
            pattern = sec.pattern(name)
            for agency, count in pattern.per_tps.items():
                if count <= 0:
                    continue
                if agency in guards:
                    guard_present[i] = True
                if agency in callable_agencies:
                    ags = frozenset({agency})
                    road, river = speeds(ags)
                    scope[i].append(len(units))
                    units.append(
                        Unit(
                            name=f"{agency} at {tps.tps_id[i]}",
                            kind="stationed",
                            agencies=ags,
                            speed_road_kmh=road,
                            speed_river_kmh=river,
                            home_tps=i,
                        )
                    )
        for name, chunk in patrol_groups(scenario, plan):
            team = frozenset(a for a, c in sec.pattern(name).team.items() if c > 0)
            if not team & callable_agencies:
                continue
            road, river = speeds(team)
            for i in chunk:
                scope[i].append(len(units))
            units.append(
                Unit(
                    name=patrol_unit_name(scenario, name, chunk),
                    kind="patrol",
                    agencies=team,
                    speed_road_kmh=road,
                    speed_river_kmh=river,
                    members=chunk,
                )
            )
        by_district = [np.flatnonzero(tps.district == d) for d in range(len(tps.district_names))]
        for (district, agency), teams in sorted(plan.reserves.items()):
            if agency not in callable_agencies or teams <= 0:
                continue
            if district not in tps.district_names:
                continue
            d = tps.district_names.index(district)
            ags = frozenset({agency})
            road, river = speeds(ags)
            for j in range(teams):
                for i in by_district[d].tolist():
                    scope[i].append(len(units))
                units.append(
                    Unit(
                        name=f"{agency} reserve {j + 1} {district}",
                        kind="reserve",
                        agencies=ags,
                        speed_road_kmh=road,
                        speed_river_kmh=river,
                        district=d,
                    )
                )
    rate_medical = any(
        t.trigger == "rate" and "medical" in (*t.responders, *t.grave_responders)
        for t in spec.incidents.types
    )
    if rate_medical:
        _add_medical(scenario, units, scope)
    return Responders(units=units, scope=scope, guard_present=guard_present)


def medical_responders(scenario: Scenario) -> Responders:
    """Only the medical teams (for health events)."""
    n = len(scenario.tps)
    units: list[Unit] = []
    scope: list[list[int]] = [[] for _ in range(n)]
    _add_medical(scenario, units, scope)
    return Responders(units=units, scope=scope, guard_present=np.ones(n, dtype=bool))


def _add_medical(scenario: Scenario, units: list[Unit], scope: list[list[int]]) -> None:
    tps = scenario.tps
    med = scenario.spec.incidents.medical
    for d, district in enumerate(tps.district_names):
        members = np.flatnonzero(tps.district == d).tolist()
        for j in range(med.teams_per_district):
            for i in members:
                scope[i].append(len(units))
            units.append(
                Unit(
                    name=f"medical {j + 1} {district}",
                    kind="medical",
                    agencies=frozenset({"medical"}),
                    speed_road_kmh=med.speed_road_kmh,
                    speed_river_kmh=med.speed_river_kmh,
                    district=d,
                )
            )


@dataclass
class _Geometry:
    """Travel times between units and TPS for one replication."""

    scenario: Scenario
    draws: IncidentDraws
    travel_draw_min: FloatArray
    """Per incident: a kecamatan trip without coordinates."""
    medical_draw_min: FloatArray
    patrol_factor: float
    dwell_min: float
    start_min: float
    coords: bool
    lat: FloatArray = field(default_factory=lambda: np.zeros(0))
    lon: FloatArray = field(default_factory=lambda: np.zeros(0))
    post_lat: FloatArray = field(default_factory=lambda: np.zeros(0))
    post_lon: FloatArray = field(default_factory=lambda: np.zeros(0))
    road_factor: float = 1.4

    def position(self, unit: Unit, at_min: float) -> int:
        """The TPS a unit is at when it sets off at `at_min` (-1: its kecamatan post)."""
        if unit.kind == "stationed":
            return unit.home_tps
        if unit.kind == "patrol":
            slot = math.floor((at_min - self.start_min) / self.dwell_min)
            return unit.members[slot % len(unit.members)]
        return -1

    def travel_min(self, unit: Unit, at_min: float, k: int) -> float:
        """Minutes for `unit`, setting off at `at_min`, to reach incident `k`'s TPS."""
        i = int(self.draws.tps[k])
        pos = self.position(unit, at_min)
        if pos == i:
            return 0.0
        if self.coords:
            if pos >= 0:
                lat0, lon0 = self.lat[pos], self.lon[pos]
            else:
                d = int(self.scenario.tps.district[i]) if unit.district < 0 else unit.district
                lat0, lon0 = self.post_lat[d], self.post_lon[d]
            km = _haversine_km(lat0, lon0, self.lat[i], self.lon[i]) * self.road_factor
            river = self.scenario.tps.access[i] == 1
            speed = unit.speed_river_kmh if river else unit.speed_road_kmh
            return float(km / speed * 60.0)
        base = self.medical_draw_min[k] if unit.kind == "medical" else self.travel_draw_min[k]
        if unit.kind == "patrol":
            return float(base * self.patrol_factor)
        return float(base)


def simulate_response(
    scenario: Scenario,
    plan: Plan | None,
    draws: IncidentDraws,
    seed: int,
    replication: int,
    responders: Responders | None = None,
) -> ResponseResult:
    """Send responders to every incident of `draws` under `plan` (SimPy), and collect effects.

    `responders` may be passed to reuse the units built once per plan (`build_responders`);
    they are copied fresh for this replication.
    """
    base = responders if responders is not None else build_responders(scenario, plan)
    return _run(scenario, draws, base.fresh(), seed, replication, guard_factor=True)


def respond_medical(
    scenario: Scenario,
    tps: IntArray,
    time_min: FloatArray,
    severe: BoolArray,
    seed: int,
    replication: int,
    scripted: BoolArray | None = None,
) -> ResponseResult:
    """Send the medical teams to health events (worker collapses) from the staff model.

    Each event becomes an incident of the catalogue's health-triggered type (major, or grave
    when severe), with its on-site chance and settle time drawn from ``incidents/<type>``
    in the order given; `scripted` marks events from exercise injects. No type with
    ``trigger: health`` means no incidents.
    """
    spec = scenario.spec.incidents
    names = tuple(t.name for t in spec.types)
    health = [k for k, t in enumerate(spec.types) if t.trigger == "health"]
    tps = np.asarray(tps, dtype=np.int64)
    if not health or not spec.enabled or len(tps) == 0:
        from planner.sim.incidents import empty_draws

        draws = empty_draws(names)
    else:
        k = health[0]
        t = spec.types[k]
        n = len(tps)
        rng = named_rng(seed, replication, f"incidents/{t.name}")
        severity = np.where(np.asarray(severe, dtype=bool), 2, 1).astype(np.int64)
        onsite_u = rng.random(n)
        resolve = np.maximum(t.resolve_min.sample(rng, n), 0.0)
        esc = (
            np.full(n, np.nan)
            if t.escalation_suspend_min is None
            else np.maximum(t.escalation_suspend_min.sample(rng, n), 0.0)
        )
        time = np.asarray(time_min, dtype=np.float64)
        close = float(scenario.spec.day.close)
        phase = np.where(time < float(scenario.spec.day.open), 0, np.where(time < close, 1, 2))
        order = np.lexsort((tps, time))
        draws = IncidentDraws(
            type_names=names,
            tps=tps[order],
            type=np.full(n, k, dtype=np.int64),
            severity=severity[order],
            phase=phase.astype(np.int64)[order],
            time_min=time[order],
            area_event=np.full(n, -1, dtype=np.int64),
            onsite_u=onsite_u[order],
            resolve_min=resolve[order],
            effect_min=np.full(n, np.nan),
            escalation_min=esc[order],
            ballots_lost=np.zeros(n, dtype=np.int64),
            scripted=(np.zeros(n, dtype=bool) if scripted is None else np.asarray(scripted, bool))[
                order
            ],
            extra_revote=np.zeros(n, dtype=np.float64),
        )
    return _run(
        scenario, draws, medical_responders(scenario), seed, replication, guard_factor=False
    )


def _district_travel(scenario: Scenario) -> list[Any]:
    """Per kecamatan: the travel-time distribution used without coordinates."""
    spec = scenario.spec
    default = spec.security.travel.district_travel_min
    by_label: dict[str, Any] = {}
    for region in spec.all_regions():
        for d in region.districts or []:
            if d.travel_min is not None:
                by_label[district_label(spec, region.name, d.name)] = d.travel_min
    return [by_label.get(name, default) for name in scenario.tps.district_names]


def _draw_travel(
    scenario: Scenario,
    draws: IncidentDraws,
    seed: int,
    replication: int,
    stream: str,
    dists: list[Fixed | Lognormal | Any],
) -> FloatArray:
    """One kecamatan-trip time per incident, from the stream keyed by kecamatan, in order."""
    out = np.zeros(len(draws), dtype=np.float64)
    districts = scenario.tps.district[draws.tps] if len(draws) else np.zeros(0, dtype=np.int64)
    for d in np.unique(districts).tolist():
        idx = np.flatnonzero(districts == d)
        rng = named_rng(seed, replication, stream, int(d))
        out[idx] = np.maximum(dists[d].sample(rng, len(idx)), 0.0)
    return out


def _run(
    scenario: Scenario,
    draws: IncidentDraws,
    responders: Responders,
    seed: int,
    replication: int,
    guard_factor: bool,
) -> ResponseResult:
    spec = scenario.spec
    inc = spec.incidents
    types = inc.types
    tps = scenario.tps
    n = len(draws)
    day = spec.day
    horizon_start = float(day.staff_arrive)
    horizon_end = float(day.close) + inc.counting_window_min

    geo = _Geometry(
        scenario=scenario,
        draws=draws,
        travel_draw_min=_draw_travel(
            scenario, draws, seed, replication, "response/travel", _district_travel(scenario)
        ),
        medical_draw_min=_draw_travel(
            scenario,
            draws,
            seed,
            replication,
            "response/medical",
            [inc.medical.travel_min] * len(tps.district_names),
        ),
        patrol_factor=inc.response.patrol_travel_factor,
        dwell_min=inc.response.patrol_dwell_min,
        start_min=horizon_start,
        coords=tps.has_coordinates,
        road_factor=spec.security.travel.road_distance_factor,
    )
    if geo.coords:
        geo.lat, geo.lon = tps.lat, tps.lon
        n_d = len(tps.district_names)
        count = np.maximum(np.bincount(tps.district, minlength=n_d), 1)
        geo.post_lat = np.bincount(tps.district, weights=tps.lat, minlength=n_d) / count
        geo.post_lon = np.bincount(tps.district, weights=tps.lon, minlength=n_d) / count

    onsite = np.zeros(n, dtype=bool)
    unit_of = np.full(n, -1, dtype=np.int64)
    dispatch = np.full(n, np.nan)
    arrival = np.full(n, np.nan)
    resolved = np.full(n, np.nan)
    units = responders.units

    adequate = [
        (frozenset(t.responders), frozenset(t.responders), frozenset(t.grave_responders))
        for t in types
    ]

    env = simpy.Environment(initial_time=min(horizon_start, float(draws.time_min.min(initial=0))))

    def serve(k: int, u: Unit, start: float, travel: float) -> Any:
        yield env.timeout(start - env.now)
        dispatch[k] = env.now
        yield env.timeout(travel)
        arrival[k] = env.now
        yield env.timeout(float(draws.resolve_min[k]))
        resolved[k] = env.now
        yield env.timeout(travel)

    def incident(k: int) -> Any:
        yield env.timeout(float(draws.time_min[k]) - env.now)
        now = env.now
        i = int(draws.tps[k])
        t = types[int(draws.type[k])]
        sev = int(draws.severity[k])
        p = t.onsite_resolve[sev]
        if guard_factor and not responders.guard_present[i]:
            p *= inc.response.kpps_alone_factor
        if draws.onsite_u[k] < p:
            onsite[k] = True
            resolved[k] = now + float(draws.resolve_min[k])
            return
        wanted = adequate[int(draws.type[k])][sev]
        best: tuple[float, int, float, float] | None = None
        best_free: tuple[float, int, float, float] | None = None
        for j in responders.scope[i]:
            u = units[j]
            if not (u.agencies & wanted):
                continue
            start = max(now, u.available_min)
            travel = geo.travel_min(u, start, k)
            option = (start + travel, j, start, travel)
            if best is None or option[0] < best[0]:
                best = option
            if u.available_min <= now and (best_free is None or option[0] < best_free[0]):
                best_free = option
        chosen = best_free if best_free is not None else best
        if chosen is None:
            return
        arrive, j, start, travel = chosen
        u = units[j]
        u.available_min = arrive + float(draws.resolve_min[k]) + travel
        u.busy_min += 2 * travel + float(draws.resolve_min[k])
        u.calls += 1
        unit_of[k] = j
        env.process(serve(k, u, start, travel))

    for k in range(n):
        env.process(incident(k))
    env.run()

    # Escalation, unresolved, re-vote chance (vectorised from the records).
    limit = np.array([types[int(c)].escalate_after_min for c in draws.type], dtype=np.float64)
    escalate_at = draws.time_min + limit
    late = ~onsite & ((unit_of < 0) | (arrival > escalate_at + 1e-9))
    escalated = np.asarray(late, dtype=bool)
    final = np.where(escalated, np.minimum(draws.severity + 1, 2), draws.severity)
    unresolved = ~onsite & ((unit_of < 0) | (arrival > float(day.count_deadline) + 1e-9))
    response = np.where(~onsite & (unit_of >= 0), arrival - draws.time_min, np.nan)
    revote = np.zeros(n, dtype=np.float64)
    for k in range(n):
        t = types[int(draws.type[k])]
        p = t.revote_prob[int(final[k])]
        if escalated[k]:
            p += t.revote_prob_if_escalated
        revote[k] = min(p + float(draws.extra_revote[k]), 1.0)

    close = float(day.close)
    n_tps = len(tps)
    susp: dict[int, list[Interval]] = {}
    paus: dict[int, list[Interval]] = {}
    for k in np.flatnonzero(np.isfinite(draws.effect_min) & (draws.effect_min > 0)).tolist():
        start = float(draws.time_min[k])
        target = susp if draws.phase[k] < 2 else paus
        target.setdefault(int(draws.tps[k]), []).append((start, start + float(draws.effect_min[k])))
    esc_ok = escalated & np.isfinite(draws.escalation_min) & (draws.escalation_min > 0)
    for k in np.flatnonzero(esc_ok).tolist():
        start = float(escalate_at[k])
        target = susp if start < close else paus
        target.setdefault(int(draws.tps[k]), []).append(
            (start, start + float(draws.escalation_min[k]))
        )
    suspensions: list[list[Interval]] = [[] for _ in range(n_tps)]
    for i, spans in susp.items():
        suspensions[i] = _merge(spans)
    pauses: list[list[Interval]] = [[] for _ in range(n_tps)]
    pause_min = np.zeros(n_tps, dtype=np.float64)
    for i, spans in paus.items():
        pauses[i] = _merge(spans)
        pause_min[i] = sum(e - s for s, e in pauses[i])
    lost = np.bincount(draws.tps, weights=draws.ballots_lost, minlength=n_tps).astype(np.int64)
    keep = np.ones(n_tps, dtype=np.float64)
    np.multiply.at(keep, draws.tps, 1.0 - revote)
    risk = 1.0 - (1.0 - inc.base_revote_prob) * keep

    return ResponseResult(
        draws=draws,
        onsite=onsite,
        unit=unit_of,
        dispatch_min=dispatch,
        arrival_min=arrival,
        resolved_min=resolved,
        response_min=response,
        escalated=escalated,
        escalate_min=np.where(escalated, escalate_at, np.nan),
        final_severity=final.astype(np.int64),
        unresolved=np.asarray(unresolved, dtype=bool),
        revote_prob=revote,
        unit_names=tuple(u.name for u in units),
        unit_agencies=tuple(u.agencies for u in units),
        unit_busy_min=np.array([u.busy_min for u in units], dtype=np.float64),
        horizon_min=horizon_end - horizon_start,
        suspensions=suspensions,
        pauses=pauses,
        pause_min=pause_min,
        ballots_lost=lost,
        revote_risk=risk,
    )


def _merge(intervals: list[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged, in time order."""
    if not intervals:
        return []
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _haversine_km(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp = p1 - p0
    dl = math.radians(lon1 - lon0)
    a = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _hhmm(minutes: float) -> str:
    from planner.scenario.clock import format_clock

    return format_clock(minutes)


def response_metrics(
    results: list[ResponseResult], n_tps: int, agencies: Iterable[str] = ()
) -> tuple[dict[str, float], dict[str, FloatArray]]:
    """Scalar metrics and per-TPS columns of one replication's incidents (DESIGN §5 names).

    `results` are the security response first (it carries each TPS's re-vote risk) and, when
    there were health events, the medical one.
    ``response_mean_min`` and ``response_p90_min`` are over incidents that needed a responder
    and got one (NaN when there were none); per-type counts are ``incidents_<name>``;
    utilisation per agency is ``utilisation_<agency>`` (a unit appearing in both results is
    counted once, its busy minutes added), reported for every agency in `agencies` (0 when
    the plan deploys none of its units, so every plan reports the same metrics) and every
    agency that had units.
    """
    response = np.concatenate([r.response_min[np.isfinite(r.response_min)] for r in results])
    scalars: dict[str, float] = {
        "incidents_total": float(sum(len(r.draws) for r in results)),
        "incidents_unresolved": float(sum(int(r.unresolved.sum()) for r in results)),
        "escalations": float(sum(int(r.escalated.sum()) for r in results)),
        "settled_on_site": float(sum(int(r.onsite.sum()) for r in results)),
        "response_mean_min": float(response.mean()) if len(response) else float("nan"),
        "response_p90_min": float(np.percentile(response, 90)) if len(response) else float("nan"),
        "revote_risk_tps": float(sum(float(r.revote_risk.sum()) for r in results[:1])),
    }
    names = results[0].draws.type_names if results else ()
    counts = np.zeros(len(names), dtype=np.int64)
    for r in results:
        counts += np.bincount(r.draws.type, minlength=len(names))
    for name, c in zip(names, counts.tolist(), strict=True):
        scalars[f"incidents_{name}"] = float(c)
    busy: dict[str, float] = {}
    agencies_of: dict[str, frozenset[str]] = {}
    horizon = results[0].horizon_min if results else 0.0
    for r in results:
        for name, ags, b in zip(
            r.unit_names, r.unit_agencies, r.unit_busy_min.tolist(), strict=True
        ):
            busy[name] = busy.get(name, 0.0) + b
            agencies_of[name] = ags
    for a in sorted({a for ags in agencies_of.values() for a in ags} | set(agencies)):
        names_a = [name for name, ags in agencies_of.items() if a in ags]
        total = sum(min(busy[name], horizon) for name in names_a)
        units = len(names_a) * horizon
        scalars[f"utilisation_{a}"] = total / units if units > 0 else 0.0

    per_tps: dict[str, FloatArray] = {
        "incidents": np.zeros(n_tps),
        "incidents_unresolved": np.zeros(n_tps),
        "response_sum_min": np.zeros(n_tps),
        "responses": np.zeros(n_tps),
        "suspended_min": np.zeros(n_tps),
        "count_pause_min": np.zeros(n_tps),
        "ballots_lost": np.zeros(n_tps),
    }
    for r in results:
        tps = r.draws.tps
        per_tps["incidents"] += np.bincount(tps, minlength=n_tps)
        per_tps["incidents_unresolved"] += np.bincount(tps, r.unresolved, minlength=n_tps)
        ok = np.isfinite(r.response_min)
        per_tps["response_sum_min"] += np.bincount(tps[ok], r.response_min[ok], minlength=n_tps)
        per_tps["responses"] += np.bincount(tps[ok], minlength=n_tps)
        per_tps["count_pause_min"] += r.pause_min
        per_tps["ballots_lost"] += r.ballots_lost
        per_tps["suspended_min"] += np.array(
            [sum(e - s for s, e in spans) for spans in r.suspensions], dtype=np.float64
        )
    per_tps["revote_risk"] = (
        results[0].revote_risk.astype(np.float64) if results else np.zeros(n_tps)
    )
    if results:
        attempts_scalars, attempts_tps = attempt_metrics(results[0], n_tps)
        scalars.update(attempts_scalars)
        per_tps.update(attempts_tps)
    return scalars, per_tps


ATTEMPT_METRICS: dict[str, str] = {
    "attempts_total": "attempted",
    "attempts_deterred": "deterred",
    "attempts_prevented": "prevented",
    "attempts_displaced": "displaced",
    "fraud_found_later": "found_later",
    "fraud_undetected": "undetected",
}
"""Scalar metric → `planner.sim.deterrence.OUTCOMES` count it sums (DESIGN §5 names)."""


def attempt_metrics(
    response: ResponseResult, n_tps: int
) -> tuple[dict[str, float], dict[str, FloatArray]]:
    """What became of the human-made attempts: the day's totals and per-TPS columns
    (``attempts``, ``deterred``, ``prevented``, ``displaced``, ``displaced_in``,
    ``found_later``, ``undetected``; the kecamatan sums follow). All zero when the catalogue
    has no human-made type."""
    det = response.deterrence
    names = ("attempted", "deterred", "prevented", "displaced", "found_later", "undetected")
    columns = {
        ("attempts" if k == "attempted" else k): (
            np.asarray(det.per_tps[k], dtype=np.float64) if det is not None else np.zeros(n_tps)
        )
        for k in names
    }
    columns["displaced_in"] = (
        np.asarray(det.per_tps["displaced_ahead"], dtype=np.float64)
        if det is not None
        else np.zeros(n_tps)
    )
    scalars = {
        metric: float(columns["attempts" if key == "attempted" else key].sum())
        for metric, key in ATTEMPT_METRICS.items()
    }
    return scalars, columns
