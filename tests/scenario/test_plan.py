"""Plan files: plan.csv (and reserves in plan.json) written and read back, errors on bad files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from planner.errors import PlanError
from planner.scenario.plan import PLAN_COLUMNS, Plan, default_plan, plan_to_csv, read_plan
from planner.scenario.resolved import Scenario


def _write_plan(tmp: Path, text: str, sidecar: dict[str, object] | None = None) -> Path:
    folder = tmp / "run"
    folder.mkdir(exist_ok=True)
    (folder / "plan.csv").write_text(text, encoding="utf-8")
    if sidecar is not None:
        (folder / "plan.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return folder / "plan.csv"


def test_plan_csv_columns_and_rows(costing: Scenario) -> None:
    """plan.csv has the contract columns and per-TPS personnel (shared teams as shares)."""
    rows = list(csv.DictReader(io.StringIO(plan_to_csv(costing, default_plan(costing)))))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert len(rows) == 12
    assert rows[0] == {
        "tps_id": "T01",
        "district": "D",
        "village": "V1",
        "risk_class": "kurang_rawan",
        "pattern": "2-6-12",
        "linmas": "2",
        "police": "0.3333",
        "tni": "0",
    }
    assert (rows[9]["pattern"], rows[9]["police"], rows[9]["linmas"]) == ("2-2-4", "1", "2")
    assert (rows[11]["pattern"], rows[11]["police"], rows[11]["tni"]) == ("2-1-2+tni", "2", "1")


def test_round_trip(costing: Scenario, tmp_path: Path) -> None:
    """Writing a plan and reading it back gives the same patterns and default reserves."""
    plan = Plan(
        patterns=("2-2-4",) * 9 + ("2-1-2", "2-1-2+tni", "2-1-2+tni"),
        reserves=default_plan(costing).reserves,
    )
    path = _write_plan(tmp_path, plan_to_csv(costing, plan))
    back = read_plan(path, costing)
    assert back.patterns == plan.patterns
    assert back.reserves == plan.reserves
    assert read_plan(path.parent, costing).patterns == plan.patterns  # a run folder works too


def test_rows_in_any_order_and_reserves_from_plan_json(
    costing: Scenario,
    tmp_path: Path,
) -> None:
    """Rows may come in any order; plan.json reserves override the policy minimum."""
    lines = plan_to_csv(costing, default_plan(costing)).splitlines()
    text = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    path = _write_plan(tmp_path, text, {"reserves": {"D": {"police": 2}}})
    plan = read_plan(path, costing)
    assert plan.patterns == default_plan(costing).patterns
    assert plan.reserves == {("D", "police"): 2, ("D", "tni"): 1}


def _rows(costing: Scenario) -> list[str]:
    return plan_to_csv(costing, default_plan(costing)).splitlines()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda r: [*r, "T99,D,V1,kurang_rawan,2-6-12,2,0,0"],
            "row 14, column tps_id: unknown TPS id 'T99'",
        ),
        (lambda r: [*r, r[1]], "row 14, column tps_id: TPS 'T01' appears twice"),
        (
            lambda r: [r[0], r[1].replace("2-6-12", "9-9-9"), *r[2:]],
            "row 2, column pattern: unknown pattern '9-9-9'",
        ),
        (
            lambda r: [*r[:12], r[12].replace("2-1-2+tni", "2-1-2")],
            "row 13, column pattern: pattern '2-1-2' is not allowed for class khusus; "
            "allowed: 2-1-2+tni",
        ),
        (lambda r: r[:-1], "1 TPS have no row (first: T12)"),
        (lambda r: ["tps_id,district", *r[1:]], "header: missing column pattern"),
    ],
)
def test_bad_plans(
    costing: Scenario, tmp_path: Path, edit: Callable[[list[str]], list[str]], message: str
) -> None:
    """Each malformed plan raises PlanError naming the file, row and column."""
    path = _write_plan(tmp_path, "\n".join(edit(_rows(costing))) + "\n")
    with pytest.raises(PlanError) as err:
        read_plan(path, costing)
    assert message in err.value.one_line()
    assert err.value.one_line().startswith(str(path))


def test_missing_plan_and_bad_sidecar(costing: Scenario, tmp_path: Path) -> None:
    """A missing plan file and a malformed plan.json are PlanErrors."""
    with pytest.raises(PlanError, match="plan file not found"):
        read_plan(tmp_path / "nope.csv", costing)
    path = _write_plan(tmp_path, plan_to_csv(costing, default_plan(costing)))
    (path.parent / "plan.json").write_text('{"reserves": {"X": {"police": 1}}}')
    with pytest.raises(PlanError, match="unknown kecamatan 'X'"):
        read_plan(path, costing)
    (path.parent / "plan.json").write_text('{"reserves": {"D": {"police": -1}}}')
    with pytest.raises(PlanError, match="teams must be a whole number from 1 to 2"):
        read_plan(path, costing)
    (path.parent / "plan.json").write_text("{not json")
    with pytest.raises(PlanError, match=r"cannot read plan\.json"):
        read_plan(path, costing)


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ('{"reserves": {"D": {"police": true}}}', "reserves.D.police: teams must be a whole"),
        ('{"reserves": {"D": {"police": 99}}}', "from 1 to 2 (the reserve's min_per_district"),
        ('{"reserves": {"D": {"police": 1.5}}}', "got 1.5"),
        ('{"reserves": {"D": {"navy": 1}}}', "no reserve type for agency 'navy'"),
        ('{"reserves": {"D": [1]}}', "must map agency to a number of teams"),
        ("[1, 2]", None),  # not a mapping: no reserves given, the defaults stand
    ],
)
def test_plan_json_reserves_are_checked_against_the_scenario(
    costing: Scenario, tmp_path: Path, sidecar: str, message: str | None
) -> None:
    """plan.json reserves name known reserve agencies with team counts inside the reserve
    type's limits; booleans (JSON true) are not counts."""
    path = _write_plan(tmp_path, plan_to_csv(costing, default_plan(costing)))
    (path.parent / "plan.json").write_text(sidecar)
    if message is None:
        assert read_plan(path, costing).reserves == default_plan(costing).reserves
        return
    with pytest.raises(PlanError) as err:
        read_plan(path, costing)
    assert message in err.value.one_line()


