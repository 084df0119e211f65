"""One replication of polling day for every TPS of a scenario.

The day runs in steps, one function each, in this order:

1. `open_and_ballots`   — when each TPS opens and how many ballot sets it has.
2. `draw_voters`        — every TPS's voters (planner.sim.voters).
3. `voting_staff`       — the KPPS team, its fatigue while voting, health events.
4. `disruptions`        — voting suspensions, staff taken away, counting pauses.
5. `queue_inputs` + an engine — the voter flow (batch arrays or SimPy reference).
6. `counting_phase`     — counting, with the counting team's fatigue and health.
7. `DayResult`          — everything the metrics (planner.sim.metrics) and traces need.

``engine="reference"`` runs the event-driven parts as SimPy processes on the same draws:
the kit logistics (step 1, `logistics_reference`), the KPPS on duty (steps 5 and 6,
`staff_reference`), the voter flow (step 5, `queue_reference`) and counting (step 6,
`counting_reference`); `tests/sim/test_ops_engines.py` holds the two paths equal.

Extension points for incidents, responders and logistics (issue 4, kept switchable):

* step 1 returns `Opening` (open_min, ballots per TPS) from the kit logistics
  (`operations.day_logistics` → `LogisticsResult.open_min`, `.ballots_available`); with
  logistics off, day.open and DPT + reserve.
* step 4 returns `Disruptions`: per-TPS suspension intervals (no service starts inside),
  KPPS on-duty changes ``(time, ±n)`` (e.g. a worker hurt in an incident), counting pause
  intervals — from the day's incidents and the plan's responders
  (`operations.day_response`); ballots lost in incidents come off `Opening.ballots`.
* exercise injects (`simulate_day(..., injects=...)`, `planner demo`) enter at steps 1 and 4:
  late kits, scripted incidents, collapses (`operations.collapse_response`).
* after counting, `operations.finish_operations` sends the medical teams to the KPPS
  health events, returns the results to the PPK, and fills `DayResult.extras`.
* `DayResult.extras` carries other modules' results; `DayResult.incidents_on` /
  `logistics_on` tell the metrics which of their figures are real.
* traces: every step adds its rows to the `EventLog` when one TPS is traced.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.scenario.clock import format_clock
from planner.scenario.injects import ScriptedEvent
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim import staff as st
from planner.sim.counting import CountResult, count_tps, draw_counting, full_team_minutes
from planner.sim.counting_reference import count_reference
from planner.sim.dayresult import (
    DayResult,
    Disruptions,
    Engine,
    Opening,
    StaffOutcome,
    VotingStaff,
)
from planner.sim.grid import FloatArray, IntArray, TimeGrid, day_grid
from planner.sim.incidents import inject_collapses, inject_disruptions
from planner.sim.logistics_reference import simulate_logistics_reference
from planner.sim.operations import (
    collapse_response,
    day_logistics,
    day_response,
    finish_operations,
)
from planner.sim.queue_batch import run_batch
from planner.sim.queue_reference import run_reference
from planner.sim.queueing import QueueInputs, QueueResult
from planner.sim.record import EventLog
from planner.sim.size import check_size
from planner.sim.slots import global_blocks, staffing_blocks, stage_slots
from planner.sim.staff_reference import on_duty_by_cell, simulate_on_duty, timeline_changes
from planner.sim.voters import VoterDraws, draw_voters


def simulate_day(
    scenario: Scenario,
    seed: int,
    replication: int,
    plan: Plan | None = None,
    engine: Engine = "batch",
    trace_tps: int | None = None,
    injects: tuple[ScriptedEvent, ...] = (),
) -> DayResult:
    """Simulate one replication of polling day (steps in the module docstring).

    `injects` are exercise injects (`planner.scenario.injects.resolve_injects`): late kits
    hold back the kits in step 1, flood/power-cut/protest join the day's incidents and a
    collapse takes a KPPS off duty and calls the medical teams in step 4. Without injects
    the day is exactly the plain replication (the same named streams are drawn).
    """
    n_tps = len(scenario.tps)
    check_size(scenario)  # refuse a day the machine cannot hold, before allocating it
    grid = day_grid(scenario)
    log = EventLog() if trace_tps is not None else None
    opening = open_and_ballots(scenario, seed, replication, injects, engine)
    voters = draw_voters(scenario, seed, replication)
    voting = voting_staff(scenario, grid, voters, seed, replication)
    disrupt = disruptions(scenario, plan, seed, replication, voting, n_tps, injects)
    if disrupt.response is not None:  # ballots spoiled or lost in incidents
        lost = disrupt.response.ballots_lost
        opening = replace(opening, ballots=np.maximum(opening.ballots - lost, 0))
    inputs = queue_inputs(scenario, grid, voters, opening, disrupt, voting, engine)
    queue = run_reference(inputs) if engine == "reference" else run_batch(inputs)
    if log is not None and trace_tps is not None:
        run_reference(inputs, [trace_tps], log.add)
    staff_out, count = counting_phase(
        scenario, grid, voters, queue, voting, disrupt, seed, replication, engine
    )
    result = DayResult(
        scenario=scenario,
        replication=replication,
        grid=grid,
        opening=opening,
        voters=voters,
        queue=queue,
        voting_staff=voting,
        disruptions=disrupt,
        staff=staff_out,
        counting=count,
        counting_on=scenario.spec.counting.enabled,
        log=log,
    )
    finish_operations(result, seed, trace_tps)
    if log is not None and trace_tps is not None:
        log.extend(day_trace(result, trace_tps))
    return result


def trace_day(
    scenario: Scenario,
    seed: int,
    tps_id: str,
    replication: int = 0,
    plan: Plan | None = None,
    injects: tuple[ScriptedEvent, ...] = (),
) -> EventLog:
    """The full event log of one TPS in one replication (``simulate --trace``)."""
    i = traced_tps_index(scenario, tps_id)
    result = simulate_day(scenario, seed, replication, plan, trace_tps=i, injects=injects)
    assert result.log is not None
    return result.log


def traced_tps_index(scenario: Scenario, tps_id: str) -> int:
    """Row of the TPS that ``--trace`` names; a user error naming real ids otherwise."""
    from planner.errors import UserError

    try:
        return scenario.tps.index_of(tps_id)
    except KeyError:
        examples = ", ".join(scenario.tps.tps_id[:3])
        raise UserError(
            f"--trace: no TPS with id {tps_id!r} in the scenario; ids look like {examples}"
        ) from None


# --- step 1 ---------------------------------------------------------------------------
def open_and_ballots(
    scenario: Scenario,
    seed: int,
    replication: int,
    injects: tuple[ScriptedEvent, ...] = (),
    engine: Engine = "batch",
) -> Opening:
    """Opening times and ballot sets from the kit logistics (`planner.sim.operations`); with
    logistics off, day.open and DPT + reserve. Late-kit injects hold kits back. The
    reference engine runs the logistics chain as SimPy processes (same draws, same times)."""
    if engine == "reference" and scenario.spec.logistics.enabled:
        lg = simulate_logistics_reference(scenario, seed, replication, injects)
    else:
        lg = day_logistics(scenario, seed, replication, injects)
    return Opening(
        open_min=np.asarray(lg.open_min, dtype=np.float64),
        ballots=np.asarray(lg.ballots_available, dtype=np.int64),
        logistics=lg,
    )


# --- step 3 ---------------------------------------------------------------------------
def arrived_by_cell(voters: VoterDraws, grid: TimeGrid) -> FloatArray:
    """(tps, cells) voters who have come by the end of each cell."""
    n_tps = voters.arrival_min.shape[0]
    finite = np.isfinite(voters.arrival_min)
    rows = np.nonzero(finite)[0]
    cells = grid.cell_of(voters.arrival_min[finite])
    counts = np.zeros((n_tps, grid.cells))
    np.add.at(counts, (rows, cells), 1.0)
    return np.cumsum(counts, axis=1)


def voting_staff(
    scenario: Scenario, grid: TimeGrid, voters: VoterDraws, seed: int, replication: int
) -> VotingStaff:
    """Draw the voting team; fatigue with the voting workload; health events."""
    staff = scenario.spec.staff
    size = staff.kpps_per_tps + staff.policies.reserve_workers
    team = st.draw_team(scenario, seed, replication, "staff/team", size)
    curves = st.voting_team_curves(scenario, grid, team, arrived_by_cell(voters, grid))
    hazard = st.hazard_per_min(curves, team, staff.health)
    duty = curves.duty_start_min
    ill = st.first_event_min(hazard, grid, duty, team.ill_threshold)
    deficit = curves.deficit()
    mean_def = st.mean_deficit(deficit, st.present(ill, grid, curves))
    slow = staff.fatigue.slowdown_per_point if staff.fatigue.enabled else 0.0
    return VotingStaff(team, curves, hazard, ill, 1.0 + slow * mean_def, mean_def)


# --- step 4 ---------------------------------------------------------------------------
def disruptions(
    scenario: Scenario,
    plan: Plan | None,
    seed: int,
    replication: int,
    voting: VotingStaff,
    n_tps: int,
    injects: tuple[ScriptedEvent, ...] = (),
) -> Disruptions:
    """Suspensions and counting pauses from the day's incidents (with the injects' flood,
    power-cut and protest) as the plan's responders answer them (`planner.sim.operations`);
    a ``collapse`` inject takes one KPPS off duty from its minute and calls the medical
    teams. With incidents off the injects act directly, without dispatch."""
    staff_changes: list[list[tuple[float, int]]] = [[] for _ in range(n_tps)]
    collapse_tps, collapse_min = inject_collapses(injects)
    for i, t in zip(collapse_tps.tolist(), collapse_min.tolist(), strict=True):
        staff_changes[i].append((float(t), -1))
    response = day_response(scenario, plan, seed, replication, injects)
    if response is None:
        suspensions, pauses = inject_disruptions(scenario, injects)
        return Disruptions(suspensions, staff_changes, pauses)
    return Disruptions(
        suspensions=response.suspensions,
        staff_changes=staff_changes,
        count_pauses=[list(p) for p in response.pauses],
        response=response,
        collapse_medical=collapse_response(scenario, injects, seed, replication),
    )


# --- step 5 ---------------------------------------------------------------------------
def queue_inputs(
    scenario: Scenario,
    grid: TimeGrid,
    voters: VoterDraws,
    opening: Opening,
    disrupt: Disruptions,
    voting: VotingStaff,
    engine: Engine = "batch",
) -> QueueInputs:
    """The voter engines' inputs: voters, ballots, slot blocks, fatigue multiplier.

    The KPPS on duty come from the change arrays (`staff.duty_changes`), or with the
    reference engine from the SimPy team processes (`planner.sim.staff_reference`)."""
    spec = scenario.spec
    stages = spec.voters.stages
    n_tps = len(scenario.tps)
    full = np.array(
        [
            scenario.tps.booths if s.servers == "booths" else np.full(n_tps, int(s.servers))
            for s in stages
        ],
        dtype=np.int64,
    )
    per_server = np.array([s.kpps_per_server for s in stages], dtype=np.int64)
    if engine == "reference":
        steps = simulate_on_duty(
            scenario, voting.team, voting.ill_min, grid.end_min, disrupt.staff_changes
        )
        changes_t, changes_d = timeline_changes(steps, voting.team.size)
    else:
        changes_t, changes_d = st.duty_changes(
            scenario, voting.team, voting.ill_min, grid.end_min, disrupt.staff_changes
        )
    staffing = staffing_blocks(
        full,
        per_server,
        spec.staff.kpps_without_stage,
        voting.team.size,
        changes_t,
        changes_d,
    )
    slots = stage_slots(staffing, global_blocks(opening.open_min, disrupt.suspensions))
    return QueueInputs(
        arrival_min=voters.arrival_min,
        patience_min=voters.patience_min,
        service_min=voters.service_min,
        ballots=opening.ballots,
        slots=slots,
        grid=grid,
        multiplier=voting.service_multiplier,
        fatigue_applies=tuple(s.fatigue_applies and spec.staff.fatigue.enabled for s in stages),
        stage_names=tuple(s.name for s in stages),
    )


# --- step 6 ---------------------------------------------------------------------------
def count_start_min(scenario: Scenario, queue: QueueResult) -> FloatArray:
    """Counting starts when voting has closed and the last voter has left."""
    close = float(scenario.spec.day.close)
    last = np.where(np.isfinite(queue.leave_min), queue.leave_min, -np.inf).max(axis=1)
    return np.asarray(np.maximum(close, last), dtype=np.float64)


def counting_ballot_load(
    scenario: Scenario, grid: TimeGrid, start: FloatArray, papers: IntArray, work: FloatArray
) -> FloatArray:
    """(tps, cells) extra fatigue load from the ballot papers counted so far: counting is
    taken to progress evenly over the full team's `work` minutes from `start`."""
    load = scenario.spec.staff.fatigue.load_per_1000_ballots
    progress = np.clip(
        (grid.mids[None, :] - start[:, None]) / np.maximum(work, 1e-9)[:, None], 0.0, 1.0
    )
    return np.asarray(load * papers[:, None] * progress / 1000.0, dtype=np.float64)


