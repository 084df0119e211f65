"""The unit of work: one plan's polling day of one region in one replication.

A `Job` is what every task of a run shares (the scenario, the plans, the seed, the voter
engine, whether to measure the harm left); a `Task` names one (plan, region, replication)
of it; `run_task` simulates it and returns a small `TaskResult`. Executors
(`planner.experiment.executors`) only move jobs and tasks around, so a task gives the same
result on any worker of any executor: every random number comes from streams keyed by the
run (or region) seed and the replication (DESIGN §6), never from the plan or the worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planner.experiment.harm import HARM_METRIC, HarmWeights, harm_columns
from planner.experiment.regions import RegionPart, merge_notes, region_plan, split_regions
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.day import simulate_day
from planner.sim.dayresult import Engine
from planner.sim.metrics import ReplicationResult, replication_result

WHOLE = -1
"""`Task.region` of a one-region scenario: the whole scenario is one task."""


@dataclass(frozen=True)
class Job:
    """What all tasks of one run share (sent to each worker once)."""

    scenario: Scenario
    plans: tuple[Plan | None, ...]
    """The plans simulated (None: the policy-default plan); common random numbers across them."""
    seed: int
    engine: Engine = "batch"
    harm: HarmWeights | None = None
    """Measure the harm left per TPS (`planner.experiment.harm`) when given."""
    parts: tuple[RegionPart, ...] = field(default=(), compare=False)
    """Region parts of a multi-region scenario (empty: one task per replication)."""

    @classmethod
    def make(
        cls,
        scenario: Scenario,
        plans: tuple[Plan | None, ...],
        seed: int,
        engine: Engine = "batch",
        harm: HarmWeights | None = None,
    ) -> Job:
        """A job, with the scenario split into regions when it has several."""
        return cls(scenario, plans, seed, engine, harm, split_regions(scenario, seed))

    @property
    def regions(self) -> tuple[int, ...]:
        """The region index of each task of a replication (`WHOLE` for one region)."""
        return tuple(p.index for p in self.parts) or (WHOLE,)

    def tasks(self, replications: list[int], plans: list[int] | None = None) -> list[Task]:
        """Every (plan, region, replication) task, replication-major so early replications
        finish first (a precision check or a resume needs whole replications)."""
        which = list(range(len(self.plans))) if plans is None else plans
        return [Task(p, r, g) for r in replications for p in which for g in self.regions]


@dataclass(frozen=True, order=True)
class Task:
    """One (plan, replication, region) day."""

    plan: int
    replication: int
    region: int = WHOLE

    @property
    def name(self) -> str:
        """A stable file-name stem: ``r000012`` or ``r000012-g03``."""
        base = f"r{self.replication:06d}"
        return base if self.region == WHOLE else f"{base}-g{self.region:02d}"


@dataclass
class TaskResult:
    """A task and its small aggregate."""

    task: Task
    result: ReplicationResult
    seconds: float = 0.0


def run_task(job: Job, task: Task) -> TaskResult:
    """Simulate one task's day and aggregate it (the worker side of every executor)."""
    start = time.perf_counter()
    plan = job.plans[task.plan]
    if task.region == WHOLE:
        scenario, seed = job.scenario, job.seed
    else:
        part = job.parts[task.region]
        scenario, seed, plan = part.scenario, part.seed, region_plan(plan, part)
    day = simulate_day(scenario, seed, task.replication, plan, job.engine)
    result = replication_result(day)
    if job.harm is not None:
        columns, total = harm_columns(scenario, day.extras.get("response"), job.harm)
        result.per_tps.update(columns)
        result.scalars[HARM_METRIC] = total
        result.enabled[HARM_METRIC] = True
    if task.region != WHOLE:
        result.notes.update(merge_notes(day, result))
    return TaskResult(task, result, time.perf_counter() - start)
