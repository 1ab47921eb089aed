"""Standard errors (MSM sandwich) and identification diagnostics.

The Jacobian ``G`` of the simulated moments with respect to the parameters is taken by
central differences with the fit's seeds (common random numbers make the differences
smooth). With weighting matrix ``W`` and covariance ``Ω`` of ``observed - simulated``
moments (data covariance plus simulation noise of the mean of ``R`` replications),

    V = (G'WG)^-1 G'W Ω W G (G'WG)^-1,

the covariance of the estimates. Identification: the singular values of the standardised
Jacobian (each column scaled by its parameter's search range, each moment by ``W``) say how
many directions in parameter space the moments pin down; a tiny singular value marks a
combination of parameters the data cannot tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from calibration.evaluate import Evaluator
from calibration.moments import MomentSpec
from calibration.msm import mean_moments

#: Relative singular-value threshold for the numerical rank.
RANK_TOLERANCE = 1e-3
#: Weight of the diagonal when a simulated covariance is shrunk towards it.
SHRINKAGE = 0.5


@dataclass
class Uncertainty:
    """Uncertainty of the estimates at the optimum."""

    jacobian: np.ndarray
    steps: np.ndarray
    covariance: np.ndarray
    se: np.ndarray
    omega: np.ndarray
    reps_at_optimum: np.ndarray
    j_statistic: float
    j_df: int
    j_pvalue: float
    data_covariance: np.ndarray


def jacobian(
    evaluator: Evaluator, theta: np.ndarray, replications: int, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Central-difference Jacobian of the mean simulated moments.

    Parameters
    ----------
    step
        Step as a share of each parameter's search range; one-sided at a bound.

    Returns
    -------
    jacobian : ndarray, shape (moments, parameters)
    steps : ndarray, shape (parameters,)
        Full width of each difference.
    """
    lo, hi = evaluator.space.lower, evaluator.space.upper
    h = step * (hi - lo)
    points = []
    for k in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[k] = min(theta[k] + h[k], hi[k])
        down[k] = max(theta[k] - h[k], lo[k])
        points += [up, down]
    reps = evaluator.moments(points, replications)
    cols, widths = [], []
    for k in range(theta.size):
        width = points[2 * k][k] - points[2 * k + 1][k]
        diff = mean_moments(reps[2 * k]) - mean_moments(reps[2 * k + 1])
        cols.append(np.nan_to_num(diff / width))
        widths.append(width)
    return np.column_stack(cols), np.asarray(widths)


def with_model_block(
    data_cov: np.ndarray,
    sim_cov: np.ndarray,
    mask: np.ndarray,
    scale: float,
    shrinkage: float = 0.0,
) -> np.ndarray:
    """Replace the covariance of the masked moments by the model's run-to-run covariance.

    The simulated covariance is multiplied by ``scale`` (simulated over the lab's labour
    force). For a weighting matrix, which must be inverted, its correlations are shrunk by
    ``shrinkage`` towards zero (a few replications estimate a many-moment covariance poorly,
    and singular); the standard errors use it unshrunk, because shrinking the correlations
    of nearly redundant moments would count the same evidence twice.
    """
    out = data_cov.copy()
    idx = np.flatnonzero(mask)
    block = sim_cov[np.ix_(idx, idx)] * scale
    block = shrinkage * np.diag(np.diag(block)) + (1.0 - shrinkage) * block
    out[np.ix_(idx, idx)] = block
    out[idx, idx] = np.maximum(np.diag(block), np.diag(data_cov)[idx] * 1e-6 + 1e-12)
    return out


def model_covariance(reps: np.ndarray) -> np.ndarray:
    """Run-to-run covariance of simulated moments (replications with a missing moment dropped)."""
    return _covariance(reps)


