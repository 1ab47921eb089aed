"""Outcome metrics of a comparison, computed from one run's monthly indicator table.

A metric is either the mean of a stock or rate over the evaluation window at the end of the
run, or the total of a flow over the whole run. Effects are differences of a metric between
a policy arm and its baseline (same seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.indicators import IndicatorArrays
from simulator.survey import STATISTICS
from simulator.tallies import GROUP_NAMES


@dataclass(frozen=True)
class Metric:
    """One outcome measure.

    Attributes
    ----------
    name : str
        Identifier used in the results table.
    indicator : str
        Indicator of the model's monthly table it is computed from.
    how : {"window", "total", "cohort"}
        Mean over the evaluation window, or total over the run; ``"cohort"``: a measure of a
        group fixed before treatment, from the run's person panel (window mean).
    unit : str
        Unit of the metric (and of its effect).
    label : str
        Plain-language label for reports.
    scale : float
        Multiplier applied to the indicator (100 turns shares into percent).
    overall_only : bool
        Whether the indicator exists for everyone only (not by group).
    """

    name: str
    indicator: str
    how: str
    unit: str
    label: str
    scale: float = 1.0
    overall_only: bool = False


METRICS: tuple[Metric, ...] = (
    Metric(
        "employment_rate",
        "employment_rate",
        "window",
        "%",
        "Employed share of the labour force",
        100.0,
    ),
    Metric(
        "employment_to_population",
        "employment_to_population",
        "window",
        "%",
        "Employment rate (employed / working-age population)",
        100.0,
    ),
    Metric(
        "activity_rate",
        "activity_rate",
        "window",
        "%",
        "Activity rate (labour force / working-age population)",
        100.0,
    ),
    Metric("employed", "employed", "window", "persons", "People in work"),
    Metric("unemployed", "unemployed", "window", "persons", "People unemployed"),
    Metric("inactive", "inactive", "window", "persons", "People out of the labour force"),
    Metric("population", "population", "window", "persons", "Working-age population"),
    Metric(
        "long_term_unemployed",
        "long_term_unemployed",
        "window",
        "persons",
        "Long-term unemployed (12+ months)",
    ),
    Metric("employment_years", "employed", "total", "person-years", "Years worked", 1 / 12),
    Metric("inflow", "hires_from_unemployment", "total", "hires", "Hires from unemployment"),
    Metric("engine_hires", "engine_hires", "total", "hires", "Hires into jobs freed by mobility"),
    Metric("mobility", "promotions", "total", "promotions", "Promotions (mobility)"),
    Metric("job_to_job_moves", "job_to_job_moves", "total", "moves", "Job-to-job moves"),
    Metric("trained", "trained", "total", "person-months", "Months of training at work"),
    Metric(
        "retention_12m", "retention_12m", "window", "%", "Still in work 12 months after hire", 100.0
    ),
    Metric(
        "unemployment_duration",
        "mean_unemployment_duration",
        "window",
        "months",
        "Mean unemployment duration so far",
    ),
    Metric("self_efficacy", "mean_self_efficacy", "window", "score", "Self-efficacy (0-1)"),
    Metric("trust", "mean_trust", "window", "score", "Trust in services (0-1)"),
    Metric(
        "experiences_of_success",
        "mean_experiences_of_success",
        "window",
        "count",
        "Experiences of success",
    ),
    Metric("skill", "mean_skill", "window", "score", "Skill (0-1)"),
    Metric(
        "coalition_integration",
        "coalition_integration",
        "window",
        "score",
        "Coalition integration (0-1)",
        overall_only=True,
    ),
    Metric("vacancy_rate", "vacancy_rate", "window", "%", "Vacancy rate", 100.0, True),
    # The survey statistics a lab's published figures are compared with (everyone only).
    *(
        Metric(s.name, s.name, "window", "%", s.label, 100.0, True)
        for s in STATISTICS.values()
        if s.name not in ("employment_to_population", "activity_rate", "vacancy_rate")
    ),
    Metric("cost", "cost", "total", "EUR", "Cost of the package", overall_only=True),
)
#: Measures of target groups fixed before treatment (cohorts: people in the group at month 0,
#: entrants in the group at entry), from each run's person panel
#: (:mod:`experiments.comparison.cohorts`), beside the stock measures above.
COHORT_METRICS: tuple[Metric, ...] = (
    Metric(
        "cohort_employed", "", "cohort", "persons", "People in work (cohort fixed at the start)"
    ),
    Metric(
        "cohort_unemployed",
        "",
        "cohort",
        "persons",
        "People unemployed (cohort fixed at the start)",
    ),
    Metric(
        "cohort_inactive",
        "",
        "cohort",
        "persons",
        "People out of the labour force (cohort fixed at the start)",
    ),
    Metric(
        "cohort_population",
        "",
        "cohort",
        "persons",
        "People still of working age (cohort fixed at the start)",
    ),
    Metric(
        "cohort_employment_to_population",
        "",
        "cohort",
        "%",
        "Employment rate, employed / population (cohort fixed at the start)",
    ),
    Metric(
        "cohort_activity_rate",
        "",
        "cohort",
        "%",
        "Activity rate (cohort fixed at the start)",
    ),
    Metric(
        "cohort_inactivity_rate",
        "",
        "cohort",
        "%",
        "Inactive share of the population (cohort fixed at the start)",
    ),
    Metric(
        "cohort_unemployment_rate",
        "",
        "cohort",
        "%",
        "Unemployment rate, unemployed / labour force (cohort fixed at the start)",
    ),
)
METRIC_BY_NAME = {m.name: m for m in (*METRICS, *COHORT_METRICS)}
#: Metrics whose effect ablation reports (a subset keeps ablation tables readable).
ABLATION_METRICS = ("employment_rate", "employed", "inflow", "mobility", "self_efficacy")
#: Headline metrics on which package arms are compared with each other (contrasts).
CONTRAST_METRICS = (
    "employed",
    "employment_rate",
    "employment_years",
    "inflow",
    "mobility",
    "cost",
    "cohort_employed",
    "cohort_employment_to_population",
)
#: Indicators kept month by month for the figures (effects over time).
SERIES_INDICATORS = (
    "employment_rate",
    "employed",
    "hires_from_unemployment",
    "promotions",
    "mean_self_efficacy",
    "mean_trust",
    "mean_experiences_of_success",
    "participants",
    # Vacancy chains (everyone only): how far each vacancy travels and who fills it.
    "engine_hires",
    "job_to_job_moves",
    "chains_ended",
    "chain_length",
    "share_filled_from_employment",
)
#: Target groups of the simulator's indicators ("all": everyone).
GROUPS: tuple[str, ...] = GROUP_NAMES


def metric_values(indicators: pd.DataFrame | IndicatorArrays, window: int) -> pd.DataFrame:
    """Every metric for every group of one run.

    Parameters
    ----------
    indicators
        The run's indicators: its tidy table (``month, indicator, group, value``) or, faster,
        its arrays (:meth:`simulator.model.LabourMarketModel.indicator_arrays`).
    window
        Months at the end of the run averaged by window metrics.

    Returns
    -------
    DataFrame
        Columns ``metric, group, value``. Months where an indicator is undefined (NaN, e.g. a
        rate of an empty group) are skipped; a metric with no defined month is NaN.
    """
    arrays = (
        indicators
        if isinstance(indicators, IndicatorArrays)
        else IndicatorArrays.from_table(indicators)
    )
    months = arrays.months
    in_window = months > (months.max() if len(months) else 0) - window
    names, groups, values = [], [], []
    for m in METRICS:
        for g in ("all",) if m.overall_only else GROUPS:
            series = arrays.series(m.indicator, g)
            names.append(m.name)
            groups.append(g)
            values.append(_summary(series, in_window, m.how) * m.scale)
    return pd.DataFrame({"metric": names, "group": groups, "value": values})


def _summary(series: np.ndarray | None, in_window: np.ndarray, how: str) -> float:
    """Mean over the window, or total, of the defined months of one indicator series."""
    if series is None:
        return float("nan")
    if how == "window":
        series = series[in_window]
    defined = series[~np.isnan(series)]
    if how == "window":
        return float(defined.mean()) if defined.size else float("nan")
    return float(defined.sum())
