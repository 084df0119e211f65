"""The trainer's timeline: one simulated polling day told in plain language (id or en).

`narrate(story, tr)` turns a `DayStory` into time-ordered `Entry` lines: kits arriving at
dawn, doors opening, the queue building, a worker tiring, each incident with who is
dispatched and when they arrive, voting closing, counting into the night, results leaving
for the PPK, and (optionally) the hourly situation reports. For one TPS every step is told;
for a kecamatan the routine is summarised and the exceptions (late openings, incidents,
counting after midnight) are told one by one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.report.i18n import Translator
from planner.report.plots import clock_label
from planner.report.sitrep import sitrep_line, sitreps
from planner.report.story import AttemptStory, DayStory, IncidentStory, TpsDay

TIRED_LEVELS = (3.5, 6.0)
"""Alertness deficit (points) at which the timeline says a worker is tiring, then exhausted:
3.5 points is about 17–19 h awake in the staff model (staff.fatigue.slowdown_per_point:
responses 20–30% slower); 6 points (est.) is well past a night without sleep."""
GROUP_TOLD = 3
"""Incidents of one event (same type and start) at more TPS than this are told as one group."""
LATE_LISTED = 5
"""Up to this many late openings in a kecamatan are told one by one; more are summarised."""
QUEUE_BUILD = 10
"""Queue length at which the timeline says the queue is building (people)."""

ORDER = {
    "inject": 0,
    "logistics": 1,
    "staff": 2,
    "open": 3,
    "queue": 4,
    "patrol": 4,
    "attempt": 5,
    "incident": 5,
    "dispatch": 6,
    "arrive": 7,
    "resolved": 8,
    "fatigue": 9,
    "health": 9,
    "close": 10,
    "count": 11,
    "results": 12,
    "sitrep": 13,
}
"""Order of entries that share a minute."""


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    clock_min: float
    kind: str
    """One of ORDER's keys (used for styling and ordering)."""
    text: str

    @property
    def clock(self) -> str:
        """HH:MM (with a day prefix after midnight)."""
        return clock_label(self.clock_min)


def narrate(story: DayStory, tr: Translator, sitrep_min: int | None = None) -> list[Entry]:
    """All timeline entries of the story, in time order."""
    entries: list[Entry] = []
    entries += _inject_entries(story, tr)
    if story.subject_kind == "tps" and len(story.tps) >= 1:
        subject = next((t for t in story.tps if t.tps_id == story.subject), story.tps[0])
        entries += _tps_entries(story, subject, tr)
        incidents = [i for i in story.incidents if i.tps_id == subject.tps_id]
    else:
        entries += _district_entries(story, tr)
        incidents = [i for i in story.incidents if i.district == story.subject]
    entries += _attempt_entries(story, tr)
    entries += _patrol_entries(story, tr)
    for group in group_incidents(incidents):
        if len(group) > GROUP_TOLD:
            entries += _group_entries(group, tr)
        else:
            for incident in group:
                entries += _incident_entries(incident, tr)
    entries += _worker_entries(story, tr)
    if sitrep_min:
        home = story.subject
        if story.subject_kind == "tps":
            home = next((t.district for t in story.tps if t.tps_id == story.subject), "")
        for rows in sitreps(story, sitrep_min):
            for row in rows:
                if row.area in (home, ""):  # the subject's kecamatan and the region
                    entries.append(Entry(row.clock_min, "sitrep", sitrep_line(tr, row)))
    entries = [e for e in entries if math.isfinite(e.clock_min)]
    return sorted(entries, key=lambda e: (e.clock_min, ORDER.get(e.kind, 99)))


def incident_label(tr: Translator, kind: str) -> str:
    """An incident type in words ('dispute' → 'A dispute' / 'Perselisihan')."""
    key = f"type_{kind}"
    return tr(key) if tr.has(key) else kind.replace("_", " ")


def _inject_entries(story: DayStory, tr: Translator) -> list[Entry]:
    out = []
    for spec in story.injects:
        clock = _inject_clock(spec, story)
        out.append(Entry(clock, "inject", tr("n_inject", what=describe_inject(spec, tr))))
    return out


def describe_inject(spec: str, tr: Translator) -> str:
    """An inject in words: 'flood at Prapatan, 08:00 for 120 min' (id/en)."""
    from planner.scenario.injects import parse_inject

    inject = parse_inject(spec)
    kind = tr(f"inj_{inject.kind}") if tr.has(f"inj_{inject.kind}") else inject.kind
    if inject.delay_min is not None:
        return tr("inj_delay", kind=kind, place=inject.place, m=round(inject.delay_min))
    when = clock_label(inject.start_min) if inject.start_min is not None else ""
    if inject.duration_min is not None:
        return tr("inj_for", kind=kind, place=inject.place, when=when, m=round(inject.duration_min))
    return tr("inj_at", kind=kind, place=inject.place, when=when)


