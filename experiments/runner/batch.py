"""Run a batch experiment: check it, find what is missing, submit it in chunks, store each chunk.

The runner talks to workers only through the ``concurrent.futures.Executor`` interface, so the
same code drives a serial loop, a process pool, and Dask on one machine or a cluster. Results
are written by the runner as each chunk completes; a run is stored once however often a task
is retried by the executor, and a killed experiment resumes with the runs it had not stored.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import queue
import threading
import traceback
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.errors import DesignError
from experiments.runner.design import Design
from experiments.runner.executors import ExecutorSpec, SerialExecutor
from experiments.runner.keys import Run
from experiments.runner.store import ResultStore, new_session_id, package_version
from experiments.runner.store_lock import store_lock
from experiments.runner.worker import ChunkResult, ModelCallable, execute_chunk, resolve_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``: the runs whose position in the design is ``index`` mod
    ``count``. Interleaving spreads slow and fast parts of a design over the shards."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise DesignError(
                f"shard must be i/N with N >= 1 and 0 <= i < N, got {self.index}/{self.count}"
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Read ``i/N``, or ``slurm`` for the current SLURM array task."""
        if text == "slurm":
            return cls.from_slurm()
        try:
            i, n = (int(part) for part in text.split("/"))
        except ValueError:
            raise DesignError(f"--shard expects i/N (e.g. 0/4) or 'slurm', got {text!r}") from None
        return cls(i, n)

    @classmethod
    def from_slurm(cls) -> Shard:
        """The shard of this SLURM array task (array indices must be consecutive)."""
        env = os.environ
        try:
            task, count = int(env["SLURM_ARRAY_TASK_ID"]), int(env["SLURM_ARRAY_TASK_COUNT"])
        except KeyError:
            raise DesignError(
                "--shard slurm needs SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT "
                "(run it inside an sbatch --array job)"
            ) from None
        return cls(task - int(env.get("SLURM_ARRAY_TASK_MIN", 0)), count)

    def select(self, runs: Sequence[Run]) -> list[Run]:
        """The runs of this shard, in design order."""
        return [r for r in runs if r.index % self.count == self.index]


@dataclass
class Summary:
    """What an invocation of the runner did.

    Attributes
    ----------
    total : int
        Runs in the design (or in the shard).
    done : int
        Runs stored, including earlier sessions.
    failed : int
        Runs whose latest attempt failed.
    pending : int
        Runs neither done nor failed (interrupted or never started).
    ran : int
        Runs attempted in this invocation.
    out : Path
        The experiment folder.
    """

    total: int
    done: int
    failed: int
    pending: int
    ran: int
    out: Path

    def __str__(self) -> str:
        return (
            f"{self.total} runs: {self.done} done, {self.failed} failed, {self.pending} pending "
            f"({self.ran} run now); results in {self.out}"
        )


def model_options(design: Design) -> dict[str, Any]:
    """Constructor options of a model class named in the design."""
    return {
        "base_params": design.base_params,
        "indicators": design.indicators,
        "groups": design.groups,
    }


def prepare(design: Design) -> ModelCallable:
    """Import the design's model and check every design point before anything runs.

    Raises
    ------
    DesignError
        If the model cannot be imported or a point has invalid parameters.
    """
    try:
        model = resolve_model(design.model, model_options(design))
    except (ImportError, AttributeError, TypeError) as err:
        raise DesignError(f"{design.source}: [experiment] model {design.model!r}: {err}") from None
    validate = getattr(model, "validate", None)
    if validate is not None:
        for i, point in enumerate(design.points):
            try:
                validate({**design.base, **point})
            except ValueError as err:
                where = f"design point {i} ({', '.join(f'{k}={v}' for k, v in point.items())})"
                raise DesignError(
                    f"{design.source}: {where if point else '[base]'}: {err}"
                ) from None
    return model


def chunk_size_for(n_runs: int, n_workers: int, requested: int | None = None) -> int:
    """Runs per chunk: about four chunks per worker (load balance), at most 64 runs each."""
    if requested is not None:
        if requested < 1:
            raise DesignError(f"chunk size must be at least 1, got {requested}")
        return requested
    return max(1, min(64, math.ceil(n_runs / (4 * max(1, n_workers)))))


