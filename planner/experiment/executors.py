"""Where tasks run: this process, a local process pool, or a Dask cluster (DESIGN §7).

Every executor takes a `Job` and its `Task`s and yields `TaskResult`s as they finish, in any
order; the caller (`planner.experiment.replicate`) puts them back in replication order, so
results are bit-identical whatever the executor and the number of workers.

- `LocalExecutor` (the default, ``--workers N``): N = 1 runs tasks here; N > 1 on a pool of
  N processes (fork where available, so the job is inherited, not pickled). Workers ignore
  Ctrl-C; the parent stops the pool at once.
- `DaskExecutor` (``--executor dask [--scheduler ADDRESS]``): tasks are Dask futures on an
  existing cluster (the address of its scheduler, e.g. ``tcp://10.0.0.5:8786``) or on a
  local cluster of N single-threaded worker processes started for the run. The job is
  scattered to every worker once. Needs the optional extra: ``pip install
  'planner[distributed]'`` (and planner installed on every worker of a remote cluster).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol

from planner.errors import UserError
from planner.experiment.tasks import Job, Task, TaskResult, run_task

ExecutorKind = Literal["local", "dask"]
EXECUTORS: tuple[str, ...] = ("local", "dask")


class Executor(Protocol):
    """Runs tasks of a job; yields results as they finish."""

    name: str
    workers: int

    def run(self, job: Job, tasks: Sequence[Task]) -> Iterator[TaskResult]:
        """Results of `tasks` in completion order."""
        ...

    def close(self) -> None:
        """Release workers (a no-op when there are none)."""
        ...


class _Closing:
    """Context-manager support for executors."""

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- local --------------------------------------------------------------------------------
_JOB: list[Job] = []


def _init_worker(job: Job) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _JOB[:] = [job]


def _run(task: Task) -> TaskResult:
    return run_task(_JOB[0], task)


class LocalExecutor(_Closing):
    """This process (1 worker) or a pool of local processes."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise UserError(f"workers must be at least 1, got {workers}")
        self.workers = workers

    def run(self, job: Job, tasks: Sequence[Task]) -> Iterator[TaskResult]:
        """Run `tasks`; on one worker in order, on several as they finish."""
        if self.workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield run_task(job, task)
            return
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = ctx.Pool(min(self.workers, len(tasks)), initializer=_init_worker, initargs=(job,))
        finished = False
        try:
            yield from pool.imap_unordered(_run, tasks, chunksize=1)
            finished = True
        finally:
            if finished:
                pool.close()
            else:  # interrupted or failed: stop the workers now
                pool.terminate()
            pool.join()


# --- Dask ---------------------------------------------------------------------------------


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UserError(
            "--executor dask needs the optional distributed extra; install it with "
            "`pip install 'planner[distributed]'` (or use the default --executor local)"
        ) from None
    return distributed


class DaskExecutor(_Closing):
    """Tasks as futures on a Dask cluster: an existing one or a local one for the run."""

    name = "dask"

    def __init__(
        self, workers: int = 2, scheduler: str | None = None, processes: bool = True
    ) -> None:
        self.distributed = _import_distributed()
        self.workers = workers
        self.scheduler = scheduler
        self.processes = processes
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Any:
        """Connect to a given scheduler at once: an address that cannot be reached is a
        user error before any run folder exists (a local cluster starts on first use)."""
        if self.scheduler:
            _ = self.client
        return self

    @property
    def client(self) -> Any:
        """The Dask client (the local cluster is started on first use)."""
        if self._client is None:
            dist = self.distributed
            if self.scheduler:
                try:
                    self._client = dist.Client(self.scheduler, timeout="20s")
                except (OSError, TimeoutError) as exc:
                    raise UserError(
                        f"cannot reach the Dask scheduler at {self.scheduler} ({exc}); start "
                        "it with `dask scheduler` or give its address as tcp://HOST:8786"
                    ) from None
            else:
                import dask

                # Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which also turns
                # off glibc's adaptive mmap threshold: every large numpy array of a polling
                # day is then mmapped and zeroed afresh, and a replication costs ~1.6× the
                # CPU. Unset it for the cluster we start (docs/experiments.md: remote ones).
                with dask.config.set(
                    {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
                ):
                    self._cluster = dist.LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=self.processes,
                        dashboard_address=None,
                        # its small HTTP server on any free port, not 8787 (another run's)
                        scheduler_kwargs={"dashboard_address": ":0"},
                    )
                self._client = dist.Client(self._cluster)
        return self._client

    def run(self, job: Job, tasks: Sequence[Task]) -> Iterator[TaskResult]:
        """Submit every task, then yield results as they finish."""
        if not tasks:
            return
        client = self.client
        shared = client.scatter(job, broadcast=True, hash=False)
        futures = [client.submit(run_task, shared, t, pure=False) for t in tasks]
        finished = False
        try:
            for future in self.distributed.as_completed(futures):
                yield future.result()
            finished = True
        finally:
            if not finished:
                client.cancel(futures)
            del shared

    def close(self) -> None:
        """Close the client and the local cluster (an external cluster keeps running)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    kind: str = "local", workers: int = 1, scheduler: str | None = None
) -> LocalExecutor | DaskExecutor:
    """The executor for ``--executor KIND --workers N [--scheduler ADDRESS]``."""
    if workers < 1:
        raise UserError(f"workers must be at least 1, got {workers}")
    if kind == "local":
        if scheduler:
            raise UserError("--scheduler is for --executor dask; add --executor dask")
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise UserError(f"unknown executor {kind!r}; use one of: {', '.join(EXECUTORS)}")
