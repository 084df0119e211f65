"""The simulation–optimisation loop (`planner plan`): optimise, simulate, learn, re-optimise.

The optimiser scores plans with a table of residual-harm shares by risk class and pattern
(``security.residual_harm``, defaults from `planner.scenario.sections.security`); the
simulation shows what a plan actually leaves. Each iteration k:

1. **optimise** with the current table (warm-started from the previous plan);
2. **simulate** the plan on the *training* replications ``0 … n−1`` (the same every
   iteration: common random numbers), measuring per TPS the harm left
   (`planner.experiment.harm`: unresolved and escalated incidents, suspension minutes,
   re-vote risk, in polling days lost, weighted by voters at stake like the objective);
3. **estimate** the table from that simulation (`estimate_table`): for each (class, pattern)
   the plan uses, the simulated harm of its TPS before reserves (divided by ``1 − ρ_d``,
   the share the kecamatan's reserve teams remove in the objective) over their objective
   weight ``Σ w_i``, scaled by one factor κ so that the table's total on this plan equals
   the old table's (the objective keeps its units; only the *relative* shares are learnt).
   A cell's estimate is trusted in proportion to the incidents behind it: the next share
   is ``z × estimate + (1 − z) × share used`` with ``z = m / (m + CREDIBILITY_INCIDENTS)``
   and m the incidents simulated at its TPS, so a cell of a few quiet TPS does not swing the
   table. Shares are clipped to [0.001, 1]; cells the plan does not use keep their value, so
   the next plan may try them and the simulation then measures them;
4. **re-optimise** with the new table; stop when the plan no longer changes (converged) or
   after K iterations.

Every distinct plan of the loop and the policy-default plan are then **judged out of
sample**: simulated on ``n_eval`` evaluation replications starting at `EVAL_FIRST`
(disjoint from the training ones, common to all candidates) and compared pairwise with
the default (`planner.experiment.compare`). The loop keeps the plan with the lowest mean
simulated harm there (the earliest on a tie), so it never does worse out of sample than
its own first plan, and it reports that plan against the policy default on the same
replications.

By reserve level the simulated harm per weighted voter of kecamatan keeping 0, 1, 2, …
teams is written as a diagnostic (``harm_by_reserve.csv``); the reserves' own shares are not
re-estimated (one level per kecamatan gives no paired contrast; see docs/experiments.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import InfeasibleError, UserError
from planner.experiment.compare import (
    CompareResult,
    Difference,
    compare_plans,
    paired_difference,
)
from planner.experiment.executors import Executor, make_executor
from planner.experiment.harm import HARM_METRIC, HarmWeights, require_incidents, tps_stakes
from planner.experiment.intervals import metric_interval
from planner.experiment.replicate import Replicator, TaskProgress
from planner.experiment.stats import mean_interval
from planner.experiment.tasks import Job
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario

EVAL_FIRST = 1_000_000
"""First evaluation replication: far from any training index, so the sets never overlap."""
MIN_SHARE = 0.001
"""Smallest residual share written to the table (the optimiser's resolution)."""
CREDIBILITY_INCIDENTS = 30.0
"""Incidents at which a cell's simulated estimate and the share it replaces weigh equally
(est.: the harm of an incident is very skewed — most are settled on site, a few escalate —
so a mean over fewer than a few dozen incidents is mostly noise)."""

Table = dict[str, dict[str, float]]
"""Residual-harm shares by class then pattern."""


@dataclass
class Iteration:
    """One pass of the loop."""

    number: int
    plan: Plan
    table_used: Table
    """The table the optimiser used for this plan."""
    objective: float | None
    """The optimiser's objective under `table_used`, weighted voters."""
    status: str
    cost_idr: int | None
    train: dict[str, float] = field(default_factory=dict)
    """Training simulated harm: mean, ci95_low, ci95_high, n."""
    estimate: list[dict[str, Any]] = field(default_factory=list)
    """Rows of harm_estimate.csv."""
    next_table: Table = field(default_factory=dict)
    changed: bool = True
    """The plan differs from the previous iteration's."""
    reserve_rows: list[dict[str, Any]] = field(default_factory=list)
    eval: dict[str, float] = field(default_factory=dict)
    """Out-of-sample simulated harm: mean, ci95_low, ci95_high, n."""
    candidate: int = 0
    """Index of this iteration's plan among the evaluated candidates (0 = default)."""


@dataclass
class LoopResult:
    """The loop's iterations, the evaluation, and the plan kept."""

    scenario: Scenario
    iterations: list[Iteration]
    converged: bool
    kept: int
    """Number of the iteration whose plan was kept."""
    evaluation: CompareResult
    train_replications: int
    eval_replications: int
    seed: int
    default_violations: list[str] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        """The plan kept."""
        return self.iterations[self.kept - 1].plan

    @property
    def kept_first(self) -> bool:
        """True when the loop kept its first iteration's plan."""
        return self.kept == 1

    def kept_minus_first(self) -> Difference:
        """The kept plan's simulated harm less the first plan's, paired on evaluation days."""
        first = self.iterations[0].candidate
        kept = self.iterations[self.kept - 1].candidate
        return paired_difference(
            self.evaluation.series(first, HARM_METRIC), self.evaluation.series(kept, HARM_METRIC)
        )

    def iterations_csv(self) -> str:
        """iterations.csv (read by the report)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "iteration",
                "objective",
                "sim_mean",
                "sim_ci95_low",
                "sim_ci95_high",
                "kept",
                "train_mean",
                "changed",
                "status",
                "cost_idr",
            ]
        )
        for it in self.iterations:
            writer.writerow(
                [
                    it.number,
                    "" if it.objective is None else f"{it.objective:.6g}",
                    f"{it.eval['mean']:.6g}",
                    f"{it.eval['ci95_low']:.6g}",
                    f"{it.eval['ci95_high']:.6g}",
                    int(it.number == self.kept),
                    f"{it.train['mean']:.6g}",
                    int(it.changed),
                    it.status,
                    "" if it.cost_idr is None else it.cost_idr,
                ]
            )
        return out.getvalue()

    def differences_csv(self) -> str:
        """differences.csv: the kept plan against the policy default (evaluation days)."""
        kept = self.iterations[self.kept - 1].candidate
        text = self.evaluation.differences_csv()
        lines = text.splitlines()
        label = self.evaluation.labels[kept]
        rows = [lines[0]] + [ln for ln in lines[1:] if ln.split(",")[1] == label]
        return "\n".join(rows) + "\n"

    def summary(self) -> dict[str, Any]:
        """loop.json."""
        default = self.evaluation.totals[0].values(HARM_METRIC)
        kept_it = self.iterations[self.kept - 1]
        diff = self.evaluation.difference(kept_it.candidate, HARM_METRIC)
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "iterations": len(self.iterations),
            "converged": self.converged,
            "stopped": "plan unchanged" if self.converged else "iteration limit",
            "kept_iteration": self.kept,
            "kept_first": self.kept_first,
            "train_replications": self.train_replications,
            "eval_replications": self.eval_replications,
            "eval_first_replication": EVAL_FIRST,
            "harm_metric": HARM_METRIC,
            "default": metric_interval(HARM_METRIC, default).as_dict(),
            "kept": kept_it.eval,
            "kept_minus_default": diff.as_dict(),
            "kept_minus_first": self.kept_minus_first().as_dict(),
            "default_violations": self.default_violations,
            "final_table": self.iterations[-1].next_table,
            "by_iteration": [
                {
                    "iteration": it.number,
                    "objective": it.objective,
                    "status": it.status,
                    "cost_idr": it.cost_idr,
                    "train": it.train,
                    "eval": it.eval,
                    "changed": it.changed,
                    "table_used": it.table_used,
                }
                for it in self.iterations
            ],
        }


# --- the table ----------------------------------------------------------------------------


def current_table(scenario: Scenario) -> Table:
    """Every allowed (class, pattern) share the optimiser would use now."""
    sec = scenario.spec.security
    return {
        cls: {p: sec.harm_share(cls, p) for p in pol.allowed} for cls, pol in sec.policy.items()
    }


def with_table(scenario: Scenario, table: Table) -> Scenario:
    """The scenario with ``security.residual_harm`` replaced by `table`."""
    security = scenario.spec.security.model_copy(update={"residual_harm": table})
    spec = scenario.spec.model_copy(update={"security": security})
    return Scenario(spec=spec, tps=scenario.tps, path=scenario.path)


def reserve_share(scenario: Scenario, plan: Plan) -> np.ndarray:
    """Per kecamatan, the share of its harm its reserve teams remove in the objective."""
    names = scenario.tps.district_names
    rho = np.zeros(len(names))
    for r in scenario.spec.security.reserves:
        for d, name in enumerate(names):
            teams = int(plan.reserves.get((name, r.agency), 0))
            rho[d] += sum(r.harm_reduction[:teams])
    return np.minimum(rho, 0.99)


def objective_weights(scenario: Scenario) -> np.ndarray:
    """``w_i`` of the objective per TPS, weighted voters (`planner.opt.instance`)."""
    spec = scenario.spec
    tps = scenario.tps
    cls = np.array([spec.risk.classes[c].weight for c in tps.class_names])
    return np.asarray(cls[tps.risk_class] * tps_stakes(scenario), dtype=np.float64)


def estimate_table(
    scenario: Scenario,
    plan: Plan,
    harm_index: np.ndarray,
    table: Table,
    incidents: np.ndarray | None = None,
) -> tuple[Table, list[dict[str, Any]]]:
    """The table learnt from one plan's simulated per-TPS harm (see the module docstring).

    `harm_index` is the mean over training replications of each TPS's harm index and
    `incidents` the number of incidents simulated at each TPS over all of them (None: trust
    every estimate fully). Returns the new table and the rows of harm_estimate.csv.
    """
    tps = scenario.tps
    weights = objective_weights(scenario)
    stakes = tps_stakes(scenario)
    rho = reserve_share(scenario, plan)[tps.district]
    sim = stakes * np.nan_to_num(harm_index) / (1.0 - rho)
    classes = [tps.class_names[c] for c in tps.risk_class]
    current = np.array([table[c][p] for c, p in zip(classes, plan.patterns, strict=True)])
    modelled = float(np.dot(weights, current))
    simulated = float(sim.sum())
    kappa = modelled / simulated if simulated > 0 else math.nan
    cells: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(classes, plan.patterns, strict=True)):
        cells.setdefault(key, []).append(i)
    new = {c: dict(row) for c, row in table.items()}
    rows: list[dict[str, Any]] = []
    for (c, p), idx in sorted(cells.items()):
        w = float(weights[idx].sum())
        s = float(sim[idx].sum())
        raw = kappa * s / w if w > 0 and math.isfinite(kappa) else math.nan
        m = float(incidents[idx].sum()) if incidents is not None else math.inf
        z = 1.0 if math.isinf(m) else m / (m + CREDIBILITY_INCIDENTS)
        blended = table[c][p] if math.isnan(raw) else z * raw + (1 - z) * table[c][p]
        share = min(1.0, max(MIN_SHARE, blended))
        new[c][p] = round(share, 3)
        rows.append(
            {
                "risk_class": c,
                "pattern": p,
                "tps": len(idx),
                "weight": w,
                "sim_harm": s,
                "share_used": table[c][p],
                "share_estimated": raw,
                "incidents": m,
                "credibility": z,
                "share_next": new[c][p],
                "kappa": kappa,
            }
        )
    return new, rows


def reserve_rows(scenario: Scenario, plan: Plan, harm_index: np.ndarray) -> list[dict[str, Any]]:
    """Diagnostic: simulated harm per weighted voter by reserve teams kept per kecamatan."""
    tps = scenario.tps
    weights = objective_weights(scenario)
    sim = tps_stakes(scenario) * np.nan_to_num(harm_index)
    rows = []
    for r in scenario.spec.security.reserves:
        levels: dict[int, list[int]] = {}
        for d, name in enumerate(tps.district_names):
            levels.setdefault(int(plan.reserves.get((name, r.agency), 0)), []).append(d)
        for teams, districts in sorted(levels.items()):
            mask = np.isin(tps.district, districts)
            w = float(weights[mask].sum())
            rows.append(
                {
                    "agency": r.agency,
                    "teams": teams,
                    "kecamatan": len(districts),
                    "weight": w,
                    "sim_harm": float(sim[mask].sum()),
                    "sim_harm_per_weight": float(sim[mask].sum()) / w if w else math.nan,
                    "removed_share_modelled": sum(r.harm_reduction[:teams]),
                }
            )
    return rows


# --- the loop -----------------------------------------------------------------------------


@dataclass
class LoopSettings:
    """Options of `run_loop`."""

    iterations: int = 3
    train_replications: int = 10
    eval_replications: int | None = None
    """Default: as many as training."""
    budgets: Mapping[str, int | None] = field(default_factory=dict)
    available: Mapping[str, int | None] = field(default_factory=dict)
    time_limit_s: float = 60.0
    solver_workers: int = 2
    gap: float = 0.0
    harm: HarmWeights = field(default_factory=HarmWeights)


@dataclass
class LoopHooks:
    """Where the loop saves and finds its work (a run folder makes it resumable)."""

    saved_plan: Callable[[int], tuple[Plan, dict[str, Any]] | None] = lambda k: None
    """The plan of iteration k and its solve report, saved by an interrupted run (None:
    optimise)."""
    on_plan: Callable[[int, Plan, dict[str, Any]], None] = lambda k, plan, report: None
    """Called as soon as iteration k's plan is optimised (before simulating it)."""
    on_iteration: Callable[[Iteration], None] = lambda it: None
    """Called after each iteration."""
    store: Callable[[str, Job], Any] = lambda stage, job: None
    """The replication store of a stage ("iteration-NN" or "evaluation"), or None."""
    progress: TaskProgress | None = None
    echo: Callable[[str], None] = lambda line: None


def run_loop(
    scenario: Scenario,
    settings: LoopSettings,
    seed: int | None = None,
    executor: Executor | None = None,
    hooks: LoopHooks | None = None,
) -> LoopResult:
    """Run the sim–opt loop (see the module docstring)."""
    from planner.opt.api import optimise
    from planner.opt.check import assignment_from_plan
    from planner.opt.instance import build_instance
    from planner.opt.limits import with_limits

    require_incidents(scenario)
    if settings.iterations < 1:
        raise UserError(f"--iterations must be at least 1, got {settings.iterations}")
    if settings.train_replications < 2:
        raise UserError("the loop needs at least 2 training replications (-r)")
    hooks = hooks or LoopHooks()
    run_seed = scenario.seed if seed is None else int(seed)
    n_eval = settings.eval_replications or settings.train_replications
    own = executor is None
    runner: Executor = executor if executor is not None else make_executor()
    table = current_table(scenario)
    iterations: list[Iteration] = []
    converged = False
    previous: Plan | None = None
    violations: list[str] = []
    try:
        for k in range(1, settings.iterations + 1):
            sc_k = with_table(scenario, table)
            saved = hooks.saved_plan(k)
            if saved is None:
                warm = None
                if previous is not None:
                    inst = build_instance(with_limits(sc_k, dict(settings.budgets)))
                    warm = assignment_from_plan(inst, previous)
                with keep_ctrl_c():
                    opt_result = optimise(
                        sc_k,
                        budgets=settings.budgets,
                        available=settings.available,
                        time_limit_s=settings.time_limit_s,
                        workers=settings.solver_workers,
                        seed=run_seed % 2**31,
                        gap=settings.gap,
                        warm_start=warm,
                    )
                if opt_result.plan is None:
                    why = opt_result.explanation.message() if opt_result.explanation else ""
                    raise InfeasibleError(
                        f"iteration {k}: no plan fits the budgets and policy. {why}".strip()
                    )
                report = opt_result.report
                plan = Plan(opt_result.plan.patterns, opt_result.plan.reserves, f"iter{k}")
                hooks.on_plan(k, plan, report)
            else:
                loaded, report = saved
                plan = Plan(loaded.patterns, loaded.reserves, f"iter{k}")
            objective, status = report.get("objective"), str(report.get("status", "?"))
            cost = int(report["cost_idr"]["total"]) if report.get("cost_idr") else None
            violations = list(report.get("policy_default", {}).get("violations", []))
            hooks.echo(
                f"iteration {k}: plan {status.lower()}, simulating "
                f"{settings.train_replications} training days"
            )
            job = Job.make(scenario, (plan,), run_seed, harm=settings.harm)
            rep = Replicator(job, runner, hooks.store(f"iteration-{k:02d}", job), hooks.progress)
            rep.run(range(settings.train_replications))
            totals = rep.totals[0]
            means = totals.tps.means()
            harm_index = np.asarray(means["harm_index"], dtype=np.float64)
            incidents = np.nan_to_num(means["harm_incidents"]) * len(totals.per_rep)
            new_table, rows = estimate_table(scenario, plan, harm_index, table, incidents)
            it = Iteration(
                number=k,
                plan=plan,
                table_used=table,
                objective=objective,
                status=status,
                cost_idr=cost,
                train=metric_interval(HARM_METRIC, totals.values(HARM_METRIC)).as_dict(),
                estimate=rows,
                next_table=new_table,
                changed=previous is None or not same_plan(plan, previous),
                reserve_rows=reserve_rows(scenario, plan, harm_index),
            )
            iterations.append(it)
            hooks.on_iteration(it)
            if previous is not None and not it.changed:
                converged = True
                break
            previous, table = plan, new_table
        candidates, index_of = distinct_plans([it.plan for it in iterations])
        for it in iterations:
            it.candidate = 1 + index_of[id(it.plan)]
        hooks.echo(f"judging {len(candidates)} plan(s) and the default on {n_eval} new days")
        eval_job_store = hooks.store(
            "evaluation", Job.make(scenario, (None, *candidates), run_seed, harm=settings.harm)
        )
        evaluation = compare_plans(
            scenario,
            [None, *candidates],
            ["default", *[c.label for c in candidates]],
            n_eval,
            run_seed,
            runner,
            store=eval_job_store,
            progress=hooks.progress,
            harm=settings.harm,
            first_replication=EVAL_FIRST,
        )
    finally:
        if own:
            runner.close()
    for it in iterations:
        it.eval = metric_interval(
            HARM_METRIC, evaluation.totals[it.candidate].values(HARM_METRIC)
        ).as_dict()
    best = min(iterations, key=lambda it: (it.eval["mean"], it.number))
    return LoopResult(
        scenario=scenario,
        iterations=iterations,
        converged=converged,
        kept=best.number,
        evaluation=evaluation,
        train_replications=settings.train_replications,
        eval_replications=n_eval,
        seed=run_seed,
        default_violations=violations,
    )


@contextmanager
def keep_ctrl_c() -> Iterator[None]:
    """Put Python's Ctrl-C handler back after a CP-SAT solve.

    CP-SAT catches SIGINT while it searches (a Ctrl-C then ends that solve early with the
    best plan so far) and leaves the default action behind, which would kill the process
    on the next Ctrl-C without saving the run's state; reinstalling Python's handler keeps
    the next Ctrl-C a clean, resumable stop."""
    previous = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        if previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, previous)


