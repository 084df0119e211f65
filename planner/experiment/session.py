"""Resumable run folders for simulate, compare and plan.

A run records in its manifest (``manifest.json``, key ``request``) everything needed to
finish it: the scenario (its path, ``--set`` overrides and SHA-256), the seed, the
replications, the voter engine, the precision goals and the command's own options; plans
are copied into the folder (``plans/pNN/plan.csv`` and ``plan.json``). ``--resume RUN_DIR``
reads that back (`reopen_run`), rebuilds the scenario from the folder (or the recorded path)
and checks its hash, then runs again with the same store, so only missing tasks are
simulated. Executor options (``--executor``, ``--workers``, ``--scheduler``) may differ on
resume: results do not depend on them.

Ctrl-C stops a run cleanly: finished tasks are already saved, the manifest says
``interrupted``, and the message says how to resume (`interrupted`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import UserError
from planner.experiment.checkpoint import ReplicationStore, plan_digest
from planner.files import RunFolder, atomic_write_json, default_run_dir, utc_now
from planner.scenario.plan import Plan, plan_to_csv, read_plan
from planner.scenario.resolved import Scenario

DEFAULT = "default"
"""A plan source meaning the policy-default plan."""


@dataclass
class RunRequest:
    """What a resumable run was asked to do (kept in its manifest)."""

    command: str
    scenario: str
    """Path of the scenario file as given (made absolute)."""
    overrides: list[str] = field(default_factory=list)
    seed: int | None = None
    replications: int = 20
    engine: str = "batch"
    plans: list[str] = field(default_factory=list)
    """Plan sources: "default", or ``LABEL=PATH`` / ``PATH`` of a plan.csv."""
    labels: list[str] = field(default_factory=list)
    """Label of each plan (filled when the run starts)."""
    precision: list[str] = field(default_factory=list)
    max_replications: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """The command's own options (e.g. the loop's budgets and iterations)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRequest:
        """Back from `to_dict`, its types checked (a damaged manifest is a user error)."""
        from pydantic import TypeAdapter, ValidationError

        known = {f for f in cls.__dataclass_fields__}
        try:
            return TypeAdapter(cls).validate_python({k: v for k, v in data.items() if k in known})
        except ValidationError as exc:
            first = exc.errors()[0]
            field_name = ".".join(str(p) for p in first["loc"])
            raise UserError(
                f"request.{field_name}: {first['msg']}; the manifest is damaged, start a new run"
            ) from None


@dataclass
class OpenRun:
    """A run folder being (re)started, with its scenario, plans and replication store."""

    run: RunFolder
    request: RunRequest
    scenario: Scenario
    plans: list[Plan | None]
    seed: int
    store: ReplicationStore | None
    """Finished replications (None for optimise and frontier, which save none)."""
    resumed: bool


def load_scenario_of(request: RunRequest) -> Scenario:
    """The scenario a request names, with its overrides."""
    from planner.scenario.load import load_scenario

    return load_scenario(request.scenario, request.overrides)


def plan_label(source: str, index: int, taken: set[str]) -> tuple[str, str | None]:
    """(label, path) of a plan source: ``default``, ``LABEL=PATH`` or ``PATH``."""
    label, sep, path = source.partition("=")
    if not sep:
        label, path = "", source
    if not path.strip():
        raise UserError(
            f"{source!r}: give a plan after the label, e.g. {label or 'optimised'}=RUN/plan.csv "
            "or `default`",
            where="PLANS",
        )
    if path.strip().lower() == DEFAULT:
        label, file = label or DEFAULT, None
    else:
        file = path
        if not label:
            p = Path(path)
            label = p.parent.name if p.name == "plan.csv" and p.parent.name else p.stem
    label = label.strip() or f"plan{index + 1}"
    base, k = label, 2
    while label in taken:
        label, k = f"{base}-{k}", k + 1
    return label, file


def resolve_plans(scenario: Scenario, sources: list[str]) -> tuple[list[str], list[Plan | None]]:
    """Labels and plans of the sources (a plan file must fit the scenario)."""
    labels: list[str] = []
    plans: list[Plan | None] = []
    for k, source in enumerate(sources):
        label, file = plan_label(source, k, set(labels))
        plan = None if file is None else read_plan(file, scenario)
        labels.append(label)
        plans.append(None if plan is None else Plan(plan.patterns, plan.reserves, label))
    return labels, plans


