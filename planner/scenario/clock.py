"""Clock times in scenarios.

Scenarios write clock times as ``"HH:MM"`` local time on polling day, or with a day prefix
for the days around it: ``"H-1 19:00"`` (the evening before), ``"H+1 02:00"`` (after
midnight). Internally a clock time is whole minutes since midnight of polling day (negative
for the day before), so ``"07:00"`` is 420 and ``"H-1 19:00"`` is -300.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_CLOCK = re.compile(r"^(?:H(?P<day>[+-]\d+)\s+)?(?P<h>\d{1,2}):(?P<m>\d{2})$")
CLOCK_PATTERN = r"^(H[+-][0-9]+ +)?[0-9]{1,2}:[0-9]{2}$"

FIRST_DAY = -14
"""Earliest day a scenario time may name: H-14. The earliest kit dispatch on record is H-5
for remote border areas (facts §5.4); two weeks before polling day covers any plan."""
LAST_DAY = 2
"""Latest day a scenario time may name: H+2. Counting may legally last until H+1 12:00
(facts §2.3) and the kecamatan recap follows; nothing the model simulates is later."""


def parse_clock(value: Any) -> Any:
    """Convert ``"HH:MM"`` or ``"H-1 HH:MM"`` to minutes since midnight of polling day."""
    if isinstance(value, bool):
        raise ValueError('a clock time is a string "HH:MM" (or "H-1 HH:MM"), not a boolean')
    if isinstance(value, int):
        # YAML 1.1 reads an unquoted 07:00 as the base-60 integer 420, which is exactly the
        # minutes since midnight; accept that, but only within one day so "25:00" is an error.
        if not 0 <= value < 1440:
            raise ValueError(
                f'clock time {value} is out of range; write it quoted, "HH:MM" or "H+1 HH:MM"'
            )
        return value
    if not isinstance(value, str):
        raise ValueError(f'a clock time is a string "HH:MM" (or "H-1 HH:MM"), got {value!r}')
    match = _CLOCK.match(value.strip())
    if not match:
        raise ValueError(f'clock time {value!r} is not "HH:MM" or "H-1 HH:MM"')
    hours, minutes = int(match["h"]), int(match["m"])
    if hours > 23 or minutes > 59:
        raise ValueError(f"clock time {value!r} is out of range (00:00 to 23:59)")
    day = int(match["day"]) if match["day"] else 0
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"clock time {value!r} is outside the scenario window H{FIRST_DAY} to H+{LAST_DAY} "
            "(two weeks before polling day to two days after)"
        )
    return day * 1440 + hours * 60 + minutes


def format_clock(minutes: float) -> str:
    """Minutes since midnight of polling day as ``"HH:MM"``, with a day prefix when not on H."""
    total = round(minutes)
    day, rest = divmod(total, 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    if day == 0:
        return text
    return f"H{day:+d} {text}"


Clock = Annotated[
    int,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN}),
]
"""A clock time: written ``"HH:MM"`` (or ``"H-1 HH:MM"``), held as minutes since midnight of H."""
