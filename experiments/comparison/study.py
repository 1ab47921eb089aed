"""Compare intervention packages with the baseline (engine step 6: evaluation).

:func:`run_comparison` runs the baseline and every package arm of a
:class:`~scenarios.compose.Scenario` over R replications with common random numbers (each
replication's seed is shared by all arms) and, optionally, with one mechanism switched off at
a time in both arms (ablation). :func:`summarise` turns the runs into a :class:`Comparison`:

* ``results`` — one tidy table of estimates with confidence intervals: effects on every
  metric for every target group; participants against non-participants (displacement);
  effects by target group × employer context; ablation; costs and cost per extra person
  employed; per intervention, its participants' relative risk of being in work next to
  the published benchmark; and, with several packages, each package against each other
  (``contrast``) and interaction terms (``interaction``: a combined package's effect minus
  the sum of its parts' effects);
  labour-force accounting (``labour_force``: where the extra people in work came from, for
  groups as stocks and as cohorts fixed before treatment, see
  :mod:`experiments.comparison.labour_force`); the participants' effect profile by years
  since their start (``participant_profile``);
* ``over_time`` — the monthly effect on key indicators;
* ``event_study`` — the effect on participants by months since their programme start
  (:mod:`experiments.comparison.event_study`), per programme and for the package;
* ``replications`` — per-replication metric values of every arm (for re-analysis);
* ``adaptation`` — capacity changes made by the adaptation rule.

Because an arm and its baseline share random numbers and person rows, the same person row is
the same person in both arms, so participants are compared with their own counterfactual.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.comparison.arms import (
    BASELINE,
    NO_ABLATION,
    RunOutput,
    Task,
    group_outputs,
    run_tasks,
)
from experiments.comparison.event_study import COLUMNS as EVENT_COLUMNS
from experiments.comparison.event_study import PROFILE_BINS, event_study, participation
from experiments.comparison.labour_force import labour_force_rows
from experiments.comparison.metrics import (
    ABLATION_METRICS,
    CONTRAST_METRICS,
    METRIC_BY_NAME,
    SERIES_INDICATORS,
)
from experiments.comparison.statistics import fieller_ci, mean_ci, ratio_ci
from scenarios.catalogue import load_catalogue
from scenarios.compose import Scenario
from scenarios.schema import MECHANISMS
from simulator import __version__ as simulator_version
from simulator.interventions import EmployerEffects, PersonEffects
from simulator.params import ModelParams
from simulator.snapshot import COHORT_GROUPS
from simulator.tables import write_file, write_table

PLACEBO = "placebo"
#: Partial results are summarised only from this many complete replications on: with two,
#: a t-interval is ±6.3 standard errors wide and reads as noise.
MIN_PARTIAL_REPLICATIONS = 5

RESULT_COLUMNS = [
    "package",
    "analysis",
    "metric",
    "group",
    "context_type",
    "context",
    "ablation",
    "unit",
    "estimate",
    "ci_low",
    "ci_high",
    "std_error",
    "baseline",
    "policy",
    "relative",
    "n",
    "replications",
    "suppressed",
    "label",
]
TABLES = ("results", "over_time", "replications", "adaptation", "event_study")
#: Tables a comparison saved by an earlier version may lack (read as empty).
OPTIONAL_TABLES = ("event_study",)


def mean_of_known(values: np.ndarray) -> float:
    """Mean of the values that are not NaN; NaN, without a warning, when none is known.

    A metric can be undefined in every replication (e.g. retention of a group nobody from
    was hired); its level is then NaN, which is not worth a warning per cell.
    """
    values = np.asarray(values, dtype=np.float64)
    known = values[~np.isnan(values)]
    return float(known.mean()) if known.size else float("nan")


def plan(scenario: Scenario, engine: str = "numba") -> list[Task]:
    """Every run a comparison needs, in a fixed order.

    The baseline and each package arm run once per replication with full detail; with
    ablation on, each arm and the baseline also run once per replication and mechanism with
    that mechanism switched off (outcome metrics only). Runs are listed replication by
    replication, so replications complete one after another and a partial summary (see
    :func:`run_comparison`) is available early. The order does not change the results.
    """
    run = scenario.run
    common = {"root_seed": run.seed, "window": run.evaluation_months, "engine": engine}
    ablation = run.ablation and any(arm.params.interventions for arm in scenario.arms)
    tasks: list[Task] = []
    for r in range(run.replications):
        # a calibrated scenario with posterior draws runs draw r modulo their number
        baseline, arm_params = scenario.replication_params(r)
        tasks.append(Task(BASELINE, NO_ABLATION, r, baseline, **common))
        for arm, params in zip(scenario.arms, arm_params, strict=True):
            tasks.append(
                Task(arm.name, NO_ABLATION, r, params, adaptation=arm.adaptation, **common)
            )
        for arm, params in zip(scenario.arms, arm_params, strict=True):
            if params.interventions:
                tasks.append(
                    Task(
                        arm.name,
                        PLACEBO,
                        r,
                        placebo(params),
                        adaptation=arm.adaptation,
                        keep_statuses=False,
                        **common,
                    )
                )
        if not ablation:
            continue
        for mech in MECHANISMS:
            off = {"disabled_mechanisms": [mech]}
            tasks.append(
                Task(
                    BASELINE,
                    mech,
                    r,
                    baseline.model_copy(update=off),
                    detailed=False,
                    **common,
                )
            )
            for arm, params in zip(scenario.arms, arm_params, strict=True):
                tasks.append(
                    Task(
                        arm.name,
                        mech,
                        r,
                        params.model_copy(update=off),
                        adaptation=arm.adaptation,
                        detailed=False,
                        **common,
                    )
                )
    return tasks


def placebo(params: ModelParams) -> ModelParams:
    """The package with every effect removed: the same places and enrolment, no change.

    Its participants are the people who would take part in a world without the package's
    effects; they define participants and non-participants before treatment, so comparing
    them across arms is free of the selection that conditioning on actual participation
    brings (who is still unemployed, and so enrolled, depends on the package itself).
    """
    neutral = {
        "effects": PersonEffects(),
        "employer_effects": EmployerEffects(),
        "peer_group": False,
        "lock_in": 0.0,
        "extra_applications": 0.0,
        "hiring_support": 0.0,
        "in_work_support_months": 0,
        "subsidy_per_month": 0.0,
    }
    specs = [s.model_copy(update=neutral) for s in params.interventions]
    return params.model_copy(update={"interventions": specs})


@dataclass
class Comparison:
    """Results of a comparison, ready to save or report.

    Attributes
    ----------
    meta : dict
        Scenario description, run settings, command, timings and software versions.
    results, over_time, replications, adaptation, event_study : DataFrame
        The tables described in the module docstring.
    """

    meta: dict[str, Any]
    results: pd.DataFrame
    over_time: pd.DataFrame
    replications: pd.DataFrame
    adaptation: pd.DataFrame = field(default_factory=pd.DataFrame)
    event_study: pd.DataFrame = field(default_factory=pd.DataFrame)

    def effects(self, analysis: str = "effect", **where: str) -> pd.DataFrame:
        """Rows of one analysis, filtered by column values (e.g. ``metric="employed"``)."""
        d = self.results[self.results["analysis"] == analysis]
        for column, value in where.items():
            d = d[d[column] == value]
        return d

    def save(self, directory: str | Path) -> list[Path]:
        """Write the tables (Parquet and CSV) and ``comparison.json``, each atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name in TABLES:
            written += write_table(getattr(self, name), directory / name)
        meta = json.dumps(self.meta, indent=2, default=str)
        written.append(write_file(directory / "comparison.json", meta))
        return written

    @classmethod
    def load(cls, directory: str | Path) -> Comparison:
        """Read a comparison written by :meth:`save`."""
        directory = Path(directory)
        meta = json.loads((directory / "comparison.json").read_text())
        tables = {
            name: pd.read_parquet(directory / f"{name}.parquet")
            for name in TABLES
            if name not in OPTIONAL_TABLES or (directory / f"{name}.parquet").exists()
        }
        return cls(meta=meta, **tables)


