"""Sampling and index estimation: Morris, Sobol' (with convergence), PAWN and delta (SALib).

Each function takes plain arrays and an :class:`~experiments.sensitivity.problem.SAProblem` and
returns a tidy DataFrame with one row per factor (a mechanism when the problem is grouped, a
parameter otherwise). SALib does the estimation; this module only fixes seeds, shapes and the
reading of the results (warnings, the sample size intervals need).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.sensitivity.problem import SAProblem

METHODS = ("sobol", "morris")
GIVEN_DATA_METHODS = ("pawn", "delta")


# -- sampling ------------------------------------------------------------------------------------


def sample(problem: SAProblem, method: str, n: int, seed: int, levels: int = 4) -> np.ndarray:
    """Parameter values to run, one row per model evaluation.

    Parameters
    ----------
    method
        ``"sobol"``: Saltelli-Sobol' sample of base size ``n`` (a power of two), ``n × (G + 2)``
        rows for ``G`` factors (first-order and total indices). ``"morris"``: ``n``
        trajectories of ``G + 1`` rows on a ``levels``-level grid.
    seed
        Seed of the sampler (scrambling, trajectory starts).
    """
    if method == "sobol":
        if n < 2 or n & (n - 1):
            raise DesignError(f"a Sobol' sample needs N = a power of two (at least 2), got {n}")
        from SALib.sample import sobol

        return sobol.sample(problem.salib(), n, calc_second_order=False, seed=seed)
    if method == "morris":
        if n < 2:
            raise DesignError(f"Morris screening needs at least 2 trajectories, got {n}")
        from SALib.sample import morris

        return morris.sample(problem.salib(), n, num_levels=levels, seed=seed)
    raise DesignError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


def rows_per_base(problem: SAProblem) -> int:
    """Rows of a first-order/total Sobol' sample per base sample: ``factors + 2``."""
    return len(problem.factors) + 2


# -- analysis ------------------------------------------------------------------------------------


