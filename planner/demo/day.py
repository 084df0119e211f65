"""Simulate one polling day with exercise injects and turn it into a `DayStory`.

The day is one replication of the simulation, `planner.sim.day.simulate_day`, given the
injects (`planner.scenario.injects.ScriptedEvent`) through its ``injects`` hook:

* late-kit  → the kits of the place reach their TPS +DURATION after the KPPS arrive (or at
  the clock time given); the KPPS check and set up after it, and the TPS opens after
  set-up (`planner.sim.logistics.late_kits`).
* protest, flood, power-cut → scripted incidents merged with the day's random incidents
  and sent through the responders' dispatch, so the timeline shows who is dispatched and
  when they arrive; their suspensions and counting pauses reach the voter flow and
  counting. With incidents switched off they act directly, without dispatch.
* collapse → one KPPS off duty from that minute, and the medical teams dispatched.

Same seed, same replication: the same voters, the same random incidents and the same road
delays with or without injects (named streams, DESIGN §6), so the difference between the
two days is what the injects cost. Without injects the day is the run's own replication.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.report.story import (
    BIN_MIN,
    AttemptStory,
    DayStory,
    IncidentStory,
    PatrolVisit,
    TpsDay,
    WorkerStory,
)
from planner.scenario.injects import ScriptedEvent
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.sim import day as sim_day
from planner.sim.counting import draw_counting, full_team_minutes
from planner.sim.dayresult import DayResult
from planner.sim.logistics import LogisticsResult, ReturnResult
from planner.sim.presence import DETERRED_BY, build_presence, patrol_groups, patrol_unit_name
from planner.sim.queueing import OUT_GAVE_UP, OUT_VOTED, QueueResult
from planner.sim.record import EventLog
from planner.sim.response import ResponseResult


@dataclass
class DemoDay:
    """The simulated day: the story for the timeline and the simulation's own event log."""

    story: DayStory
    log: EventLog
    voter_waits: np.ndarray
    """Wait (minutes) of every voter who voted at the traced TPS."""


def simulate_demo_day(
    scenario: Scenario,
    seed: int,
    events: list[ScriptedEvent],
    subject_kind: str,
    subject: str,
    *,
    replication: int = 0,
    plan: Plan | None = None,
    traced: list[int] | None = None,
) -> DemoDay:
    """One replication with the injects, told as a `DayStory` about `subject`.

    Without a plan the responders stand as the policy-default plan puts them. `traced` are
    the TPS rows whose queue is kept as a step function (default: the subject's TPS); the
    first of them gets the full event log.
    """
    day = scenario.spec.day
    subject_rows = traced or _subject_rows(scenario, subject_kind, subject)
    i0 = subject_rows[0]
    result = sim_day.simulate_day(
        scenario, seed, replication, plan, trace_tps=i0, injects=tuple(events)
    )
    log = result.log
    assert log is not None
    lg: LogisticsResult = result.opening.logistics
    voters = result.voters
    queue = result.queue
    returned: ReturnResult | None = result.extras.get("returns")
    response: ResponseResult | None = result.disruptions.response
    deployed = plan if plan is not None else default_plan(scenario)
    story = DayStory(
        scenario=scenario.name,
        seed=seed,
        replication=replication,
        subject_kind=subject_kind,
        subject=subject,
        day_open_min=float(day.open),
        day_close_min=float(day.close),
        staff_arrive_min=float(day.staff_arrive),
        injects=[ev.spec for ev in events],
        inject_descriptions=[ev.describe() for ev in events],
        tps=_tps_days(
            scenario,
            lg,
            voters.arrival_min,
            queue,
            result.counting.finish_min,
            returned,
            set(subject_rows),
        ),
        incidents=_incidents(scenario, response)
        + _incidents(scenario, result.extras.get("medical"))
        + _incidents(scenario, result.disruptions.collapse_medical),
        workers=_workers(scenario, result, _busiest(queue, voters.arrival_min, subject_rows), seed),
        district_results_min=_district_results(scenario, returned),
        trace=[(float(t), w, what, d) for t, w, what, d in log.sorted_rows()],
        attempts=_attempts(scenario, deployed, response),
        patrols=(
            _patrols(scenario, deployed, response, i0, float(result.counting.finish_min[i0]))
            if subject_kind == "tps"
            else []
        ),
    )
    waits = queue.wait_min(voters.arrival_min)[subject_rows]
    return DemoDay(story=story, log=log, voter_waits=waits[np.isfinite(waits)])