# ------------------------------------------------------------------ running
def run_comparison(
    scenario: Scenario,
    *,
    workers: int = 1,
    progress: bool = True,
    engine: str = "numba",
    executor=None,
    command: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    on_partial: Callable[[Comparison], None] | None = None,
) -> Comparison:
    """Run a scenario's baseline and package arms and summarise them.

    Parameters
    ----------
    scenario
        A composed scenario (see :func:`scenarios.load_scenario`).
    workers
        Local worker processes (1: in this process).
    progress
        Show a progress bar.
    engine
        Engine of the monthly step: ``"numba"`` or ``"python"``.
    executor
        A ``concurrent.futures.Executor`` to run on instead of local processes.
    command
        The command line, recorded for reproducibility.
    on_progress
        Called as ``on_progress(done, total)`` after each finished run.
    cancel
        Polled between runs and every simulated month; returning true stops the comparison
        with :class:`~experiments.comparison.arms.Cancelled` (nothing is summarised).
    on_partial
        Called as ``on_partial(comparison)``, in the calling thread, whenever one more
        replication has every run it needs (baseline, package arms, placebo and ablation
        runs), once at least :data:`MIN_PARTIAL_REPLICATIONS` have and before the last
        (fewer give intervals too wide to read): ``comparison`` summarises the
        complete replications only (``meta["replications_used"]`` lists them), so results
        can be shown while the comparison runs. The returned comparison is unaffected.
    """
    t0 = time.perf_counter()
    tasks = plan(scenario, engine)
    collect = _partial_collector(scenario, tasks, on_partial) if on_partial else None
    outputs = run_tasks(
        tasks,
        workers=workers,
        progress=progress,
        executor=executor,
        on_progress=on_progress,
        cancel=cancel,
        on_output=collect,
    )
    comparison = summarise(scenario, outputs)
    comparison.meta["timing"] = {
        "runs": len(tasks),
        "seconds": round(time.perf_counter() - t0, 2),
        "seconds_per_run": round(float(np.mean([o.seconds for o in outputs])), 3),
        "workers": workers,
    }
    comparison.meta["command"] = command
    return comparison


