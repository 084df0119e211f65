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
from planner.scenario.schema import ScenarioSpec
from planner.scenario.tps import TpsTable


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
    """The run's scenario, rebuilt from scenario.resolved.yaml and tps.csv in its folder.

    The TPS table is read from tps.csv when present (so a scenario that named a TPS file
    elsewhere still loads from the folder alone), else generated again from the spec.
    """
    from planner.scenario.load import read_yaml, resolve_tps, validate_spec

    path = run.file("scenario.resolved.yaml")
    if not path.is_file():
        raise UserError("no scenario.resolved.yaml in the run folder", where=str(run.path))
    data = read_yaml(path)  # the scenario loader's checks: UTF-8, size, plain YAML, a mapping
    # the dump writes unset alternatives (region/regions) as null
    data = {k: v for k, v in data.items() if v is not None}
    spec = validate_spec(data, where=str(path))
    tps = read_csv(run.file("tps.csv"))
    if tps is None or tps.rows == 0:
        return Scenario(spec=spec, tps=resolve_tps(spec, run.path, where=str(path)), path=path)
    try:
        return Scenario(spec=spec, tps=_table_from_run(spec, tps), path=path)
    except (KeyError, ValueError, IndexError) as exc:
        raise UserError(
            f"tps.csv does not fit the run's scenario ({type(exc).__name__}: {exc}); the run "
            "folder was edited or is damaged — run the command again",
            where=str(run.file("tps.csv")),
        ) from None


def _table_from_run(spec: ScenarioSpec, tps: CsvTable) -> TpsTable:
    """The TPS table written to a run folder's tps.csv, read back for `spec`."""
    from planner.scenario.load import build_table

    known = set(spec.risk.classes)
    regions = [r.name for r in spec.all_regions()]
    multi = spec.regions is not None
    rows: list[dict[str, Any]] = []
    for raw in tps.row_dicts():
        if raw["risk_class"] not in known or raw.get("access", "road") not in ("road", "river", ""):
            raise ValueError(f"TPS {raw['tps_id']!r} has a class or access the scenario lacks")
        region = raw.get("region") or regions[0]
        district = raw["district"]
        if multi and district.startswith(f"{region} / "):
            district = district[len(region) + 3 :]
        row: dict[str, Any] = {
            "tps_id": raw["tps_id"],
            "district": district,
            "village": raw["village"],
            "voters": int(raw["voters"]),
            "risk_class": raw["risk_class"],
            "booths": int(raw.get("booths") or spec.election.booths_per_tps),
            "access": raw.get("access") or "road",
            "indicators": int(raw.get("indicators") or 0),
            "region": region,
            "region_index": regions.index(region) if region in regions else 0,
        }
        if raw.get("lat") and raw.get("lon"):
            row["lat"], row["lon"] = float(raw["lat"]), float(raw["lon"])
        rows.append(row)
    return build_table(spec, rows)
