"""Comparisons run in a background thread, with progress and cancellation.

:class:`ComparisonJob` calls :func:`experiments.comparison.study.run_comparison` — the code behind
``synclusive compare`` — in a thread of its own, so the page stays responsive. The model's
kernels release the GIL, so the page's own work goes on while a run computes. Cancelling
stops the job within one simulated month.

Downloads come from the finished :class:`~experiments.comparison.study.Comparison`: the results
table through its own writer (:meth:`~experiments.comparison.study.Comparison.save`),
byte-for-byte the file
the command line writes; the HTML report is the page's own
(:func:`dashboard.report.render_page_report`): its figures, effects table and settings.

While the runs go on, every time one more replication is complete (five at least) the job
summarises the complete replications and draws them as :attr:`ComparisonJob.partial`, so the
page can show results as they update; the final outcome is the full comparison, as before.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.charts import draw_all
from dashboard.estimate import record_overhead
from dashboard.report import render_page_report
from dashboard.settings import Settings, cli_command
from experiments.comparison.arms import Cancelled
from experiments.comparison.study import Comparison, plan, run_comparison
from experiments.comparison.verdict import package_titles
from scenarios import Scenario, ScenarioError

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """A finished comparison and the settings that produced it.

    Attributes
    ----------
    settings : Settings
        The page's settings at the time of the run.
    scenario_toml : str
        The scenario file of those settings.
    comparison : Comparison
        The results.
    seconds : float
        Wall time of the run.
    """

    settings: Settings
    scenario_toml: str
    comparison: Comparison
    seconds: float
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _charts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def package(self) -> str:
        """The package compared with the baseline."""
        return self.settings.package

    @property
    def planned(self) -> int:
        """Replications the comparison runs."""
        return int(self.comparison.meta["scenario"]["run"]["replications"])

    @property
    def replications(self) -> int:
        """Replications summarised here (fewer than planned while the run goes on)."""
        return len(self.comparison.meta.get("replications_used", range(self.planned)))

    @property
    def partial(self) -> bool:
        """Whether these results cover only the replications complete so far."""
        return "replications_used" in self.comparison.meta

    def results_csv(self) -> bytes:
        """``results.csv`` exactly as ``synclusive compare`` writes it."""
        if "csv" not in self._cache:
            with tempfile.TemporaryDirectory(prefix="synclusive-results-") as folder:
                self.comparison.save(folder)
                self._cache["csv"] = (Path(folder) / "results.csv").read_bytes()
        return self._cache["csv"]

    def charts(self) -> dict[str, str]:
        """Every dashboard figure as a ``data:`` URL, by name (drawn once)."""
        if not self._charts:
            sides = {i.name: i.side for i in self.settings.interventions}
            self._charts = draw_all(self.comparison, self.package, sides)
        return self._charts

    def heading(self) -> str:
        """One line saying what the results are: package, lab, replications, size, seed, time."""
        r = self.comparison.meta["scenario"]["run"]
        done = f"{self.replications} of {self.planned}" if self.partial else f"{self.planned}"
        titles = package_titles(self.comparison)
        what = " and ".join(titles.get(p, p) for p in self.settings.packages)
        lab = self.comparison.meta["scenario"]["lab"]["lab"]["title"]
        return (
            f"Results: {what} on the {lab} lab · {done} "
            f"replications × {r['months']} months, {r['persons']:,} persons, seed {r['seed']} · "
            f"{self.seconds:.0f} s"
        )

    def report_html(self) -> bytes:
        """The self-contained HTML report of what the page shows for these results.

        The page's figures (the same images), headline figures, effects table and the
        settings with their scenario file; see :func:`dashboard.report.render_page_report`.
        """
        if "html" not in self._cache:
            self._cache["html"] = render_page_report(self).encode("utf-8")
        return self._cache["html"]


class ComparisonJob:
    """One comparison running in a background thread.

    Parameters
    ----------
    scenario
        The composed scenario to run.
    settings, scenario_toml
        The page's settings and their scenario file (kept with the results).
    on_change
        Called from the worker thread whenever progress or status changes.

    Attributes
    ----------
    status : {"waiting", "running", "drawing", "done", "cancelled", "failed"}
        Where the job is.
    done, total : int
        Simulation runs finished, and planned.
    outcome : Outcome or None
        The results, once done.
    partial : Outcome or None
        Results of the replications complete so far, with charts drawn, while running.
    message : str or None
        Why the job failed or was cancelled.
    thread : threading.Thread
        The worker (not started until :meth:`start`).
    """

    def __init__(
        self,
        scenario: Scenario,
        settings: Settings,
        scenario_toml: str,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.scenario = scenario
        self.settings = settings
        self.scenario_toml = scenario_toml
        self.on_change = on_change
        self.status = "waiting"
        self.done = 0
        self.total = 0
        self.started = 0.0
        self.ended: float | None = None
        self.outcome: Outcome | None = None
        self.partial: Outcome | None = None
        self._drawn_at = 0.0
        self._draw_seconds = 0.0
        self.message: str | None = None
        self._cancel = threading.Event()
        self.thread = threading.Thread(target=self._run, name="synclusive-comparison", daemon=True)

    # ------------------------------------------------------------------ control
    def start(self) -> ComparisonJob:
        """Start the worker thread."""
        self.status = "running"
        self.started = time.perf_counter()
        self.thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop; it stops within one simulated month."""
        self._cancel.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread."""
        self.thread.join(timeout)

    @property
    def active(self) -> bool:
        """Whether the job is still running (or about to)."""
        return self.status in ("waiting", "running", "drawing")

    @property
    def elapsed(self) -> float:
        """Seconds since the start (until the end, once ended)."""
        if not self.started:
            return 0.0
        return (self.ended or time.perf_counter()) - self.started

    def remaining(self) -> float | None:
        """Rough seconds left, from the pace so far (None before the first run ends)."""
        if self.done == 0 or self.total == 0:
            return None
        return self.elapsed / self.done * (self.total - self.done)

    # ------------------------------------------------------------------ worker
    def _notify(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:  # a closed page must not kill the worker
                log.exception("dashboard: progress callback failed")

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self._notify()

    def _partial(self, comparison: Comparison) -> None:
        """Draw the replications complete so far (called between runs, in the worker)."""
        start = time.perf_counter()
        # Drawing holds up the runs: after the first update, spend at most a third of the
        # time on it, so a long comparison is not slowed much by its own progress.
        if self._cancel.is_set() or (
            self.partial is not None and start - self._drawn_at < 2 * self._draw_seconds
        ):
            return
        outcome = Outcome(self.settings, self.scenario_toml, comparison, self.elapsed)
        outcome.charts()
        self._drawn_at = time.perf_counter()
        self._draw_seconds = self._drawn_at - start
        self.partial = outcome
        self._notify()

    def _run(self) -> None:

        try:
            self.total = len(plan(self.scenario))
            self._notify()
            comparison = run_comparison(
                self.scenario,
                progress=False,
                command=cli_command(self.settings),
                on_progress=self._progress,
                cancel=self._cancel.is_set,
                on_partial=self._partial,
            )
            outcome = Outcome(self.settings, self.scenario_toml, comparison, self.elapsed)
            # Drawn here, not while the page renders, so the page never waits on matplotlib.
            self.status = "drawing"
            self._notify()
            outcome.charts()
            self.outcome = outcome
            self.status = "done"
            timing = comparison.meta["timing"]
            record_overhead(self.elapsed - timing["runs"] * timing["seconds_per_run"])
        except Cancelled:
            self.status = "cancelled"
            self.message = f"Run cancelled after {self.done} of {self.total} simulation runs."
        except ScenarioError as err:
            self.status = "failed"
            self.message = str(err)
        except Exception as err:
            # The analyst sees a message; the traceback goes to the server's log.
            log.exception("dashboard: comparison failed")
            self.status = "failed"
            self.message = f"The run failed: {type(err).__name__}: {err}"
        finally:
            self.ended = time.perf_counter()
            self._notify()
