"""The method-of-simulated-moments loss."""

from __future__ import annotations

import numpy as np

#: Loss added for each moment a candidate's simulations cannot produce (e.g. an empty cell).
MISSING_PENALTY = 1e6


def mean_moments(reps: np.ndarray) -> np.ndarray:
    """Mean over replications, ignoring replications where a moment is missing."""
    with np.errstate(invalid="ignore"):
        counts = (~np.isnan(reps)).sum(axis=0)
        total = np.nansum(reps, axis=0)
        return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def msm_loss(observed: np.ndarray, simulated: np.ndarray, weight: np.ndarray) -> float:
    """``g' W g`` with ``g = observed - simulated``; missing moments add a large penalty."""
    missing = np.isnan(simulated)
    g = np.where(missing, 0.0, observed - simulated)
    return float(g @ weight @ g) + MISSING_PENALTY * int(missing.sum())
