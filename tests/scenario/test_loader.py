"""Loading scenarios: YAML + CSV tables, defaults, the security merge, overrides, errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

import planner
from planner.errors import ScenarioError, UserError
from planner.scenario.load import (
    deep_merge,
    load_scenario,
    merge_security_defaults,
    region_prefixes,
)
from planner.scenario.sections.security import Security, default_security

from .conftest import MINIMAL, Writer

REPO = Path(__file__).resolve().parents[2]


def test_minimal_scenario_resolves(write: Writer) -> None:
    """Kecamatan totals become a TPS table with exactly those totals."""
    sc = load_scenario(write())
    tps = sc.tps
    assert len(tps) == 17
    assert tps.district_names == ("Alpha", "Beta")
    assert int(tps.voters.sum()) == 7500
    assert int(tps.voters[tps.district == 0].sum()) == 5400
    assert len(tps.village_names) == 5
    assert sc.name == "unit test"
    assert sc.seed == 3
    assert tps.region_names == ("Kota Uji",)


def test_public_api_is_the_loader(write: Writer) -> None:
    """planner.load_scenario is the loader, accepting a str path and overrides."""
    path = write()
    sc = planner.load_scenario(str(path), overrides=["voters.turnout=0.55"])
    assert sc.spec.voters.turnout == 0.55
    assert sc.path == path


def test_design_minimal_table_only_scenario(write: Writer) -> None:
    """DESIGN §4: name, seed and region {name, tps_file} suffice; the rest are defaults."""
    path = write(
        "name: t\nseed: 1\nregion: {name: R, tps_file: tps.csv}\n",
        tps__csv="tps_id,district,village,voters,risk_class\n"
        "A1,D,V1,100,kurang_rawan\nA2,D,V2,40,rawan\nA3,E,V1,600,khusus\n",
    )
    sc = load_scenario(path)
    tps = sc.tps
    assert tps.tps_id == ("A1", "A2", "A3")
    assert tps.district_names == ("D", "E")
    assert tps.village_names == ("V1", "V2", "V1")  # a village belongs to one kecamatan
    assert tps.village_district.tolist() == [0, 0, 1]
    assert [tps.class_names[c] for c in tps.risk_class] == ["kurang_rawan", "rawan", "khusus"]
    assert tps.booths.tolist() == [2, 2, 2]  # Pilkada default
    assert np.isnan(tps.lat).all()
    assert not tps.has_coordinates
    # ballots = DPT + ceil(2.5% of DPT) per TPS (facts §5.3)
    assert sc.ballots_needed().tolist() == [103, 41, 615]


def test_csv_optional_columns(write: Writer) -> None:
    """lat/lon, booths, access and indicators are read when present."""
    path = write(
        "name: t\nregion:\n  name: R\n  tps_file: tps.csv\n",
        tps__csv="tps_id,district,village,voters,risk_class,lat,lon,booths,access,indicators\n"
        "A,D,V,300,kurang_rawan,-1.27,116.83,3,river,4\n"
        "B,D,V,200,kurang_rawan,-1.28,116.84,,,\n",
    )
    tps = load_scenario(path).tps
    assert tps.booths.tolist() == [3, 2]
    assert tps.row(0)["access"] == "river"
    assert tps.row(1)["access"] == "road"
    assert tps.indicators.tolist() == [4, 0]
    assert tps.has_coordinates
    assert tps.row(0)["lat"] == -1.27


def test_csv_with_district_totals_takes_district_access(write: Writer) -> None:
    """With both a table and totals, the totals must agree and the kecamatan's access applies."""
    path = write(
        "name: t\nregion:\n  name: R\n  tps_file: tps.csv\n  districts:\n"
        "    - {name: D, villages: 1, tps: 2, voters: 500, access: river}\n",
        tps__csv="tps_id,district,village,voters,risk_class\n"
        "A,D,V,300,kurang_rawan\nB,D,V,200,kurang_rawan\n",
    )
    tps = load_scenario(path).tps
    assert {tps.row(i)["access"] for i in range(2)} == {"river"}


