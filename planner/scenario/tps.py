"""The TPS table: one row per polling station, held column-wise for speed.

A region may have tens of thousands of TPS (a nation 435,000), so the table is a set of
numpy columns rather than a list of objects. Text columns (region, district, village, class)
are stored as integer codes into name lists, which the simulator and optimiser use directly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

ACCESS_CODES: tuple[str, ...] = ("road", "river")
TPS_COLUMNS: tuple[str, ...] = (
    "tps_id",
    "region",
    "district",
    "village",
    "voters",
    "risk_class",
    "lat",
    "lon",
    "booths",
    "access",
    "indicators",
)


@dataclass(frozen=True)
class TpsTable:
    """All TPS of a scenario. Row `i` is one TPS; codes index the name tuples."""

    tps_id: tuple[str, ...]
    region_names: tuple[str, ...]
    region: IntArray
    district_names: tuple[str, ...]
    """Unique kecamatan labels; in a multi-region scenario prefixed 'Region / Kecamatan'."""
    district: IntArray
    district_region: IntArray
    """Region code of each district."""
    village_names: tuple[str, ...]
    village: IntArray
    village_district: IntArray
    """District code of each village."""
    class_names: tuple[str, ...]
    risk_class: IntArray
    voters: IntArray
    booths: IntArray
    access: IntArray
    """Index into ACCESS_CODES."""
    lat: FloatArray
    """Decimal degrees, NaN when unknown."""
    lon: FloatArray
    indicators: IntArray
    """Number of Bawaslu vulnerability indicators flagged (0 when unknown)."""
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.tps_id)
        for name in (
            "region",
            "district",
            "village",
            "risk_class",
            "voters",
            "booths",
            "access",
            "lat",
            "lon",
            "indicators",
        ):
            if len(getattr(self, name)) != n:
                raise ValueError(f"TPS column {name} has the wrong length")
        self._index.update({t: i for i, t in enumerate(self.tps_id)})

    def __len__(self) -> int:
        return len(self.tps_id)

    @property
    def has_coordinates(self) -> bool:
        """True when every TPS has latitude and longitude."""
        return bool(len(self)) and bool(np.isfinite(self.lat).all() and np.isfinite(self.lon).all())

    def index_of(self, tps_id: str) -> int:
        """Row of the TPS with this id; KeyError if there is none."""
        return self._index[tps_id]

    def row(self, i: int) -> dict[str, Any]:
        """One TPS as a plain dict (names, not codes)."""
        return {
            "tps_id": self.tps_id[i],
            "region": self.region_names[self.region[i]],
            "district": self.district_names[self.district[i]],
            "village": self.village_names[self.village[i]],
            "voters": int(self.voters[i]),
            "risk_class": self.class_names[self.risk_class[i]],
            "lat": None if np.isnan(self.lat[i]) else float(self.lat[i]),
            "lon": None if np.isnan(self.lon[i]) else float(self.lon[i]),
            "booths": int(self.booths[i]),
            "access": ACCESS_CODES[self.access[i]],
            "indicators": int(self.indicators[i]),
        }

    def to_csv(self) -> str:
        """The table as CSV text with the contract columns (DESIGN §4)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TPS_COLUMNS)
        for i in range(len(self)):
            r = self.row(i)
            writer.writerow(["" if r[c] is None else r[c] for c in TPS_COLUMNS])
        return out.getvalue()

    def count_by_class(self) -> dict[str, int]:
        """Number of TPS in each risk class."""
        counts = np.bincount(self.risk_class, minlength=len(self.class_names))
        return {name: int(c) for name, c in zip(self.class_names, counts, strict=True)}
