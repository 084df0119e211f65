"""Executors give identical results; a province runs as region × replication tasks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from planner.errors import UserError
from planner.experiment.executors import DaskExecutor, LocalExecutor, make_executor
from planner.experiment.regions import (
    SCALAR_RULES,
    day_of,
    histogram_percentile,
    merge_results,
    region_seed,
    region_table,
    split_regions,
)
from planner.experiment.run import run_replications
from planner.experiment.tasks import Job, Task, run_task
from planner.scenario.load import load_scenario
from planner.scenario.plan import default_plan

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[DaskExecutor]:
    """A small in-process Dask cluster (threads; the worker code is the same)."""
    executor = DaskExecutor(workers=2, processes=False)
    yield executor
    executor.close()


def test_identical_for_one_and_two_local_workers_and_dask(
    loop_file: Path, dask_executor: DaskExecutor
) -> None:
    sc = load_scenario(loop_file)
    one = run_replications(sc, 4, seed=9, workers=1)
    two = run_replications(sc, 4, seed=9, workers=2)
    dask = run_replications(sc, 4, seed=9, executor=dask_executor)
    assert one.summary == two.summary == dask.summary
    assert one.per_tps == two.per_tps == dask.per_tps
    assert one.per_district == two.per_district == dask.per_district
    assert one.per_village_csv() == two.per_village_csv() == dask.per_village_csv()
    assert one.replication_metrics == dask.replication_metrics


def test_province_identical_across_executors_with_region_rows(
    province_file: Path, dask_executor: DaskExecutor
) -> None:
    sc = load_scenario(province_file)
    one = run_replications(sc, 3, seed=2, workers=1)
    two = run_replications(sc, 3, seed=2, workers=2)
    dask = run_replications(sc, 3, seed=2, executor=dask_executor)
    assert one.summary == two.summary == dask.summary
    assert one.per_village_csv() == two.per_village_csv() == dask.per_village_csv()
    assert one.per_region == dask.per_region
    regions = {row["region"] for row in one.per_region}
    assert regions == {"Kota Satu", "Kabupaten Dua"}
    assert "region,metric,mean" in one.per_region_csv()
    headers, rows = region_table(one.per_region)
    assert headers[0] == "region" and [r[0] for r in rows] == ["Kota Satu", "Kabupaten Dua"]


def test_province_is_the_union_of_its_regions(province_file: Path) -> None:
    """Counts add up, means weigh by what they average, percentiles come from the parts."""
    sc = load_scenario(province_file)
    parts = split_regions(sc, sc.seed)
    assert [p.name for p in parts] == ["Kota Satu", "Kabupaten Dua"]
    assert [len(p.scenario.tps) for p in parts] == [10, 5]
    assert parts[0].scenario.tps.district_names == ("Kota Satu / Alpha", "Kota Satu / Beta")
    assert np.array_equal(np.concatenate([p.tps for p in parts]), np.arange(15))
    assert parts[0].seed == region_seed(sc.seed, "Kota Satu") != parts[1].seed
    job = Job.make(sc, (None,), sc.seed)
    regions = [run_task(job, Task(0, 1, g)).result for g in (0, 1)]
    res = run_replications(sc, 2, seed=sc.seed)
    province = res.replication_metrics[1]
    a, b = (r.scalars for r in regions)
    for name in ("voters_voted", "incidents_total", "staff_health_events", "revote_risk_tps"):
        assert province[name] == a[name] + b[name], name
    voted = a["voters_voted"] + b["voters_voted"]
    want = (a["wait_mean_min"] * a["voters_voted"] + b["wait_mean_min"] * b["voters_voted"]) / voted
    assert province["wait_mean_min"] == pytest.approx(want, rel=1e-12)
    assert province["count_finish_max_clock_min"] == max(
        a["count_finish_max_clock_min"], b["count_finish_max_clock_min"]
    )
    finish = np.concatenate([r.per_tps["count_finish_clock_min"] for r in regions])
    assert province["count_finish_p95_clock_min"] == float(np.percentile(finish, 95))
    assert min(a["wait_p95_min"], b["wait_p95_min"]) - 0.1 <= province["wait_p95_min"]
    assert province["wait_p95_min"] <= max(a["wait_p95_min"], b["wait_p95_min"]) + 0.1
    # every metric the simulation reports has an explicit rule (none merged by fallback)
    merged = [k for k in province if k not in SCALAR_RULES]
    assert all(k.startswith(("incidents_", "utilisation_")) for k in merged), merged
    # --trace of a province TPS follows its region's day
    trace_sc, trace_seed, _ = day_of(sc, sc.seed, None, parts[1].scenario.tps.tps_id[0])
    assert trace_sc.tps.tps_id == parts[1].scenario.tps.tps_id and trace_seed == parts[1].seed
    # the region's own days do not depend on the other region or on the plan's other half
    alone = run_task(Job.make(sc, (default_plan(sc),), sc.seed), Task(0, 1, 1)).result
    assert alone.scalars == regions[1].scalars


PROVINCE_VILLAGES = """\
name: two regions, repeated names
seed: 7
regions:
  - name: Kota Satu
    districts:
      - {name: Alpha, villages: 2, tps: 6, voters: 3000, village_names: [Baru, Lama]}
      - {name: Beta, villages: 1, tps: 4, voters: 2000, village_names: [Baru]}
  - name: Kabupaten Dua
    districts:
      - {name: Alpha, villages: 2, tps: 5, voters: 2400, village_names: [Lama, Baru]}
