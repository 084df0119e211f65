"""Replications: identical results for any number of workers, the summary contract, the API."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

import planner
from planner.errors import UserError
from planner.experiment.columns import ColumnMeans
from planner.experiment.run import run_replications
from planner.scenario.load import load_scenario
from planner.sim.day import simulate_day
from planner.sim.metrics import METRIC_NAMES, replication_result

SCENARIO = """\
name: experiment test
seed: 5
region:
  name: Kota Uji
  districts:
    - {name: Alpha, villages: 2, tps: 5, voters: 2600}
    - {name: Beta, villages: 1, tps: 3, voters: 1500}
incidents: {enabled: false}
logistics: {enabled: false}
"""

DESIGN_METRICS = (
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


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_one_and_two_workers_give_identical_results(scenario_file: Path) -> None:
    """Same seed → the same summary, per-TPS and per-district tables with 1 or 2 workers."""
    sc = load_scenario(scenario_file)
    one = run_replications(sc, 5, seed=3, workers=1)
    two = run_replications(sc, 5, seed=3, workers=2)
    assert one.summary == two.summary
    assert one.per_tps_csv() == two.per_tps_csv()
    assert one.per_district_csv() == two.per_district_csv()
    assert one.per_village_csv() == two.per_village_csv()
    other = run_replications(sc, 5, seed=4, workers=2)
    assert other.summary["metrics"]["wait_mean_min"] != one.summary["metrics"]["wait_mean_min"]


def test_summary_contract(scenario_file: Path) -> None:
    """summary.json holds every DESIGN §5 metric as mean, ci95_low, ci95_high, n."""
    sc = load_scenario(scenario_file)
    res = run_replications(sc, 4, seed=1)
    s = res.summary
    assert (s["scenario"], s["replications"], s["seed"]) == ("experiment test", 4, 1)
    for name in DESIGN_METRICS:
        m = s["metrics"][name]
        assert set(m) >= {"mean", "ci95_low", "ci95_high", "n"}
        assert m["n"] == 4
        assert m["ci95_low"] <= m["mean"] <= m["ci95_high"]
    assert list(s["metrics"])[: len(METRIC_NAMES)] == list(METRIC_NAMES)
    for name in ("incidents_total", "response_mean_min", "logistics_late_tps", "revote_risk_tps"):
        assert s["metrics"][name]["enabled"] is False
        assert s["metrics"][name]["mean"] == 0.0
    assert s["metrics"]["wait_mean_min"]["enabled"] is True
    reps = [r["wait_mean_min"] for r in res.replication_metrics]
    assert s["metrics"]["wait_mean_min"]["mean"] == pytest.approx(np.mean(reps))
    assert len(res.per_tps["tps_id"]) == 8
    assert res.per_district["district"] == ["Alpha", "Beta"]


def test_per_tps_means_are_the_means_of_replications(scenario_file: Path) -> None:
    """per_tps.csv values are means over replications of each replication's TPS values."""
    sc = load_scenario(scenario_file)
    res = run_replications(sc, 3, seed=2)
    direct = [replication_result(simulate_day(sc, 2, r)).per_tps for r in range(3)]
    want = np.mean([d["count_finish_clock_min"] for d in direct], axis=0)
    np.testing.assert_allclose(res.per_tps["count_finish_clock_min"], want)


VILLAGES = """\
name: village test
seed: 5
region:
  name: Kota Uji
  districts:
    - {name: Beta, villages: 2, tps: 4, voters: 2000, village_names: [Baru, Lama]}
    - {name: Alpha, villages: 3, tps: 6, voters: 3000, village_names: [Lama, Baru, Tengah]}
incidents:
  types:
    - name: dispute
      rate_per_tps_day: 0.8
      onsite_resolve: [0.3, 0.1, 0.0]
"""
"""Village names repeated across kecamatan: a village is a kecamatan and village pair."""


