"""Clock strings: "HH:MM" and "H±n HH:MM" to minutes since midnight of polling day and back."""

from __future__ import annotations

import pytest

from planner.scenario.clock import format_clock, parse_clock


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("00:00", 0),
        ("07:00", 420),
        ("13:00", 780),
        ("7:05", 425),
        ("23:59", 1439),
        ("H-1 19:00", -300),
        ("H+1 02:00", 1560),
        ("H+1 12:00", 2160),
        ("H-5 08:00", -6720),
        ("  06:30 ", 390),
    ],
)
def test_parse_clock_exact(text: str, minutes: int) -> None:
    """Each clock string maps to its exact minute offset from midnight of H."""
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("minutes", [-6720, -300, 0, 420, 780, 1439, 1560, 2160])
def test_format_round_trips(minutes: int) -> None:
    """format_clock is the inverse of parse_clock, with a day prefix only off polling day."""
    text = format_clock(minutes)
    assert parse_clock(text) == minutes
    assert text.startswith("H") == (not 0 <= minutes < 1440)


def test_format_examples() -> None:
    """The day prefix is signed and times are zero-padded."""
    assert format_clock(420) == "07:00"
    assert format_clock(-300) == "H-1 19:00"
    assert format_clock(1560.4) == "H+1 02:00"


def test_yaml_base60_integer_accepted_within_a_day() -> None:
    """YAML 1.1 reads an unquoted 07:00 as 420; that integer is accepted as 07:00."""
    assert parse_clock(420) == 420


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("7am", 'is not "HH:MM"'),
        ("24:00", "out of range"),
        ("12:60", "out of range"),
        ("H1 07:00", 'is not "HH:MM"'),
        (True, "not a boolean"),
        (7.5, "got 7.5"),
        (1500, "out of range"),
        (-1, "out of range"),
    ],
)
def test_bad_clocks_rejected(value: object, fragment: str) -> None:
    """Malformed or out-of-range clocks raise ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=fragment):
        parse_clock(value)
