"""A deployment plan: which pattern each TPS gets and the reserve teams per kecamatan.

The only thing that crosses between the optimiser (`planner.opt`) and the simulator
(`planner.sim`). Written as `plan.csv` (one row per TPS: tps_id, district, village,
risk_class, pattern, linmas, police, tni — DESIGN §5) plus, optionally, reserves in
`plan.json`; read back by `simulate --plan`, `compare` and `report`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import PlanError
from planner.scenario.resolved import Scenario

PLAN_COLUMNS: tuple[str, ...] = (
    "tps_id",
    "district",
    "village",
    "risk_class",
    "pattern",
    "linmas",
    "police",
    "tni",
)


@dataclass(frozen=True)
class Plan:
    """Pattern per TPS (in TPS-table order) and reserve teams per (kecamatan, agency)."""

    patterns: tuple[str, ...]
    reserves: dict[tuple[str, str], int] = field(default_factory=dict)
    """Teams kept at each kecamatan post, keyed by (kecamatan label, agency)."""
    label: str = "plan"

    def pattern_counts(self) -> dict[str, int]:
        """Number of TPS on each pattern."""
        out: dict[str, int] = {}
        for p in self.patterns:
            out[p] = out.get(p, 0) + 1
        return out


def default_plan(scenario: Scenario) -> Plan:
    """The policy-default plan: every TPS gets its class's standard pattern and every
    kecamatan the policy minimum of reserve teams (what police plan by hand today)."""
    policy = scenario.spec.security.policy
    tps = scenario.tps
    patterns = tuple(policy[tps.class_names[c]].standard for c in tps.risk_class)
    reserves = {
        (d, r.agency): r.min_per_district
        for d in tps.district_names
        for r in scenario.spec.security.reserves
    }
    return Plan(patterns=patterns, reserves=reserves, label="default")


def plan_to_csv(scenario: Scenario, plan: Plan) -> str:
    """`plan.csv` text: one row per TPS with the contract columns plus other agencies."""
    sec = scenario.spec.security
    extra = [a for a in sec.agencies if a not in ("linmas", "police", "tni")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*PLAN_COLUMNS, *extra])
    tps = scenario.tps
    for i, name in enumerate(plan.patterns):
        pattern = sec.pattern(name)
        counts = [_fmt(pattern.personnel_per_tps(a)) for a in ("linmas", "police", "tni", *extra)]
        writer.writerow(
            [
                tps.tps_id[i],
                tps.district_names[tps.district[i]],
                tps.village_names[tps.village[i]],
                tps.class_names[tps.risk_class[i]],
                name,
                *counts,
            ]
        )
    return out.getvalue()


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def read_plan(path: str | Path, scenario: Scenario) -> Plan:
    """Read a `plan.csv`, or an .xlsx with its columns (and reserves from a `plan.json`
    beside it, when present).

    Every TPS of the scenario must appear exactly once with a pattern its class may use.
    """
    file = Path(path)
    where = str(file)
    if not str(path).strip():
        raise PlanError("the plan path is empty; give a plan.csv or a run folder", where="plan")
    if _is(file, "dir"):
        file = file / "plan.csv"
        where = str(file)
    if not _is(file, "file"):
        raise PlanError(
            "plan file not found; give a plan.csv written by planner optimise", where=where
        )
    if file.stat().st_size > MAX_PLAN_BYTES:
        raise PlanError(
            f"the plan is over {MAX_PLAN_BYTES // 1_000_000} MB; check it is a plan.csv",
            where=where,
        )
    sec = scenario.spec.security
    tps = scenario.tps
    known = {p.name for p in sec.patterns}
    patterns: list[str | None] = [None] * len(tps)
    try:
        with contextlib.ExitStack() as stack:
            header, rows, sheet = _plan_rows(file, stack)
            if sheet is not None:  # rows are numbered on that worksheet
                where = f"{where}, worksheet {sheet!r}"
            for column in ("tps_id", "pattern"):
                if column not in header:
                    raise PlanError(
                        f"missing column {column}; a plan needs tps_id and pattern",
                        where=where,
                        location="header",
                    )
            for n, row in rows:
                tps_id = (row.get("tps_id") or "").strip()
                name = (row.get("pattern") or "").strip()
                try:
                    i = tps.index_of(tps_id)
                except KeyError:
                    raise PlanError(
                        f"unknown TPS id {tps_id!r}; it is not in the scenario's TPS table",
                        where=where,
                        location=f"row {n}, column tps_id",
                    ) from None
                if patterns[i] is not None:
                    raise PlanError(
                        f"TPS {tps_id!r} appears twice",
                        where=where,
                        location=f"row {n}, column tps_id",
                    )
                if name not in known:
                    raise PlanError(
                        f"unknown pattern {name!r}; patterns: {', '.join(sorted(known))}",
                        where=where,
                        location=f"row {n}, column pattern",
                    )
                cls = tps.class_names[tps.risk_class[i]]
                if name not in sec.policy[cls].allowed:
                    raise PlanError(
                        f"pattern {name!r} is not allowed for class {cls}; allowed: "
                        f"{', '.join(sec.policy[cls].allowed)}",
                        where=where,
                        location=f"row {n}, column pattern",
                    )
                _check_row_agrees(row, i, n, scenario, name, where)
                patterns[i] = name
    except UnicodeDecodeError:
        raise PlanError("the plan is not UTF-8 text; save it as UTF-8", where=where) from None
    except (OSError, csv.Error) as exc:
        raise PlanError(f"cannot read the plan ({exc})", where=where) from None
    missing = [tps.tps_id[i] for i, p in enumerate(patterns) if p is None]
    if missing:
        raise PlanError(
            f"{len(missing)} TPS have no row (first: {missing[0]}); a plan lists "
            "every TPS of the scenario",
            where=where,
        )
    reserves = default_plan(scenario).reserves
    sidecar = file.with_name("plan.json")
    if _is(sidecar, "file"):
        reserves = _read_reserves(sidecar, scenario, reserves)
    return Plan(
        patterns=tuple(p for p in patterns if p is not None),
        reserves=reserves,
        label=file.parent.name or file.stem,
    )


def _plan_rows(
    file: Path, stack: contextlib.ExitStack[bool | None]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str | None]]], str | None]:
    """The plan's header and its numbered rows: a plan.csv, or a workbook with plan.csv's
    columns (a plan opened in a spreadsheet, edited, saved as .xlsx). In a workbook the table
    is on the first worksheet whose header — the first row naming tps_id and pattern in its
    top 30 — has them, so a cover or notes sheet before it does no harm. The third value
    names that worksheet when it is not the first (rows are numbered on it)."""
    if file.suffix.lower() != ".xlsx":
        handle = stack.enter_context(file.open(encoding="utf-8-sig", newline=""))
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), enumerate(reader, start=2), None
    from planner.scenario.sheets import read_cells, worksheet_names

    sheet: str | None = None  # the first worksheet, read before the others are listed
    cells = read_cells(file, "the plan")
    top = _plan_header(cells)
    for other in worksheet_names(file)[1:] if top is None else []:
        cells = read_cells(file, "the plan", other)
        top = _plan_header(cells)
        if top is not None:
            sheet = other
            break
    if top is None:
        return [], iter(()), None
    header = cells[top]

    def records() -> Iterator[tuple[int, dict[str, str | None]]]:
        for k, row in enumerate(cells[top + 1 :], start=top + 2):
            if any(c.strip() for c in row):
                yield k, {name: (row[j] if j < len(row) else "") for j, name in enumerate(header)}

    return header, records(), sheet


def _plan_header(cells: list[list[str]]) -> int | None:
    """The row (0-based) of a worksheet's plan header: the first of its top 30 naming
    tps_id and pattern, or None."""
    return next((k for k, row in enumerate(cells[:30]) if {"tps_id", "pattern"} <= set(row)), None)


MAX_PLAN_BYTES = 200_000_000
"""Largest plan.csv read (a plan row per TPS of a national Pemilu is about 80 MB)."""


def _is(path: Path, kind: str) -> bool:
    """`path.is_dir()` / `path.is_file()`, False for a path the system cannot even look at."""
    try:
        return path.is_dir() if kind == "dir" else path.is_file()
    except (OSError, ValueError):
        return False


def _check_row_agrees(
    row: dict[str, str | None], i: int, n: int, scenario: Scenario, pattern: str, where: str
) -> None:
    """A plan row's optional columns (kecamatan, village, risk class, personnel per agency)
    must say what the scenario and the pattern say: a plan written for another scenario, or
    edited by hand in one column only, would otherwise be read as something it is not."""
    tps = scenario.tps
    expected = {
        "district": tps.district_names[tps.district[i]],
        "village": tps.village_names[tps.village[i]],
        "risk_class": tps.class_names[tps.risk_class[i]],
    }
    sec = scenario.spec.security
    for agency in sec.agencies:
        expected[agency] = _fmt(sec.pattern(pattern).personnel_per_tps(agency))
    for column, want in expected.items():
        got = (row.get(column) or "").strip()
        if not got:
            continue
        same = got == want
        if column in sec.agencies:
            try:
                same = abs(float(got) - float(want)) < 1e-3
            except ValueError:
                same = False
        if not same:
            raise PlanError(
                f"{got!r} but the scenario says {want!r} for TPS {tps.tps_id[i]!r}"
                + (f" under pattern {pattern!r}" if column in sec.agencies else "")
                + "; the plan was written for another scenario or edited by hand — fix the "
                "column or write the plan again with planner optimise",
                where=where,
                location=f"row {n}, column {column}",
            )


def _read_reserves(
    path: Path, scenario: Scenario, defaults: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise PlanError("plan.json is not UTF-8 text", where=str(path)) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise PlanError(f"cannot read plan.json ({exc})", where=str(path)) from None
    table = data.get("reserves") if isinstance(data, dict) else None
    if table is None:
        return defaults
    out = dict(defaults)
    limits = {
        r.agency: (r.min_per_district, r.max_per_district) for r in scenario.spec.security.reserves
    }
    if not isinstance(table, dict):
        raise PlanError(
            "reserves must map kecamatan to {agency: teams}", where=str(path), location="reserves"
        )
    for district, by_agency in table.items():
        if district not in scenario.tps.district_names:
            raise PlanError(
                f"unknown kecamatan {district!r}", where=str(path), location=f"reserves.{district}"
            )
        if not isinstance(by_agency, dict):
            raise PlanError(
                "must map agency to a number of teams",
                where=str(path),
                location=f"reserves.{district}",
            )
        for agency, teams in by_agency.items():
            here = f"reserves.{district}.{agency}"
            if agency not in limits:
                raise PlanError(
                    f"no reserve type for agency {agency!r}; security.reserves has: "
                    f"{', '.join(limits) or 'none'}",
                    where=str(path),
                    location=here,
                )
            low, high = limits[agency]
            if isinstance(teams, bool) or not isinstance(teams, int) or not low <= teams <= high:
                raise PlanError(
                    f"teams must be a whole number from {low} to {high} (the reserve's "
                    f"min_per_district and max_per_district), got {json.dumps(teams)}",
                    where=str(path),
                    location=here,
                )
            out[(district, agency)] = teams
    return out
