"""Experiments in three sub-packages: the batch runner (``runner``: designs, results store,
executors, workers), the comparison with the baseline (``comparison``: arms, contrasts,
statistics, report) and sensitivity analysis (``sensitivity``: one module per method family).
The names below are the batch runner's public interface.

Typical use::

    from experiments import load_design, run_experiment, load_results

    design = load_design("quit_rate.toml")
    summary = run_experiment(design, "outputs/quit_rate", executor="processes", workers=4)
    table = load_results("outputs/quit_rate")

Rerunning the same call resumes: only runs that are missing (or failed) are run again.
"""

from typing import TYPE_CHECKING

from simulator.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for readers and type checkers; imported on first use
    from experiments.errors import BackendError, DesignError, ExecutorError, StoreError
    from experiments.runner.batch import Shard, Summary, run_experiment
    from experiments.runner.design import Design, ParameterSpec, design_from_dict, load_design
    from experiments.runner.executors import (
        BACKENDS,
        EXECUTORS,
        Backend,
        ExecutorSpec,
        SerialExecutor,
    )
    from experiments.runner.keys import Run
    from experiments.runner.outputs import load_results, load_status, outcome_arrays
    from experiments.runner.simulation import LabourMarketRun, simulate
    from experiments.runner.store import ResultStore
    from experiments.sensitivity.problem import problem_spec, sampled_design
    from experiments.sensitivity.sobol import sobol_indices

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "BackendError": "experiments.errors",
        "DesignError": "experiments.errors",
        "ExecutorError": "experiments.errors",
        "StoreError": "experiments.errors",
        "Shard": "experiments.runner.batch",
        "Summary": "experiments.runner.batch",
        "run_experiment": "experiments.runner.batch",
        "Design": "experiments.runner.design",
        "ParameterSpec": "experiments.runner.design",
        "design_from_dict": "experiments.runner.design",
        "load_design": "experiments.runner.design",
        "BACKENDS": "experiments.runner.executors",
        "EXECUTORS": "experiments.runner.executors",
        "Backend": "experiments.runner.executors",
        "ExecutorSpec": "experiments.runner.executors",
        "SerialExecutor": "experiments.runner.executors",
        "Run": "experiments.runner.keys",
        "load_results": "experiments.runner.outputs",
        "load_status": "experiments.runner.outputs",
        "outcome_arrays": "experiments.runner.outputs",
        "LabourMarketRun": "experiments.runner.simulation",
        "simulate": "experiments.runner.simulation",
        "ResultStore": "experiments.runner.store",
        "problem_spec": "experiments.sensitivity.problem",
        "sampled_design": "experiments.sensitivity.problem",
        "sobol_indices": "experiments.sensitivity.sobol",
    },
)

# BACKENDS, Backend and BackendError are the former names of EXECUTORS, ExecutorSpec and
# ExecutorError, kept for code written against them.
__all__ = [
    "BACKENDS",
    "EXECUTORS",
    "Backend",
    "BackendError",
    "Design",
    "DesignError",
    "ExecutorError",
    "ExecutorSpec",
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
