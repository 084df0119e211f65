"""The bundled Balikpapan scenario against the Pilkada 2024 record (planner.sim.record_check).

Late opening must lie within 4 standard errors of Bawaslu's 1.25% (binomial over TPS ×
replications at the recorded share, plus the bound on area events' clustering); counting
finish, a lower bound from Sirekap uploads, must not lie more than 4 standard errors below
80% by 19:00 WIB (20:00 WITA) and 90% by midnight WIB. The same set-up parameters must put a
five-ballot day at the Pemilu 2024 record (4.6%, facts §5.1).
"""

from __future__ import annotations

import math
from pathlib import Path

from planner.scenario.load import load_scenario
from planner.sim.record_check import (
    RECORD,
    area_variance_bound,
    check_record,
    local_clock,
)

REPO = Path(__file__).resolve().parents[2]
BALIKPAPAN = REPO / "scenarios" / "balikpapan-2024.yaml"


def test_record_clock_times_convert_to_the_scenario_zone() -> None:
    """KPU's 19:00 WIB is 20:00 in WITA (Kalimantan) and 21:00 in WIT; midnight WIB is
    01:00 WITA of H+1."""
    assert local_clock(19 * 60, "WITA") == 20 * 60
    assert local_clock(19 * 60, "WIT") == 21 * 60
    assert local_clock(24 * 60, "WITA") == 25 * 60
    assert local_clock(19 * 60, "WIB") == 19 * 60


def test_area_variance_bound_is_the_compound_poisson_formula() -> None:
    """Balikpapan's only area type acting before opening is the kecamatan flood: rate 0.02,
    half of it before opening, reaching a quarter of each kecamatan's TPS."""
    sc = load_scenario(BALIKPAPAN)
    flood = next(t for t in sc.spec.incidents.types if t.name == "flood")
    h = flood.area_hit_share
    sizes = [139, 130, 254, 145, 214, 114]
    expected = sum(flood.rate_per_tps_day * 0.5 * (m * h * (1 - h) + (m * h) ** 2) for m in sizes)
    assert math.isclose(area_variance_bound(sc, 3), 3 * expected, rel_tol=1e-12)


def test_balikpapan_matches_the_pilkada_record() -> None:
    """Late opening within 4 SE of 1.25%; counting finish not below the Sirekap record by
    more than 4 SE (10 replications of 996 TPS)."""
    results = {r.row.key: r for r in check_record(load_scenario(BALIKPAPAN), 10)}
    late = results["late_open"]
    assert late.n == 9960
    assert abs(late.share - late.row.share) < 4 * late.se, (late.share, late.se)
    for key in ("finish_1900_wib", "finish_2400_wib"):
        res = results[key]
        assert res.row.lower_bound
        assert res.share >= res.row.share - 4 * res.se, (key, res.share, res.se)
    assert {r.key for r in RECORD if r.counterpart is None} == {
        "count_early",
        "no_c_hasil",
        "not_visible",
    }


def test_five_ballots_open_late_as_in_pemilu_2024() -> None:
    """With election.ballots = 5 (and nothing else changed) the set-up per ballot type puts
    late opening at Pemilu 2024's 37,466 of ~820k TPS (4.6%), within 4 SE."""
    sc = load_scenario(BALIKPAPAN, ["election.ballots=5"])
    late = next(r for r in check_record(sc, 6) if r.row.key == "late_open")
    pemilu = 0.046
    se = math.sqrt((pemilu * (1 - pemilu) * late.n + area_variance_bound(sc, 6)) / late.n**2)
    assert abs(late.share - pemilu) < 4 * se, (late.share, se)
