"""Given-data indices: PAWN and delta from any sample, such as a stored experiment's (as
SALib's ``analyze.pawn`` and ``analyze.delta``, which need no special sample)."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.runner.design import catalogue_entry
from experiments.runner.outputs import scalar_outcome
from experiments.runner.store import ResultStore
from experiments.sensitivity.problem import SAParameter, SAProblem
from experiments.sensitivity.salib import checked

METHODS = ("pawn", "delta")


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
    from SALib.analyze import delta, pawn  # SALib loads slowly; only an analysis needs it

    y = checked(y)
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
            raise DesignError(f"unknown given-data method {method!r}; choose {', '.join(METHODS)}")
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


def given_data_indices(
    out: str | Path,
    outcome: str,
    method: str = "pawn",
    group: str = "all",
    last_months: int = 12,
    seed: int = 0,
    resamples: int = 50,
) -> pd.DataFrame:
    """PAWN or delta indices of any stored experiment's varied parameters (given data).

    Parameters
    ----------
    out
        An experiment folder (any design with at least two varied numeric parameters), or a
        sensitivity study folder (its ``runs/`` are used).
    outcome
        An indicator (tidy results: mean over the last months) or a stored outcome column
        (models returning a dict, such as the package-effect model: ``metric/group``).
    method
        ``"pawn"`` or ``"delta"``.
    group, last_months
        For indicator results, see :func:`scalar_outcome`.
    seed, resamples
        Bootstrap of delta's interval (its cost grows with ``resamples``).

    Returns
    -------
    DataFrame
        ``parameter, mechanism, index, index_conf, method`` (see
        :func:`given_data_table`), one row per varied parameter.
    """
    out = Path(out)
    mechanisms: dict[str, str] = {}
    if (out / "study.json").exists():
        # A study folder: the study module builds on this one, so it is imported here.
        from experiments.sensitivity.study import RUNS_DIR, load_study

        mechanisms = {p.path: p.mechanism for p in load_study(out).problem.parameters}
        out = out / RUNS_DIR
    store = ResultStore.open(out)
    runs = store.experiments()
    names = [
        c
        for c in runs.columns
        if c not in ("run_key", "run", "point", "replication")
        and pd.api.types.is_numeric_dtype(runs[c])
        and runs[c].nunique() > 1
    ]
    if len(names) < 2:
        raise DesignError(f"{out}: given-data indices need at least two varied numeric parameters")
    x = runs.groupby("point")[names].first().sort_index()
    data = store.load()
    if outcome in data.columns:
        y = data.groupby("point")[outcome].mean()
    else:
        y = scalar_outcome(out, outcome, group, last_months)
    y = y.reindex(x.index)
    if y.isna().any():
        raise DesignError(f"{out}: {int(y.isna().sum())} design points have no {outcome!r} yet")
    params = tuple(
        SAParameter(
            n,
            float(x[n].min()),
            float(x[n].max()),
            mechanisms.get(n) or (catalogue_entry(n) or {}).get("mechanism") or "other",
        )
        for n in names
    )
    problem = SAProblem(params, grouped=False)
    table = given_data_table(
        problem,
        x.to_numpy(np.float64),
        y.to_numpy(np.float64),
        method,
        resamples=resamples,
        seed=seed,
    )
    if table["index"].isna().all():
        raise DesignError(f"{out}: every {method} index of {outcome!r} is undefined: {_why(x)}")
    return table


def _why(x: pd.DataFrame) -> str:
    """Why given-data indices of the design points ``x`` are undefined, in words."""
    distinct = {n: int(x[n].nunique()) for n in x.columns}
    few = max(distinct.values())
    if few < max(10, len(x) // 4):
        return (
            f"the {len(x)} design points lie on a grid (at most {few} distinct values per "
            "parameter), and given-data methods condition on slices of scattered samples; "
            "use an lhs or sobol design (synclusive experiment) or synclusive sensitivity run"
        )
    return f"the outcome does not vary within the conditioning slices of the {len(x)} points"
