"""Running means of per-TPS and per-kecamatan columns over replications."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass
class ColumnMeans:
    """Running means of table columns over replications (NaN values are skipped)."""

    sums: dict[str, FloatArray] = field(default_factory=dict)
    counts: dict[str, FloatArray] = field(default_factory=dict)

    def add(self, columns: dict[str, FloatArray]) -> None:
        """Fold in one replication's columns."""
        for name, values in columns.items():
            v = np.asarray(values, dtype=np.float64)
            ok = np.isfinite(v)
            if name not in self.sums:
                self.sums[name] = np.zeros(v.shape)
                self.counts[name] = np.zeros(v.shape)
            self.sums[name] += np.where(ok, v, 0.0)
            self.counts[name] += ok

    def means(self) -> dict[str, FloatArray]:
        """Mean of each column (NaN where no replication had a finite value)."""
        out: dict[str, FloatArray] = {}
        for name, total in self.sums.items():
            n = self.counts[name]
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        return out
