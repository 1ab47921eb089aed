"""How long a batch will take and how much memory a worker needs, from a short probe.

``--dry-run`` of ``experiment run``, ``sensitivity run`` and ``calibrate`` times the batch's
own model on its first run before anything is written: once with a month to load the kernels,
then at two short horizons, and fits *seconds = set-up + months × per month* (the set-up
includes the lab's spin-up). A model that takes no ``months`` override is timed on one full
run instead. The start of a worker process (Python, numpy, numba, the cached kernels) is timed
in a fresh interpreter. Memory per worker is the probing process's peak resident size, which
holds the same modules and one model as a worker does.
"""

from __future__ import annotations

import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The two horizons of the probe (months), when the run is longer than the second.
PROBE_MONTHS = (6, 18)


@dataclass(frozen=True)
class Sizing:
    """An estimate of a batch's cost.

    Attributes
    ----------
    runs : int
        Runs (simulations as the runner counts them) in the batch.
    workers : int
        Worker processes sharing them.
    seconds_per_run : float
        Estimated seconds of one run (after its worker started).
    worker_start : float
        Seconds to start one worker process.
    memory_mb : float
        Peak resident memory of a worker (MB).
    how : str
        How the run time was measured.
    """

    runs: int
    workers: int
    seconds_per_run: float
    worker_start: float
    memory_mb: float
    how: str

    @property
    def wall_seconds(self) -> float:
        """Estimated wall time: worker start, then the runs shared by the workers."""
        waves = math.ceil(self.runs / max(self.workers, 1))
        return self.worker_start + waves * self.seconds_per_run

    def text(self) -> str:
        """The estimate in one line."""
        return (
            f"estimate: {self.runs} runs × {self.seconds_per_run:.2f} s on {self.workers} "
            f"worker{'s' if self.workers != 1 else ''} ≈ {duration(self.wall_seconds)} wall time "
            f"(worker start {self.worker_start:.1f} s); about {self.memory_mb:,.0f} MB per worker "
            f"({self.how})"
        )


def duration(seconds: float) -> str:
    """Seconds as ``1 h 02 min``, ``3 min 05 s`` or ``12.3 s``."""
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{seconds:.1f} s"


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def worker_start_seconds() -> float:
    """Seconds a fresh interpreter takes to import what a worker imports."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import experiments.runner.worker, simulator.model"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def probe_linear(
    model: Callable[[Mapping[str, Any], np.random.SeedSequence], Any],
    overrides: Mapping[str, Any],
    seed: np.random.SeedSequence,
) -> tuple[float, float]:
    """``(set-up, per month)`` seconds of ``model``, from runs at the two probe horizons.

    The first call (one month) loads the kernels and is not timed.

    Raises
    ------
    ValueError, TypeError
        When the model takes no ``months`` override.
    """
    short, long = PROBE_MONTHS
    model({**overrides, "months": 1}, seed)
    t_short = _timed(lambda: model({**overrides, "months": short}, seed))
    t_long = _timed(lambda: model({**overrides, "months": long}, seed))
    per_month = max(t_long - t_short, 0.0) / (long - short)
    return max(t_short - short * per_month, 0.0), per_month


def probe_seconds(
    model: Callable[[Mapping[str, Any], np.random.SeedSequence], Any],
    overrides: Mapping[str, Any],
    seed: np.random.SeedSequence,
    months: int | None,
) -> tuple[float, str]:
    """Estimated seconds of one run of ``model`` with ``overrides`` lasting ``months``.

    Returns
    -------
    (seconds, how)
        The estimate and how it was measured.
    """
    short, long = PROBE_MONTHS
    if months is not None and months > long:
        try:
            setup, per_month = probe_linear(model, overrides, seed)
        except (ValueError, TypeError):
            pass  # the model takes no months override: time a full run
        else:
            return (
                setup + months * per_month,
                f"probe of the first run at {short} and {long} months",
            )
    model(overrides, seed)  # loads the kernels, not timed
    return _timed(lambda: model(overrides, seed)), "probe: one full run"


def run_months(model: Any, overrides: Mapping[str, Any]) -> int | None:
    """Months of a run of ``model``, when the model says (its ``params`` or ``arms``)."""
    for attr in ("params", "arms"):
        read = getattr(model, attr, None)
        if read is not None:
            params = read(overrides)
            params = params[-1] if isinstance(params, tuple) else params
            return int(params.months)
    return None


def size_batch(
    model: Callable[[Mapping[str, Any], np.random.SeedSequence], Any],
    overrides: Mapping[str, Any],
    seed: np.random.SeedSequence,
    *,
    runs: int,
    workers: int,
    months: int | None,
) -> Sizing:
    """Probe ``model`` on one run and estimate the whole batch (see the module notes)."""
    seconds, how = probe_seconds(model, overrides, seed, months)
    return Sizing(
        runs=runs,
        workers=max(workers, 1),
        seconds_per_run=seconds,
        worker_start=worker_start_seconds() if workers > 1 else 0.0,
        memory_mb=peak_memory_mb(),
        how=how,
    )
