"""One-file HTML pages: escaped building blocks, inline CSS, A4 print layout, no scripts.

A report is a single ``.html`` file: styles are inline, plots are ``data:`` URIs, there is no
JavaScript and no external resource, so it opens offline, can be e-mailed as one attachment,
and prints on A4 (``@page`` rules, no page breaks inside a figure or table row).

Text arguments are escaped; `Html` values (what the builders return) are inserted as they
are, so the builders compose without double escaping.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from planner.report.plots import Plot


class Html(str):
    """A string of HTML that is already safe to insert."""

    __slots__ = ()


def esc(text: object) -> Html:
    """Escape any value as HTML text (None as an en dash)."""
    if isinstance(text, Html):
        return text
    return Html(html.escape("–" if text is None else str(text), quote=True))


def join(parts: Iterable[Html | str]) -> Html:
    """Concatenate HTML parts (plain strings are escaped)."""
    return Html("\n".join(p if isinstance(p, Html) else esc(p) for p in parts))


def paragraph(text: str | Html, css_class: str = "") -> Html:
    """A paragraph of text."""
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return Html(f"<p{cls}>{esc(text)}</p>")


def note(text: str | Html) -> Html:
    """A muted paragraph, for 'not available in this run' and explanations."""
    return paragraph(text, "note")


def bullet_list(items: Iterable[str | Html]) -> Html:
    """An unordered list."""
    return Html("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def section(title: str, *parts: Html, anchor: str = "") -> Html:
    """A titled section; empty parts are dropped."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    body = "\n".join(p for p in parts if p)
    return Html(f"<section{ident}>\n<h2>{esc(title)}</h2>\n{body}\n</section>")


def subsection(title: str, *parts: Html) -> Html:
    """A titled block inside a section."""
    body = "\n".join(p for p in parts if p)
    return Html(f'<div class="sub">\n<h3>{esc(title)}</h3>\n{body}\n</div>')


def figure(plot: Plot, caption: str = "") -> Html:
    """An embedded plot with an optional caption; the title is the alt text."""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Html(
        f'<figure><img class="plot" src="{plot.uri}" alt="{esc(plot.title)}">{cap}</figure>'
    )


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str = "",
    numeric: Sequence[bool] | None = None,
    css_class: str = "",
) -> Html:
    """A table; numeric columns (auto-detected unless given) are right-aligned."""
    if numeric is None:
        numeric = [
            bool(rows) and all(_is_number(r[c]) or r[c] is None for r in rows if c < len(r))
            for c in range(len(headers))
        ]
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if numeric[c] else f"<th>{esc(h)}</th>"
        for c, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{esc(format_value(v))}</td>'
            if c < len(numeric) and numeric[c]
            else f"<td>{esc(format_value(v))}</td>"
            for c, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    classes = [css_class] if css_class else []
    if len(headers) > WIDE_COLUMNS:
        classes.append("wide")
    cls = f' class="{esc(" ".join(classes))}"' if classes else ""
    text = (
        f"<table{cls}>{cap}<thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    # a wide table scrolls inside its box on screen instead of widening the page
    return Html(f'<div class="scroll">{text}</div>' if len(headers) > WIDE_COLUMNS else text)


WIDE_COLUMNS = 8
"""Tables with more columns than this get a smaller font and scroll sideways on screen."""


def metric_cards(cards: Sequence[tuple[str, str, str]]) -> Html:
    """Headline numbers: (label, value, interval or note) each."""
    items = "".join(
        f'<div class="card"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div><div class="ci">{esc(extra)}</div></div>'
        for label, value, extra in cards
    )
    return Html(f'<div class="cards">{items}</div>')


def definition_list(items: Sequence[tuple[str, object]]) -> Html:
    """Key–value facts (run details)."""
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(format_value(v))}</dd>" for k, v in items)
    return Html(f'<dl class="facts">{body}</dl>')


def two_columns(left: Html, right: Html) -> Html:
    """Two blocks side by side on screen, stacked in print."""
    return Html(f'<div class="cols"><div>{left}</div><div>{right}</div></div>')


def format_value(value: object) -> str:
    """Numbers with sensible precision, thousands separated; None as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        if value == 0:
            return "0"
        return f"{value:.2f}" if abs(value) >= 0.01 else f"{value:.2g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


CSS = """
:root { --ink: #1d2630; --muted: #5b6773; --line: #d5dbe1; --accent: #1f5f8b; --warn: #d1495b; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 60rem; padding: 1.5rem; line-height: 1.45; font-size: 15px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .6rem; border-bottom: 1px solid var(--line);
     padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.subtitle { color: var(--muted); margin: 0 0 .8rem; }
.note { color: var(--muted); font-size: .9rem; }
nav ol { columns: 2; font-size: .9rem; }
figure { margin: .8rem 0; }
img.plot { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .85rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table.wide { font-size: .72rem; }
caption { text-align: left; font-weight: bold; padding: .2rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .4rem; text-align: left;
         vertical-align: top; }
th { background: #eef2f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .6rem; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); padding: .5rem .6rem; }
.card .label { font-size: .8rem; color: var(--muted); }
.card .value { font-size: 1.3rem; font-weight: bold; }
.card .ci { font-size: .75rem; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
           font-size: .85rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid var(--line); }
ol.timeline li { margin: 0 0 .45rem; padding-left: .8rem; position: relative; }
ol.timeline li .t { font-weight: bold; font-variant-numeric: tabular-nums; margin-right: .4rem; }
ol.timeline li.incident { border-left: 3px solid var(--warn); margin-left: -3px; }
ol.timeline li.sitrep { background: #f4f7f9; padding: .3rem .8rem; }
.tag { display: inline-block; font-size: .7rem; padding: 0 .35rem; border-radius: .2rem;
       background: #eef2f5; color: var(--muted); margin-right: .3rem; }
.warn { color: var(--warn); font-weight: bold; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem;
         border-top: 1px solid var(--line); padding-top: .5rem; }
@page { size: A4; margin: 15mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure, .card, tr, .sub, ol.timeline li { break-inside: avoid; }
  .cols { grid-template-columns: 1fr; }
  img.plot { max-height: 120mm; object-fit: contain; }
  .scroll { overflow: visible; }
  table.wide { font-size: 6.5pt; }
  a { color: inherit; text-decoration: none; }
}
"""


def page(
    title: str,
    subtitle: str,
    body: Sequence[Html],
    *,
    lang: str,
    footer: str = "",
    contents: Sequence[tuple[str, str]] = (),
    contents_label: str = "",
) -> Html:
    """The whole document: head with inline CSS, header, optional contents, body, footer."""
    nav = ""
    if contents:
        links = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in contents)
        nav = f'<nav aria-label="{esc(contents_label)}"><ol>{links}</ol></nav>'
    foot = f"<footer>{esc(footer)}</footer>" if footer else ""
    return Html(
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{esc(title)}</h1><p class="subtitle">{esc(subtitle)}</p></header>\n'
        f"{nav}\n<main>\n" + "\n".join(body) + f"\n</main>\n{foot}\n</body>\n</html>\n"
    )
