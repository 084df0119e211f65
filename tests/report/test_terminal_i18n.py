"""Terminal helpers, the translation table and HTML escaping."""

from __future__ import annotations

import io
import re

import pytest

from planner.errors import UserError
from planner.report import html
from planner.report.i18n import STRINGS, Translator, check_lang
from planner.terminal import Progress, format_table, track


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    assert list(track(range(5), "reps", stream=stream)) == [0, 1, 2, 3, 4]
    assert stream.getvalue() == ""


def test_progress_draws_and_erases_on_a_terminal() -> None:
    stream = FakeTty()
    with Progress("replications", 4, stream=stream, min_interval_s=0) as bar:
        for _ in range(4):
            bar.advance()
    text = stream.getvalue()
    assert "replications [" in text and "4/4 100%" in text
    assert text.endswith("\r")  # erased: the summary starts on a clean line


def test_format_table_aligns_numbers_right() -> None:
    text = format_table(["metric", "mean"], [["wait", 3.5], ["voters", 12345]], title="T")
    assert text.splitlines() == [
        "T",
        "metric    mean",
        "------  ------",
        "wait      3.50",
        "voters  12,345",
    ]


def test_every_string_has_both_languages_and_the_same_placeholders() -> None:
    for key, (en, id_) in STRINGS.items():
        assert en.strip() and id_.strip(), key
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", id_)), key


def test_translator_numbers_and_languages() -> None:
    assert Translator("id").number(12345.5, 1) == "12.345,5"
    assert Translator("en").number(12345.5, 1) == "12,345.5"
    assert Translator("id").percent(0.615, 1) == "61,5%"
    assert check_lang(" ID ") == "id"
    with pytest.raises(UserError, match="use one of id, en"):
        Translator("fr")


def test_html_escapes_text_but_not_built_parts() -> None:
    part = html.paragraph("<script>alert(1)</script> & co")
    assert "<script>" not in part and "&lt;script&gt;" in part
    page = html.page("T <1>", "s", [html.section("S", part)], lang="en")
    assert page.count("<p>") == 1 and "<title>T &lt;1&gt;</title>" in page
    assert "@page { size: A4" in page
