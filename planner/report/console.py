"""What a run-folder command prints when it ends: its JSON (``--json``) or its tables.

The command line prints these and nothing else of its own (docs/architecture.md), so the
Python API, a notebook and the CLI describe a result with the same words and numbers.
"""

from __future__ import annotations

from typing import Any

from planner.experiment.session import OpenRun
from planner.terminal import format_table


def json_of(command: str, result: Any) -> Any:
    """What ``planner COMMAND --json`` prints: the summary file the run folder holds."""
    if command == "simulate":
        return result.summary
    if command == "optimise":
        return result.report
    if command == "frontier":
        from planner.experiment.frontier_check import frontier_json

        return frontier_json(result)
    return result.summary()


def lines_of(command: str, opened: OpenRun, result: Any) -> list[str]:
    """The tables and lines a command prints at the end of its run."""
    from planner.experiment.precision import precision_lines

    name, seed = opened.scenario.name, opened.seed
    if command == "simulate":
        from planner.experiment.regions import region_table
        from planner.sim.metrics import headline_rows

        title = f"{name}: {result.replications} replications, seed {seed}"
        rows = headline_rows(result.summary)
        lines = [format_table(["metric", "mean", "95% interval"], rows, title=title)]
        if result.per_region:
            headers, regions = region_table(result.per_region)
            lines.append(format_table(headers, regions, title="per region (means)"))
        if "precision" in result.summary:
            lines += precision_lines(result.summary["precision"])
        if opened.resumed:
            lines.append(f"resumed: {result.tasks_run} tasks simulated now, the rest were saved")
        return lines
    if command == "compare":
        headers, rows = result.table_rows()
        title = f"{name}: {result.replications} paired replications, seed {seed}"
        lines = [format_table(headers, rows, title=title), *result.plans_checked().lines()]
        return lines + (precision_lines(result.precision) if result.precision else [])
    if command == "calibrate":
        from planner.experiment.calibrate import format_calibration

        return [format_calibration(result)]
    if command == "plan":
        from planner.experiment.loop import loop_lines

        return loop_lines(result)
    if command == "optimise":
        from planner.opt.output import format_result

        return [format_result(result)]
    from planner.experiment.frontier_check import SimulatedFrontier, format_simulated
    from planner.opt.frontier import format_frontier

    if isinstance(result, SimulatedFrontier):
        return [format_frontier(result.frontier), format_simulated(result)]
    return [format_frontier(result)]
