"""The simulate report rendered from a run folder's files."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import UserError
from planner.report.build import render_report, write_report
from planner.report.runs import load_run, load_run_scenario, read_csv
from planner.report.simulate import attention_scores

from .fakes import simulate_run


def test_simulate_report_has_every_section(tmp_path: Path) -> None:
    run_dir = simulate_run(tmp_path)
    text = render_report(run_dir, "en")
    for title in (
        "Headline results",
        "Queues through the day",
        "Waiting times",
        "Poll workers: fatigue and health",
        "Counting",
        "Incidents and response",
        "Late openings and logistics",
        "The 20 TPS that need attention most",
        "By kecamatan",
        "Run details",
    ):
        assert f"<h2>{title}</h2>" in text
    assert "http://" not in text and "https://" not in text  # self-contained
    assert "<script" not in text
    assert text.count("data:image/") >= 4


def test_indonesian_report(tmp_path: Path) -> None:
    text = render_report(simulate_run(tmp_path), "id")
    assert '<html lang="id">' in text
    assert "<h2>Hasil utama</h2>" in text
    assert "Simulasi hari pemungutan suara" in text


def test_attention_ranks_by_scaled_problems(tmp_path: Path) -> None:
    path = tmp_path / "per_tps.csv"
    path.write_text(
        "tps_id,wait_mean_min,voters_gave_up\nA,10,0\nB,40,2\nC,0,4\nD,0,0\n", encoding="utf-8"
    )
    table = read_csv(path)
    assert table is not None
    score, reasons = attention_scores(table)
    # wait scaled by 40, gave-up by 4
    assert np.allclose(score, [0.25, 1.5, 1.0, 0.0])
    assert [k for k, _ in reasons[1]] == ["why_wait", "why_gave_up"]
    assert reasons[3] == []


def test_attention_table_lists_worst_first(tmp_path: Path) -> None:
    text = render_report(simulate_run(tmp_path), "en")
    table = text.split("<h2>The 20 TPS that need attention most</h2>")[1].split("</table>")[0]
    assert len(re.findall(r"<tr>", table)) == 21  # header + 20


def test_write_report_and_cli(tmp_path: Path) -> None:
    run_dir = simulate_run(tmp_path)
    path = write_report(run_dir, "en")
    assert path == run_dir / "report.html" and path.stat().st_size > 10_000
    path.unlink()
    result = CliRunner().invoke(main, ["report", str(run_dir), "--lang", "id"])
    assert result.exit_code == 0, result.output
    assert (run_dir / "report.html").exists()


def test_report_of_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="run folder not found"):
        render_report(tmp_path / "nope", "en")
    with pytest.raises(UserError, match=r"no manifest\.json"):
        render_report(tmp_path, "en")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "run folder not found" in result.output


def test_unknown_command_gets_generic_report(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"command": "mystery", "status": "ok"}')
    text = render_report(tmp_path, "en")
    assert "Run report: mystery" in text and "<h2>Run details</h2>" in text


def test_simulate_report_re_runs_one_day(tmp_path: Path) -> None:
    from .fakes import simulate_run_real

    run_dir = simulate_run_real(tmp_path)
    text = render_report(run_dir, "en")
    queues = text.split("<h2>Queues through the day</h2>")[1].split("</section>")[0]
    assert "data:image/svg+xml" in queues, queues[:500]
    assert "replication 0, seed 7" in queues
    staff = text.split("<h2>Poll workers: fatigue and health</h2>")[1].split("</section>")[0]
    assert "Fatigue of the seven KPPS at" in staff
    waits = text.split("<h2>Waiting times</h2>")[1].split("</section>")[0]
    assert "Wait of each voter in one simulated day" in waits


def test_simulate_report_has_hourly_sitreps(tmp_path: Path) -> None:
    from .fakes import simulate_run_real

    text = render_report(simulate_run_real(tmp_path), "id")
    sitrep = text.split("<h2>Laporan berkala</h2>")[1].split("</section>")[0]
    assert "<td>07:00</td><td>Balikpapan Kota</td>" in sitrep
    assert sitrep.count("<tr>") >= 15  # header + one row per hour from 07:00 into the evening


def test_re_run_reproduces_replication_zero(tmp_path: Path) -> None:
    """With one replication, per_tps.csv holds replication 0 itself: the report's re-run
    must give the same waits and count finish times at every TPS."""
    from planner.report.rerun import trace_run_day
    from planner.report.runs import load_run

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "training-small.yaml"
    out = tmp_path / "one"
    args = ["simulate", str(scenario), "--replications", "1", "--out", str(out), "--no-report"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    table = read_csv(out / "per_tps.csv")
    assert table is not None
    ids = table.text("tps_id")
    trace, why = trace_run_day(load_run(out), ids[:5], ids[5])
    assert trace is not None and trace.story is not None, why
    by_id = {t.tps_id: t for t in trace.story.tps}
    waits = table.num("wait_mean_min")
    finish = table.num("count_finish_clock_min")
    for k, tps_id in enumerate(ids):
        assert by_id[tps_id].wait_mean_min == pytest.approx(waits[k], abs=1e-3), tps_id
        assert by_id[tps_id].count_end_min == pytest.approx(finish[k], abs=1e-2), tps_id


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder written by `planner simulate` on the small training scenario."""
    out = tmp_path_factory.mktemp("real") / "run"
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "training-small.yaml"
    result = CliRunner().invoke(main, ["simulate", str(scenario), "-r", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").write_text("[1, 2]"), "no manifest.json here"),
        (lambda d: (d / "manifest.json").write_bytes(b'{"a": "\xff"}'), "not UTF-8 text"),
        (lambda d: (d / "summary.json").write_text('{"metrics": '), "not valid JSON"),
        (lambda d: (d / "tps.csv").write_bytes(b"tps_id,district\n\xff\xfe,x\n"), "not UTF-8"),
        (
            lambda d: (d / "tps.csv").write_text("tps_id,district\nT1,D\n"),
            "tps.csv does not fit the run's scenario",
        ),
        (
            lambda d: (d / "scenario.resolved.yaml").write_text("name: !!python/name:os.system\n"),
            "the tag !!python/name:os.system is not allowed",
        ),
    ],
)
def test_a_damaged_run_folder_is_a_user_error(
    tmp_path: Path, real_run: Path, damage: Callable[[Path], object], message: str
) -> None:
    """A run folder with a damaged manifest, summary, TPS table or scenario: reading it is
    a UserError naming the file, and `planner report` exits 2 with that one line — or, where
    the damaged file only feeds the re-run day (tps.csv, the scenario), writes the report
    without that section. Never an internal error."""
    run_dir = tmp_path / "run"
    shutil.copytree(real_run, run_dir)
    damage(run_dir)
    with pytest.raises(UserError, match=re.escape(message)):
        load_run_scenario(load_run(run_dir))
    result = CliRunner().invoke(main, ["report", str(run_dir)])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    else:
        assert result.exit_code == 0, result.output
        assert (run_dir / "report.html").stat().st_size > 10_000


