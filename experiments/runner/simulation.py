"""The model as the runner sees it: ``model(overrides, seed) -> table``.

The runner calls a *model callable* with a run's parameter overrides (dotted path → value) and
its ``numpy.random.SeedSequence``, and stores the table it returns. :class:`LabourMarketRun`
is the default: it applies the overrides to a base parameter set (the defaults, a parameters
file or, later, a scenario) and returns the tidy monthly indicators. Any other callable with
the same signature can be named in a design (``model = "package.module:name"``); it may return
a DataFrame or a dict of outcome values (one row; arrays become list columns).

:func:`simulate` is the same model as a plain function ``f(**params) -> dict of outcomes``,
the shape EMA Workbench (``ema_workbench.Model(name, function=simulate)``) and similar tools
wrap.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import ParameterError
from simulator.options import build_params
from simulator.params import ModelParams


class LabourMarketRun:
    """Run the labour-market model for one set of overrides and one seed.

    Parameters
    ----------
    base_params
        Nested parameter dictionary to start from (default: the model defaults).
    indicators, groups
        Keep only these indicators / groups of the tidy table (empty: keep all).
    engine
        ``"numba"`` (compiled kernels) or ``"python"`` (the reference implementation).
    """

    def __init__(
        self,
        base_params: Mapping[str, Any] | None = None,
        indicators: Sequence[str] = (),
        groups: Sequence[str] = (),
        engine: str = "numba",
    ) -> None:
        self.base_params = dict(base_params) if base_params is not None else None
        self.indicators = tuple(indicators)
        self.groups = tuple(groups)
        self.engine = engine

    def params(self, overrides: Mapping[str, Any]) -> ModelParams:
        """Validated parameters of a run.

        Raises
        ------
        simulator.errors.ParameterError
            Naming the parameter, the value and the allowed range.
        """
        base = copy.deepcopy(self.base_params) if self.base_params is not None else None
        return build_params(base, source="design parameters", overrides=overrides)

    def validate(self, overrides: Mapping[str, Any]) -> None:
        """Check a design point before anything runs (raises ``ParameterError``)."""
        self.params(overrides)
        if self.indicators or self.groups:
            known = _known_names()
            _check_names("indicators", self.indicators, known["indicator"])
            _check_names("groups", self.groups, known["group"])

    def __call__(self, overrides: Mapping[str, Any], seed: np.random.SeedSequence) -> pd.DataFrame:
        """The run's tidy indicators: columns ``month, indicator, group, value``."""
        # Imported here: the model loads the compiled kernels: only a run needs them.
        from simulator.model import LabourMarketModel

        model = LabourMarketModel(self.params(overrides), rng=seed, engine=self.engine)
        table = model.run().indicators
        if self.indicators:
            table = table[table["indicator"].isin(self.indicators)]
        if self.groups:
            table = table[table["group"].isin(self.groups)]
        return table.reset_index(drop=True)


@cache
def _known_names() -> dict[str, list[str]]:
    """Indicator and group names, read from a tiny run (the model has no static list)."""
    # Imported here: the model loads the compiled kernels: only a run needs them.
    from simulator.model import LabourMarketModel

    params = build_params(None, ["population.n_persons=50", "months=1"])
    table = LabourMarketModel(params, rng=0).run().indicators
    return {col: sorted(map(str, table[col].unique())) for col in ("indicator", "group")}


def _check_names(what: str, given: Sequence[str], known: Sequence[str]) -> None:

    unknown = [g for g in given if g not in known]
    if unknown:
        raise ParameterError(
            f"[outputs] {what}: unknown {', '.join(unknown)}; known: {', '.join(known)}"
        )


def simulate(seed: int = 0, group: str = "all", **params: Any) -> dict[str, np.ndarray]:
    """The labour-market model as a plain function of its parameters.

    Parameters
    ----------
    seed
        Integer seed of the run.
    group
        Population group of the indicators (``"all"``, ``"long_term_unemployed"``, ...).
    **params
        Parameter overrides by dotted path (``**{"demand.quit_rate": 0.004}``) or with double
        underscores for dots (``demand__quit_rate=0.004``), as keyword-only tools need.

    Returns
    -------
    dict of str to ndarray
        One float64 array of shape ``(months,)`` per indicator.
    """
    overrides = {k.replace("__", "."): v for k, v in params.items()}
    table = LabourMarketRun(groups=(group,))(overrides, np.random.SeedSequence(seed))
    wide = table.pivot(index="month", columns="indicator", values="value").sort_index()
    return {name: wide[name].to_numpy(dtype=np.float64) for name in wide.columns}
