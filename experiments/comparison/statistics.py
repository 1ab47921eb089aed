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


def fieller_ci(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float
) -> tuple[float, float, float]:
    """Ratio of means with Fieller's interval over paired replications.

    Fieller's interval is bounded exactly when the denominator's own t-interval (the one
    :func:`mean_ci` gives) excludes zero, so a cost per extra person has an interval if and
    only if the effect it divides by is distinguishable from zero: one rule for both.

    Returns
    -------
    (ratio, low, high)
        ``low`` and ``high`` are NaN when the interval is unbounded (the denominator's interval
        includes zero) or with fewer than two replications; the ratio is NaN when the mean
        denominator is zero.
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    known = ~(np.isnan(num) | np.isnan(den))
    num, den = num[known], den[known]
    n = len(num)
    if n == 0 or den.mean() == 0:
        return np.nan, np.nan, np.nan
    a, b = float(num.mean()), float(den.mean())
    ratio = a / b
    if n < 2:
        return ratio, np.nan, np.nan
    cov = np.cov(num, den, ddof=1) / n  # covariance of the two means
    v11, v12, v22 = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    t = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1))
    g = t * t * v22 / (b * b)
    if g >= 1.0:
        return ratio, np.nan, np.nan
    centre = ratio - g * v12 / v22 if v22 > 0 else ratio
    spread = v11 - 2 * ratio * v12 + ratio * ratio * v22
    inside = spread - (g * (v11 - v12 * v12 / v22) if v22 > 0 else 0.0)
    half = t / abs(b) * np.sqrt(max(inside, 0.0))
    return ratio, (centre - half) / (1 - g), (centre + half) / (1 - g)
