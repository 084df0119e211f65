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

from planner.report.story import BIN_MIN, DayStory, IncidentStory, TpsDay, WorkerStory
from planner.scenario.injects import ScriptedEvent
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim import day as sim_day
from planner.sim.counting import draw_counting, full_team_minutes
from planner.sim.dayresult import DayResult
from planner.sim.logistics import LogisticsResult, ReturnResult
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
        incidents=_incidents(scenario, result.disruptions.response)
        + _incidents(scenario, result.extras.get("medical"))
        + _incidents(scenario, result.disruptions.collapse_medical),
        workers=_workers(scenario, result, _busiest(queue, voters.arrival_min, subject_rows), seed),
        district_results_min=_district_results(scenario, returned),
        trace=[(float(t), w, what, d) for t, w, what, d in log.sorted_rows()],
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


def _incidents(scenario: Scenario, response: ResponseResult | None) -> list[IncidentStory]:
    if response is None:
        return []
    from planner.sim.incidents import severity_name

    tps = scenario.tps
    d = response.draws
    out = []
    for k in range(len(d)):
        i = int(d.tps[k])
        kind = d.type_names[int(d.type[k])]
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
            )
        )
    return out


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