def _subject_rows(scenario: Scenario, kind: str, subject: str) -> list[int]:
    tps = scenario.tps
    if kind == "tps":
        return [tps.index_of(subject)]
    d = tps.district_names.index(subject)
    return [int(i) for i in np.flatnonzero(tps.district == d)]


def _busiest(queue: QueueResult, arrival: np.ndarray, rows: list[int]) -> int:
    """The subject TPS with the longest mean wait (its KPPS' fatigue is drawn)."""
    waits = queue.wait_min(arrival)
    means = [float(np.nanmean(waits[i])) if np.isfinite(waits[i]).any() else 0.0 for i in rows]
    return rows[int(np.argmax(means))]


def queue_steps(
    arrival: np.ndarray, start: np.ndarray, leave: np.ndarray, outcome: np.ndarray
) -> tuple[list[float], list[int]]:
    """People waiting for the first stage as a step function (time, length) at one TPS."""
    came = np.isfinite(arrival)
    served = came & np.isfinite(start)
    left = came & ~served & np.isfinite(leave)
    times = np.concatenate([arrival[came], start[served], leave[left]])
    steps = np.concatenate(
        [np.ones(int(came.sum())), -np.ones(int(served.sum())), -np.ones(int(left.sum()))]
    )
    if not len(times):
        return [], []
    order = np.lexsort((-steps, times))  # at equal times count arrivals first
    t = times[order]
    length = np.cumsum(steps[order])
    last = np.r_[t[1:] != t[:-1], True]
    return [round(float(x), 2) for x in t[last]], [int(x) for x in length[last]]


