"""Exercise injects: scripted events a trainer adds to a simulated polling day.

An inject is one line ``KIND@PLACE@WHEN``::

    flood@Balikpapan Barat@08:00            a flood hits every TPS of the kecamatan at 08:00
    flood@Margomulyo@08:00+3h               ... of one village, for 3 hours
    collapse@TPS-0012@19:30                 a KPPS worker collapses at TPS-0012 at 19:30
    protest@TPS-0007@10:15                  a protest at TPS-0007 at 10:15
    protest@TPS-0007@10:15+40min            ... that stops voting for 40 minutes
    late-kit@PPK Balikpapan Kota@+90min     every kit of that kecamatan reaches its TPS 90 min
                                            after the KPPS arrive
    late-kit@TPS-0031@07:20                 the kit of TPS-0031 arrives at 07:20 (or as
                                            planned, if that is later)
    power-cut@Klandasan Ilir@20:00+45min    a power cut in the village from 20:00 for 45 min

KIND     flood | power-cut | protest | collapse | late-kit (see `KINDS`)
PLACE    a TPS id; a kecamatan name (optionally written "PPK <name>" or "Kecamatan <name>");
         or a village (kelurahan/desa) name. Matching ignores case and repeated spaces.
WHEN     CLOCK [+DURATION]   a clock time "HH:MM" (or "H-1 HH:MM", "H+1 01:30"), optionally
                             followed by how long the event lasts
         +DURATION           late-kit only: the kit reaches the TPS DURATION after the KPPS
                             arrive (day.staff_arrive), or after its planned arrival if
                             that is later still — not after the planned arrival, which
                             is normally the evening before (`planner.sim.logistics.late_kits`)
DURATION a number with a unit: 45min, 45m, 2h, 1h30min, 1.5h

Each kind says which places it accepts and what it does to the day (`KINDS`). Parsing
(`parse_inject`) checks the grammar; `resolve_injects` checks the place against a scenario's
TPS table and turns each inject into a `ScriptedEvent`: plain data (kind, affected TPS rows,
clock minutes) that the simulation consumes as scripted events at given times and places.
Mistakes raise `InjectError` naming the inject and listing what is valid.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from planner.errors import UserError
from planner.scenario.clock import format_clock, parse_clock
from planner.scenario.tps import TpsTable

MAX_INJECT_MIN = 1440.0
"""Longest inject duration or kit delay: a day (an exercise covers one polling day)."""
MAX_INJECT_FILE_BYTES = 1_000_000
"""Largest inject script read (an exercise script is tens of lines)."""


class InjectError(UserError):
    """An exercise inject that does not follow the grammar or names an unknown place."""


@dataclass(frozen=True)
class InjectKind:
    """What one kind of inject is, which places it accepts and its default duration."""

    name: str
    places: tuple[str, ...]
    """Any of "tps", "village", "district"."""
    default_duration_min: float | None
    """Minutes the event lasts when WHEN gives no duration (None: instantaneous)."""
    allows_delay: bool
    effect: str
    """One line for the help text and the trainer's guide."""


KINDS: dict[str, InjectKind] = {
    k.name: k
    for k in (
        InjectKind(
            "flood",
            ("district", "village", "tps"),
            120.0,
            False,
            "voting stops at every TPS of the place for the duration (default 120 min, est.); "
            "counting pauses if it is under way; police and TNI are asked to help",
        ),
        InjectKind(
            "power-cut",
            ("district", "village", "tps"),
            45.0,
            False,
            "counting pauses at every TPS of the place for the duration (default 45 min, "
            "est.); voting in daylight goes on",
        ),
        InjectKind(
            "protest",
            ("tps",),
            30.0,
            False,
            "a major dispute at the TPS: voting stops until police settle it, at least the "
            "duration (default 30 min, est.)",
        ),
        InjectKind(
            "collapse",
            ("tps",),
            None,
            False,
            "a KPPS worker collapses: the TPS works one person short from then on and a "
            "medical team is dispatched",
        ),
        InjectKind(
            "late-kit",
            ("district", "village", "tps"),
            None,
            True,
            "the kits of every TPS of the place arrive late: +DURATION after the KPPS arrive "
            "(or after the planned arrival if later), or at the clock time given; the TPS "
            "opens after set-up",
        ),
    )
}

GRAMMAR = (
    "write KIND@PLACE@WHEN, e.g. flood@Balikpapan Barat@08:00, collapse@TPS-0012@19:30, "
    "late-kit@PPK Balikpapan Kota@+90min, power-cut@Klandasan Ilir@20:00+45min"
)

_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<m>\d+(?:\.\d+)?)\s*(?:min|m))?$", re.IGNORECASE
)
_WHEN = re.compile(
    r"^(?P<clock>(?:H[+-]\d+\s+)?\d{1,2}:\d{2})(?:\s*\+\s*(?P<duration>.+))?$", re.IGNORECASE
)
_PLACE_PREFIXES = ("ppk ", "kecamatan ", "kec. ", "kec ", "kelurahan ", "desa ", "kel. ")


