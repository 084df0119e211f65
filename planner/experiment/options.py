"""The options of the run commands, declared once (docs/architecture.md §3).

Each `Option` says its flags, its kind and bounds, its default, what it means (the text
``--help`` shows) and where its value goes in the run's `RunRequest`. Three readers use the
same declarations, so they cannot drift apart:

- the command line makes click options of them (`planner.cli.common.declared`), so
  ``--help`` shows these bounds and defaults;
- the lifecycle refuses a request whose values are outside them before any folder exists
  (`check_request_options`), whether the request came from the command line or the API;
- `request_of` turns option values — the command line's, or the Python API's keyword
  arguments — into the request, and `check_values` refuses an API call's out-of-range
  keywords the same way for runs that make no folder.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from planner.errors import UserError
from planner.experiment.session import RunRequest

MAX_REPLICATIONS = 100_000
"""Most replications one command may ask for (a documented bound; the TPS-day guard of
`planner.sim.size` usually binds first)."""
MAX_STEPS = 200
"""Most frontier budgets: each is a CP-SAT solve of up to --time-limit (200 at the default
20 s is over an hour), and a budget curve needs tens of points, not hundreds."""
MAX_ITERATIONS = 50
"""Most sim–opt loop rounds: the loop stops when the plan stops changing, in a few rounds on
every bundled scenario; 50 is a bound on a run that never settles, not a working value."""
MAX_WORKERS = 1024
"""Most processes or CP-SAT workers one command may start (far beyond any one machine)."""
MAX_TIME_LIMIT_S = 86_400.0
"""Longest CP-SAT solve one step may ask for: a day."""
MAX_SEED = 2**63 - 1
"""Seeds are non-negative 63-bit integers (numpy's SeedSequence takes any non-negative
integer; 63 bits keep them exact in JSON readers that use signed 64-bit integers)."""

Kind = Literal["int", "float", "text", "path", "flag", "choice"]


@dataclass(frozen=True)
class Option:
    """One command-line option of a run command, and the API keyword of the same name."""

    key: str
    """The value's name: the click parameter and the Python API's keyword argument."""
    flags: tuple[str, ...]
    help: str
    kind: Kind = "text"
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    """The value must be above `low` (not equal to it)."""
    unit: str = ""
    """What the bounds count, for the refusal (e.g. "replications")."""
    why: str = ""
    """Why the bounds are what they are, for the refusal (e.g. "a pair needs two")."""
    choices: tuple[str, ...] = ()
    many: bool = False
    """Repeatable (``--budget a=1 --budget b=2``); the value is a list."""
    metavar: str | None = None
    required: bool = False
    show_default: bool = False
    into: str | None = None
    """Where the value goes: a `RunRequest` field (``"seed"``), one of the request's own
    options (``"options.gap"``), where the run goes (``"where.workers"``), or None (how the
    run is shown or kept, not what it computes: ``--out``, ``--json``, ``--resume``)."""
    store: Callable[[Any], Any] | None = None
    """How the value is kept in the request, when not as given (e.g. a path as text)."""

    def but(self, **changes: Any) -> Option:
        """The same option with some fields changed (a command's own default or help)."""
        return replace(self, **changes)

    def stored(self, value: Any) -> Any:
        """The value as the request keeps it (JSON-ready: lists, text, numbers)."""
        if self.store is not None:
            return self.store(value)
        if self.many:
            return list(value or ())
        if self.kind == "path" and value is not None:
            return str(value)
        return value

    def bounds(self) -> str:
        """What a value must be, in words: ``1 to 100,000 replications (…)``."""
        low, high, unit = _number(self.low), _number(self.high), self.unit
        if self.high is None:
            text = f"{unit} ≥ {low}"
        elif self.low is None:
            text = f"at most {high} {unit}"
        elif self.low_open:
            text = f"more than {low} and at most {high} {unit}"
        else:
            text = f"{low} to {high} {unit}"
        return text.strip() + (f" ({self.why})" if self.why else "")

    def check(self, value: Any) -> None:
        """Refuse a value outside the option's kind or bounds: a one-line user error that
        starts with the flag, as the lifecycle gives it to a request from the command line
        or the API."""
        flag = self.flags[0]
        if value is None or self.many:
            return
        if self.kind == "choice" and value not in self.choices:
            raise UserError(f"{flag} {value!r}: give one of {', '.join(self.choices)}")
        if self.kind not in ("int", "float"):
            return
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if self.kind == "int":
            inside = whole and low <= value <= high
        else:
            inside = real and math.isfinite(value) and value <= high and (
                low < value if self.low_open else low <= value
            )
        if not inside:
            raise UserError(f"{flag} {value}: give {self.bounds()}")


def _number(value: float | None) -> str:
    """A bound as a reader writes it: 86,400 and 1,000,000, not 86400.0 and 1e+06."""
    if value is None:
        return ""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:g}"