def _inject_clock(spec: str, story: DayStory) -> float:
    from planner.scenario.injects import parse_inject

    inject = parse_inject(spec)
    if inject.start_min is not None:
        return float(inject.start_min)
    return story.staff_arrive_min


def _tps_entries(story: DayStory, t: TpsDay, tr: Translator) -> list[Entry]:
    out: list[Entry] = []
    if math.isfinite(t.kit_arrive_min):
        out.append(Entry(t.kit_arrive_min, "logistics", tr("n_kit", tps=t.tps_id, n=t.kit_ballots)))
        if t.kit_problem:
            out.append(
                Entry(
                    max(t.kit_arrive_min, story.staff_arrive_min),
                    "logistics",
                    tr("n_kit_problem", problem=_kit_problem(tr, t.kit_problem)),
                )
            )
    out.append(Entry(story.staff_arrive_min, "staff", tr("n_staff", tps=t.tps_id)))
    late = t.open_min - story.day_open_min
    if late > 0.5:
        out.append(
            Entry(
                t.open_min,
                "open",
                tr("n_open_late", tps=t.tps_id, late=round(late), n=t.voters_dpt),
            )
        )
    else:
        out.append(Entry(t.open_min, "open", tr("n_open", tps=t.tps_id, n=t.voters_dpt)))
    out += _queue_entries(t, tr)
    out.append(
        Entry(
            story.day_close_min,
            "close",
            tr("n_close", queue=_queue_at(t, story.day_close_min)),
        )
    )
    if math.isfinite(t.last_voter_min):
        out.append(
            Entry(
                t.last_voter_min,
                "count",
                tr(
                    "n_last_voter",
                    tps=t.tps_id,
                    voted=t.voters_voted,
                    dpt=t.voters_dpt,
                    turnout=tr.percent(t.voters_voted / t.voters_dpt if t.voters_dpt else 0, 0),
                    gave_up=t.voters_gave_up,
                    wait=tr.number(t.wait_mean_min, 0),
                    wait_max=tr.number(t.wait_max_min, 0),
                ),
            )
        )
    if math.isfinite(t.count_end_min):
        key = "n_count_done_late" if t.count_end_min >= 1440 else "n_count_done"
        out.append(Entry(t.count_end_min, "count", tr(key, tps=t.tps_id)))
    if math.isfinite(t.results_ppk_min):
        out.append(Entry(t.results_ppk_min, "results", tr("n_results_tps", tps=t.tps_id)))
    done = story.district_results_min.get(t.district, math.nan)
    if math.isfinite(done):
        out.append(Entry(done, "results", tr("n_results_district", district=t.district)))
    return out


def _queue_at(t: TpsDay, clock_min: float) -> int:
    length = 0
    for time, n in zip(t.queue_times, t.queue_lengths, strict=True):
        if time > clock_min:
            break
        length = n
    return length


def _queue_entries(t: TpsDay, tr: Translator) -> list[Entry]:
    if not t.queue_times:
        return []
    out = []
    built = next(
        (time for time, n in zip(t.queue_times, t.queue_lengths, strict=True) if n >= QUEUE_BUILD),
        None,
    )
    if built is not None:
        out.append(Entry(built, "queue", tr("n_queue_build", tps=t.tps_id, n=QUEUE_BUILD)))
    peak = max(t.queue_lengths)
    if peak > 0:
        at = t.queue_times[t.queue_lengths.index(peak)]
        out.append(Entry(at, "queue", tr("n_queue_peak", tps=t.tps_id, n=peak)))
    return out