def _covariance(reps: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(reps).any(axis=1)
    k = reps.shape[1]
    if ok.sum() < 2:
        return np.zeros((k, k))
    return np.atleast_2d(np.cov(reps[ok], rowvar=False))


def estimate_uncertainty(
    evaluator: Evaluator,
    theta: np.ndarray,
    observed: np.ndarray,
    data_cov: np.ndarray,
    weight: np.ndarray,
    replications: int,
    se_replications: int,
    step: float,
    model_block: np.ndarray | None = None,
    scale: float = 1.0,
) -> Uncertainty:
    """Sandwich standard errors and the over-identification test at ``theta``.

    Parameters
    ----------
    replications
        Replications per candidate in the fit (the simulation noise of the fitted mean).
    se_replications
        Replications at the optimum used to estimate the run-to-run covariance of moments.
    model_block
        Moments (boolean mask) whose data covariance is replaced by the model's run-to-run
        covariance at the estimate times ``scale``. A single monitored time series cannot show
        how much its own window means would vary (persistent swings look like trends to a
        block bootstrap), so for aggregate moments the model's variation, scaled from the
        simulated to the lab's labour force, stands in.
    scale
        Simulated labour force / the lab's labour force.
    """
    G, steps = jacobian(evaluator, theta, replications, step)
    at_opt = evaluator.moments([theta], max(se_replications, replications))[0]
    sim_cov = _covariance(at_opt)
    if model_block is not None and model_block.any():
        data_cov = with_model_block(data_cov, sim_cov, model_block, scale)
    omega = data_cov + sim_cov / replications
    # Work in range units so the rank check and inverse do not depend on parameter scales.
    d = np.diag(evaluator.space.upper - evaluator.space.lower)
    gs = G @ d
    a = gs.T @ weight @ gs
    p = theta.size
    s = np.linalg.svd(a, compute_uv=False)
    if s.size == 0 or s.min() <= RANK_TOLERANCE**2 * s.max():
        cov = np.full((p, p), np.nan)
        se = np.full(p, np.nan)
    else:
        a_inv = np.linalg.inv(a)
        cov = d @ a_inv @ gs.T @ weight @ omega @ weight @ gs @ a_inv @ d
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    g = observed - mean_moments(at_opt[:replications])
    g = np.where(np.isnan(g), 0.0, g)
    j_stat = float(g @ np.linalg.pinv(omega, hermitian=True) @ g)
    df = len(observed) - p
    pvalue = float(stats.chi2.sf(j_stat, df)) if df > 0 else float("nan")
    return Uncertainty(G, steps, cov, se, omega, at_opt, j_stat, df, pvalue, data_cov)


@dataclass
class Identification:
    """Which parameters the moments pin down."""

    table: pd.DataFrame
    singular_values: np.ndarray
    rank: int
    condition: float


def identification(
    specs: list[MomentSpec],
    names: list[str],
    lower: np.ndarray,
    upper: np.ndarray,
    G: np.ndarray,
    weight: np.ndarray,
    data_cov: np.ndarray,
    se: np.ndarray,
) -> Identification:
    """Identification diagnostics from the Jacobian.

    The table has, per parameter: ``sensitivity`` (change of the weighted moments, in
    standard deviations, across the parameter's search range), ``ci_share`` (width of the
    95% interval as a share of the search range), the moment that reacts most, the loading
    on the weakest direction, and a verdict: *pinned down* (interval under half the range),
    *weakly* (under the whole range), *not pinned down* otherwise.
    """
    width = upper - lower
    chol = np.linalg.cholesky(weight)
    scaled = chol.T @ G * width[None, :]
    s, vt = np.linalg.svd(scaled, full_matrices=False)[1:]
    rank = int((s > RANK_TOLERANCE * s.max()).sum()) if s.size and s.max() > 0 else 0
    condition = float(s.max() / s.min()) if s.size and s.min() > 0 else float("inf")
    sd = np.sqrt(np.diag(data_cov))
    standardised = np.abs(G) * width[None, :] / sd[:, None]
    ci_share = 2 * 1.96 * se / width
    verdict = np.where(
        ci_share < 0.5, "pinned down", np.where(ci_share < 1.0, "weakly", "not pinned down")
    )
    verdict = np.where(np.isnan(ci_share), "not pinned down", verdict)
    table = pd.DataFrame(
        {
            "parameter": names,
            "sensitivity": np.linalg.norm(scaled, axis=0),
            "ci_share_of_range": ci_share,
            "most_responsive_moment": [specs[int(j)].name for j in standardised.argmax(axis=0)],
            "weakest_direction_loading": vt[-1] if vt.size else np.nan,
            "verdict": verdict,
        }
    )
    return Identification(table, s, rank, condition)
