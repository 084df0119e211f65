"""The bundled scenarios validate, reproduce, and sum exactly to their sourced totals."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from planner.scenario.load import load_scenario
from planner.scenario.resolved import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


@cache
def load(name: str) -> Scenario:
    return load_scenario(SCENARIOS / name)


def test_the_expected_files_are_bundled() -> None:
    """The issue's seven scenarios are all there."""
    assert set(FILES) >= {
        "balikpapan-2024.yaml",
        "paser-2024.yaml",
        "kutai-kartanegara-2024.yaml",
        "banjarmasin-2024.yaml",
        "kaltim-2024.yaml",
        "training-small.yaml",
        "textbook-mmc.yaml",
    }


@pytest.mark.parametrize("name", FILES)
def test_begins_with_a_sources_comment(name: str) -> None:
    """Each file opens with a comment block that lists its sources."""
    lines = (SCENARIOS / name).read_text(encoding="utf-8").splitlines()
    head = []
    for line in lines:
        if not line.startswith("#"):
            break
        head.append(line)
    assert len(head) >= 5
    assert any("Sources" in line for line in head)


# (file, TPS, voters, kecamatan, villages, TPS by class where sourced) — facts §1.3, §1.5
TOTALS = [
    ("balikpapan-2024.yaml", 996, 520_986, 6, 34, {"khusus": 4}),
    ("paser-2024.yaml", 485, 211_299, 10, 144, {"khusus": 5}),
    ("kutai-kartanegara-2024.yaml", 1_443, 552_469, 20, 237, {"khusus": 6}),
    ("banjarmasin-2024.yaml", 964, 485_145, 5, 52, {}),
    ("kaltim-2024.yaml", 6_274, 2_821_202, 105, 1_038, {}),
    ("training-small.yaml", 20, 10_802, 1, 2, {"rawan": 2, "sangat_rawan": 1, "khusus": 0}),
    ("textbook-mmc.yaml", 1, 600, 1, 1, {}),
]


@pytest.mark.parametrize(("name", "tps", "voters", "kecamatan", "villages", "classes"), TOTALS)
def test_sourced_totals_exact(
    name: str, tps: int, voters: int, kecamatan: int, villages: int, classes: dict[str, int]
) -> None:
    """TPS, voters, kecamatan and villages equal the sourced totals; no TPS above the cap."""
    sc = load(name)
    assert len(sc.tps) == tps
    assert int(sc.tps.voters.sum()) == voters
    assert len(sc.tps.district_names) == kecamatan
    assert len(sc.tps.village_names) == villages
    assert int(sc.tps.voters.max()) <= sc.spec.election.max_voters_per_tps
    assert int(sc.tps.voters.min()) >= 1
    counts = sc.tps.count_by_class()
    for cls, n in classes.items():
        assert counts[cls] == n
    # every village of a generated table has at least one TPS
    assert set(np.unique(sc.tps.village).tolist()) == set(range(villages))


@pytest.mark.parametrize("name", FILES)
def test_reproducible(name: str) -> None:
    """Loading the same file twice gives the identical TPS table (same seed)."""
    assert load_scenario(SCENARIOS / name).tps.to_csv() == load(name).tps.to_csv()


def test_balikpapan_kecamatan_from_the_dps_table() -> None:
    """TPS per kecamatan are the DPS-stage counts; voters are those counts scaled to the DPT
    (largest remainder), each within 40 of its DPS count (facts §1.5)."""
    sc = load("balikpapan-2024.yaml")
    dps = {
        "Balikpapan Timur": (70_364, 139),
        "Balikpapan Barat": (68_731, 130),
        "Balikpapan Utara": (132_229, 254),
        "Balikpapan Tengah": (76_393, 145),
        "Balikpapan Selatan": (112_361, 214),
        "Balikpapan Kota": (61_055, 114),
    }
    tps = sc.tps
    for d, name in enumerate(tps.district_names):
        mask = tps.district == d
        dps_voters, dps_tps = dps[name]
        assert int(mask.sum()) == dps_tps
        assert 0 < dps_voters - int(tps.voters[mask].sum()) < 40
    assert sc.spec.voters.turnout == 0.60
    assert sc.spec.security.agencies["police"].available_total == 341 + 81


