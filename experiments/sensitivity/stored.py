"""SALib problems and Sobol' indices from the parameter catalogue and stored experiments.

The catalogue (``simulator.parameter_table``) gives every uncertain parameter a plausible
range and the mechanism it belongs to; :func:`problem_spec` turns that into a SALib
``ProblemSpec``, and :func:`sampled_design` into an experiment design. After the design has run,
:func:`sobol_indices` computes first-order and total Sobol' indices of a scalar outcome, and
:func:`given_data_indices` PAWN or delta indices of any stored experiment (given data). Full
studies of a package's effects (grouped by mechanism, replication noise, convergence, report)
are in :mod:`experiments.sensitivity.study`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib import ProblemSpec

from experiments.errors import DesignError
from experiments.runner.design import Design, ParameterSpec, catalogue_entry
from experiments.runner.store import ResultStore


def uncertain_parameters() -> list[str]:
    """Dotted paths of all scalar parameters with an uncertainty range in the catalogue."""
    from simulator.parameter_table import iter_parameters

    return [
        row["parameter"]
        for row in iter_parameters()
        if row["uncertain_low"] is not None and not isinstance(row["default"], list)
    ]


def parameter_ranges(parameters: Sequence[str] | None = None) -> list[tuple[str, float, float]]:
    """``(path, low, high)`` of each parameter from the catalogue's uncertainty ranges."""
    paths = list(parameters) if parameters is not None else uncertain_parameters()
    ranges = []
    for path in paths:
        info = catalogue_entry(path)
        if info is None or info["uncertain_low"] is None:
            raise DesignError(f"parameter {path!r} has no uncertainty range in the catalogue")
        ranges.append((path, float(info["uncertain_low"]), float(info["uncertain_high"])))
    return ranges


def problem_spec(
    parameters: Sequence[str] | None = None, group_by_mechanism: bool = False
) -> ProblemSpec:
    """A SALib ``ProblemSpec`` over uncertain parameters (default: all of them).

    Parameters
    ----------
    parameters
        Dotted parameter paths (list items as ``path.index``).
    group_by_mechanism
        Set ``groups`` to each parameter's mechanism (``"other"`` if none), for grouped indices.
    """
    ranges = parameter_ranges(parameters)
    spec: dict[str, Any] = {
        "names": [p for p, _, _ in ranges],
        "bounds": [[lo, hi] for _, lo, hi in ranges],
    }
    if group_by_mechanism:
        spec["groups"] = [
            (catalogue_entry(p) or {}).get("mechanism") or "other" for p, _, _ in ranges
        ]
    return ProblemSpec(spec)


def sampled_design(
    kind: str,
    samples: int,
    parameters: Sequence[str] | None = None,
    **experiment: Any,
) -> Design:
    """A ``lhs`` or ``sobol`` design over catalogue uncertainty ranges.

    Parameters
    ----------
    kind
        ``"lhs"`` or ``"sobol"``.
    samples
        LHS points, or the Sobol base sample size (a power of two).
    parameters
        Parameters to vary (default: all uncertain scalar parameters).
    **experiment
        Other :class:`Design` fields (``replications``, ``root_seed``, ``base``, ...).
    """
    specs = tuple(
        ParameterSpec(path, low=lo, high=hi) for path, lo, hi in parameter_ranges(parameters)
    )
    return Design(kind=kind, samples=samples, parameters=specs, **experiment)


def scalar_outcome(
    out: str | Path, indicator: str, group: str = "all", last_months: int = 12
) -> pd.Series:
    """Mean of an indicator over the last months of each run, averaged over replications.

    Returns
    -------
    Series
        Indexed by design point, in design order.
    """
    data = ResultStore.open(out).load()
    data = data[(data["indicator"] == indicator) & (data["group"] == group)]
    if data.empty:
        raise DesignError(f"{out}: no results for indicator {indicator!r}, group {group!r}")
    cutoff = data["month"].max() - last_months
    per_run = data[data["month"] > cutoff].groupby(["point", "run_key"])["value"].mean()
    return per_run.groupby(level="point").mean()


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
    sp = ProblemSpec({"names": names, "bounds": bounds})
    sp.set_results(y.to_numpy(dtype=np.float64))
    sp.analyze_sobol(calc_second_order=design["design"].get("second_order", False))
    return dict(sp.analysis)


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
        :func:`experiments.sensitivity.methods.given_data_table`), one row per varied parameter.
    """
    from experiments.sensitivity.methods import given_data_table
    from experiments.sensitivity.problem import SAParameter, SAProblem

    out = Path(out)
    mechanisms: dict[str, str] = {}
    if (out / "study.json").exists():
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
    return given_data_table(
        problem,
        x.to_numpy(np.float64),
        y.to_numpy(np.float64),
        method,
        resamples=resamples,
        seed=seed,
    )
