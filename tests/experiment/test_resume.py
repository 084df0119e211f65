"""Loss-free runs: kill a real run midway, resume it, get the uninterrupted run's summary."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import planner
from planner.cli import main
from planner.errors import UserError
from planner.experiment.checkpoint import (
    ReplicationStore,
    decode_result,
    encode_result,
)
from planner.experiment.compare import compare_plans
from planner.experiment.session import RunRequest, store_identity
from planner.experiment.tasks import Job, Task, run_task
from planner.scenario.load import load_scenario
from planner.scenario.plan import default_plan

SCENARIO = """\
name: resume test
seed: 3
region:
  name: Kota Uji
  districts:
    - {name: Alpha, villages: 5, tps: 60, voters: 30000}
    - {name: Beta, villages: 4, tps: 40, voters: 20000}
"""
"""100 TPS: about 0.1 s a replication, so a 60-replication run is still running when the
tests interrupt it after a few are saved, even on a busy machine (24 could all finish in the
moment a starved parent process saved them, and the Ctrl-C then came too late)."""
REPLICATIONS = 60
PLANNER = str(Path(sys.executable).parent / "planner")


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "resume.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uninterrupted run's folder."""
    root = tmp_path_factory.mktemp("reference")
    scenario = root / "resume.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = root / "run"
    args = ["simulate", str(scenario), "-r", str(REPLICATIONS), "--seed", "4"]
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--no-report", "--json"])
    assert result.exit_code == 0, result.output
    return out


def _summary(out: Path) -> dict[str, object]:
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    return summary


def _start(scenario_file: Path, out: Path) -> subprocess.Popen[bytes]:
    args = [PLANNER, "simulate", str(scenario_file), "-r", str(REPLICATIONS), "--seed", "4"]
    return subprocess.Popen(
        [*args, "--workers", "2", "--out", str(out), "--no-report"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, like a job in a terminal
    )


def _saved(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "replications" / "p00").glob("r*.npz"))