def test_plan_files_that_are_not_text_or_not_there(costing: Scenario, tmp_path: Path) -> None:
    """Non-UTF-8 plan.csv and plan.json, an empty path and a folder without a plan are
    PlanErrors with one line, never a crash."""
    path = _write_plan(tmp_path, plan_to_csv(costing, default_plan(costing)))
    (path.parent / "plan.json").write_bytes(b'{"reserves": "\xff\xfe"}\xff')
    with pytest.raises(PlanError, match=r"plan\.json is not UTF-8"):
        read_plan(path, costing)
    (path.parent / "plan.json").unlink()
    path.write_bytes(b"tps_id,pattern\n\xff\xfe,2-1-2\n")
    with pytest.raises(PlanError, match="not UTF-8"):
        read_plan(path, costing)
    with pytest.raises(PlanError, match="plan path is empty"):
        read_plan("", costing)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PlanError, match="plan file not found"):
        read_plan(empty, costing)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("risk_class", "sangat_rawan", "but the scenario says"),
        ("district", "Elsewhere", "but the scenario says"),
        ("police", "7", "under pattern"),
        ("linmas", "lots", "under pattern"),
    ],
)
def test_plan_rows_must_agree_with_the_scenario(
    costing: Scenario, tmp_path: Path, column: str, value: str, message: str
) -> None:
    """A plan row whose kecamatan, class or personnel contradict the scenario (a plan of
    another scenario, or a hand edit of one column) is refused, naming row and column."""
    rows = list(csv.DictReader(io.StringIO(plan_to_csv(costing, default_plan(costing)))))
    assert rows[0][column] != value
    rows[0][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = _write_plan(tmp_path, out.getvalue())
    with pytest.raises(PlanError) as err:
        read_plan(path, costing)
    assert f"row 2, column {column}" in err.value.one_line()
    assert message in err.value.one_line()
