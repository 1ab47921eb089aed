"""Vacancy-chain statistics: what a fill matrix Q implies, and what a run realised.

``Q[i][j]`` is the probability that a vacancy at ladder level ``i`` is filled by moving
someone from level ``j`` (the rest of row ``i``: filled from outside, which ends the chain).
Following White (1970, *Chains of Opportunity*) a vacancy is a walker: each fill from inside
sends it to the level the mover left, so its path is an absorbing Markov chain on the levels
with transition matrix Q. With ``N = (I - Q)^-1`` (the fundamental matrix, Kemeny & Snell
1960, ch. 3):

* the expected **chain length** from level ``i`` is the row sum ``t_i = (N 1)_i``: the number
  of jobs the vacancy fills, counting the final fill from outside (every chain has length at
  least 1);
* its variance is ``((2N - I) t - t*t)_i``.

The mean chain length over all new vacancies is the **vacancy multiplier** of the literature
(White 1970; Chase 1991, *Annual Review of Sociology* 17): jobs filled per new vacancy; the
moves of employed people it sets off are the multiplier minus one.

The realised fill counts of a run (``fills``, recorded month by month by the mobility kernel)
have one row per level and the columns of :func:`fill_sources`: a move from each level, then
the vacancies opened to outside applicants because Q's draw said so (``outside``) or because
the drawn move found no eligible mover (``no_candidate``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Rows whose sum reaches this are taken to send every vacancy on (none leaves to outside).
_FULL_ROW = 1.0 - 1e-9


def fill_sources(n_levels: int) -> list[str]:
    """Column names of the realised fill counts: ``from_level_0`` ... then the two ways a
    vacancy is opened to outside applicants (``outside``, ``no_candidate``)."""
    return [f"from_level_{j}" for j in range(n_levels)] + ["outside", "no_candidate"]


def check_fill_matrix(
    q: Sequence[Sequence[float]], n_levels: int, field: str = "mobility.fill_matrix"
) -> None:
    """Raise ``ValueError`` naming ``field`` unless ``q`` is a fill matrix whose chains end.

    Allowed: an ``n_levels`` x ``n_levels`` matrix of probabilities (entries in [0, 1]) with
    row sums at most 1, from every level of which a vacancy reaches a level that is filled
    from outside with positive probability (otherwise its chain would never end: the expected
    chain length is infinite).
    """
    if len(q) != n_levels or any(len(row) != n_levels for row in q):
        shape = f"{len(q)} rows of lengths {[len(row) for row in q]}"
        raise ValueError(
            f"{field} must be a {n_levels} x {n_levels} matrix (one row and one column per "
            f"ladder level), got {shape}"
        )
    for i, row in enumerate(q):
        for j, v in enumerate(row):
            if not 0.0 <= v <= 1.0:  # also rejects NaN
                raise ValueError(
                    f"{field}[{i}][{j}] is {v}; entries must be probabilities in [0, 1]"
                )
        if sum(row) > 1.0 + 1e-12:
            raise ValueError(
                f"{field} row {i} sums to {sum(row):g}; each row must sum to at most 1 "
                "(the rest of the row is filled from outside)"
            )
    ends = [sum(row) < _FULL_ROW for row in q]
    changed = True
    while changed:  # a level ends if it can send its vacancy to a level that ends
        changed = False
        for i, row in enumerate(q):
            if not ends[i] and any(v > 0.0 and ends[j] for j, v in enumerate(row)):
                ends[i] = changed = True
    closed = [i for i in range(n_levels) if not ends[i]]
    if closed:
        raise ValueError(
            f"{field}: a vacancy at level(s) {closed} is never filled from outside (those rows "
            "sum to 1 and send vacancies only among themselves), so its chain never ends; at "
            "least one of those rows must sum to less than 1"
        )


def expected_chain_lengths(q: np.ndarray) -> np.ndarray:
    """White's expected chain length from each level: the row sums of ``(I - Q)^-1``."""
    q = np.asarray(q, dtype=np.float64)
    return np.linalg.solve(np.eye(len(q)) - q, np.ones(len(q)))


