"""Statistics of paired differences over replications: means, confidence intervals, ratios."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(values: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    """Mean, standard error and t-interval of per-replication values.

    Returns
    -------
    (mean, std_error, low, high)
        With one replication (or none) the error and interval are NaN.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return np.nan, np.nan, np.nan, np.nan
    m = float(v.mean())
    if len(v) < 2:
        return m, np.nan, np.nan, np.nan
    se = float(v.std(ddof=1) / np.sqrt(len(v)))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, len(v) - 1)) * se
    return m, se, m - half, m + half


def ratio_ci(
    numerator: np.ndarray,
    denominator: np.ndarray,
    confidence: float,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Ratio of means with a percentile bootstrap interval over replications.

    The interval is NaN when the denominator's resampled means change sign (the ratio is then
    unbounded: the effect cannot be told apart from zero).

    Returns
    -------
    (ratio, low, high)
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    if den.mean() == 0:
        return np.nan, np.nan, np.nan
    ratio = float(num.mean() / den.mean())
    if len(num) < 2:
        return ratio, np.nan, np.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(num), size=(resamples, len(num)))
    dm = den[idx].mean(axis=1)
    if (dm <= 0).any() and (dm >= 0).any():
        return ratio, np.nan, np.nan
    boot = num[idx].mean(axis=1) / dm
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(boot, [alpha, 1.0 - alpha])
    return ratio, float(low), float(high)
