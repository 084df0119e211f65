"""One simulated polling day as plain data: what the trainer's timeline and sitreps read.

A `DayStory` holds, for the TPS of the demo's subject (one TPS or one kecamatan): logistics
and opening, voters served through the day, counting and results return; every incident
with its dispatch; the KPPS' fatigue and health events; the injects. It is built from one
replication of the simulation (`planner.demo.day`) and saved as ``story.json`` in the demo's
run folder, so the report can be re-rendered (e.g. in the other language) without
simulating again. Times are clock minutes since midnight of polling day.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BIN_MIN = 5
"""Width of the voters-served bins (minutes)."""


@dataclass
class TpsDay:
    """One TPS through the day."""

    tps_id: str
    district: str
    village: str
    voters_dpt: int
    kit_arrive_min: float
    open_min: float
    voters_arrived: int
    voters_voted: int
    voters_gave_up: int
    wait_mean_min: float
    wait_max_min: float
    last_voter_min: float
    count_end_min: float
    results_ppk_min: float
    """When this TPS's results reached the PPK (NaN: not simulated)."""
    voted_bins_start_min: float
    voted_bins: list[int]
    """Voters who finished voting in each `BIN_MIN`-minute bin from `voted_bins_start_min`."""
    kit_ballots: int = 0
    kit_problem: str = ""
    """"" or what was wrong with the kit (short, damaged, missing item)."""
    queue_times: list[float] = field(default_factory=list)
    queue_lengths: list[int] = field(default_factory=list)
    """Queue length as a step function (only for TPS whose queue was traced)."""

    def voted_by(self, clock_min: float) -> int:
        """Voters who had voted by `clock_min`."""
        if clock_min <= self.voted_bins_start_min:
            return 0
        full = int((clock_min - self.voted_bins_start_min) // BIN_MIN)
        return int(sum(self.voted_bins[:full]))


@dataclass
class IncidentStory:
    """One incident at one TPS and what the responders did."""

    tps_id: str
    district: str
    type: str
    severity: str
    time_min: float
    onsite: bool
    """Settled on site by KPPS and linmas."""
    unit: str
    """The responding unit ("" when none went)."""
    agency: str
    dispatch_min: float
    arrival_min: float
    resolved_min: float
    escalated: bool
    unresolved: bool
    effect_min: float
    """Voting suspension (before close) or counting pause (after), minutes (NaN: none)."""
    scripted: bool = False
    """Came from an exercise inject."""
    found_later: bool = False
    """Fraud nobody caught when it happened, found at counting (`time_min` is when it was
    found; `attempt_min` when it was done)."""
    attempt_min: float = float("nan")


@dataclass
class AttemptStory:
    """One attempted human-made incident (dispute, intimidation, vote buying, multiple
    voting) and what the presence at its TPS made of it (`planner.sim.deterrence`)."""

    tps_id: str
    district: str
    type: str
    time_min: float
    deterred_by: str
    """What stopped it at its TPS: ``stationed``, ``patrol``, ``patrol_residual``,
    ``linmas``, or "" when it went ahead there."""
    who: str
    """The people of that kind at the TPS (e.g. "police", "police+tni team 2-6-12 (…)")."""
    since_min: float = float("nan")
    """For ``patrol_residual``: minutes since the patrol left."""
    target_tps: str = ""
    """Displaced to this TPS ("" when not displaced)."""
    target_deterred_by: str = ""
    """What stopped it again at the target ("" when it went ahead there)."""
    target_who: str = ""
    ahead: bool = False
    """It went ahead (at its TPS, or at the target)."""
    caught: bool = False
    found_later: bool = False
    found_min: float = float("nan")
    undetected: bool = False

    @property
    def displaced(self) -> bool:
        """Tried again at another TPS after being stopped."""
        return bool(self.target_tps)

    @property
    def at_tps(self) -> str:
        """Where it finally went ahead or was stopped."""
        return self.target_tps or self.tps_id


@dataclass
class PatrolVisit:
    """One visit of a patrol team to a TPS of its round (`planner.sim.presence`)."""

    tps_id: str
    team: str
    """The team's name as dispatch messages give it."""
    size: int
    """Officers in the team."""
    round_tps: list[str]
    """The TPS of its round, in rotation order."""
    arrive_min: float
    leave_min: float
    """When it leaves (the end of the day for a team that never leaves)."""
    visit: int
    """1 for its first visit of the day to this TPS."""


@dataclass
class WorkerStory:
    """One KPPS member at a traced TPS."""

    tps_id: str
    worker: str
    times_min: list[float]
    fatigue: list[float]
    health_event_min: float = float("nan")
    health_event: str = ""


@dataclass
class DayStory:
    """The demo's day."""

    scenario: str
    seed: int
    replication: int
    subject_kind: str
    """"tps" or "district"."""
    subject: str
    lang_hint: str = "en"
    day_open_min: float = 420.0
    day_close_min: float = 780.0
    staff_arrive_min: float = 360.0
    injects: list[str] = field(default_factory=list)
    inject_descriptions: list[str] = field(default_factory=list)
    tps: list[TpsDay] = field(default_factory=list)
    incidents: list[IncidentStory] = field(default_factory=list)
    workers: list[WorkerStory] = field(default_factory=list)
    district_results_min: dict[str, float] = field(default_factory=dict)
    """Kecamatan → when all its results reached the PPK."""
    trace: list[tuple[float, str, str, str]] = field(default_factory=list)
    """The simulation's own event log of the subject TPS: (clock, who, what, detail)."""
    attempts: list[AttemptStory] = field(default_factory=list)
    """Attempted human-made incidents at (or displaced to or from) the story's TPS."""
    patrols: list[PatrolVisit] = field(default_factory=list)
    """Patrol visits to the subject TPS (a TPS demo) through the day."""

    @property
    def districts(self) -> list[str]:
        """Kecamatan of the story's TPS, in first-seen order."""
        return list(dict.fromkeys(t.district for t in self.tps))

    def subject_tps(self) -> list[TpsDay]:
        """The TPS the story is about: the subject TPS, or every TPS of the subject kecamatan."""
        if self.subject_kind == "tps":
            return [t for t in self.tps if t.tps_id == self.subject]
        return [t for t in self.tps if t.district == self.subject]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DayStory:
        """Rebuild from `to_json` output."""
        raw = dict(data)
        raw["tps"] = [TpsDay(**t) for t in raw.get("tps", [])]
        raw["incidents"] = [IncidentStory(**i) for i in raw.get("incidents", [])]
        raw["workers"] = [WorkerStory(**w) for w in raw.get("workers", [])]
        raw["trace"] = [tuple(r) for r in raw.get("trace", [])]
        raw["attempts"] = [AttemptStory(**a) for a in raw.get("attempts", [])]
        raw["patrols"] = [PatrolVisit(**p) for p in raw.get("patrols", [])]
        return cls(**raw)


def save_story(story: DayStory, path: Path) -> None:
    """Write story.json atomically (NaN written as null)."""
    from planner.files import atomic_write_text

    atomic_write_text(path, json.dumps(_nan_to_none(story.to_json()), ensure_ascii=False) + "\n")


def load_story(path: Path) -> DayStory:
    """Read story.json (null read back as NaN for times)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return DayStory.from_json(_none_to_nan(data))


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value


_NAN_FIELDS = {
    "kit_arrive_min",
    "open_min",
    "wait_mean_min",
    "wait_max_min",
    "last_voter_min",
    "count_end_min",
    "results_ppk_min",
    "dispatch_min",
    "arrival_min",
    "resolved_min",
    "effect_min",
    "health_event_min",
    "time_min",
    "attempt_min",
    "since_min",
    "found_min",
    "arrive_min",
    "leave_min",
}


def _none_to_nan(value: Any, key: str = "") -> Any:
    if value is None and key in _NAN_FIELDS:
        return float("nan")
    if isinstance(value, dict):
        out = {k: _none_to_nan(v, k) for k, v in value.items()}
        if "district_results_min" in out:
            out["district_results_min"] = {
                k: float("nan") if v is None else v for k, v in out["district_results_min"].items()
            }
        return out
    if isinstance(value, list):
        return [_none_to_nan(v, key) for v in value]
    return value
