"""The malformed-scenario corpus: each case exits 2 with its exact one-line message.

tests/data/bad/cases.yaml lists every case (file, optional extra arguments, why, and the
exact stderr line); the files sit beside it. Run from that folder so messages name files
exactly as given on the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from planner.cli import main

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
CASES: list[dict[str, Any]] = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))


def _id(case: dict[str, Any]) -> str:
    return case["file"] + ("".join(" " + a for a in case.get("args", [])))


def test_corpus_is_large_and_complete() -> None:
    """At least 30 cases; every scenario file in the folder is a case (or the valid base)."""
    assert len(CASES) >= 30
    listed = {c["file"] for c in CASES}
    on_disk = {p.name for p in BAD.glob("*.yaml")} - {"cases.yaml"}
    assert on_disk - listed == {"ok-base.yaml"} or on_disk - listed == set()
    assert all(c.get("why") and c.get("expect") for c in CASES)
    assert len({_id(c) for c in CASES}) == len(CASES)


def test_the_base_of_the_override_cases_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """ok-base.yaml validates, so each --set case fails only because of its override."""
    monkeypatch.chdir(BAD)
    result = CliRunner().invoke(main, ["validate", "ok-base.yaml"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_bad_scenario_message(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit code 2, exactly one stderr line equal to the expected message, no traceback."""
    monkeypatch.chdir(BAD)
    result = CliRunner().invoke(main, ["validate", case["file"], *case.get("args", [])])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [case["expect"]]
    assert result.stdout == ""
    assert "Traceback" not in result.output
