"""Read a run folder back: manifest, summary, CSV tables, the resolved scenario.

The report is written from files alone, so a report can be made (again, in another
language) long after the run, on another machine, from a folder that was e-mailed. Every
reader tolerates a missing file: a report section whose data is absent says so instead of
failing.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import UserError
from planner.scenario.resolved import Scenario


@dataclass
class CsvTable:
    """A CSV file as columns; numeric columns as float arrays, others as string lists."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    rows: int = 0

    def has(self, *names: str) -> bool:
        """True when every column in `names` exists."""
        return all(n in self.columns for n in names)

    def first(self, *names: str) -> str | None:
        """The first of `names` that is a column, or None."""
        return next((n for n in names if n in self.columns), None)

    def text(self, name: str) -> list[str]:
        """A column as strings ([] when absent)."""
        return list(self.columns.get(name, []))

    def num(self, name: str) -> np.ndarray:
        """A column as floats (blank or non-numeric cells as NaN; all NaN when absent)."""
        values = self.columns.get(name)
        if values is None:
            return np.full(self.rows, np.nan)
        return np.array([_float(v) for v in values], dtype=np.float64)

    def row_dicts(self) -> list[dict[str, str]]:
        """The rows as dicts of strings."""
        names = list(self.columns)
        return [{n: self.columns[n][i] for n in names} for i in range(self.rows)]


def _float(text: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return math.nan
    return value


def read_csv(path: Path) -> CsvTable | None:
    """A CSV file as a `CsvTable`, or None when it does not exist."""
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return CsvTable()
            names = [h.strip() for h in header]
            columns: dict[str, list[str]] = {n: [] for n in names}
            count = 0
            for row in reader:
                if not row:
                    continue
                count += 1
                for k, name in enumerate(names):
                    columns[name].append(row[k].strip() if k < len(row) else "")
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text; was the run folder edited?", where=str(path)) from None
    except (OSError, csv.Error) as exc:
        raise UserError(f"cannot read the CSV ({exc})", where=str(path)) from None
    return CsvTable(columns=columns, rows=count)


def read_json(path: Path) -> Any:
    """Parsed JSON, or None when the file does not exist."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON ({exc.msg}, line {exc.lineno})", where=str(path)) from None
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text; was the run folder edited?", where=str(path)) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise UserError(f"cannot read the JSON ({exc})", where=str(path)) from None


@dataclass
class RunData:
    """Everything a report reads from one run folder."""

    path: Path
    manifest: dict[str, Any]
    summary: dict[str, Any] | None = None

    @property
    def command(self) -> str:
        """The command that made the run (``simulate``, ``optimise``, ...)."""
        return str(self.manifest.get("command", "unknown"))

    def file(self, name: str) -> Path:
        """Path of a file in the run folder."""
        return self.path / name

    def csv(self, name: str) -> CsvTable | None:
        """A CSV file of the run, or None."""
        return read_csv(self.path / name)

    def json(self, name: str) -> Any:
        """A JSON file of the run, or None."""
        return read_json(self.path / name)

    def metric(self, name: str) -> dict[str, float] | None:
        """One metric from summary.json (mean, ci95_low, ci95_high, n), or None."""
        metrics = (self.summary or {}).get("metrics", {})
        value = metrics.get(name)
        return value if isinstance(value, dict) else None

    def files(self) -> list[tuple[str, float]]:
        """Names and sizes (kB) of the files in the folder, sorted."""
        return sorted(
            (p.name, p.stat().st_size / 1024)
            for p in self.path.iterdir()
            if p.is_file() and not p.name.startswith(".")
        )


def load_run(run_dir: Path) -> RunData:
    """Open a run folder; `UserError` when it is not one."""
    if not run_dir.exists():
        raise UserError("run folder not found; give a folder under outputs/", where=str(run_dir))
    if not run_dir.is_dir():
        raise UserError(
            "not a folder; give a run folder (it holds manifest.json)", where=str(run_dir)
        )
    manifest = read_json(run_dir / "manifest.json")
    if not isinstance(manifest, dict):
        raise UserError(
            "no manifest.json here; is this a run folder written by a planner command?",
            where=str(run_dir),
        )
    summary = read_json(run_dir / "summary.json")
    return RunData(
        path=run_dir, manifest=manifest, summary=summary if isinstance(summary, dict) else None
    )


def load_run_scenario(run: RunData) -> Scenario:
    """The run's scenario, rebuilt from scenario.resolved.yaml and tps.csv in its folder
    (`planner.scenario.load.load_resolved`)."""
    from planner.scenario.load import load_resolved

    return load_resolved(run.path)
