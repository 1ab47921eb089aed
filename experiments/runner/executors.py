"""Executors for the runner: where runs execute; each is a ``concurrent.futures.Executor``.

=================  ==========================================================================
``serial``         runs each chunk in the calling process when it is submitted
``processes``      ``ProcessPoolExecutor`` with fresh (spawned) worker processes; the default
``dask``           Dask distributed: a ``LocalCluster``, or the scheduler at ``address``
``dask-slurm``     Dask workers started as SLURM jobs by ``dask_jobqueue.SLURMCluster``
``dask-pbs``       Dask workers started as PBS jobs by ``dask_jobqueue.PBSCluster``
=================  ==========================================================================

The fourth route to a cluster needs no executor of its own: SLURM job arrays run one shard of
the design per array task (``--shard``), each with any of the executors above.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from experiments.errors import DesignError, ExecutorError

EXECUTORS = ("serial", "processes", "dask", "dask-slurm", "dask-pbs")


class SerialExecutor(Executor):
    """Run each submitted call at once, in this process (debugging, profiling, tiny jobs)."""

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        if self._shutdown:
            raise RuntimeError("cannot submit after shutdown")
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True


def run_on_one_thread[R](fn: Callable[..., R], /, *args: Any) -> R:
    """``fn(*args)`` with the model's parallel kernels on one thread (what a worker runs)."""
    # Imported here: numba loads with the kernels, and only a run needs them.
    from simulator.jit import kernel_threads

    with kernel_threads(1):
        return fn(*args)


def submit_run(executor: Executor, fn: Callable[..., Any], /, *args: Any) -> Future:
    """Submit a call that runs the model; beside other calls its kernels use one thread.

    An executor's parallelism is its workers. A worker whose parallel kernels used every core
    would compete with the other workers for the same cores, and the kernels' OpenMP threads
    spin a moment before they sleep (:mod:`simulator.jit`): two workers of two threads each
    made ``synclusive compare --workers 2`` 2.2 times slower and a calibration with two
    workers 11 times slower than one thread each. The serial executor runs one call at a time
    in this process, so its calls keep every core. Results are the same for any thread count.
    """
    if isinstance(executor, SerialExecutor):
        return executor.submit(fn, *args)
    return executor.submit(run_on_one_thread, fn, *args)