def test_pemilu_kind_sets_its_defaults(write: Writer) -> None:
    """election.kind: pemilu gives 5 ballots, 2% reserve, 300 cap, 4 booths; explicit wins."""
    base = "name: t\nregion: {name: R, districts: [{name: D, villages: 1, tps: 2, voters: 500}]}\n"
    spec = load_scenario(write(base + "election: {kind: pemilu}\n")).spec
    assert (spec.election.ballots, spec.election.ballot_reserve) == (5, 0.02)
    assert (spec.election.max_voters_per_tps, spec.election.booths_per_tps) == (300, 4)
    spec = load_scenario(write(base + "election: {kind: pemilu, booths_per_tps: 3}\n")).spec
    assert spec.election.booths_per_tps == 3


def test_multi_region_ids_and_labels(write: Writer) -> None:
    """A province prefixes TPS ids by region and labels kecamatan 'Region / Kecamatan'."""
    text = """\
name: province
regions:
  - name: Kabupaten Kutai Barat
    districts: [{name: Melak, villages: 1, tps: 2, voters: 800}]
  - name: Kabupaten Kutai Timur
    districts: [{name: Melak, villages: 1, tps: 3, voters: 900}]
"""
    tps = load_scenario(write(text)).tps
    assert tps.tps_id[:2] == ("KUTAIBARAT-TPS-0001", "KUTAIBARAT-TPS-0002")
    assert tps.tps_id[2] == "KUTAITIMUR-TPS-0001"
    assert tps.district_names == ("Kabupaten Kutai Barat / Melak", "Kabupaten Kutai Timur / Melak")
    assert tps.region.tolist() == [0, 0, 1, 1, 1]
    assert tps.district_region.tolist() == [0, 1]


def test_region_prefixes_unique() -> None:
    """Prefixes drop Kabupaten/Kota and get a number only when two would collide."""
    assert region_prefixes(["Kota Balikpapan", "Kabupaten Paser"]) == ["BALIKPAPAN", "PASER"]
    assert region_prefixes(["Kota Uji", "Kabupaten Uji", "Lain"]) == ["UJI1", "UJI2", "LAIN"]


def test_turnout_by_tps_uses_kecamatan_override(write: Writer) -> None:
    """A kecamatan's turnout overrides voters.turnout for its TPS only."""
    text = MINIMAL.replace("voters: 2100}", "voters: 2100, turnout: 0.5}")
    sc = load_scenario(write(text + "voters: {turnout: 0.8}\n"))
    t = sc.turnout_by_tps()
    assert set(t[sc.tps.district == 0].tolist()) == {0.8}
    assert set(t[sc.tps.district == 1].tolist()) == {0.5}


def test_same_file_same_table_and_digest(write: Writer) -> None:
    """Loading twice gives the identical TPS table and digest; an override changes the digest."""
    path = write()
    a, b = load_scenario(path), load_scenario(path)
    assert a.tps.to_csv() == b.tps.to_csv()
    assert a.digest() == b.digest()
    assert load_scenario(path, ["seed=4"]).digest() != a.digest()


# --- security: deep merge onto the defaults -------------------------------------------------


def test_default_security_round_trips_through_plain_data() -> None:
    """The defaults dumped to plain data validate back to the same Security."""
    data = default_security().model_dump(mode="json")
    assert Security.model_validate(data) == default_security()


def test_no_security_section_gives_the_defaults(write: Writer) -> None:
    """A scenario without security uses default_security() unchanged."""
    assert load_scenario(write()).spec.security == default_security()


def test_security_merge_changes_only_what_is_given(write: Writer) -> None:
    """Budgets and one agency field change; every other agency field and pattern stays."""
    text = MINIMAL + (
        "security:\n"
        "  budgets_idr: {polres: 5000000000}\n"
        "  agencies: {police: {available_total: 300}}\n"
    )
    sec = load_scenario(write(text)).spec.security
    default = default_security()
    assert sec.budgets_idr == {"polres": 5_000_000_000, "kodim": None}
    assert sec.agencies["police"].available_total == 300
    assert sec.agencies["police"].cost_per_person_day_idr == (
        default.agencies["police"].cost_per_person_day_idr
    )
    assert sec.agencies["tni"] == default.agencies["tni"]
    assert sec.patterns == default.patterns
    assert sec.policy == default.policy


