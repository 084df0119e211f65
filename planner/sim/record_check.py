"""The Pilkada 2024 record beside the simulation: shares of TPS with each recorded problem.

Bawaslu's report of Pilkada 2024 polling day (security-effects.md §4, 435,296 TPS) counts
the TPS where each problem was found, and KPU's Sirekap uploads show how many TPS had their
results in by a clock time. This module simulates a scenario under its policy-default plan
and puts, beside each row of that record, the share of simulated TPS-days with the model's
counterpart of the problem — or says that the model has none. Run

    python -m planner.sim.record_check scenarios/balikpapan-2024.yaml -r 10

(``--set path=value`` as in ``planner simulate``; ``--zone`` the scenario's time zone) to
print the table of docs/calibration.md ("The Pilkada 2024 record").

Counterparts (docs/calibration.md says why each is the one):

* voting opened after 07:00 — the TPS started voting after ``day.open``: kit set-up or a
  blocking replacement (`planner.sim.logistics`) or an incident's suspension over the
  opening (`logistics.effective_open_min`);
* logistics not the right quantity — the kit check found too few ballots
  (``kit_short``) or a missing item (``kit_missing``);
* ballots swapped — at least one ``swapped_ballots`` incident;
* valid + invalid ≠ voters who voted — at least one tally mismatch (a recount) at counting;
* intimidation of organisers — at least one ``intimidation`` incident that went ahead;
* counting finish — results signed (``counting.finish_min``) by the record's clock time in
  the scenario's zone. Sirekap uploads are a *lower bound* on TPS that had finished, so the
  simulated share must not be below the record; it may be above it.

The standard error is that of the simulated share *if the record's share were the model's*:
a binomial over the TPS-days at the recorded share (so a row the simulation never saw still
has one) plus, for the rows an area-wide incident can move (late opening), an upper bound of
the extra variance from area events reaching many TPS at once (`area_variance_bound`). A row
matches when the simulated share lies within 2 of these standard errors of the record (for
a lower bound: not below it by more).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.scenario.load import load_scenario
from planner.scenario.plan import default_plan
from planner.scenario.resolved import Scenario
from planner.sim.day import simulate_day
from planner.sim.logistics import effective_open_min

ZONES: dict[str, int] = {"WIB": 7, "WITA": 8, "WIT": 9}
"""Indonesia's time zones and their UTC offsets (hours)."""
RECORD_ZONE = "WIB"
"""The zone in which KPU gave the Sirekap clock times (security-effects §4: 19:00 WIB)."""
SOURCE = "security-effects §4"


@dataclass(frozen=True)
class RecordRow:
    """One row of the record: the problem, the recorded share of TPS, and the model's
    counterpart (None: the model has none). `lower_bound`: the record is a lower bound
    (Sirekap uploads) and the simulated share may lie above it. `clock_wib`: for counting
    finish, the record's clock time in minutes after midnight of polling day, WIB."""

    key: str
    problem: str
    share: float
    counterpart: str | None
    lower_bound: bool = False
    clock_wib: int | None = None


RECORD: tuple[RecordRow, ...] = (
    RecordRow(
        "late_open",
        "voting opened after 07:00",
        5438 / 435296,
        "TPS started voting after day.open (set-up, blocking kit replacement, incident)",
    ),
    RecordRow(
        "logistics_quantity",
        "voting logistics not the right quantity",
        12696 / 435296,
        "kit check: too few ballots or an item missing",
    ),
    RecordRow("swapped_ballots", "ballots swapped", 1073 / 435296, "a swapped_ballots incident"),
    RecordRow("count_early", "counting started before 13:00", 462 / 435296, None),
    RecordRow(
        "count_mismatch",
        "valid + invalid ≠ voters who voted",
        273 / 435296,
        "a tally mismatch at counting (recount)",
    ),
    RecordRow(
        "intimidation",
        "intimidation of organisers",
        87 / 435296,
        "an intimidation incident that went ahead",
    ),
    RecordRow("no_c_hasil", "supervisor not given the C-Hasil copy", 71 / 435296, None),
    RecordRow("not_visible", "count not clearly visible to witnesses", 35 / 435296, None),
    RecordRow(
        "finish_1900_wib",
        "results in by 19:00 WIB (Sirekap)",
        0.80,
        "results signed by then",
        lower_bound=True,
        clock_wib=19 * 60,
    ),
    RecordRow(
        "finish_2400_wib",
        "results in by midnight WIB (Sirekap)",
        0.90,
        "results signed by then",
        lower_bound=True,
        clock_wib=24 * 60,
    ),
    RecordRow(
        "finish_h2",
        "results in by H+2 13:00 WIB (Sirekap)",
        0.9785,
        "results signed by then",
        lower_bound=True,
        clock_wib=2 * 1440 + 13 * 60,
    ),
)
"""The Pilkada 2024 record (security-effects §4). Bawaslu's rows are TPS counts of 435,296;
Sirekap's are shares of regent/mayor results (80%; governor 81.8%) and the rounded
'about 90%' by midnight."""


@dataclass(frozen=True)
class RowResult:
    """The simulated share of one record row over `n` TPS-days (NaN: no counterpart)."""

    row: RecordRow
    count: int
    n: int
    se: float
    """Standard error of the simulated share at the recorded share (module docstring)."""

    @property
    def share(self) -> float:
        return self.count / self.n if self.row.counterpart is not None and self.n else math.nan

    @property
    def within(self) -> bool | None:
        """Whether the simulated share lies within 2 standard errors of the record (a lower
        bound: is not below it by more); None without a counterpart."""
        if self.row.counterpart is None:
            return None
        if self.row.lower_bound:
            return self.share >= self.row.share - 2 * self.se
        return abs(self.share - self.row.share) <= 2 * self.se