def run_experiment(
    design: Design,
    out: str | Path,
    *,
    executor: ExecutorSpec | str | Executor = "processes",
    workers: int | None = None,
    backend: ExecutorSpec | str | None = None,
    shard: Shard | str | None = None,
    chunk_size: int | None = None,
    retry_failed: bool = True,
    progress: bool = True,
    max_restarts: int = 3,
    lock_wait: float = 0.0,
) -> Summary:
    """Run every missing run of a design and store the results.

    Parameters
    ----------
    design
        The experiment design.
    out
        The experiment folder; created on first use, resumed afterwards.
    executor
        Where the runs execute: an executor's name (``"serial"``, ``"processes"``, ``"dask"``,
        ...), an :class:`ExecutorSpec`, or any running ``concurrent.futures.Executor``, which
        the caller starts and stops.
    workers
        Worker count (with a running executor it only sizes the chunks).
    backend
        The former name of ``executor`` (a name or spec), still accepted.
    shard
        Run only this shard of the design (``Shard`` or ``"i/N"``).
    chunk_size
        Runs per submitted task (default: see :func:`chunk_size_for`).
    retry_failed
        Run again the runs that failed before (default) or leave them failed.
    progress
        Show a progress bar (runs done, failures, ETA).
    max_restarts
        How often a broken process pool (a worker killed) is replaced before giving up.
    lock_wait
        Seconds to wait when another runner holds the store (default 0: refuse at once).

    Returns
    -------
    Summary
        Counts of done, failed and pending runs.

    Raises
    ------
    experiments.runner.store_lock.StoreLockedError
        When another runner holds the store (see :mod:`experiments.runner.store_lock`).
    """
    if isinstance(shard, str):
        shard = Shard.parse(shard)
    spec, running = _executor_parts(executor, backend, workers)
    chunk_size_for(0, 1, chunk_size)  # rejects a bad requested size before anything runs
    model = prepare(design)
    # One runner per store (or per shard): a second one refuses or waits, so no run is
    # computed and stored twice; holding the lock, it removes a killed writer's files.
    lock = store_lock(out, (shard.index, shard.count) if shard else None, lock_wait)
    with lock:
        store = ResultStore.create_or_open(out, design)
        stored_version = store.manifest.get("version")
        if stored_version != package_version():
            log.warning(
                "%s was started with synclusive %s, this is %s: results may differ",
                out,
                stored_version,
                package_version(),
            )
        runs = shard.select(design.runs) if shard else list(design.runs)
        status = store.status().set_index("run_key")["status"]
        wanted = {"pending", "failed"} if retry_failed else {"pending"}
        todo = [r for r in runs if status[r.key] in wanted]
        size = chunk_size_for(len(todo), spec.n_workers, chunk_size)
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        bar = _progress_bar(len(runs), len(runs) - len(todo), progress, design.name)
        try:
            if chunks:
                submit = _Submission(model, chunks, store, bar)
                submit.run(spec, running, max_restarts)
        finally:
            bar.close()
        final = store.status().set_index("run_key").loc[[r.key for r in runs], "status"]
        counts = final.value_counts()
        return Summary(
            total=len(runs),
            done=int(counts.get("done", 0)),
            failed=int(counts.get("failed", 0)),
            pending=int(counts.get("pending", 0)),
            ran=len(todo),
            out=Path(out),
        )


def _executor_parts(
    executor: ExecutorSpec | str | Executor,
    backend: ExecutorSpec | str | None,
    workers: int | None,
) -> tuple[ExecutorSpec, Executor | None]:
    """The spec that sizes the chunks (and starts workers) and the caller's running executor,
    if one was given."""
    running = executor if isinstance(executor, Executor) else None
    spec = backend if backend is not None else (None if running else executor)
    if spec is None:
        spec = ExecutorSpec("processes", workers=workers)
    if isinstance(spec, str):
        spec = ExecutorSpec(spec, workers=workers)
    return spec, running


