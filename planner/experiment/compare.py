"""Paired comparison of plans on the same simulated days (common random numbers).

Every plan is simulated on the same replications with the same seed, and the simulation
draws voters, kits, road delays and incident triggers from streams that do not depend on the
plan (DESIGN §6, docs/model-incidents.md), so plan B's day ``r`` differs from plan A's only
by what the plans do differently. For each metric the difference ``B − A`` is taken
*within* each replication and its mean gets a 95% t-interval over replications:

    d_r = B_r − A_r,   d̄ ± t(0.975, n−1) · s_d / √n

Because A_r and B_r share their luck, ``Var(d) = Var(A) + Var(B) − 2 Cov(A, B)`` is far
smaller than the ``Var(A) + Var(B)`` of comparing independent runs; the Welch interval of
the same data treated as independent is reported beside it (``unpaired_ci95_*``) to show
what pairing buys. A plan compared with itself differs by exactly zero. A difference is
*significant* when its interval excludes zero.

The first plan is the reference: every other plan is compared against it. Per kecamatan
the main metrics (`DISTRICT_METRICS`) are compared the same way.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import UserError
from planner.experiment.executors import Executor, make_executor
from planner.experiment.feasibility import HARM_METRIC, PlansChecked, check_compared
from planner.experiment.harm import HarmWeights
from planner.experiment.intervals import metric_interval
from planner.experiment.precision import (
    DEFAULT_CAP,
    PrecisionTarget,
    parse_precision,
    run_to_precision,
)
from planner.experiment.replicate import PlanTotals, Replicator, TaskProgress
from planner.experiment.stats import mean_interval, t_quantile
from planner.experiment.tasks import Job
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.sim.dayresult import Engine
from planner.sim.metrics import HEADLINE, METRIC_NAMES, format_value, metric_names_of

DISTRICT_METRICS: tuple[str, ...] = (
    "voters_gave_up",
    "wait_mean_min",
    "incidents_unresolved",
    "response_mean_min",
    "revote_risk",
    "count_finish_mean_clock_min",
    "attempts",
    "deterred",
    "prevented",
    "displaced",
    "found_later",
    "undetected",
)
"""Per-kecamatan columns compared pair by pair (means per replication); the last six are
what became of the human-made attempts (`planner.sim.operations`), shown per kecamatan in
the compare and plan reports."""

TABLE_METRICS: tuple[str, ...] = (
    *HEADLINE,
    "response_p90_min",
    "escalations",
    "incidents_unresolved",
    "utilisation_police",
    "utilisation_tni",
    "sim_harm",
)
"""Metrics in the printed comparison: the simulate headline and what a deployment changes."""


@dataclass(frozen=True)
class Difference:
    """Mean of B − A over paired replications with its 95% interval, and the unpaired one."""

    mean: float
    ci95_low: float
    ci95_high: float
    n: int
    unpaired_ci95_low: float
    unpaired_ci95_high: float

    @property
    def significant(self) -> bool:
        """True when the paired interval excludes zero."""
        return self.ci95_low > 0 or self.ci95_high < 0

    @property
    def half_width(self) -> float:
        """Half-width of the paired interval."""
        return (self.ci95_high - self.ci95_low) / 2

    @property
    def unpaired_half_width(self) -> float:
        """Half-width of the Welch interval of the same data taken as independent runs."""
        return (self.unpaired_ci95_high - self.unpaired_ci95_low) / 2

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "mean": self.mean,
            "ci95_low": self.ci95_low,
            "ci95_high": self.ci95_high,
            "n": self.n,
            "significant": self.significant,
            "unpaired_ci95_low": self.unpaired_ci95_low,
            "unpaired_ci95_high": self.unpaired_ci95_high,
        }


def paired_difference(a: Sequence[float], b: Sequence[float]) -> Difference:
    """B − A over replications where both are defined (NaN marks a missing value)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not (math.isnan(x) or math.isnan(y))]
    diffs = [y - x for x, y in pairs]
    paired = mean_interval(diffs)
    low, high = welch_interval([x for x, _ in pairs], [y for _, y in pairs])
    return Difference(paired.mean, paired.ci95_low, paired.ci95_high, paired.n, low, high)


