"""Situation reports, the narrated timeline and the demo report, on a hand-made day."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from planner.report.build import render_report
from planner.report.i18n import Translator
from planner.report.narrate import narrate
from planner.report.sitrep import report_times, sitrep_line, sitreps, situation
from planner.report.story import load_story, save_story

from .fakes import demo_run, demo_story


def test_sitrep_roll_up_at_ten() -> None:
    story = demo_story()
    barat = situation(story, 600.0, "Barat")
    # 07:00–08:00 nobody votes, then 8 per 5 min: 08:00–10:00 is 24 bins = 192 per TPS
    assert barat.voted == 2 * 192
    assert barat.voters_dpt == 1000 and barat.turnout == pytest.approx(0.384)
    assert (barat.tps, barat.tps_open, barat.kits_missing, barat.tps_counted) == (2, 2, 0, 0)
    assert (barat.incidents_open, barat.incidents_resolved) == (0, 0)
    region = situation(story, 630.0, None)
    assert region.incidents_open == 1 and region.open_by_type == {"dispute": 1}
    assert region.incidents_resolved == 1  # vote buying settled on site at 08:20
    assert region.responders_committed == 1
    after = situation(story, 670.0, None)
    assert (after.incidents_open, after.incidents_resolved, after.responders_committed) == (0, 2, 0)


def test_sitrep_early_morning_counts_missing_kits_and_late_opening() -> None:
    story = demo_story()
    at_six = situation(story, 360.0, "Barat")
    assert at_six.kits_missing == 1  # TPS-0002's kit comes at 06:40
    at_seven = situation(story, 420.0, "Barat")
    assert (at_seven.kits_missing, at_seven.tps_open) == (0, 1)  # TPS-0002 opens 07:35


def test_sitrep_times_cover_the_night() -> None:
    story = demo_story()
    times = report_times(story, 60)
    assert times[0] == 420.0  # first full hour after 06:00 arrival
    assert times[-1] >= 1460.0  # until the last TPS has counted
    groups = sitreps(story, 60)
    assert all(len(g) == 3 for g in groups)  # two kecamatan + region
    last = groups[-1][-1]
    assert last.tps_counted == 3 and last.area == ""


def test_sitrep_line_in_both_languages() -> None:
    row = situation(demo_story(), 630.0, None)
    en = sitrep_line(Translator("en"), row)
    assert en.startswith("SITREP 10:30 — whole region: 3/3 TPS open")
    assert "(dispute 1)" in en and "1 responders out" in en
    id_ = sitrep_line(Translator("id"), row)
    assert id_.startswith("LAPORAN 10:30 — seluruh wilayah: 3/3 TPS buka")


def test_narration_tells_the_day_in_order() -> None:
    entries = narrate(demo_story(), Translator("en"), sitrep_min=60)
    clocks = [e.clock_min for e in entries]
    assert clocks == sorted(clocks)
    text = "\n".join(f"{e.clock} {e.text}" for e in entries)
    assert "07:00 Voting starts: 1 of 2 TPS open on time." in text
    assert "07:35 TPS-0002 opens 35 min late." in text
    assert "10:15 [inject] Dispute at TPS-0001 (major). Voting stops for 30 minutes." in text
    assert "10:16 Polsek Barat reserve 1 (police) is dispatched to TPS-0001." in text
    assert "10:40 Polsek Barat reserve 1 arrives at TPS-0001, 25 min after the call." in text
    assert "H+1 00:20 Counting at TPS-0002 is finished — after midnight." in text
    assert "KPPS 7 at TPS-0001: faints." in text
    assert "All results of Kecamatan Barat are at the PPK" in text
    assert text.count("SITREP") >= 2 * 17 and "SITREP 10:00 — Kota" not in text


def test_narration_in_indonesian_has_no_english_sentences() -> None:
    entries = narrate(demo_story(), Translator("id"))
    text = " ".join(e.text for e in entries)
    assert "Pemungutan suara dimulai" in text and "diberangkatkan" in text
    for english in ("opens", "dispatched", "Counting", "Voting", "settled"):
        assert english not in text


def test_tps_subject_story() -> None:
    story = demo_story()
    story.subject_kind, story.subject = "tps", "TPS-0001"
    text = "\n".join(f"{e.clock} {e.text}" for e in narrate(story, Translator("en")))
    assert "05:30 The election kit reaches TPS-0001: 513 ballot sets." in text
    assert "08:00 The queue at TPS-0001 builds: 10 people are waiting." in text
    assert "09:00 The queue at TPS-0001 peaks at 25 people." in text
    assert "13:00 Voting closes. 6 people still in line may vote." in text
    assert "TPS-0003" not in text


def test_story_round_trip(tmp_path: Path) -> None:
    story = demo_story()
    save_story(story, tmp_path / "story.json")
    again = load_story(tmp_path / "story.json")
    assert again.tps == story.tps
    assert math.isnan(again.incidents[1].dispatch_min)
    assert again.workers[6].health_event == "faints"


def test_demo_report(tmp_path: Path) -> None:
    text = render_report(demo_run(tmp_path), "en")
    for title in (
        "Exercise injects",
        "Timeline",
        "The day in pictures",
        "The same day without the injects",
        "Situation reports",
    ):
        assert f"<h2>{title}</h2>" in text
    assert text.count("data:image/svg+xml") == 3
    assert "protest@TPS-0001@10:15" in text
    assert "+35 min" in text  # the late kit cost 35 minutes of opening


def test_area_event_is_told_as_one_group() -> None:
    import dataclasses

    story = demo_story()
    flood = dataclasses.replace(
        story.incidents[0], type="flood", time_min=480.0, scripted=True, effect_min=90.0
    )
    story.incidents = [
        dataclasses.replace(flood, tps_id=f"TPS-90{k}", unit=f"unit {k % 2}", escalated=k < 2)
        for k in range(5)
    ]
    for k, incident in enumerate(story.incidents):
        incident.district = "Barat"
        incident.arrival_min = 500.0 + k
    text = "\n".join(f"{e.clock} {e.text}" for e in narrate(story, Translator("en")))
    assert (
        "08:00 [inject] Flood at 5 TPS (major), from TPS-900 to TPS-904. "
        "Voting stops for 90 minutes." in text
    )
    assert "08:00 2 of them escalate" in text
    assert (
        "08:24 2 responder units reach 5 of the TPS, the first at 08:20, the last at 08:24." in text
    )
    assert text.count("Flood") == 2  # the head line and the 'last settled' line


@pytest.mark.parametrize(
    ("after_min", "lang", "text"),
    [
        (0.0, "en", "medical 1 is already at KLU-005 and takes it in hand."),
        (0.42, "en", "medical 1 arrives at KLU-005 within a minute of the call (its post is"),
        (0.42, "id", "medical 1 tiba di KLU-005 kurang dari satu menit setelah kejadian"),
        (12.6, "en", "medical 1 arrives at KLU-005, 13 min after the call."),
    ],
)
def test_arrival_is_told_as_the_trip_it_was(after_min: float, lang: str, text: str) -> None:
    """A 0.42-min trip (a post 280 m away at 40 km/h) is not '0 min after the call'."""
    from dataclasses import replace

    from planner.report.narrate import _arrival_text

    inc = replace(
        demo_story().incidents[0],
        tps_id="KLU-005",
        unit="medical 1",
        time_min=990.0,
        arrival_min=990.0 + after_min,
    )
    assert _arrival_text(inc, Translator(lang)).startswith(text)
