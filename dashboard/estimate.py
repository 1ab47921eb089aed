"""How long a comparison will take, shown before Run: runs planned × seconds per run.

Seconds per run come from a timing probe of the lab's baseline at the chosen population
(:func:`experiments.runner.sizing.probe_linear`: set-up plus months × per month), taken once
per lab and population in this server process and kept. The page runs a comparison's runs
one after another in one process, so the estimate is their sum.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from experiments.comparison.study import plan
from experiments.runner.sizing import duration, probe_linear
from scenarios import Scenario

_probes: dict[tuple[str, int], tuple[float, float]] = {}
_lock = threading.Lock()


def _probe(scenario: Scenario) -> tuple[float, float]:
    key = (scenario.lab.name, scenario.baseline.population.n_persons)
    with _lock:
        if key not in _probes:
            # Imported here: the model loads the compiled kernels: only a probe needs them.
            from simulator.model import LabourMarketModel

            base = scenario.baseline

            def one_run(overrides: dict[str, Any], seed: np.random.SeedSequence) -> None:
                LabourMarketModel(base.model_copy(update=dict(overrides)), rng=seed).advance()

            _probes[key] = probe_linear(one_run, {}, np.random.SeedSequence(0))
        return _probes[key]


def estimate(scenario: Scenario) -> tuple[int, float]:
    """``(runs, seconds)`` a comparison of ``scenario`` is expected to take on this server."""
    runs = len(plan(scenario))
    setup, per_month = _probe(scenario)
    return runs, runs * (setup + scenario.baseline.months * per_month)


def estimate_text(scenario: Scenario) -> str:
    """The estimate in one line, for the page."""
    runs, seconds = estimate(scenario)
    return f"About {duration(seconds)} for {runs} simulation runs (from a timing probe)"