@dataclass(frozen=True)
class Inject:
    """One parsed inject, before its place is looked up in a scenario."""

    spec: str
    """The text as written."""
    kind: str
    place: str
    start_min: int | None
    """Clock minute the event starts (None for a late-kit given as a delay)."""
    duration_min: float | None
    delay_min: float | None
    """late-kit only: minutes after the KPPS arrive (or after the planned arrival, if later)."""


@dataclass(frozen=True)
class ScriptedEvent:
    """An inject resolved against a scenario: the data the simulation acts on.

    `tps` are row indices into the scenario's TPS table (every TPS of the place, in table
    order). Times are clock minutes since midnight of polling day. The simulation applies
    the effect described by `KINDS[kind].effect`.
    """

    kind: str
    tps: tuple[int, ...]
    place: str
    """The resolved place: the TPS id, kecamatan or village name as in the scenario."""
    place_level: str
    """"tps", "village" or "district"."""
    start_min: int | None
    duration_min: float | None
    delay_min: float | None
    spec: str

    @property
    def end_min(self) -> float | None:
        """When the event's effect ends (start + duration), or None."""
        if self.start_min is None or self.duration_min is None:
            return None
        return self.start_min + self.duration_min

    def describe(self) -> str:
        """A short English description, e.g. 'flood at Balikpapan Barat 08:00–10:00'."""
        if self.delay_min is not None:
            return f"{self.kind} at {self.place}: +{self.delay_min:g} min"
        when = format_clock(self.start_min) if self.start_min is not None else ""
        if self.end_min is not None:
            when += f"–{format_clock(self.end_min)}"
        return f"{self.kind} at {self.place} {when}".strip()


def parse_duration(text: str) -> float:
    """Minutes in a duration such as ``45min``, ``2h``, ``1h30min`` or ``1.5h``."""
    match = _DURATION.match(text.strip())
    if not text.strip() or not match or not (match["h"] or match["m"]):
        raise ValueError(f"duration {text!r} is not like 45min, 2h or 1h30min")
    minutes = float(match["h"] or 0) * 60 + float(match["m"] or 0)
    if minutes <= 0:
        raise ValueError(f"duration {text!r} must be positive")
    if minutes > MAX_INJECT_MIN:
        raise ValueError(f"duration {text!r} is longer than a day (24h); an exercise is one day")
    return minutes


def parse_inject(spec: str) -> Inject:
    """Parse ``KIND@PLACE@WHEN`` (grammar in the module docstring); `InjectError` if bad."""
    text = " ".join(spec.split())
    parts = [p.strip() for p in text.split("@")]
    if len(parts) != 3 or not all(parts):
        raise InjectError(f"{spec!r} does not have three parts; {GRAMMAR}", where="--inject")
    kind_text, place, when = parts
    kind = kind_text.lower().replace("_", "-")
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise InjectError(
            f"{spec!r}: unknown kind {kind_text!r}{hint}; valid kinds: {', '.join(KINDS)}",
            where="--inject",
        )
    info = KINDS[kind]
    start: int | None = None
    duration: float | None = None
    delay: float | None = None
    try:
        if when.startswith("+"):
            if not info.allows_delay:
                raise ValueError(
                    f"{kind} needs a clock time such as 08:00 or 08:00+45min; only late-kit "
                    "takes a delay like +90min"
                )
            delay = parse_duration(when[1:])
        else:
            match = _WHEN.match(when)
            if not match:
                raise ValueError(f"time {when!r} is not HH:MM or HH:MM+DURATION")
            start = int(parse_clock(match["clock"]))
            rest = match["duration"]
            if rest is not None:
                duration = parse_duration(rest)
                if kind in ("collapse", "late-kit"):
                    raise ValueError(f"{kind} happens at one moment; drop the +{rest}")
            else:
                duration = info.default_duration_min
    except ValueError as exc:
        raise InjectError(
            f"{spec!r}: {exc}; WHEN is HH:MM, HH:MM+DURATION (e.g. 20:00+45min) or, for "
            "late-kit, +DURATION (e.g. +90min)",
            where="--inject",
        ) from None
    return Inject(spec, kind, place, start, duration, delay)