def counting_phase(
    scenario: Scenario,
    grid: TimeGrid,
    voters: VoterDraws,
    queue: QueueResult,
    voting: VotingStaff,
    disrupt: Disruptions,
    seed: int,
    replication: int,
    engine: Engine = "batch",
) -> tuple[StaffOutcome, CountResult]:
    """Counting with the counting team's fatigue; every worker's health over the day (the
    reference engine counts with one SimPy process per TPS, `planner.sim.counting_reference`)."""
    spec = scenario.spec
    health = spec.staff.health
    n_tps = len(scenario.tps)
    start = count_start_min(scenario, queue)
    voted = (queue.outcome == 0).sum(axis=1)
    papers = (spec.election.ballots * voted).astype(np.int64)
    draws = draw_counting(scenario, seed, replication)
    work = full_team_minutes(papers, draws)
    ballot_load = counting_ballot_load(scenario, grid, start, papers, work)
    team1 = voting.team
    duty1 = voting.curves.duty_start_min
    h1_at_start = st.cumulative_hazard(voting.hazard_per_min, grid, duty1, start)
    split = spec.staff.policies.split_counting_shift and spec.counting.enabled
    if split:
        team2 = st.draw_team(
            scenario, seed, replication, "staff/counting_team", spec.staff.kpps_per_tps
        )
        curves_c = st.fresh_team_curves(scenario, grid, team2, start, ballot_load)
        hazard_c = st.hazard_per_min(curves_c, team2, health)
        ill_c = st.first_event_min(hazard_c, grid, start, team2.ill_threshold)
        ill1 = np.where(voting.ill_min < start[:, None], voting.ill_min, np.inf)
        team_c = team2
        deficit_c = curves_c.deficit()
    else:
        curves_c = voting.curves
        hazard_c = st.hazard_per_min(voting.curves, team1, health, ballot_load)
        later = st.first_event_min(hazard_c, grid, start, team1.ill_threshold - h1_at_start)
        ill1 = np.where(voting.ill_min < start[:, None], voting.ill_min, later)
        ill_c = ill1
        team_c = team1
        deficit_c = voting.curves.deficit(ballot_load)
    working = st.present(ill_c, grid, curves_c)
    if engine == "reference":
        on_duty = on_duty_by_cell(scenario, grid, team_c, ill_c, curves_c.duty_start_min)
    else:
        on_duty = working.sum(axis=1) + st.replaced(ill_c, team_c, grid, curves_c)
    mean_def_c = st.mean_deficit(deficit_c, working)
    if spec.counting.enabled:
        counter = count_reference if engine == "reference" else count_tps
        count = counter(
            scenario, grid, draws, start, papers, on_duty, mean_def_c, disrupt.count_pauses
        )
    else:
        count = CountResult(
            start, start, start, papers, np.zeros(n_tps, np.int64), np.zeros(n_tps), np.zeros(n_tps)
        )
    finish = count.finish_min
    end1 = start if split else finish
    # health over the whole day
    h1_end = h1_at_start  # the voting team's voting-phase exposure ends at counting start
    if split:
        h_c_end = st.cumulative_hazard(hazard_c, grid, start, finish)
        p1 = 1.0 - np.exp(-h1_end)
        p2 = 1.0 - np.exp(-h_c_end)
        happened1 = ill1 < end1[:, None]
        happened2 = ill_c < finish[:, None]
        ill_all = np.concatenate(
            [np.where(happened1, ill1, np.inf), np.where(happened2, ill_c, np.inf)], axis=1
        )
        sev_p = np.concatenate(
            [st.severe_probability(team1, health), st.severe_probability(team2, health)], axis=1
        )
        sev_u = np.concatenate([team1.severe_u, team2.severe_u], axis=1)
        probs = np.concatenate([p1, p2], axis=1)
        workers = np.full(n_tps, team1.size + team2.size)
    else:
        h_after = st.cumulative_hazard(hazard_c, grid, start, np.maximum(finish, start))
        probs = 1.0 - np.exp(-(h1_end + h_after))
        happened = ill1 < finish[:, None]
        ill_all = np.where(happened, ill1, np.inf)
        sev_p = st.severe_probability(team1, health)
        sev_u = team1.severe_u
        workers = np.full(n_tps, team1.size)
    severe = np.isfinite(ill_all) & (sev_u < sev_p)
    mids = grid.mids[None, :]
    voting_part = np.where(mids < start[:, None], voting.mean_deficit, -np.inf)
    counting_part = np.where(
        (mids >= start[:, None]) & (mids < finish[:, None]), mean_def_c, -np.inf
    )
    peak = np.maximum(voting_part, counting_part).max(axis=1)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    outcome = StaffOutcome(
        ill_min=ill_all,
        severe=severe,
        ill_expected=probs.sum(axis=1),
        severe_expected=(probs * sev_p).sum(axis=1),
        workers=workers.astype(np.int64),
        fatigue_peak=peak,
        duty_hours=(finish - float(spec.day.staff_arrive)) / 60.0,
    )
    return outcome, count


