"""The optimiser's residual-harm table learnt from simulated days (``planner calibrate``).

The optimiser scores a plan by ``Σ_i w_i × r(class_i, pattern_i)`` (less what reserve teams
remove), with ``r`` the scenario's residual-harm table: the share of a TPS's harm each
pattern leaves. That table was an estimate; here it is measured. One *column plan* per
pattern gives that pattern to every TPS whose class allows it and the class's standard
pattern to the rest, with the policy-minimum reserves; every column plan is simulated on the
same days (common random numbers), and for each allowed (class, pattern) cell the harm the
simulation left at the TPS holding it is measured, per replication, in the objective's
units:

    x_r(c, p) = Σ_{i in cell} stakes_i × e_{r,i} / (1 − ρ_i)  /  Σ_{i in cell} w_i

(``e`` the harm index of planner/sim/harm.py, ``stakes`` the voters at stake, ``w`` the
objective's weight, ``ρ`` the share the kecamatan's reserve teams remove in the objective —
so the objective's reserve term is not counted twice). A cell's estimate is the mean of
``x_r`` with its 95% interval over replications (the gamma interval of a non-negative amount,
``planner.experiment.intervals``, docs/experiments.md §10). The optimiser stores shares in (0, 1] as
thousandths, so the table is the estimates divided by the largest, ``κ``: one unit of the
objective is then ``κ`` weighted voters of ``sim_harm``, and ``κ × (objective of plan A −
objective of plan B)`` predicts the simulated difference `planner compare` measures.

What the estimate cannot see: a TPS's harm also depends on its neighbours' patterns
(displaced attempts, shared responders, patrol groups that mix patterns); each cell is
measured with the rest of the region at the default, which is what the optimiser's
additive objective assumes, not every combination. Cells are measured on
the TPS that hold them, so a class with few TPS (khusus) has wide intervals.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from planner.errors import UserError
from planner.experiment.executors import Executor
from planner.experiment.intervals import amount_interval
from planner.experiment.loop import MIN_SHARE
from planner.experiment.replicate import Replicator
from planner.experiment.tasks import Job
from planner.scenario.plan import Plan, default_plan
from planner.scenario.resolved import Scenario
from planner.sim.harm import HarmWeights, tps_stakes


@dataclass(frozen=True)
class Cell:
    """One (risk class, pattern) cell of the table as the simulation measured it."""

    risk_class: str
    pattern: str
    tps: int
    weight: float
    """Σ w_i over the cell's TPS (weighted voters)."""
    mean: float
    ci95_low: float
    ci95_high: float
    """Simulated harm per weighted voter (sim_harm units), mean and 95% interval."""
    share_before: float
    """The share the scenario's table held."""


@dataclass(frozen=True)
class TeamEffect:
    """The k-th reserve team of an agency in every kecamatan, as the simulation measured it."""

    agency: str
    team: int
    removed: float
    ci95_low: float
    ci95_high: float
    """Share of the region's harm without reserves this team removed (paired, 95%)."""
    before: float
    """The share the scenario held for this team."""