def sobol_table(
    problem: SAProblem,
    y: np.ndarray,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """First-order and total Sobol' indices with bootstrap confidence half-widths.

    Parameters
    ----------
    y
        Outputs in sample order, shape ``(N × (G + 2),)``.

    Returns
    -------
    DataFrame
        ``factor, S1, S1_conf, ST, ST_conf`` (``*_conf``: half-width of the interval).
    """
    from SALib.analyze import sobol

    res = _bootstrap_analyze(
        sobol.analyze, problem, y, confidence, resamples, seed, calc_second_order=False
    )
    out = pd.DataFrame(
        {
            "factor": problem.factors,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return out


def sobol_convergence(
    problem: SAProblem,
    y: np.ndarray,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
    smallest: int = 4,
) -> pd.DataFrame:
    """Sobol' indices on the first ``n = 2^k`` base samples, for every ``k`` up to the full N.

    SALib orders a Saltelli sample base sample by base sample, so the first ``n × (G + 2)``
    outputs are the sample of size ``n``.

    Returns
    -------
    DataFrame
        ``n`` and the columns of :func:`sobol_table`.
    """
    step = rows_per_base(problem)
    total = len(y) // step
    sizes = [2**k for k in range(int(math.log2(smallest)), int(math.log2(total)) + 1)]
    parts = []
    for n in sizes or [total]:
        t = sobol_table(problem, y[: n * step], confidence, resamples, seed)
        t.insert(0, "n", n)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


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
    from SALib.analyze import morris

    res = _bootstrap_analyze(
        morris.analyze, problem, y, confidence, resamples, seed, x=x, num_levels=levels
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


def given_data_table(
    problem: SAProblem,
    x: np.ndarray,
    y: np.ndarray,
    method: str = "pawn",
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """A given-data index of each parameter from any sample (e.g. stored results).

    Parameters
    ----------
    method
        ``"pawn"`` (median Kolmogorov-Smirnov distance over conditioning slices, no interval)
        or ``"delta"`` (Borgonovo's moment-independent delta with a bootstrap interval).

    Returns
    -------
    DataFrame
        ``parameter, mechanism, index, index_conf, method`` (plus PAWN's ``minimum, maximum``).
    """
    from SALib.analyze import delta, pawn

    y = _checked(y)
    flat = problem.salib(grouped=False)
    quiet = contextlib.redirect_stdout(io.StringIO())  # delta prints bin-merging notices
    with quiet, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "pawn":
            slices = max(2, min(10, len(y) // 10))
            res: Any = pawn.analyze(flat, x, y, S=slices, seed=seed)
            index, conf = res["median"], np.full(len(problem.names), np.nan)
        elif method == "delta":
            res = delta.analyze(
                flat,
                x,
                y,
                num_resamples=resamples,
                conf_level=confidence,
                seed=seed,
                method="delta",
            )
            index, conf = res["delta_raw"], res["delta_raw_conf"]
        else:
            raise DesignError(
                f"unknown given-data method {method!r}; choose {', '.join(GIVEN_DATA_METHODS)}"
            )
    out = pd.DataFrame(
        {
            "parameter": problem.names,
            "mechanism": [p.mechanism for p in problem.parameters],
            "index": np.asarray(index, dtype=float),
            "index_conf": np.asarray(conf, dtype=float),
            "method": method,
        }
    )
    if method == "pawn":
        out["minimum"] = np.asarray(res["minimum"], dtype=float)
        out["maximum"] = np.asarray(res["maximum"], dtype=float)
    return out


def _bootstrap_analyze(
    analyze: Callable[..., Any],
    problem: SAProblem,
    y: np.ndarray,
    confidence: float,
    resamples: int,
    seed: int,
    x: np.ndarray | None = None,
    **options: Any,
) -> Any:
    """Run a SALib analyser with bootstrap intervals on checked outputs ``y``, quietly.

    ``x`` goes before ``y`` for analysers that read the sample too (Morris); ``options`` are
    the analyser's own. NumPy's runtime warnings are silenced.
    """
    y = _checked(y)
    samples = (y,) if x is None else (x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return analyze(
            problem.salib(),
            *samples,
            num_resamples=resamples,
            conf_level=confidence,
            seed=seed,
            **options,
        )


def _checked(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if not np.isfinite(y).all():
        raise DesignError(
            f"{int((~np.isfinite(y)).sum())} outputs are missing or not finite; indices need a "
            "value for every sample"
        )
    if np.ptp(y) == 0.0:
        raise DesignError("the outcome is the same for every sample: it has no sensitivity")
    return y


# -- reading the indices -------------------------------------------------------------------------


def required_samples(table: pd.DataFrame, n: int, index: str = "ST") -> float:
    """Base sample size at which the intervals of the two largest indices stop overlapping.

    Interval half-widths shrink as ``1/sqrt(N)``; the gap between the top two estimates does
    not. Returns ``n`` itself if they are already separated, ``inf`` if the two estimates are
    equal.
    """
    ranked = table.sort_values(index, ascending=False)
    if len(ranked) < 2:
        return float(n)
    a, b = ranked.iloc[0], ranked.iloc[1]
    gap = float(a[index] - b[index])
    width = float(a[f"{index}_conf"] + b[f"{index}_conf"])
    if gap > width:
        return float(n)
    if gap <= 0:
        return math.inf
    return float(2 ** math.ceil(math.log2(n * (width / gap) ** 2)))


def sobol_warnings(table: pd.DataFrame, n: int, outcome: str) -> list[str]:
    """Plain-language warnings about one outcome's Sobol' indices.

    * an index negative beyond its interval (the estimator is off: too few samples, or a
      heavy-tailed outcome);
    * intervals of the two largest total indices overlapping (the ranking is not yet known),
      with the base sample size that would separate them.
    """
    out = []
    for idx in ("S1", "ST"):
        bad = table[table[idx] + table[f"{idx}_conf"] < 0]
        for r in bad.itertuples():
            out.append(
                f"{outcome}: {idx} of {r.factor} is {getattr(r, idx):.3f} ± "
                f"{getattr(r, idx + '_conf'):.3f}, negative beyond its interval; increase N"
            )
    need = required_samples(table, n)
    if need > n:
        ranked = table.sort_values("ST", ascending=False)
        top = ", ".join(ranked["factor"].iloc[:2])
        when = "no finite N (equal estimates)" if math.isinf(need) else f"N ≈ {int(need)}"
        out.append(
            f"{outcome}: total-index intervals of the top two ({top}) overlap at N = {n}; "
            f"too wide to rank them ({when} would separate them at the current estimates)"
        )
    return out


def morris_ranking(table: pd.DataFrame) -> list[str]:
    """Factors by decreasing ``mu_star``."""
    return list(table.sort_values("mu_star", ascending=False)["factor"])
