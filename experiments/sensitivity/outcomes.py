"""Outcomes of a sensitivity study: one value per design point, and how noisy it is.

Stored runs hold one row per run (design point × replication) with one column per outcome (for
:class:`~experiments.sensitivity.effect_run.PackageEffectRun`: the package's effect on each
metric and group, ``employment_rate/long_term_unemployed``). An outcome is either such a
column, averaged over replications, or a *ratio* outcome ``cost_per_extra_job/<group>``: the
package's cost divided by the extra people employed in the group, as a ratio of replication
means (as the comparison report computes it).

Replication noise is measured with the jackknife over replications: for a mean it equals the
squared standard error ``s² / R``, and it works unchanged for ratios. Its average over points,
divided by the variance of the point values across the sample, is the share of the analysed
output's variance that is replication noise rather than parameters. With common random
numbers the noise is correlated across points, so this share is an upper bound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.sensitivity.effect_run import SEP

#: Ratio outcomes: name -> (numerator column, denominator metric; the group is appended).
RATIOS = {"cost_per_extra_job": ("cost/all", "employed")}
#: Labels of outcomes in reports (metric part).
LABELS = {
    "employment_rate": "employment (pp)",
    "employed": "people in work",
    "inflow": "hires from unemployment",
    "mobility": "promotions",
    "engine_hires": "hires into jobs freed by mobility",
    "cost_per_extra_job": "cost per extra person employed",
}


def default_outcomes(target_groups: Sequence[str]) -> list[str]:
    """Effects on employment of each target group, inflow, mobility, cost per extra job."""
    return [
        *(f"employment_rate{SEP}{g}" for g in target_groups),
        f"inflow{SEP}all",
        f"mobility{SEP}all",
        f"cost_per_extra_job{SEP}all",
    ]


def label(outcome: str) -> str:
    """Plain-language name of an outcome: ``effect on employment (pp), long-term unemployed``."""
    metric, _, group = outcome.partition(SEP)
    what = LABELS.get(metric, metric.replace("_", " "))
    prefix = "" if metric in RATIOS else "effect on "
    return f"{prefix}{what}, {group.replace('_', ' ')}" if group else f"{prefix}{what}"


def run_matrix(
    runs: pd.DataFrame, outcome: str, n_points: int, replications: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-run values of an outcome as ``(points, replications)`` arrays.

    Returns
    -------
    (values, denominator)
        For a ratio outcome, ``values`` is the numerator and ``denominator`` the divisor;
        otherwise ``denominator`` is None. Missing runs are NaN.

    Raises
    ------
    DesignError
        If the outcome is not among the stored columns.
    """
    metric, _, group = outcome.partition(SEP)
    if metric in RATIOS:
        num_col, den_metric = RATIOS[metric]
        return (
            _matrix(runs, num_col, n_points, replications),
            _matrix(runs, f"{den_metric}{SEP}{group or 'all'}", n_points, replications),
        )
    return _matrix(runs, outcome, n_points, replications), None


def _matrix(runs: pd.DataFrame, column: str, n_points: int, replications: int) -> np.ndarray:
    if column not in runs.columns:
        known = [c for c in runs.columns if c not in ("run_key", "point", "replication")]
        raise DesignError(
            f"no stored outcome {column!r}; stored: {', '.join(known[:12])}"
            + (" ..." if len(known) > 12 else "")
        )
    out = np.full((n_points, replications), np.nan)
    out[runs["point"].to_numpy(), runs["replication"].to_numpy()] = runs[column].to_numpy(float)
    return out


def point_values(values: np.ndarray, denominator: np.ndarray | None = None) -> np.ndarray:
    """The analysed value of each point: the replication mean (or ratio of means)."""
    num = values.mean(axis=1)
    if denominator is None:
        return num
    den = denominator.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def jackknife_variance(values: np.ndarray, denominator: np.ndarray | None = None) -> np.ndarray:
    """Jackknife variance over replications of each point's value (NaN with one replication)."""
    r = values.shape[1]
    if r < 2:
        return np.full(values.shape[0], np.nan)
    leave_out = []
    for k in range(r):
        keep = [j for j in range(r) if j != k]
        den = None if denominator is None else denominator[:, keep]
        leave_out.append(point_values(values[:, keep], den))
    theta = np.column_stack(leave_out)
    return (r - 1) / r * ((theta - theta.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)


def noise_summary(
    outcome: str, values: np.ndarray, denominator: np.ndarray | None = None
) -> dict[str, float | str | int]:
    """How much of an outcome's variance across the sample is replication noise.

    Returns
    -------
    dict
        ``outcome, replications, variance`` (of the point values), ``noise_variance`` (mean
        jackknife variance of a point value), ``noise_share`` (their ratio, capped at 1) and
        ``noise_share_single`` (the share for a single replication: noise × R / (parameter
        variance + noise × R)).
    """
    y = point_values(values, denominator)
    r = values.shape[1]
    total = float(np.nanvar(y, ddof=1)) if np.isfinite(y).sum() > 1 else np.nan
    noise = float(np.nanmean(jackknife_variance(values, denominator))) if r > 1 else np.nan
    share = min(1.0, noise / total) if total > 0 and np.isfinite(noise) else np.nan
    single = np.nan
    if np.isfinite(share):
        param = max(total - noise, 0.0)
        single = noise * r / (param + noise * r) if param + noise * r > 0 else np.nan
    return {
        "outcome": outcome,
        "replications": r,
        "variance": total,
        "noise_variance": noise,
        "noise_share": share,
        "noise_share_single": single,
    }