def chain_length_variances(q: np.ndarray) -> np.ndarray:
    """Variance of the chain length from each level, ``(2N - I) t - t*t`` (Kemeny & Snell)."""
    q = np.asarray(q, dtype=np.float64)
    eye = np.eye(len(q))
    fundamental = np.linalg.inv(eye - q)
    t = fundamental.sum(axis=1)
    return (2.0 * fundamental - eye) @ t - t * t


def fills_table(months: np.ndarray, fills: np.ndarray) -> pd.DataFrame:
    """The tidy realised-fill table: ``month, level, source, vacancies``.

    Parameters
    ----------
    months : ndarray of int64, shape (T,)
    fills : ndarray of float64, shape (T, n_levels, n_levels + 2)
        Vacancies decided each month at each level, by source (:func:`fill_sources`).
    """
    T, n = len(months), fills.shape[1]
    sources = fill_sources(n)
    table = pd.DataFrame(
        {
            "month": np.repeat(np.asarray(months, dtype=np.int64), n * len(sources)),
            "level": np.tile(np.repeat(np.arange(n, dtype=np.int64), len(sources)), T),
            "source": np.tile(np.asarray(sources, dtype=object), T * n),
            "vacancies": fills.reshape(-1).astype(np.float64),
        }
    )
    table["source"] = pd.Categorical(table["source"], categories=sources)
    return table


def realised_fill_matrix(
    fills: pd.DataFrame, first_month: int = 1, counts: bool = False
) -> pd.DataFrame:
    """The fill matrix a run realised, from its tidy fill table (:func:`fills_table`).

    Parameters
    ----------
    fills
        The run's table ``month, level, source, vacancies``.
    first_month
        Months before this are left out (e.g. a burn-in).
    counts
        Return the counts instead of shares of each row.

    Returns
    -------
    DataFrame
        One row per level; columns ``from_level_j`` (moves), ``outside`` (opened to outside
        applicants, whether drawn so or for want of a candidate), and with ``counts`` also
        ``no_candidate`` (the part of ``outside`` where a move was drawn but nobody could
        move) and ``vacancies``. Shares of a row with no vacancies are NaN.
    """
    d = fills[fills["month"] >= first_month]
    wide = d.pivot_table(
        index="level", columns="source", values="vacancies", aggfunc="sum", observed=False
    )
    n = len(wide.columns) - 2
    moves = [f"from_level_{j}" for j in range(n)]
    out = wide[moves].copy()
    out["outside"] = wide["outside"] + wide["no_candidate"]
    total = out.sum(axis=1)
    if counts:
        out["no_candidate"] = wide["no_candidate"]
        out["vacancies"] = total
        return out
    return out.div(total.where(total > 0), axis=0)


def chain_summary(chains: pd.DataFrame, first_month: int = 1) -> pd.DataFrame:
    """Per-run vacancy-chain statistics by the level where chains start, and overall.

    Parameters
    ----------
    chains
        The run's chain table ``month, start_level, chains, mean_length``.
    first_month
        Months before this are left out (e.g. a burn-in).

    Returns
    -------
    DataFrame
        Indexed by start level (``"0"``, ``"1"`` ...) and ``"all"``: ``chains`` (chains
        ended), ``mean_length`` (jobs filled per chain, counting the final fill from
        outside; on the ``"all"`` row this is the vacancy multiplier), ``moves_per_vacancy``
        (moves of employed people per chain, ``mean_length - 1``) and
        ``share_filled_from_employment`` (of the jobs these chains filled, the share taken by
        someone already employed: ``1 - 1 / mean_length``; a vacancy opened to outside
        applicants counts as filled from outside).
    """
    c = chains[chains["month"] >= first_month]
    count = c.groupby("start_level")["chains"].sum()
    total = (c["chains"] * c["mean_length"].fillna(0.0)).groupby(c["start_level"]).sum()
    count.index = count.index.map(str)
    total.index = total.index.map(str)
    count.loc["all"] = count.sum()
    total.loc["all"] = total.sum()
    mean = total / count.where(count > 0)
    out = pd.DataFrame(
        {
            "chains": count,
            "mean_length": mean,
            "moves_per_vacancy": mean - 1.0,
            "share_filled_from_employment": (total - count) / total.where(total > 0),
        }
    )
    out.index.name = "start_level"
    return out
