"""Replications of polling day, summarised with confidence intervals.

Replication ``r`` of a run with seed ``s`` draws every random number from streams keyed by
``(s, r, name, …)`` (DESIGN §6), so its result does not depend on which process runs it.
Tasks run on an executor (`planner.experiment.executors`: this process, a local process
pool, or Dask) and return small per-replication aggregates
(`planner.sim.metrics.ReplicationResult`); `planner.experiment.replicate` saves each as it
finishes (when given a store) and folds them in replication order into running sums, so
memory stays flat however many replications run and the summary is identical for any
executor and number of workers. A multi-region scenario runs as region × replication tasks
(`planner.experiment.regions`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import UserError
from planner.experiment.intervals import metric_interval
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario

if TYPE_CHECKING:
    from planner.experiment.checkpoint import ReplicationStore
    from planner.experiment.executors import Executor
    from planner.experiment.precision import PrecisionTarget
    from planner.experiment.replicate import PlanTotals
    from planner.experiment.tasks import Job
from planner.sim.dayresult import Engine
from planner.sim.metrics import METRIC_NAMES, metric_names_of

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each task (a replication; region × replication for a
province)."""


@dataclass
class SimulationResult:
    """The outcome of `run_replications`: the DESIGN §5 summary and the tables."""

    scenario: Scenario
    replications: int
    seed: int
    summary: dict[str, Any]
    per_tps: dict[str, Any]
    """Columns: tps_id, district, village, risk_class, voters, then means per TPS."""
    per_district: dict[str, Any]
    """Columns: district, then means per kecamatan."""
    per_village: dict[str, Any]
    """Columns: district, village, then means per village (per_district's metric columns),
    grouped by kecamatan."""
    replication_metrics: list[dict[str, float]]
    """Every replication's summary metrics (a few dozen numbers each)."""
    per_region: list[dict[str, Any]] = field(default_factory=list)
    """Multi-region scenarios: rows (region, metric, mean, ci95_low, ci95_high, n)."""
    tasks_run: int = 0
    """Tasks simulated by this call (fewer than all when resuming)."""

    def metric(self, name: str) -> dict[str, Any]:
        """One summary metric: mean, ci95_low, ci95_high, n, enabled."""
        metric: dict[str, Any] = self.summary["metrics"][name]
        return metric

    def per_tps_csv(self) -> str:
        """per_tps.csv text."""
        return _csv(self.per_tps)

    def per_district_csv(self) -> str:
        """per_district.csv text."""
        return _csv(self.per_district)

    def per_village_csv(self) -> str:
        """per_village.csv text."""
        return _csv(self.per_village)

    def per_region_csv(self) -> str:
        """per_region.csv text (multi-region scenarios; header only otherwise)."""
        columns: dict[str, list[Any]] = {
            k: [row[k] for row in self.per_region]
            for k in ("region", "metric", "mean", "ci95_low", "ci95_high", "n")
        }
        return _csv(columns)

    def to_pandas(self, table: str = "per_tps") -> Any:
        """A pandas DataFrame of 'per_tps', 'per_district', 'per_village' or 'summary' (needs
        pandas)."""
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]
        except ImportError:  # pragma: no cover - depends on the environment
            raise UserError(
                "to_pandas needs pandas; install it with `pip install pandas`"
            ) from None
        if table == "per_tps":
            return pd.DataFrame(self.per_tps)
        if table == "per_district":
            return pd.DataFrame(self.per_district)
        if table == "per_village":
            return pd.DataFrame(self.per_village)
        if table == "summary":
            return pd.DataFrame.from_dict(self.summary["metrics"], orient="index")
        raise UserError(
            f"unknown table {table!r}; use per_tps, per_district, per_village or summary"
        )


def _csv(columns: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(columns)
    writer.writerow(names)
    rows = len(next(iter(columns.values()))) if columns else 0
    for r in range(rows):
        writer.writerow([_fmt(columns[c][r]) for c in names])
    return out.getvalue()


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return ""
        return f"{v:.6g}" if abs(v) < 1e6 else f"{v:.1f}"
    return str(value)


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    workers: int = 1,
    plan: Plan | None = None,
    engine: Engine = "batch",
    progress: Progress | None = None,
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    precision: Sequence[PrecisionTarget] = (),
    max_replications: int | None = None,
) -> SimulationResult:
    """Simulate `replications` days of `scenario` and summarise them (DESIGN §5).

    `executor` runs the tasks (default: a local pool of `workers` processes); `store` saves
    each finished task and skips those already saved (``--resume``); with `precision`
    targets, `replications` is the first batch and more are added until every target's 95%
    half-width is met or `max_replications` is reached (`planner.experiment.precision`).
    """
    from planner.experiment.executors import LocalExecutor
    from planner.experiment.precision import DEFAULT_CAP, run_to_precision, summary_half_width
    from planner.experiment.replicate import Replicator
    from planner.experiment.tasks import Job

    if replications < 1:
        raise UserError(f"replications must be at least 1, got {replications}")
    if workers < 1:
        raise UserError(f"workers must be at least 1, got {workers}")
    run_seed = scenario.seed if seed is None else int(seed)
    job = Job.make(scenario, (plan,), run_seed, engine)
    runner_executor = executor if executor is not None else LocalExecutor(workers)
    report: dict[str, Any] | None = None
    try:
        runner = Replicator(job, runner_executor, store, progress)
        if precision:
            totals = runner.totals[0]
            report = run_to_precision(
                runner.run,
                lambda: {t.metric: summary_half_width(totals.values(t.metric)) for t in precision},
                replications,
                precision,
                max_replications or DEFAULT_CAP,
            )
        else:
            runner.run(range(replications))
    finally:
        if executor is None:
            runner_executor.close()
    result = simulation_result(job, runner.totals[0])
    result.tasks_run = runner.tasks_run
    if report is not None:
        result.summary["precision"] = report
    return result


