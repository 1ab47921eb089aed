"""Model classes and designs for the experiment tests.

The models wrap the real labour-market model and add one behaviour each: a pause (so a test
can interrupt an experiment mid-way), a failure for one parameter value, or a worker process
that dies on its first run. They are importable by worker processes because this folder is on
``sys.path`` (tests/conftest.py, and ``PYTHONPATH`` for subprocesses).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.runner.design import Design, design_from_dict
from experiments.runner.simulation import LabourMarketRun

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FAIL_QUIT_RATE = 0.004


class SlowRun(LabourMarketRun):
    """Sleeps ``EXPERIMENT_TEST_SLEEP`` seconds (default 0) before each run."""

    def __call__(self, overrides: dict[str, Any], seed: np.random.SeedSequence) -> pd.DataFrame:
        time.sleep(float(os.environ.get("EXPERIMENT_TEST_SLEEP", "0")))
        return super().__call__(overrides, seed)


class FailingRun(LabourMarketRun):
    """Raises for ``demand.quit_rate == FAIL_QUIT_RATE``; runs normally otherwise."""

    def __call__(self, overrides: dict[str, Any], seed: np.random.SeedSequence) -> pd.DataFrame:
        if overrides.get("demand.quit_rate") == FAIL_QUIT_RATE:
            raise RuntimeError(f"quit rate {FAIL_QUIT_RATE} is not supported by this test model")
        return super().__call__(overrides, seed)


class KillWorkerOnce(LabourMarketRun):
    """Kills its own worker process on the first run of the experiment, mid-run.

    The marker file named by ``EXPERIMENT_TEST_MARKER`` records that the kill happened, so the
    run succeeds when the backend runs it again on a fresh worker.
    """

    def __call__(self, overrides: dict[str, Any], seed: np.random.SeedSequence) -> pd.DataFrame:
        marker = Path(os.environ["EXPERIMENT_TEST_MARKER"])
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super().__call__(overrides, seed)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


def small_design(
    model: str = "experiments.runner.simulation:LabourMarketRun", **experiment: Any
) -> Design:
    """A 3 × 2 grid with 2 replications (12 runs) of a tiny, short labour market."""
    return design_from_dict(
        {
            "experiment": {"name": "small", "root_seed": 11, "replications": 2, "model": model}
            | experiment,
            "base": {"months": 6, "population": {"n_persons": 200}},
            "design": {
                "kind": "grid",
                "parameters": {
                    "demand.quit_rate": [0.002, FAIL_QUIT_RATE, 0.008],
                    "matching.applications": [2.0, 4.0],
                },
            },
            "outputs": {"groups": ["all", "long_term_unemployed"]},
        },
        source="small design",
    )


def design_toml(
    model: str = "experiments.runner.simulation:LabourMarketRun", replications: int = 2
) -> str:
    """The TOML text of :func:`small_design`."""
    return f"""\
[experiment]
name = "small"
root_seed = 11
replications = {replications}
model = "{model}"

[base]
months = 6
population.n_persons = 200

[design]
kind = "grid"
[design.parameters]
"demand.quit_rate" = [0.002, {FAIL_QUIT_RATE}, 0.008]
"matching.applications" = [2.0, 4.0]

[outputs]
groups = ["all", "long_term_unemployed"]
"""


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a ``synclusive`` subprocess that can import these helpers."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))
    env.update(extra)
    return env


def toy_outcomes(overrides: dict[str, Any], seed: np.random.SeedSequence) -> dict[str, Any]:
    """A model function returning a dict of outcomes: a scalar and a short series."""
    noise = np.random.default_rng(seed).random()
    a = float(overrides["a"])
    return {"score": 2 * a + noise, "series": a * np.arange(3.0)}


def slow_outcomes(overrides: dict[str, Any], seed: np.random.SeedSequence) -> dict[str, Any]:
    """:func:`toy_outcomes` that takes 0.2 s, so a progress bar can be seen to move per run."""
    time.sleep(0.2)
    return toy_outcomes(overrides, seed)