def _plans_of(path: Any) -> list[str]:
    """simulate's ``--plan`` as the request's plans: the file, or the policy default."""
    return [str(path) if path else "default"]


REPLICATIONS = Option(
    "replications", ("-r", "--replications"), "", kind="int", default=20, low=1,
    high=MAX_REPLICATIONS, unit="replications", show_default=True, into="replications")
SEED = Option(
    "seed", ("--seed",), "Override the scenario seed (0 ≤ SEED < 2^63).", kind="int", low=0,
    high=MAX_SEED, why="a seed below 2^63", into="seed")
WORKERS = Option(
    "workers", ("--workers",),
    "Processes to run replications on (results are identical for any number).", kind="int",
    default=1, low=1, high=MAX_WORKERS, unit="workers", show_default=True, into="where.workers")
EXECUTOR = Option(
    "executor", ("--executor",), "Where tasks run: local processes, or a Dask cluster (pip "
    "install 'planner[distributed]'). Results are identical either way.", kind="choice",
    choices=("local", "dask"), default="local", show_default=True, into="where.executor")
SCHEDULER = Option(
    "scheduler", ("--scheduler",), "Address of a running Dask scheduler (e.g. "
    "tcp://10.0.0.5:8786); without it --executor dask starts a local cluster.",
    metavar="ADDRESS", into="where.scheduler")
PRECISION = Option(
    "precision", ("--precision",), "Add replications until the metric's 95% interval is "
    "± HALF_WIDTH or narrower, e.g. wait_mean_min=0.5 (-r is then the first batch; "
    "repeatable).", many=True, metavar="METRIC=HALF_WIDTH", into="precision")
MAX_REPLICATIONS_CAP = Option(
    "max_replications", ("--max-replications",),
    "Cap on replications when --precision adds them (default 500).", kind="int", low=1,
    high=MAX_REPLICATIONS, unit="replications", into="max_replications")
RESUME = Option(
    "resume", ("--resume",), "Finish an interrupted run in RUN_DIR (its saved replications "
    "are kept; give no SCENARIO).", kind="path", metavar="RUN_DIR")
OUT = Option("out", ("--out",), "Run folder.", kind="path")
JSON = Option("as_json", ("--json",), "Print the run's summary JSON to stdout.", kind="flag",
              default=False)
BUDGETS = Option(
    "budgets", ("--budget",), "Budget of an agency's budget line (police=6.2e9) or of a line "
    "by name (polres=6199000000); 'unlimited' lifts it (repeatable).", many=True,
    metavar="NAME=RUPIAH", into="options.budgets")
AVAILABLE = Option(
    "available", ("--available",), "Personnel available to an agency, e.g. police=422 "
    "(repeatable).", many=True, metavar="AGENCY=N", into="options.available")
TIME_LIMIT = Option(
    "time_limit_s", ("--time-limit",), "Seconds per CP-SAT solve (at most a day).",
    kind="float", default=60.0, low=0, high=MAX_TIME_LIMIT_S, low_open=True, unit="seconds",
    why="a day at most", show_default=True, into="options.time_limit_s")
GAP = Option(
    "gap", ("--gap",), "Stop each solve at this relative gap (0 to 1).", kind="float",
    default=0.0, low=0, high=1, unit="as a relative gap", show_default=True,
    into="options.gap")
CP_SAT_WORKERS = Option(
    "workers", ("--workers",), "CP-SAT workers.", kind="int", default=2, low=1,
    high=MAX_WORKERS, unit="workers", show_default=True, into="options.workers")

EXECUTION = (WORKERS, EXECUTOR, SCHEDULER)
KEPT = (RESUME, OUT, JSON)
SOLVER = (TIME_LIMIT, GAP, CP_SAT_WORKERS)