def local_clock(clock_wib: int, zone: str) -> int:
    """A clock time given in WIB as the minutes of the scenario's zone."""
    return clock_wib + 60 * (ZONES[zone] - ZONES[RECORD_ZONE])


def area_variance_bound(scenario: Scenario, replications: int) -> float:
    """Upper bound on the variance of the number of TPS-days that area-wide incidents
    (village or kecamatan events) before opening make late, over `replications` days.

    Each area of m TPS has Poisson(rate × pre-open share) such events a day, each reaching
    Binomial(m, hit share) TPS; counting every TPS reached as late bounds the compound-
    Poisson variance by rate × w × E[H²], E[H²] = m h (1 − h) + (m h)²."""
    tps = scenario.tps
    total = 0.0
    for t in scenario.spec.incidents.types:
        if t.area == "tps" or t.trigger != "rate" or not scenario.spec.incidents.enabled:
            continue
        ph = t.phases
        w = ph.pre_open / (ph.pre_open + ph.voting + ph.counting)
        codes = tps.district if t.area == "district" else tps.village
        sizes = np.bincount(codes).astype(np.float64)
        h = t.area_hit_share
        total += t.rate_per_tps_day * w * float((sizes * h * (1 - h) + (sizes * h) ** 2).sum())
    return total * replications


def check_record(
    scenario: Scenario, replications: int, zone: str = "WITA", first_replication: int = 0
) -> list[RowResult]:
    """Simulate `replications` days of the scenario under its policy-default plan and count,
    for every record row with a counterpart, the TPS-days with the problem."""
    if zone not in ZONES:
        raise ValueError(f"zone must be one of {', '.join(ZONES)}")
    spec = scenario.spec
    plan = default_plan(scenario)
    n_tps = len(scenario.tps)
    counts = {r.key: 0 for r in RECORD}
    for rep in range(first_replication, first_replication + replications):
        day = simulate_day(scenario, scenario.seed, rep, plan=plan)
        response = day.disruptions.response
        suspensions = response.suspensions if response is not None else None
        opened = effective_open_min(day.opening.open_min, suspensions)
        counts["late_open"] += int((opened > float(spec.day.open) + 1e-9).sum())
        lg = day.opening.logistics
        if spec.logistics.enabled and lg is not None:
            counts["logistics_quantity"] += int((lg.kit_short | lg.kit_missing).sum())
        if response is not None:
            draws = response.draws
            for key in ("swapped_ballots", "intimidation"):
                if key in draws.type_names:
                    k = draws.type_names.index(key)
                    hit = draws.tps[(draws.type == k) & ~draws.scripted]
                    counts[key] += len(np.unique(hit))
        if spec.counting.enabled:
            counts["count_mismatch"] += int((day.counting.errors > 0).sum())
            finish = day.counting.finish_min
            for r in RECORD:
                if r.clock_wib is not None:
                    counts[r.key] += int((finish <= local_clock(r.clock_wib, zone)).sum())
    n = n_tps * replications
    area_var = area_variance_bound(scenario, replications)
    out = []
    for r in RECORD:
        c = counts[r.key]
        var = r.share * (1 - r.share) * n + (area_var if r.key == "late_open" else 0.0)
        out.append(RowResult(r, c, n, math.sqrt(var) / n if n else math.nan))
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def table(results: Sequence[RowResult], zone: str = "WITA") -> str:
    """The Markdown table: record, simulated share ± SE, TPS-days, the model's counterpart."""
    lines = [
        "| problem on polling day | record | simulated (SE) | TPS-days | model counterpart |",
        "|---|---|---|---|---|",
    ]
    for res in results:
        r = res.row
        problem = r.problem
        if r.clock_wib is not None:
            local = local_clock(r.clock_wib, zone)
            day, minute = divmod(local, 1440)
            when = f"{'H+' + str(day) + ' ' if day else ''}{minute // 60:02d}:{minute % 60:02d}"
            problem = f"{problem} = {when} {zone}"
        rec = ("≥ " if r.lower_bound else "") + _pct(r.share)
        if r.counterpart is None:
            lines.append(f"| {problem} | {rec} | — | — | none in the model |")
            continue
        mark = "" if res.within else " ✗"
        lines.append(
            f"| {problem} | {rec} | {_pct(res.share)} ({_pct(res.se)}){mark} | "
            f"{res.count:,} / {res.n:,} | {r.counterpart} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:  # pragma: no cover - a documentation script
    ap = argparse.ArgumentParser(
        prog="python -m planner.sim.record_check",
        description="Simulated shares of TPS with each Pilkada 2024 problem beside the record "
        f"({SOURCE}), under the scenario's policy-default plan.",
    )
    ap.add_argument("scenario", type=Path)
    ap.add_argument("-r", "--replications", type=int, default=10)
    ap.add_argument(
        "--zone",
        choices=sorted(ZONES),
        default="WITA",
        help="the scenario's time zone (every bundled scenario is in WITA)",
    )
    ap.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario value (as planner simulate)",
    )
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario, args.overrides)
    print(
        f"{sc.spec.name}: {len(sc.tps):,} TPS × {args.replications} replications, "
        "policy-default plan"
    )
    print(table(check_record(sc, args.replications, args.zone), args.zone))
    print(
        "SE: of the simulated share if the record were true; ✗: more than 2 SE from the "
        "record (a lower bound: below it by more)."
    )


if __name__ == "__main__":  # pragma: no cover
    main()