incidents:
  types:
    - name: dispute
      rate_per_tps_day: 0.5
      onsite_resolve: [0.3, 0.1, 0.0]
"""
"""Kecamatan and village names repeated across regions and kecamatan."""


def test_province_villages_are_placed_by_kecamatan_and_name(tmp_path: Path) -> None:
    """Each region's village columns land on the province village of the same kecamatan and
    name, and the province table lists every (kecamatan, village) once."""
    path = tmp_path / "province.yaml"
    path.write_text(PROVINCE_VILLAGES, encoding="utf-8")
    sc = load_scenario(path)
    tps = sc.tps
    parts = split_regions(sc, sc.seed)
    assert sorted(np.concatenate([p.villages for p in parts]).tolist()) == list(range(5))
    job = Job.make(sc, (None,), sc.seed)
    regions = [run_task(job, Task(0, 1, g)).result for g in (0, 1)]
    merged = merge_results(sc, parts, regions)
    for part, result in zip(parts, regions, strict=True):
        sub = part.scenario.tps
        assert [tps.village_names[v] for v in part.villages] == list(sub.village_names)
        assert [tps.district_names[tps.village_district[v]] for v in part.villages] == [
            sub.district_names[d] for d in sub.village_district
        ]
        assert set(result.per_village) == set(merged.per_village)
        for name, col in result.per_village.items():
            np.testing.assert_array_equal(merged.per_village[name][part.villages], col, name)
    res = run_replications(sc, 2, seed=sc.seed)
    assert list(zip(res.per_village["district"], res.per_village["village"], strict=True)) == [
        ("Kota Satu / Alpha", "Baru"), ("Kota Satu / Alpha", "Lama"), ("Kota Satu / Beta", "Baru"),
        ("Kabupaten Dua / Alpha", "Lama"), ("Kabupaten Dua / Alpha", "Baru"),
    ]  # fmt: skip
    assert res.per_village["tps"] == [float(n) for n in np.bincount(tps.village)]


def test_histogram_percentile_matches_numpy_to_the_bin() -> None:
    rng = np.random.default_rng(3)
    values = rng.exponential(12.0, 5000)
    counts = np.bincount((values / 0.1).astype(np.int64))
    got = histogram_percentile(counts, 95.0, 0.1)
    assert abs(got - float(np.percentile(values, 95))) <= 0.1
    assert histogram_percentile(np.zeros(5, dtype=np.int64), 95.0, 0.1) == 0.0


def test_local_executor_yields_every_task_once(loop_file: Path) -> None:
    sc = load_scenario(loop_file)
    job = Job.make(sc, (None,), 1)
    tasks = job.tasks([0, 1, 2])
    seen = sorted((r.task for r in LocalExecutor(2).run(job, tasks)), key=lambda t: t.replication)
    assert seen == tasks


def test_executor_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserError, match="unknown executor"):
        make_executor("ray", 2)
    with pytest.raises(UserError, match="--scheduler is for --executor dask"):
        make_executor("local", 2, "tcp://127.0.0.1:8786")
    with pytest.raises(UserError, match="workers must be at least 1"):
        make_executor("local", 0)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were missing
    with pytest.raises(UserError, match=r"pip install 'planner\[distributed\]'"):
        make_executor("dask", 2)


@pytest.mark.slow
def test_cli_dask_local_cluster_of_processes_matches_the_local_pool(
    loop_file: Path, tmp_path: Path
) -> None:
    """Real worker processes (spawned, the job pickled to them) through the command line."""
    import json

    from click.testing import CliRunner

    from planner.cli import main

    summaries = []
    for name, extra in (("local", []), ("dask", ["--executor", "dask"])):
        out = tmp_path / name
        args = ["simulate", str(loop_file), "-r", "4", "--workers", "2", "--no-report"]
        result = CliRunner().invoke(main, [*args, *extra, "--out", str(out)])
        assert result.exit_code == 0, result.output
        summaries.append(json.loads((out / "summary.json").read_text()))
    assert summaries[0] == summaries[1]