OPTIONS_OF: dict[str, tuple[Option, ...]] = {
    "simulate": (
        REPLICATIONS.but(help="Simulated polling days (Monte Carlo replications)."),
        SEED, *EXECUTION,
        Option("plan", ("--plan",), "Deployment plan CSV from planner optimise (default: the "
               "policy-default plan).", kind="path", into="plans", store=_plans_of),
        Option("trace_tps", ("--trace",), "Also write trace.csv: every event at this TPS in "
               "replication 0.", metavar="TPS_ID", into="options.trace_tps"),
        Option("engine", ("--engine",), "Voter engine: batch (arrays, fast) or reference "
               "(SimPy, event by event; same results).", kind="choice",
               choices=("batch", "reference"), default="batch", show_default=True,
               into="engine"),
        PRECISION, MAX_REPLICATIONS_CAP, *KEPT,
    ),
    "compare": (
        REPLICATIONS.but(low=2, why="a pair needs two",
                         help="Simulated polling days, the same for every plan."),
        SEED, *EXECUTION, PRECISION, MAX_REPLICATIONS_CAP, *KEPT,
    ),
    "plan": (
        BUDGETS, AVAILABLE,
        REPLICATIONS.but(default=10, low=2, why="intervals need two",
                         help="Training replications each plan is simulated on."),
        Option("eval_replications", ("--eval-replications",), "Out-of-sample replications "
               "the candidates are judged on (default: as -r).", kind="int", low=2,
               high=MAX_REPLICATIONS, unit="replications", why="intervals need two",
               into="options.eval_replications"),
        Option("iterations", ("--iterations",), "Most optimise–simulate rounds (the loop "
               "stops earlier when the plan stops changing).", kind="int", default=3, low=1,
               high=MAX_ITERATIONS, unit="rounds", show_default=True,
               into="options.iterations"),
        TIME_LIMIT, GAP,
        CP_SAT_WORKERS.but(key="solver_workers", flags=("--solver-workers",),
                           into="options.solver_workers"),
        SEED, *EXECUTION, *KEPT,
    ),
    "calibrate": (
        REPLICATIONS.but(low=2, why="intervals need two", help="Simulated days per pattern."),
        SEED, *EXECUTION, *KEPT,
    ),
    "optimise": (BUDGETS, AVAILABLE, *SOLVER, SEED, OUT, JSON),
    "frontier": (
        Option("agency", ("--agency",), "Agency (or budget line) whose budget is swept; omit "
               "to scale every budget.", into="options.agency"),
        Option("start", ("--from",), "First budget (Rp) or factor.", kind="float", low=0,
               unit="a budget (Rp) or factor", required=True, into="options.from"),
        Option("stop", ("--to",), "Last budget (Rp) or factor.", kind="float", low=0,
               unit="a budget (Rp) or factor", required=True, into="options.to"),
        Option("steps", ("--steps",), f"Budgets in the sweep (1 to {MAX_STEPS}).", kind="int",
               default=5, low=1, high=MAX_STEPS, unit="budgets", show_default=True,
               into="options.steps"),
        Option("simulate", ("--simulate",), "Also simulate every step's plan on the same -r "
               "days and show the harm each step removes as simulated (paired intervals).",
               kind="flag", default=False, into="options.simulate"),
        REPLICATIONS.but(default=10, low=2, why="paired intervals need two",
                         help="Simulated days per step with --simulate."),
        EXECUTOR, SCHEDULER, TIME_LIMIT.but(default=20.0), GAP, CP_SAT_WORKERS, SEED, OUT, JSON,
    ),
}
"""Every run command's options, in the order ``--help`` lists them (the report's options
and ``--set`` follow them; they belong to the report and scenario layers)."""


def request_of(
    command: str, scenario: Any, values: Mapping[str, Any], **fields: Any
) -> RunRequest:
    """The request of a new run of `command` from option values (the command line's, or the
    API's keyword arguments); an option not among them takes its declared default, and
    `fields` (e.g. compare's PLANS) are set as given."""
    made: dict[str, Any] = {"overrides": list(values.get("overrides") or ())}
    own: dict[str, Any] = {}
    for option in OPTIONS_OF[command]:
        if option.into is None or option.into.startswith("where."):
            continue
        value = option.stored(values.get(option.key, option.default))
        place, _, name = option.into.partition(".")
        if place == "options":
            own[name] = value
        else:
            made[place] = value
    return RunRequest(command=command, scenario=str(scenario), **{**made, **fields},
                      options=own)


def value_in(option: Option, request: RunRequest, where: Any) -> Any:
    """The option's value as a request (and where it runs) holds it."""
    if option.into is None:
        return None
    place, _, name = option.into.partition(".")
    if place == "options":
        return request.options.get(name)
    if place == "where":
        return getattr(where, name)
    return getattr(request, place)


def check_request_options(command: str, request: RunRequest, where: Any) -> None:
    """Every option value of the request within its declared kind and bounds."""
    for option in OPTIONS_OF[command]:
        option.check(value_in(option, request, where))


def check_values(command: str, values: Mapping[str, Any]) -> None:
    """The API's keyword arguments that are options of `command`, within their bounds (the
    runs that make no folder, where no request is checked)."""
    for option in OPTIONS_OF[command]:
        if option.key in values:
            option.check(values[option.key])
