"""Global search: scipy's differential evolution over the estimated parameters.

Each generation is one batch of candidates (``vectorized=True``), handed to the
:class:`~calibration.evaluate.Evaluator`, so all of a generation's simulations run in
parallel on its executor. The loss history is recorded per generation.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution

from calibration.evaluate import Evaluator
from calibration.msm import mean_moments, msm_loss


@dataclass
class SearchSettings:
    """Differential-evolution settings (see :func:`scipy.optimize.differential_evolution`)."""

    popsize: int = 8
    maxiter: int = 20
    tol: float = 0.01
    mutation: tuple[float, float] = (0.5, 1.0)
    recombination: float = 0.7
    seed: int = 1
    replications: int = 4


@dataclass
class SearchResult:
    """Best candidate, its loss and the loss history."""

    x: np.ndarray
    loss: float
    generations: int
    evaluations: int
    message: str
    history: pd.DataFrame = field(repr=False)


def population_size(settings: SearchSettings, n_params: int) -> int:
    """Candidates per generation."""
    return settings.popsize * n_params


def search(
    evaluator: Evaluator,
    observed: np.ndarray,
    weight: np.ndarray,
    settings: SearchSettings,
) -> SearchResult:
    """Minimise the MSM loss by differential evolution.

    Parameters
    ----------
    evaluator
        Simulates candidates (through its executor and journal).
    observed
        Observed moments.
    weight
        Weighting matrix.
    """
    space = evaluator.space
    rows: list[dict] = []
    best = {"loss": np.inf, "x": None}
    count = [0]

    def objective(x: np.ndarray) -> np.ndarray:
        thetas = [x[:, s].copy() for s in range(x.shape[1])]
        reps = evaluator.moments(thetas, settings.replications)
        losses = np.array([msm_loss(observed, mean_moments(r), weight) for r in reps])
        i = int(np.argmin(losses))
        if losses[i] < best["loss"]:
            best.update(loss=float(losses[i]), x=thetas[i])
        count[0] += len(thetas)
        rows.append(
            {
                "generation": len(rows),
                "evaluations": count[0],
                "best_loss": best["loss"],
                "generation_best": float(losses[i]),
                "generation_median": float(np.median(losses)),
                **{f"best:{n}": float(v) for n, v in zip(space.names, best["x"], strict=True)},
            }
        )
        return losses

    with warnings.catch_warnings():
        # Deferred updating is what a vectorised objective implies; scipy warns about it.
        warnings.simplefilter("ignore", UserWarning)
        result = differential_evolution(
            objective,
            bounds=list(zip(space.lower, space.upper, strict=True)),
            popsize=settings.popsize,
            maxiter=settings.maxiter,
            tol=settings.tol,
            mutation=settings.mutation,
            recombination=settings.recombination,
            rng=np.random.default_rng(settings.seed),
            polish=False,  # simulated losses are step functions: gradients are meaningless
            init="latinhypercube",
            updating="deferred",
            vectorized=True,
        )
    history = pd.DataFrame(rows)
    return SearchResult(
        x=np.asarray(result.x, dtype=float),
        loss=float(result.fun),
        generations=max(len(rows) - 1, 0),
        evaluations=count[0],
        message=str(result.message),
        history=history,
    )