@dataclass
class Calibration:
    """Every measured cell and reserve team, the learnt table and its scale."""

    scenario: Scenario
    seed: int
    replications: int
    cells: list[Cell]
    teams: list[TeamEffect]

    def reductions(self) -> dict[str, list[float]]:
        """Each reserve's ``harm_reduction`` as learnt: the policy-minimum teams keep the
        scenario's shares (the table is measured with them), the measured ones follow,
        made non-increasing and non-negative as the schema requires (pool-adjacent
        violators, then clipped at the last kept share)."""
        out: dict[str, list[float]] = {}
        for r in self.scenario.spec.security.reserves:
            kept = list(r.harm_reduction[: r.min_per_district])
            measured = [t.removed for t in self.teams if t.agency == r.agency]
            learnt = [max(0.0, v) for v in _non_increasing(measured)]
            if kept:
                learnt = [min(v, kept[-1]) for v in learnt]
            shares = [round(v, 3) for v in kept + learnt]
            while sum(shares) >= 1:  # the schema's bound; never met by measured shares so far
                shares = [round(v * 0.99, 3) for v in shares]
            out[r.agency] = shares
        return out

    @property
    def kappa(self) -> float:
        """Weighted voters of sim_harm per unit of the learnt table (the largest cell)."""
        return max(c.mean for c in self.cells)

    def table(self) -> dict[str, dict[str, float]]:
        """``security.residual_harm`` as learnt: each cell over the largest, 4 digits."""
        kappa = self.kappa
        out: dict[str, dict[str, float]] = {}
        for c in self.cells:
            share = c.mean / kappa if kappa > 0 else 1.0
            out.setdefault(c.risk_class, {})[c.pattern] = round(min(1.0, max(MIN_SHARE, share)), 4)
        return out

    def summary(self) -> dict[str, Any]:
        """calibration.json."""
        table = self.table()
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "kappa_sim_harm_per_unit": self.kappa,
            "residual_harm": table,
            "reserve_harm_reduction": self.reductions(),
            "teams": [t.__dict__ for t in self.teams],
            "cells": [
                {
                    **c.__dict__,
                    "share": table[c.risk_class][c.pattern],
                    "share_ci95_low": c.ci95_low / self.kappa if self.kappa else math.nan,
                    "share_ci95_high": c.ci95_high / self.kappa if self.kappa else math.nan,
                }
                for c in self.cells
            ],
        }

    def to_csv(self) -> str:
        """calibration.csv: one row per cell."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["risk_class", "pattern", "tps", "weight", "sim_harm_per_weight",
                         "ci95_low", "ci95_high", "share", "share_ci95_low", "share_ci95_high",
                         "share_before"])
        table, kappa = self.table(), self.kappa
        for c in self.cells:
            writer.writerow([c.risk_class, c.pattern, c.tps, f"{c.weight:.6g}", f"{c.mean:.6g}",
                             f"{c.ci95_low:.6g}", f"{c.ci95_high:.6g}",
                             table[c.risk_class][c.pattern], f"{c.ci95_low / kappa:.4f}",
                             f"{c.ci95_high / kappa:.4f}", c.share_before])
        return out.getvalue()

    def to_yaml(self, command: str) -> str:
        """residual_harm.yaml: the learnt table to paste under ``security:`` of the
        scenario, with where it came from."""
        lines = [
            f"# security.residual_harm learnt by `{command}`",
            f"# ({self.scenario.name}; seed {self.seed}; {self.replications} simulated days per",
            "# pattern; docs/calibration.md). Shares of the largest cell: one unit of the",
            f"# optimiser's objective = {self.kappa:.6g} weighted voters of sim_harm.",
            f"residual_harm_scale: {self.kappa:.6g}",
            "residual_harm:",
        ]
        for cls, row in self.table().items():
            cells = ", ".join(f"{p}: {v}" for p, v in row.items())
            lines.append(f"  {cls}: {{{cells}}}")
        learnt = self.reductions()
        lines.append("# reserve teams: the 1st, 2nd, ... team's share of the kecamatan's harm")
        lines.append("reserves:")
        for r in self.scenario.spec.security.reserves:
            entry = r.model_dump(mode="json") | {"harm_reduction": learnt[r.agency]}
            body = yaml.safe_dump([entry], allow_unicode=True, default_flow_style=None, width=90)
            lines.extend(f"  {line}" for line in body.rstrip().splitlines())
        return "\n".join(lines) + "\n"


def column_plans(scenario: Scenario) -> list[Plan]:
    """The policy-default plan, then one plan per allowed non-standard (class, pattern):
    that pattern at every TPS of the class, the rest as the default (so each cell is
    measured around the default plan, as the optimiser's additive objective weighs it)."""
    sec = scenario.spec.security
    base = default_plan(scenario)
    present = {scenario.tps.class_names[c] for c in set(scenario.tps.risk_class.tolist())}
    plans = [Plan(base.patterns, base.reserves, "default")]
    for cls, pol in sec.policy.items():
        if cls not in present:
            continue
        for pattern in pol.allowed:
            if pattern == pol.standard:
                continue
            chosen = tuple(
                pattern if scenario.tps.class_names[c] == cls else p
                for c, p in zip(scenario.tps.risk_class, base.patterns, strict=True)
            )
            plans.append(Plan(chosen, base.reserves, f"{cls}:{pattern}"))
    return plans


def reserve_plans(scenario: Scenario) -> list[Plan]:
    """Per reserve agency, one plan per team above the policy minimum: the default patterns,
    that many teams in every kecamatan, the other agencies at their minimum."""
    base = default_plan(scenario)
    plans = []
    for r in scenario.spec.security.reserves:
        for teams in range(r.min_per_district + 1, r.max_per_district + 1):
            reserves = {
                key: (teams if key[1] == r.agency else n) for key, n in base.reserves.items()
            }
            plans.append(Plan(base.patterns, reserves, f"{r.agency}+{teams}"))
    return plans


def _non_increasing(values: list[float]) -> list[float]:
    """The closest non-increasing sequence in least squares (pool-adjacent violators)."""
    blocks: list[list[float]] = []
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    out: list[float] = []
    for total, count in blocks:
        out.extend([total / count] * int(count))
    return out


def calibrate(
    scenario: Scenario,
    replications: int,
    seed: int,
    executor: Executor,
    store: Any = None,
    progress: Any = None,
) -> Calibration:
    """Simulate every column plan on the same `replications` days and measure every cell."""
    from planner.experiment.loop import objective_weights, reserve_share

    if not scenario.spec.incidents.enabled:
        raise UserError(
            "incidents are switched off, so no plan leaves any harm to measure; enable them",
            where="incidents.enabled",
        )
    if replications < 2:
        raise UserError("an interval needs at least 2 replications", where="-r")
    plans = column_plans(scenario)
    extra = reserve_plans(scenario)
    job = Job.make(scenario, (*plans, *extra), seed, harm=HarmWeights())
    runner = Replicator(job, executor, store, progress, keep_tps=("harm_index",))
    runner.run(range(replications))
    tps = scenario.tps
    weights = objective_weights(scenario)
    stakes = tps_stakes(scenario)
    sec = scenario.spec.security
    cells = []
    for k, plan in enumerate(plans):
        rho = reserve_share(scenario, plan)[tps.district]
        per_rep = np.vstack(runner.totals[k].tps_reps["harm_index"])
        harm = np.nan_to_num(per_rep) * (stakes / (1.0 - rho))
        for c, cls in enumerate(tps.class_names):
            if plan.label != "default" and not plan.label.startswith(f"{cls}:"):
                continue
            mask = tps.risk_class == c
            if not mask.any():
                continue
            pattern = plan.patterns[int(np.flatnonzero(mask)[0])]
            w = float(weights[mask].sum())
            interval = amount_interval([float(v) for v in harm[:, mask].sum(axis=1) / w])
            cells.append(Cell(cls, pattern, int(mask.sum()), w, interval.mean,
                              interval.ci95_low, interval.ci95_high,
                              sec.harm_share(cls, pattern)))
    if not cells or max(c.mean for c in cells) <= 0:
        raise UserError(
            f"no simulated harm in {replications} days at any TPS; raise -r or check the "
            "incident rates",
            where="-r",
        )
    cells.sort(key=lambda c: (list(tps.class_names).index(c.risk_class),
                              [p.name for p in sec.patterns].index(c.pattern)))
    return Calibration(scenario, seed, replications, cells, team_effects(scenario, runner, extra))


def team_effects(scenario: Scenario, runner: Replicator, extra: list[Plan]) -> list[TeamEffect]:
    """Each reserve team above the minimum: the region's harm it removed, paired against the
    plan with one team fewer, as a share of the harm without reserves (the objective's
    base, ``H / (1 − ρ_min)``)."""
    from planner.experiment.compare import paired_difference
    from planner.experiment.loop import reserve_share

    first = len(runner.totals) - len(extra)
    harm = {p.label: runner.totals[first + k].values("sim_harm") for k, p in enumerate(extra)}
    harm["default"] = runner.totals[0].values("sim_harm")
    base = default_plan(scenario)
    weights = tps_stakes(scenario)
    rho = reserve_share(scenario, base)[scenario.tps.district]
    unreserved_share = float(np.dot(weights, 1.0 / (1.0 - rho)) / weights.sum())
    h0 = float(np.mean(harm["default"])) * unreserved_share
    out = []
    for r in scenario.spec.security.reserves:
        for teams in range(r.min_per_district + 1, r.max_per_district + 1):
            before = "default" if teams == r.min_per_district + 1 else f"{r.agency}+{teams - 1}"
            d = paired_difference(harm[f"{r.agency}+{teams}"], harm[before])
            scale = 1.0 / h0 if h0 > 0 else 0.0
            out.append(TeamEffect(r.agency, teams, d.mean * scale, d.ci95_low * scale,
                                  d.ci95_high * scale, r.harm_reduction[teams - 1]))
    return out


def format_calibration(result: Calibration) -> str:
    """The printed table of ``planner calibrate``."""
    from planner.terminal import format_table

    table, kappa = result.table(), result.kappa
    rows = [
        [c.risk_class, c.pattern, c.tps, f"{c.share_before:.3f}",
         f"{table[c.risk_class][c.pattern]:.4f}",
         f"{c.ci95_low / kappa:.4f} – {c.ci95_high / kappa:.4f}", f"{c.mean:.3g}"]
        for c in result.cells
    ]
    title = (f"{result.scenario.name}: residual-harm table learnt on {result.replications} "
             f"simulated days per pattern (seed {result.seed})")
    text = format_table(["class", "pattern", "TPS", "share before", "learnt", "95% interval",
                         "sim_harm per weighted voter"], rows, title=title)
    learnt = result.reductions()
    team_rows = [
        [t.agency, t.team, f"{t.before:.3f}", f"{learnt[t.agency][t.team - 1]:.3f}",
         f"{t.removed + 0.0:+.4f} ({t.ci95_low + 0.0:+.4f} … {t.ci95_high + 0.0:+.4f})"]
        for t in result.teams
    ]
    teams = format_table(["reserve", "team", "share before", "learnt", "measured (95%)"],
                         team_rows, title="reserve teams above the policy minimum, in every "
                         "kecamatan: share of the harm removed")
    return (f"{text}\n{teams}\none unit of the learnt table = {kappa:.4g} weighted voters of "
            "sim_harm; paste residual_harm.yaml under security: to use it")


def calibrate_in_folder(open_run: Any, executor: Executor, progress: Any = None) -> Calibration:
    """Run (or finish) a calibrate run in its folder: calibration.csv, calibration.json and
    residual_harm.yaml (the learnt table, ready to paste into the scenario)."""
    from planner.experiment.session import recorded

    req = open_run.request
    run = open_run.run
    store = open_run.store
    plans = len(column_plans(open_run.scenario)) + len(reserve_plans(open_run.scenario))
    command = " ".join(
        ["planner calibrate", req.scenario, "-r", str(req.replications), "--seed",
         str(open_run.seed), *(f"--set {o}" for o in req.overrides)]
    )
    with recorded(open_run, total=lambda: plans * req.replications) as finish:
        result = calibrate(open_run.scenario, req.replications, open_run.seed, executor,
                           store=store, progress=progress)
        run.write_text("calibration.csv", result.to_csv())
        run.write_json("calibration.json", result.summary())
        run.write_text("residual_harm.yaml", result.to_yaml(command))
        if store is not None:
            finish.update(tasks_loaded=store.count)
    return result
