"""The trainer's demo tells what security did on the simulated day: a deterred attempt (and
the presence that deterred it), where a displaced attempt went, fraud found at counting,
and the patrol team's round at the TPS it follows — each at the time and TPS the
simulation has it (planner.sim.deterrence's attempt log, planner.sim.presence's rotation).

The days are found by search: the first seeds of the city training scenario whose
replication 0 has the event; the test fails if none of the seeds searched has it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from planner.demo.run import DemoOptions, DemoResult, run_demo
from planner.report.narrate import Entry
from planner.report.plots import clock_label
from planner.report.story import load_story
from planner.report.timeline import story_metrics
from planner.scenario.load import load_scenario
from planner.scenario.plan import default_plan
from planner.scenario.resolved import Scenario
from planner.sim.deterrence import AttemptLog, apply_deterrence
from planner.sim.incidents import draw_incidents
from planner.sim.presence import BY_PATROL, BY_RESIDUAL, BY_STATIONED, Presence

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "scenarios" / "training" / "klandasan-city.yaml"
SEEDS = range(60)


def day_log(sc: Scenario, seed: int) -> tuple[AttemptLog, Presence]:
    """Replication 0's attempts under the policy-default plan, as the demo's day has them."""
    _, result = apply_deterrence(sc, default_plan(sc), draw_incidents(sc, seed, 0), seed, 0)
    assert result is not None and result.log is not None
    return result.log, result.presence


def find(sc: Scenario, want: str) -> tuple[int, int]:
    """(seed, attempt index) of the first attempt of the kind `want` in `SEEDS`."""
    for seed in SEEDS:
        log, _ = day_log(sc, seed)
        for j in range(len(log)):
            by = int(log.deterred_by[j])
            if want == "stationed" and by == BY_STATIONED and log.target[j] < 0:
                return seed, j
            if want == "patrol_displaced" and by in (BY_PATROL, BY_RESIDUAL) and log.target[j] >= 0:
                return seed, j
            if want == "found_later" and log.found_later[j]:
                return seed, j
    raise AssertionError(f"no {want} attempt in seeds {SEEDS.start}–{SEEDS.stop - 1}")


def demo(tmp_path: Path, tps: str, seed: int, lang: str = "en") -> DemoResult:
    return run_demo(
        DemoOptions(scenario=CITY, tps=tps, seed=seed, lang=lang, out=tmp_path / f"d-{lang}")
    )


def entries_at(result: DemoResult, kind: str, clock_min: float) -> list[Entry]:
    return [e for e in result.entries if e.kind == kind and math.isclose(e.clock_min, clock_min)]


def trace_rows(result: DemoResult) -> list[dict[str, str]]:
    with (result.run_dir / "trace.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def city() -> Scenario:
    return load_scenario(CITY)


def test_a_deterred_attempt_names_the_officers_on_duty(city: Scenario, tmp_path: Path) -> None:
    seed, j = find(city, "stationed")
    log, _ = day_log(city, seed)
    tps = city.tps.tps_id[int(log.origin[j])]
    t = float(log.time_min[j])
    result = demo(tmp_path, tps, seed)
    told = entries_at(result, "attempt", t)
    assert len(told) == 1, [(e.clock, e.text) for e in result.entries]
    text = told[0].text
    assert told[0].clock == clock_label(t)
    assert f"at {tps}," in text
    assert "saw the police officers on duty and left. The attempt was prevented." in text
    # the simulation's own trace has the same event at the same minute
    rows = [r for r in trace_rows(result) if r["what"].endswith("attempt deterred")]
    assert [float(r["clock_min"]) for r in rows] == pytest.approx([t], abs=1e-3)
    assert rows[0]["detail"] == "by stationed; prevented"
    # and the story saved in the folder says so too
    story = load_story(result.run_dir / "story.json")
    (attempt,) = [a for a in story.attempts if a.tps_id == tps and a.time_min == t]
    assert attempt.deterred_by == "stationed" and attempt.who == "police"
    here = (log.origin == log.origin[j]) & (log.deterred_by >= 0)
    assert story_metrics(result.story)["m_deterred"] == float(here.sum())
    indonesian = demo(tmp_path, tps, seed, "id")
    (told_id,) = entries_at(indonesian, "attempt", t)
    assert "melihat polisi yang berjaga, lalu mengurungkan niatnya" in told_id.text
    assert "Percobaan itu tercegah." in told_id.text


def test_a_displaced_attempt_says_where_it_went(city: Scenario, tmp_path: Path) -> None:
    seed, j = find(city, "patrol_displaced")
    log, presence = day_log(city, seed)
    origin, target = int(log.origin[j]), int(log.target[j])
    tps, there = city.tps.tps_id[origin], city.tps.tps_id[target]
    t = float(log.time_min[j])
    result = demo(tmp_path, tps, seed)
    (told,) = entries_at(result, "attempt", t)
    assert "the patrol (police team 2-6-12" in told.text  # the patrol that deterred it
    if log.deterred_by[j] == BY_RESIDUAL:
        _, since = presence.patrol_at(np.array([origin]), np.array([t]))
        assert f"had left only {round(float(since[0]))} min before" in told.text
    assert f"They tried again at {there}" in told.text
    # the TPS it went to tells the same attempt, displaced in
    other = demo(tmp_path / "other", there, seed)
    (told_there,) = entries_at(other, "attempt", t)
    assert told_there.text == told.text
    rows = [r for r in trace_rows(other) if "displaced from" in r["what"]]
    assert [r["what"].split()[-1] for r in rows] == [tps]


def test_fraud_found_at_counting_is_told_when_it_is_found(city: Scenario, tmp_path: Path) -> None:
    seed, j = find(city, "found_later")
    log, _ = day_log(city, seed)
    at = city.tps.tps_id[int(log.at[j])]
    found, done = float(log.found_min[j]), float(log.time_min[j])
    assert found >= city.spec.day.close
    result = demo(tmp_path, at, seed)
    (told,) = [e for e in result.entries if e.kind == "incident" and "At counting" in e.text]
    assert told.clock_min == pytest.approx(found)
    assert f"done at {at} at {clock_label(done)} that nobody caught then" in told.text


def test_the_patrol_round_is_the_rotation(city: Scenario, tmp_path: Path) -> None:
    """A TPS on 2-6-12 (a police team rotating over six TPS): every arrival of the team in
    the timeline is a visit of the presence timeline, up to the end of counting there, and
    every full visit ends with a departure for the next TPS of the round."""
    seed, j = find(city, "patrol_displaced")
    log, presence = day_log(city, seed)
    i = int(log.origin[j])
    tps = city.tps.tps_id[i]
    result = demo(tmp_path, tps, seed)
    subject = next(t for t in result.story.tps if t.tps_id == tps)
    visits = presence.visits(i, subject.count_end_min)
    assert len(visits) >= 3
    patrol = [e for e in result.entries if e.kind == "patrol"]
    arrivals = [e.clock_min for e in patrol if "arrives at" in e.text or "is back at" in e.text]
    assert arrivals == [a for a, _ in visits]
    leaves = [e for e in patrol if e.text.startswith("The patrol leaves")]
    assert [e.clock_min for e in leaves] == [
        b for a, b in visits if b - a >= presence.dwell_min - 1e-9
    ]
    first = next(e for e in patrol if "arrives at" in e.text)
    assert f"arrives at {tps} on its round of {int(presence.patrol_k[i])} TPS" in first.text
    assert f"stays {round(presence.dwell_min)} min" in first.text
    story = result.story
    assert [v.visit for v in story.patrols] == list(range(1, len(visits) + 1))
    trace = [r for r in trace_rows(result) if r["what"] == "patrol arrives"]
    assert [float(r["clock_min"]) for r in trace] == pytest.approx(arrivals)


def test_old_stories_without_attempts_still_load(tmp_path: Path) -> None:
    """story.json written before the attempts and patrols were kept reads back with none."""
    import json

    from planner.report.story import DayStory, save_story

    path = tmp_path / "story.json"
    save_story(DayStory("s", 1, 0, "tps", "T1"), path)
    data = json.loads(path.read_text())
    del data["attempts"], data["patrols"]
    path.write_text(json.dumps(data))
    story = load_story(path)
    assert story.attempts == [] and story.patrols == []
