"""Run the arms of a comparison over replications, serially or in local processes.

Each run is described by a :class:`Task` (plain data, so it can be sent to a worker process)
and returns a compact :class:`RunOutput`. The seed of a run depends only on the root seed
and the replication number, never on the arm: a policy arm and its baseline share their
random numbers (common random numbers), and the results do not depend on the number of
workers or the order in which runs finish.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.comparison.cohorts import cohort_metric_values
from experiments.comparison.metrics import SERIES_INDICATORS, metric_values
from experiments.runner.executors import submit_run
from scenarios.adaptation import Adaptation
from scenarios.schema import AdaptationRule
from simulator.panel import Panel, PersonPanel
from simulator.params import ModelParams
from simulator.snapshot import PersonOutcomes, Tracker

BASELINE = "baseline"
NO_ABLATION = "none"


class Cancelled(Exception):
    """Raised when a caller's ``cancel`` callback asks a comparison to stop."""


def _cancel_hook(cancel: Callable[[], bool]):
    """A month hook that stops a run as soon as ``cancel()`` is true."""

    def hook(model, month: int) -> None:
        if cancel():
            raise Cancelled(f"cancelled in month {month}")

    return hook


def replication_seed(root: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication``: the same for every arm."""
    return np.random.SeedSequence(root, spawn_key=(replication,))


@dataclass(frozen=True)
class Task:
    """One simulation run of a comparison."""

    arm: str
    variant: str
    replication: int
    params: ModelParams
    root_seed: int
    window: int
    adaptation: AdaptationRule | None = None
    detailed: bool = True
    engine: str = "numba"
    #: Keep the monthly status of every person (a placebo run needs only its starts).
    keep_statuses: bool = True


@dataclass
class RunOutput:
    """What a comparison keeps of one run.

    Attributes
    ----------
    metrics : DataFrame
        ``metric, group, value`` (see :mod:`experiments.comparison.metrics`).
    series, interventions, contexts : DataFrame or None
        Monthly indicators for the figures, starts and cost per intervention, employment by
        group × employer context (detailed runs only).
    persons : PersonOutcomes or None
        Per-person outcomes (detailed runs only).
    panel : PersonPanel or None
        Monthly statuses, programme starts and groups fixed before treatment of every person
        (detailed runs only; see :mod:`simulator.panel`).
    adaptation : list of dict
        Capacity changes made by the adaptation rule.
    """

    arm: str
    variant: str
    replication: int
    metrics: pd.DataFrame
    seconds: float
    series: pd.DataFrame | None = None
    interventions: pd.DataFrame | None = None
    contexts: pd.DataFrame | None = None
    persons: PersonOutcomes | None = None
    panel: PersonPanel | None = None
    adaptation: list[dict] = field(default_factory=list)


def _compact(p: PersonOutcomes) -> PersonOutcomes:
    """Smaller dtypes: outputs of many runs are held in memory together."""
    return PersonOutcomes(
        months_employed=p.months_employed.astype(np.int16),
        window_employed=p.window_employed.astype(np.float32),
        groups=p.groups.astype(np.int8),
        last_intervention=p.last_intervention.astype(np.int8),
        in_labour_force=p.in_labour_force,
    )


def run_task(task: Task, cancel: Callable[[], bool] | None = None) -> RunOutput:
    """Run one simulation and keep what the comparison needs.

    ``cancel``, if given, is asked every simulated month; when it returns true the run stops
    with :class:`Cancelled`.
    """
    # Imported here: the model loads the compiled kernels: only a run needs them.
    from simulator.model import LabourMarketModel

    t0 = time.perf_counter()
    model = LabourMarketModel(
        task.params, rng=replication_seed(task.root_seed, task.replication), engine=task.engine
    )
    tracker = Tracker(task.window, [s.name for s in task.params.population.sectors])
    panel = Panel()
    adaptation = Adaptation(task.adaptation) if task.adaptation is not None else None
    if task.detailed:
        model.month_hooks += [tracker, panel]
    if adaptation is not None:
        model.month_hooks.append(adaptation)
    if cancel is not None:
        model.month_hooks.append(_cancel_hook(cancel))
    model.advance()
    out = RunOutput(
        arm=task.arm,
        variant=task.variant,
        replication=task.replication,
        metrics=metric_values(model.indicator_arrays(), task.window),
        seconds=0.0,
        adaptation=list(adaptation.log) if adaptation is not None else [],
    )
    if task.detailed:
        tracker.finish(model)
        results = model.results()
        ind = results.indicators
        keep = ind[ind["indicator"].isin(SERIES_INDICATORS)].copy()
        keep["indicator"] = keep["indicator"].astype(str)
        keep["group"] = keep["group"].astype(str)
        out.series = keep.reset_index(drop=True)
        out.interventions = (
            results.interventions.groupby("intervention", sort=False)[["starts", "cost"]]
            .sum()
            .reset_index()
        )
        out.contexts = tracker.contexts()
        out.persons = _compact(tracker.persons(model))
        panel.finish(model)
        recorded = panel.result()
        out.metrics = pd.concat(
            [out.metrics, cohort_metric_values(recorded, task.window)], ignore_index=True
        )
        out.panel = recorded if task.keep_statuses else recorded.without_statuses()
    out.seconds = time.perf_counter() - t0
    return out


def run_tasks(
    tasks: list[Task],
    workers: int = 1,
    progress: bool = True,
    executor: Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    on_output: Callable[[int, RunOutput], None] | None = None,
) -> list[RunOutput]:
    """Run every task; results come back in task order.

    Parameters
    ----------
    tasks
        Runs to do.
    workers
        Local worker processes (1: run in this process).
    progress
        Show a progress bar.
    executor
        Any ``concurrent.futures.Executor`` to use instead of local processes.
    on_progress
        Called as ``on_progress(done, total)`` after each finished run (e.g. by a dashboard).
    cancel
        Asked between runs, and every simulated month of a run in this process; when it
        returns true, pending runs are dropped and :class:`Cancelled` is raised.
    on_output
        Called as ``on_output(index, output)`` in the calling thread when task ``index``
        has finished (e.g. to summarise the replications complete so far).

    Raises
    ------
    Cancelled
        When ``cancel()`` became true.
    """
    # Imported here: tqdm.auto probes for a notebook: only a progress bar needs it.
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc="runs", unit="run", disable=not progress)
    outputs: list[RunOutput | None] = [None] * len(tasks)
    done = 0

    def finished(i: int, output: RunOutput) -> None:
        nonlocal done
        outputs[i] = output
        done += 1
        bar.update()
        if on_progress is not None:
            on_progress(done, len(tasks))
        if on_output is not None:
            on_output(i, output)

    try:
        if executor is None and workers <= 1:
            for i, task in enumerate(tasks):
                if cancel is not None and cancel():
                    raise Cancelled(f"cancelled after {i} of {len(tasks)} runs")
                finished(i, run_task(task, cancel))
        else:
            own = executor is None
            pool = executor or ProcessPoolExecutor(max_workers=workers)
            futures = {submit_run(pool, run_task, t): i for i, t in enumerate(tasks)}
            try:
                for fut in as_completed(futures):
                    finished(futures[fut], fut.result())
                    if cancel is not None and cancel() and done < len(tasks):
                        raise Cancelled(f"cancelled after {done} of {len(tasks)} runs")
            finally:
                if own:
                    pool.shutdown(cancel_futures=True)
                else:
                    # A shared executor stays up; only this comparison's pending runs go.
                    for fut in futures:
                        fut.cancel()
    finally:
        bar.close()
    return [o for o in outputs if o is not None]


def group_outputs(outputs: Iterable[RunOutput]) -> dict[tuple[str, str], dict[int, RunOutput]]:
    """Outputs by (arm, variant), then replication.

    The variant is ``"none"``, ``"placebo"`` or the name of the mechanism switched off.
    """
    grouped: dict[tuple[str, str], dict[int, RunOutput]] = {}
    for o in outputs:
        grouped.setdefault((o.arm, o.variant), {})[o.replication] = o
    return grouped