def test_regional_budgets_from_the_reference() -> None:
    """Budget lines are the grants of facts §3.4 (Balikpapan estimated from Banjarmasin)."""
    budgets = {name: load(name).spec.security.budgets_idr for name, *_ in TOTALS}
    assert budgets["kutai-kartanegara-2024.yaml"] == {
        "polres": 8_156_377_000,
        "kodim": 2_073_953_000,
    }
    assert budgets["banjarmasin-2024.yaml"] == {"polres": 6_000_000_000, "kodim": 2_000_000_000}
    assert budgets["paser-2024.yaml"] == {"polres": 6_700_000_000, "kodim": 1_800_000_000}
    assert budgets["balikpapan-2024.yaml"] == {
        "polres": 6_000_000_000 * 996 // 964 // 1_000_000 * 1_000_000,
        "kodim": 2_000_000_000 * 996 // 964 // 1_000_000 * 1_000_000,
    }


def _district_rows(data: dict[str, object]) -> list[dict[str, object]]:
    region = data["region"]
    assert isinstance(region, dict)
    return list(region["districts"])


def test_kaltim_regions_match_the_regional_files() -> None:
    """Balikpapan, Paser and Kukar in the province have the same kecamatan rows as their own
    files (turnout aside), and Balikpapan's generated TPS are the same (same seed and name)."""
    kaltim = yaml.safe_load((SCENARIOS / "kaltim-2024.yaml").read_text(encoding="utf-8"))
    by_name = {r["name"]: r["districts"] for r in kaltim["regions"]}
    for name in ("balikpapan-2024.yaml", "paser-2024.yaml", "kutai-kartanegara-2024.yaml"):
        data = yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))
        mine = [
            {k: v for k, v in d.items() if k != "turnout"} for d in by_name[data["region"]["name"]]
        ]
        assert mine == _district_rows(data), name
    province = load("kaltim-2024.yaml").tps
    city = load("balikpapan-2024.yaml").tps
    in_city = province.region == province.region_names.index("Kota Balikpapan")
    assert province.voters[in_city].tolist() == city.voters.tolist()
    assert [t.split("-", 1)[1] for t in np.array(province.tps_id)[in_city]] == list(city.tps_id)


def test_kaltim_per_region_totals() -> None:
    """Each region's TPS and voters in the province scenario (final DPT where found)."""
    tps = load("kaltim-2024.yaml").tps
    expected = {
        "Kota Balikpapan": (996, 520_986),
        "Kota Samarinda": (1_202, 612_072),
        "Kota Bontang": (277, 134_567),
        "Kabupaten Paser": (485, 211_299),
        "Kabupaten Kutai Kartanegara": (1_443, 552_469),
        "Kabupaten Kutai Timur": (701, 297_994),
        "Kabupaten Kutai Barat": (321, 128_104),
        "Kabupaten Mahakam Ulu": (77, 27_869),
        "Kabupaten Penajam Paser Utara": (293, 137_341),
        "Kabupaten Berau": (479, 198_501),
    }
    got = {
        name: (int((tps.region == r).sum()), int(tps.voters[tps.region == r].sum()))
        for r, name in enumerate(tps.region_names)
    }
    assert got == expected


def test_kaltim_ballots_close_to_the_print_order() -> None:
    """DPT + 2.5% per TPS rounded up comes within 0.1% of the 2,896,473 ballots Kaltim printed
    (facts §5.3): a check of the reserve rule and of the generated TPS sizes together."""
    assert abs(int(load("kaltim-2024.yaml").ballots_needed().sum()) - 2_896_473) < 2_896


def test_training_table_has_coordinates() -> None:
    """The training scenario's TPS table carries coordinates for travel-time demos."""
    assert load("training-small.yaml").tps.has_coordinates
