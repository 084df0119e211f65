"""What `planner optimise` and `planner frontier` write and print.

- ``plan.csv``: `planner.scenario.plan.plan_to_csv` (one row per TPS, DESIGN §5);
- ``plan.json``: `planner.opt.api.solve_report`;
- ``districts.csv``: one row per kecamatan: TPS, persons and reserve teams per agency, cost,
  and the residual harm of the plan against the policy default;
- the printed table: cost and personnel per agency against budget and availability, TPS
  per pattern per class, objective, bound and gap, and the plan against the policy default.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from planner.files import RunFolder
from planner.opt.api import OptimiseResult
from planner.scenario.plan import plan_to_csv
from planner.terminal import format_table


def write_optimise_files(run: RunFolder, result: OptimiseResult) -> None:
    """plan.json always; plan.csv and districts.csv when there is a plan; solver.log."""
    if result.plan is not None:
        run.write_text("plan.csv", plan_to_csv(result.scenario, result.plan))
        run.write_text("districts.csv", districts_csv(result))
    run.write_json("plan.json", result.report)
    run.write_text("solver.log", "\n".join(result.log) + "\n")


def districts_csv(result: OptimiseResult) -> str:
    """Per-kecamatan summary of the plan and of the policy default."""
    inst = result.instance
    ev = result.evaluation
    base = result.baseline
    agencies = inst.agency_names
    reserve_agency = [inst.agency_names[r.agency] for r in inst.reserves]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "district",
            "tps",
            *[f"personnel_{a}" for a in agencies],
            *[f"reserve_teams_{a}" for a in reserve_agency],
            "cost_idr",
            "harm_plan",
            "harm_default",
            "harm_change",
        ]
    )
    tps_count = np.bincount(inst.tps_district, minlength=len(inst.district_names))
    for d, name in enumerate(inst.district_names):
        if ev is None or result.plan is None:
            break
        persons = ev.personnel_district[:, d]
        reserves = [result.plan.reserves.get((name, a), 0) for a in reserve_agency]
        plan_harm = inst.objective_to_float(int(ev.objective_district[d]))
        default_harm = inst.objective_to_float(int(base.objective_district[d]))
        writer.writerow(
            [
                name,
                int(tps_count[d]),
                *[int(v) for v in persons],
                *reserves,
                int(persons @ inst.agency_cost_idr),
                f"{plan_harm:.2f}",
                f"{default_harm:.2f}",
                f"{plan_harm / default_harm - 1:.4f}" if default_harm else "",
            ]
        )
    return out.getvalue()


def format_result(result: OptimiseResult) -> str:
    """The compact table printed after `planner optimise`."""
    report = result.report
    inst = result.instance
    lines = [_headline(report)]
    base = report["policy_default"]
    rows: list[list[Any]] = []
    for a in inst.agency_names:
        rows.append(
            [
                a,
                None if report["personnel"] is None else report["personnel"][a],
                report["available"][a],
                None if report["cost_idr"] is None else report["cost_idr"][a],
                report["budget_idr"][a],
                base["personnel"][a],
                base["cost_idr"][a],
            ]
        )
    if report["cost_idr"] is not None:
        rows.append(
            [
                "total",
                None,
                None,
                report["cost_idr"]["total"],
                report["total_budget_idr"],
                None,
                base["cost_idr"]["total"],
            ]
        )
    lines.append(
        format_table(
            [
                "agency",
                "persons",
                "available",
                "cost Rp",
                "budget Rp",
                "default persons",
                "default cost Rp",
            ],
            rows,
        )
    )
    table = report.get("tps_by_class_and_pattern")
    if table:
        patterns = [p for p in inst.pattern_names if any(p in row for row in table.values())]
        pattern_rows = [[c, *[row.get(p, 0) for p in patterns]] for c, row in table.items()]
        lines.append("")
        lines.append(format_table(["TPS per pattern", *patterns], pattern_rows))
    lines.append("")
    lines.append(_versus_default(report))
    if base["violations"]:
        lines.append("  the policy default breaks: " + "; ".join(base["violations"]))
    if "explanation" in report:
        lines.append(report["explanation"]["message"])
    return "\n".join(lines)


def _headline(report: dict[str, Any]) -> str:
    status = report["status"]
    if report["objective"] is None:
        return f"{report['scenario']}: {status} after {report['solve_seconds']:.1f} s"
    bound = "-" if report["bound"] is None else f"{report['bound']:,.1f}"
    gap = "-" if report["gap"] is None else f"{report['gap']:.3%}"
    return (
        f"{report['scenario']}: {status}, residual harm {report['objective']:,.1f} weighted "
        f"voters (bound {bound}, gap {gap}), {report['solve_seconds']:.1f} s"
    )


def _versus_default(report: dict[str, Any]) -> str:
    base = report["policy_default"]
    if report["objective"] is None:
        return f"policy default: residual harm {base['objective']:,.1f}"
    change = report["objective"] / base["objective"] - 1 if base["objective"] else 0.0
    cost = report["cost_idr"]["total"] if report["cost_idr"] else 0
    cost_change = cost / base["cost_idr"]["total"] - 1 if base["cost_idr"]["total"] else 0.0
    return (
        f"plan vs policy default: residual harm {report['objective']:,.1f} vs "
        f"{base['objective']:,.1f} ({change:+.1%}); cost Rp {cost:,} vs "
        f"Rp {base['cost_idr']['total']:,} ({cost_change:+.1%})"
    )
