"""Every option has its range, checked before a run folder exists (issue 10, item 5).

Each mistake below is one a hurried user makes; each must end as exit 2 with one line on
stderr (no traceback, never "internal error"), and no run folder may be left behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = str(ROOT / "scenarios" / "training-small.yaml")

CASES: list[tuple[str, list[str], str]] = [
    ("seed below 0", ["simulate", SMALL, "--seed", "-1"], "--seed"),
    ("seed of 2^63", ["simulate", SMALL, "--seed", str(2**63)], "--seed"),
    ("seed of 1e30", ["simulate", SMALL, "--seed", "1e30"], "--seed"),
    ("no workers", ["simulate", SMALL, "--workers", "0"], "--workers"),
    ("negative workers", ["simulate", SMALL, "--workers", "-4"], "--workers"),
    ("a billion replications", ["simulate", SMALL, "-r", "1000000000"], "--replications"),
    ("no replications", ["simulate", SMALL, "-r", "0"], "--replications"),
    ("unknown metric", ["simulate", SMALL, "--precision", "incidents_bogus=0.1"], "bogus"),
    (
        "metric switched off",
        ["simulate", SMALL, "--set", "incidents.enabled=false", "--precision",
         "incidents_total=1"],
        "switched off",
    ),
    (
        "cap of 1e9",
        ["simulate", SMALL, "--precision", "wait_mean_min=0.1", "--max-replications", "1e9"],
        "--max-replications",
    ),
    (
        "cap below -r",
        ["simulate", SMALL, "-r", "5", "--precision", "wait_mean_min=0.1",
         "--max-replications", "2"],
        "from -r (5)",
    ),
    ("both scenario and resume", ["simulate", SMALL, "--resume", "x"], "not both"),
    ("neither scenario nor resume", ["simulate"], "missing SCENARIO"),
    ("unknown trace TPS", ["simulate", SMALL, "--trace", "TPS-9999"], "no TPS with id"),
    ("budget of infinity", ["optimise", SMALL, "--budget", "police=inf"], "finite"),
    ("budget of NaN", ["optimise", SMALL, "--budget", "police=nan"], "finite"),
    ("negative budget", ["optimise", SMALL, "--budget", "police=-5"], "≥ 0"),
    ("budget without amount", ["optimise", SMALL, "--budget", "police"], "NAME=AMOUNT"),
    ("time limit NaN", ["optimise", SMALL, "--time-limit", "nan"], "--time-limit"),
    ("time limit infinite", ["optimise", SMALL, "--time-limit", "inf"], "--time-limit"),
    ("time limit negative", ["optimise", SMALL, "--time-limit", "-1"], "--time-limit"),
    ("negative gap", ["optimise", SMALL, "--gap", "-1"], "--gap"),
    ("gap NaN", ["optimise", SMALL, "--gap", "nan"], "--gap"),
    ("negative CP-SAT workers", ["optimise", SMALL, "--workers", "-4"], "--workers"),
    ("optimise seed below 0", ["optimise", SMALL, "--seed", "-1"], "--seed"),
    (
        "from above to",
        ["frontier", SMALL, "--agency", "police", "--from", "9e8", "--to", "3e8"],
        "--from ≤ --to",
    ),
    (
        "a hundred million steps",
        ["frontier", SMALL, "--from", "1", "--to", "2", "--steps", "100000000"],
        "--steps",
    ),
    ("from infinite", ["frontier", SMALL, "--from", "inf", "--to", "2"], "--from"),
    ("compare one plan", ["compare", SMALL, "default"], "two or more PLANS"),
    ("compare no plans", ["compare", SMALL], "PLANS"),
    ("compare empty path", ["compare", SMALL, "default", "optimised="], "give a plan after"),
    ("compare missing plan", ["compare", SMALL, "default", "nope.csv"], "plan file not found"),
    ("plan time limit infinite", ["plan", SMALL, "--time-limit", "inf"], "--time-limit"),
    ("plan no iterations", ["plan", SMALL, "--iterations", "0"], "--iterations"),
    ("plan bad budget", ["plan", SMALL, "--budget", "police=inf"], "finite"),
    ("demo speed NaN", ["demo", SMALL, "--speed", "nan"], "--speed"),
    ("demo negative seed", ["demo", SMALL, "--seed", "-3"], "--seed"),
    ("demo sitrep of a week", ["demo", SMALL, "--sitrep", "10080"], "--sitrep"),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_option_mistakes_are_refused_before_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.chdir(tmp_path)  # a default run folder would land in ./outputs
    out = tmp_path / "run"
    extra = ["--out", str(out)] if len(args) > 1 else []
    result = CliRunner().invoke(main, [*args, *extra, "--no-report"])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not out.exists() and not (tmp_path / "outputs").exists()


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_our_own_errors_are_one_line(tmp_path: Path) -> None:
    """The planner's own refusals (not click's usage errors) are exactly one line."""
    runner = CliRunner()
    bad = runner.invoke(main, ["optimise", SMALL, "--budget", "police=inf", "--no-report"])
    assert "finite amount" in _one_error_line(bad.output)
    flipped = runner.invoke(main, ["frontier", SMALL, "--from", "3", "--to", "1"])
    assert "--from" in _one_error_line(flipped.output)


def test_out_naming_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", SMALL, "-r", "1", "--out", str(target)])
    assert result.exit_code == 2 and "is a file" in _one_error_line(result.output)
    assert target.read_text(encoding="utf-8") == "mine"


def test_out_naming_another_commands_folder_is_refused(tmp_path: Path) -> None:
    """`simulate --out` over an optimise run folder would overwrite its manifest."""
    folder = tmp_path / "opt"
    folder.mkdir()
    manifest = {"command": "optimise", "status": "ok"}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", SMALL, "-r", "1", "--out", str(folder)])
    assert result.exit_code == 2
    assert "the run of `planner optimise`" in _one_error_line(result.output)
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    demo = CliRunner().invoke(main, ["demo", SMALL, "--out", str(folder)])
    assert demo.exit_code == 2 and "choose another --out" in demo.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[1, 2, 3]", "not a run folder"),
        (b"\xff\xfe\x00not utf-8", "not a run folder"),
        (b'{"command": "simulate", "request": [1]}', "request is damaged"),
        (b'{"command": "simulate", "request": {"scenario": 7, "replications": "x"}}', "damaged"),
        (b'{"command": "optimise"}', "not a resumable simulate run"),
    ],
    ids=["a list", "not UTF-8", "request a list", "request of wrong types", "optimise folder"],
)
def test_resume_of_a_damaged_manifest_is_refused(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / "manifest.json").write_bytes(content)
    result = CliRunner().invoke(main, ["simulate", "--resume", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert expected in _one_error_line(result.output)


def test_a_failed_demo_marks_its_folder_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fails after its folder exists is marked failed, never left running."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("planner.demo.run.simulate_demo_day", broken)
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", SMALL, "--out", str(out)])
    assert result.exit_code == 1 and "internal error" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and "disk on fire" in manifest["error"]


def test_a_failed_simulate_marks_its_folder_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure of an executor's tasks (e.g. a Dask worker lost) ends the run failed."""

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("worker lost")

    monkeypatch.setattr("planner.experiment.run.run_replications", broken)
    out = tmp_path / "sim"
    result = CliRunner().invoke(main, ["simulate", SMALL, "-r", "1", "--out", str(out)])
    assert result.exit_code == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and "worker lost" in manifest["error"]


@pytest.mark.parametrize(
    "args",
    [["schema", "--out"], ["validate", SMALL, "--tps-out"]],
    ids=["schema --out", "validate --tps-out"],
)
def test_an_output_file_that_is_a_folder_is_refused(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, str(tmp_path)])
    assert result.exit_code == 2
    assert "is a folder; give the path of a file" in _one_error_line(result.output)


def test_frontier_names_the_agency_option(tmp_path: Path) -> None:
    args = ["frontier", SMALL, "--agency", "nosuch", "--from", "1", "--to", "2",
            "--out", str(tmp_path / "f")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert _one_error_line(result.output).startswith("error: --agency: unknown agency")
    assert not (tmp_path / "f").exists()
