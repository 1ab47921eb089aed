"""A posterior of the calibrated parameters by approximate Bayesian computation (pyabc ABC-SMC).

The same moments, data and weighting as the simulated-moments fit (:func:`calibration.fit.prepare`
and its parametric weighting pilot), but instead of a point estimate with a sandwich interval,
a weighted sample from the posterior: priors uniform over each parameter's search range, one
simulation per particle, accepted when its weighted distance to the observed moments,
``sqrt(g'Wg)``, is below the generation's threshold (the median of the previous generation's
distances, pyabc's default). Particles are simulated on any ``concurrent.futures`` executor
through pyabc's ``ConcurrentFutureSampler``: local processes, a Dask cluster or a SLURM
cluster of the experiments runner.

Every finished generation is stored in pyabc's SQLite history (``<out>/posterior/abc.db``);
rerunning the same command loads it and carries on from the last complete generation. ABC
samples with fresh random seeds in every job, so a rerun is not bit-identical to an
uninterrupted run, only a draw from the same procedure.

A posterior predictive check simulates the model at draws from the posterior (each with a
seed of its own) and places every observed moment in the distribution of its simulated
values.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration.errors import CalibrationError
from calibration.moments import MomentSpec
from calibration.simulate import replication_seed, simulate_moments
from calibration.space import ParameterSpace
from experiments.runner.executors import submit_run

if TYPE_CHECKING:
    from calibration.fit import Problem

#: Seed stream of the posterior predictive runs (the MSM fit uses 0 to 2).
PREDICTIVE = 3
#: Credible levels reported.
LEVELS = (0.90, 0.95)


@dataclass
class AbcModel:
    """One particle's simulation: parameters by key ``p0, p1, ...`` to simulated moments.

    A plain picklable object, so that the executor's workers (processes, Dask, SLURM jobs)
    can run it.
    """

    space: ParameterSpace
    specs: list[MomentSpec]
    burn_in: int

    def __call__(self, pars: dict) -> dict:
        theta = np.array([float(pars[f"p{i}"]) for i in range(len(self.space.names))])
        # fresh entropy: each particle's run gets a seed of its own (pyabc's own draws are
        # not reproducible across workers either)
        seed = np.random.SeedSequence()
        moments = simulate_moments(self.space.candidate(theta), seed, self.specs, self.burn_in)
        return {"moments": moments}


@dataclass
class WeightedDistance:
    """``sqrt(g'Wg)``, ``g`` = simulated - observed moments (a moment a run cannot produce,
    such as an empty panel cell, counts as fitted, as in the J statistic)."""

    weight: np.ndarray

    def __call__(self, x: dict, x0: dict) -> float:
        g = np.asarray(x["moments"], dtype=float) - np.asarray(x0["moments"], dtype=float)
        g = np.where(np.isnan(g), 0.0, g)
        return float(np.sqrt(max(g @ self.weight @ g, 0.0)))


def prior(space: ParameterSpace):
    """Independent uniform priors over the search ranges (pyabc distribution)."""
    import pyabc

    return pyabc.Distribution(
        **{
            f"p{i}": pyabc.RV("uniform", lo, hi - lo)
            for i, (lo, hi) in enumerate(zip(space.lower, space.upper, strict=True))
        }
    )


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile of a weighted sample (linear between the midpoints of the sorted weights)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cum, v))


@dataclass
class Posterior:
    """Outcome of an ABC-SMC run.

    Attributes
    ----------
    samples
        Final population: one column per parameter (dotted path), ``weight`` (sums to 1).
    intervals
        Per parameter: posterior mean, median, credible intervals at :data:`LEVELS`, the
        search range and (synthetic data) the true value.
    generations
        Per generation: threshold ``epsilon``, particles, simulations, acceptance rate.
    predictive
        Per moment: observed value, predictive mean and 90% band, the share of predictive
        values below the observation, and whether the observation is inside the band.
    """

    samples: pd.DataFrame
    intervals: pd.DataFrame
    generations: pd.DataFrame
    predictive: pd.DataFrame
    seconds: float
    simulations: int
    resumed_from: int = -1
    files: dict[str, Path] = field(default_factory=dict)

    def draws(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` parameter draws resampled from the weighted population (systematic)."""
        rng = np.random.default_rng(seed)
        w = self.samples["weight"].to_numpy()
        positions = (rng.random() + np.arange(n)) / n
        index = np.minimum(np.searchsorted(np.cumsum(w) / w.sum(), positions), len(w) - 1)
        names = [c for c in self.samples.columns if c not in ("weight", "generation")]
        return self.samples.iloc[index][names].reset_index(drop=True)