def welch_interval(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """95% Welch interval of mean(B) − mean(A) for independent samples."""
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        d = (math.fsum(b) / nb if nb else 0.0) - (math.fsum(a) / na if na else 0.0)
        return d, d
    ma, mb = math.fsum(a) / na, math.fsum(b) / nb
    va = math.fsum((x - ma) ** 2 for x in a) / (na - 1)
    vb = math.fsum((x - mb) ** 2 for x in b) / (nb - 1)
    se2 = va / na + vb / nb
    d = mb - ma
    if se2 <= 0:
        return d, d
    df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    half = t_quantile(0.975, df) * math.sqrt(se2)
    return d - half, d + half


@dataclass
class CompareResult:
    """Every plan's replications and their paired differences against the first plan."""

    scenario: Scenario
    seed: int
    labels: list[str]
    totals: list[PlanTotals]
    sources: list[str] = field(default_factory=list)
    precision: dict[str, Any] | None = None
    tasks_run: int = 0
    plans: list[Plan | None] = field(default_factory=list)
    """The plans compared (None: the policy default), for the deployment-rule check."""
    _checked: PlansChecked | None = field(default=None, repr=False, compare=False)

    def plans_checked(self) -> PlansChecked:
        """Every plan under the scenario's deployment rules and the optimiser's predicted
        sim_harm differences beside the simulated ones (`planner.experiment.feasibility`)."""
        if self._checked is None:
            harm = [self.series(k, HARM_METRIC) for k in range(len(self.labels))]
            if HARM_METRIC not in self.metric_names() or not self.enabled(HARM_METRIC):
                harm = [[] for _ in self.labels]
            self._checked = check_compared(
                self.scenario, self.plans, self.labels, harm, paired_difference
            )
        return self._checked

    @property
    def replications(self) -> int:
        """Replications per plan."""
        return len(self.totals[0].per_rep)

    def metric_names(self) -> list[str]:
        """Every metric, contract ones first."""
        seen: list[str] = [m for m in METRIC_NAMES]
        for t in self.totals:
            for rep in t.per_rep:
                seen.extend(k for k in rep if k not in seen)
        return seen

    def enabled(self, metric: str) -> bool:
        """True when the metric is measured for some plan."""
        return any(t.enabled.get(metric, True) for t in self.totals)

    def series(self, plan: int, metric: str) -> list[float]:
        """A metric per replication (NaN where undefined)."""
        return [rep.get(metric, math.nan) for rep in self.totals[plan].per_rep]

    def difference(self, plan: int, metric: str) -> Difference:
        """Plan `plan` − the first plan, paired by replication."""
        return paired_difference(self.series(0, metric), self.series(plan, metric))

    def summary(self) -> dict[str, Any]:
        """compare.json."""
        metrics: dict[str, Any] = {}
        for name in self.metric_names():
            plans = {
                label: metric_interval(name, self.totals[k].values(name)).as_dict()
                for k, label in enumerate(self.labels)
            }
            diffs = {
                label: self.difference(k, name).as_dict()
                for k, label in enumerate(self.labels)
                if k > 0
            }
            metrics[name] = {"enabled": self.enabled(name), "plans": plans, "differences": diffs}
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "reference": self.labels[0],
            "plans": [
                {"label": label, "source": src}
                for label, src in zip(self.labels, self.sources or self.labels, strict=True)
            ],
            "metrics": metrics,
            "per_district": self.district_summary(),
        }
        if self.precision is not None:
            out["precision"] = self.precision
        out["plans_checked"] = self.plans_checked().as_dict()
        return out

    def district_summary(self) -> dict[str, Any]:
        """{metric: {kecamatan: {plans: {label: mean}, differences: {label: {...}}}}}."""
        names = self.scenario.tps.district_names
        out: dict[str, Any] = {}
        for metric in DISTRICT_METRICS:
            reps = [t.district_reps.get(metric) for t in self.totals]
            if any(r is None or not r for r in reps):
                continue
            table: dict[str, Any] = {}
            for d, district in enumerate(names):
                series = [[float(v[d]) for v in r or []] for r in reps]
                plans = {label: _nanmean(series[k]) for k, label in enumerate(self.labels)}
                diffs = {
                    label: paired_difference(series[0], series[k]).as_dict()
                    for k, label in enumerate(self.labels)
                    if k > 0
                }
                table[district] = {"plans": plans, "differences": diffs}
            out[metric] = table
        return out

    def compare_csv(self) -> str:
        """compare.csv: one row per (metric, plan) with its mean and the paired difference."""
        rows: list[list[Any]] = []
        for name in self.metric_names():
            if not self.enabled(name):
                continue
            for k, label in enumerate(self.labels):
                m = metric_interval(name, self.totals[k].values(name))
                row: list[Any] = [name, label, m.mean, m.ci95_low, m.ci95_high, m.n]
                if k == 0:
                    row += ["", "", "", ""]
                else:
                    d = self.difference(k, name)
                    row += [d.mean, d.ci95_low, d.ci95_high, int(d.significant)]
                rows.append(row)
        header = [
            "metric",
            "plan",
            "mean",
            "ci95_low",
            "ci95_high",
            "n",
            "diff_mean",
            "diff_ci95_low",
            "diff_ci95_high",
            "significant",
        ]
        return _csv(header, rows)

    def differences_csv(self) -> str:
        """differences.csv (read by the report): one row per (other plan, metric)."""
        rows: list[list[Any]] = []
        for k, label in enumerate(self.labels):
            if k == 0:
                continue
            for name in self.metric_names():
                if not self.enabled(name):
                    continue
                d = self.difference(k, name)
                a = mean_interval(self.totals[0].values(name)).mean
                b = mean_interval(self.totals[k].values(name)).mean
                rows.append(
                    [
                        self.labels[0],
                        label,
                        name,
                        d.mean,
                        d.ci95_low,
                        d.ci95_high,
                        a,
                        b,
                        d.n,
                        int(d.significant),
                        d.unpaired_ci95_low,
                        d.unpaired_ci95_high,
                    ]
                )
        header = [
            "plan_a",
            "plan_b",
            "metric",
            "diff_mean",
            "diff_ci95_low",
            "diff_ci95_high",
            "mean_a",
            "mean_b",
            "n",
            "significant",
            "unpaired_ci95_low",
            "unpaired_ci95_high",
        ]
        return _csv(header, rows)

    def districts_csv(self) -> str:
        """compare_districts.csv: per kecamatan and main metric, each plan against the first."""
        rows: list[list[Any]] = []
        for metric, table in self.district_summary().items():
            for district, entry in table.items():
                a = entry["plans"][self.labels[0]]
                for label, d in entry["differences"].items():
                    rows.append(
                        [
                            district,
                            metric,
                            self.labels[0],
                            label,
                            a,
                            entry["plans"][label],
                            d["mean"],
                            d["ci95_low"],
                            d["ci95_high"],
                            int(d["significant"]),
                        ]
                    )
        header = [
            "district",
            "metric",
            "plan_a",
            "plan_b",
            "mean_a",
            "mean_b",
            "diff_mean",
            "diff_ci95_low",
            "diff_ci95_high",
            "significant",
        ]
        return _csv(header, rows)

    def table_rows(
        self, metrics: Sequence[str] = TABLE_METRICS
    ) -> tuple[list[str], list[list[str]]]:
        """Headers and rows of the printed comparison (headline metrics)."""
        headers = ["metric", *self.labels]
        for label in self.labels[1:]:
            headers += [f"{label} − {self.labels[0]} (95%)", "sig."]
        rows: list[list[str]] = []
        for name in metrics:
            if name not in self.metric_names() or not self.enabled(name):
                continue
            row = [name]
            row += [format_value(name, mean_interval(t.values(name)).mean) for t in self.totals]
            for k in range(1, len(self.labels)):
                d = self.difference(k, name)
                row.append(
                    f"{_signed(name, d.mean)} ({_signed(name, d.ci95_low)} … "
                    f"{_signed(name, d.ci95_high)})"
                )
                row.append("yes" if d.significant else "no")
            rows.append(row)
        return headers, rows