class _Submission:
    """Submits chunks, stores each as it completes, and replaces a broken process pool."""

    def __init__(
        self, model: ModelCallable, chunks: list[list[Run]], store: ResultStore, bar: Any
    ) -> None:
        self.model = model
        self.chunks = chunks
        self.store = store
        self.bar = bar
        self.session = new_session_id()
        self.seq = 0
        self.remaining = list(range(len(chunks)))

    def run(self, backend: ExecutorSpec, executor: Executor | None, max_restarts: int) -> None:
        own = executor is None
        restarts = 0
        while self.remaining:
            ex = backend.start() if own else executor
            assert ex is not None
            try:
                broken = self._submit(ex)
            except BaseException:
                # Interrupted: stop the workers; the chunks stored so far are kept.
                ex.shutdown(wait=False, cancel_futures=True)
                if own:
                    backend.stop()
                raise
            if own:
                ex.shutdown(wait=True)
                backend.stop()
            if not broken:
                return
            restarts += 1
            if not own or restarts > max_restarts:
                log.error("worker processes died; %d chunks left pending", len(self.remaining))
                return
            log.warning(
                "a worker process died; restarting the pool (%d chunks left)",
                len(self.remaining),
            )

    def _submit(self, ex: Executor) -> bool:
        """Submit every remaining chunk; return whether the pool broke."""
        with _RunTicks(self.bar, ex) as ticks:
            return self._submit_with(ex, ticks)

    def _submit_with(self, ex: Executor, ticks: _RunTicks) -> bool:
        futures: dict[Future, int] = {
            ex.submit(execute_chunk, self.model, self.chunks[i], ticks.queue): i
            for i in self.remaining
        }
        broken = False
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                # Drop the future as soon as it is handled: it holds the chunk's results (in
                # this process, or in a Dask worker's memory) until released.
                i = futures.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception:
                    # The task itself failed (e.g. its worker died too often): record each
                    # run as failed so the others go on and a rerun retries them.
                    result = _failed_chunk(self.chunks[i], traceback.format_exc())
                self.store.write_chunk(result, self.session, self.seq)
                self.seq += 1
                self.remaining.remove(i)
                ticks.chunk_done(result)
        return broken


class _RunTicks:
    """Moves the progress bar per run: workers put each finished run's key on a queue.

    Only for this machine's executors (serial, local processes), whose workers can reach a
    queue of this process (a multiprocessing manager's, for processes); elsewhere, and with
    the bar off, the bar moves per chunk. A run is counted once, whether its tick or its
    chunk arrives first.
    """

    def __init__(self, bar: Any, ex: Executor) -> None:
        self.bar = bar
        self.queue: Any = None
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._manager: Any = None
        self._thread: threading.Thread | None = None
        if getattr(bar, "disable", True):
            return
        if isinstance(ex, SerialExecutor):
            self.queue = queue.Queue()
        elif isinstance(ex, ProcessPoolExecutor):
            ctx = getattr(ex, "_mp_context", None) or multiprocessing.get_context("spawn")
            self._manager = ctx.Manager()
            self.queue = self._manager.Queue()

    def __enter__(self) -> _RunTicks:
        if self.queue is not None:
            self._thread = threading.Thread(target=self._drain, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.queue is not None:
            self.queue.put(None)
            if self._thread is not None:
                self._thread.join(5)
        if self._manager is not None:
            self._manager.shutdown()

    def _drain(self) -> None:
        while True:
            try:
                key = self.queue.get()
            except Exception:  # the manager went away: the chunks still count
                return
            if key is None:
                return
            with self._lock:
                if key not in self._seen:
                    self._seen.add(key)
                    self.bar.update(1)

    def chunk_done(self, result: ChunkResult) -> None:
        """Count the chunk's runs not ticked yet, and its failures."""
        with self._lock:
            new = [r for r in result.status if r["run_key"] not in self._seen]
            self._seen.update(r["run_key"] for r in result.status)
            failed = sum(1 for r in result.status if r["status"] == "failed")
            self.bar.failed += failed
            self.bar.set_postfix(failed=self.bar.failed, refresh=False)
            self.bar.update(len(new))


def _failed_chunk(runs: list[Run], tb: str) -> ChunkResult:
    error = tb.strip().splitlines()[-1]
    records = [
        {
            "run_key": r.key,
            "status": "failed",
            "error": error,
            "traceback": tb,
            "host": None,
            "pid": None,
            "started": None,
            "seconds": None,
        }
        for r in runs
    ]
    return ChunkResult(None, records)


def _progress_bar(total: int, initial: int, enabled: bool, name: str) -> Any:
    # Imported here: tqdm.auto probes for a notebook: only a progress bar needs it.
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=initial, unit="run", desc=name, disable=not enabled)
    bar.failed = 0
    bar.set_postfix(failed=0)
    return bar
