"""The kit logistics chain as SimPy processes — the reference for `planner.sim.logistics`.

The same rules as `simulate_logistics` (its module docstring), expressed as events:

* one process per trip of each leg (warehouse → PPK, PPK → PPS, PPS → TPS): it waits for its
  departure clock time and for its load to reach the leg's origin, takes a vehicle or boat
  (`simpy.Resource` with ``vehicles`` places per origin; no resource when the leg has no
  limit), travels (undisrupted time, then the disruption delay), hands the load over, and
  keeps the vehicle for the undisrupted return;
* one process per TPS: the KPPS arrive, wait for the kit, check it, set up, and — when the
  kit is short, damaged or missing an item — a replacement process (preparation at the PPK,
  then its own road or river travel) runs alongside; the TPS can open at day.open once setup
  is done and any blocking replacement has come.

Trips at one origin take vehicles in (ready time, table order): the processes are started in
table order and every wait at the same instant resumes in that order, so the FIFO queue of
the `simpy.Resource` is exactly the array code's ordering. Every time is built from the same
additions in the same order as the array code, so both give the same floats.

The random numbers are the array code's: the same named streams drawn as the same whole
vectors in the same order (`draw_legs`, `draw_kit`), before any process runs.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from planner.scenario.injects import ScriptedEvent
from planner.scenario.resolved import Scenario, reserve_ballots
from planner.sim.logistics import (
    LEGS,
    FloatArray,
    LogisticsResult,
    _depart,
    district_remote,
    draw_kit,
    late_kits,
    leg_travel,
    majority_river,
)
from planner.streams import named_rng

Proc = Generator[simpy.Event, Any, None]


class _Leg:
    """One leg's trips: origins, vehicles, draws, and an arrival event per trip."""

    def __init__(
        self,
        env: simpy.Environment,
        n_origins: int,
        vehicles: int | None,
        base: FloatArray,
        delay: FloatArray,
    ) -> None:
        self.env = env
        self.base = base
        self.delay = delay
        self.pools = (
            [simpy.Resource(env, capacity=vehicles) for _ in range(n_origins)]
            if vehicles is not None
            else None
        )
        self.arrived = [env.event() for _ in range(len(base))]

    def trip(self, j: int, origin: int, depart_min: float, load: simpy.Event | None) -> Proc:
        """Trip `j`: leave at `depart_min` once `load` is at the origin, travel, hand over."""
        env = self.env
        yield env.timeout(depart_min - env.now)
        if load is not None:
            yield load
        if self.pools is None:
            yield env.timeout(self.base[j])
            yield env.timeout(self.delay[j])
            self.arrived[j].succeed(env.now)
            return
        with self.pools[origin].request() as vehicle:
            yield vehicle
            yield env.timeout(self.base[j])
            yield env.timeout(self.delay[j])
            self.arrived[j].succeed(env.now)
            yield env.timeout(self.base[j])  # the undisrupted return


