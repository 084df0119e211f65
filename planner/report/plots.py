"""Plots for reports, drawn with matplotlib on plain data and returned as data URIs.

Every function takes plain numbers (lists or numpy arrays) and already-translated strings,
and returns a `Plot`: the image as a ``data:`` URI (SVG by default, PNG for dense scatter
plots) plus its title, so an HTML page can embed it with no network access. Titles and axis
labels always say what is drawn and in which unit. We use the object-oriented matplotlib
API (``Figure``), never ``pyplot``, so no global figure state or GUI backend is involved.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

ArrayLike = Sequence[float] | np.ndarray

WIDTH_IN = 7.2
"""Figure width in inches: fits an A4 page with 15 mm margins at 100 %."""
HEIGHT_IN = 3.4

PALETTE = (
    "#1f5f8b",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#66a182",
    "#8e6c8a",
    "#30638e",
    "#a05195",
    "#f95d6a",
    "#5c5c5c",
)


@dataclass(frozen=True)
class Plot:
    """An embedded image: its data URI and the title used as alt text."""

    title: str
    uri: str


def _figure(height_in: float = HEIGHT_IN) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    return fig


def _finish(fig: Figure, title: str, fmt: str = "svg") -> Plot:
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, dpi=110, metadata=metadata)
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Plot(title=title, uri=f"data:{mime};base64,{data}")


def _axes(fig: Figure, title: str, x_label: str, y_label: str) -> Axes:
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.grid(True, alpha=0.3)
    return ax


def clock_ticks(ax: Axes, low_min: float, high_min: float, step_min: int = 120) -> None:
    """Label a minutes-since-midnight axis with HH:MM ticks (H+1 times after midnight)."""
    start = math.floor(low_min / step_min) * step_min
    ticks = np.arange(start, high_min + step_min, step_min)
    ax.set_xticks(ticks)
    ax.set_xticklabels([clock_label(t) for t in ticks], fontsize=8)
    ax.set_xlim(low_min, high_min)


def clock_label(minutes: float) -> str:
    """``HH:MM`` for a clock minute; after midnight ``H+1 HH:MM``, the day before ``H-1 HH:MM``
    (the scenario format's notation)."""
    total = round(minutes)
    day, rest = divmod(total, 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if day == 0 else f"H{day:+d} {text}"


def line_plot(
    title: str,
    x_label: str,
    y_label: str,
    series: Sequence[tuple[str, ArrayLike, ArrayLike]],
    *,
    clock_x: bool = False,
    step: bool = False,
    y_min: float | None = 0.0,
    hlines: Sequence[tuple[float, str]] = (),
    integer_x: bool = False,
) -> Plot:
    """Several labelled lines (x, y); `clock_x` labels x as clock time, `step` draws steps,
    `integer_x` keeps x ticks on whole numbers (iterations)."""
    fig = _figure()
    ax = _axes(fig, title, x_label, y_label)
    low, high = math.inf, -math.inf
    for k, (label, xs, ys) in enumerate(series):
        x = np.asarray(xs, dtype=float)
        y = np.asarray(ys, dtype=float)
        if not len(x):
            continue
        low, high = min(low, float(np.nanmin(x))), max(high, float(np.nanmax(x)))
        color = PALETTE[k % len(PALETTE)]
        if step:
            ax.step(x, y, where="post", label=label, color=color, linewidth=1.4)
        else:
            ax.plot(x, y, label=label, color=color, linewidth=1.4)
    for value, label in hlines:
        ax.axhline(value, color="#888888", linestyle="--", linewidth=1)
        ax.annotate(
            label, (0.01, value), xycoords=("axes fraction", "data"), fontsize=8, va="bottom"
        )
    if clock_x and math.isfinite(low):
        span = high - low
        step_min = 60 if span <= 12 * 60 else 120 if span <= 24 * 60 else 240
        clock_ticks(ax, low, high, step_min)
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if y_min is not None:
        ax.set_ylim(bottom=y_min)
    if len(series) > 1:
        ax.legend(fontsize=8, ncols=min(3, len(series)))
    return _finish(fig, title)


def histogram(
    title: str,
    x_label: str,
    y_label: str,
    values: ArrayLike,
    *,
    bins: int | Sequence[float] = 30,
    weights: ArrayLike | None = None,
    marks: Sequence[tuple[float, str]] = (),
    clock_x: bool = False,
) -> Plot:
    """A histogram of `values` (optionally weighted), with labelled vertical marks."""
    fig = _figure()
    ax = _axes(fig, title, x_label, y_label)
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    w = None if weights is None else np.asarray(weights, dtype=float)
    if len(data):
        ax.hist(data, bins=bins, weights=w, color=PALETTE[0], alpha=0.85, edgecolor="white")
    for k, (value, label) in enumerate(marks):
        ax.axvline(value, color=PALETTE[(k + 1) % len(PALETTE)], linestyle="--", linewidth=1.2)
        ax.annotate(
            label,
            (value, 0.95 - 0.08 * k),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            ha="left",
        )
    if clock_x and len(data):
        low, high = float(data.min()), float(data.max())
        span = max(60.0, high - low)
        step_min = 60 if span <= 12 * 60 else 120
        clock_ticks(ax, low - 15, high + 15, step_min)
    return _finish(fig, title)


def bar_chart(
    title: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    values: ArrayLike,
    *,
    errors: tuple[ArrayLike, ArrayLike] | None = None,
    horizontal: bool = False,
    highlight: Sequence[bool] | None = None,
    value_format: str = "{:.3g}",
) -> Plot:
    """Bars per category, optionally with (low, high) interval whiskers."""
    n = len(categories)
    height = HEIGHT_IN if not horizontal else max(2.4, 0.8 + 0.28 * n)
    fig = _figure(height)
    ax = _axes(fig, title, x_label, y_label)
    y = np.asarray(values, dtype=float)
    colors = [
        PALETTE[1] if highlight is not None and highlight[i] else PALETTE[0] for i in range(n)
    ]
    positions = np.arange(n)
    err = None
    if errors is not None:
        low = np.asarray(errors[0], dtype=float)
        high = np.asarray(errors[1], dtype=float)
        err = np.vstack([np.clip(y - low, 0, None), np.clip(high - y, 0, None)])
    if horizontal:
        ax.barh(positions, y, xerr=err, color=colors, capsize=3)
        ax.set_yticks(positions)
        ax.set_yticklabels(categories, fontsize=8)
        ax.invert_yaxis()
    else:
        ax.bar(positions, y, yerr=err, color=colors, capsize=3)
        ax.set_xticks(positions)
        rotate = 30 if n > 4 or max((len(c) for c in categories), default=0) > 12 else 0
        ax.set_xticklabels(
            categories, fontsize=8, rotation=rotate, ha="right" if rotate else "center"
        )
    return _finish(fig, title)


def stacked_bars(
    title: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    stacks: Mapping[str, ArrayLike],
) -> Plot:
    """Bars per category split into labelled stacks (e.g. incidents by hour and type)."""
    fig = _figure()
    ax = _axes(fig, title, x_label, y_label)
    positions = np.arange(len(categories))
    bottom = np.zeros(len(categories))
    for k, (label, values) in enumerate(stacks.items()):
        y = np.asarray(values, dtype=float)
        ax.bar(positions, y, bottom=bottom, label=label, color=PALETTE[k % len(PALETTE)])
        bottom = bottom + y
    ax.set_xticks(positions)
    ax.set_xticklabels(categories, fontsize=8, rotation=45 if len(categories) > 12 else 0)
    if stacks:  # beside the plot, so it never hides a bar
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _finish(fig, title)


def box_plot(
    title: str,
    x_label: str,
    y_label: str,
    groups: Mapping[str, ArrayLike],
) -> Plot:
    """Box plots of a value per group (e.g. response time by agency)."""
    fig = _figure()
    ax = _axes(fig, title, x_label, y_label)
    names = [k for k, v in groups.items() if len(v)]
    data = [np.asarray(groups[k], dtype=float) for k in names]
    if data:
        ax.boxplot(data, tick_labels=names, showfliers=True)
    return _finish(fig, title)


def forest_plot(
    title: str,
    x_label: str,
    labels: Sequence[str],
    mean: ArrayLike,
    low: ArrayLike,
    high: ArrayLike,
    *,
    zero_label: str = "",
) -> Plot:
    """Paired differences with 95 % intervals, one row per label, a line at zero."""
    n = len(labels)
    fig = _figure(max(2.2, 0.9 + 0.32 * n))
    ax = _axes(fig, title, x_label, "")
    m = np.asarray(mean, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    positions = np.arange(n)
    colors = [
        PALETTE[1] if lo[i] > 0 or hi[i] < 0 else PALETTE[0] for i in range(n)
    ]  # an interval that excludes zero is drawn in the accent colour
    ax.hlines(positions, lo, hi, colors=colors, linewidth=2)
    ax.scatter(m, positions, color=colors, zorder=3, s=24)
    ax.axvline(0, color="#444444", linewidth=1)
    if zero_label:
        ax.annotate(zero_label, (0, 1.0), xycoords=("data", "axes fraction"), fontsize=8)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    return _finish(fig, title)


def frontier_plot(
    title: str,
    x_label: str,
    y_label: str,
    budget: ArrayLike,
    risk: ArrayLike,
    *,
    marginal_labels: Sequence[str] = (),
    chosen: int | None = None,
    chosen_label: str = "",
    low: ArrayLike | None = None,
    high: ArrayLike | None = None,
) -> Plot:
    """Risk against budget; each segment annotated with its marginal value."""
    fig = _figure(3.8)
    ax = _axes(fig, title, x_label, y_label)
    x = np.asarray(budget, dtype=float)
    y = np.asarray(risk, dtype=float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    ax.plot(x, y, marker="o", color=PALETTE[0], linewidth=1.6)
    if low is not None and high is not None:
        lo = np.asarray(low, dtype=float)[order]
        hi = np.asarray(high, dtype=float)[order]
        ax.fill_between(x, lo, hi, color=PALETTE[0], alpha=0.15)
    for i, text in enumerate(marginal_labels[: max(0, len(x) - 1)]):
        if not text:
            continue
        ax.annotate(
            text,
            ((x[i] + x[i + 1]) / 2, (y[i] + y[i + 1]) / 2),
            fontsize=7,
            color=PALETTE[1],
            textcoords="offset points",
            xytext=(4, 6),
        )
    if chosen is not None and 0 <= chosen < len(order):
        j = int(np.nonzero(order == chosen)[0][0])
        ax.scatter([x[j]], [y[j]], s=90, facecolors="none", edgecolors=PALETTE[1], zorder=4)
        if chosen_label:
            ax.annotate(
                chosen_label, (x[j], y[j]), fontsize=8, xytext=(6, -12), textcoords="offset points"
            )
    ax.set_ylim(bottom=0)
    return _finish(fig, title)


def category_map(
    title: str,
    lon: ArrayLike,
    lat: ArrayLike,
    categories: Sequence[str],
    *,
    x_label: str = "longitude (°E)",
    y_label: str = "latitude (°)",
) -> Plot:
    """TPS as dots at their coordinates, coloured by category; no map tiles (PNG)."""
    fig = _figure(5.0)
    ax = _axes(fig, title, x_label, y_label)
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    names = sorted(set(categories))
    labels = np.asarray(categories)
    for k, name in enumerate(names):
        mask = labels == name
        ax.scatter(x[mask], y[mask], s=8, color=PALETTE[k % len(PALETTE)], label=name)
    ax.set_aspect("equal", adjustable="datalim")
    if names:
        ax.legend(fontsize=8, markerscale=2)
    return _finish(fig, title, fmt="png")


def grouped_bars(
    title: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    groups: Mapping[str, ArrayLike],
) -> Plot:
    """Side-by-side bars per category, one colour per group (e.g. cost vs budget)."""
    fig = _figure()
    ax = _axes(fig, title, x_label, y_label)
    positions = np.arange(len(categories))
    width = 0.8 / max(1, len(groups))
    for k, (label, values) in enumerate(groups.items()):
        ax.bar(
            positions + (k - (len(groups) - 1) / 2) * width,
            np.asarray(values, dtype=float),
            width=width,
            label=label,
            color=PALETTE[k % len(PALETTE)],
        )
    ax.set_xticks(positions)
    ax.set_xticklabels(categories, fontsize=8)
    if groups:
        ax.legend(fontsize=8)
    return _finish(fig, title)


def stacked_barh(
    title: str,
    x_label: str,
    categories: Sequence[str],
    stacks: Mapping[str, ArrayLike],
) -> Plot:
    """Horizontal bars per category split into labelled stacks (e.g. per kecamatan, the
    attempts prevented, displaced and gone ahead); one row per category, first on top."""
    n = len(categories)
    fig = _figure(max(2.4, 1.0 + 0.3 * n))
    ax = _axes(fig, title, x_label, "")
    positions = np.arange(n)
    left = np.zeros(n)
    for k, (label, values) in enumerate(stacks.items()):
        x = np.asarray(values, dtype=float)
        ax.barh(positions, x, left=left, label=label, color=PALETTE[k % len(PALETTE)])
        left = left + np.nan_to_num(x)
    ax.set_yticks(positions)
    ax.set_yticklabels(categories, fontsize=8)
    ax.invert_yaxis()
    if stacks:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _finish(fig, title)


def value_maps(
    title: str,
    lon: ArrayLike,
    lat: ArrayLike,
    panels: Sequence[tuple[str, ArrayLike]],
    *,
    columns: int = 3,
    x_label: str = "longitude (°E)",
    y_label: str = "latitude (°)",
) -> Plot:
    """Small maps of the TPS at their coordinates, one per (label, value per TPS): every TPS
    a grey dot, TPS with a value above 0 a coloured dot whose area grows with it (the same
    scale in every panel, so panels compare); no map tiles (PNG)."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    n = max(1, len(panels))
    cols = min(columns, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(WIDTH_IN, 0.6 + 2.6 * rows), layout="constrained")
    fig.suptitle(title, fontsize=11)
    top = max(
        (float(np.nanmax(np.asarray(v, dtype=float))) for _, v in panels if len(v)), default=0.0
    )
    for k, (label, values) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, k + 1)
        v = np.nan_to_num(np.asarray(values, dtype=float))
        ax.scatter(x, y, s=4, color="#c8cdd2")
        hit = v > 0
        if top > 0 and hit.any():
            ax.scatter(
                x[hit],
                y[hit],
                s=10 + 70 * v[hit] / top,
                color=PALETTE[(k % 3) + 1],
                alpha=0.8,
                edgecolors="#333333",
                linewidths=0.3,
            )
        ax.set_title(label, fontsize=9)
        ax.set_aspect("equal", adjustable="datalim")
        ax.ticklabel_format(useOffset=False, style="plain")
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.tick_params(labelsize=7)
        if k % cols == 0:
            ax.set_ylabel(y_label, fontsize=8)
        if k >= n - cols:
            ax.set_xlabel(x_label, fontsize=8)
    return _finish(fig, title, fmt="png")
