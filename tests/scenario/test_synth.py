"""Seeded TPS generation from kecamatan totals: exact sums, the cap, reproducibility."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from planner.scenario.sections.region import District, Region
from planner.scenario.sections.risk import Risk, RiskClass
from planner.scenario.synth import (
    CAP_HEADROOM_SD,
    VOTER_SPREAD_CV,
    class_counts,
    generate_region,
    slug,
    split_exact,
    voter_spread_cv,
)


@pytest.mark.parametrize(
    ("total", "weights", "low", "high"),
    [
        (10, [1, 1, 1], 0, 10),
        (520_986, [70364, 68731, 132229, 76393, 112361, 61055], 1, 600_000),
        (1000, [1, 1, 1, 100], 240, 300),  # the big share must be clamped and redistributed
        (7, [5, 1, 1, 1, 1, 1, 1], 1, 7),  # every part at its floor but one
        (600, [0.1, 5.0], 300, 300),  # low == high: no freedom left
    ],
)
def test_split_exact_sums_and_bounds(total: int, weights: list[float], low: int, high: int) -> None:
    """Parts sum exactly to the total and every part lies in [low, high]."""
    parts = split_exact(total, np.array(weights, dtype=float), low, high)
    assert int(parts.sum()) == total
    assert parts.min() >= low
    assert parts.max() <= high


def test_split_exact_is_largest_remainder() -> None:
    """Without clamping the split is the largest-remainder apportionment."""
    parts = split_exact(10, np.array([1.0, 1.0, 1.0]), 0, 10)
    assert parts.tolist() == [4, 3, 3]
    parts = split_exact(100, np.array([0.505, 0.495]), 0, 100)
    assert parts.tolist() == [51, 49]


def test_split_exact_rejects_impossible() -> None:
    """A total that cannot fit the bounds is a ValueError, not a silent wrong split."""
    with pytest.raises(ValueError):
        split_exact(1201, np.array([1.0, 1.0]), 1, 600)
    with pytest.raises(ValueError):
        split_exact(1, np.array([1.0, 1.0]), 1, 600)


@pytest.mark.parametrize(
    ("total", "shares", "expected"),
    [
        (
            996,
            {"kurang_rawan": 0.945984, "rawan": 0.04, "sangat_rawan": 0.01, "khusus": 0.004016},
            {"kurang_rawan": 942, "rawan": 40, "sangat_rawan": 10, "khusus": 4},
        ),
        (
            485,
            {"kurang_rawan": 0.939691, "rawan": 0.04, "sangat_rawan": 0.01, "khusus": 0.010309},
            {"kurang_rawan": 456, "rawan": 19, "sangat_rawan": 5, "khusus": 5},
        ),
        (
            1,
            {"kurang_rawan": 0.945, "rawan": 0.04, "sangat_rawan": 0.01, "khusus": 0.005},
            {"kurang_rawan": 1, "rawan": 0, "sangat_rawan": 0, "khusus": 0},
        ),
        (3, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, {"a": 1, "b": 1, "c": 1}),
    ],
)
def test_class_counts_exact(total: int, shares: dict[str, float], expected: dict[str, int]) -> None:
    """Class counts are the largest-remainder apportionment and sum to the TPS count."""
    counts = class_counts(total, shares)
    assert counts == expected
    assert sum(counts.values()) == total


def _region(*districts: District, name: str = "Kota Uji") -> Region:
    return Region(name=name, districts=list(districts))


RISK = Risk(
    classes={
        "kurang_rawan": RiskClass(share=0.9, weight=1),
        "rawan": RiskClass(share=0.08, weight=2),
        "sangat_rawan": RiskClass(share=0.02, weight=5),
    }
)


def test_generated_table_sums_exactly_per_district() -> None:
    """Voters and TPS per kecamatan equal the totals; each village has ≥ 1 TPS; cap holds."""
    region = _region(
        District(name="A", villages=7, tps=214, voters=112_329),
        District(name="B", villages=3, tps=3, voters=1_800),  # exactly full: 600 each
        District(name="C", villages=2, tps=50, voters=50),  # one voter per TPS
    )
    rows = generate_region(region, RISK, seed=11, cap=600, booths=2)
    for d in region.districts or []:
        mine = [r for r in rows if r["district"] == d.name]
        assert len(mine) == d.tps
        assert sum(int(r["voters"]) for r in mine) == d.voters  # type: ignore[call-overload]
        assert len({r["village"] for r in mine}) == d.villages
    voters = [int(r["voters"]) for r in rows]  # type: ignore[call-overload]
    assert max(voters) <= 600
    assert min(voters) >= 1
    assert [r["voters"] for r in rows if r["district"] == "B"] == [600, 600, 600]


def test_generated_class_counts_exact() -> None:
    """Risk classes are assigned in exactly the apportioned numbers."""
    region = _region(District(name="A", villages=5, tps=250, voters=100_000))
    rows = generate_region(region, RISK, seed=5, cap=600, booths=2)
    got = Counter(str(r["risk_class"]) for r in rows)
    assert got == Counter(class_counts(250, {n: c.share for n, c in RISK.classes.items()}))
    assert got == Counter({"kurang_rawan": 225, "rawan": 20, "sangat_rawan": 5})


def test_same_seed_same_table_other_seed_differs() -> None:
    """Same region and seed give an identical table; another seed changes the layout."""
    region = _region(District(name="A", villages=6, tps=130, voters=68_712))
    a = generate_region(region, RISK, seed=20241127, cap=600, booths=2)
    b = generate_region(region, RISK, seed=20241127, cap=600, booths=2)
    c = generate_region(region, RISK, seed=20241128, cap=600, booths=2)
    assert a == b
    assert [r["voters"] for r in a] != [r["voters"] for r in c]


def test_region_name_keys_the_stream() -> None:
    """Two regions with equal totals but different names get different layouts (own stream)."""
    d = District(name="A", villages=4, tps=40, voters=20_000)
    a = generate_region(_region(d, name="Kota A"), RISK, seed=1, cap=600, booths=2)
    b = generate_region(_region(d, name="Kota B"), RISK, seed=1, cap=600, booths=2)
    assert [r["voters"] for r in a] != [r["voters"] for r in b]


def test_ids_names_and_defaults() -> None:
    """TPS ids are numbered in order; villages take their given names; booths and access copy."""
    region = _region(
        District(
            name="A", villages=2, tps=3, voters=900, village_names=["Satu", "Dua"], access="river"
        )
    )
    rows = generate_region(region, RISK, seed=1, cap=600, booths=3)
    assert [r["tps_id"] for r in rows] == ["TPS-0001", "TPS-0002", "TPS-0003"]
    assert {r["village"] for r in rows} == {"Satu", "Dua"}
    assert {r["booths"] for r in rows} == {3}
    assert {r["access"] for r in rows} == {"river"}


def test_voter_spread_shrinks_near_the_cap() -> None:
    """The spread is the default far from the cap and puts the cap CAP_HEADROOM_SD away."""
    assert voter_spread_cv(300, 600) == VOTER_SPREAD_CV
    mean = 540.0
    assert voter_spread_cv(mean, 600) == pytest.approx((600 - mean) / (CAP_HEADROOM_SD * mean))
    assert voter_spread_cv(600, 600) == 0.0


def test_slug() -> None:
    """Slugs keep capitals and digits only, at most 12 characters, never empty."""
    assert slug("Kota Balikpapan") == "KOTABALIKPAP"
    assert slug("Mahakam Ulu") == "MAHAKAMULU"
    assert slug("—") == "R"
