"""How every analyser is called: outputs checked first, bootstrap intervals, SALib kept quiet."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from experiments.errors import DesignError


def checked(y: np.ndarray) -> np.ndarray:
    """Outputs as float64, refused when one is missing or when all are equal."""
    y = np.asarray(y, dtype=np.float64)
    if not np.isfinite(y).all():
        raise DesignError(
            f"{int((~np.isfinite(y)).sum())} outputs are missing or not finite; indices need a "
            "value for every sample"
        )
    if np.ptp(y) == 0.0:
        raise DesignError("the outcome is the same for every sample: it has no sensitivity")
    return y


def bootstrap_analyze(
    analyze: Callable[..., Any],
    problem: dict[str, Any],
    y: np.ndarray,
    confidence: float,
    resamples: int,
    seed: int,
    x: np.ndarray | None = None,
    **options: Any,
) -> Any:
    """Run a SALib analyser with bootstrap intervals on checked outputs ``y``, quietly.

    ``problem`` is a SALib problem dictionary (:func:`experiments.runner.sampling.salib_problem`);
    ``x`` goes before ``y`` for analysers that read the sample too (Morris); ``options`` are
    the analyser's own. NumPy's runtime warnings are silenced.
    """
    y = checked(y)
    samples = (y,) if x is None else (x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return analyze(
            problem,
            *samples,
            num_resamples=resamples,
            conf_level=confidence,
            seed=seed,
            **options,
        )
