"""Covariance of the observed moments by bootstrap, and the MSM weighting matrix.

* Aggregate moments: a circular moving-block bootstrap of each window's rows. Series of the
  same window and length share the resampled positions, so correlations between indicators
  of the same months are kept.
* Panel moments: participants resampled with replacement (all cells at once, so cells that
  share participants stay correlated).
* Public statistics: their published standard errors, independent of everything else.

Sources are independent of each other (block-diagonal covariance). A small variance floor
keeps the matrix invertible when a series happens to be constant.
"""

from __future__ import annotations

import numpy as np

from calibration.moments import MomentSpec, ObservedData, aggregate_rows, cell_mask


def _block_indices(rng: np.random.Generator, length: int, block: int) -> np.ndarray:
    block = max(1, min(block, length))
    starts = rng.integers(0, length, size=-(-length // block))
    idx = (starts[:, None] + np.arange(block)[None, :]) % length
    return idx.ravel()[:length]


def bootstrap_draws(
    specs: list[MomentSpec],
    data: ObservedData,
    draws: int = 200,
    block_months: int = 3,
    seed: int = 0,
) -> np.ndarray:
    """Bootstrap replicates of the aggregate and panel moments.

    Returns
    -------
    ndarray of float64, shape (draws, len(specs))
        NaN in the columns of public statistics (they are not resampled).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7_001,)))
    out = np.full((draws, len(specs)), np.nan)
    agg = [j for j, s in enumerate(specs) if s.source == "aggregate"]
    rows = {j: aggregate_rows(data, specs[j]) for j in agg}
    for b in range(draws):
        shared: dict[tuple, np.ndarray] = {}
        for j in agg:
            values = rows[j]
            key = (specs[j].window, values.size)
            if key not in shared:
                shared[key] = _block_indices(rng, values.size, block_months)
            out[b, j] = values[shared[key]].mean()
    panel = [j for j, s in enumerate(specs) if s.source == "panel"]
    if panel and data.panel is not None:
        p = data.panel
        n = len(p)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=draws).astype(float)
        for j in panel:
            mask = cell_mask(p, specs[j])
            y = np.where(mask, p[specs[j].indicator].to_numpy(dtype=float), 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[:, j] = (counts @ y) / (counts @ mask.astype(float))
    return out


def moment_covariance(
    specs: list[MomentSpec],
    data: ObservedData,
    observed: np.ndarray,
    draws: int = 200,
    block_months: int = 3,
    seed: int = 0,
    relative_floor: float = 0.01,
    absolute_floor: float = 1e-4,
) -> np.ndarray:
    """Covariance matrix of the observed moments.

    Parameters
    ----------
    observed
        Observed moment values (for the relative variance floor).
    relative_floor, absolute_floor
        Each variance is at least ``max(absolute_floor, relative_floor * |moment|)**2``.
    """
    reps = bootstrap_draws(specs, data, draws, block_months, seed)
    k = len(specs)
    cov = np.zeros((k, k))
    for source in ("aggregate", "panel"):
        idx = [j for j, s in enumerate(specs) if s.source == source]
        if not idx:
            continue
        block = reps[:, idx]
        ok = ~np.isnan(block).any(axis=1)
        if ok.sum() > 1:
            cov[np.ix_(idx, idx)] = np.atleast_2d(np.cov(block[ok], rowvar=False))
    if data.public is not None:
        pub = data.public
        for j, s in enumerate(specs):
            if s.source == "public":
                row = pub[
                    (pub["statistic"] == s.indicator)
                    & (pub["group"] == s.group)
                    & (pub["month_from"] == s.window[0])
                    & (pub["month_to"] == s.window[1])
                ]
                cov[j, j] = float(row["se"].iloc[0]) ** 2
    floor = np.maximum(absolute_floor, relative_floor * np.abs(observed)) ** 2
    cov[np.diag_indices(k)] = np.maximum(np.diag(cov), 0.0) + floor
    return cov


def weighting_matrix(cov: np.ndarray, kind: str = "full") -> np.ndarray:
    """The MSM weighting matrix: the inverse covariance (``"full"``) or its diagonal."""
    if kind == "diagonal":
        return np.diag(1.0 / np.diag(cov))
    if kind != "full":
        raise ValueError(f"weighting must be 'full' or 'diagonal', got {kind!r}")
    w = np.linalg.inv(cov)
    return 0.5 * (w + w.T)