def simulation_result(job: Job, totals: PlanTotals) -> SimulationResult:
    """The `SimulationResult` of one plan's folded replications."""
    from planner.experiment.regions import region_rows

    scenario = job.scenario
    return SimulationResult(
        scenario=scenario,
        replications=len(totals.per_rep),
        seed=job.seed,
        summary=summarise(scenario.name, job.seed, totals.per_rep, totals.enabled),
        per_tps=_tps_table(scenario, totals.tps.means()),
        per_district=_district_table(scenario, totals.district.means()),
        per_village=_village_table(scenario, totals.village.means()),
        replication_metrics=totals.per_rep,
        per_region=region_rows(job.parts, totals.region_reps) if job.parts else [],
    )


def summarise(
    scenario_name: str, seed: int, per_rep: list[dict[str, float]], enabled: dict[str, bool]
) -> dict[str, Any]:
    """The summary.json content: every metric as mean with its 95% interval (by its kind)."""
    names = list(METRIC_NAMES) + sorted({k for rep in per_rep for k in rep} - set(METRIC_NAMES))
    metrics: dict[str, Any] = {}
    for name in names:
        # n counts the replications with a finite value (a metric undefined in some
        # replication, e.g. a mean over no events, is left out there rather than poisoning
        # the mean; summary.json never holds NaN)
        values = [rep[name] for rep in per_rep if name in rep and math.isfinite(rep[name])]
        interval = metric_interval(name, values).as_dict()
        metrics[name] = {**interval, "enabled": bool(enabled.get(name, True))}
    return {
        "scenario": scenario_name,
        "replications": len(per_rep),
        "seed": seed,
        "metrics": metrics,
    }


def _tps_table(scenario: Scenario, means: dict[str, FloatArray]) -> dict[str, Any]:
    tps = scenario.tps
    table: dict[str, Any] = {
        "tps_id": list(tps.tps_id),
        "district": [tps.district_names[d] for d in tps.district],
        "village": [tps.village_names[v] for v in tps.village],
        "risk_class": [tps.class_names[c] for c in tps.risk_class],
        "voters": [int(v) for v in tps.voters],
    }
    table.update({k: v.tolist() for k, v in means.items()})
    return table


def _district_table(scenario: Scenario, means: dict[str, FloatArray]) -> dict[str, Any]:
    table: dict[str, Any] = {"district": list(scenario.tps.district_names)}
    table.update({k: v.tolist() for k, v in means.items()})
    return table


def _village_table(scenario: Scenario, means: dict[str, FloatArray]) -> dict[str, Any]:
    """Villages grouped by kecamatan (kecamatan in per_district.csv's order, villages in the
    TPS table's order within each)."""
    tps = scenario.tps
    order = np.argsort(tps.village_district, kind="stable")
    table: dict[str, Any] = {
        "district": [tps.district_names[tps.village_district[v]] for v in order],
        "village": [tps.village_names[v] for v in order],
    }
    table.update({k: v[order].tolist() for k, v in means.items()})
    return table


def simulate(
    scenario: Scenario | str | Path,
    replications: int = 20,
    seed: int | None = None,
    workers: int = 1,
    plan: Plan | str | Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    engine: Engine = "batch",
    progress: Progress | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    precision: Sequence[str] = (),
    max_replications: int | None = None,
) -> SimulationResult:
    """Simulate polling day: the Python API behind `planner simulate`.

    `scenario` is a loaded `Scenario` or a path to a scenario file (then `overrides` apply,
    as ``--set``); `plan` a `Plan` or a path to a plan.csv. `executor` is "local" (a pool
    of `workers` processes) or "dask" (`scheduler`: an existing cluster's address, else a
    local cluster); `precision` holds ``"METRIC=HALF_WIDTH"`` goals (`replications` is then
    the first batch, `max_replications` the cap). Returns a `SimulationResult` with
    ``.summary`` (DESIGN §5), ``.per_tps``, ``.per_district``, ``.per_village`` and
    ``.to_pandas()``.
    """
    from planner.experiment.executors import make_executor
    from planner.experiment.precision import parse_precision
    from planner.scenario.plan import read_plan

    if isinstance(scenario, Scenario):
        if overrides:
            raise UserError("overrides apply to a scenario file; pass a path, not a Scenario")
        sc = scenario
    else:
        sc = load_scenario(scenario, overrides)
    the_plan = read_plan(plan, sc) if isinstance(plan, str | Path) else plan
    targets = parse_precision(precision, metric_names_of(sc))
    with make_executor(executor, workers, scheduler) as runner:
        return run_replications(
            sc,
            replications,
            seed,
            workers,
            the_plan,
            engine,
            progress,
            executor=runner,
            precision=targets,
            max_replications=max_replications,
        )
