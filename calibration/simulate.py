"""One simulated replication, turned into data terms and moments (the worker function).

:func:`simulate_moments` is what the executor runs: a module-level function of picklable
arguments, so it works with local processes, Dask and cluster executors alike.
"""

from __future__ import annotations

import numpy as np

from calibration import catalogue as cat
from calibration.moments import MomentSpec, SimulatedData, simulated_moments
from calibration.tracker import RunTracker
from simulator.params import ModelParams


def replication_seed(root: int, replication: int, stream: int = 0) -> np.random.SeedSequence:
    """The seed of a replication; the same for every candidate (common random numbers).

    Parameters
    ----------
    stream
        0 for the search; other streams give seeds independent of the search's and of each
        other (see :mod:`calibration.evaluate`).
    """
    key = (replication,) if stream == 0 else (stream, replication)
    return np.random.SeedSequence(root, spawn_key=key)


def simulate(params: ModelParams, seed: np.random.SeedSequence | int, burn_in: int = 0):
    """Run the model once and return it in data terms.

    Parameters
    ----------
    params
        Full model parameters; ``params.months`` includes the burn-in.
    seed
        Seed of the run.
    burn_in
        Months simulated before data month 1; they are dropped.

    Returns
    -------
    SimulatedData
    """
    # Imported here: the model loads the compiled kernels: only a run needs them.
    from simulator.indicators import IndicatorArrays
    from simulator.model import LabourMarketModel

    model = LabourMarketModel(params, rng=seed)
    tracker = RunTracker(model)
    model.advance()
    tracker.observe()
    months = params.months - burn_in
    full = model.indicator_arrays()
    # data month 1 is the first month after the burn-in
    arrays = IndicatorArrays(full.months - burn_in, full.by_group, full.overall)
    extra: dict[tuple, np.ndarray] = {}
    durations = tracker.durations().to_numpy()[burn_in:]
    for j, name in enumerate(cat.DURATION_BANDS):
        extra[(name, "all")] = durations[:, j]
    recorder = model.recorder
    starts = np.stack(recorder.starts) if recorder.starts else np.zeros((0, 0))
    for name in tracker.intervention_names:
        column = starts[:, recorder.intervention_names.index(name)]
        extra[("intervention_starts", "all", name)] = column[burn_in:].astype(float)
    panel = tracker.panel()
    panel = panel[panel["start_month"] > burn_in].reset_index(drop=True)
    panel["start_month"] -= burn_in
    for key, array in extra.items():
        if array.shape[0] != months:
            raise RuntimeError(f"series {key} has {array.shape[0]} months, expected {months}")
    return SimulatedData(arrays, extra, panel)


def simulate_moments(
    params: ModelParams, seed: np.random.SeedSequence, specs: list[MomentSpec], burn_in: int
) -> np.ndarray:
    """Moments of one replication (the task an executor runs)."""
    return simulated_moments(specs, simulate(params, seed, burn_in))
