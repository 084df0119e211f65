"""Inject grammar: parsing, place lookup and the errors a trainer sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.scenario.injects import (
    KINDS,
    InjectError,
    parse_duration,
    parse_inject,
    read_inject_file,
    resolve_injects,
)
from planner.scenario.resolved import Scenario


def test_issue_examples_parse() -> None:
    flood = parse_inject("flood@Balikpapan Barat@08:00")
    assert (flood.kind, flood.place, flood.start_min) == ("flood", "Balikpapan Barat", 480)
    assert flood.duration_min == KINDS["flood"].default_duration_min == 120.0
    collapse = parse_inject("collapse@TPS-0012@19:30")
    assert (collapse.start_min, collapse.duration_min) == (19 * 60 + 30, None)
    protest = parse_inject("protest@TPS-0007@10:15")
    assert (protest.start_min, protest.duration_min) == (615, 30.0)
    late = parse_inject("late-kit@PPK Balikpapan Kota@+90min")
    assert (late.start_min, late.delay_min) == (None, 90.0)
    cut = parse_inject("power-cut@Klandasan Ilir@20:00+45min")
    assert (cut.start_min, cut.duration_min) == (1200, 45.0)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45min", 45), ("45m", 45), ("2h", 120), ("1h30min", 90), ("1.5h", 90), ("1h 5m", 65)],
)
def test_durations(text: str, minutes: float) -> None:
    assert parse_duration(text) == minutes


def test_day_prefixed_clock_with_duration() -> None:
    inject = parse_inject("power-cut@TPS-0001@H+1 00:30+1h")
    assert (inject.start_min, inject.duration_min) == (1440 + 30, 60.0)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("flod@Balikpapan Barat@08:00", "did you mean flood"),
        ("earthquake@TPS-0001@08:00", "valid kinds: flood, power-cut, protest, collapse, late-kit"),
        ("flood@Balikpapan Barat", "three parts"),
        ("flood@@08:00", "three parts"),
        ("flood@Balikpapan Barat@8am", "HH:MM"),
        ("flood@Balikpapan Barat@25:00", "out of range"),
        ("flood@Balikpapan Barat@+90min", "only late-kit takes a delay"),
        ("collapse@TPS-0001@19:30+10min", "one moment"),
        ("power-cut@TPS-0001@20:00+forever", "not like 45min"),
    ],
)
def test_bad_grammar_says_what_is_valid(spec: str, fragment: str) -> None:
    with pytest.raises(InjectError) as info:
        parse_inject(spec)
    assert fragment in str(info.value)
    assert str(info.value).startswith("--inject: ")


def test_places_resolve_to_the_right_tps(small_scenario: Scenario) -> None:
    table = small_scenario.tps
    events = resolve_injects(
        [
            "late-kit@PPK Balikpapan Kota@+90min",
            "flood@balikpapan  barat@08:00",
            "power-cut@Klandasan Ilir@20:00+45min",
            "collapse@tps-0003@19:30",
        ],
        table,
    )
    by_kind = {e.kind: e for e in events}
    kota = table.district_names.index("Balikpapan Kota")
    assert by_kind["late-kit"].tps == tuple(int(i) for i in (table.district == kota).nonzero()[0])
    assert by_kind["late-kit"].place_level == "district"
    assert len(by_kind["flood"].tps) == 6
    ilir = table.village_names.index("Klandasan Ilir")
    assert by_kind["power-cut"].tps == tuple(int(i) for i in (table.village == ilir).nonzero()[0])
    assert by_kind["power-cut"].place_level == "village"
    assert by_kind["power-cut"].end_min == 1245
    assert by_kind["collapse"].tps == (2,)
    assert by_kind["collapse"].place == "TPS-0003"
    # ordered by start time; the delay-only late-kit first
    assert [e.kind for e in events] == ["late-kit", "flood", "collapse", "power-cut"]


def test_unknown_place_lists_what_exists(small_scenario: Scenario) -> None:
    with pytest.raises(InjectError) as info:
        resolve_injects(["flood@Balikpapan Barrat@08:00"], small_scenario.tps)
    text = str(info.value)
    assert "did you mean Balikpapan Barat" in text
    assert "kecamatan: Balikpapan Barat, Balikpapan Kota" in text
    assert "TPS-0001…TPS-0010" in text


def test_kind_at_the_wrong_level(small_scenario: Scenario) -> None:
    expected = "protest happens at a TPS, but 'Margomulyo' is a village"
    with pytest.raises(InjectError, match=expected):
        resolve_injects(["protest@Margomulyo@10:00"], small_scenario.tps)


def test_inject_file_skips_comments(tmp_path: Path) -> None:
    script = tmp_path / "drill.injects"
    script.write_text("# morning\nflood@A@08:00  # river\n\n collapse@TPS-0001@19:30\n")
    assert read_inject_file(script) == ["flood@A@08:00", "collapse@TPS-0001@19:30"]
    with pytest.raises(InjectError, match="not found"):
        read_inject_file(tmp_path / "missing.injects")