def _district_entries(story: DayStory, tr: Translator) -> list[Entry]:
    """The subject kecamatan's day: routine summarised, exceptions told one by one."""
    out: list[Entry] = []
    mine = [t for t in story.tps if t.district == story.subject] or story.tps
    n = len(mine)
    arrived = sorted(t.kit_arrive_min for t in mine if math.isfinite(t.kit_arrive_min))
    at_staff = sum(1 for a in arrived if a <= story.staff_arrive_min)
    if arrived:
        out.append(Entry(arrived[0], "logistics", tr("n_kits_first", n=n)))
    out.append(Entry(story.staff_arrive_min, "staff", tr("n_kits_at_staff", k=at_staff, n=n)))
    if arrived and arrived[-1] > max(story.staff_arrive_min, arrived[0]):
        out.append(Entry(arrived[-1], "logistics", tr("n_kits_last")))
    for t in mine:
        if t.kit_problem:
            out.append(
                Entry(
                    max(t.kit_arrive_min, story.staff_arrive_min),
                    "logistics",
                    tr("n_kit_problem_at", tps=t.tps_id, problem=_kit_problem(tr, t.kit_problem)),
                )
            )
    on_time = [t for t in mine if t.open_min - story.day_open_min <= 0.5]
    out.append(Entry(story.day_open_min, "open", tr("n_open_district", k=len(on_time), n=n)))
    late = sorted(
        (t for t in mine if t.open_min - story.day_open_min > 0.5), key=lambda t: t.open_min
    )
    if len(late) <= LATE_LISTED:
        for t in late:
            minutes = round(t.open_min - story.day_open_min)
            out.append(
                Entry(t.open_min, "open", tr("n_open_late_short", tps=t.tps_id, late=minutes))
            )
    else:
        first, last = late[0], late[-1]
        out.append(
            Entry(
                last.open_min,
                "open",
                tr(
                    "n_open_late_many",
                    k=len(late),
                    low=round(first.open_min - story.day_open_min),
                    high=round(last.open_min - story.day_open_min),
                    tps=last.tps_id,
                ),
            )
        )
    traced = [t for t in mine if t.queue_times]
    if traced:
        worst = max(traced, key=lambda t: max(t.queue_lengths))
        out += _queue_entries(worst, tr)
    voted = sum(t.voters_voted for t in mine)
    dpt = sum(t.voters_dpt for t in mine)
    gave_up = sum(t.voters_gave_up for t in mine)
    out.append(
        Entry(
            story.day_close_min,
            "close",
            tr(
                "n_close_district",
                voted=tr.number(voted),
                dpt=tr.number(dpt),
                turnout=tr.percent(voted / dpt if dpt else 0, 1),
                gave_up=tr.number(gave_up),
            ),
        )
    )
    ends = sorted(t.count_end_min for t in mine if math.isfinite(t.count_end_min))
    if ends:
        half = ends[(len(ends) - 1) // 2]
        out.append(Entry(ends[0], "count", tr("n_count_first")))
        out.append(Entry(half, "count", tr("n_count_half", k=(len(ends) + 1) // 2, n=n)))
        out.append(Entry(ends[-1], "count", tr("n_count_all", n=n)))
        for t in mine:
            if t.count_end_min >= 1440:
                out.append(Entry(t.count_end_min, "count", tr("n_count_done_late", tps=t.tps_id)))
    done = story.district_results_min.get(story.subject, math.nan)
    if math.isfinite(done):
        out.append(Entry(done, "results", tr("n_results_district", district=story.subject)))
    return out


def _arrival_text(i: IncidentStory, tr: Translator) -> str:
    """A responder's arrival: already there (stationed at the TPS, no trip), within a minute
    (a post close by: travel is distance over speed), or after so many minutes."""
    after_min = i.arrival_min - i.time_min
    if after_min <= 0.0:
        return tr("n_arrive_there", unit=i.unit, tps=i.tps_id)
    if after_min < 0.5:
        return tr("n_arrive_soon", unit=i.unit, tps=i.tps_id)
    return tr("n_arrive", unit=i.unit, tps=i.tps_id, m=round(after_min))


def _incident_entries(i: IncidentStory, tr: Translator) -> list[Entry]:
    out: list[Entry] = []
    sev = tr(f"sev_{i.severity}") if tr.has(f"sev_{i.severity}") else i.severity
    head = tr("n_incident", what=incident_label(tr, i.type), tps=i.tps_id, severity=sev)
    if i.scripted:
        head = tr("n_inject_tag") + " " + head
    if i.found_later:
        head = tr(
            "n_found_later",
            what=_lower_first(incident_label(tr, i.type)),
            tps=i.tps_id,
            when=clock_label(i.attempt_min),
        )
    effect = ""
    if math.isfinite(i.effect_min) and i.effect_min > 0:
        key = "n_effect_count" if i.time_min >= 780 and i.type != "flood" else "n_effect_vote"
        effect = " " + tr(key, m=round(i.effect_min))
    if i.onsite:
        out.append(Entry(i.time_min, "incident", head + " " + tr("n_onsite") + effect))
        return out
    out.append(Entry(i.time_min, "incident", head + effect))
    if i.unit and math.isfinite(i.dispatch_min):
        out.append(
            Entry(
                i.dispatch_min,
                "dispatch",
                tr("n_dispatch", unit=i.unit, agency=i.agency, tps=i.tps_id),
            )
        )
    if i.unit and math.isfinite(i.arrival_min):
        out.append(Entry(i.arrival_min, "arrive", _arrival_text(i, tr)))
    if i.escalated:
        out.append(Entry(i.time_min, "incident", tr("n_escalated", tps=i.tps_id)))
    if i.unresolved:
        out.append(Entry(i.time_min, "incident", tr("n_unresolved", tps=i.tps_id)))
    elif math.isfinite(i.resolved_min):
        out.append(
            Entry(
                i.resolved_min,
                "resolved",
                tr("n_resolved", what=incident_label(tr, i.type), tps=i.tps_id),
            )
        )
    return out


def _worker_entries(story: DayStory, tr: Translator) -> list[Entry]:
    out: list[Entry] = []
    for w in story.workers:
        for level, key in zip(TIRED_LEVELS, ("n_tiring", "n_exhausted"), strict=True):
            at = next((t for t, f in zip(w.times_min, w.fatigue, strict=True) if f >= level), None)
            if at is not None:
                out.append(
                    Entry(
                        at, "fatigue", tr(key, worker=w.worker, tps=w.tps_id, v=tr.number(level, 2))
                    )
                )
        if math.isfinite(w.health_event_min):
            out.append(
                Entry(
                    w.health_event_min,
                    "health",
                    tr("n_health", worker=w.worker, tps=w.tps_id, what=_health(tr, w.health_event)),
                )
            )
    return out


def _health(tr: Translator, code: str) -> str:
    key = f"health_{code}"
    return tr(key) if tr.has(key) else code


def _kit_problem(tr: Translator, codes: str) -> str:
    """'short,damaged' → 'short of ballots and damaged' in the report language."""
    words = [tr(f"kit_{c}") if tr.has(f"kit_{c}") else c for c in codes.split(",") if c]
    return tr("and").join(words)


def group_incidents(incidents: list[IncidentStory]) -> list[list[IncidentStory]]:
    """Incidents grouped by (type, start minute, inject or not): an area event (a flood over
    a kecamatan) is one group; single incidents are groups of one."""
    groups: dict[tuple[str, float, bool], list[IncidentStory]] = {}
    for i in incidents:
        groups.setdefault((i.type, round(i.time_min, 3), i.scripted), []).append(i)
    return list(groups.values())


def _group_entries(group: list[IncidentStory], tr: Translator) -> list[Entry]:
    """One area event at many TPS, told in a few lines."""
    first = group[0]
    t0 = first.time_min
    sev = tr(f"sev_{first.severity}") if tr.has(f"sev_{first.severity}") else first.severity
    ids = sorted(i.tps_id for i in group)
    head = tr(
        "n_incident_many",
        what=incident_label(tr, first.type),
        k=len(group),
        severity=sev,
        first=ids[0],
        last=ids[-1],
    )
    if first.scripted:
        head = tr("n_inject_tag") + " " + head
    effects = [i.effect_min for i in group if math.isfinite(i.effect_min) and i.effect_min > 0]
    if effects:
        key = "n_effect_count" if t0 >= 780 and first.type != "flood" else "n_effect_vote"
        head += " " + tr(key, m=round(max(effects)))
    out = [Entry(t0, "incident", head)]
    onsite = sum(1 for i in group if i.onsite)
    if onsite:
        out.append(Entry(t0, "incident", tr("n_many_onsite", k=onsite)))
    escalated = sum(1 for i in group if i.escalated)
    if escalated:
        out.append(Entry(t0, "incident", tr("n_many_escalated", k=escalated)))
    arrivals = sorted(
        (i.arrival_min, i.unit) for i in group if i.unit and math.isfinite(i.arrival_min)
    )
    if arrivals:
        out.append(
            Entry(
                arrivals[-1][0],
                "arrive",
                tr(
                    "n_many_arrive",
                    u=len({u for _, u in arrivals}),
                    k=len(arrivals),
                    first=clock_label(arrivals[0][0]),
                    last=clock_label(arrivals[-1][0]),
                ),
            )
        )
    unresolved = sum(1 for i in group if i.unresolved)
    if unresolved:
        out.append(Entry(t0, "incident", tr("n_many_unresolved", k=unresolved)))
    settled = [i.resolved_min for i in group if math.isfinite(i.resolved_min)]
    if settled:
        out.append(
            Entry(
                max(settled),
                "resolved",
                tr("n_many_resolved", what=incident_label(tr, first.type), k=len(settled)),
            )
        )
    return out


def attempt_act(tr: Translator, kind: str) -> str:
    """What someone came to do, in words ('vote_buying' → 'buy votes' / 'membeli suara')."""
    key = f"act_{kind}"
    return tr(key) if tr.has(key) else tr("act_other", what=kind.replace("_", " "))


def presence_words(tr: Translator, kind: str, who: str, since_min: float = math.nan) -> str:
    """The presence that stopped an attempt, in words: 'saw the police officers on duty'."""
    if kind == "stationed":
        return tr("by_stationed", who=agency_words(tr, who))
    if kind == "patrol":
        return tr("by_patrol", who=who)
    if kind == "patrol_residual":
        return tr(
            "by_patrol_residual", who=who, m=round(since_min) if since_min == since_min else 0
        )
    if kind == "linmas":
        return tr("by_linmas", who=agency_words(tr, who))
    return kind


def agency_words(tr: Translator, agencies: str) -> str:
    """'police+tni' → 'police officers and soldiers' (id/en); unknown agencies as named."""
    words = [tr(f"agency_{a}") if tr.has(f"agency_{a}") else a for a in agencies.split("+") if a]
    return tr("and").join(words)


def _attempt_entries(story: DayStory, tr: Translator) -> list[Entry]:
    """The attempts at (or displaced to) the subject: deterred — by what, and where they
    went — and fraud that nobody caught (undetected). Caught attempts and fraud found at
    counting are incidents, told with them."""
    if story.subject_kind == "tps":
        mine = [a for a in story.attempts if story.subject in (a.tps_id, a.target_tps)]
    else:
        mine = [a for a in story.attempts if a.district == story.subject]
    out: list[Entry] = []
    for a in mine:
        act = attempt_act(tr, a.type)
        if a.deterred_by:
            text = tr(
                "n_attempt_deterred",
                act=act,
                tps=a.tps_id,
                by=presence_words(tr, a.deterred_by, a.who, a.since_min),
            )
            if a.displaced:
                if a.target_deterred_by:
                    rest = tr(
                        "n_displaced_stopped",
                        tps=a.target_tps,
                        by=presence_words(tr, a.target_deterred_by, a.target_who),
                    )
                else:
                    rest = tr("n_displaced_ahead", tps=a.target_tps) + " " + _fate(tr, a)
                text += " " + rest
            else:
                text += " " + tr("n_prevented")
            out.append(Entry(a.time_min, "attempt", text))
        if a.undetected:
            out.append(Entry(a.time_min, "attempt", tr("n_undetected", act=act, tps=a.at_tps)))
    return out


def _patrol_entries(story: DayStory, tr: Translator) -> list[Entry]:
    """The patrol team's round as the subject TPS sees it: each arrival and departure."""
    out: list[Entry] = []
    visits = sorted(story.patrols, key=lambda v: v.arrive_min)
    dwell = visits[0].leave_min - visits[0].arrive_min if visits else 0.0
    for n, v in enumerate(visits):
        k = len(v.round_tps)
        if k <= 1:
            out.append(
                Entry(v.arrive_min, "patrol", tr("n_patrol_stays", team=v.team, tps=v.tps_id))
            )
            continue
        if n == 0:
            text = tr(
                "n_patrol_first",
                team=v.team,
                size=v.size,
                tps=v.tps_id,
                k=k,
                first=v.round_tps[0],
                last=v.round_tps[-1],
                m=round(v.leave_min - v.arrive_min),
                every=round(k * (v.leave_min - v.arrive_min)),
            )
        else:
            text = tr("n_patrol_back", team=v.team, tps=v.tps_id, n=v.visit)
        out.append(Entry(v.arrive_min, "patrol", text))
        place = v.round_tps.index(v.tps_id) if v.tps_id in v.round_tps else -1
        after = v.round_tps[(place + 1) % k] if place >= 0 else ""
        if v.leave_min - v.arrive_min >= dwell - 1e-6:  # the last visit may be cut by the end
            out.append(
                Entry(v.leave_min, "patrol", tr("n_patrol_leaves", tps=v.tps_id, next=after))
            )
    return out


def _fate(tr: Translator, a: AttemptStory) -> str:
    """What became of an attempt that went ahead: dealt with at once, found at counting, or
    never found."""
    if a.found_later:
        return tr("fate_found_later", when=clock_label(a.found_min))
    if a.undetected:
        return tr("fate_undetected")
    return tr("fate_caught", tps=a.at_tps)


def _lower_first(text: str) -> str:
    """'Vote buying' → 'vote buying' (for a label inside a sentence)."""
    return text[:1].lower() + text[1:]