def _wait_for(out: Path, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(_saved(out)) < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the run ended or stalled before {count} replications were saved")
        time.sleep(0.005)


def _resume(out: Path) -> dict[str, object]:
    args = ["simulate", "--resume", str(out), "--workers", "2", "--no-report", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    return summary


def _interrupt_midway(proc: subprocess.Popen[bytes], out: Path) -> bool:
    """Ctrl-C the run's process group while it is certainly still running: stop the group,
    check that the run is alive and has tasks left, queue SIGINT (what Ctrl-C sends to the
    terminal's job), then let it go on. False (nothing sent) when the run had already
    finished, which a busy machine can make happen between two polls of the folder."""
    os.killpg(proc.pid, signal.SIGSTOP)
    try:
        if proc.poll() is not None or len(_saved(out)) >= REPLICATIONS:
            return False
        os.killpg(proc.pid, signal.SIGINT)
        return True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGCONT)


@pytest.mark.slow
def test_sigkill_midway_then_resume_equals_an_uninterrupted_run(
    scenario_file: Path, tmp_path: Path, reference: Path
) -> None:
    out = tmp_path / "killed"
    proc = _start(scenario_file, out)
    _wait_for(out, 5, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, no chance to clean up
    proc.wait()
    before = _saved(out)
    assert 5 <= len(before) < REPLICATIONS, "the kill should land midway"
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert _resume(out) == _summary(reference)
    after = _saved(out)
    assert after == [f"r{r:06d}.npz" for r in range(REPLICATIONS)]  # each exactly once
    assert set(before) <= set(after)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["tasks_run"] == REPLICATIONS - len(before)
    for table in ("per_tps.csv", "per_district.csv", "per_village.csv"):
        assert (out / table).read_text() == (reference / table).read_text(), table
    assert not list((out / "replications").glob("p00/.*.tmp"))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_says_how_to_resume(
    scenario_file: Path, tmp_path: Path, reference: Path
) -> None:
    for attempt in range(3):
        out = tmp_path / f"interrupted{attempt}"
        proc = _start(scenario_file, out)
        _wait_for(out, 3, proc)
        if _interrupt_midway(proc, out):
            break
        proc.communicate(timeout=60)  # it finished first on a starved machine: try again
    else:
        pytest.fail("the run finished before every one of three Ctrl-Cs could reach it")
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert f"planner simulate --resume {out}" in text and "Traceback" not in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["saved_tasks"] == len(_saved(out))
    assert _resume(out) == _summary(reference)


def test_stored_results_round_trip_exactly(scenario_file: Path) -> None:
    sc = load_scenario(scenario_file)
    result = run_task(Job.make(sc, (None,), 1), Task(0, 2)).result
    back = decode_result(encode_result(result))
    assert back.scalars == result.scalars and back.enabled == result.enabled
    assert back.replication == 2
    for name, col in result.per_tps.items():
        assert back.per_tps[name].tobytes() == col.tobytes(), name
    for name, col in result.per_district.items():
        assert back.per_district[name].tobytes() == col.tobytes(), name
    assert set(back.per_village) == set(result.per_village) and result.per_village
    for name, col in result.per_village.items():
        assert back.per_village[name].tobytes() == col.tobytes(), name


def test_resume_after_lost_replications_writes_the_same_tables(
    scenario_file: Path, tmp_path: Path
) -> None:
    """Replications lost from the store are run again and every table comes out the same
    (per_village.csv included: the saved village columns are what a fresh run folds)."""
    out = tmp_path / "run"
    args = ["simulate", str(scenario_file), "-r", "4", "--seed", "4", "--no-report", "--no-xlsx"]
    first = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert first.exit_code == 0, first.output
    tables = ("summary.json", "per_tps.csv", "per_district.csv", "per_village.csv")
    before = {name: (out / name).read_text() for name in tables}
    for name in ("r000001.npz", "r000002.npz"):
        (out / "replications" / "p00" / name).unlink()
    for name in tables:
        (out / name).unlink()
    resumed = CliRunner().invoke(main, ["simulate", "--resume", str(out), "--no-report"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((out / "manifest.json").read_text())["tasks_run"] == 2
    for name in tables:
        assert (out / name).read_text() == before[name], name
    assert len(before["per_village.csv"].splitlines()) == 1 + 9  # 5 + 4 villages


def test_compare_resumes_from_its_store(scenario_file: Path, tmp_path: Path) -> None:
    """A compare store with some tasks lost finishes to the same result."""
    sc = load_scenario(scenario_file)
    plans = [None, default_plan(sc)]
    request = RunRequest(command="compare", scenario=str(scenario_file))
    identity = store_identity(sc, plans, 5, request)
    store = ReplicationStore(tmp_path, identity).open()
    first = compare_plans(sc, plans, ["a", "b"], 4, 5, store=store)
    assert first.tasks_run == 8
    for name in ("r000001.npz", "r000003.npz"):
        (tmp_path / "replications" / "p01" / name).unlink()
    again = ReplicationStore(tmp_path, identity).open(resume=True)
    second = compare_plans(sc, plans, ["a", "b"], 4, 5, store=again)
    assert second.tasks_run == 2
    assert second.summary() == first.summary()


def test_resume_refuses_what_it_cannot_finish(scenario_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "run"
    ok = runner.invoke(main, ["simulate", str(scenario_file), "-r", "2", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    wrong = runner.invoke(main, ["compare", "--resume", str(out)])
    assert wrong.exit_code == 2 and "planner simulate --resume" in wrong.output
    both = runner.invoke(main, ["simulate", str(scenario_file), "--resume", str(out)])
    assert both.exit_code == 2
    again = runner.invoke(main, ["simulate", str(scenario_file), "-r", "2", "--out", str(out)])
    assert again.exit_code == 2 and "--resume" in again.output
    # both the folder's copy and the file changed: nothing rebuilds the run's scenario
    scenario_file.write_text(SCENARIO.replace("seed: 3", "seed: 4"), encoding="utf-8")
    resolved = out / "scenario.resolved.yaml"
    resolved.write_text(resolved.read_text().replace("seed: 3", "seed: 4"), encoding="utf-8")
    changed = runner.invoke(main, ["simulate", "--resume", str(out)])
    assert changed.exit_code == 2 and "scenario changed" in changed.output
    with pytest.raises(UserError, match="not a run folder"):
        planner.resume(tmp_path / "nowhere")
    identity = {"scenario_sha256": "x", "seed": 1}
    with pytest.raises(UserError, match="no saved replications"):
        ReplicationStore(tmp_path / "empty", identity).open(resume=True)