def _partial_collector(
    scenario: Scenario, tasks: list[Task], on_partial: Callable[[Comparison], None]
) -> Callable[[int, RunOutput], None]:
    """An ``on_output`` callback that summarises each new set of complete replications."""
    replications = scenario.run.replications
    left: dict[int, int] = {}
    for task in tasks:
        left[task.replication] = left.get(task.replication, 0) + 1
    finished: dict[int, RunOutput] = {}
    complete: list[int] = []

    def collect(index: int, output: RunOutput) -> None:
        finished[index] = output
        left[output.replication] -= 1
        if left[output.replication]:
            return
        complete.append(output.replication)
        # The full set is what run_comparison returns; a few give intervals too wide to read.
        if MIN_PARTIAL_REPLICATIONS <= len(complete) < replications:
            # Task order, as in the final summary, so partial estimates add up the same way.
            outputs = [finished[i] for i in sorted(finished)]
            on_partial(summarise(scenario, outputs, replications=complete))

    return collect


# ------------------------------------------------------------------ summarising
def _row(**values: Any) -> dict[str, Any]:
    row = dict.fromkeys(RESULT_COLUMNS)
    row.update({"context_type": "", "context": "", "ablation": NO_ABLATION, "suppressed": False})
    row.update(values)
    return row


def _metric_matrix(runs: dict[int, RunOutput], reps: list[int]) -> pd.DataFrame:
    """Metric values as a (metric, group) × replication table."""
    cols = {r: runs[r].metrics.set_index(["metric", "group"])["value"] for r in reps if r in runs}
    return pd.DataFrame(cols)


def _effect_rows(
    package: str,
    policy: pd.DataFrame,
    baseline: pd.DataFrame,
    confidence: float,
    ablation: str = NO_ABLATION,
    analysis: str = "effect",
) -> list[dict[str, Any]]:
    rows = []
    diff = policy - baseline
    for (metric, group), d in diff.iterrows():
        base = mean_of_known(baseline.loc[(metric, group)].to_numpy())
        pol = mean_of_known(policy.loc[(metric, group)].to_numpy())
        rows.append(
            _difference_row(
                d,
                base,
                confidence,
                package=package,
                analysis=analysis,
                metric=metric,
                group=group,
                ablation=ablation,
                policy=pol,
                replications=int(d.notna().sum()),
                label=METRIC_BY_NAME[metric].label,
            )
        )
    return rows