def _signed(name: str, value: float) -> str:
    """A difference for people: like `format_value` but clock metrics as minutes."""
    from planner.sim.metrics import METRICS

    unit = next((m.unit for m in METRICS if m.name == name), "")
    if unit == "clock min":
        return f"{value:+.1f} min"
    if unit == "share":
        return f"{100 * value:+.2f} pt"
    return f"{value:+.3g}" if abs(value) < 100 else f"{value:+,.0f}"


def _nanmean(values: Sequence[float]) -> float:
    ok = [v for v in values if not math.isnan(v)]
    return math.fsum(ok) / len(ok) if ok else math.nan


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value) if abs(value) < 1e15 else f"{value:.1f}"
    return str(value)


def compare_plans(
    scenario: Scenario,
    plans: Sequence[Plan | None],
    labels: Sequence[str],
    replications: int,
    seed: int | None = None,
    executor: Executor | None = None,
    *,
    store: Any = None,
    progress: TaskProgress | None = None,
    precision: Sequence[PrecisionTarget] = (),
    max_replications: int | None = None,
    engine: Engine = "batch",
    harm: HarmWeights | None = None,
    first_replication: int = 0,
) -> CompareResult:
    """Simulate every plan on replications ``first_replication …`` (common random numbers)
    and pair them. With `precision`, replications are added until every target's paired
    half-width (each plan against the first) is met, up to `max_replications`."""
    if len(plans) < 1 or len(plans) != len(labels):
        raise UserError("compare needs at least one plan and a label for each")
    if replications < 2:
        raise UserError(f"a paired interval needs at least 2 replications, got {replications}")
    run_seed = scenario.seed if seed is None else int(seed)
    job = Job.make(scenario, tuple(plans), run_seed, engine, harm)
    own = executor is None
    runner_executor: Executor = executor if executor is not None else make_executor()
    report: dict[str, Any] | None = None
    try:
        runner = Replicator(job, runner_executor, store, progress, keep_district=DISTRICT_METRICS)
        result = CompareResult(scenario, run_seed, list(labels), runner.totals)
        result.plans = list(plans)

        def batch(reps: range) -> None:
            runner.run(range(first_replication + reps.start, first_replication + reps.stop))

        if precision:
            report = run_to_precision(
                batch,
                lambda: {t.metric: _widest(result, t.metric) for t in precision},
                replications,
                precision,
                max_replications or DEFAULT_CAP,
            )
        else:
            batch(range(replications))
    finally:
        if own:
            runner_executor.close()
    result.precision = report
    result.tasks_run = runner.tasks_run
    return result