def start_run(
    request: RunRequest,
    scenario: Scenario,
    plans: list[Plan | None],
    out: Path | None,
    extra: dict[str, Any] | None = None,
    *,
    store: bool = True,
    tps_csv: bool = True,
    record_request: bool = True,
) -> OpenRun:
    """Create a run folder for `request`: manifest, scenario, plans and (for a resumable
    run, `store`) an empty replication store with the request in the manifest. Optimise and
    frontier folders have no store and no request (they cannot be resumed); frontier's has no
    tps.csv."""
    seed = scenario.seed if request.seed is None else int(request.seed)
    request.seed = seed
    request.scenario = str(Path(request.scenario).resolve())
    path = out or default_run_dir(scenario.name, request.command)
    if out is None:  # two runs in the same second must not share a folder
        base, k = path, 2
        while path.exists():
            path, k = base.with_name(f"{base.name}-{k}"), k + 1
    run = RunFolder(path, request.command)
    if (run.path / "replications").exists():
        raise UserError(
            "the run folder already holds replications; finish it with --resume or choose "
            "another --out",
            where=str(run.path),
        )
    recorded_request = {"request": request.to_dict()} if record_request else {}
    run.start(
        scenario.name,
        scenario.digest(),
        seed,
        scenario.spec_data(),
        scenario.tps.to_csv() if tps_csv else None,
        extra={**(extra or {}), **recorded_request},
    )
    for k, plan in enumerate(plans):
        if plan is not None:
            save_plan(run.path / "plans" / f"p{k:02d}", scenario, plan)
    replications = (
        ReplicationStore(run.path, store_identity(scenario, plans, seed, request)).open()
        if store
        else None
    )
    return OpenRun(run, request, scenario, plans, seed, replications, resumed=False)


def reopen_run(run_dir: Path, command: str) -> OpenRun:
    """Re-open an interrupted run folder of `command` to finish it (``--resume``)."""
    path = Path(run_dir)
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not UTF-8 or not JSON
        manifest = None
    if not isinstance(manifest, dict):
        raise UserError(
            "not a run folder (no readable manifest.json); give the folder the run printed",
            where=str(path),
        )
    if manifest.get("command") != command or "request" not in manifest:
        raise UserError(
            f"this is a {manifest.get('command', '?')} run, not a resumable {command} run; "
            f"resume it with `planner {manifest.get('command', command)} --resume {path}`"
            if manifest.get("command") != command
            else "this run folder has no resumable request (made by an older planner)",
            where=str(manifest_path),
        )
    if not isinstance(manifest["request"], dict):
        raise UserError("the run's request is damaged; start a new run", where=str(manifest_path))
    try:
        request = RunRequest.from_dict(manifest["request"])
    except UserError as exc:
        raise UserError(exc.message, where=str(manifest_path)) from None
    scenario = _scenario_for(path, request, str(manifest.get("scenario_sha256", "")))
    plans: list[Plan | None] = []
    for k, label in enumerate(request.labels):
        folder = path / "plans" / f"p{k:02d}"
        if (folder / "plan.csv").is_file():
            plan = read_plan(folder / "plan.csv", scenario)
            plans.append(Plan(plan.patterns, plan.reserves, label))
        else:
            plans.append(None)
    seed = int(manifest.get("seed", request.seed if request.seed is not None else scenario.seed))
    run = RunFolder(path, command, manifest)
    run.manifest["status"] = "running"
    run.manifest.setdefault("resumed_utc", []).append(utc_now())
    atomic_write_json(path / "manifest.json", run.manifest)
    identity = store_identity(scenario, plans, seed, request)
    store = ReplicationStore(path, identity).open(resume=True)
    return OpenRun(run, request, scenario, plans, seed, store, resumed=True)


def _scenario_for(path: Path, request: RunRequest, digest: str) -> Scenario:
    """The run's scenario: rebuilt from the folder, else from the recorded file; same hash."""
    from planner.scenario.load import load_resolved

    candidates: list[Scenario] = []
    with contextlib.suppress(UserError):
        candidates.append(load_resolved(path))
    with contextlib.suppress(UserError):
        candidates.append(load_scenario_of(request))
    for sc in candidates:
        if not digest or sc.digest() == digest:
            return sc
    raise UserError(
        f"the scenario changed since the run started (file {request.scenario}); a resumed "
        "run must use the same scenario — start a new run instead",
        where=str(path / "manifest.json"),
    )


