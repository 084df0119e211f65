"""Run a job's tasks on an executor, save each as it finishes, fold them in replication order.

`Replicator` is the one loop behind simulate, compare, the precision rule and the sim–opt
loop. For each batch of replication indices it

1. submits the tasks not already saved (``--resume``) to the executor;
2. saves every result the moment it arrives (`planner.experiment.checkpoint`), so nothing
   finished is ever lost;
3. folds results into each plan's `PlanTotals` strictly in replication order (holding early
   arrivals back; for a province, once all regions of the replication are in and merged,
   `planner.experiment.regions`), so the sums — and hence every summary — are bit-identical
   for any executor, any number of workers and any interruption.

Memory stays flat: what is kept per replication is its summary metrics (a few dozen numbers)
and, when asked, a few per-kecamatan columns for paired comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.experiment.checkpoint import ReplicationStore
from planner.experiment.columns import ColumnMeans
from planner.experiment.executors import Executor
from planner.experiment.regions import merge_results
from planner.experiment.tasks import WHOLE, Job, Task, TaskResult
from planner.sim.metrics import ReplicationResult

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
TaskProgress = Callable[[int, int], None]
"""``progress(done, total)`` after each task; both count every task asked of the replicator
so far (later batches raise the total)."""


@dataclass
class PlanTotals:
    """Everything folded so far for one plan, in replication order."""

    replications: list[int] = field(default_factory=list)
    per_rep: list[dict[str, float]] = field(default_factory=list)
    """Summary metrics of each replication (the province's for a multi-region scenario)."""
    enabled: dict[str, bool] = field(default_factory=dict)
    tps: Any = None
    """`planner.experiment.columns.ColumnMeans` of the per-TPS columns."""
    district: Any = None
    """ColumnMeans of the per-kecamatan columns."""
    village: Any = None
    """ColumnMeans of the per-village columns."""
    district_reps: dict[str, list[FloatArray]] = field(default_factory=dict)
    """Per-replication per-kecamatan values of the kept columns (paired comparisons)."""
    tps_reps: dict[str, list[FloatArray]] = field(default_factory=dict)
    """Per-replication per-TPS values of the kept columns (intervals over groups of TPS)."""
    region_reps: list[list[dict[str, float]]] = field(default_factory=list)
    """[region][replication] summary metrics of each region (multi-region scenarios)."""
    seconds: float = 0.0
    """Compute time of the tasks run in this process's run (not the loaded ones)."""

    def values(self, metric: str) -> list[float]:
        """A metric's value in every replication that has it."""
        return [rep[metric] for rep in self.per_rep if metric in rep]


class Replicator:
    """Runs batches of replications of a job (see the module docstring)."""

    def __init__(
        self,
        job: Job,
        executor: Executor,
        store: ReplicationStore | None = None,
        progress: TaskProgress | None = None,
        keep_district: Sequence[str] = (),
        keep_tps: Sequence[str] = (),
    ) -> None:

        self.job = job
        self.executor = executor
        self.store = store
        self.progress = progress
        self.keep_district = tuple(keep_district)
        self.keep_tps = tuple(keep_tps)
        self.totals = [
            PlanTotals(
                tps=ColumnMeans(),
                district=ColumnMeans(),
                village=ColumnMeans(),
                region_reps=[[] for _ in job.parts],
            )
            for _ in job.plans
        ]
        self.tasks_run = 0
        """Tasks computed (not loaded) by this replicator."""
        self.tasks_done = 0
        self.tasks_total = 0

    @property
    def replications(self) -> list[int]:
        """Replications folded so far (the same for every plan)."""
        return list(self.totals[0].replications)

    def run(self, replications: Sequence[int]) -> None:
        """Simulate (or load) every plan's `replications` and fold them in this order."""
        reps = [int(r) for r in replications]
        folded = set(self.totals[0].replications)
        if folded & set(reps) or len(set(reps)) != len(reps):
            raise ValueError("a replication would be folded twice")
        if not reps:
            return
        tasks = self.job.tasks(reps)
        missing = [t for t in tasks if self.store is None or not self.store.has(t)]
        regions = self.job.regions
        pending: dict[tuple[int, int], dict[int, ReplicationResult]] = {}
        cursor = {p: 0 for p in range(len(self.job.plans))}
        self.tasks_total += len(tasks)
        self.tasks_done += len(tasks) - len(missing)
        if self.progress is not None:
            self.progress(self.tasks_done, self.tasks_total)

        def advance(plan: int) -> None:
            while cursor[plan] < len(reps):
                rep = reps[cursor[plan]]
                have = pending.setdefault((plan, rep), {})
                for g in regions:
                    task = Task(plan, rep, g)
                    if g not in have and self.store is not None and self.store.has(task):
                        have[g] = self.store.load(task)
                if len(have) < len(regions):
                    return
                del pending[(plan, rep)]
                self._fold(plan, rep, [have[g] for g in regions])
                cursor[plan] += 1

        for p in cursor:
            advance(p)
        for finished in self.executor.run(self.job, missing):
            self._arrived(finished)
            pending.setdefault((finished.task.plan, finished.task.replication), {})[
                finished.task.region
            ] = finished.result
            self.tasks_done += 1
            if self.progress is not None:
                self.progress(self.tasks_done, self.tasks_total)
            advance(finished.task.plan)
        for p in cursor:
            advance(p)
        if any(cursor[p] < len(reps) for p in cursor):
            raise RuntimeError("some replications never finished")

    def _arrived(self, finished: TaskResult) -> None:
        self.tasks_run += 1
        self.totals[finished.task.plan].seconds += finished.seconds
        if self.store is not None:
            self.store.save(finished)

    def _fold(self, plan: int, rep: int, parts: list[ReplicationResult]) -> None:
        totals = self.totals[plan]
        if parts and len(self.job.regions) == 1 and self.job.regions[0] == WHOLE:
            result = parts[0]
        else:
            result = merge_results(self.job.scenario, self.job.parts, parts)
            for g, part in enumerate(parts):
                totals.region_reps[g].append(part.scalars)
        totals.replications.append(rep)
        totals.per_rep.append(result.scalars)
        for k, v in result.enabled.items():
            totals.enabled[k] = totals.enabled.get(k, False) or v
        totals.tps.add(result.per_tps)
        totals.district.add(result.per_district)
        totals.village.add(result.per_village)
        for name in self.keep_district:
            if name in result.per_district:
                totals.district_reps.setdefault(name, []).append(
                    np.asarray(result.per_district[name], dtype=np.float64)
                )
        for name in self.keep_tps:
            if name in result.per_tps:
                totals.tps_reps.setdefault(name, []).append(
                    np.asarray(result.per_tps[name], dtype=np.float64)
                )