def same_plan(a: Plan, b: Plan) -> bool:
    """True when two plans put the same patterns and reserves everywhere."""
    keys = set(a.reserves) | set(b.reserves)
    return a.patterns == b.patterns and all(
        a.reserves.get(k, 0) == b.reserves.get(k, 0) for k in keys
    )


def distinct_plans(plans: Sequence[Plan]) -> tuple[list[Plan], dict[int, int]]:
    """The different plans (first occurrence kept) and each plan's index among them."""
    out: list[Plan] = []
    index: dict[int, int] = {}
    for plan in plans:
        for j, seen in enumerate(out):
            if same_plan(plan, seen):
                index[id(plan)] = j
                break
        else:
            index[id(plan)] = len(out)
            out.append(plan)
    return out, index


def table_json(table: Table) -> str:
    """A table as indented JSON (for residual_harm.json)."""
    return json.dumps(table, indent=2) + "\n"


def rows_csv(rows: Sequence[dict[str, Any]]) -> str:
    """Dict rows as CSV text."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return value


def plan_in_folder(
    open_run: Any,
    executor: Executor,
    progress: TaskProgress | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> LoopResult:
    """Run (or finish) the loop in its folder: iterations/NN/ (plan, table used, estimates,
    solve report, training replications), evaluation/, iterations.csv, loop.json,
    compare.json, compare.csv, differences.csv, and the kept plan as plan.csv/plan.json."""
    from planner.experiment.checkpoint import ReplicationStore
    from planner.experiment.session import recorded, save_plan, store_identity
    from planner.opt.limits import parse_pairs
    from planner.scenario.plan import read_plan

    req = open_run.request
    run = open_run.run
    opts = req.options
    scenario = open_run.scenario
    settings = LoopSettings(
        iterations=int(opts.get("iterations", 3)),
        train_replications=req.replications,
        eval_replications=opts.get("eval_replications"),
        budgets=parse_pairs(list(opts.get("budgets", [])), "--budget"),
        available=parse_pairs(list(opts.get("available", [])), "--available"),
        time_limit_s=float(opts.get("time_limit_s", 60.0)),
        solver_workers=int(opts.get("solver_workers", 2)),
        gap=float(opts.get("gap", 0.0)),
    )

    def folder(k: int) -> Path:
        return Path(run.path) / "iterations" / f"{k:02d}"

    def saved_plan(k: int) -> tuple[Plan, dict[str, Any]] | None:
        path = folder(k) / "plan.csv"
        if not path.is_file() or not (folder(k) / "solve.json").is_file():
            return None
        report = json.loads((folder(k) / "solve.json").read_text(encoding="utf-8"))
        return read_plan(path, scenario), report

    def on_plan(k: int, plan: Plan, report: dict[str, Any]) -> None:
        from planner.files import atomic_write_json

        save_plan(folder(k), scenario, plan)
        atomic_write_json(folder(k) / "solve.json", report)  # last: marks the plan complete

    def on_iteration(it: Iteration) -> None:
        stem = f"iterations/{it.number:02d}"
        run.write_text(f"{stem}/residual_harm.json", table_json(it.table_used))
        run.write_text(f"{stem}/harm_estimate.csv", rows_csv(it.estimate))
        run.write_text(f"{stem}/harm_by_reserve.csv", rows_csv(it.reserve_rows))

    def store(stage: str, job: Job) -> ReplicationStore:
        path = Path(run.path) / (
            "evaluation" if stage == "evaluation" else f"iterations/{stage[-2:]}"
        )
        identity = store_identity(scenario, list(job.plans), job.seed, req)
        return ReplicationStore(path, identity).open()

    hooks = LoopHooks(saved_plan, on_plan, on_iteration, store, progress, echo)
    with recorded(open_run) as finish:
        result = run_loop(scenario, settings, open_run.seed, executor, hooks)
        evaluation = result.evaluation
        run.write_text("iterations.csv", result.iterations_csv())
        run.write_text("differences.csv", result.differences_csv())
        run.write_json("compare.json", evaluation.summary())
        run.write_text("compare.csv", evaluation.compare_csv())
        run.write_json("loop.json", result.summary())
        save_plan(
            Path(run.path), scenario, Plan(result.plan.patterns, result.plan.reserves, "loop")
        )
        finish.update(kept_iteration=result.kept, converged=result.converged)
    return result


def loop_lines(result: LoopResult) -> list[str]:
    """The printed outcome: iterations, the kept plan, and it against the default."""
    from planner.terminal import format_table

    rows = [
        [
            it.number,
            "" if it.objective is None else f"{it.objective:,.1f}",
            f"{it.train['mean']:,.1f}",
            f"{it.eval['mean']:,.1f} ({it.eval['ci95_low']:,.1f} – {it.eval['ci95_high']:,.1f})",
            "yes" if it.changed else "no",
            "yes" if it.number == result.kept else "",
        ]
        for it in result.iterations
    ]
    lines = [
        format_table(
            ["iteration", "objective", "train harm", "out-of-sample harm (95%)", "changed", "kept"],
            rows,
            title=f"{result.scenario.name}: sim–opt loop, harm = {HARM_METRIC} (weighted voters)",
        )
    ]
    state = "converged (plan unchanged)" if result.converged else "stopped at the iteration limit"
    lines.append(f"{state} after {len(result.iterations)} iteration(s)")
    if result.kept_first:
        lines.append("kept the first iteration's plan: later plans did no better out of sample")
    else:
        gain = result.kept_minus_first()
        sig = "significant" if gain.significant else "not significant"
        lines.append(
            f"kept iteration {result.kept}'s plan (lowest out-of-sample harm): "
            f"{gain.mean:+,.1f} against the first plan (95% {gain.ci95_low:+,.1f} … "
            f"{gain.ci95_high:+,.1f}, {sig})"
        )
    kept = result.iterations[result.kept - 1]
    d = result.evaluation.difference(kept.candidate, HARM_METRIC)
    base = mean_interval(result.evaluation.totals[0].values(HARM_METRIC)).mean
    sig = "significant" if d.significant else "not significant"
    lines.append(
        f"vs the policy default on the same {result.eval_replications} days: harm "
        f"{base:,.1f} → {kept.eval['mean']:,.1f}, difference {d.mean:+,.1f} "
        f"(95% {d.ci95_low:+,.1f} … {d.ci95_high:+,.1f}, {sig})"
    )
    if result.default_violations:
        lines.append("  the policy default breaks: " + "; ".join(result.default_violations))
    return lines


def plan_loop(
    scenario: Scenario | str | Path,
    iterations: int = 3,
    replications: int = 10,
    eval_replications: int | None = None,
    budgets: Mapping[str, int | float | None] | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    time_limit_s: float = 60.0,
    overrides: Sequence[str] = (),
    harm: HarmWeights | None = None,
) -> LoopResult:
    """The sim–opt loop: the Python API behind `planner plan`."""
    from planner.scenario.load import load_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, list(overrides))
    settings = LoopSettings(
        iterations=iterations,
        train_replications=replications,
        eval_replications=eval_replications,
        budgets={k: None if v is None else int(v) for k, v in (budgets or {}).items()},
        time_limit_s=time_limit_s,
        harm=harm or HarmWeights(),
    )
    with make_executor(executor, workers, scheduler) as runner:
        return run_loop(sc, settings, seed, runner)
