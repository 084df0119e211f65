"""`--set path.to.key=value` overrides on the raw scenario data."""

from __future__ import annotations

import pytest

from planner.errors import ScenarioError
from planner.scenario.overrides import apply_overrides, parse_path


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("voters.turnout", ["voters", "turnout"]),
        ("voters.stages[1].servers", ["voters", "stages", 1, "servers"]),
        ("region.districts.0.tps", ["region", "districts", 0, "tps"]),
        ("seed", ["seed"]),
        ("stages[-1]", ["stages", -1]),
        (
            "security.agencies.police.available_per_district.Balikpapan Timur",
            ["security", "agencies", "police", "available_per_district", "Balikpapan Timur"],
        ),
    ],
)
def test_parse_path(text: str, parts: list[str | int]) -> None:
    """Dotted keys with [index] (or a bare number) become keys and list indices."""
    assert parse_path(text) == parts


@pytest.mark.parametrize("text", ["", "a..b", "a.b]", "a[x]", "["])
def test_parse_path_rejects(text: str) -> None:
    """Empty paths, doubled dots and non-numeric indices are not paths."""
    with pytest.raises(ValueError):
        parse_path(text)


def test_values_parse_as_yaml_scalars_and_lists() -> None:
    """Values are YAML: numbers, null, booleans, lists and quoted strings keep their types."""
    data = {"voters": {"turnout": 0.7}}
    out = apply_overrides(
        data,
        [
            "voters.turnout=0.65",
            "voters.patience_min=null",
            "counting.enabled=false",
            "voters.arrival_profile.hourly_weights=[1, 2, 3]",
            "name=Kota Uji",
            "seed=",
        ],
    )
    assert out["voters"]["turnout"] == 0.65
    assert out["voters"]["patience_min"] is None
    assert out["counting"] == {"enabled": False}
    assert out["voters"]["arrival_profile"] == {"hourly_weights": [1, 2, 3]}
    assert out["name"] == "Kota Uji"
    assert out["seed"] is None


def test_input_is_not_modified() -> None:
    """apply_overrides returns a copy; the raw data stays as read."""
    data = {"voters": {"turnout": 0.7}, "l": [1, 2]}
    out = apply_overrides(data, ["voters.turnout=0.5", "l[1]=9"])
    assert data == {"voters": {"turnout": 0.7}, "l": [1, 2]}
    assert out == {"voters": {"turnout": 0.5}, "l": [1, 9]}


def test_list_items_and_negative_index() -> None:
    """Existing list items are set by index, counting from the end with a negative one."""
    data = {"stages": [{"servers": 1}, {"servers": 2}]}
    out = apply_overrides(data, ["stages[0].servers=3", "stages[-1].servers=4"])
    assert out["stages"] == [{"servers": 3}, {"servers": 4}]


def test_later_override_wins() -> None:
    """Overrides apply in order."""
    assert apply_overrides({}, ["seed=1", "seed=2"]) == {"seed": 2}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("voters.turnout", "--set voters.turnout: not path.to.key=value"),
        ("=3", "--set =3: not path.to.key=value"),
        ("a..b=1", "'a..b' is not dotted keys"),
        ("l[5]=1", "l has 2 items, so there is no item [5]"),
        ("m[0]=1", "m is not written in the scenario file, so --set cannot change its item [0]"),
        ("n[0]=1", "n is 3, not a list"),
        ("n.x=1", "n is 3, not a mapping, so it has no key 'x'"),
        ("l.x=1", "l is a list, not a mapping"),
    ],
)
def test_errors_name_the_override(item: str, message: str) -> None:
    """Each bad override raises ScenarioError naming `--set ITEM` and what is wrong."""
    with pytest.raises(ScenarioError) as err:
        apply_overrides({"l": [1, 2], "n": 3}, [item])
    assert message in err.value.one_line()
    assert err.value.one_line().startswith(f"--set {item}")
