"""Run folders and atomic file writes (DESIGN §5).

Every command that produces results writes them into a run folder with a `manifest.json`
(command, scenario hash, seed, versions, start/end time, status) and the resolved scenario.
Files are written to a temporary name and renamed, so a killed run never leaves a half file.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from planner.errors import UserError


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (temporary file in the same folder, then rename).
    A path that is a folder, or a place that cannot be written, is a user error."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temporary file in the same folder, then rename), so
    a reader never sees half a file (a workbook, a report). A path that is a folder, or a
    place that cannot be written, is a user error."""
    path = Path(path)
    if path.is_dir():
        raise UserError("is a folder; give the path of a file to write", where=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UserError(
            f"cannot write here ({exc.strerror or exc}); choose another path", where=str(path)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    """Write `data` as indented JSON, atomically."""
    atomic_write_text(
        path, json.dumps(data, indent=2, ensure_ascii=False, default=_jsonable) + "\n"
    )


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def utc_now() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def versions() -> dict[str, str]:
    """Versions of planner and the libraries results depend on."""
    out = {"python": platform.python_version()}
    for name in ("planner", "simpy", "ortools", "numpy", "pydantic"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def default_run_dir(scenario_name: str, command: str, root: Path = Path("outputs")) -> Path:
    """``outputs/<UTC time>-<scenario>-<command>/``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9]+", "-", scenario_name).strip("-").lower()[:40] or "scenario"
    return root / f"{stamp}-{safe}-{command}"


@dataclass
class RunFolder:
    """A run folder being written: manifest first (status running), results, then finish."""

    path: Path
    command: str
    manifest: dict[str, Any] = field(default_factory=dict)

    def start(
        self,
        scenario_name: str,
        scenario_digest: str,
        seed: int,
        spec_data: dict[str, Any],
        tps_csv: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Create the folder, write the resolved scenario and a 'running' manifest."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.manifest = {
            "command": self.command,
            "scenario": scenario_name,
            "scenario_sha256": scenario_digest,
            "seed": seed,
            "versions": versions(),
            "started_utc": utc_now(),
            "finished_utc": None,
            "status": "running",
            **(extra or {}),
        }
        atomic_write_text(
            self.path / "scenario.resolved.yaml",
            yaml.safe_dump(spec_data, sort_keys=False, allow_unicode=True),
        )
        if tps_csv is not None:
            atomic_write_text(self.path / "tps.csv", tps_csv)
        atomic_write_json(self.path / "manifest.json", self.manifest)

    def write_text(self, name: str, text: str) -> Path:
        """Write a result file atomically and return its path."""
        target = self.path / name
        atomic_write_text(target, text)
        return target

    def write_json(self, name: str, data: Any) -> Path:
        """Write a JSON result file atomically and return its path."""
        target = self.path / name
        atomic_write_json(target, data)
        return target

    def finish(self, status: str = "ok", **extra: Any) -> None:
        """Mark the run finished in the manifest."""
        self.manifest.update({"finished_utc": utc_now(), "status": status, **extra})
        atomic_write_json(self.path / "manifest.json", self.manifest)

    @contextlib.contextmanager
    def recording(self) -> Iterator[dict[str, Any]]:
        """Record how the work inside ends, whatever happens: yields a dict the work fills
        with the fields of a successful finish (``status`` may replace "ok"); Ctrl-C marks
        the run interrupted and any other exception failed (with the error), and both
        propagate. A folder is never left "running"."""
        fields: dict[str, Any] = {}
        try:
            yield fields
        except KeyboardInterrupt:
            if self.manifest.get("status") != "interrupted":
                self.finish("interrupted")
            raise
        except BaseException as exc:
            self.finish("failed", error=f"{type(exc).__name__}: {exc}")
            raise
        status = str(fields.pop("status", "ok"))
        self.finish(status, **fields)
