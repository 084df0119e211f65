"""How many replications: add them until a metric's 95% interval is narrow enough.

``--precision METRIC=HALF_WIDTH`` (repeatable) answers the planner's "how many runs do I
need": the run starts with ``-r N`` replications (at least `MIN_START`), then, while some
target's half-width ``t(0.975, n−1) · s / √n`` is above its goal, it estimates the count that
would meet the widest miss, ``n' = ⌈n · (half-width / goal)²⌉`` (the interval narrows as
1/√n), and runs replications n … n'−1, never more than the cap (``--max-replications``).
The next batch depends only on the results so far, which do not depend on the executor or
the number of workers, so the replications a run ends with are the same everywhere, and a
resumed run retraces the same batches from its saved results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from planner.errors import UserError
from planner.experiment.stats import mean_interval

MIN_START = 3
"""Fewest replications before the first check (an interval needs a spread)."""
DEFAULT_CAP = 500
"""Default cap on replications (``--max-replications``)."""


@dataclass(frozen=True)
class PrecisionTarget:
    """Wanted: the 95% interval of `metric` no wider than ± `half_width`."""

    metric: str
    half_width: float

    def as_text(self) -> str:
        """``METRIC=HALF_WIDTH``, as given on the command line."""
        return f"{self.metric}={self.half_width:g}"


def parse_precision(texts: Sequence[str], known: Sequence[str] = ()) -> tuple[PrecisionTarget, ...]:
    """``METRIC=HALF_WIDTH`` strings as targets; a clear error for anything else."""
    targets: list[PrecisionTarget] = []
    for text in texts:
        name, sep, value = text.partition("=")
        name = name.strip()
        try:
            width = float(value)
        except ValueError:
            width = math.nan
        if not sep or not name or not math.isfinite(width) or width <= 0:
            raise UserError(
                f"--precision {text!r}: give METRIC=HALF_WIDTH with a positive number, "
                "e.g. --precision wait_mean_min=0.5"
            )
        if known and not _known(name, known):
            raise UserError(
                f"--precision {text!r}: unknown metric {name!r}; metrics include "
                f"{', '.join(known[:8])}, … (see summary.json)"
            )
        targets.append(PrecisionTarget(name, width))
    return tuple(targets)


def _known(name: str, known: Sequence[str]) -> bool:
    return name in known


def summary_half_width(values: Sequence[float]) -> float:
    """Half-width of the 95% t-interval of the mean of `values` (inf with fewer than 2)."""
    if len(values) < 2:
        return math.inf
    return mean_interval(list(values)).half_width


def next_count(
    n: int, widths: dict[str, float], targets: Sequence[PrecisionTarget], cap: int
) -> int:
    """Replications to have after the next batch (n when every target is met or at the cap)."""
    if n >= cap:
        return n
    wanted = n
    for t in targets:
        width = widths[t.metric]
        if width > t.half_width:
            if not math.isfinite(width):
                wanted = max(wanted, 2 * n)
            else:
                wanted = max(wanted, math.ceil(n * (width / t.half_width) ** 2))
    if wanted == n:
        return n
    return min(cap, max(n + 1, wanted))


def run_to_precision(
    run_batch: Callable[[range], None],
    half_widths: Callable[[], dict[str, float]],
    start: int,
    targets: Sequence[PrecisionTarget],
    cap: int = DEFAULT_CAP,
) -> dict[str, Any]:
    """Run batches (`run_batch(range(a, b))`) until every target is met or `cap` is reached.

    `half_widths()` gives each target metric's current half-width. Returns the report kept
    in summary.json under ``precision``.
    """
    if cap < 1:
        raise UserError(f"--max-replications must be at least 1, got {cap}")
    n = min(max(start, MIN_START), cap)
    run_batch(range(0, n))
    batches = [n]
    while True:
        widths = half_widths()
        following = next_count(n, widths, targets, cap)
        if following == n:
            break
        run_batch(range(n, following))
        batches.append(following - n)
        n = following
    widths = half_widths()
    met = {t.metric: widths[t.metric] <= t.half_width for t in targets}
    return {
        "replications": n,
        "cap": cap,
        "batches": batches,
        "stopped": "met" if all(met.values()) else "cap",
        "targets": {
            t.metric: {
                "half_width_goal": t.half_width,
                "half_width": widths[t.metric],
                "met": met[t.metric],
            }
            for t in targets
        },
    }


def precision_lines(report: dict[str, Any]) -> list[str]:
    """What to print after a precision-driven run."""
    lines = []
    for metric, t in report["targets"].items():
        state = "met" if t["met"] else "NOT met"
        lines.append(
            f"precision {metric}: ±{t['half_width']:.4g} (goal ±{t['half_width_goal']:g}) {state}"
        )
    n, cap = report["replications"], report["cap"]
    if report["stopped"] == "cap":
        lines.append(f"stopped at the cap of {cap} replications; raise --max-replications")
    else:
        lines.append(f"{n} replications were enough (batches {report['batches']})")
    return lines
