"""The day's time grid: piecewise-constant rates and the times they accumulate to a target.

Slowly changing quantities of the day (a worker's alertness, the health hazard, counting
speed) are evaluated once per grid cell (10 minutes by default) and held constant within it.
Two questions are then asked of such a rate, vectorised over TPS or workers: how much
accumulates between two times, and when a target amount is reached. Both are exact for the
piecewise-constant rate, so every engine that asks gets the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.resolved import Scenario

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class TimeGrid:
    """Cells ``[start + g·step, start + (g+1)·step)`` for ``g = 0 … cells-1`` (clock minutes).

    Times before the grid belong to cell 0, times after it to the last cell.
    """

    start_min: float
    step_min: float
    cells: int

    @property
    def edges(self) -> FloatArray:
        """The ``cells + 1`` cell boundaries."""
        return self.start_min + self.step_min * np.arange(self.cells + 1, dtype=np.float64)

    @property
    def mids(self) -> FloatArray:
        """The cell midpoints, where cell values are evaluated."""
        return self.start_min + self.step_min * (np.arange(self.cells, dtype=np.float64) + 0.5)

    @property
    def end_min(self) -> float:
        """The end of the last cell."""
        return self.start_min + self.step_min * self.cells

    def cell_of(self, t: FloatArray) -> IntArray:
        """Cell index of each time (finite times only; clamped to the grid)."""
        idx = np.floor((t - self.start_min) / self.step_min)
        return np.clip(idx, 0, self.cells - 1).astype(np.int64)

    def cell_of_scalar(self, t: float) -> int:
        """Cell index of one time, computed exactly as `cell_of` does."""
        idx = math.floor((t - self.start_min) / self.step_min)
        return min(max(idx, 0), self.cells - 1)


def make_grid(start_min: float, end_min: float, step_min: float) -> TimeGrid:
    """A grid from `start_min` covering at least up to `end_min`."""
    cells = max(1, math.ceil((end_min - start_min) / step_min))
    return TimeGrid(float(start_min), float(step_min), int(cells))


def _edges_cumulative(rate: FloatArray, grid: TimeGrid) -> FloatArray:
    """(rows, cells + 1) ∫ rate from the grid start to each cell edge."""
    out = np.zeros((rate.shape[0], grid.cells + 1))
    np.cumsum(rate * grid.step_min, axis=1, out=out[:, 1:])
    return out


def _value_at(cum: FloatArray, rate: FloatArray, grid: TimeGrid, t: FloatArray) -> FloatArray:
    """∫ rate from the grid start to `t` per row (times before the grid count as its start)."""
    t = np.maximum(t, grid.start_min)
    finite = np.isfinite(t)
    t_safe = np.where(finite, t, grid.end_min)
    g = grid.cell_of(t_safe)
    rows = np.arange(len(t))
    lo = grid.start_min + grid.step_min * g
    value = cum[rows, g] + rate[rows, g] * (t_safe - lo)
    forever = np.where(rate[:, -1] > 0, np.inf, cum[:, -1])
    return np.asarray(np.where(finite, value, forever), dtype=np.float64)


def accumulated(
    rate: FloatArray, grid: TimeGrid, t_from: FloatArray, t_to: FloatArray
) -> FloatArray:
    """``∫ rate dt`` from `t_from` to `t_to` per row; `rate` is per minute, shape (rows, cells).

    Beyond the grid's end the last cell's rate continues; `t_to` before `t_from` gives 0.
    """
    cum = _edges_cumulative(rate, grid)
    a = _value_at(cum, rate, grid, t_from)
    b = _value_at(cum, rate, grid, np.maximum(t_to, t_from))
    return np.asarray(np.maximum(b - a, 0.0), dtype=np.float64)


def time_to_accumulate(
    rate: FloatArray, grid: TimeGrid, t_from: FloatArray, target: FloatArray
) -> FloatArray:
    """First time ``t ≥ t_from`` with ``∫_{t_from}^{t} rate = target`` per row (inf if never).

    `rate` is per minute, shape (rows, cells), non-negative; beyond the grid the last cell's
    rate continues. A target ≤ 0 is reached at `t_from`.
    """
    rows = np.arange(rate.shape[0])
    cum = _edges_cumulative(rate, grid)
    goal = _value_at(cum, rate, grid, t_from) + target
    reached = cum[:, 1:] >= goal[:, None]
    hit = reached.any(axis=1)
    g = reached.argmax(axis=1)
    cell_rate = rate[rows, g]
    lo = grid.start_min + grid.step_min * g
    last = rate[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = lo + (goal - cum[rows, g]) / cell_rate
        tail = grid.end_min + (goal - cum[:, -1]) / last
    out = np.where(hit, inside, np.where(last > 0, tail, np.inf))
    out = np.where(target <= 0, t_from, np.maximum(out, t_from))
    return np.asarray(out, dtype=np.float64)


def day_grid(scenario: Scenario) -> TimeGrid:
    """The fatigue grid: from staff arrival to past the counting deadline."""
    day = scenario.spec.day
    end = max(float(day.count_deadline), float(day.close) + 720.0)
    return make_grid(float(day.staff_arrive), end, scenario.spec.staff.fatigue.grid_step_min)
