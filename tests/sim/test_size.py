"""Size guards: the memory, incident and TPS-day estimates and the refusals they drive."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import UserError
from planner.scenario.load import load_scenario
from planner.sim.day import simulate_day
from planner.sim.grid import day_grid
from planner.sim.size import (
    BASE_BYTES,
    BYTES_PER_GRID_WORKER,
    BYTES_PER_VOTER_STAGE,
    check_size,
    estimate,
)

REPO = Path(__file__).resolve().parents[2]
TRAINING = REPO / "scenarios" / "training-small.yaml"


def test_estimate_is_the_documented_formula() -> None:
    """Memory = base + TPS × voter places × stages × 80 B + TPS × cells × workers × 64 B."""
    sc = load_scenario(TRAINING)
    size = estimate(sc)
    n = len(sc.tps)
    places = int(sc.tps.voters.max()) + int(3 * sc.spec.voters.dpk_per_tps_mean + 10)
    workers = sc.spec.staff.kpps_per_tps + sc.spec.staff.policies.reserve_workers
    cells = day_grid(sc).cells
    assert (size.tps, size.voter_places, size.grid_cells, size.workers_per_tps) == (
        n,
        places,
        cells,
        workers,
    )
    assert size.bytes_per_replication == (
        BASE_BYTES
        + n * places * len(sc.spec.voters.stages) * BYTES_PER_VOTER_STAGE
        + n * cells * workers * BYTES_PER_GRID_WORKER
    )


def test_finer_grid_and_more_workers_cost_what_the_formula_says() -> None:
    """A grid ten times finer multiplies the grid term by about ten; doubling the workers
    (a split counting shift) doubles it."""
    base = estimate(load_scenario(TRAINING))
    fine = estimate(load_scenario(TRAINING, ["staff.fatigue.grid_step_min=1"]))
    split = estimate(load_scenario(TRAINING, ["staff.policies.split_counting_shift=true"]))
    grid_term = base.bytes_per_replication - BASE_BYTES - (
        base.tps * base.voter_places * base.stages * BYTES_PER_VOTER_STAGE
    )
    assert fine.grid_cells == pytest.approx(10 * base.grid_cells, abs=10)
    assert split.workers_per_tps == 2 * base.workers_per_tps
    assert split.bytes_per_replication - base.bytes_per_replication == grid_term


def test_expected_incidents_follow_rates_and_areas() -> None:
    """Expected incidents: each rate type's rate × its areas (TPS, villages or kecamatan),
    class-scaled types at the top class multiplier; health-triggered types and a day with
    incidents off add nothing."""
    sc = load_scenario(TRAINING)
    spec = sc.spec
    shares = {c: k.share for c, k in spec.risk.classes.items()}
    mult = spec.incidents.class_rate_multiplier
    mean = sum(shares[c] * mult[c] for c in shares)
    top = max(mult[c] for c in shares) / mean
    units = {"tps": len(sc.tps), "village": len(sc.tps.village_names)}
    units["district"] = len(sc.tps.district_names)
    want = sum(
        t.rate_per_tps_day * units[t.area] * (top if t.class_scaled else 1.0)
        for t in spec.incidents.types
        if t.trigger == "rate"
    )
    assert estimate(sc).incidents_per_replication == pytest.approx(want, rel=1e-12)
    assert want > 0
    off = load_scenario(TRAINING, ["incidents.enabled=false"])
    assert estimate(off).incidents_per_replication == 0.0


def test_memory_guard_refuses_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the limit, check_size and simulate_day refuse with the number and the limit;
    the environment variable lifts the guard."""
    sc = load_scenario(TRAINING)
    need_gb = estimate(sc).bytes_per_replication / 1e9
    monkeypatch.setenv("PLANNER_MAX_MEMORY_GB", f"{need_gb / 2:.6f}")
    with pytest.raises(UserError) as err:
        simulate_day(sc, 1, 0)
    line = err.value.one_line()
    assert "one replication needs about" in line and "GB limit" in line
    assert "PLANNER_MAX_MEMORY_GB" in line and str(TRAINING) in line
    monkeypatch.setenv("PLANNER_MAX_MEMORY_GB", f"{need_gb * 2:.6f}")
    assert check_size(sc).bytes_per_replication == estimate(sc).bytes_per_replication


def test_incident_and_tps_day_guards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Too many expected incidents or TPS-days are refused, naming both numbers."""
    sc = load_scenario(TRAINING)
    monkeypatch.setenv("PLANNER_MAX_INCIDENTS", "0.5")
    with pytest.raises(UserError, match="incidents, over the limit of 0"):
        check_size(sc)
    monkeypatch.delenv("PLANNER_MAX_INCIDENTS")
    monkeypatch.setenv("PLANNER_MAX_TPS_DAYS", "100")
    n = len(sc.tps)
    check_size(sc, replications=100 // n)
    with pytest.raises(UserError, match=f"{n} TPS × 1,000 replications"):
        check_size(sc, replications=1000)


@pytest.mark.parametrize("value", ["-1", "0", "lots", "nan"])
def test_a_bad_limit_setting_is_a_user_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """A limit variable that is not a positive number is refused, naming it."""
    monkeypatch.setenv("PLANNER_MAX_MEMORY_GB", value)
    with pytest.raises(UserError, match="PLANNER_MAX_MEMORY_GB"):
        check_size(load_scenario(TRAINING))
