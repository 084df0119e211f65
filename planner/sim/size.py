"""How big a run is before it starts: memory per replication, incidents, TPS-days.

A scenario that validates can still ask for more than the machine has: a one-minute fatigue
grid over a province, twenty KPPS at every one of 50,000 TPS, ten incident types at the top
rate. The simulation allocates arrays of TPS × voters × stages and TPS × grid cells ×
workers for every replication, so their size is known from the scenario alone. `estimate`
computes it; `check_size` refuses a run past the limits with the numbers in the message,
before anything is allocated. The limits suit the machine class the tool is built for (a
planner's laptop or a 2-core server, a few GiB per process) and each can be lifted by an
environment variable for a user who means it (README, "Limits").

Coefficients (measured with `/usr/bin/time -f %M` on one replication, December 2026):
Balikpapan (996 TPS, 600 voters, 3 stages) peaks at 168 MB with a 10-minute grid and 852 MB
with a 1-minute grid; with 20 KPPS per TPS, 304 MB; Kaltim (6,274 TPS) 854 MB. A fit gives
about 60 MB of interpreter and libraries, 70 bytes per voter place and stage, and 61 bytes
per grid cell and worker; the estimate uses 80 and 64 so that it errs on the high side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from planner.errors import UserError
from planner.scenario.resolved import Scenario
from planner.sim.grid import day_grid

BASE_BYTES = 60_000_000
"""Interpreter, numpy, SimPy and the scenario itself (measured: 55 MB for a 20-TPS day)."""
BYTES_PER_VOTER_STAGE = 80
"""Per voter place (DPT plus the DPK allowance) and service stage: arrival, patience,
service, start and end times and flags (measured 61–71 bytes, rounded up)."""
BYTES_PER_GRID_WORKER = 64
"""Per fatigue-grid cell and worker: alertness, hazard and on-duty arrays (measured 61)."""

MEMORY_ENV = "PLANNER_MAX_MEMORY_GB"
INCIDENTS_ENV = "PLANNER_MAX_INCIDENTS"
TPS_DAYS_ENV = "PLANNER_MAX_TPS_DAYS"
DEFAULT_MEMORY_GB = 4.0
"""Largest memory one replication may need, GB (est.: a few GB per process leaves room for
two workers and the operating system on an 8–24 GB machine)."""
DEFAULT_INCIDENTS = 1_000_000
"""Most incidents one replication may expect (est.: the bundled province expects a few
hundred; each incident is a simulated process, and a million take minutes)."""
DEFAULT_TPS_DAYS = 50_000_000
"""Most TPS × replications one run may simulate (est.: at about 0.6 ms per TPS-day on one
core, 50 million is about four hours on two cores; a whole Pemilu of 823,220 TPS, facts
§1.1, gets 60 replications)."""


@dataclass(frozen=True)
class RunSize:
    """The size of one replication of a scenario, and of a run of it."""

    tps: int
    voter_places: int
    """Most voters one TPS can see: its DPT plus the DPK allowance."""
    stages: int
    grid_cells: int
    workers_per_tps: int
    bytes_per_replication: int
    incidents_per_replication: float
    """Expected incidents of one replication at the highest class multiplier (an upper
    estimate)."""

    def describe_memory(self) -> str:
        """The memory estimate in words, with the terms that make it."""
        return (
            f"one replication needs about {self.bytes_per_replication / 1e9:,.1f} GB "
            f"({self.tps:,} TPS × {self.voter_places:,} voters × {self.stages} stages, and "
            f"{self.tps:,} TPS × {self.grid_cells:,} grid cells × {self.workers_per_tps} "
            "workers)"
        )


def estimate(scenario: Scenario) -> RunSize:
    """The size of one replication of `scenario` (see the module docstring)."""
    spec = scenario.spec
    tps = len(scenario.tps)
    dpk = int(3 * spec.voters.dpk_per_tps_mean + 10) if spec.voters.dpk_per_tps_mean else 0
    voter_places = int(scenario.tps.voters.max()) + dpk
    stages = len(spec.voters.stages)
    cells = day_grid(scenario).cells
    staff = spec.staff
    workers = staff.kpps_per_tps + staff.policies.reserve_workers
    if staff.policies.split_counting_shift:
        workers *= 2
    memory = (
        BASE_BYTES
        + tps * voter_places * stages * BYTES_PER_VOTER_STAGE
        + tps * cells * workers * BYTES_PER_GRID_WORKER
    )
    return RunSize(
        tps=tps,
        voter_places=voter_places,
        stages=stages,
        grid_cells=cells,
        workers_per_tps=workers,
        bytes_per_replication=memory,
        incidents_per_replication=expected_incidents(scenario),
    )


def expected_incidents(scenario: Scenario) -> float:
    """Incidents one replication expects, every TPS at the highest class multiplier."""
    spec = scenario.spec
    if not spec.incidents.enabled:
        return 0.0
    table = scenario.tps
    units = {
        "tps": len(table),
        "village": len(table.village_names),
        "district": len(table.district_names),
    }
    shares = {name: c.share for name, c in spec.risk.classes.items()}
    multipliers = spec.incidents.class_rate_multiplier
    mean = sum(shares[c] * multipliers.get(c, 1.0) for c in shares) or 1.0
    top = max((multipliers.get(c, 1.0) for c in shares), default=1.0) / mean
    return sum(
        t.rate_per_tps_day * units[t.area] * (top if t.class_scaled else 1.0)
        for t in spec.incidents.types
        if t.trigger == "rate"
    )


def _limit(env: str, default: float) -> float:
    text = os.environ.get(env)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise UserError(f"{env}={text!r} must be a positive number", where="environment")
    return value


def check_size(scenario: Scenario, replications: int = 1) -> RunSize:
    """`estimate(scenario)`, or a `UserError` naming the number and the limit when one
    replication needs more memory than allowed (the limit is per worker process: each worker
    runs one replication at a time), expects too many incidents, or the run of
    `replications` simulates too many TPS-days."""
    size = estimate(scenario)
    where = str(scenario.path) if scenario.path is not None else None
    memory_gb = _limit(MEMORY_ENV, DEFAULT_MEMORY_GB)
    if size.bytes_per_replication > memory_gb * 1e9:
        raise UserError(
            f"{size.describe_memory()}, over the {memory_gb:g} GB limit; coarsen "
            "staff.fatigue.grid_step_min, split the region, or set "
            f"{MEMORY_ENV} to lift the limit",
            where=where,
        )
    incidents = _limit(INCIDENTS_ENV, DEFAULT_INCIDENTS)
    if size.incidents_per_replication > incidents:
        raise UserError(
            f"one replication expects up to {size.incidents_per_replication:,.0f} incidents, "
            f"over the limit of {incidents:,.0f}; check incidents.types rates and "
            f"incidents.class_rate_multiplier, or set {INCIDENTS_ENV} to lift the limit",
            where=where,
        )
    tps_days = _limit(TPS_DAYS_ENV, DEFAULT_TPS_DAYS)
    if size.tps * replications > tps_days:
        raise UserError(
            f"{size.tps:,} TPS × {replications:,} replications = "
            f"{size.tps * replications:,} TPS-days, over the limit of {tps_days:,.0f}; use "
            f"fewer replications or set {TPS_DAYS_ENV} to lift the limit",
            where=where,
        )
    return size