def _tps_days(
    scenario: Scenario,
    lg: LogisticsResult,
    arrival: np.ndarray,
    queue: QueueResult,
    count_end: np.ndarray,
    returned: ReturnResult | None,
    traced: set[int],
) -> list[TpsDay]:
    tps = scenario.tps
    waits = queue.wait_min(arrival)
    last_stage = queue.end_min.shape[0] - 1
    start_bins = math.floor(float(np.min(lg.open_min)) / BIN_MIN) * BIN_MIN
    out = []
    for i in range(len(tps)):
        outcome = queue.outcome[i]
        voted_mask = outcome == OUT_VOTED
        done = queue.end_min[last_stage, i][voted_mask]
        end_bins = float(np.max(done)) if len(done) else start_bins
        n_bins = int((end_bins - start_bins) // BIN_MIN) + 1
        bins = np.bincount(((done - start_bins) // BIN_MIN).astype(np.int64), minlength=n_bins)
        w = waits[i][np.isfinite(waits[i])]
        leave = queue.leave_min[i][np.isfinite(queue.leave_min[i])]
        problems = [
            name
            for name, flag in (
                ("short", lg.kit_short[i]),
                ("damaged", lg.kit_damaged[i]),
                ("missing", lg.kit_missing[i]),
            )
            if flag
        ]
        q_t: list[float] = []
        q_n: list[int] = []
        if i in traced:
            q_t, q_n = queue_steps(arrival[i], queue.start_min[0, i], queue.leave_min[i], outcome)
        out.append(
            TpsDay(
                tps_id=tps.tps_id[i],
                district=tps.district_names[tps.district[i]],
                village=tps.village_names[tps.village[i]],
                voters_dpt=int(tps.voters[i]),
                kit_arrive_min=float(lg.kit_arrive_min[i]),
                open_min=float(lg.open_min[i]),
                voters_arrived=int(np.isfinite(arrival[i]).sum()),
                voters_voted=int(voted_mask.sum()),
                voters_gave_up=int((outcome == OUT_GAVE_UP).sum()),
                wait_mean_min=float(w.mean()) if len(w) else math.nan,
                wait_max_min=float(w.max()) if len(w) else math.nan,
                last_voter_min=float(leave.max()) if len(leave) else math.nan,
                count_end_min=float(count_end[i]),
                results_ppk_min=(
                    float(returned.pps_at_ppk_min[tps.village[i]])
                    if returned is not None
                    else math.nan
                ),
                voted_bins_start_min=float(start_bins),
                voted_bins=[int(b) for b in bins],
                kit_ballots=int(lg.ballots_delivered[i]),
                kit_problem=",".join(problems),
                queue_times=q_t,
                queue_lengths=q_n,
            )
        )
    return out


def _found_later(response: ResponseResult) -> dict[tuple[int, int, float], float]:
    """(TPS row, type, minute found) → minute done, of the fraud found at counting."""
    det = response.deterrence
    if det is None or det.log is None:
        return {}
    log = det.log
    at = log.at
    return {
        (int(at[j]), int(log.type[j]), round(float(log.found_min[j]), 6)): float(log.time_min[j])
        for j in np.flatnonzero(log.found_later)
    }


def _incidents(scenario: Scenario, response: ResponseResult | None) -> list[IncidentStory]:
    if response is None:
        return []
    from planner.sim.incidents import severity_name

    tps = scenario.tps
    d = response.draws
    later = _found_later(response)
    out = []
    for k in range(len(d)):
        i = int(d.tps[k])
        kind = d.type_names[int(d.type[k])]
        done = later.get((i, int(d.type[k]), round(float(d.time_min[k]), 6)))
        unit = int(response.unit[k])
        agencies = sorted(response.unit_agencies[unit]) if unit >= 0 else []
        out.append(
            IncidentStory(
                tps_id=tps.tps_id[i],
                district=tps.district_names[tps.district[i]],
                type=kind,
                severity=severity_name(int(d.severity[k])),
                time_min=float(d.time_min[k]),
                onsite=bool(response.onsite[k]),
                unit=response.unit_names[unit] if unit >= 0 else "",
                agency=", ".join(agencies),
                dispatch_min=float(response.dispatch_min[k]),
                arrival_min=float(response.arrival_min[k]),
                resolved_min=float(response.resolved_min[k]),
                escalated=bool(response.escalated[k]),
                unresolved=bool(response.unresolved[k]),
                effect_min=float(d.effect_min[k]),
                scripted=bool(d.scripted[k]),
                found_later=done is not None and not bool(d.scripted[k]),
                attempt_min=done if done is not None else math.nan,
            )
        )
    return out


def stationed_agencies(scenario: Scenario, plan: Plan, i: int) -> str:
    """The agencies standing at TPS `i` all day under `plan`, guards (linmas) left out,
    joined by "+" (e.g. "police" or "police+tni"; "" when none)."""
    sec = scenario.spec.security
    guards = {name for name, ag in sec.agencies.items() if ag.role == "guard"}
    pattern = sec.pattern(plan.patterns[i])
    return "+".join(sorted(a for a, c in pattern.per_tps.items() if c > 0 and a not in guards))


def guard_agencies(scenario: Scenario, plan: Plan, i: int) -> str:
    """The guard agencies (linmas) standing at TPS `i`, joined by "+"."""
    sec = scenario.spec.security
    guards = {name for name, ag in sec.agencies.items() if ag.role == "guard"}
    pattern = sec.pattern(plan.patterns[i])
    return "+".join(sorted(a for a, c in pattern.per_tps.items() if c > 0 and a in guards))


def patrol_teams(scenario: Scenario, plan: Plan) -> dict[int, tuple[str, tuple[int, ...]]]:
    """TPS row → (team name, its round's TPS rows) of every TPS a patrol team visits."""
    out: dict[int, tuple[str, tuple[int, ...]]] = {}
    for pattern, members in patrol_groups(scenario, plan):
        name = patrol_unit_name(scenario, pattern, members)
        for i in members:
            out[i] = (name, members)
    return out


def _who(
    scenario: Scenario,
    plan: Plan,
    teams: dict[int, tuple[str, tuple[int, ...]]],
    code: int,
    i: int,
) -> str:
    """The people of the kind `code` (`DETERRED_BY`) at TPS `i`."""
    if code < 0:
        return ""
    kind = DETERRED_BY[code]
    if kind == "stationed":
        return stationed_agencies(scenario, plan, i)
    if kind == "linmas":
        return guard_agencies(scenario, plan, i) or "linmas"
    return teams.get(i, ("", ()))[0]


def _attempts(
    scenario: Scenario, plan: Plan, response: ResponseResult | None
) -> list[AttemptStory]:
    """Every attempt of the day from the simulation's attempt log (none when the
    catalogue has no human-made type or incidents are off)."""
    if response is None or response.deterrence is None or response.deterrence.log is None:
        return []
    det = response.deterrence
    log = det.log
    assert log is not None
    presence = det.presence
    tps = scenario.tps
    names = [t.name for t in scenario.spec.incidents.types]
    teams = patrol_teams(scenario, plan)
    out = []
    for j in range(len(log)):
        i = int(log.origin[j])
        t = float(log.time_min[j])
        code = int(log.deterred_by[j])
        since = math.nan
        if code >= 0 and DETERRED_BY[code] == "patrol_residual":
            _, gone = presence.patrol_at(np.array([i]), np.array([t]))
            since = float(gone[0])
        target = int(log.target[j])
        target_code = int(log.target_deterred_by[j])
        out.append(
            AttemptStory(
                tps_id=tps.tps_id[i],
                district=tps.district_names[tps.district[i]],
                type=names[int(log.type[j])],
                time_min=t,
                deterred_by=DETERRED_BY[code] if code >= 0 else "",
                who=_who(scenario, plan, teams, code, i),
                since_min=since,
                target_tps=tps.tps_id[target] if target >= 0 else "",
                target_deterred_by=DETERRED_BY[target_code] if target_code >= 0 else "",
                target_who=_who(scenario, plan, teams, target_code, target) if target >= 0 else "",
                ahead=bool(log.ahead[j]),
                caught=bool(log.caught[j]),
                found_later=bool(log.found_later[j]),
                found_min=float(log.found_min[j]),
                undetected=bool(log.undetected[j]),
            )
        )
    return out


def _patrols(
    scenario: Scenario,
    plan: Plan,
    response: ResponseResult | None,
    i: int,
    until_min: float,
) -> list[PatrolVisit]:
    """The patrol team's visits to TPS `i` from the staff's arrival until its counting ends
    (`planner.sim.presence.Presence.visits`, the rotation that deters)."""
    if response is not None and response.deterrence is not None:
        presence = response.deterrence.presence
    else:
        presence = build_presence(scenario, plan)
    teams = patrol_teams(scenario, plan)
    if i not in teams:
        return []
    name, members = teams[i]
    end = until_min if math.isfinite(until_min) else float(scenario.spec.day.close)
    rows = scenario.tps.tps_id
    return [
        PatrolVisit(
            tps_id=rows[i],
            team=name,
            size=int(presence.patrol_size[i]),
            round_tps=[rows[m] for m in members],
            arrive_min=float(start),
            leave_min=float(stop),
            visit=n + 1,
        )
        for n, (start, stop) in enumerate(presence.visits(i, end))
    ]


def _workers(scenario: Scenario, result: DayResult, i: int, seed: int) -> list[WorkerStory]:
    """Fatigue of the voting team at TPS `i`, with the counting workload when it counts."""
    spec = scenario.spec
    grid = result.grid
    voting = result.voting_staff
    count = result.counting
    extra = None
    if spec.counting.enabled and not spec.staff.policies.split_counting_shift:
        draws = draw_counting(scenario, seed, result.replication)
        work = full_team_minutes(count.papers, draws)
        extra = sim_day.counting_ballot_load(scenario, grid, count.start_min, count.papers, work)
    deficit = voting.curves.deficit(extra)[i]
    end = float(count.finish_min[i]) if math.isfinite(float(count.finish_min[i])) else grid.end_min
    keep = grid.mids <= end + grid.step_min
    times = [round(float(t), 1) for t in grid.mids[keep]]
    out = []
    size = voting.team.size
    for w in range(min(size, deficit.shape[0])):
        ill = float(result.staff.ill_min[i, w])
        severe = bool(result.staff.severe[i, w])
        out.append(
            WorkerStory(
                tps_id=scenario.tps.tps_id[i],
                worker=f"KPPS {w + 1}",
                times_min=times,
                fatigue=[round(float(v), 3) for v in deficit[w][keep]],
                health_event_min=ill if math.isfinite(ill) else math.nan,
                health_event=("severe" if severe else "mild") if math.isfinite(ill) else "",
            )
        )
    return out


def _district_results(scenario: Scenario, returned: ReturnResult | None) -> dict[str, float]:
    if returned is None:
        return {}
    return {
        name: float(returned.district_complete_min[d])
        for d, name in enumerate(scenario.tps.district_names)
    }
