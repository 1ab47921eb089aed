"""Reading an experiment back: one results table, the status table, or EMA-style arrays."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.runner.store import ResultStore

TIDY_COLUMNS = ("month", "indicator", "group", "value")


def load_results(out: str | Path, parameters: bool = True) -> pd.DataFrame:
    """All stored results of an experiment as one table, in design order.

    Parameters
    ----------
    out
        The experiment folder.
    parameters
        Include the point, replication and parameter columns of each run.
    """
    return ResultStore.open(out).load(parameters=parameters)


def load_status(out: str | Path) -> pd.DataFrame:
    """The run-status table: one row per run, ``pending``, ``done`` or ``failed``."""
    return ResultStore.open(out).status()


def outcome_arrays(
    out: str | Path, group: str = "all", indicators: Sequence[str] | None = None
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The results as an experiments table plus outcome arrays (the EMA Workbench shape).

    Parameters
    ----------
    out
        The experiment folder.
    group
        Population group, for tidy indicator results.
    indicators
        Indicators to return (default: all stored).

    Returns
    -------
    experiments : DataFrame
        One row per completed run, in design order: ``run_key, point, replication`` and the
        varied parameters.
    outcomes : dict of str to ndarray
        For tidy indicator results, one float64 array of shape ``(runs, months)`` per indicator;
        for models returning a dict, one array per outcome of shape ``(runs,)`` or
        ``(runs, length)``.
    """
    store = ResultStore.open(out)
    data = store.load(parameters=False)
    experiments = store.experiments()
    experiments = experiments[experiments["run_key"].isin(set(data["run_key"]))]
    experiments = experiments.drop(columns=["run"]).reset_index(drop=True)
    keys = experiments["run_key"]
    outcomes: dict[str, np.ndarray] = {}
    if set(TIDY_COLUMNS) <= set(data.columns):
        data = data[data["group"] == group]
        if indicators is not None:
            data = data[data["indicator"].isin(indicators)]
        for name, part in data.groupby("indicator", sort=True, observed=True):
            wide = part.pivot(index="run_key", columns="month", values="value")
            outcomes[str(name)] = wide.reindex(keys).to_numpy(dtype=np.float64)
        return experiments, outcomes
    data = data.set_index("run_key").reindex(keys)
    for name in data.columns:
        if indicators is not None and name not in indicators:
            continue
        outcomes[name] = np.array([np.asarray(v) for v in data[name]])
    return experiments, outcomes


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