def _difference_row(
    d: pd.Series, baseline: float, confidence: float, **values: Any
) -> dict[str, Any]:
    """A row estimating the mean of per-replication differences ``d`` of ``values["metric"]``.

    ``relative`` is the estimate over ``baseline``; a difference of percentages is in
    percentage points (``pp``).
    """
    est, se, lo, hi = mean_ci(d.to_numpy(), confidence)
    unit = METRIC_BY_NAME[values["metric"]].unit
    return _row(
        unit="pp" if unit == "%" else unit,
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        std_error=se,
        baseline=baseline,
        relative=est / baseline if baseline else np.nan,
        **values,
    )


def _participation_rows(
    package: str,
    triples: list[tuple[RunOutput, RunOutput, RunOutput]],
    names: list[str],
    targets: dict[str, str],
    confidence: float,
    min_cell: int,
) -> list[dict[str, Any]]:
    """Participants and everyone else, each against their own counterfactual.

    Participants take part both with the package and in its placebo arm (the same first
    programme); ``participants_one_world`` take part in only one of the two worlds;
    non-participants in neither. The three add up to everyone. A difference for
    non-participants is displacement (negative) or spill-over (positive). Target groups are
    cohorts fixed before treatment (see :mod:`simulator.panel`).
    """
    cells: dict[tuple[str, str, str], list[tuple[float, float, float, int]]] = {}
    for pol, base, shadow in triples:
        pp, bp = pol.persons, base.persons
        n = min(len(pp.window_employed), len(bp.window_employed))
        # Participants: first programme the same in the package arm and the placebo arm (the
        # baseline's world); defined alike in both arms, so free of one-sided selection.
        both, last, neither = participation(pol.panel, shadow.panel, n)
        # Target groups fixed before treatment (month 0, or at entry): the same in every arm.
        groups = base.panel.reference_groups[:n].astype(np.int64)
        active = pp.in_labour_force[:n] | bp.in_labour_force[:n]
        yp = pp.window_employed[:n].astype(np.float64)
        yb = bp.window_employed[:n].astype(np.float64)
        subsets = {
            "participants": both,
            "participants_one_world": ~both & ~neither,
            "non_participants": neither,
        }
        for k, name in enumerate(names):
            if targets[name] != "employers":
                subsets[f"participants:{name}"] = last == k
        for gname, mask in COHORT_GROUPS:
            in_group = active if mask == 0 else active & ((groups & mask) != 0)
            for sname, sel in subsets.items():
                s = in_group & sel
                cells.setdefault((gname, sname, "x"), []).append(
                    (float(yp[s].sum()), float(yb[s].sum()), float(s.sum()), 1)
                )
    rows = []
    for (gname, sname, _), values in cells.items():
        arr = np.array(values)
        extra = arr[:, 0] - arr[:, 1]
        count = arr[:, 2]
        mean_n = float(count.mean())
        suppressed = mean_n < min_cell
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_p = np.where(count > 0, arr[:, 0] / count, np.nan)
            rate_b = np.where(count > 0, arr[:, 1] / count, np.nan)
        intervention = sname.split(":", 1)[1] if ":" in sname else ""
        context = "participants" if intervention else sname
        analysis = "evidence" if intervention else "participation"
        common = {
            "package": package,
            "analysis": analysis,
            "group": gname,
            "context_type": "intervention" if intervention else "participation",
            "context": intervention or context,
            "n": mean_n,
            "replications": len(values),
            "suppressed": suppressed,
        }
        est, se, lo, hi = mean_ci(extra, confidence)
        rows.append(
            _row(
                **common,
                metric="extra_employed",
                unit="persons",
                estimate=est,
                ci_low=lo,
                ci_high=hi,
                std_error=se,
                baseline=float(arr[:, 1].mean()),
                policy=float(arr[:, 0].mean()),
                label="Extra people in work (mean over the evaluation window)",
            )
        )
        est, se, lo, hi = mean_ci(100 * (rate_p - rate_b), confidence)
        rows.append(
            _row(
                **common,
                metric="employment_share",
                unit="pp",
                estimate=est,
                ci_low=lo,
                ci_high=hi,
                std_error=se,
                baseline=mean_of_known(100 * rate_b),
                policy=mean_of_known(100 * rate_p),
                label="Share in work (evaluation window), policy minus own counterfactual",
            )
        )
        rr, lo, hi = ratio_ci(arr[:, 0], arr[:, 1], confidence)
        rows.append(
            _row(
                **common,
                metric="relative_risk_in_work",
                unit="ratio",
                estimate=rr,
                ci_low=lo,
                ci_high=hi,
                baseline=1.0,
                policy=rr,
                label="Relative risk of being in work, policy against own counterfactual",
            )
        )
    for row in rows:
        if row["suppressed"]:
            for col in ("estimate", "ci_low", "ci_high", "std_error", "baseline", "policy"):
                row[col] = np.nan
    return rows