@dataclass
class ExecutorSpec:
    """How to start (and restart) the executor of an experiment.

    Parameters
    ----------
    name
        One of :data:`EXECUTORS`.
    workers
        Worker processes (``processes``, local ``dask``) or worker jobs (``dask-slurm``,
        ``dask-pbs``). Default: the number of CPUs.
    address
        Address of a running Dask scheduler (``dask`` only), e.g. ``tcp://10.0.0.5:8786``.
    jobqueue
        Keyword arguments of the dask-jobqueue cluster (``queue``, ``account``, ``walltime``,
        ``memory``, ``cores``, ``job_extra_directives``, ...).
    worker_timeout
        Seconds to wait for the scheduler at ``address`` or for the first worker job
        (``dask-slurm``, ``dask-pbs``) before giving up.
    """

    name: str = "processes"
    workers: int | None = None
    address: str | None = None
    jobqueue: dict[str, Any] = field(default_factory=dict)
    worker_timeout: float = 600.0
    _closers: list[Any] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.name not in EXECUTORS:
            raise DesignError(f"executor {self.name!r} is not one of {', '.join(EXECUTORS)}")
        if self.workers is not None and self.workers < 1:
            raise DesignError(f"workers must be at least 1, got {self.workers}")
        if self.address and self.name != "dask":
            raise DesignError("a scheduler address needs executor 'dask'")
        if self.jobqueue and not self.name.startswith("dask-"):
            raise DesignError(
                f"job-queue options need executor dask-slurm or dask-pbs, not {self.name}"
            )

    @property
    def n_workers(self) -> int:
        """Workers this executor will use (for sizing chunks)."""
        if self.name == "serial":
            return 1
        return self.workers or os.cpu_count() or 1

    def start(self) -> Executor:
        """Start the executor (and its cluster, for Dask)."""
        if self.name == "serial":
            return SerialExecutor()
        if self.name == "processes":
            # Spawned workers: forking a process that runs threads (Dask, tqdm) is unsafe.
            ctx = multiprocessing.get_context("spawn")
            return ProcessPoolExecutor(max_workers=self.n_workers, mp_context=ctx)
        return self._start_dask()

    def _start_dask(self) -> Executor:
        # Imported here: Dask is slow to load: only its executors need it.
        from distributed import Client

        if self.address:
            try:
                client = Client(self.address, timeout=self.worker_timeout)
            except OSError as err:
                raise ExecutorError(f"no Dask scheduler at {self.address}: {err}") from None
        elif self.name == "dask":
            # Imported here: Dask is slow to load: only its executors need it.
            from distributed import LocalCluster

            # One thread per worker process: runs are CPU-bound and hold the GIL between kernels.
            cluster = LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: several clusters may run at once
                silence_logs=logging.ERROR,
            )
            self._closers.append(cluster.close)
            client = Client(cluster)
        else:
            cluster = self._jobqueue_cluster()
            self._closers.append(cluster.close)
            cluster.scale(jobs=self.n_workers)
            client = Client(cluster)
            try:
                client.wait_for_workers(1, timeout=self.worker_timeout)
            except TimeoutError:
                self._closers.insert(0, client.close)
                self.stop()
                raise ExecutorError(
                    f"no {self.name} worker job started within {self.worker_timeout:.0f} s; "
                    "check the queue (squeue / qstat) and the job settings "
                    "(--queue, --account, --walltime, --memory)"
                ) from None
        self._closers.insert(0, client.close)
        return client.get_executor(pure=False)

    def _jobqueue_cluster(self) -> Any:
        # Imported here: Dask is slow to load: only its executors need it.
        import dask_jobqueue

        cls = dask_jobqueue.SLURMCluster if self.name == "dask-slurm" else dask_jobqueue.PBSCluster
        options: dict[str, Any] = {"cores": 1, "processes": 1, "memory": "2GB"}
        options.update(self.jobqueue)
        options.setdefault("python", sys.executable)
        # Workers find the compiled-kernel cache of this installation.
        cache = os.environ.get("NUMBA_CACHE_DIR")
        if cache:
            prologue = list(options.get("job_script_prologue") or [])
            options["job_script_prologue"] = [f"export NUMBA_CACHE_DIR={cache}", *prologue]
        return cls(**options)

    def stop(self) -> None:
        """Close the Dask client and any cluster this executor started."""
        while self._closers:
            close = self._closers.pop(0)
            try:
                close()
            except Exception as err:  # closing must not hide the experiment's own outcome
                logging.getLogger(__name__).warning("closing the Dask executor: %s", err)


def add_executor_option(parser: Any, default: str | None, help: str) -> None:
    """Add ``--executor`` (where runs execute) to a command; ``--backend``, its former name,
    is still accepted. The value lands in ``args.executor``."""
    parser.add_argument(
        "--executor",
        "--backend",
        dest="executor",
        choices=EXECUTORS,
        default=default,
        metavar="EXECUTOR",
        help=f"{help}; one of {', '.join(EXECUTORS)}",
    )


#: Loggers of Dask and its cluster managers, quietened by :func:`quiet_dask_logs`.
DASK_LOGGERS = ("distributed", "dask", "dask_jobqueue", "bokeh", "tornado")


def quiet_dask_logs() -> None:
    """Show only warnings and errors of Dask (``--quiet``): no INFO lines of the scheduler,
    nannies, workers and clients, in this process or in the workers it starts."""
    for name in DASK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        import dask
    except ImportError:  # Dask is a dependency; without it there is nothing to quieten
        return
    # Workers read this when they configure their own logging.
    dask.config.set({"logging": {name: "warning" for name in DASK_LOGGERS}})


# The former names, for code written against them.
Backend = ExecutorSpec
BACKENDS = EXECUTORS
