"""Morris screening: trajectories and elementary effects (as SALib's ``sample.morris`` and
``analyze.morris``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.sensitivity.problem import SAProblem
from experiments.sensitivity.salib import bootstrap_analyze


def sample(problem: SAProblem, n: int, seed: int, levels: int = 4) -> np.ndarray:
    """``n`` trajectories of ``G + 1`` rows on a ``levels``-level grid (``G`` factors)."""
    if n < 2:
        raise DesignError(f"Morris screening needs at least 2 trajectories, got {n}")
    from SALib.sample import morris  # SALib loads slowly; only a Morris study needs it

    return morris.sample(problem.salib(), n, num_levels=levels, seed=seed)


def morris_table(
    problem: SAProblem,
    x: np.ndarray,
    y: np.ndarray,
    levels: int = 4,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris elementary effects: ``factor, mu, mu_star, mu_star_conf, sigma``.

    ``sigma`` is not defined for grouped factors (SALib returns NaN).
    """
    from SALib.analyze import morris  # SALib loads slowly; only an analysis needs it

    res = bootstrap_analyze(
        morris.analyze, problem.salib(), y, confidence, resamples, seed, x=x, num_levels=levels
    )
    return pd.DataFrame(
        {
            "factor": list(res["names"]),
            "mu": np.asarray(res["mu"], dtype=float),
            "mu_star": np.asarray(res["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
            "sigma": np.asarray(res["sigma"], dtype=float),
        }
    )


def morris_ranking(table: pd.DataFrame) -> list[str]:
    """Factors by decreasing ``mu_star``."""
    return list(table.sort_values("mu_star", ascending=False)["factor"])
