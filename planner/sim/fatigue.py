"""Alertness of a poll worker: the three-process model (Åkerstedt & Folkard) plus workload.

Alertness on the model's 1–16 scale is ``A = S + C − T − L``:

* S, the homeostatic process, falls exponentially towards ``s_lower`` while awake and
  recovers exponentially towards ``s_upper`` during sleep (Åkerstedt & Folkard 1995).
* C, the circadian process, is a cosine of the clock with its peak at ``c_peak_hour``.
* T, time on task: ``time_on_task_max · (1 − exp(−h / time_on_task_tau_h))`` after h hours
  of work since the last break (a break restores it; Tucker 2003 finds risk rising over each
  spell of work and falling after a break).
* L, workload: points per 100 voters who have come to the TPS and per 1,000 ballots counted.

The deficit ``D = max(0, alertness_full − A)`` slows service, raises counting errors and the
health hazard (see `planner.sim.staff` and docs/model.md).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from planner.scenario.sections.staff import Fatigue

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def s_awake(s_start: FloatArray | float, hours: FloatArray | float, p: Fatigue) -> Any:
    """S after `hours` awake, starting from `s_start`."""
    return p.s_lower + (s_start - p.s_lower) * np.exp(-p.s_decay_per_h * np.asarray(hours))


def s_asleep(s_start: FloatArray | float, hours: FloatArray | float, p: Fatigue) -> Any:
    """S after `hours` of sleep, starting from `s_start`."""
    return p.s_upper - (p.s_upper - s_start) * np.exp(-p.s_recovery_per_h * np.asarray(hours))


def s_rested_wake(p: Fatigue, awake_h: float = 16.0, sleep_h: float = 8.0) -> float:
    """S on waking in the steady state of a regular day (16 h awake, 8 h asleep)."""
    decay = math.exp(-p.s_decay_per_h * awake_h)
    recover = math.exp(-p.s_recovery_per_h * sleep_h)
    # S_w = s_upper − (s_upper − S_b)·recover,  S_b = s_lower + (S_w − s_lower)·decay
    num = p.s_upper * (1 - recover) + recover * p.s_lower * (1 - decay)
    return num / (1 - recover * decay)


def circadian(clock_min: FloatArray | float, p: Fatigue) -> Any:
    """C at the clock time (minutes since midnight of polling day)."""
    hours = np.asarray(clock_min) / 60.0
    return p.c_amplitude * np.cos(2 * np.pi * (hours - p.c_peak_hour) / 24.0)


def wake_s(
    prev_wake_min: float,
    bed_min: FloatArray,
    sleep_h: FloatArray,
    p: Fatigue,
) -> FloatArray:
    """S on waking on polling day after the night before.

    The worker woke rested at `prev_wake_min` the day before (S from `s_rested_wake`),
    stayed up until `bed_min` preparing the TPS, and slept `sleep_h` hours.
    """
    s_prev = s_rested_wake(p)
    awake_before_bed_h = np.maximum(bed_min - prev_wake_min, 0.0) / 60.0
    s_bed = s_awake(s_prev, awake_before_bed_h, p)
    return np.asarray(s_asleep(s_bed, sleep_h, p), dtype=np.float64)


def time_on_task_h(
    clock_min: FloatArray,
    duty_start_min: FloatArray | float,
    slot: int,
    team: int,
    break_every_min: float | None,
    break_length_min: float,
) -> tuple[FloatArray, FloatArray]:
    """Hours worked since the last break (or duty start) and whether the worker is on break.

    Breaks rotate: worker `slot` of a `team` takes a break of `break_length_min` at duty
    start + ``break_every_min · (k + (slot + 1) / team)`` for k = 0, 1, …, so breaks are
    spread evenly and, when ``break_length_min ≤ break_every_min / team``, never overlap.
    """
    u = clock_min - duty_start_min
    before = u < 0
    u = np.maximum(u, 0.0)
    if break_every_min is None:
        return np.where(before, 0.0, u / 60.0), np.zeros(np.shape(u), dtype=bool)
    first = break_every_min * (slot + 1) / team
    v = u - first
    k = np.floor(np.maximum(v, 0.0) / break_every_min)
    since = v - k * break_every_min
    on_break = (v >= 0) & (since < break_length_min) & ~before
    worked = np.where(v < 0, u, since - break_length_min)
    tot = np.where(on_break | before, 0.0, np.maximum(worked, 0.0)) / 60.0
    return np.asarray(tot, dtype=np.float64), np.asarray(on_break, dtype=bool)


def break_intervals(
    duty_start_min: float,
    until_min: float,
    slot: int,
    team: int,
    break_every_min: float | None,
    break_length_min: float,
) -> list[tuple[float, float]]:
    """The (start, end) clock minutes of worker `slot`'s breaks before `until_min`."""
    if break_every_min is None:
        return []
    out: list[tuple[float, float]] = []
    k = 0
    while True:
        start = duty_start_min + break_every_min * (k + (slot + 1) / team)
        if start >= until_min:
            return out
        out.append((start, start + break_length_min))
        k += 1
