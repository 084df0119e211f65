"""Situation reports (laporan berkala): the hourly roll-up from TPS to kecamatan to region.

At each report time, for every kecamatan and for the whole region: TPS open (doors opened
so far), voters so far against the list (turnout), incidents open and resolved by type,
responders committed (units dispatched and not yet done), kits still missing at the TPS,
and TPS that have finished counting. A trainer runs a command-post exercise from these.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from planner.report.i18n import Translator
from planner.report.plots import clock_label
from planner.report.story import DayStory


@dataclass(frozen=True)
class SitrepRow:
    """The situation of one area (a kecamatan or the region) at one time."""

    clock_min: float
    area: str
    tps: int
    tps_open: int
    voted: int
    voters_dpt: int
    incidents_open: int
    incidents_resolved: int
    open_by_type: dict[str, int] = field(default_factory=dict)
    responders_committed: int = 0
    kits_missing: int = 0
    tps_counted: int = 0

    @property
    def turnout(self) -> float:
        """Voters so far as a share of the list."""
        return self.voted / self.voters_dpt if self.voters_dpt else 0.0


def report_times(story: DayStory, step_min: int) -> list[float]:
    """Report times every `step_min` from the first full step after staff arrival until every
    TPS has counted (and at least until the close)."""
    if step_min <= 0:
        raise ValueError("step_min must be positive")
    start = math.ceil((story.staff_arrive_min + 1) / step_min) * step_min
    ends = [t.count_end_min for t in story.tps if math.isfinite(t.count_end_min)]
    end = max([story.day_close_min, *ends])
    times = []
    t = float(start)
    while t <= end + step_min - 1e-9:
        times.append(t)
        t += step_min
    return times


def situation(story: DayStory, clock_min: float, area: str | None) -> SitrepRow:
    """The roll-up at `clock_min` for one kecamatan (`area`) or the whole region (None)."""
    tps = [t for t in story.tps if area is None or t.district == area]
    names = {t.tps_id for t in tps}
    incidents = [i for i in story.incidents if i.tps_id in names and i.time_min <= clock_min]
    resolved = [i for i in incidents if _done_by(i.resolved_min, clock_min, i.onsite, i.time_min)]
    still_open = [i for i in incidents if i not in resolved]
    busy_units = {
        i.unit
        for i in story.incidents
        if i.tps_id in names
        and i.unit
        and i.dispatch_min <= clock_min
        and not (math.isfinite(i.resolved_min) and i.resolved_min <= clock_min)
    }
    return SitrepRow(
        clock_min=clock_min,
        area=area or "",
        tps=len(tps),
        tps_open=sum(1 for t in tps if t.open_min <= clock_min),
        voted=sum(t.voted_by(clock_min) for t in tps),
        voters_dpt=sum(t.voters_dpt for t in tps),
        incidents_open=len(still_open),
        incidents_resolved=len(resolved),
        open_by_type=dict(Counter(i.type for i in still_open)),
        responders_committed=len(busy_units),
        kits_missing=sum(1 for t in tps if not t.kit_arrive_min <= clock_min),
        tps_counted=sum(1 for t in tps if t.count_end_min <= clock_min),
    )


def _done_by(resolved_min: float, clock_min: float, onsite: bool, start_min: float) -> bool:
    if math.isfinite(resolved_min):
        return resolved_min <= clock_min
    return onsite and start_min <= clock_min


def sitreps(story: DayStory, step_min: int) -> list[list[SitrepRow]]:
    """For every report time: one row per kecamatan, then the region."""
    districts = story.districts
    out = []
    for t in report_times(story, step_min):
        rows = [situation(story, t, d) for d in districts]
        if len(districts) > 1:
            rows.append(situation(story, t, None))
        out.append(rows)
    return out


def sitrep_line(tr: Translator, row: SitrepRow) -> str:
    """One situation report as a sentence for the terminal and the timeline."""
    types = ""
    if row.open_by_type:
        types = " (" + ", ".join(f"{k} {v}" for k, v in sorted(row.open_by_type.items())) + ")"
    return tr(
        "sitrep_line",
        clock=clock_label(row.clock_min),
        area=row.area or tr("whole_region"),
        open=row.tps_open,
        tps=row.tps,
        voted=tr.number(row.voted),
        turnout=tr.percent(row.turnout, 1),
        inc_open=row.incidents_open,
        inc_resolved=row.incidents_resolved,
        types=types,
        responders=row.responders_committed,
        kits=row.kits_missing,
        counted=row.tps_counted,
    )


def sitrep_headers(tr: Translator) -> list[str]:
    """Column headers of the sitrep table."""
    return [
        tr("clock_time"),
        tr("col_area"),
        tr("col_open"),
        tr("col_voted"),
        tr("col_turnout"),
        tr("col_inc_open"),
        tr("col_inc_resolved"),
        tr("col_responders"),
        tr("col_kits_missing"),
        tr("col_counted"),
    ]


def sitrep_cells(tr: Translator, row: SitrepRow) -> list[object]:
    """One table row."""
    types = ", ".join(f"{k} {v}" for k, v in sorted(row.open_by_type.items()))
    return [
        clock_label(row.clock_min),
        row.area or tr("whole_region"),
        f"{row.tps_open}/{row.tps}",
        row.voted,
        tr.percent(row.turnout, 1),
        f"{row.incidents_open}" + (f" ({types})" if types else ""),
        row.incidents_resolved,
        row.responders_committed,
        row.kits_missing,
        f"{row.tps_counted}/{row.tps}",
    ]
