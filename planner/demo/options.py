"""The options of `planner demo`, declared as the run commands' are
(`planner.experiment.options`): the command line makes click options of them and `run_demo`
checks a notebook's `DemoOptions` against the same bounds. Kept apart from `demo.run` so the
command line starts without importing the simulation."""

from __future__ import annotations

from planner.experiment.options import OUT, SEED, Option

MAX_SPEED = 1e6
"""Fastest --speed: a million simulated minutes per real second prints a day at once."""
MAX_SITREP_MIN = 1440
"""Longest gap between situation reports: one a day (a longer one would never come)."""

DEMO_OPTIONS: tuple[Option, ...] = (
    Option("tps", ("--tps",), "Tell the day at this TPS (default: the first)."),
    Option("district", ("--district",), "Tell the day of this kecamatan instead."),
    Option("injects", ("--inject",), "Script an event, e.g. flood@Balikpapan Barat@08:00 or "
           "late-kit@PPK Balikpapan Kota@+90min (repeatable; kinds in docs/training.md).",
           many=True, metavar="KIND@PLACE@WHEN"),
    Option("inject_file", ("--inject-file",), "A script of injects, one per line "
           "(# comments).", kind="path"),
    SEED,
    Option("speed", ("--speed",), "Live pacing: simulated minutes per real second (e.g. 30); "
           "0 prints at once.", kind="float", default=0.0, low=0, high=MAX_SPEED,
           unit="simulated minutes per second"),
    Option("compare_without_injects", ("--compare-without-injects",), "Also simulate the "
           "same day (same seed) without the injects, side by side.", kind="flag",
           default=False),
    Option("sitrep_min", ("--sitrep",), "Situation reports every MINUTES per kecamatan.",
           kind="int", high=MAX_SITREP_MIN, metavar="MINUTES", unit="minutes"),
    Option("plan", ("--plan",), "Deployment plan CSV (default: the policy-default plan).",
           kind="path"),
    OUT,
)
"""The options of `planner demo` (declared as the run commands' are, and checked by
`run_demo` for a notebook's `DemoOptions` as the command line checks them)."""
