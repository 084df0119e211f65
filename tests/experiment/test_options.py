"""The run options are declared once (planner.experiment.options): the command line's click
options, the lifecycle's refusals and the Python API's keyword checks all come from the same
declaration, so they cannot drift apart (issue 11, item 4: a notebook gets what the CLI gets).
"""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import click
import numpy as np
import pytest

import planner
from planner.cli import main
from planner.demo.options import DEMO_OPTIONS
from planner.demo.run import DemoOptions, run_demo
from planner.experiment.options import (
    GAP,
    OPTIONS_OF,
    REPLICATIONS,
    SEED,
    TIME_LIMIT,
    Option,
    check_values,
    request_of,
)
from planner.experiment.session import RunRequest

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "scenarios" / "training-small.yaml")


def _declared(command: str, key: str) -> Option:
    return next(o for o in OPTIONS_OF[command] if o.key == key)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (REPLICATIONS, 0, "-r 0: give 1 to 100,000 replications"),
        (REPLICATIONS.but(low=2, why="a pair needs two"), 1,
         "-r 1: give 2 to 100,000 replications (a pair needs two)"),
        (REPLICATIONS, 2.5, "-r 2.5: give 1 to 100,000 replications"),
        (REPLICATIONS, True, "-r True: give 1 to 100,000 replications"),
        (SEED, -1, "--seed -1: give 0 to 9,223,372,036,854,775,807 (a seed below 2^63)"),
        (SEED, 2**63, "--seed 9223372036854775808: give 0 to"),
        (TIME_LIMIT, 0.0, "--time-limit 0.0: give more than 0 and at most 86,400 seconds"),
        (TIME_LIMIT, math.nan, "--time-limit nan: give more than 0"),
        (TIME_LIMIT, math.inf, "--time-limit inf: give more than 0"),
        (GAP, 2.0, "--gap 2.0: give 0 to 1 as a relative gap"),
        (GAP, "0.1", "--gap 0.1: give 0 to 1"),
        (_declared("frontier", "start"), -5.0, "--from -5.0: give a budget (Rp) or factor ≥ 0"),
        (_declared("simulate", "engine"), "fast", "--engine 'fast': give one of batch, reference"),
    ],
)
def test_a_value_outside_its_declaration_is_refused_naming_the_flag(
    option: Option, value: object, message: str
) -> None:
    with pytest.raises(planner.UserError, match=re.escape(message)):
        option.check(value)


@pytest.mark.parametrize("value", [1, 100_000, np.int64(7), None])
def test_values_within_the_declaration_pass(value: object) -> None:
    REPLICATIONS.check(value)
    TIME_LIMIT.check(86_400.0)
    GAP.check(0)  # a whole number is a number


def _click_params(command: str) -> dict[str, click.Parameter]:
    return {p.name or "": p for p in main.commands[command].params}


@pytest.mark.parametrize("command", sorted(OPTIONS_OF))
def test_the_command_line_shows_exactly_the_declared_bounds_and_defaults(command: str) -> None:
    params = _click_params(command)
    for option in OPTIONS_OF[command]:
        param = params[option.key]
        assert isinstance(param, click.Option)
        assert tuple(param.opts) == option.flags
        assert param.help == option.help
        assert param.multiple == option.many and param.required == option.required
        if option.kind in ("int", "float"):
            kind = param.type
            assert isinstance(kind, click.IntRange | click.FloatRange)
            assert (kind.min, kind.max) == (option.low, option.high)
            assert kind.min_open == option.low_open
        if not option.many:
            assert param.default == option.default


def test_demo_options_are_the_declared_ones() -> None:
    params = _click_params("demo")
    for option in DEMO_OPTIONS:
        assert tuple(params[option.key].opts) == option.flags