# --- traces ---------------------------------------------------------------------------
def day_trace(result: DayResult, i: int) -> list[tuple[float, str, str, str]]:
    """Staff, opening and counting events at TPS `i` (voter events come from the engine)."""
    spec = result.scenario.spec
    day = spec.day
    rows: list[tuple[float, str, str, str]] = []
    team = result.voting_staff.team
    rows.append((float(day.staff_arrive), "KPPS", "team arrives", f"{team.size} workers"))
    rows.append(
        (
            float(result.opening.open_min[i]),
            "TPS",
            "opens",
            f"{int(result.opening.ballots[i])} ballot sets",
        )
    )
    rows.append((float(day.close), "TPS", "voting closes", "voters already queuing still vote"))
    pol = spec.staff.policies
    count = result.counting
    split = pol.split_counting_shift and result.counting_on
    team_leaves = float(count.start_min[i] if split else count.finish_min[i])
    for w in range(team.size):
        for s, e in _breaks_until(result, w, team_leaves):
            rows.append((s, f"KPPS {w + 1}", "break starts", ""))
            rows.append((e, f"KPPS {w + 1}", "break ends", ""))
    for w in range(result.staff.ill_min.shape[1]):
        t = float(result.staff.ill_min[i, w])
        if np.isfinite(t):
            sev = "severe" if result.staff.severe[i, w] else "not severe"
            age = _age(result, w)[i]
            rows.append((t, f"KPPS {w + 1}", "falls ill and leaves", f"{sev}, age {age:.0f}"))
            if w < team.size and np.isfinite(team.replacement_min[i, w]):
                back = t + float(team.replacement_min[i, w])
                if back < count.finish_min[i]:
                    rows.append((back, f"KPPS {w + 1}", "replacement arrives", ""))
    if result.counting_on:
        rows.append(
            (
                float(count.start_min[i]),
                "KPPS",
                "counting starts",
                f"{int(count.papers[i])} ballot papers",
            )
        )
        rows.append((float(count.papers_done_min[i]), "KPPS", "ballot papers counted", ""))
        if count.errors[i] > 0:
            rows.append(
                (
                    float(count.papers_done_min[i]),
                    "KPPS",
                    "recounts",
                    f"{int(count.errors[i])} tally mismatches, "
                    f"{float(count.recount_min[i]):.0f} min",
                )
            )
        rows.append(
            (
                float(count.finish_min[i]),
                "KPPS",
                "results signed and sealed",
                f"finished {format_clock(float(count.finish_min[i]))}",
            )
        )
    if pol.split_counting_shift and result.counting_on:
        rows.append((float(count.start_min[i]), "KPPS", "fresh counting team takes over", ""))
    return rows


def _breaks_until(result: DayResult, w: int, until: float) -> list[tuple[float, float]]:
    from planner.sim.fatigue import break_intervals

    pol = result.scenario.spec.staff.policies
    team = result.voting_staff.team
    return break_intervals(
        float(result.scenario.spec.day.staff_arrive),
        until,
        w,
        team.size,
        pol.break_every_min,
        pol.break_length_min,
    )


def _age(result: DayResult, w: int) -> FloatArray:
    team = result.voting_staff.team
    if w < team.size:
        return np.asarray(team.age_years[:, w], dtype=np.float64)
    return np.full(team.age_years.shape[0], np.nan)
