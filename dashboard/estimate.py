"""How long a comparison will take, shown before Run: runs planned × seconds per run.

Seconds per run come from a timing probe of the lab's baseline at the chosen population,
taken once per lab and population in this server process and kept: the first run (one month)
is the lab's spin-up, then :func:`experiments.runner.sizing.probe_linear` gives set-up plus
months × per month. A comparison spins up once per replication (its arms share the spun-up
market) and runs its simulations one after another in one process, so the estimate is
replications × spin-up + runs × (set-up + months × per month), plus what the last
comparison on this server spent summarising and drawing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.comparison.study import plan
from experiments.runner.sizing import duration, probe_linear
from scenarios import Scenario


@dataclass(frozen=True)
class Probe:
    """Seconds of a lab's spin-up, of a run's set-up, and per simulated month."""

    spin_up: float
    setup: float
    per_month: float


_probes: dict[tuple[str, int], Probe] = {}
_failed: set[tuple[str, int]] = set()
_lock = threading.Lock()
log = logging.getLogger(__name__)


def probe(scenario: Scenario) -> Probe:
    """The timing probe of the scenario's lab at its population (measured once, then kept)."""
    key = (scenario.lab.name, scenario.baseline.population.n_persons)
    with _lock:
        if key not in _probes:
            # Imported here: the model loads the compiled kernels: only a probe needs them.
            from simulator.model import LabourMarketModel
            from simulator.world_cache import WorldCache

            base, worlds = scenario.baseline, WorldCache()

            def one_run(overrides: dict[str, Any], seed: np.random.SeedSequence) -> None:
                params = base.model_copy(update=dict(overrides))
                LabourMarketModel(params, rng=seed, worlds=worlds).advance()

            start = time.perf_counter()
            one_run({"months": 1}, np.random.SeedSequence(0))  # the spin-up, then cached
            spin_up = time.perf_counter() - start
            setup, per_month = probe_linear(one_run, {}, np.random.SeedSequence(0))
            _probes[key] = Probe(spin_up, setup, per_month)
        return _probes[key]


#: Seconds the last comparison on this server spent beyond its simulations (summarising the
#: replications, drawing the charts), added to every estimate once known.
_overhead = [0.0]


def record_overhead(seconds: float) -> None:
    """Keep what a finished comparison spent beyond its simulations."""
    _overhead[0] = max(seconds, 0.0)


def measured(scenario: Scenario) -> Probe | None:
    """The probe of the scenario's lab and population, if it has been measured."""
    return _probes.get((scenario.lab.name, scenario.baseline.population.n_persons))


def probe_in_background(scenario: Scenario, done: Callable[[], None]) -> threading.Thread:
    """Measure :func:`probe` in a thread of its own (plain, so nothing slows it) and call
    ``done()`` from it when the probe is kept (or failed: the page then shows no estimate)."""

    def work() -> None:
        try:
            probe(scenario)
        except Exception:  # the page shows no estimate; the run itself is unaffected
            log.exception("dashboard: the timing probe failed")
            _failed.add((scenario.lab.name, scenario.baseline.population.n_persons))
        done()

    return threading.Thread(target=work, name="synclusive-probe", daemon=True)


def failed(scenario: Scenario) -> bool:
    """Whether the probe of the scenario's lab and population failed."""
    return (scenario.lab.name, scenario.baseline.population.n_persons) in _failed


def estimate(scenario: Scenario, timing: Probe) -> tuple[int, float]:
    """``(runs, seconds)`` a comparison of ``scenario`` is expected to take on this server."""
    runs = len(plan(scenario))
    months = scenario.baseline.months
    spin_ups = scenario.run.replications * timing.spin_up
    return runs, spin_ups + runs * (timing.setup + months * timing.per_month) + _overhead[0]


def estimate_text(scenario: Scenario, timing: Probe) -> str:
    """The estimate in one line, for the page."""
    runs, seconds = estimate(scenario, timing)
    return f"About {duration(seconds)} for {runs} simulation runs (from a timing probe)"
