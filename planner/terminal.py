"""Terminal output shared by every command: a progress bar and a compact summary table.

Long work (replications, frontier steps, loop iterations) shows a one-line progress bar on
stderr when stderr is a terminal, and nothing at all otherwise (pipes, CI, log files), so
scripted use stays clean. The summary table is plain text that reads well in a terminal and
in a log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import IO, TypeVar

T = TypeVar("T")

BAR_WIDTH = 28
"""Characters of the bar itself (the whole line stays under 80 columns)."""


def is_terminal(stream: IO[str] | None = None) -> bool:
    """True when `stream` (default stderr) is an interactive terminal."""
    target = stream if stream is not None else sys.stderr
    isatty = getattr(target, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


class Progress:
    """A one-line progress bar: ``label [#####.....] 12/40  30%  0:05 left``.

    Draws only when `enabled` (default: stderr is a terminal), redraws at most every
    `min_interval_s` seconds, and erases itself when closed so the summary that follows is
    not interleaved with it. Use as a context manager::

        with Progress("replications", total=40) as bar:
            for r in range(40):
                run(r)
                bar.advance()
    """

    def __init__(
        self,
        label: str,
        total: int,
        *,
        stream: IO[str] | None = None,
        enabled: bool | None = None,
        min_interval_s: float = 0.1,
    ) -> None:
        self.label = label
        self.total = max(0, int(total))
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.min_interval_s = min_interval_s
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._width = 0

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def advance(self, steps: int = 1) -> None:
        """Count `steps` more units of work done and redraw when due."""
        self.done = min(self.total, self.done + steps) if self.total else self.done + steps
        self._draw(force=self.done == self.total)

    def update(self, done: int, total: int) -> None:
        """Set the units done and the total (for work whose total grows, e.g. replications
        added until an interval is narrow enough) and redraw when due."""
        self.total = max(0, int(total))
        self.done = min(self.total, int(done)) if self.total else int(done)
        self._draw(force=self.done == self.total)

    def line(self) -> str:
        """The bar as text (without the carriage return)."""
        elapsed = time.monotonic() - self._start
        if self.total:
            share = self.done / self.total
            filled = round(BAR_WIDTH * share)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            left = ""
            if 0 < self.done < self.total:
                left = f"  {_duration(elapsed / self.done * (self.total - self.done))} left"
            return f"{self.label} [{bar}] {self.done}/{self.total} {share:4.0%}{left}"
        return f"{self.label} {self.done} done  {_duration(elapsed)}"

    def close(self) -> None:
        """Erase the bar (only if it was drawn)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < self.min_interval_s:
            return
        self._last_draw = now
        text = self.line()
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)


def track(
    items: Iterable[T],
    label: str,
    total: int | None = None,
    *,
    stream: IO[str] | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Iterate over `items` with a progress bar (silent when not a terminal)."""
    if total is None:
        total = len(items) if isinstance(items, Sequence) else 0
    with Progress(label, total, stream=stream, enabled=enabled) as bar:
        for item in items:
            yield item
            bar.advance()


def _duration(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
) -> str:
    """A compact plain-text table; numbers right-aligned, text left-aligned.

    >>> print(format_table(["metric", "mean"], [["wait", 3.5]]))
    metric  mean
    ------  ----
    wait     3.5
    """
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [
        all(_is_number(row[c]) for row in rows if c < len(row)) and bool(rows)
        for c in range(len(headers))
    ]
    widths = [
        max([len(h)] + [len(r[c]) for r in cells if c < len(r)]) for c, h in enumerate(headers)
    ]

    def fmt(values: Sequence[str]) -> str:
        parts = []
        for c, width in enumerate(widths):
            text = values[c] if c < len(values) else ""
            parts.append(text.rjust(width) if numeric[c] else text.ljust(width))
        return "  ".join(parts).rstrip()

    lines = [title] if title else []
    lines.append(fmt(list(headers)))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt(r) for r in cells)
    return "\n".join(lines)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    return str(value)
