"""Coverage study of the summary intervals (docs/experiments.md §10).

For each data-generating process (a kind of metric as the simulation produces it: rare
Poisson counts, overdispersed counts, area events that reach many TPS at once, shares,
skewed amounts, means of waits) and each number of replications R, draw ``--reps`` samples
of R "days" from a fixed seed, compute every method's 95% interval of the mean on each, and
print the share of intervals that contain the true mean (coverage), the share whose lower
limit is below 0 and the mean width. Not a test and not timed: a script whose output is
pasted into the docs (``.venv/bin/python benchmarks/coverage_intervals.py``, two to three
minutes on one core; ``--reps 500`` for a quick look).

Methods: ``t`` (the old Student-t interval), ``t0`` (t cut at 0), ``garwood`` (exact
Poisson interval of the total, divided by R), ``boot-pct`` (percentile bootstrap, 999
resamples), ``boot-bca`` (scipy's BCa bootstrap, 999 resamples; a sample with no spread,
where BCa is undefined, gets the point), and the chosen method of each kind from
`planner.experiment.intervals` (``gamma-poisson`` for counts, ``gamma`` for amounts,
``beta`` for shares). Every draw, including the bootstrap's, comes from a named numpy
Generator derived from ``--seed`` (DESIGN §6), so the table is reproducible bit for bit.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from planner.experiment.intervals import (
    amount_interval,
    count_interval,
    nonnegative_t_interval,
    share_interval,
)
from planner.experiment.stats import Interval, mean_interval

Array = np.ndarray[Any, np.dtype[np.float64]]
Draw = Callable[[np.random.Generator, tuple[int, int]], Array]
BOOT_RESAMPLES = 999


@dataclass(frozen=True)
class Process:
    """A data-generating process: name, kind, true mean and a sampler of (reps, R) days."""

    name: str
    kind: str
    mean: float
    draw: Draw


def _gamma(mean: float, cv: float) -> Draw:
    shape = 1.0 / (cv * cv)
    return lambda rng, size: rng.gamma(shape, mean / shape, size)


def _beta(mean: float, cv: float) -> Draw:
    var = (cv * mean) ** 2
    spread = mean * (1 - mean) / var - 1
    return lambda rng, size: rng.beta(mean * spread, (1 - mean) * spread, size)


def _zero_inflated(p: float, draw: Draw) -> Draw:
    return lambda rng, size: np.where(rng.random(size) < p, draw(rng, size), 0.0)


def _area_events(p: float, reach: float, singles: float) -> Draw:
    """A day with probability p has an area event reaching Poisson(reach) TPS, plus
    Poisson(singles) single-TPS incidents (how floods and power cuts behave)."""

    def draw(rng: np.random.Generator, size: tuple[int, int]) -> Array:
        hit = rng.random(size) < p
        return np.where(hit, rng.poisson(reach, size), 0) + rng.poisson(singles, size)

    return draw


def _negbin(mean: float, dispersion: float) -> Draw:
    """Negative binomial with variance dispersion × mean."""
    p = 1.0 / dispersion
    r = mean * p / (1 - p)
    return lambda rng, size: rng.negative_binomial(r, p, size).astype(np.float64)


PROCESSES: tuple[Process, ...] = (
    *(
        Process(f"Poisson mean {m:g}", "count", m, lambda rng, s, m=m: rng.poisson(m, s))
        for m in (0.05, 0.2, 1.0, 5.0)
    ),
    Process("neg. binomial mean 0.2, var 3×mean", "count", 0.2, _negbin(0.2, 3.0)),
    Process("neg. binomial mean 5, var 5×mean", "count", 5.0, _negbin(5.0, 5.0)),
    Process(
        "area events: 30% of days reach 15 TPS, + Poisson 1",
        "count",
        5.5,
        _area_events(0.3, 15.0, 1.0),
    ),
    Process("area events: 10% of days reach 55 TPS", "count", 5.5, _area_events(0.1, 55.0, 0.0)),
    Process("share: beta mean 0.002, cv 1.5", "share", 0.002, _beta(0.002, 1.5)),
    Process(
        "share: 70% zero days, else beta mean 0.004 cv 1",
        "share",
        0.3 * 0.004,
        _zero_inflated(0.3, _beta(0.004, 1.0)),
    ),
    Process("share: beta mean 0.6, cv 0.02", "share", 0.6, _beta(0.6, 0.02)),
    Process(
        "amount: 30% of days gamma mean 15 cv 0.5, else mean 0.05",
        "amount",
        0.3 * 15 + 0.7 * 0.05,
        lambda rng, s: np.where(
            rng.random(s) < 0.3, _gamma(15, 0.5)(rng, s), _gamma(0.05, 1.0)(rng, s)
        ),
    ),
    Process("amount: gamma mean 0.01, cv 3", "amount", 0.01, _gamma(0.01, 3.0)),
    Process("mean: wait, gamma mean 5 min, cv 0.3", "mean", 5.0, _gamma(5.0, 0.3)),
)
R_VALUES: tuple[int, ...] = (5, 10, 20, 50)


def _rng(seed: int, *names: str | int) -> np.random.Generator:
    key = tuple(zlib.crc32(n.encode()) if isinstance(n, str) else n for n in names)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _per_row(fn: Callable[[list[float]], Interval], data: Array) -> tuple[Array, Array]:
    lows, highs = np.empty(len(data)), np.empty(len(data))
    for i, row in enumerate(data):
        iv = fn(row.tolist())
        lows[i], highs[i] = iv.ci95_low, iv.ci95_high
    return lows, highs


def _garwood(data: Array) -> tuple[Array, Array]:
    total = data.sum(axis=1)
    r = data.shape[1]
    low = np.where(total > 0, stats.chi2.ppf(0.025, 2 * total) / (2 * r), 0.0)
    high = stats.chi2.ppf(0.975, 2 * total + 2) / (2 * r)
    return low, high


def _boot_pct(data: Array, rng: np.random.Generator) -> tuple[Array, Array]:
    reps, r = data.shape
    lows, highs = np.empty(reps), np.empty(reps)
    for i in range(reps):
        idx = rng.integers(0, r, size=(BOOT_RESAMPLES, r))
        means = data[i][idx].mean(axis=1)
        lows[i], highs[i] = np.percentile(means, [2.5, 97.5])
    return lows, highs


def _boot_bca(data: Array, rng: np.random.Generator) -> tuple[Array, Array]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.bootstrap(
            (data,),
            np.mean,
            axis=-1,
            vectorized=True,
            n_resamples=BOOT_RESAMPLES,
            method="BCa",
            rng=rng,
        )
    mean = data.mean(axis=1)
    low = np.where(np.isfinite(res.confidence_interval.low), res.confidence_interval.low, mean)
    high = np.where(np.isfinite(res.confidence_interval.high), res.confidence_interval.high, mean)
    return low, high


CHOSEN: dict[str, tuple[str, Callable[[list[float]], Interval]]] = {
    "count": ("gamma-poisson", count_interval),
    "amount": ("gamma", amount_interval),
    "share": ("beta", share_interval),
    "mean": ("t0", nonnegative_t_interval),
}


def study(seed: int, reps: int, bca: bool) -> list[dict[str, Any]]:
    """Coverage rows: process, R, method, coverage, share below 0, mean width."""
    rows: list[dict[str, Any]] = []
    for proc in PROCESSES:
        for r in R_VALUES:
            data = np.asarray(proc.draw(_rng(seed, "data", proc.name, r), (reps, r)), float)
            methods: dict[str, tuple[Array, Array]] = {
                "t": _per_row(mean_interval, data),
            }
            if proc.kind != "mean":
                methods["t0"] = _per_row(nonnegative_t_interval, data)
            if proc.kind == "count":
                methods["garwood"] = _garwood(data)
            methods["boot-pct"] = _boot_pct(data, _rng(seed, "boot-pct", proc.name, r))
            if bca:
                methods["boot-bca"] = _boot_bca(data, _rng(seed, "boot-bca", proc.name, r))
            label, fn = CHOSEN[proc.kind]
            if label not in methods:
                methods[label] = _per_row(fn, data)
            for name, (low, high) in methods.items():
                cover = (low <= proc.mean) & (proc.mean <= high)
                rows.append(
                    {
                        "process": proc.name,
                        "kind": proc.kind,
                        "R": r,
                        "method": name,
                        "chosen": name == label,
                        "coverage": float(cover.mean()),
                        "below_zero": float((low < 0).mean()),
                        "width": float(np.mean(high - low)),
                    }
                )
            print(f"  done {proc.name}, R={r}", file=sys.stderr)
    return rows


def markdown(rows: list[dict[str, Any]], reps: int) -> str:
    """Tables (one per process) of coverage % by method (rows) and R (columns)."""
    se = 100 * math.sqrt(0.95 * 0.05 / reps)
    out = [
        f"{reps} samples per cell (standard error of a coverage near 95%: {se:.2f} points). "
        "Cell: coverage % (share of intervals with a lower limit below 0, %, when any). "
        "**Bold**: the method the summary uses for this kind.",
        "",
    ]
    for proc in PROCESSES:
        mine = [row for row in rows if row["process"] == proc.name]
        methods = list(dict.fromkeys(row["method"] for row in mine))
        out.append(f"*{proc.name}* ({proc.kind}, true mean {proc.mean:g})")
        out.append("")
        out.append("| method | " + " | ".join(f"R = {r}" for r in R_VALUES) + " |")
        out.append("|---|" + "---:|" * len(R_VALUES))
        for m in methods:
            cells = []
            for r in R_VALUES:
                row = next(x for x in mine if x["method"] == m and x["R"] == r)
                cell = f"{100 * row['coverage']:.1f}"
                if row["below_zero"] > 0:
                    cell += f" ({100 * row['below_zero']:.0f})"
                cells.append(cell)
            name = f"**{m}**" if mine and any(x["chosen"] for x in mine if x["method"] == m) else m
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        widths = []
        for r in R_VALUES:
            by = {x["method"]: x["width"] for x in mine if x["R"] == r}
            chosen = next(x["method"] for x in mine if x["R"] == r and x["chosen"])
            widths.append(f"R = {r}: {by[chosen]:.3g} vs {by['t']:.3g}")
        out.append("")
        out.append("Mean width, chosen method vs t: " + "; ".join(widths) + ".")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Run the study and print the markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20241127)
    parser.add_argument("--reps", type=int, default=4000)
    parser.add_argument("--no-bca", action="store_true", help="skip the (slow) BCa bootstrap")
    args = parser.parse_args(argv)
    rows = study(args.seed, args.reps, not args.no_bca)
    print(markdown(rows, args.reps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