def read_inject_file(path: Path) -> list[str]:
    """Inject lines of a script file: one per line, ``#`` starts a comment."""
    try:
        exists, is_dir, size = path.exists(), path.is_dir(), path.stat().st_size
    except (OSError, ValueError):
        exists, is_dir, size = False, False, 0
    if not exists:
        raise InjectError("inject script not found; check the path", where=str(path))
    if is_dir:
        raise InjectError("is a directory; give a text file of injects", where=str(path))
    if size > MAX_INJECT_FILE_BYTES:
        raise InjectError(
            f"the inject script is {size:,} bytes, over the {MAX_INJECT_FILE_BYTES:,}-byte "
            "limit; an exercise script is a few lines",
            where=str(path),
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InjectError("the file is not UTF-8 text; save it as UTF-8", where=str(path)) from None
    except OSError as exc:
        raise InjectError(f"cannot read the file ({exc.strerror})", where=str(path)) from None
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def resolve_injects(
    specs: list[str] | tuple[str, ...], table: TpsTable, workers_per_tps: int | None = None
) -> list[ScriptedEvent]:
    """Parse every inject and look its place up in `table`; events in start-time order.

    `workers_per_tps` (KPPS and reserve workers at a TPS), when given, bounds the collapses
    one TPS can have: a TPS cannot lose more workers than it has.
    """
    events = [resolve_inject(parse_inject(s), table) for s in specs]
    if workers_per_tps is not None:
        collapses: dict[int, int] = {}
        for e in events:
            if e.kind == "collapse":
                for row in e.tps:
                    collapses[row] = collapses.get(row, 0) + 1
                    if collapses[row] > workers_per_tps:
                        raise InjectError(
                            f"{e.spec!r}: collapse number {collapses[row]} at TPS "
                            f"{table.tps_id[row]!r}, which has only {workers_per_tps} workers "
                            "(staff.kpps_per_tps + staff.policies.reserve_workers); drop some",
                            where="--inject",
                        )
    return sorted(events, key=lambda e: e.start_min if e.start_min is not None else -(10**6))


def resolve_inject(inject: Inject, table: TpsTable) -> ScriptedEvent:
    """Find the TPS an inject affects; `InjectError` listing valid places if none match."""
    info = KINDS[inject.kind]
    level, name, rows = _find_place(inject.place, table)
    if level is None:
        raise InjectError(_unknown_place(inject, table), where="--inject")
    if level not in info.places:
        allowed = " or ".join(_LEVEL_WORD[p] for p in info.places)
        raise InjectError(
            f"{inject.spec!r}: {inject.kind} happens at {allowed}, but {inject.place!r} is "
            f"{_LEVEL_WORD[level]}",
            where="--inject",
        )
    return ScriptedEvent(
        kind=inject.kind,
        tps=rows,
        place=name,
        place_level=level,
        start_min=inject.start_min,
        duration_min=inject.duration_min,
        delay_min=inject.delay_min,
        spec=inject.spec,
    )


_LEVEL_WORD = {"tps": "a TPS", "village": "a village", "district": "a kecamatan"}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _strip_prefix(text: str) -> str:
    low = _norm(text)
    for prefix in _PLACE_PREFIXES:
        if low.startswith(prefix):
            return low[len(prefix) :].strip()
    return low


def _find_place(place: str, table: TpsTable) -> tuple[str | None, str, tuple[int, ...]]:
    """(level, canonical name, TPS rows) of a place, or (None, "", ())."""
    key = _norm(place)
    for i, tps_id in enumerate(table.tps_id):
        if _norm(tps_id) == key:
            return "tps", tps_id, (i,)
    bare = _strip_prefix(place)
    for d, name in enumerate(table.district_names):
        short = name.split(" / ")[-1]
        if _norm(name) in (key, bare) or _norm(short) in (key, bare):
            rows = tuple(int(i) for i in (table.district == d).nonzero()[0])
            return "district", name, rows
    for v, name in enumerate(table.village_names):
        if _norm(name) in (key, bare):
            rows = tuple(int(i) for i in (table.village == v).nonzero()[0])
            return "village", name, rows
    return None, "", ()


def _unknown_place(inject: Inject, table: TpsTable) -> str:
    info = KINDS[inject.kind]
    candidates: list[str] = []
    if "district" in info.places:
        candidates += list(table.district_names)
    if "village" in info.places:
        candidates += list(table.village_names)
    if "tps" in info.places:
        candidates += list(table.tps_id)
    close = difflib.get_close_matches(inject.place, candidates, n=3, cutoff=0.5)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    kecamatan = ", ".join(table.district_names[:8])
    more = " …" if len(table.district_names) > 8 else ""
    tps_example = f"{table.tps_id[0]}…{table.tps_id[-1]}" if len(table) else "none"
    return (
        f"{inject.spec!r}: no TPS, kecamatan or village called {inject.place!r}{hint}; "
        f"kecamatan: {kecamatan}{more}; TPS ids: {tps_example}; villages: see "
        "`planner validate --tps-out FILE`"
    )


def describe_kinds() -> str:
    """The kinds and their effects, one per line (for --help and docs)."""
    return "\n".join(f"{k.name}: {k.effect}" for k in KINDS.values())
