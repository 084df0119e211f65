"""The foundation commands through click's CliRunner: --version, validate, schema, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import planner
from planner.cli import main
from planner.scenario.reference import scenario_json_schema

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
BALIKPAPAN = str(REPO / "scenarios" / "balikpapan-2024.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    """--version prints the package version and exits 0."""
    code, out, _ = run("--version")
    assert code == 0
    assert out == f"planner, version {planner.__version__}\n"


def test_help_lists_commands_with_examples() -> None:
    """The group lists every command, and each command's --help has an example."""
    code, out, _ = run("--help")
    commands = ("init", "validate", "schema", "report", "demo", "simulate", "compare", "plan",
                "calibrate", "optimise", "frontier")
    assert code == 0 and all(f"  {command} " in out for command in commands)
    for command in commands:
        code, out, _ = run(command, "--help")
        assert code == 0
        assert "Example:" in out


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_validate_every_bundled_scenario(path: Path) -> None:
    """Each bundled scenario validates with exit 0 and an OK line."""
    code, out, err = run("validate", str(path))
    assert code == 0, err
    assert out.endswith(f"OK: {path} is valid\n")
    assert err == ""


def test_validate_balikpapan_summary() -> None:
    """The Balikpapan summary: counts, per-kecamatan table, default plan against budgets."""
    code, out, _ = run("validate", BALIKPAPAN)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Kota Balikpapan — Pilkada 2024  (pilkada, seed 20241127)"
    assert lines[1].startswith("  kecamatan 6, villages 34, TPS 996, voters 520,986 (max ")
    assert "TPS by risk class: kurang_rawan 942, rawan 40, sangat_rawan 10, khusus 4" in out
    assert "    Balikpapan Utara                    6    254    132,192" in out
    assert "budget polres: Rp " in out and " of Rp 6,199,000,000 (" in out
    assert "budget kodim: Rp 0 of Rp 2,066,000,000 (0%)" in out


def test_validate_json_and_set() -> None:
    """--json prints the summary as JSON; --set changes the scenario before validation."""
    code, out, _ = run("validate", BALIKPAPAN, "--json", "--set", "voters.turnout=0.7")
    assert code == 0
    summary = json.loads(out)
    assert summary["tps"] == 996
    assert summary["voters"] == 520_986
    assert summary["expected_turnout"] == 0.7
    assert summary["default_plan"]["budget_idr"] == {
        "polres": 6_199_000_000,
        "kodim": 2_066_000_000,
    }
    assert summary["default_plan"]["available"]["police"] == 422


def test_validate_writes_the_tps_table(tmp_path: Path) -> None:
    """--tps-out writes the resolved TPS table with the contract columns."""
    out_file = tmp_path / "sub" / "tps.csv"
    code, _, _ = run("validate", BALIKPAPAN, "--tps-out", str(out_file))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert len(rows) == 996
    assert {"tps_id", "district", "village", "voters", "risk_class"} <= set(rows[0])
    assert sum(int(r["voters"]) for r in rows) == 520_986


def test_user_error_exits_2_with_one_line(tmp_path: Path) -> None:
    """A user mistake: exit 2, one line on stderr naming file and key, nothing on stdout."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nregion: {name: R, districts: []}\n", encoding="utf-8")
    code, out, err = run("validate", str(bad))
    assert code == 2
    assert out == ""
    assert (
        err == f"error: {bad}: region.districts: must not be empty; list at least one kecamatan\n"
    )


def test_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    """A malformed --set is a user error (exit 2) naming the override."""
    code, _, err = run("validate", BALIKPAPAN, "--set", "voters.turnout")
    assert code == 2
    assert err.startswith("error: --set voters.turnout: not path.to.key=value")


def test_internal_error_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception is an internal error: exit 1, a short message, no traceback."""

    def broken(_: object) -> dict[str, object]:
        raise RuntimeError("boom")

    monkeypatch.setattr("planner.scenario.summary.summarise", broken)
    code, _, err = run("validate", BALIKPAPAN)
    assert code == 1
    assert err.splitlines()[0] == "internal error: RuntimeError: boom"
    assert "Traceback" not in err


def test_schema_prints_the_json_schema(tmp_path: Path) -> None:
    """`planner schema` prints the scenario JSON Schema; --out writes it to a file."""
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema == json.loads(json.dumps(scenario_json_schema()))
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"name", "region", "regions", "voters", "security"} <= set(schema["properties"])
    target = tmp_path / "scenario.schema.json"
    code, out, _ = run("schema", "--out", str(target))
    assert code == 0 and out == f"wrote {target}\n"
    assert json.loads(target.read_text(encoding="utf-8")) == schema
