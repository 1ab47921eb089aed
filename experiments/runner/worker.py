"""What a worker does with a chunk of runs: run each, catch failures, return one table.

This is the only function the runner submits to an executor. A chunk holds many runs, so a
worker process imports the model and loads its compiled kernels once, and the scheduling
overhead is paid once per chunk, not per run.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.runner.executors import run_on_one_thread
from experiments.runner.keys import Run
from experiments.runner.renames import current_name

ModelCallable = Callable[[Mapping[str, Any], np.random.SeedSequence], Any]


@dataclass
class ChunkResult:
    """The outcome of one chunk.

    Attributes
    ----------
    table : DataFrame or None
        Results of the runs that succeeded, with a leading ``run_key`` column.
    status : list of dict
        One record per run: ``run_key, status, error, traceback, host, pid, started, seconds``.
    """

    table: pd.DataFrame | None
    status: list[dict[str, Any]] = field(default_factory=list)


def resolve_model(ref: str, options: Mapping[str, Any] | None = None) -> ModelCallable:
    """Import a model named ``module:name``; a class is instantiated with ``options``.

    A module name from before the experiments package was split is read under its current
    name (:mod:`experiments.runner.renames`), so stored designs still resolve.
    """
    module_name, _, attr = current_name(ref).partition(":")
    module = importlib.import_module(module_name)
    obj = module
    for part in attr.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, type):
        return obj(**(options or {}))
    if options:
        kept = {k: v for k, v in options.items() if v}
        if kept:
            raise TypeError(f"{ref} is a function; it cannot take options {sorted(kept)}")
    return obj


def as_table(output: Any) -> pd.DataFrame:
    """A model's output as a DataFrame: tables pass, a dict of outcomes becomes one row."""
    if isinstance(output, pd.DataFrame):
        return output
    if isinstance(output, Mapping):
        row = {k: (np.asarray(v).tolist() if np.ndim(v) else v) for k, v in output.items()}
        return pd.DataFrame([row])
    raise TypeError(
        f"a model must return a DataFrame or a dict of outcomes, not {type(output).__name__}"
    )


def execute_chunk(model: ModelCallable, runs: Sequence[Run], ticks: Any = None) -> ChunkResult:
    """Run every run of a chunk; a run that raises is recorded with its traceback.

    Parameters
    ----------
    model
        The model callable, ``model(overrides, seed)``.
    runs
        The runs of the chunk.
    ticks
        A queue (local or a multiprocessing manager's) that receives each run's key as the
        run ends, so a progress bar moves per run rather than per chunk; None: no ticks.

    Notes
    -----
    Each run's parallel kernels use one thread: the runner's parallelism is its workers, and
    several threads per worker would only compete for the same cores.
    """
    return run_on_one_thread(_execute, model, runs, ticks)


def _execute(model: ModelCallable, runs: Sequence[Run], ticks: Any) -> ChunkResult:
    tables = []
    status = []
    host, pid = socket.gethostname(), os.getpid()
    for run in runs:
        started = time.time()
        t0 = time.perf_counter()
        record: dict[str, Any] = {"run_key": run.key, "host": host, "pid": pid}
        try:
            table = as_table(model(run.overrides, run.seed))
            table.insert(0, "run_key", run.key)
            tables.append(table)
            record.update(status="done", error=None, traceback=None)
        except Exception as err:
            record.update(
                status="failed",
                error=f"{type(err).__name__}: {err}",
                traceback=traceback.format_exc(),
            )
        record.update(started=started, seconds=time.perf_counter() - t0)
        status.append(record)
        if ticks is not None:
            # Progress is a courtesy: a lost tick never fails a run.
            with contextlib.suppress(Exception):
                ticks.put(run.key)
    table = pd.concat(tables, ignore_index=True) if tables else None
    return ChunkResult(table, status)
