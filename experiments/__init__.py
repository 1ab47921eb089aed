"""Batch experiments: designs, runner, results store, sensitivity analysis.

Typical use::

    from experiments import load_design, run_experiment, load_results

    design = load_design("quit_rate.toml")
    summary = run_experiment(design, "outputs/quit_rate", backend="processes", workers=4)
    table = load_results("outputs/quit_rate")

Rerunning the same call resumes: only runs that are missing (or failed) are run again.
"""

from experiments.errors import BackendError, DesignError, StoreError
from experiments.runner.batch import Shard, Summary, run_experiment
from experiments.runner.design import Design, ParameterSpec, design_from_dict, load_design
from experiments.runner.executors import BACKENDS, Backend, SerialExecutor
from experiments.runner.keys import Run
from experiments.runner.outputs import load_results, load_status, outcome_arrays
from experiments.runner.simulation import LabourMarketRun, simulate
from experiments.runner.store import ResultStore
from experiments.sensitivity.problem import problem_spec, sampled_design
from experiments.sensitivity.sobol import sobol_indices

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendError",
    "Design",
    "DesignError",
    "LabourMarketRun",
    "ParameterSpec",
    "ResultStore",
    "Run",
    "SerialExecutor",
    "Shard",
    "StoreError",
    "Summary",
    "design_from_dict",
    "load_design",
    "load_results",
    "load_status",
    "outcome_arrays",
    "problem_spec",
    "run_experiment",
    "sampled_design",
    "simulate",
    "sobol_indices",
]
