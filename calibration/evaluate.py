"""Candidates through an executor: every candidate is run with the same seeds.

The evaluator turns parameter vectors into simulated moments. Each (candidate,
replication) pair is one task submitted to a ``concurrent.futures.Executor`` (a process
pool, a Dask client, the experiments runner's cluster executors); replication ``r`` of every
candidate uses the seed :func:`~calibration.simulate.replication_seed` ``(seed, r)``, so
candidates differ only by their parameters (common random numbers).

Runs that estimate a covariance or a Jacobian draw from their own seed streams
(:data:`WEIGHTING`, :data:`UNCERTAINTY`), independent of the search's. The estimate is the
point where the search's runs happen to fit the data best, and a weighting matrix is the
inverse of its runs' covariance: statistics computed again from those same runs would see
the least noise exactly where it matters and understate the standard errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future

import numpy as np

from calibration.journal import Journal, candidate_key
from calibration.moments import MomentSpec
from calibration.simulate import replication_seed, simulate_moments
from calibration.space import ParameterSpace
from experiments.runner.executors import submit_run

#: Seed streams: the search, the weighting matrix's pilot runs, the standard errors' runs.
SEARCH, WEIGHTING, UNCERTAINTY = 0, 1, 2


class Evaluator:
    """Simulated moments of candidates, cached in a journal.

    Parameters
    ----------
    space
        Estimated parameters and the base parameters.
    specs
        Moments to compute.
    seed
        Root seed of the replications.
    burn_in
        Months simulated before data month 1.
    executor
        Where simulations run.
    journal
        Checkpoint of evaluations (optional).
    on_done
        Called with the number of candidates finished (progress display).
    stream
        Seed stream of the replications (:data:`SEARCH` unless told).
    """

    def __init__(
        self,
        space: ParameterSpace,
        specs: list[MomentSpec],
        seed: int,
        burn_in: int,
        executor: Executor,
        journal: Journal | None = None,
        on_done: Callable[[int], None] | None = None,
        stream: int = SEARCH,
    ) -> None:
        self.space = space
        self.specs = specs
        self.seed = seed
        self.burn_in = burn_in
        self.executor = executor
        self.journal = journal
        self.on_done = on_done
        self.stream = stream
        self.simulations = 0

    def on_stream(self, stream: int) -> Evaluator:
        """The same evaluator drawing its replications from another seed stream."""
        return Evaluator(
            self.space,
            self.specs,
            self.seed,
            self.burn_in,
            self.executor,
            self.journal,
            self.on_done,
            stream,
        )

    def moments(self, thetas: Sequence[np.ndarray], replications: int) -> list[np.ndarray]:
        """Moments per replication of each candidate, shape (replications, moments) each."""
        out: list[np.ndarray | None] = [None] * len(thetas)
        pending: list[tuple[int, str, list[Future]]] = []
        for i, theta in enumerate(thetas):
            key = candidate_key(theta, replications, self.stream)
            cached = self.journal.get(key) if self.journal is not None else None
            if cached is not None:
                out[i] = cached
                continue
            params = self.space.candidate(np.asarray(theta, dtype=float))
            futures = [
                submit_run(
                    self.executor,
                    simulate_moments,
                    params,
                    replication_seed(self.seed, r, self.stream),
                    self.specs,
                    self.burn_in,
                )
                for r in range(replications)
            ]
            pending.append((i, key, futures))
        done_cached = len(thetas) - len(pending)
        if done_cached and self.on_done is not None:
            self.on_done(done_cached)
        for i, key, futures in pending:
            values = np.stack([f.result() for f in futures])
            self.simulations += replications
            if self.journal is not None:
                self.journal.put(key, values)
            out[i] = values
            if self.on_done is not None:
                self.on_done(1)
        return [v for v in out if v is not None]
