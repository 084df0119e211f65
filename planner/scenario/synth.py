"""Generate a TPS table from kecamatan totals, deterministically from the scenario seed.

When a scenario gives only totals per kecamatan (villages, TPS, voters), the TPS are laid
out so that: every village has at least one TPS, TPS per village vary like real villages,
voters per TPS sum exactly to the kecamatan total and none exceeds the election's cap, and
risk classes follow the scenario's shares exactly (largest remainder). Same file and same
seed give the identical table.
"""

from __future__ import annotations

import re

import numpy as np

from planner.scenario.sections.region import Region
from planner.scenario.sections.risk import Risk
from planner.scenario.tps import FloatArray, IntArray
from planner.streams import named_rng

VOTER_SPREAD_CV = 0.12
"""Spread of voters per TPS around the kecamatan mean (est.: KPU fills TPS close to the cap
and splits villages evenly; a 12% coefficient of variation keeps almost all TPS within ±25%)."""

CAP_HEADROOM_SD = 3.0
"""When the kecamatan mean is close to the cap, the spread shrinks so the cap lies at least
this many standard deviations above the mean (est.: TPS cannot exceed the cap, so a full
kecamatan has uniformly full TPS; without this, clipping would pile about a tenth of
Balikpapan's TPS at exactly 600)."""

VILLAGE_SIZE_SHAPE = 8.0
"""Gamma shape of relative village sizes, coefficient of variation 1/sqrt(8) = 0.35
(Bontang's 15 kelurahan had 7–34 Pilkada TPS each, a coefficient of variation of 0.3–0.4
within each kecamatan: tribunkaltim.co, 7 Sep 2024)."""


def voter_spread_cv(mean_voters: float, cap: int) -> float:
    """Coefficient of variation of voters per TPS in a kecamatan with this mean."""
    headroom = max(cap - mean_voters, 0.0) / (CAP_HEADROOM_SD * mean_voters)
    return min(VOTER_SPREAD_CV, headroom)


def split_exact(total: int, weights: FloatArray, low: int, high: int) -> IntArray:
    """Integers in [low, high] proportional to `weights` that sum exactly to `total`.

    Largest-remainder rounding, then a clamp, then the difference moved one unit at a time
    to the parts with the largest remaining room (ties broken by position), so the result
    is deterministic for given weights.
    """
    n = len(weights)
    if not n * low <= total <= n * high:
        raise ValueError(f"cannot split {total} into {n} parts within [{low}, {high}]")
    share = weights / weights.sum() * total
    parts: IntArray = np.floor(share).astype(np.int64)
    remainder = total - int(parts.sum())
    order = np.argsort(-(share - parts), kind="stable")
    parts[order[:remainder]] += 1
    parts = np.clip(parts, low, high)
    diff = total - int(parts.sum())
    while diff != 0:
        if diff > 0:
            room = high - parts
            order = np.argsort(-room, kind="stable")
            k = min(diff, int((room > 0).sum()))
            parts[order[:k]] += 1
            diff -= k
        else:
            room = parts - low
            order = np.argsort(-room, kind="stable")
            k = min(-diff, int((room > 0).sum()))
            parts[order[:k]] -= 1
            diff += k
    return parts


def class_counts(total: int, shares: dict[str, float]) -> dict[str, int]:
    """TPS per class: `total` split by `shares` with largest-remainder rounding (exact sum)."""
    names = list(shares)
    quota = np.array([shares[n] * total for n in names])
    counts = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return {n: int(c) for n, c in zip(names, counts, strict=True)}


def slug(text: str) -> str:
    """Upper-case letters and digits of `text`, for TPS id prefixes."""
    return re.sub(r"[^A-Z0-9]+", "", text.upper())[:12] or "R"


def generate_region(
    region: Region, risk: Risk, seed: int, cap: int, booths: int
) -> list[dict[str, object]]:
    """Rows of a generated TPS table for one region (totals in `region.districts`)."""
    assert region.districts is not None
    rng = named_rng(seed, 0, "synth/" + region.name)
    rows: list[dict[str, object]] = []
    for d in region.districts:
        village_w = rng.gamma(VILLAGE_SIZE_SHAPE, 1.0, d.villages)
        per_village = split_exact(d.tps, village_w, 1, d.tps)
        voter_w = rng.lognormal(0.0, voter_spread_cv(d.voters / d.tps, cap), d.tps)
        voters = split_exact(d.voters, voter_w, 1, cap)
        names = d.village_names or [f"{d.name} {j + 1:02d}" for j in range(d.villages)]
        k = 0
        for j, count in enumerate(per_village):
            for _ in range(int(count)):
                rows.append(
                    {
                        "district": d.name,
                        "village": names[j],
                        "voters": int(voters[k]),
                        "booths": booths,
                        "access": d.access,
                    }
                )
                k += 1
    counts = class_counts(len(rows), {n: c.share for n, c in risk.classes.items()})
    labels = np.array([n for n, c in counts.items() for _ in range(c)], dtype=object)
    labels = labels[rng.permutation(len(rows))]
    for i, row in enumerate(rows):
        row["risk_class"] = str(labels[i])
        row["tps_id"] = f"TPS-{i + 1:04d}"
    return rows
