"""Property test: a randomly mutated scenario either loads or raises the project's UserError.

Hypothesis starts from a valid scenario (kecamatan totals, distributions, an arrival
profile, stages, a security fragment) and applies one to four random mutations anywhere in
the tree: delete a key or list item, replace a value with a random scalar, list or mapping,
insert an unknown key, change a value's type, break or duplicate a list. A second test does
the same to a TPS table (CSV). Whatever the input, the loader must either return a scenario
that keeps its own invariants or raise `planner.errors.UserError` — never anything else.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import UserError
from planner.scenario.load import load_scenario
from planner.scenario.resolved import Scenario

BASE_YAML = """\
name: fuzz base
seed: 11
election: {kind: pilkada, ballot_reserve: 0.025}
day: {staff_arrive: "06:00", open: "07:00", close: "13:00", dpk_from: "12:00"}
region:
  name: Kota Uji
  districts:
    - {name: Alpha, villages: 3, tps: 12, voters: 5400, village_names: [A1, A2, A3]}
    - {name: Beta, villages: 2, tps: 5, voters: 2100, turnout: 0.5, access: river}
risk:
  classes:
    kurang_rawan: {share: 0.9, weight: 1.0}
    rawan: {share: 0.1, weight: 2.5}
voters:
  turnout: 0.6
  arrival_profile: {early_share: 0.1, early_from: "06:30", hourly_weights: [1, 2, 1, 1, 1, 1]}
  patience_min: {dist: lognormal, mean: 120, cv: 0.6}
  stages:
    - {name: check_in, servers: 2, service_min: {dist: gamma, mean: 1.0, cv: 0.5}}
    - {name: booth, servers: booths, service_min: {dist: triangular, low: 1, mode: 1.5, high: 3}}
staff: {kpps_per_tps: 7, fatigue: {enabled: false}}
counting: {enabled: true, admin_min: {dist: uniform, low: 60, high: 180}}
security:
  budgets_idr: {polres: 5000000000, kodim: null}
  agencies: {police: {available_total: 300}}
  policy: {rawan: {allowed: [2-2-4, 2-1-2], standard: 2-2-4}}
"""
BASE: dict[str, Any] = yaml.safe_load(BASE_YAML)

BASE_CSV = (
    "tps_id,district,village,voters,risk_class,lat,lon,booths,access,indicators\n"
    "T1,D,V1,500,kurang_rawan,-1.27,116.83,2,road,0\n"
    "T2,D,V1,420,rawan,-1.28,116.84,3,river,2\n"
    "T3,E,V2,600,kurang_rawan,-1.29,116.85,2,road,1\n"
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=-3, max_value=700),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["07:00", "H-1 19:00", "25:00", "booths", "lognormal", "kurang_rawan", "2-1-2", "", "-"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a node of the tree (the root is the empty path)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        root = root[part]
    return root


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """BASE with one to four random mutations."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(list(_paths(data))))
        if not path:
            continue
        parent, key = _get(data, path[:-1]), path[-1]
        current = parent[key]
        op = draw(
            st.sampled_from(
                ["delete", "replace", "insert", "retype", "break_list", "duplicate", "number"]
            )
        )
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(values)
        elif op == "insert" and isinstance(current, dict):
            current[draw(st.text(min_size=1, max_size=10))] = draw(values)
        elif op == "retype":
            if isinstance(current, dict):
                parent[key] = list(current.values())
            elif isinstance(current, list):
                parent[key] = {str(i): v for i, v in enumerate(current)}
            else:
                parent[key] = str(current)
        elif op == "break_list" and isinstance(current, list):
            parent[key] = draw(st.sampled_from([[], current[:1] * 3, current[::-1], 0, "x"]))
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(current))
        elif op == "number":
            parent[key] = draw(
                st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6), st.just(0))
            )
    return data


def _check_invariants(sc: Scenario) -> None:
    """What an accepted scenario must satisfy whatever its input."""
    tps = sc.tps
    assert len(tps) >= 1
    assert int(tps.voters.min()) >= 1
    assert int(tps.voters.max()) <= sc.spec.election.max_voters_per_tps
    assert len(set(tps.tps_id)) == len(tps)
    for region in sc.spec.all_regions():
        if region.tps_file is None and region.districts is not None:
            for d in region.districts:
                label = d.name if sc.spec.regions is None else f"{region.name} / {d.name}"
                mask = tps.district == tps.district_names.index(label)
                assert int(mask.sum()) == d.tps
                assert int(tps.voters[mask].sum()) == d.voters


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def test_base_scenarios_are_valid(folder: Path) -> None:
    """The starting points load, so every rejection below is caused by a mutation."""
    (folder / "base.yaml").write_text(BASE_YAML, encoding="utf-8")
    _check_invariants(load_scenario(folder / "base.yaml"))
    (folder / "tps.csv").write_text(BASE_CSV, encoding="utf-8")
    (folder / "table.yaml").write_text("name: t\nregion: {name: R, tps_file: tps.csv}\n")
    _check_invariants(load_scenario(folder / "table.yaml"))


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutated())
def test_mutated_scenario_loads_or_raises_user_error(folder: Path, data: dict[str, Any]) -> None:
    """Any mutation of a valid scenario is accepted (invariants hold) or a UserError."""
    path = folder / "mutant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        sc = load_scenario(path)
    except UserError:
        return
    _check_invariants(sc)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),
            st.integers(min_value=0, max_value=10),
            st.one_of(
                st.text(max_size=6),
                st.sampled_from(["", "1e9", "-1", "nan", "inf", "600", "601", ",", '"', "x,y"]),
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    overrides=st.lists(
        st.sampled_from(
            [
                "election.max_voters_per_tps=500",
                "election.kind=pemilu",
                "risk.classes={kurang_rawan: {share: 1, weight: 1}}",
                "region.districts=[{name: D, villages: 1, tps: 2, voters: 920}]",
                "region.tps_file=../tps.csv",
                "voters.turnout=2",
                "seed=-1",
                "region.tps_file=",
            ]
        ),
        max_size=2,
    ),
)
def test_mutated_tps_table_loads_or_raises_user_error(
    folder: Path, edits: list[tuple[int, int, str]], overrides: list[str]
) -> None:
    """Random cell edits of a TPS table (and --set overrides) load or raise UserError."""
    rows = [line.split(",") for line in BASE_CSV.splitlines()]
    for r, c, text in edits:
        row = rows[r]
        if c < len(row):
            row[c] = text
        else:
            row.append(text)
    (folder / "tps.csv").write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    path = folder / "table.yaml"
    path.write_text("name: t\nregion: {name: R, tps_file: tps.csv}\n", encoding="utf-8")
    try:
        sc = load_scenario(path, overrides)
    except UserError:
        return
    _check_invariants(sc)