def store_identity(
    scenario: Scenario, plans: list[Plan | None], seed: int, request: RunRequest
) -> dict[str, Any]:
    """What the saved task results depend on (checked on resume)."""
    digest = scenario.digest()
    return {
        "scenario_sha256": digest,
        "seed": seed,
        "engine": request.engine,
        "plans": [plan_digest(digest, p) for p in plans],
        "harm": request.options.get("harm"),
    }


def save_plan(folder: Path, scenario: Scenario, plan: Plan) -> None:
    """plan.csv and plan.json (reserves) of a plan, readable by `read_plan`."""
    from planner.files import atomic_write_text

    atomic_write_text(folder / "plan.csv", plan_to_csv(scenario, plan))
    reserves: dict[str, dict[str, int]] = {}
    for (district, agency), teams in sorted(plan.reserves.items()):
        reserves.setdefault(district, {})[agency] = int(teams)
    atomic_write_json(folder / "plan.json", {"label": plan.label, "reserves": reserves})


def interrupted(open_run: OpenRun, total: int | None = None) -> KeyboardInterrupt:
    """Mark the run interrupted; the KeyboardInterrupt whose text says how to resume.

    Counts the tasks saved anywhere in the run folder (the loop keeps one store per
    iteration); `total` is how many the run needs when known."""
    run = open_run.run
    saved = sum(1 for _ in Path(run.path).glob("**/replications/p*/r*.npz"))
    run.finish("interrupted", saved_tasks=saved)
    command = open_run.request.command
    of = f" of {total}" if total else ""
    return KeyboardInterrupt(
        f"{saved}{of} tasks are saved in {run.path}; finish the run with: "
        f"planner {command} --resume {run.path}"
    )


@contextlib.contextmanager
def recorded(
    open_run: OpenRun, resumable: bool = True, total: Callable[[], int | None] | None = None
) -> Iterator[dict[str, Any]]:
    """`RunFolder.recording` for a run: Ctrl-C in a `resumable` run also counts the saved
    tasks and says how to resume (`interrupted`)."""
    with open_run.run.recording() as fields:
        try:
            yield fields
        except KeyboardInterrupt:
            if resumable:
                raise interrupted(open_run, total() if total else None) from None
            raise


def trace_of(open_run: OpenRun, tps_id: str) -> str:
    """trace.csv of ``--trace``: every event at the TPS in replication 0 of the run (for a
    province, its region's day, as the run simulates it)."""
    from planner.experiment.regions import day_of
    from planner.sim.day import trace_day

    plan = open_run.plans[0] if open_run.plans else None
    scenario, seed, part_plan = day_of(open_run.scenario, open_run.seed, plan, tps_id)
    return trace_day(scenario, seed, tps_id, plan=part_plan).to_csv()


def simulate_in_folder(open_run: OpenRun, executor: Any, progress: Any = None) -> Any:
    """Run (or finish) a simulate run in its folder: trace.csv (with ``--trace``),
    summary.json, per_tps.csv, per_district.csv, per_village.csv and, for a province,
    per_region.csv.
    Returns the `SimulationResult`."""
    from planner.experiment.precision import parse_precision
    from planner.experiment.run import run_replications
    from planner.sim.dayresult import Engine
    from planner.sim.metrics import metric_names_of

    req = open_run.request
    run = open_run.run
    engine: Engine = "reference" if req.engine == "reference" else "batch"
    targets = parse_precision(req.precision, metric_names_of(open_run.scenario))
    tasks_per_rep = max(1, len(open_run.scenario.spec.regions or [None]))

    store = open_run.store
    assert store is not None

    def total() -> int:
        return tasks_per_rep * max(req.replications, store.count // tasks_per_rep)

    with recorded(open_run, total=total) as finish:
        trace_tps = req.options.get("trace_tps")
        if trace_tps and not (run.path / "trace.csv").is_file():
            run.write_text("trace.csv", trace_of(open_run, str(trace_tps)))
        result = run_replications(
            open_run.scenario,
            req.replications,
            open_run.seed,
            executor.workers,
            open_run.plans[0] if open_run.plans else None,
            engine,
            progress,
            executor=executor,
            store=store,
            precision=targets,
            max_replications=req.max_replications,
        )
        run.write_json("summary.json", result.summary)
        run.write_text("per_tps.csv", result.per_tps_csv())
        run.write_text("per_district.csv", result.per_district_csv())
        run.write_text("per_village.csv", result.per_village_csv())
        if result.per_region:
            run.write_text("per_region.csv", result.per_region_csv())
        finish.update(
            tasks_run=result.tasks_run, tasks_loaded=store.count - result.tasks_run
        )
    return result
