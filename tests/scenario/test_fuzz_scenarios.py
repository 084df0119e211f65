"""Fuzzing `planner validate` and a one-TPS simulate with mutations of the bundled scenarios.

Each example starts from one of the bundled scenario files, its region cut down to one TPS
(the region's own checks are fuzzed in test_fuzz_loader.py; here the point is every other
section's values), and applies one to four random mutations: a key set to a random value of
any JSON type, NaN, ±infinity, huge or negative numbers, a wrong type, a deleted key. Then:

- `planner validate FILE` must exit 0, or exit 2 with exactly one line on stderr (the file,
  the key and what is allowed) and no traceback — exit 1 is "internal error", our bug;
- when it exits 0, one replication of the day at that TPS must give finite, non-negative
  results in which voters are conserved (voted + gave up + DPK turned away + stranded =
  arrived), within a time bound (no hang).

The number of examples is `PLANNER_FUZZ_EXAMPLES` (default 500, the fast slice `make test`
runs); `make fuzz` runs the full job of 20,000 fresh cases (README, "Fuzzing").
"""

from __future__ import annotations

import copy
import math
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.scenario.load import load_scenario
from planner.sim.day import simulate_day
from planner.sim.metrics import replication_result

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("PLANNER_FUZZ_EXAMPLES", "500"))
RANDOM = bool(os.environ.get("PLANNER_FUZZ_RANDOM"))
"""The fast slice is derandomized (the same 500 cases on every run, so CI is repeatable);
`make fuzz` draws fresh cases each run."""
HANG_S = 120
"""Longest one example may take (validate + one day at one TPS takes well under a second);
past it the example fails as a hang."""

ONE_TPS_REGION = {
    "name": "Fuzz",
    "districts": [{"name": "D", "villages": 1, "tps": 1, "voters": 450}],
}


def _one_tps(data: dict[str, Any]) -> dict[str, Any]:
    """A bundled scenario with its region(s) replaced by one kecamatan of one TPS, and the
    keys that name the old kecamatan dropped (they would no longer match)."""
    out = copy.deepcopy(data)
    out.pop("regions", None)
    out["region"] = copy.deepcopy(ONE_TPS_REGION)
    out.get("logistics", {}).pop("remote_districts", None)
    for agency in out.get("security", {}).get("agencies", {}).values():
        if isinstance(agency, dict):
            agency.pop("available_per_district", None)
    return out


BASES: list[dict[str, Any]] = [
    _one_tps(yaml.safe_load(p.read_text(encoding="utf-8")))
    for p in sorted((REPO / "scenarios").glob("*.yaml"))
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=700),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([2**63, -(2**63), 10**9, -1, 0, 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e-9, 1e30, -1e30, 0.5, 1.5]),
    st.text(max_size=10),
    st.sampled_from(["07:00", "H+5 07:00", "H-1 19:00", "booths", "lognormal", "2-1-2", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
        st.fixed_dictionaries(
            {"dist": st.sampled_from(["fixed", "uniform", "lognormal", "exponential"])},
            optional={"mean": inner, "cv": inner, "low": inner, "high": inner, "value": inner},
        ),
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
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
    """A one-TPS bundled scenario with one to four random mutations."""
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p and p[0] != "region"]
        path = draw(st.sampled_from(paths))
        parent, key = _get(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(["delete", "replace", "replace", "number", "retype"]))
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(values)
        elif op == "number":
            parent[key] = draw(
                st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-(10**12), 10**12),
                    st.sampled_from([0, -1, 1e30, 2**63]),
                )
            )
        else:
            current = parent[key]
            parent[key] = (
                list(current.values())
                if isinstance(current, dict)
                else str(current)
                if not isinstance(current, str)
                else 7
            )
    return data


class Hang(Exception):
    """An example ran past `HANG_S`."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"example ran past {HANG_S} s")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def test_one_tps_bases_validate(folder: Path) -> None:
    """Every starting point is valid, so each refusal below comes from a mutation."""
    assert len(BASES) >= 6
    for k, base in enumerate(BASES):
        path = folder / f"base{k}.yaml"
        path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code == 0, result.output


def _check_day(path: Path) -> None:
    sc = load_scenario(path)
    scalars = replication_result(simulate_day(sc, sc.spec.seed, 0)).scalars
    for key, value in scalars.items():
        assert math.isfinite(value), (key, value)
        assert value >= 0, (key, value)
    accounted = (
        scalars["voters_voted"]
        + scalars["voters_gave_up"]
        + scalars["dpk_turned_away"]
        + scalars["voters_stranded"]
    )
    assert accounted == scalars["voters_arrived"], scalars


@pytest.mark.fuzz
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not RANDOM,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutated())
def test_mutated_bundled_scenario_validates_cleanly_or_is_refused(
    folder: Path, data: dict[str, Any]
) -> None:
    """validate: exit 0 and a sound one-TPS day, or exit 2 with one line; nothing else."""
    path = folder / "mutant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    try:
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), lines
            event("refused (exit 2)")
            return
        assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
        _check_day(path)
        event("accepted and simulated")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
