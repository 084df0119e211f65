"""The generated scenario reference is current, and the JSON Schema describes real files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from planner.scenario.reference import reference_markdown, scenario_json_schema

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


def test_committed_reference_is_current() -> None:
    """docs/scenario-reference.md equals what the schema generates now."""
    committed = (REPO / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), (
        "docs/scenario-reference.md is stale: run `make docs` and commit the result"
    )


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenarios_satisfy_the_schema(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    """Every bundled file passes the JSON Schema an editor would use (partial security,
    numbers for distributions and quoted clock times included)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize(
    "fragment",
    [
        {"voters": {"turnuot": 0.6}},
        {"voters": {"turnout": 1.5}},
        {"day": {"open": "7am"}},
        {"voters": {"patience_min": {"dist": "weibull", "mean": 1}}},
        {"security": {"agencies": {"police": {"available_total": -1}}}},
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    fragment: dict[str, object], validator: jsonschema.Draft202012Validator
) -> None:
    """Unknown keys, out-of-range values, bad clocks and unknown distributions fail."""
    data = {"name": "t", "region": {"name": "R", "tps_file": "t.csv"}, **fragment}
    assert not validator.is_valid(data)


def test_schema_shows_clock_defaults_as_text() -> None:
    """Clock defaults appear as "HH:MM" for editors, not as minutes."""
    day = scenario_json_schema()["$defs"]["Day"]["properties"]
    assert day["open"]["default"] == "07:00"
    assert day["count_deadline"]["default"] == "H+1 12:00"
    assert json.dumps(scenario_json_schema())  # serialisable as printed by `planner schema`
