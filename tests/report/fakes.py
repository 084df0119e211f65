"""Run folders with made-up but well-formed results, for report tests.

They follow the file contracts (DESIGN §5) so the report code is tested on its own, without
running a simulation or a solver.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from planner.files import RunFolder
from planner.report.story import (
    DayStory,
    IncidentStory,
    TpsDay,
    WorkerStory,
    save_story,
)
from planner.scenario.costing import cost_by_agency, personnel_by_agency
from planner.scenario.load import load_scenario
from planner.scenario.plan import Plan, default_plan, plan_to_csv
from planner.scenario.resolved import Scenario

METRICS = (
    "voters_arrived",
    "voters_voted",
    "voters_gave_up",
    "wait_mean_min",
    "wait_p95_min",
    "share_wait_over_30min",
    "tps_opened_late",
    "open_delay_mean_min",
    "incidents_total",
    "incidents_unresolved",
    "response_mean_min",
    "response_p90_min",
    "fatigue_peak",
    "staff_health_events",
    "count_finish_mean_clock_min",
    "count_finish_p95_clock_min",
    "logistics_late_tps",
    "ballot_short_tps",
    "revote_risk_tps",
)


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def simulate_run(root: Path, n_tps: int = 40, replications: int = 8) -> Path:
    """A simulate run folder: manifest, summary.json, per_tps.csv, per_district.csv."""
    rng = np.random.default_rng(3)
    run = RunFolder(root / "sim-run", "simulate")
    run.start(
        "Fake city", "0" * 64, 11, {"name": "Fake city"}, extra={"replications": replications}
    )
    metrics = {}
    for k, name in enumerate(METRICS):
        mean = 1440.0 + k if "clock" in name else float(k + 1) / (3 if "share" in name else 1)
        if name == "share_wait_over_30min":
            mean = 0.12
        metrics[name] = {
            "mean": mean,
            "ci95_low": mean * 0.9,
            "ci95_high": mean * 1.1,
            "n": replications,
        }
    metrics["incidents_dispute"] = {
        "mean": 2.5,
        "ci95_low": 2.0,
        "ci95_high": 3.0,
        "n": replications,
    }
    metrics["incidents_flood"] = {"mean": 0.2, "ci95_low": 0.0, "ci95_high": 0.5, "n": replications}
    run.write_json(
        "summary.json",
        {"scenario": "Fake city", "replications": replications, "seed": 11, "metrics": metrics},
    )
    districts = ["Utara", "Selatan", "Timur"]
    rows = []
    for i in range(n_tps):
        wait = float(rng.gamma(2, 6))
        rows.append(
            [
                f"TPS-{i + 1:04d}",
                districts[i % 3],
                ["kurang_rawan", "rawan", "sangat_rawan"][i % 3],
                int(rng.integers(300, 600)),
                round(wait, 2),
                round(min(1.0, wait / 80), 3),
                round(float(rng.poisson(2)), 2),
                round(float(rng.exponential(5)) if i % 7 == 0 else 0.0, 1),
                round(1300 + float(rng.gamma(3, 40)), 1),
                round(float(rng.poisson(1)), 2),
                round(float(rng.random() * 0.1), 3),
                round(float(rng.random() * 0.01), 4),
            ]
        )
    header = [
        "tps_id",
        "district",
        "risk_class",
        "voters_voted",
        "wait_mean_min",
        "share_wait_over_30min",
        "voters_gave_up",
        "open_delay_min",
        "count_finish_clock_min",
        "incidents",
        "health_events",
        "revote_risk",
    ]
    run.write_text("per_tps.csv", _csv(header, rows))
    run.write_text(
        "per_district.csv",
        _csv(
            [
                "district",
                "tps",
                "wait_mean_min",
                "share_wait_over_30min",
                "count_finish_p95_clock_min",
            ],
            [
                [d, n_tps // 3, 10.0 + k, 0.05 * (k + 1), 1450 + 10 * k]
                for k, d in enumerate(districts)
            ],
        ),
    )
    run.finish()
    return run.path


def small_scenario(root: Path) -> Scenario:
    """The ten-TPS test scenario (conftest.SMALL_YAML), loaded."""
    from .conftest import SMALL_YAML

    path = root / "small.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    return load_scenario(path)


def optimise_run(root: Path) -> Path:
    """An optimise run folder: plan.csv (policy default with two TPS upgraded) and plan.json."""
    sc = small_scenario(root)
    run = RunFolder(root / "opt-run", "optimise")
    run.start(sc.name, sc.digest(), sc.seed, sc.spec_data(), tps_csv=sc.tps.to_csv())
    base = default_plan(sc)
    allowed = sorted({p.name for p in sc.spec.security.patterns})
    patterns = list(base.patterns)
    patterns[0] = allowed[0]
    plan = Plan(patterns=tuple(patterns), reserves=base.reserves)
    run.write_text("plan.csv", plan_to_csv(sc, plan))
    people = personnel_by_agency(sc, plan)
    cost = cost_by_agency(sc, people)
    base_people = personnel_by_agency(sc, base)
    base_cost = cost_by_agency(sc, base_people)
    run.write_json(
        "plan.json",
        {
            "status": "OPTIMAL",
            "objective": 12.5,
            "bound": 12.5,
            "gap": 0.0,
            "cost_idr": {**cost, "total": sum(cost.values())},
            "budget_idr": {a: 2 * c + 1 for a, c in cost.items()},
            "personnel": people,
            "solve_seconds": 0.4,
            "policy_default": {
                "objective": 20.0,
                "cost_idr": {**base_cost, "total": sum(base_cost.values())},
                "personnel": base_people,
            },
        },
    )
    run.finish()
    return run.path


def frontier_run(root: Path) -> Path:
    """A frontier run folder: frontier.csv with five budget steps and a simulated check."""
    sc = small_scenario(root)
    run = RunFolder(root / "frontier-run", "frontier")
    run.start(sc.name, sc.digest(), sc.seed, sc.spec_data(), tps_csv=sc.tps.to_csv())
    rows = [
        [b * 1_000_000_000, h, "OPTIMAL", h * 0.95, h * 1.05]
        for b, h in ((1, 40.0), (2, 25.0), (3, 18.0), (4, 15.5), (5, 15.0))
    ]
    run.write_text(
        "frontier.csv",
        _csv(["budget_idr", "objective", "status", "sim_ci95_low", "sim_ci95_high"], rows),
    )
    run.finish()
    return run.path


def compare_run(root: Path) -> Path:
    """A compare run folder: differences.csv for two plans."""
    run = RunFolder(root / "compare-run", "compare")
    run.start("Fake city", "0" * 64, 11, {"name": "Fake city"})
    rows = [
        ["default", "optimised", "wait_mean_min", 1.2, -0.5, 2.9],
        ["default", "optimised", "response_mean_min", -6.0, -8.0, -4.0],
        ["default", "optimised", "incidents_unresolved", -0.8, -1.1, -0.5],
    ]
    run.write_text(
        "differences.csv",
        _csv(["plan_a", "plan_b", "metric", "diff_mean", "diff_ci95_low", "diff_ci95_high"], rows),
    )
    run.finish()
    return run.path


def plan_loop_run(root: Path) -> Path:
    """A plan (sim–opt loop) run folder: iterations.csv and differences.csv."""
    run = RunFolder(root / "plan-run", "plan")
    run.start("Fake city", "0" * 64, 11, {"name": "Fake city"})
    rows = [
        [1, 30.0, 33.0, 31.0, 35.0, 0],
        [2, 28.0, 29.5, 28.0, 31.0, 1],
        [3, 27.5, 30.1, 28.5, 31.7, 0],
    ]
    run.write_text(
        "iterations.csv",
        _csv(["iteration", "objective", "sim_mean", "sim_ci95_low", "sim_ci95_high", "kept"], rows),
    )
    run.write_text(
        "differences.csv",
        _csv(
            ["plan_a", "plan_b", "metric", "diff_mean", "diff_ci95_low", "diff_ci95_high"],
            [["default", "loop", "response_mean_min", -3.0, -4.0, -2.0]],
        ),
    )
    run.finish()
    return run.path


def demo_story(with_injects: bool = True) -> DayStory:
    """A small hand-made day: two kecamatan, three TPS, two incidents (one scripted)."""

    def tps(tps_id: str, district: str, open_min: float, count_end: float, kit: float) -> TpsDay:
        bins = [0] * 12 + [8] * 48 + [4] * 12  # 07:00 + 5-min bins: 0 first hour, then voters
        return TpsDay(
            tps_id=tps_id,
            district=district,
            village=f"{district} 01",
            voters_dpt=500,
            kit_arrive_min=kit,
            open_min=open_min,
            voters_arrived=sum(bins) + 5,
            voters_voted=sum(bins),
            voters_gave_up=5,
            wait_mean_min=12.0,
            wait_max_min=41.0,
            last_voter_min=790.0,
            count_end_min=count_end,
            results_ppk_min=count_end + 120,
            voted_bins_start_min=420.0,
            voted_bins=bins,
            kit_ballots=513,
            queue_times=[420.0, 480.0, 540.0, 600.0, 790.0],
            queue_lengths=[3, 12, 25, 6, 0],
        )

    story = DayStory(
        scenario="Fake city",
        seed=5,
        replication=0,
        subject_kind="district",
        subject="Barat",
        tps=[
            tps("TPS-0001", "Barat", 420.0, 1300.0, 330.0),
            tps("TPS-0002", "Barat", 455.0 if with_injects else 420.0, 1460.0, 400.0),
            tps("TPS-0003", "Kota", 420.0, 1350.0, 340.0),
        ],
        incidents=[
            IncidentStory(
                tps_id="TPS-0001",
                district="Barat",
                type="dispute",
                severity="major",
                time_min=615.0,
                onsite=False,
                unit="Polsek Barat reserve 1",
                agency="police",
                dispatch_min=616.0,
                arrival_min=640.0,
                resolved_min=665.0,
                escalated=False,
                unresolved=False,
                effect_min=30.0,
                scripted=with_injects,
            ),
            IncidentStory(
                tps_id="TPS-0003",
                district="Kota",
                type="vote_buying",
                severity="minor",
                time_min=500.0,
                onsite=True,
                unit="",
                agency="",
                dispatch_min=float("nan"),
                arrival_min=float("nan"),
                resolved_min=520.0,
                escalated=False,
                unresolved=False,
                effect_min=float("nan"),
            ),
        ],
        workers=[
            WorkerStory(
                tps_id="TPS-0001",
                worker=f"KPPS {k}",
                times_min=[360.0, 780.0, 1100.0, 1300.0],
                fatigue=[0.0, 1.0 + 0.1 * k, 2.2 + 0.1 * k, 3.0 + 0.1 * k],
                health_event_min=1150.0 if k == 7 else float("nan"),
                health_event="faints" if k == 7 else "",
            )
            for k in range(1, 8)
        ],
        district_results_min={"Barat": 1700.0, "Kota": 1600.0},
        injects=["protest@TPS-0001@10:15", "late-kit@TPS-0002@+40min"] if with_injects else [],
        inject_descriptions=["protest at TPS-0001 10:15–10:45", "late-kit at TPS-0002: +40 min"]
        if with_injects
        else [],
    )
    return story


def demo_run(root: Path) -> Path:
    """A demo run folder: story.json, story_without_injects.json, sitrep every 60 min."""
    run = RunFolder(root / "demo-run", "demo")
    run.start("Fake city", "0" * 64, 5, {"name": "Fake city"}, extra={"sitrep_min": 60})
    save_story(demo_story(True), run.path / "story.json")
    save_story(demo_story(False), run.path / "story_without_injects.json")
    run.finish()
    return run.path


def simulate_run_real(root: Path) -> Path:
    """A simulate run folder of the bundled 20-TPS training scenario (summary values made
    up), so the report's one-day re-run has a real scenario to simulate."""
    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "training-small.yaml")
    run = RunFolder(root / "sim-real", "simulate")
    run.start(sc.name, sc.digest(), sc.seed, sc.spec_data(), tps_csv=sc.tps.to_csv())
    rng = np.random.default_rng(1)
    rows = []
    for i, tps_id in enumerate(sc.tps.tps_id):
        rows.append(
            [tps_id, sc.tps.district_names[sc.tps.district[i]], float(rng.gamma(2, 8)), 0.1, 2.0]
        )
    run.write_text(
        "per_tps.csv",
        _csv(
            ["tps_id", "district", "wait_mean_min", "share_wait_over_30min", "voters_gave_up"],
            rows,
        ),
    )
    metrics = {m: {"mean": 1.0, "ci95_low": 0.9, "ci95_high": 1.1, "n": 4} for m in METRICS}
    run.write_json(
        "summary.json",
        {"scenario": sc.name, "replications": 4, "seed": sc.seed, "metrics": metrics},
    )
    run.finish()
    return run.path
