"""Loss-free runs: every finished task's aggregate saved atomically in the run folder.

Layout in the run folder::

    replications/store.json            what the results belong to (seed, scenario, plans)
    replications/p00/r000012.npz       plan 0, replication 12 (one-region scenario)
    replications/p00/r000012-g03.npz   plan 0, replication 12, region 3 (a province)

A file is written to a temporary name, flushed to disk and renamed as soon as its task
finishes, so a run killed at any moment (Ctrl-C, kill -9, a crash, a power cut) leaves only
whole files, each task's result at most once. ``--resume RUN_DIR`` re-opens the run with the
options its manifest recorded, checks that the scenario and plans are still the same, loads
the saved tasks and runs only the missing ones; results are folded in replication order
either way, so the final summary is identical to that of an uninterrupted run.

The ``.npz`` file holds the result's arrays (``tps.NAME``, ``district.NAME``,
``village.NAME``, ``note.NAME``) and one JSON text (``meta``: scalars, enabled flags and
other notes; floats in JSON round-trip exactly).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import UserError
from planner.experiment.tasks import Task, TaskResult
from planner.sim.metrics import ReplicationResult

STORE_DIR = "replications"
STORE_FILE = "store.json"


def plan_digest(scenario_digest: str, plan: Any) -> str:
    """A short digest of a plan (None: the policy default) for the store's identity."""
    if plan is None:
        return "default"
    h = hashlib.sha256(scenario_digest.encode())
    h.update("\n".join(plan.patterns).encode())
    h.update(json.dumps(sorted((list(k), v) for k, v in plan.reserves.items())).encode())
    return h.hexdigest()[:16]


class ReplicationStore:
    """Saved task results of one run folder."""

    def __init__(self, run_dir: Path, identity: dict[str, Any]) -> None:
        self.root = Path(run_dir) / STORE_DIR
        self.identity = identity
        self._done: set[Task] = set()

    # --- opening ---------------------------------------------------------------------------
    def open(self, resume: bool = False) -> ReplicationStore:
        """Create the store, or (`resume`) check it belongs to the same run and list its files."""
        marker = self.root / STORE_FILE
        if marker.is_file():
            saved = json.loads(marker.read_text(encoding="utf-8"))
            if saved != _plain(self.identity):
                changed = sorted(
                    k
                    for k in {*saved, *self.identity}
                    if saved.get(k) != _plain(self.identity).get(k)
                )
                raise UserError(
                    "the saved replications belong to a different run (changed: "
                    f"{', '.join(changed)}); resume with the same scenario, plans and seed, "
                    "or start a new run folder",
                    where=str(marker),
                )
        elif resume:
            raise UserError(
                "no saved replications to resume; give the folder of a run that was started "
                "by simulate, compare or plan",
                where=str(self.root.parent),
            )
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            _atomic_bytes(
                marker, (json.dumps(_plain(self.identity), indent=2) + "\n").encode("utf-8")
            )
        for stale in self.root.glob("p*/.*.tmp"):  # half-written by a killed run
            stale.unlink(missing_ok=True)
        self._done = self._scan()
        return self

    def _scan(self) -> set[Task]:
        done: set[Task] = set()
        for path in self.root.glob("p*/r*.npz"):
            task = _task_of(path)
            if task is not None:
                done.add(task)
        return done

    # --- use -------------------------------------------------------------------------------
    def has(self, task: Task) -> bool:
        """True when the task's result is saved."""
        return task in self._done

    @property
    def count(self) -> int:
        """Number of saved task results."""
        return len(self._done)

    def path(self, task: Task) -> Path:
        """Where a task's result is kept."""
        return self.root / f"p{task.plan:02d}" / f"{task.name}.npz"

    def save(self, done: TaskResult) -> None:
        """Save one task's result atomically."""
        if done.task in self._done:
            raise RuntimeError(f"task {done.task} saved twice")
        _atomic_bytes(self.path(done.task), encode_result(done.result, done.seconds))
        self._done.add(done.task)

    def load(self, task: Task) -> ReplicationResult:
        """A saved task's result."""
        return decode_result(self.path(task).read_bytes())


def encode_result(result: ReplicationResult, seconds: float = 0.0) -> bytes:
    """A `ReplicationResult` as the bytes of an .npz file."""
    import io

    arrays: dict[str, np.ndarray] = {}
    for name, col in result.per_tps.items():
        arrays[f"tps.{name}"] = np.asarray(col)
    for name, col in result.per_district.items():
        arrays[f"district.{name}"] = np.asarray(col)
    for name, col in result.per_village.items():
        arrays[f"village.{name}"] = np.asarray(col)
    notes: dict[str, Any] = {}
    for name, value in result.notes.items():
        if isinstance(value, np.ndarray):
            arrays[f"note.{name}"] = value
        else:
            notes[name] = value
    meta = {
        "replication": result.replication,
        "scalars": result.scalars,
        "enabled": result.enabled,
        "notes": notes,
        "seconds": seconds,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def decode_result(data: bytes) -> ReplicationResult:
    """The `ReplicationResult` of `encode_result` bytes."""
    import io

    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        per_tps = {k[4:]: npz[k] for k in npz.files if k.startswith("tps.")}
        per_district = {k[9:]: npz[k] for k in npz.files if k.startswith("district.")}
        per_village = {k[8:]: npz[k] for k in npz.files if k.startswith("village.")}
        notes: dict[str, Any] = dict(meta["notes"])
        notes.update({k[5:]: npz[k] for k in npz.files if k.startswith("note.")})
    return ReplicationResult(
        replication=int(meta["replication"]),
        scalars={k: float(v) for k, v in meta["scalars"].items()},
        enabled={k: bool(v) for k, v in meta["enabled"].items()},
        per_tps=per_tps,
        per_district=per_district,
        per_village=per_village,
        notes=notes,
    )


def _task_of(path: Path) -> Task | None:
    try:
        plan = int(path.parent.name[1:])
        stem = path.stem[1:]
        if "-g" in stem:
            rep, region = stem.split("-g")
            return Task(plan, int(rep), int(region))
        return Task(plan, int(stem))
    except ValueError:
        return None


def _atomic_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return result