def _profile_rows(profile: pd.DataFrame) -> list[dict[str, Any]]:
    """Result rows (analysis ``participant_profile``) of the event study's bins."""
    labels = {name: text for name, _, _, text in PROFILE_BINS}
    rows = []
    for r in profile.itertuples(index=False):
        rows.append(
            _row(
                package=r.package,
                analysis="participant_profile",
                metric=f"employment_share_{r.bin}",
                group="all",
                context_type="programme",
                context=r.programme,
                unit="pp",
                estimate=r.estimate,
                ci_low=r.ci_low,
                ci_high=r.ci_high,
                std_error=r.std_error,
                baseline=r.baseline,
                policy=r.policy,
                n=r.persons,
                replications=r.replications,
                suppressed=r.suppressed,
                label=f"Participants' share in work {labels[r.bin]}, against their own "
                "counterfactual",
            )
        )
    return rows


def _context_rows(
    package: str,
    pairs: list[tuple[RunOutput, RunOutput]],
    confidence: float,
    min_cell: int,
) -> list[dict[str, Any]]:
    keys = ["group", "context_type", "context"]
    frames = []
    for r, (pol, base) in enumerate(pairs):
        merged = pol.contexts.merge(base.contexts, on=keys, how="outer", suffixes=("_p", "_b"))
        merged = merged.fillna({"employed_p": 0.0, "employed_b": 0.0})
        merged["replication"] = r
        frames.append(merged)
    if not frames:
        return []
    d = pd.concat(frames, ignore_index=True)
    # Cells missing in a replication had nobody in them.
    full = d.set_index([*keys, "replication"])[["employed_p", "employed_b"]].unstack(
        "replication", fill_value=0.0
    )
    rows = []
    for (group, ctype, context), values in full.iterrows():
        p = values["employed_p"].to_numpy()
        b = values["employed_b"].to_numpy()
        est, se, lo, hi = mean_ci(p - b, confidence)
        suppressed = max(p.mean(), b.mean()) < min_cell
        rows.append(
            _row(
                package=package,
                analysis="context",
                metric="employed",
                group=group,
                context_type=ctype,
                context=context,
                unit="persons",
                estimate=np.nan if suppressed else est,
                ci_low=np.nan if suppressed else lo,
                ci_high=np.nan if suppressed else hi,
                std_error=np.nan if suppressed else se,
                baseline=np.nan if suppressed else float(b.mean()),
                policy=np.nan if suppressed else float(p.mean()),
                relative=np.nan if suppressed or b.mean() == 0 else est / b.mean(),
                n=float(b.mean()),
                replications=len(p),
                suppressed=bool(suppressed),
                label="People in work at employers of this kind (evaluation window)",
            )
        )
    return rows


