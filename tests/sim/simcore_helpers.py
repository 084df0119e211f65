"""Builders shared by the simulation-core tests: small scenarios from dicts, hand-made inputs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from planner.scenario.load import resolve_tps, validate_spec
from planner.scenario.resolved import Scenario
from planner.sim.grid import TimeGrid
from planner.sim.queueing import QueueInputs, StageSlots

OFF = {"incidents": {"enabled": False}, "logistics": {"enabled": False}}


def make(data: dict[str, Any]) -> Scenario:
    """A scenario from a dict (no file)."""
    spec = validate_spec(data)
    return Scenario(spec=spec, tps=resolve_tps(spec, Path(".")))


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep merge of two scenario dicts (extra wins)."""
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def pilkada(tps: int = 12, voters_per_tps: int = 500, **extra: Any) -> Scenario:
    """A small Pilkada region with defaults everywhere (incidents and logistics off)."""
    data = {
        "name": "small pilkada",
        "seed": 11,
        "region": {
            "name": "Kota Uji",
            "districts": [
                {
                    "name": "Alpha",
                    "villages": min(2, tps - tps // 2),
                    "tps": tps - tps // 2,
                    "voters": (tps - tps // 2) * voters_per_tps,
                },
                {
                    "name": "Beta",
                    "villages": min(2, tps // 2),
                    "tps": tps // 2,
                    "voters": (tps // 2) * voters_per_tps,
                },
            ],
        },
        **OFF,
    }
    return make(merge(data, extra))


def textbook(
    servers: int,
    service_mean_min: float,
    tps: int = 1,
    voters: int = 600,
    close: str = "23:00",
    **extra: Any,
) -> Scenario:
    """DESIGN §4's textbook queue: constant arrivals, one exponential stage, nothing else."""
    data = {
        "name": "textbook",
        "seed": 1,
        "day": {"staff_arrive": "00:00", "open": "00:00", "close": close, "dpk_from": close},
        "region": {
            "name": "T",
            "districts": [{"name": "D", "villages": 1, "tps": tps, "voters": voters * tps}],
        },
        "voters": {
            "turnout": 1.0,
            "arrival_profile": "constant",
            "patience_min": None,
            "dptb_share": 0.0,
            "dpk_per_tps_mean": 0.0,
            "slow_share": 0.0,
            "stages": [
                {
                    "name": "check_in",
                    "servers": servers,
                    "service_min": {"dist": "exponential", "mean": service_mean_min},
                }
            ],
        },
        "staff": {"fatigue": {"enabled": False}},
        "counting": {"enabled": False},
        **OFF,
    }
    return make(merge(data, extra))


def hand_inputs(
    arrivals: list[list[float]],
    services: list[list[list[float]]],
    slots: list[list[list[list[tuple[float, float]]]]],
    patience: list[list[float]] | None = None,
    ballots: list[int] | None = None,
    multiplier: float | list[list[float]] = 1.0,
    grid: TimeGrid | None = None,
    fatigue_applies: tuple[bool, ...] | None = None,
) -> QueueInputs:
    """QueueInputs from nested lists.

    arrivals[tps][voter]; services[stage][tps][voter]; slots[stage][slot][tps] = list of
    blocked intervals; patience like arrivals (default: none); multiplier per (tps, cell).
    """
    n_tps = len(arrivals)
    width = max(len(a) for a in arrivals)
    arr = np.full((n_tps, width), np.inf)
    for i, a in enumerate(arrivals):
        arr[i, : len(a)] = a
    pat = np.full((n_tps, width), np.inf)
    if patience is not None:
        for i, p in enumerate(patience):
            pat[i, : len(p)] = p
    n_stages = len(services)
    svc = np.zeros((n_stages, n_tps, width))
    for k, per_tps in enumerate(services):
        for i, s in enumerate(per_tps):
            svc[k, i, : len(s)] = s
    stage_slots = []
    for per_slot in slots:
        k_max = max([len(iv) for slot in per_slot for iv in slot] + [1])
        bs = np.full((len(per_slot), n_tps, k_max), np.inf)
        be = np.full((len(per_slot), n_tps, k_max), np.inf)
        for j, per_t in enumerate(per_slot):
            for i, ivs in enumerate(per_t):
                for q, (s, e) in enumerate(sorted(ivs)):
                    bs[j, i, q] = s
                    be[j, i, q] = e
        stage_slots.append(StageSlots(bs, be))
    g = grid or TimeGrid(0.0, 60.0, 48)
    if isinstance(multiplier, float | int):
        mult = np.full((n_tps, g.cells), float(multiplier))
    else:
        mult = np.array(multiplier, dtype=np.float64)
    return QueueInputs(
        arrival_min=arr,
        patience_min=pat,
        service_min=svc,
        ballots=np.array(ballots if ballots is not None else [10**9] * n_tps, dtype=np.int64),
        slots=tuple(stage_slots),
        grid=g,
        multiplier=mult,
        fatigue_applies=fatigue_applies or tuple(True for _ in range(n_stages)),
        stage_names=tuple(f"stage{k}" for k in range(n_stages)),
    )