def test_per_village_table(tmp_path: Path) -> None:
    """per_village.csv: district, village, then per_district's metric columns; villages
    grouped by kecamatan in per_district's order; means over replications of each
    replication's village values; the kecamatan totals are the villages' totals."""
    path = tmp_path / "villages.yaml"
    path.write_text(VILLAGES, encoding="utf-8")
    sc = load_scenario(path)
    res = run_replications(sc, 3, seed=2)
    village, district = res.per_village, res.per_district
    assert list(village)[:2] == ["district", "village"]
    assert list(village)[2:] == list(district)[1:]
    assert list(zip(village["district"], village["village"], strict=True)) == [
        ("Beta", "Baru"), ("Beta", "Lama"), ("Alpha", "Lama"), ("Alpha", "Baru"),
        ("Alpha", "Tengah"),
    ]  # fmt: skip
    assert district["district"] == ["Beta", "Alpha"]
    assert sum(village["tps"]) == 10 and village["tps"][:2] == [2.0, 2.0]
    direct = [replication_result(simulate_day(sc, 2, r)).per_village for r in range(3)]
    for name in ("voters_voted", "wait_mean_min", "count_finish_max_clock_min", "incidents"):
        # TPS table order is this grouping's order here (Beta's TPS come first)
        want = np.mean([d[name] for d in direct], axis=0)
        np.testing.assert_allclose(village[name], want, rtol=1e-15, err_msg=name)
    mine = np.array([0, 0, 1, 1, 1])
    for name in ("tps", "voters_listed", "voters_voted", "voters_gave_up", "incidents",
                 "revote_risk", "staff_health_events"):  # fmt: skip
        totals = np.bincount(mine, weights=village[name], minlength=2)
        np.testing.assert_allclose(totals, district[name], rtol=1e-12, err_msg=name)
    text = res.per_village_csv().splitlines()
    assert text[0].startswith("district,village,tps,voters_listed,")
    assert text[1].startswith("Beta,Baru,2,") and len(text) == 6
    frame = res.to_pandas("per_village")
    assert list(frame["village"]) == village["village"]


def test_replication_results_are_small(tmp_path: Path) -> None:
    """A worker returns a few hundred bytes per TPS, however many voters there are."""

    def size(tps: int, voters: int) -> int:
        path = tmp_path / f"s{tps}-{voters}.yaml"
        path.write_text(
            SCENARIO.replace("tps: 5, voters: 2600", f"tps: {tps}, voters: {tps * voters}"),
            encoding="utf-8",
        )
        sc = load_scenario(path)
        return len(pickle.dumps(replication_result(simulate_day(sc, 1, 0))))

    small, large = size(5, 200), size(45, 200)
    assert (large - small) / 40 < 400  # bytes per extra TPS
    assert abs(size(5, 580) - small) < 0.05 * small  # voters do not count
    assert large < 40_000


def test_column_means_skip_missing_values() -> None:
    """A TPS with no value in some replications is averaged over the others."""
    acc = ColumnMeans()
    acc.add({"x": np.array([1.0, np.nan])})
    acc.add({"x": np.array([3.0, 4.0])})
    np.testing.assert_array_equal(acc.means()["x"], [2.0, 4.0])


def test_bad_arguments_are_user_errors(scenario_file: Path) -> None:
    """Zero replications or workers is a user mistake with a clear message."""
    sc = load_scenario(scenario_file)
    with pytest.raises(UserError, match="replications must be at least 1"):
        run_replications(sc, 0)
    with pytest.raises(UserError, match="workers must be at least 1"):
        run_replications(sc, 1, workers=0)


def test_python_api(scenario_file: Path) -> None:
    """planner.simulate(path, replications=, seed=, workers=) with overrides and to_pandas."""
    res = planner.simulate(
        scenario_file, replications=2, seed=9, workers=1, overrides=["voters.turnout=0.5"]
    )
    assert res.replications == 2 and res.seed == 9
    assert res.metric("turnout")["mean"] == pytest.approx(0.5, abs=0.03)
    frame = res.to_pandas()
    assert list(frame["tps_id"]) == res.per_tps["tps_id"]
    assert "wait_mean_min" in res.to_pandas("summary").index
    with pytest.raises(UserError, match="overrides apply to a scenario file"):
        planner.simulate(load_scenario(scenario_file), replications=1, overrides=["seed=1"])


def test_summary_skips_undefined_values() -> None:
    """A metric undefined in some replication is averaged over the others; no NaN in JSON."""
    from planner.experiment.run import summarise

    s = summarise("x", 1, [{"a": 1.0}, {"a": float("nan")}, {"a": 3.0}], {"a": True})
    assert s["metrics"]["a"]["mean"] == 2.0 and s["metrics"]["a"]["n"] == 2