def _cost_rows(
    package: str,
    policy: pd.DataFrame,
    baseline: pd.DataFrame,
    pairs: list[tuple[RunOutput, RunOutput]],
    confidence: float,
) -> list[dict[str, Any]]:
    cost = policy.loc[("cost", "all")].to_numpy()
    rows = []
    est, se, lo, hi = mean_ci(cost, confidence)
    rows.append(
        _row(
            package=package,
            analysis="cost",
            metric="cost_total",
            group="all",
            unit="EUR",
            estimate=est,
            ci_low=lo,
            ci_high=hi,
            std_error=se,
            policy=est,
            replications=len(cost),
            label="Total cost of the package over the run",
        )
    )
    for group in ("all", "any_target_group"):
        for metric, label, unit in (
            ("employed", "Cost per extra person employed", "EUR/person"),
            ("employment_years", "Cost per extra year worked", "EUR/person-year"),
        ):
            extra = (policy.loc[(metric, group)] - baseline.loc[(metric, group)]).to_numpy()
            # Fieller: bounded exactly when the effect's t-interval excludes zero.
            ratio, lo, hi = fieller_ci(cost, extra, confidence)
            _, _, elo, ehi = mean_ci(extra, confidence)
            undetermined = not (elo > 0 or ehi < 0) if np.isfinite(elo) else True
            rows.append(
                _row(
                    package=package,
                    analysis="cost",
                    metric="cost_per_extra_"
                    + ("person_employed" if metric == "employed" else "employment_year"),
                    group=group,
                    unit=unit,
                    estimate=ratio,
                    ci_low=lo,
                    ci_high=hi,
                    policy=float(np.mean(extra)),
                    replications=len(extra),
                    suppressed=False,
                    label=label
                    + (" (effect not distinguishable from zero)" if undetermined else ""),
                )
            )
    starts: dict[str, list[float]] = {}
    spent: dict[str, list[float]] = {}
    for pol, _ in pairs:
        for rec in pol.interventions.itertuples():
            starts.setdefault(rec.intervention, []).append(rec.starts)
            spent.setdefault(rec.intervention, []).append(rec.cost)
    for name in starts:
        for metric, values, unit, label in (
            ("starts", starts[name], "participants", "Participants (starts) over the run"),
            ("cost", spent[name], "EUR", "Cost over the run"),
        ):
            est, se, lo, hi = mean_ci(np.asarray(values), confidence)
            rows.append(
                _row(
                    package=package,
                    analysis="intervention",
                    metric=metric,
                    group="all",
                    context_type="intervention",
                    context=name,
                    unit=unit,
                    estimate=est,
                    ci_low=lo,
                    ci_high=hi,
                    std_error=se,
                    replications=len(values),
                    label=label,
                )
            )
    return rows


def _ablation_rows(
    package: str,
    grouped: dict[tuple[str, str], dict[int, RunOutput]],
    reps: list[int],
    full: pd.DataFrame,
    groups: list[str],
    confidence: float,
) -> list[dict[str, Any]]:
    rows = []
    keep = [(m, g) for m in ABLATION_METRICS for g in groups]
    for mech in MECHANISMS:
        if (package, mech) not in grouped or (BASELINE, mech) not in grouped:
            continue
        pol = _metric_matrix(grouped[(package, mech)], reps).loc[keep]
        base = _metric_matrix(grouped[(BASELINE, mech)], reps).loc[keep]
        rows += _effect_rows(package, pol, base, confidence, ablation=mech, analysis="ablation")
        lost = full.loc[keep] - (pol - base)
        for (metric, group), d in lost.iterrows():
            row = _difference_row(
                d,
                float(full.loc[(metric, group)].mean()),
                confidence,
                package=package,
                analysis="ablation_lost",
                metric=metric,
                group=group,
                ablation=mech,
                replications=len(d),
                label=f"Part of the effect lost without {mech.replace('_', ' ')}",
            )
            # A share of an effect that cannot be told from zero means nothing.
            _, _, flo, fhi = mean_ci(full.loc[(metric, group)].to_numpy(), confidence)
            if not (flo > 0 or fhi < 0):
                row["relative"] = np.nan
            rows.append(row)
    return rows