def test_simulate_report_has_the_village_table_of_its_run(real_run: Path) -> None:
    """A real simulate run: the report's per-kelurahan section shows per_village.csv row for
    row (every village of the run, named as in the file), in English and Indonesian."""
    villages = read_csv(real_run / "per_village.csv")
    assert villages is not None and villages.rows >= 2
    text = render_report(real_run, "en")
    section = text[text.index("<h2>By kelurahan/desa</h2>") :]
    section = section[: section.index("</table>")]
    assert section.count("<tr>") == 1 + villages.rows  # the header and one row per village
    for name in villages.text("village"):
        assert f">{name}<" in section
    assert "<h2>Per kelurahan/desa</h2>" in render_report(real_run, "id")


def test_a_province_s_villages_are_left_to_the_workbook(tmp_path: Path) -> None:
    """Over MAX_VILLAGE_ROWS villages (a province has a thousand) the section says where the
    table is instead of printing pages of it."""
    from planner.report.simulate import MAX_VILLAGE_ROWS

    run_dir = simulate_run(tmp_path)
    rows = [f"Kec {i // 10},Desa {i},{i}" for i in range(MAX_VILLAGE_ROWS + 1)]
    (run_dir / "per_village.csv").write_text("district,village,tps\n" + "\n".join(rows) + "\n")
    text = render_report(run_dir, "en")
    assert "<h2>By kelurahan/desa</h2>" in text
    assert f"{MAX_VILLAGE_ROWS + 1} villages, more than the {MAX_VILLAGE_ROWS}" in text
    assert "Desa 7<" not in text
    (run_dir / "per_village.csv").write_text("district,village,tps\n" + "\n".join(rows[:-1]))
    assert "Desa 7<" in render_report(run_dir, "en")