def test_security_lists_replace_and_new_agencies_add(write: Writer) -> None:
    """A policy's allowed list replaces the default list; a new agency joins the defaults."""
    text = MINIMAL + (
        "security:\n"
        "  policy: {rawan: {allowed: [2-1-2], standard: 2-1-2}}\n"
        "  agencies:\n"
        "    satpolpp: {role: civil, cost_per_person_day_idr: 150000}\n"
    )
    sec = load_scenario(write(text)).spec.security
    assert sec.policy["rawan"].allowed == ["2-1-2"]
    assert sec.policy["kurang_rawan"] == default_security().policy["kurang_rawan"]
    assert set(sec.agencies) == {"linmas", "police", "tni", "satpolpp"}


def test_set_reaches_default_security_lists(write: Writer) -> None:
    """--set can change a default pattern although the file has no security section."""
    sc = load_scenario(write(), ["security.patterns[2].residual_harm=0.7"])
    assert sc.spec.security.patterns[2].name == "2-6-12"
    assert sc.spec.security.patterns[2].residual_harm == 0.7


def test_deep_merge_semantics() -> None:
    """Dicts merge recursively, other values (lists, None) replace; inputs are untouched."""
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    over = {"a": {"y": [3], "z": None}, "c": 4}
    out = deep_merge(base, over)
    assert out == {"a": {"x": 1, "y": [3], "z": None}, "b": 2, "c": 4}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    assert over == {"a": {"y": [3], "z": None}, "c": 4}


def test_merge_leaves_a_non_mapping_security_for_validation() -> None:
    """security: [..] is not merged, so validation reports the wrong type."""
    assert merge_security_defaults({"security": [1]}) == {"security": [1]}


def test_fewer_risk_classes_keep_default_policy(write: Writer) -> None:
    """A scenario using two classes loads: default policy entries for unused classes are idle."""
    text = MINIMAL + (
        "risk:\n  classes:\n"
        "    kurang_rawan: {share: 0.9, weight: 1}\n"
        "    sangat_rawan: {share: 0.1, weight: 5}\n"
    )
    sc = load_scenario(write(text))
    assert sc.tps.class_names == ("kurang_rawan", "sangat_rawan")
    assert sc.tps.count_by_class() == {"kurang_rawan": 15, "sangat_rawan": 2}


# --- errors ----------------------------------------------------------------------------------


def _error(path: Path, overrides: list[str] | None = None) -> str:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, overrides or [])
    assert isinstance(err.value, UserError)
    return err.value.one_line()


def test_override_error_says_it_came_from_set(write: Writer) -> None:
    """A bad value set by --set is reported at its YAML path and blamed on the override."""
    msg = _error(write(), ["voters.turnout=1.5"])
    assert msg.endswith(
        "voters.turnout: must be ≤ 1, got 1.5 (value from --set voters.turnout=1.5)"
    )


def test_cross_field_errors_point_at_the_key(write: Writer) -> None:
    """Cross-field checks name the exact key, also for keys the file does not write."""
    msg = _error(write(MINIMAL + 'day: {open: "07:00", dpk_from: "06:00"}\n'))
    assert ": day.dpk_from: 06:00 is outside voting hours" in msg
    msg = _error(write(MINIMAL + "voters: {arrival_profile: {early_from: '08:00'}}\n"))
    assert ": voters.arrival_profile.early_from: must be before day.open" in msg
    msg = _error(write(MINIMAL + 'day: {open: "08:00"}\n'))
    assert ": voters.arrival_profile.hourly_weights: 6 weights but voting lasts 5 hours" in msg