def _contrast_rows(
    matrices: dict[str, pd.DataFrame],
    baseline: pd.DataFrame,
    groups: list[str],
    interactions: list[tuple[str, tuple[str, ...]]],
    confidence: float,
) -> list[dict[str, Any]]:
    """Package arms against each other, and interaction terms, on the headline metrics.

    Every arm shares its random numbers with every other, so the difference of two arms is
    estimated from per-replication differences (a paired comparison, far tighter than
    comparing two separate intervals). A ``contrast`` row is arm ``package`` minus arm
    ``context`` (both orders are listed); an ``interaction`` row is the effect of the combined
    arm ``package`` minus the sum of the effects of the arms in ``context`` (joined by
    " + "), each effect against the baseline in the same replication.
    """
    keep = [(m, g) for m in CONTRAST_METRICS for g in groups if (m, g) in baseline.index]
    rows = []
    names = list(matrices)
    for a in names:
        for b in names:
            if a == b:
                continue
            pol, other = matrices[a].loc[keep], matrices[b].loc[keep]
            rows += _paired_rows(
                pol - other,
                other,
                pol,
                confidence,
                lambda metric, a=a, b=b: f"{METRIC_BY_NAME[metric].label}: {a} minus {b}",
                package=a,
                analysis="contrast",
                context_type="versus",
                context=b,
            )
    base = baseline.loc[keep]
    for combined, parts in interactions:
        if combined not in matrices or any(p not in matrices for p in parts):
            continue
        whole = matrices[combined].loc[keep] - base
        summed = sum(matrices[p].loc[keep] - base for p in parts)
        rows += _paired_rows(
            whole - summed,
            summed,
            whole,
            confidence,
            lambda metric, combined=combined, parts=parts: (
                f"{METRIC_BY_NAME[metric].label}: effect of {combined} minus the effects of "
                f"{' and '.join(parts)} (positive: more than the parts together)"
            ),
            package=combined,
            analysis="interaction",
            context_type="parts",
            context=" + ".join(parts),
        )
    return rows


def _paired_rows(
    differences: pd.DataFrame,
    reference: pd.DataFrame,
    policy: pd.DataFrame,
    confidence: float,
    label: Any,
    **fields: Any,
) -> list[dict[str, Any]]:
    """One result row per (metric, group) of per-replication ``differences``.

    ``reference`` and ``policy`` (same index, replications as columns) give the row's
    reference and policy levels; ``label(metric)`` its label; ``fields`` the rest.
    """
    rows = []
    for (metric, group), d in differences.iterrows():
        rows.append(
            _difference_row(
                d,
                mean_of_known(reference.loc[(metric, group)].to_numpy()),
                confidence,
                metric=metric,
                group=group,
                policy=mean_of_known(policy.loc[(metric, group)].to_numpy()),
                replications=int(d.notna().sum()),
                label=label(metric),
                **fields,
            )
        )
    return rows


def _over_time(
    package: str, base_runs: dict[int, RunOutput], runs: dict[int, RunOutput], confidence: float
) -> pd.DataFrame:
    frames = []
    for r, out in runs.items():
        if r not in base_runs:
            continue
        p = out.series.set_index(["indicator", "group", "month"])["value"]
        b = base_runs[r].series.set_index(["indicator", "group", "month"])["value"]
        frames.append(pd.DataFrame({"policy": p, "baseline": b, "replication": r}))
    d = pd.concat(frames).reset_index()
    d["diff"] = d["policy"] - d["baseline"]
    rows = []
    for (indicator, group, month), g in d.groupby(["indicator", "group", "month"], sort=True):
        est, _, lo, hi = mean_ci(g["diff"].to_numpy(), confidence)
        rows.append(
            (
                package,
                indicator,
                group,
                month,
                est,
                lo,
                hi,
                g["baseline"].mean(),
                g["policy"].mean(),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "package",
            "indicator",
            "group",
            "month",
            "estimate",
            "ci_low",
            "ci_high",
            "baseline",
            "policy",
        ],
    )


