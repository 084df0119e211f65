"""The event log of one TPS in one replication (``simulate --trace TPS_ID``).

Only traces keep events; replications keep small aggregates (DESIGN §7). Every part of the
day appends its rows here: (clock minute, who, what, detail).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from planner.scenario.clock import format_clock

TRACE_COLUMNS: tuple[str, ...] = ("clock_min", "clock", "who", "what", "detail")

TraceRow = tuple[float, str, str, str]
"""(clock minute, who, what, detail)."""


@dataclass
class EventLog:
    """Rows of (clock minute, who, what, detail), in the order they were added."""

    rows: list[TraceRow] = field(default_factory=list)

    def add(self, clock_min: float, who: str, what: str, detail: str = "") -> None:
        """Append one event."""
        self.rows.append((float(clock_min), who, what, detail))

    def extend(self, rows: Iterable[TraceRow]) -> None:
        """Append events from another part of the model."""
        for t, who, what, detail in rows:
            self.add(t, who, what, detail)

    def sorted_rows(self) -> list[TraceRow]:
        """Events by time; events at the same time keep the order they were added."""
        return sorted(self.rows, key=lambda r: r[0])

    def to_csv(self) -> str:
        """CSV text with columns clock_min, clock ("HH:MM" or "H+1 HH:MM"), who, what, detail."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TRACE_COLUMNS)
        for t, who, what, detail in self.sorted_rows():
            writer.writerow([f"{t:.3f}", format_clock(t), who, what, detail])
        return out.getvalue()
