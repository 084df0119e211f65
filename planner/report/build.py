"""`write_report(run_dir, lang)`: the one-file HTML report of any run folder.

The manifest's "command" picks the report's sections (simulate, optimise, frontier, compare,
plan, demo); any other command gets the generic page (run details and files). Every command
that makes a run folder calls `write_report` at the end unless ``--no-report`` is given.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner.files import atomic_write_text
from planner.report import html
from planner.report.html import Html
from planner.report.i18n import DEFAULT_LANG, Translator
from planner.report.runs import RunData, load_run

REPORT_NAME = "report.html"


@dataclass(frozen=True)
class Part:
    """One report section: its anchor, its title (for the contents list) and its HTML."""

    anchor: str
    title: str
    body: Html


Builder = Callable[[RunData, Translator], list[Part]]

BUILDERS: dict[str, str] = {
    "simulate": "planner.report.simulate:build",
    "optimise": "planner.report.optimise:build",
    "frontier": "planner.report.optimise:build_frontier",
    "compare": "planner.report.compare:build",
    "plan": "planner.report.compare:build_loop",
    "demo": "planner.report.timeline:build",
}
"""command → "module:function" building its sections (imported only when needed)."""


def builder_for(command: str) -> Builder | None:
    """The section builder of a command, or None for the generic report."""
    target = BUILDERS.get(command)
    if target is None:
        return None
    module_name, _, name = target.partition(":")
    module = importlib.import_module(module_name)
    fn: Builder = getattr(module, name)
    return fn


def render_report(run_dir: Path, lang: str = DEFAULT_LANG) -> str:
    """The report of `run_dir` as one HTML document."""
    tr = Translator(lang)
    run = load_run(run_dir)
    builder = builder_for(run.command)
    parts: list[Part] = builder(run, tr) if builder else []
    parts.append(details_part(run, tr))
    title_key = f"report_title_{run.command}"
    title = tr(title_key) if tr.has(title_key) else tr("report_title_generic", command=run.command)
    when = str(run.manifest.get("finished_utc") or run.manifest.get("started_utc") or "")
    subtitle = tr(
        "subtitle",
        scenario=run.manifest.get("scenario", "?"),
        seed=run.manifest.get("seed", "?"),
        when=when.replace("T", " ").replace("Z", " UTC"),
    )
    body: list[Html] = []
    status = run.manifest.get("status")
    if status not in ("ok", None):
        body.append(html.paragraph(tr("unknown_status", status=status), "warn"))
    body.extend(html.section(p.title, p.body, anchor=p.anchor) for p in parts)
    version = run.manifest.get("versions", {}).get("planner", "?")
    footer = tr(
        "generated",
        version=version,
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        folder=run_dir.name,
    )
    return html.page(
        title,
        subtitle,
        body,
        lang=tr.lang,
        footer=footer,
        contents=[(p.anchor, p.title) for p in parts] if len(parts) > 2 else [],
        contents_label=tr("contents"),
    )


def write_report(run_dir: Path, lang: str = DEFAULT_LANG) -> Path:
    """Write ``report.html`` into `run_dir` (atomically) and return its path."""
    text = render_report(run_dir, lang)
    target = run_dir / REPORT_NAME
    atomic_write_text(target, text)
    return target


def details_part(run: RunData, tr: Translator) -> Part:
    """Run details (manifest) and the files in the folder."""
    m = run.manifest
    facts: list[tuple[str, object]] = [
        (tr("command"), m.get("command")),
        (tr("scenario"), m.get("scenario")),
        (tr("seed"), m.get("seed")),
        (tr("status"), m.get("status")),
        (tr("started"), m.get("started_utc")),
        (tr("finished"), m.get("finished_utc")),
    ]
    if run.summary and "replications" in run.summary:
        facts.append((tr("replications"), run.summary["replications"]))
    versions = m.get("versions") or {}
    if versions:
        facts.append((tr("versions"), ", ".join(f"{k} {v}" for k, v in versions.items())))
    files = [(name, round(size, 1)) for name, size in run.files()]
    body = html.join(
        [
            html.definition_list(facts),
            html.table([tr("file"), tr("size_kb")], files, caption=tr("files")),
        ]
    )
    return Part("details", tr("run_details"), body)


def open_in_browser(path: Path) -> None:
    """Open a report in the default browser (only when the user asked with --open)."""
    import webbrowser

    webbrowser.open(path.resolve().as_uri())