def summarise(
    scenario: Scenario, outputs: list[RunOutput], replications: Iterable[int] | None = None
) -> Comparison:
    """Turn the runs of a comparison into estimates (see the module docstring).

    Parameters
    ----------
    scenario
        The scenario that was run.
    outputs
        The runs, in task order.
    replications
        The replications to summarise (default: all of the scenario's); each must have
        every run it needs in ``outputs``, and runs of other replications are ignored. A
        subset is recorded as ``meta["replications_used"]``.
    """
    run = scenario.run
    conf = run.confidence
    reps = list(range(run.replications))
    if replications is not None:
        keep = set(replications)
        reps = sorted(keep)
        outputs = [o for o in outputs if o.replication in keep]
    grouped = group_outputs(outputs)
    base_runs = grouped[(BASELINE, NO_ABLATION)]
    base_m = _metric_matrix(base_runs, reps)
    targets = list(dict.fromkeys(["all", *scenario.lab.file.lab.target_groups, "any_target_group"]))
    catalogue = load_catalogue()
    rows: list[dict[str, Any]] = []
    over_time = []
    replications = [
        base_m.stack()
        .rename("value")
        .reset_index()
        .assign(arm=BASELINE)
        .rename(columns={"level_2": "replication"})
    ]
    adaptation = []
    event_tables: list[pd.DataFrame] = []
    matrices: dict[str, pd.DataFrame] = {}
    for arm in scenario.arms:
        runs = grouped[(arm.name, NO_ABLATION)]
        pol_m = _metric_matrix(runs, reps)
        matrices[arm.name] = pol_m
        rows += _effect_rows(arm.name, pol_m, base_m, conf)
        pairs = [(runs[r], base_runs[r]) for r in reps if r in runs and r in base_runs]
        shadow = grouped.get((arm.name, PLACEBO), {})
        specs = list(arm.params.interventions)
        names = [s.name for s in specs]
        tmap = {s.name: s.target for s in specs}
        if shadow:
            triples = [(runs[r], base_runs[r], shadow[r]) for r in reps if r in shadow]
            rows += _participation_rows(arm.name, triples, names, tmap, conf, run.min_cell)
            events, profile = event_study(
                arm.name,
                [(p.panel, b.panel, s.panel) for p, b, s in triples],
                names,
                conf,
                run.min_cell,
            )
            event_tables.append(events)
            rows += _profile_rows(profile)
        for row in rows:
            if row["analysis"] == "evidence" and row["package"] == arm.name:
                spec = next(s for s in specs if s.name == row["context"])
                bench = catalogue[spec.kind].benchmark
                if bench is not None:
                    row["label"] += (
                        f" — published {bench.measure.replace('_', ' ')} "
                        f"{bench.low:g}–{bench.high:g} ({bench.source})"
                    )
        rows += _context_rows(arm.name, pairs, conf, run.min_cell)
        if specs:
            rows += _cost_rows(arm.name, pol_m, base_m, pairs, conf)
        full = pol_m - base_m
        rows += _ablation_rows(arm.name, grouped, reps, full, targets, conf)
        rows += labour_force_rows(arm.name, pol_m, base_m, targets, conf, _row)
        over_time.append(_over_time(arm.name, base_runs, runs, conf))
        replications.append(
            pol_m.stack()
            .rename("value")
            .reset_index()
            .assign(arm=arm.name)
            .rename(columns={"level_2": "replication"})
        )
        for r, out in runs.items():
            for rec in out.adaptation:
                adaptation.append({"package": arm.name, "replication": r, **rec})
    if len(matrices) > 1:
        rows += _contrast_rows(matrices, base_m, targets, scenario.interaction_terms(), conf)
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    meta = {
        "scenario": scenario.describe(),
        "target_groups": targets,
        "series_indicators": list(SERIES_INDICATORS),
        "metrics": {
            name: {"label": m.label, "unit": m.unit, "how": m.how}
            for name, m in METRIC_BY_NAME.items()
        },
        "versions": _versions(),
    }
    if reps != list(range(run.replications)):
        meta["replications_used"] = reps
    adaptation_table = pd.DataFrame(
        adaptation,
        columns=[
            "package",
            "replication",
            "month",
            "intervention",
            "old_capacity",
            "new_capacity",
            "uptake",
            "participants_in_work",
            "reason",
        ],
    )
    return Comparison(
        meta=meta,
        results=results,
        over_time=pd.concat(over_time, ignore_index=True) if over_time else pd.DataFrame(),
        replications=pd.concat(replications, ignore_index=True),
        adaptation=adaptation_table,
        event_study=(
            pd.concat(event_tables, ignore_index=True)
            if event_tables
            else pd.DataFrame(columns=EVENT_COLUMNS)
        ),
    )


def _versions() -> dict[str, str]:
    # Imported here: numba is slow to load: only the version record needs it here.
    import numba
    import pydantic

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "numba": numba.__version__,
        "pydantic": pydantic.__version__,
        "synclusive": simulator_version,
    }
