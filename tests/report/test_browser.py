"""Every report type and a demo timeline, loaded in a real headless Chromium.

Each page must load without console errors, every plot image must decode to a non-trivial
size (an SVG or PNG data URI that a browser cannot decode has naturalWidth 0), the page
must screenshot, and it must print to PDF (A4, from the page's @page rule). Screenshots are
kept under the test's tmp folder for a look by hand. Skipped, with the reason shown, only
where no Chromium is installed (`.ci/run` installs Debian's `chromium` when missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from planner.report.build import write_report

from .chromium import Chromium, PageCheck, find_chromium
from .fakes import (
    compare_run,
    demo_run,
    frontier_run,
    optimise_run,
    plan_loop_run,
    simulate_run,
    simulate_run_real,
)

CHROMIUM = find_chromium()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (apt-get install chromium; .ci/run does this in CI)",
    ),
]

MIN_PLOT_PX = 200
"""A decoded plot is at least this wide and a third of it high (ours are ~690 × 230+)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM) as chromium:
        yield chromium


def assert_page_ok(check: PageCheck, min_plots: int) -> None:
    assert check.console_errors == []
    assert len(check.images) >= min_plots
    for image in check.images:
        assert image["complete"], image
        assert image["width"] >= MIN_PLOT_PX, image
        assert image["height"] >= MIN_PLOT_PX / 3, image
        assert image["shown_width"] > 0, image
    assert check.screenshot_png.startswith(b"\x89PNG") and len(check.screenshot_png) > 20_000
    assert check.pdf.startswith(b"%PDF") and check.pdf.count(b"/Type /Page") >= 2


RunMaker = Callable[[Path], Path]

TRAINING = Path(__file__).resolve().parents[2] / "scenarios" / "training"


def real_demo_run(root: Path) -> Path:
    """A real demo of the bundled training scenario with its injects, sitreps, comparison."""
    from planner.demo.run import DemoOptions, run_demo

    options = DemoOptions(
        scenario=TRAINING / "klandasan-city.yaml",
        tps="KLU-005",
        inject_file=TRAINING / "klandasan-city.injects",
        sitrep_min=60,
        compare_without_injects=True,
        out=root / "real-demo",
    )
    return run_demo(options).run_dir


def real_simulate_run(root: Path) -> Path:
    """`planner simulate` on the 20-TPS training scenario (2 replications), no report."""
    from click.testing import CliRunner

    from planner.cli import main

    out = root / "simulate-cli"
    scenario = TRAINING.parent / "training-small.yaml"
    result = CliRunner().invoke(
        main, ["simulate", str(scenario), "--replications", "2", "--out", str(out), "--no-report"]
    )
    assert result.exit_code == 0, result.output
    return out


def real_optimise_run(root: Path) -> Path:
    """`planner optimise` on the 20-TPS training scenario (TPS with coordinates: a map)."""
    from click.testing import CliRunner

    from planner.cli import main

    out = root / "optimise-cli"
    scenario = TRAINING.parent / "training-small.yaml"
    args = ["optimise", str(scenario), "--time-limit", "10", "--out", str(out), "--no-report"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def real_frontier_run(root: Path) -> Path:
    """`planner frontier` on the 20-TPS training scenario, three budget scales."""
    from click.testing import CliRunner

    from planner.cli import main

    out = root / "frontier-cli"
    scenario = TRAINING.parent / "training-small.yaml"
    args = ["frontier", str(scenario), "--from", "0.5", "--to", "1.5", "--steps", "3"]
    args += ["--time-limit", "5", "--out", str(out), "--no-report"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


REPORTS: dict[str, tuple[RunMaker, int]] = {
    "simulate": (simulate_run, 5),
    "simulate-real": (simulate_run_real, 5),
    "simulate-cli": (real_simulate_run, 6),
    "optimise-cli": (real_optimise_run, 5),
    "frontier-cli": (real_frontier_run, 1),
    "optimise": (optimise_run, 4),
    "frontier": (frontier_run, 1),
    "compare": (compare_run, 1),
    "plan": (plan_loop_run, 2),
    "demo": (demo_run, 3),
    "demo-real": (real_demo_run, 3),
}
"""run type → (run folder maker, least number of plots its report has)."""


CASES = [(kind, "en") for kind in sorted(REPORTS)] + [
    ("demo-real", "id"),
    ("simulate-cli", "id"),
    ("optimise-cli", "id"),
]
"""Every report in English; the real runs also in Indonesian (other text, same layout)."""


@pytest.mark.parametrize(("kind", "lang"), CASES)
def test_report_renders_in_chromium(
    kind: str, lang: str, browser: Chromium, tmp_path: Path
) -> None:
    maker, min_plots = REPORTS[kind]
    path = write_report(maker(tmp_path), lang)
    check = browser.check_page(path)
    (tmp_path / f"{kind}-{lang}.png").write_bytes(check.screenshot_png)
    assert_page_ok(check, min_plots)
    assert check.title
