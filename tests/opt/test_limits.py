"""--budget and --available: names, amounts, and clear errors."""

from __future__ import annotations

import pytest

from planner.errors import UserError
from planner.opt.limits import budget_line_of, parse_amount, parse_pairs, with_limits

from .helpers import security, tiny_scenario

TPS = [("D", "V", 100, "kurang_rawan")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6199000000", 6_199_000_000),
        ("6_199_000_000", 6_199_000_000),
        ("6,199,000,000", 6_199_000_000),
        ("6.2e9", 6_200_000_000),
        ("unlimited", None),
        ("none", None),
    ],
)
def test_amounts(text: str, value: int | None) -> None:
    assert parse_amount(text, "--budget") == value


@pytest.mark.parametrize("text", ["lots", "-5", "nan"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(UserError, match="--budget"):
        parse_amount(text, "--budget")


def test_agency_or_line_names_the_line() -> None:
    sc = tiny_scenario(TPS, security())
    assert budget_line_of(sc, "police") == "polres"
    assert budget_line_of(sc, "kodim") == "kodim"
    with pytest.raises(UserError, match="not paid from a budget line"):
        budget_line_of(sc, "linmas")
    with pytest.raises(UserError, match="unknown agency or budget line 'navy'"):
        budget_line_of(sc, "navy")


def test_with_limits_returns_a_revalidated_scenario() -> None:
    sc = tiny_scenario(TPS, security(budgets={"polres": 1}))
    out = with_limits(
        sc,
        parse_pairs(["police=5e8", "kodim=7"], "--budget"),
        parse_pairs(["tni=12"], "--available"),
    )
    sec = out.spec.security
    assert sec.budgets_idr == {"polres": 500_000_000, "kodim": 7}
    assert sec.agencies["tni"].available_total == 12
    assert out.tps is sc.tps
    assert sc.spec.security.budgets_idr["polres"] == 1  # the original is untouched


def test_malformed_pair() -> None:
    with pytest.raises(UserError, match="NAME=AMOUNT"):
        parse_pairs(["police"], "--budget")
