"""Replications of polling day on a local process pool, summarised with confidence intervals.

Replication ``r`` of a run with seed ``s`` draws every random number from streams keyed by
``(s, r, name, …)`` (DESIGN §6), so its result does not depend on which process runs it.
Workers return small per-replication aggregates (`planner.sim.metrics.ReplicationResult`);
the parent folds them in replication order into running sums, so memory stays flat however
many replications run and the summary is identical for any number of workers.
"""

from __future__ import annotations

import csv
import io
import math
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import UserError
from planner.experiment.stats import mean_interval
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.day import Engine, simulate_day
from planner.sim.metrics import METRIC_NAMES, ReplicationResult, replication_result

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each replication."""


@dataclass
class ColumnMeans:
    """Running means of table columns over replications (NaN values are skipped)."""

    sums: dict[str, FloatArray] = field(default_factory=dict)
    counts: dict[str, FloatArray] = field(default_factory=dict)

    def add(self, columns: dict[str, FloatArray]) -> None:
        """Fold in one replication's columns."""
        for name, values in columns.items():
            v = np.asarray(values, dtype=np.float64)
            ok = np.isfinite(v)
            if name not in self.sums:
                self.sums[name] = np.zeros(v.shape)
                self.counts[name] = np.zeros(v.shape)
            self.sums[name] += np.where(ok, v, 0.0)
            self.counts[name] += ok

    def means(self) -> dict[str, FloatArray]:
        """Mean of each column (NaN where no replication had a finite value)."""
        out: dict[str, FloatArray] = {}
        for name, total in self.sums.items():
            n = self.counts[name]
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        return out


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
    replication_metrics: list[dict[str, float]]
    """Every replication's summary metrics (a few dozen numbers each)."""

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

    def to_pandas(self, table: str = "per_tps") -> Any:
        """A pandas DataFrame of 'per_tps', 'per_district' or 'summary' (needs pandas)."""
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
        if table == "summary":
            return pd.DataFrame.from_dict(self.summary["metrics"], orient="index")
        raise UserError(f"unknown table {table!r}; use per_tps, per_district or summary")


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


# --- the worker side -------------------------------------------------------------------
_WORK: dict[str, Any] = {}


def _init_worker(scenario: Scenario, plan: Plan | None, seed: int, engine: Engine) -> None:
    _WORK.update(scenario=scenario, plan=plan, seed=seed, engine=engine)


def _one(replication: int) -> ReplicationResult:
    day = simulate_day(
        _WORK["scenario"], _WORK["seed"], replication, _WORK["plan"], _WORK["engine"]
    )
    return replication_result(day)


def _results(
    scenario: Scenario,
    plan: Plan | None,
    seed: int,
    replications: int,
    workers: int,
    engine: Engine,
) -> Iterator[ReplicationResult]:
    """Per-replication results in replication order."""
    if workers <= 1 or replications <= 1:
        _init_worker(scenario, plan, seed, engine)
        for r in range(replications):
            yield _one(r)
        return
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    chunk = max(1, replications // (workers * 8))
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(scenario, plan, seed, engine),
    ) as pool:
        yield from pool.map(_one, range(replications), chunksize=chunk)


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    workers: int = 1,
    plan: Plan | None = None,
    engine: Engine = "batch",
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate `replications` days of `scenario` and summarise them (DESIGN §5)."""
    if replications < 1:
        raise UserError(f"replications must be at least 1, got {replications}")
    if workers < 1:
        raise UserError(f"workers must be at least 1, got {workers}")
    run_seed = scenario.seed if seed is None else int(seed)
    tps_means = ColumnMeans()
    district_means = ColumnMeans()
    per_rep: list[dict[str, float]] = []
    enabled: dict[str, bool] = {}
    for done, res in enumerate(
        _results(scenario, plan, run_seed, replications, workers, engine), start=1
    ):
        per_rep.append(res.scalars)
        for k, v in res.enabled.items():
            enabled[k] = enabled.get(k, False) or v
        tps_means.add(res.per_tps)
        district_means.add(res.per_district)
        if progress is not None:
            progress(done, replications)
    return SimulationResult(
        scenario=scenario,
        replications=replications,
        seed=run_seed,
        summary=summarise(scenario.name, run_seed, per_rep, enabled),
        per_tps=_tps_table(scenario, tps_means.means()),
        per_district=_district_table(scenario, district_means.means()),
        replication_metrics=per_rep,
    )


def summarise(
    scenario_name: str, seed: int, per_rep: list[dict[str, float]], enabled: dict[str, bool]
) -> dict[str, Any]:
    """The summary.json content: every metric as mean with its 95% t-interval."""
    names = list(METRIC_NAMES) + sorted({k for rep in per_rep for k in rep} - set(METRIC_NAMES))
    metrics: dict[str, Any] = {}
    for name in names:
        # n counts the replications with a finite value (a metric undefined in some
        # replication, e.g. a mean over no events, is left out there rather than poisoning
        # the mean; summary.json never holds NaN)
        values = [rep[name] for rep in per_rep if name in rep and math.isfinite(rep[name])]
        interval = mean_interval(values).as_dict()
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


def simulate(
    scenario: Scenario | str | Path,
    replications: int = 20,
    seed: int | None = None,
    workers: int = 1,
    plan: Plan | str | Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    engine: Engine = "batch",
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate polling day: the Python API behind `planner simulate`.

    `scenario` is a loaded `Scenario` or a path to a scenario file (then `overrides` apply,
    as ``--set``); `plan` a `Plan` or a path to a plan.csv. Returns a `SimulationResult` with
    ``.summary`` (DESIGN §5), ``.per_tps``, ``.per_district`` and ``.to_pandas()``.
    """
    from planner.scenario.plan import read_plan

    if isinstance(scenario, Scenario):
        if overrides:
            raise UserError("overrides apply to a scenario file; pass a path, not a Scenario")
        sc = scenario
    else:
        sc = load_scenario(scenario, overrides)
    the_plan = read_plan(plan, sc) if isinstance(plan, str | Path) else plan
    return run_replications(sc, replications, seed, workers, the_plan, engine, progress)