def _widest(result: CompareResult, metric: str) -> float:
    """The widest paired half-width of `metric` over the plans compared with the first (the
    plain half-width when there is only one plan)."""
    if len(result.labels) == 1:
        return mean_interval(result.totals[0].values(metric)).half_width
    widths = [result.difference(k, metric).half_width for k in range(1, len(result.labels))]
    return max(widths) if all(math.isfinite(w) for w in widths) else math.inf


def compare(
    scenario: Scenario | str | Path,
    plans: Sequence[str | Plan | None],
    replications: int = 20,
    seed: int | None = None,
    workers: int = 1,
    overrides: Sequence[str] = (),
    executor: str = "local",
    scheduler: str | None = None,
    precision: Sequence[str] = (),
    max_replications: int | None = None,
    progress: TaskProgress | None = None,
) -> CompareResult:
    """Compare plans on the same simulated days: the Python API behind `planner compare`.

    `plans` are ``"default"`` (the policy-default plan), paths of plan.csv files (optionally
    ``"LABEL=PATH"``), `Plan` objects or None (default). The first is the reference.
    """
    from planner.experiment.session import resolve_plans
    from planner.scenario.load import load_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, list(overrides))
    labels: list[str] = []
    the_plans: list[Plan | None] = []
    for k, p in enumerate(plans):
        if isinstance(p, str):
            label_k, plan_k = resolve_plans(sc, [p])
            label, plan = label_k[0], plan_k[0]
        else:
            label = "default" if p is None else (p.label or f"plan{k + 1}")
            plan = p
        base, n = label, 2
        while label in labels:
            label, n = f"{base}-{n}", n + 1
        labels.append(label)
        the_plans.append(plan)
    targets = parse_precision(precision, metric_names_of(sc))
    with make_executor(executor, workers, scheduler) as runner:
        return compare_plans(
            sc,
            the_plans,
            labels,
            replications,
            seed,
            runner,
            progress=progress,
            precision=targets,
            max_replications=max_replications,
        )


def compare_in_folder(
    open_run: Any, executor: Executor, progress: TaskProgress | None = None
) -> CompareResult:
    """Run (or finish) a compare run in its folder: compare.json, compare.csv,
    differences.csv and compare_districts.csv."""
    from planner.experiment.session import recorded

    req = open_run.request
    run = open_run.run
    targets = parse_precision(req.precision, metric_names_of(open_run.scenario))
    engine: Engine = "reference" if req.engine == "reference" else "batch"
    tasks = len(open_run.plans) * max(1, len(open_run.scenario.spec.regions or [None]))
    with recorded(open_run, total=lambda: tasks * req.replications) as finish:
        result = compare_plans(
            open_run.scenario,
            open_run.plans,
            req.labels,
            req.replications,
            open_run.seed,
            executor,
            store=open_run.store,
            progress=progress,
            precision=targets,
            max_replications=req.max_replications,
            engine=engine,
        )
        result.sources = list(req.plans)
        run.write_json("compare.json", result.summary())
        run.write_text("compare.csv", result.compare_csv())
        run.write_text("differences.csv", result.differences_csv())
        run.write_text("compare_districts.csv", result.districts_csv())
        finish.update(tasks_run=result.tasks_run)
    return result