def test_boolean_for_number_rejected_but_boolean_fields_accept(write: Writer) -> None:
    """yes/no are booleans: fine for enabled, an error for a number of ballots."""
    assert (
        load_scenario(write(MINIMAL + "counting: {enabled: no}\n")).spec.counting.enabled is False
    )
    msg = _error(write(MINIMAL + "election: {ballots: yes}\n"))
    assert msg.endswith(
        "election.ballots: must be a whole number, got true (YAML reads "
        "yes/no/on/off as true/false)"
    )


def test_yaml_merge_keys_allowed_duplicates_not(write: Writer) -> None:
    """`<<: *anchor` merges work; a key written twice in one mapping is an error."""
    text = MINIMAL + "voters: {<<: {turnout: 0.6, slow_share: 0.2}, turnout: 0.65}\n"
    voters = load_scenario(write(text)).spec.voters
    assert (voters.turnout, voters.slow_share) == (0.65, 0.2)
    msg = _error(write(MINIMAL + "seed: 4\n"))
    assert "YAML: key 'seed' appears twice in one mapping; keep one" in msg


def test_unknown_key_lists_only_that_distributions_keys(write: Writer) -> None:
    """An unknown key inside a distribution lists the keys of that kind only."""
    text = MINIMAL + "counting: {admin_min: {dist: uniform, low: 1, high: 2, mean: 1}}\n"
    assert _error(write(text)).endswith(
        "counting.admin_min.mean: unknown key 'mean'; allowed keys: dist, low, high"
    )


def test_huge_kecamatan_is_rejected_before_generation(write: Writer) -> None:
    """A misplaced digit (millions of TPS) fails validation instead of hanging the generator."""
    text = (
        "name: t\nregion: {name: R, districts: "
        "[{name: D, villages: 1, tps: 9000000, voters: 9000000}]}\n"
    )
    assert "region.districts[0].tps: must be ≤ 50000" in _error(write(text))


def test_bundled_textbook_matches_design(tmp_path: Path) -> None:
    """scenarios/textbook-mmc.yaml is the DESIGN §4 queue: one TPS of 600, M/M/2."""
    sc = load_scenario(REPO / "scenarios" / "textbook-mmc.yaml")
    spec = sc.spec
    assert len(sc.tps) == 1 and int(sc.tps.voters[0]) == 600
    assert (spec.day.open, spec.day.close) == (0, 23 * 60)
    assert spec.voters.arrival_profile == "constant"
    assert spec.voters.patience_min is None
    (stage,) = spec.voters.stages
    assert stage.servers == 2
    assert stage.service_min.mean_value == 2.0
    assert not (spec.counting.enabled or spec.incidents.enabled or spec.logistics.enabled)
    assert not spec.staff.fatigue.enabled
    assert math.isclose(spec.voters.turnout, 1.0)
    # DESIGN §4 switches off what defaults on for a real region: nothing but the queue
    assert (spec.voters.slow_share, spec.voters.dpk_per_tps_mean, spec.voters.dptb_share) == (
        0.0,
        0.0,
        0.0,
    )
    assert yaml.safe_load((REPO / "scenarios" / "textbook-mmc.yaml").read_text()) == (
        yaml.safe_load(DESIGN_TEXTBOOK)
    )


DESIGN_TEXTBOOK = """
name: textbook M/M/2
seed: 1
day: {staff_arrive: "00:00", open: "00:00", close: "23:00"}
region:
  name: Test
  districts: [{name: D, villages: 1, tps: 1, voters: 600}]
voters:
  turnout: 1.0
  arrival_profile: constant
  patience_min: null
  slow_share: 0
  dpk_per_tps_mean: 0
  dptb_share: 0
  stages: [{name: check_in, servers: 2, service_min: {dist: exponential, mean: 2.0}}]
staff: {fatigue: {enabled: false}}
counting: {enabled: false}
incidents: {enabled: false}
logistics: {enabled: false}
"""
"""DESIGN §4's minimal file as written there (copied: the repository cannot read DESIGN)."""
