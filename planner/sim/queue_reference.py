"""The reference voter engine: SimPy, one process per voter, event by event.

Readable and slow; used for traces and to prove the batch engine right. It follows the rules
in `planner.sim.queueing` literally:

* each voter is a process: arrive, then for each stage join its queue, wait to be called,
  be served, move on;
* each stage has a dispatcher that, once everything else happening at the current instant
  is done, calls waiting voters in queue order to the lowest-numbered idle, unblocked slot
  and schedules their service ends in that order;
* slot blocks (before opening, suspensions, missing KPPS) are timed events.

Within one instant SimPy handles events by priority: state changes (arrivals, service ends,
blocks) first, then dispatching, then patience running out. So a slot freed and a voter
arriving at the same moment meet, and a voter called at the very moment their patience runs
out stays. Every time is computed as "now + duration", the same floating-point operation the
batch engine does, so both engines agree to the last bit.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Iterable
from typing import Any, cast

import simpy
import simpy.events
from simpy.events import EventPriority

from planner.errors import UserError
from planner.sim.queueing import (
    OUT_GAVE_UP,
    OUT_STRANDED,
    OUT_TURNED_AWAY,
    OUT_VOTED,
    QueueInputs,
    QueueResult,
    merged_intervals,
)

STATE_CHANGE = EventPriority(1)
"""Priority of arrivals, service ends and slot blocks (SimPy's NORMAL: timeouts use it)."""
DISPATCH = EventPriority(2)
"""Priority of a stage's dispatcher: after all state changes of the instant."""
RENEGE = EventPriority(3)
"""Priority of patience running out: after the dispatcher of the instant."""

TURNED_AWAY = "turned away"

Logger = Callable[[float, str, str, str], None]
"""``log(clock_min, who, what, detail)`` for traces."""


class _At(simpy.events.Event):
    """An event that fires `delay` after now with the given priority (like a Timeout)."""

    def __init__(self, env: simpy.Environment, delay: float, priority: EventPriority):
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, priority, delay)


class _Stage:
    """One stage at one TPS: its FIFO queue and the state of its slots."""

    def __init__(self, index: int, name: str, slots: int):
        self.index = index
        self.name = name
        self.queue: deque[tuple[int, simpy.Event]] = deque()
        self.busy = [False] * slots
        self.blocked = [False] * slots
        self.dispatch_pending = False

    def free_slot(self) -> int | None:
        """The lowest-numbered idle, unblocked slot, if any."""
        for j, (busy, blocked) in enumerate(zip(self.busy, self.blocked, strict=True)):
            if not busy and not blocked:
                return j
        return None


