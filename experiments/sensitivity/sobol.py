"""Sobol' indices: the sample, the indices with bootstrap intervals, their convergence and
the warnings a reader needs (as SALib's ``sample.sobol`` and ``analyze.sobol``).

Every Sobol' index in the project is computed by :func:`analyze`: a sensitivity study's
tables (:func:`sobol_table`) and the indices of a stored ``sobol`` experiment
(:func:`sobol_indices`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.runner.outputs import scalar_outcome
from experiments.runner.sampling import salib_problem, sobol_sample
from experiments.runner.store import ResultStore
from experiments.sensitivity.problem import SAProblem
from experiments.sensitivity.salib import bootstrap_analyze


def sample(problem: SAProblem, n: int, seed: int) -> np.ndarray:
    """Saltelli-Sobol' sample of base size ``n`` (a power of two): ``n × (G + 2)`` rows for
    ``G`` factors (first-order and total indices)."""
    if n < 2 or n & (n - 1):
        raise DesignError(f"a Sobol' sample needs N = a power of two (at least 2), got {n}")
    return sobol_sample(problem.salib(), n, second_order=False, seed=seed)


def rows_per_base(problem: SAProblem) -> int:
    """Rows of a first-order/total Sobol' sample per base sample: ``factors + 2``."""
    return len(problem.factors) + 2


def analyze(
    problem: dict[str, Any],
    y: np.ndarray,
    second_order: bool = False,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """S1, ST (and S2 with ``second_order``) with bootstrap half-widths ``*_conf``.

    Parameters
    ----------
    problem
        A SALib problem dictionary (groups, if any, are the factors).
    y
        Outputs in sample order.
    """
    from SALib.analyze import sobol  # SALib loads slowly; only an analysis needs it

    res = bootstrap_analyze(
        sobol.analyze, problem, y, confidence, resamples, seed, calc_second_order=second_order
    )
    return {k: np.asarray(v, dtype=float) for k, v in res.items()}


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
    res = analyze(problem.salib(), y, False, confidence, resamples, seed)
    columns = ("S1", "S1_conf", "ST", "ST_conf")
    return pd.DataFrame({"factor": problem.factors, **{c: res[c] for c in columns}})


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


def sobol_indices(
    out: str | Path, indicator: str, group: str = "all", last_months: int = 12
) -> dict[str, np.ndarray]:
    """Sobol' indices (S1, ST and their confidence intervals) of a stored sobol experiment.

    Raises
    ------
    DesignError
        If the experiment is not a sobol design or has missing design points.
    """
    store = ResultStore.open(out)
    design = store.manifest["design"]
    if design["design"]["kind"] != "sobol":
        raise DesignError(f"{out}: Sobol' indices need a sobol design")
    y = scalar_outcome(out, indicator, group, last_months)
    n_points = store.manifest["points"]
    if len(y) != n_points or y.isna().any():
        raise DesignError(f"{out}: {n_points - y.notna().sum()} design points have no results yet")
    names = list(design["design"]["parameters"])
    bounds = [design["design"]["parameters"][n]["range"] for n in names]
    second_order = design["design"].get("second_order", False)
    return analyze(salib_problem(names, bounds), y.to_numpy(np.float64), second_order)


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