def simulate_logistics_reference(
    scenario: Scenario,
    seed: int,
    replication: int,
    injects: Sequence[ScriptedEvent] = (),
) -> LogisticsResult:
    """`simulate_logistics` run as SimPy processes (same draws, same result)."""
    spec = scenario.spec
    lg = spec.logistics
    tps = scenario.tps
    day = spec.day
    n = len(tps)
    n_d = len(tps.district_names)
    n_v = len(tps.village_names)
    remote_d = district_remote(scenario)
    legs_spec = (lg.warehouse_to_ppk, lg.ppk_to_pps, lg.pps_to_tps)
    river = (
        majority_river(tps.district, tps.access, n_d),
        majority_river(tps.village, tps.access, n_v),
        tps.access == 1,
    )
    draws = [
        leg_travel(leg, r, named_rng(seed, replication, f"logistics/{name}"))
        for leg, r, name in zip(legs_spec, river, LEGS, strict=True)
    ]
    kit = draw_kit(scenario, seed, replication)
    departs = [
        np.where(remote_d, _depart(legs_spec[0], True), _depart(legs_spec[0], False)),
        np.where(
            remote_d[tps.village_district],
            _depart(legs_spec[1], True),
            _depart(legs_spec[1], False),
        ),
        np.where(remote_d[tps.district], _depart(legs_spec[2], True), _depart(legs_spec[2], False)),
    ]
    t0 = min(float(d.min(initial=0.0)) for d in departs)
    env = simpy.Environment(initial_time=min(t0, 0.0))
    leg1 = _Leg(env, 1, legs_spec[0].vehicles, *draws[0])
    leg2 = _Leg(env, n_d, legs_spec[1].vehicles, *draws[1])
    leg3 = _Leg(env, n_v, legs_spec[2].vehicles, *draws[2])
    for d in range(n_d):
        env.process(leg1.trip(d, 0, float(departs[0][d]), None))
    for v in range(n_v):
        d = int(tps.village_district[v])
        env.process(leg2.trip(v, d, float(departs[1][v]), leg1.arrived[d]))
    for i in range(n):
        v = int(tps.village[i])
        env.process(leg3.trip(i, v, float(departs[2][i]), leg2.arrived[v]))

    out: dict[str, FloatArray] = {
        k: np.full(n, np.nan) for k in ("kit", "check", "setup", "repl", "open")
    }

    def kit_at_tps(i: int) -> Proc:
        """The kit reaches TPS `i`: the trip's arrival, held back by any late-kit inject
        (`late_kits`'s rule, which never makes a kit earlier)."""
        t = float((yield leg3.arrived[i]))
        if injects:
            one = np.zeros(n)
            one[i] = t
            late = float(late_kits(one, injects, float(day.staff_arrive))[i])
            if late > t:
                yield env.timeout(late - env.now)
        out["kit"][i] = env.now

    def tps_day(i: int, kit_here: simpy.Process) -> Proc:
        """KPPS arrive, check the kit, set up, wait for a blocking replacement, open."""
        day_open = env.timeout(float(day.open) - env.now)
        yield env.timeout(float(day.staff_arrive) - env.now)
        yield kit_here
        out["check"][i] = env.now
        problem = bool(kit.short[i] or kit.damaged[i] or kit.missing[i])
        waits: list[simpy.Event] = [day_open]
        setup = env.process(setup_done(i))
        waits.append(setup)
        if problem:
            repl = env.process(replacement(i))
            if kit.damaged[i] or kit.missing[i]:
                waits.append(repl)
        yield env.all_of(waits)
        out["open"][i] = env.now

    def setup_done(i: int) -> Proc:
        yield env.timeout(float(kit.setup_min[i]))
        out["setup"][i] = env.now

    def replacement(i: int) -> Proc:
        """The PPK prepares the replacement, then it travels by road or river."""
        travel = kit.repl_river_min[i] if tps.access[i] == 1 else kit.repl_road_min[i]
        yield env.timeout(float(kit.prepare_min[i]))
        yield env.timeout(max(float(travel), 0.0))
        out["repl"][i] = env.now

    for i in range(n):
        here = env.process(kit_at_tps(i))
        env.process(tps_day(i, here))
    env.run()

    ppk = np.array([e.value for e in leg1.arrived], dtype=np.float64)
    pps = np.array([e.value for e in leg2.arrived], dtype=np.float64)
    problem = kit.short | kit.damaged | kit.missing
    complete = np.where(problem, out["repl"], out["kit"])
    needed = reserve_ballots(tps.voters, spec.election.ballot_reserve)
    missing_ballots = np.maximum(np.ceil(kit.short_share * needed), 1).astype(np.int64)
    delivered = np.where(kit.short, np.maximum(needed - missing_ballots, 0), needed)
    rng = named_rng(seed, replication, "logistics/spoiled")
    papers = np.round(tps.voters * scenario.turnout_by_tps() * spec.election.ballots)
    spoiled = rng.binomial(papers.astype(np.int64), lg.spoiled_per_ballot).astype(np.int64)
    on_hand = np.where(kit.short & (out["repl"] > day.close), delivered, needed)
    available = np.maximum(on_hand - spoiled, 0).astype(np.int64)
    return LogisticsResult(
        ppk_arrive_min=ppk,
        pps_arrive_min=pps,
        kit_arrive_min=out["kit"],
        check_min=out["check"],
        setup_done_min=out["setup"],
        kit_short=kit.short,
        kit_damaged=kit.damaged,
        kit_missing=kit.missing,
        replacement_arrive_min=out["repl"],
        kit_complete_min=complete,
        open_min=out["open"],
        ballots_needed=needed,
        ballots_delivered=delivered.astype(np.int64),
        ballots_spoiled=spoiled,
        ballots_available=available,
        day_open_min=int(day.open),
        staff_arrive_min=int(day.staff_arrive),
    )