def _fingerprint(problem: Problem) -> str:
    blob = json.dumps(
        {
            "moments": [s.name for s in problem.specs],
            "observed": np.round(problem.observed, 12).tolist(),
            "parameters": [(p.path, p.lower, p.upper) for p in problem.space.parameters],
            "base": problem.space.base.model_dump(mode="json"),
            # more generations or another stopping rule continue the same run
            "population_size": problem.config.posterior.population_size,
            "burn_in": problem.burn_in,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def run_posterior(
    problem: Problem, executor: Executor, out: Path, jobs: int = 1, restart: bool = False
) -> Posterior:
    """ABC-SMC on a prepared problem, with a posterior predictive check.

    Parameters
    ----------
    problem
        A :class:`calibration.fit.Problem` whose weighting matrix is final.
    executor
        Where particles and predictive runs are simulated.
    out
        Output folder; ``out/posterior/abc.db`` holds the resumable history.
    jobs
        Particles simulated at a time (the executor's workers).
    restart
        Discard an existing history.
    """
    import pyabc
    from pyabc.sampler import ConcurrentFutureSampler

    settings = problem.config.posterior
    folder = out / "posterior"
    folder.mkdir(parents=True, exist_ok=True)
    db, stamp = folder / "abc.db", folder / "fingerprint.json"
    fingerprint = _fingerprint(problem)
    if restart:
        for path in (db, stamp):
            path.unlink(missing_ok=True)
    if db.exists():
        stored = json.loads(stamp.read_text()).get("fingerprint") if stamp.exists() else None
        if stored != fingerprint:
            raise CalibrationError(
                f"{db}: the stored posterior run has other settings, data or parameters; "
                "use --restart to discard it or another --out"
            )
    space, specs = problem.space, problem.specs
    abc = pyabc.ABCSMC(
        AbcModel(space, specs, problem.burn_in),
        prior(space),
        WeightedDistance(problem.weight),
        population_size=settings.population_size,
        sampler=ConcurrentFutureSampler(executor, client_max_jobs=max(1, jobs)),
    )
    started = time.perf_counter()
    url = "sqlite:///" + str(db.resolve())
    resumed_from = -1
    if db.exists():
        history = abc.load(url, 1)
        resumed_from = int(history.max_t)
    else:
        abc.new(url, {"moments": problem.observed})
        stamp.write_text(json.dumps({"fingerprint": fingerprint}))
    left = settings.generations - (resumed_from + 1)
    history = abc.history
    if left > 0:
        history = abc.run(
            max_nr_populations=left,
            minimum_epsilon=settings.min_epsilon,
            min_acceptance_rate=settings.min_acceptance_rate,
        )
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    names = space.names
    samples = pd.DataFrame(
        {name: frame[f"p{i}"].to_numpy(dtype=float) for i, name in enumerate(names)}
    )
    samples["weight"] = weights / weights.sum()
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0].reset_index(drop=True)
    generations = pd.DataFrame(
        {
            "generation": populations["t"].astype(int),
            "epsilon": populations["epsilon"].astype(float),
            "particles": populations["particles"].astype(int),
            "simulations": populations["samples"].astype(int),
        }
    )
    generations["acceptance_rate"] = generations["particles"] / generations["simulations"]
    posterior = Posterior(
        samples,
        credible_intervals(samples, space, problem.truth),
        generations,
        pd.DataFrame(),
        0.0,
        int(generations["simulations"].sum()),
        resumed_from,
    )
    posterior.predictive = predictive_check(problem, posterior, executor, settings.predictive_draws)
    posterior.seconds = time.perf_counter() - started
    return posterior


def credible_intervals(
    samples: pd.DataFrame, space: ParameterSpace, truth: dict[str, float] | None
) -> pd.DataFrame:
    """Posterior mean, median and equal-tailed credible intervals per parameter."""
    w = samples["weight"].to_numpy()
    rows = []
    for i, name in enumerate(space.names):
        v = samples[name].to_numpy()
        row = {
            "parameter": name,
            "posterior_mean": float(np.average(v, weights=w)),
            "posterior_median": weighted_quantile(v, w, 0.5),
            "posterior_sd": float(
                np.sqrt(np.average((v - np.average(v, weights=w)) ** 2, weights=w))
            ),
        }
        for level in LEVELS:
            tail = (1 - level) / 2
            row[f"ci{round(level * 100)}_low"] = weighted_quantile(v, w, tail)
            row[f"ci{round(level * 100)}_high"] = weighted_quantile(v, w, 1 - tail)
        row["lower_bound"], row["upper_bound"] = float(space.lower[i]), float(space.upper[i])
        if truth:
            t = truth.get(name, float("nan"))
            row["true_value"] = t
            row["truth_in_ci90"] = bool(row["ci90_low"] <= t <= row["ci90_high"])
        rows.append(row)
    return pd.DataFrame(rows)


def predictive_check(
    problem: Problem, posterior: Posterior, executor: Executor, draws: int
) -> pd.DataFrame:
    """Simulate at ``draws`` posterior draws (own seeds) and place each observed moment."""
    if draws < 1:
        return pd.DataFrame()
    space = problem.space
    sample = posterior.draws(draws, problem.config.posterior.seed)
    futures = [
        submit_run(
            executor,
            simulate_moments,
            space.candidate(row.to_numpy(dtype=float)),
            replication_seed(problem.config.posterior.seed, i, PREDICTIVE),
            problem.specs,
            problem.burn_in,
        )
        for i, (_, row) in enumerate(sample[space.names].iterrows())
    ]
    sims = np.stack([f.result() for f in futures])
    posterior.simulations += draws
    # the published survey error of public statistics comes on top of the model's spread
    public = np.array([s.source == "public" for s in problem.specs])
    rng = np.random.default_rng(problem.config.posterior.seed)
    noise = rng.normal(size=sims.shape) * np.sqrt(np.diag(problem.data_cov))[None, :]
    sims = sims + np.where(public[None, :], noise, 0.0)
    obs = problem.observed
    with np.errstate(invalid="ignore"):
        low = np.nanpercentile(sims, 5, axis=0)
        high = np.nanpercentile(sims, 95, axis=0)
        below = np.nanmean(sims < obs[None, :], axis=0)
    return pd.DataFrame(
        {
            "moment": [s.name for s in problem.specs],
            "observed": obs,
            "predictive_mean": np.nanmean(sims, axis=0),
            "predictive_p05": low,
            "predictive_p95": high,
            "share_below_observed": below,
            "inside_90": (obs >= low) & (obs <= high),
        }
    )