class _TpsModel:
    """The voter flow at one TPS in one SimPy environment."""

    def __init__(self, inputs: QueueInputs, tps: int, out: QueueResult, log: Logger | None):
        self.inputs = inputs
        self.i = tps
        self.out = out
        self.log = log
        self.env = simpy.Environment()
        self.ballots_left = int(inputs.ballots[tps])
        self.stages = [
            _Stage(k, name, inputs.slots[k].slots) for k, name in enumerate(inputs.stage_names)
        ]
        self._schedule_blocks()
        arrivals = inputs.arrival_min[tps]
        for n in range(int((arrivals < math.inf).sum())):
            self.env.process(self.voter(n))

    def run(self) -> None:
        """Run until every voter has left."""
        self.env.run()

    # --- slot blocks ---------------------------------------------------------------
    def _schedule_blocks(self) -> None:
        for k, stage in enumerate(self.stages):
            slots = self.inputs.slots[k]
            for j in range(slots.slots):
                spans = merged_intervals(slots.block_start[j, self.i], slots.block_end[j, self.i])
                for b0, b1 in spans:
                    if b0 <= 0.0 < b1:
                        stage.blocked[j] = True
                    elif b0 > 0.0:
                        self._at(b0, self._set_block(stage, j, True))
                    if b1 > 0.0 and b1 < math.inf:
                        self._at(b1, self._set_block(stage, j, False))

    def _at(self, clock_min: float, action: Callable[[Any], None]) -> None:
        event = self.env.timeout(clock_min)  # scheduled at now = 0, so exactly at clock_min
        event.callbacks.append(action)

    def _set_block(self, stage: _Stage, slot: int, blocked: bool) -> Callable[[Any], None]:
        def action(_event: Any) -> None:
            stage.blocked[slot] = blocked
            if not blocked:
                self.request_dispatch(stage)

        return action

    # --- dispatching ---------------------------------------------------------------
    def request_dispatch(self, stage: _Stage) -> None:
        """Ask for `stage`'s dispatcher to run once the current instant's changes are done."""
        if stage.dispatch_pending:
            return
        stage.dispatch_pending = True
        event = _At(self.env, 0.0, DISPATCH)
        event.callbacks.append(lambda _e: self.dispatch(stage))

    def dispatch(self, stage: _Stage) -> None:
        """Call waiting voters, in queue order, to idle unblocked slots (lowest first)."""
        stage.dispatch_pending = False
        while stage.queue:
            slot = stage.free_slot()
            if slot is None:
                return
            voter, ticket = stage.queue.popleft()
            if stage.index == 0:
                if self.ballots_left <= 0:
                    ticket.succeed(TURNED_AWAY)
                    continue
                self.ballots_left -= 1
            stage.busy[slot] = True
            duration = self.inputs.service_duration(stage.index, self.i, voter, self.env.now)
            # the service end is scheduled here, in queue order, so that voters finishing
            # at the same instant reach the next stage in the order they started (rule 4),
            # however their processes are woken (a patience condition wakes one later)
            ticket.succeed((slot, self.env.timeout(duration)))

    # --- voters --------------------------------------------------------------------
    def voter(self, n: int) -> Generator[simpy.Event, Any, None]:
        """One voter's visit: arrive, pass every stage (or give up, or be turned away)."""
        env = self.env
        i = self.i
        arrival = float(self.inputs.arrival_min[i, n])
        yield env.timeout(arrival)
        self._log(f"voter {n + 1}", "arrives", "")
        for stage in self.stages:
            ticket = env.event()
            stage.queue.append((n, ticket))
            self.request_dispatch(stage)
            patience = float(self.inputs.patience_min[i, n])
            if stage.index == 0 and patience < math.inf:
                timer = _At(env, patience, RENEGE)
                yield ticket | timer
                if not ticket.triggered:
                    stage.queue.remove((n, ticket))
                    self.out.outcome[i, n] = OUT_GAVE_UP
                    self.out.leave_min[i, n] = env.now
                    self._log(f"voter {n + 1}", "gives up", f"waited {env.now - arrival:.1f} min")
                    return
            else:
                yield ticket
            if ticket.value == TURNED_AWAY:
                self.out.outcome[i, n] = OUT_TURNED_AWAY
                self.out.leave_min[i, n] = env.now
                self._log(f"voter {n + 1}", "turned away", "no ballots left")
                return
            slot, service_end = cast(tuple[int, simpy.Event], ticket.value)
            self.out.start_min[stage.index, i, n] = env.now
            self._log(f"voter {n + 1}", f"starts {stage.name}", f"slot {slot + 1}")
            yield service_end
            self.out.end_min[stage.index, i, n] = env.now
            stage.busy[slot] = False
            self.request_dispatch(stage)
        self.out.outcome[i, n] = OUT_VOTED
        self.out.leave_min[i, n] = env.now
        self._log(f"voter {n + 1}", "leaves", "voted")

    def mark_stranded(self) -> None:
        """After the run: voters still queuing could never be served."""
        for stage in self.stages:
            for n, _ticket in stage.queue:
                self.out.outcome[self.i, n] = OUT_STRANDED

    def _log(self, who: str, what: str, detail: str) -> None:
        if self.log is not None:
            self.log(self.env.now, who, what, detail)


def run_reference(
    inputs: QueueInputs, tps: Iterable[int] | None = None, log: Logger | None = None
) -> QueueResult:
    """Serve the voters of the given TPS (default all) event by event."""
    stages, n_tps, width = inputs.service_min.shape
    if (inputs.arrival_min < 0).any():
        # times are scheduled from now = 0 so that now + delay is exactly the clock time
        raise UserError(
            "the reference engine needs voters to arrive at or after 00:00 of polling day; "
            "move day.open (or use --engine batch)"
        )
    out = QueueResult.empty(stages, n_tps, width)
    for i in range(n_tps) if tps is None else tps:
        model = _TpsModel(inputs, i, out, log)
        model.run()
        model.mark_stranded()
    return out