@pytest.mark.parametrize(
    ("function", "command", "keys"),
    [
        (planner.simulate, "simulate", ("replications", "workers")),
        (planner.compare, "compare", ("replications",)),
        (planner.plan, "plan", ("iterations", "replications")),
        (planner.optimise, "optimise", ("time_limit_s",)),
    ],
)
def test_the_api_defaults_are_the_command_line_s(
    function: object, command: str, keys: tuple[str, ...]
) -> None:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    declared = {o.key: o.default for o in OPTIONS_OF[command]}
    for key in keys:
        assert signature.parameters[key].default == declared[key], key


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: planner.optimise(SMALL, time_limit_s=math.nan), "--time-limit nan"),
        (lambda: planner.optimise(SMALL, gap=2.0, time_limit_s=1), "--gap 2.0"),
        (lambda: planner.optimise(SMALL, workers=0), "--workers 0"),
        (lambda: planner.simulate(SMALL, 2, seed=-1), "--seed -1"),
        (lambda: planner.simulate(SMALL, 2, engine="fast"), "--engine 'fast'"),
        (lambda: planner.compare(SMALL, ["default", "default"], replications=1), "-r 1"),
        (lambda: planner.plan(SMALL, iterations=0, replications=2), "--iterations 0"),
    ],
    ids=["time-limit-nan", "gap", "cp-sat-workers", "seed", "engine", "compare-r",
         "iterations"],
)
def test_api_runs_without_a_folder_are_refused_as_the_command_line_refuses(
    call: object, message: str
) -> None:
    """Before, a NaN time limit and a gap of 2 ran, and seed=-1 ended in numpy's ValueError."""
    with pytest.raises(planner.UserError, match=message.replace("-", r"\-")):
        call()  # type: ignore[operator]


def test_a_notebook_demo_is_refused_as_the_command_line_refuses(tmp_path: Path) -> None:
    with pytest.raises(planner.UserError, match=r"\-\-speed nan"):
        run_demo(DemoOptions(scenario=Path(SMALL), speed=math.nan, out=tmp_path / "d"))
    assert not (tmp_path / "d").exists()


def test_check_values_looks_only_at_the_command_s_options() -> None:
    check_values("optimise", {"replications": 0, "harm": object()})  # not optimise's options
    with pytest.raises(planner.UserError, match="-r 0"):
        check_values("simulate", {"replications": 0})


def test_request_of_fills_the_declared_defaults() -> None:
    assert request_of("plan", "sc.yaml", {}) == RunRequest(
        command="plan", scenario="sc.yaml", replications=10, seed=None,
        options={"budgets": [], "available": [], "eval_replications": None, "iterations": 3,
                 "time_limit_s": 60.0, "gap": 0.0, "solver_workers": 2})
    simulate = request_of("simulate", "sc.yaml", {"plan": Path("p.csv"), "overrides": ("a=1",)})
    assert simulate == RunRequest(command="simulate", scenario="sc.yaml", overrides=["a=1"],
                                  replications=20, plans=["p.csv"],
                                  options={"trace_tps": None})
    assert request_of("simulate", "sc.yaml", {}).plans == ["default"]
    frontier = request_of("frontier", "sc.yaml", {"start": 1.0, "stop": 2.0}, seed=5)
    assert frontier.options["from"] == 1.0 and frontier.options["to"] == 2.0
    assert frontier.seed == 5 and frontier.options["time_limit_s"] == 20.0


def test_bounds_read_as_a_user_writes_them() -> None:
    sitrep = next(o for o in DEMO_OPTIONS if o.key == "sitrep_min")
    speed = next(o for o in DEMO_OPTIONS if o.key == "speed")
    assert sitrep.bounds() == "at most 1,440 minutes"
    assert speed.bounds() == "0 to 1,000,000 simulated minutes per second"
    assert TIME_LIMIT.bounds() == "more than 0 and at most 86,400 seconds (a day at most)"
    assert _declared("frontier", "start").bounds() == "a budget (Rp) or factor ≥ 0"
    with pytest.raises(planner.UserError, match="--sitrep 2000: give at most 1,440 minutes"):
        sitrep.check(2000)
