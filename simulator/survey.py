"""The statistics a living lab's published figures are compared with, defined as published.

Each entry names a monthly indicator of the model (group "all") that is computed by the
definition of the labour-force-survey or job-vacancy statistic of the same name, says what that
definition is, and gives the default tolerance of a comparison (relative to the published
value). Validation (:mod:`experiments.comparison.validation`) and the lab files'
``[[published]]`` figures use these names, and nothing else, so a figure is always compared
with its own definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the indicators load the compiled kernels: data checks need none
    from simulator.indicators import IndicatorArrays


@dataclass(frozen=True)
class SurveyStatistic:
    """A published statistic the model computes by the same definition.

    Attributes
    ----------
    name
        The statistic and the model indicator of the same name.
    label
        Plain name for tables and figures.
    definition
        The definition, as the statistical office states it and the model computes it.
    tolerance
        Default largest relative gap |model / published - 1| a lab may show.
    """

    name: str
    label: str
    definition: str
    tolerance: float


_TRANSITION = (
    "share of the people in status {a} at a month end who are in status {b} three months "
    "later, the same person's status three months apart (EU-LFS longitudinal flows, Eurostat "
    "lfsi_long_q); people who entered or retired in between are left out"
)
_STATUS = {"e": "employment", "u": "unemployment", "i": "inactivity"}
_LETTER = {"e": "E", "u": "U", "i": "I"}

STATISTICS: dict[str, SurveyStatistic] = {
    s.name: s
    for s in (
        SurveyStatistic(
            "unemployment_rate",
            "Unemployment rate",
            "unemployed / labour force (employed + unemployed), ILO definition (Eurostat une_rt)",
            0.15,
        ),
        SurveyStatistic(
            "long_term_unemployment_rate",
            "Long-term unemployment rate",
            "unemployed for 12 months or more / labour force (Eurostat une_ltu)",
            0.2,
        ),
        SurveyStatistic(
            "long_term_share",
            "Long-term share of the unemployed",
            "unemployed for 12 months or more / unemployed (Eurostat une_ltu, lfsq_upgal)",
            0.15,
        ),
        SurveyStatistic(
            "employment_to_population",
            "Employment rate",
            "employed / working-age population (the model's population is aged 18 to the "
            "retirement age; published rates are for 20-64)",
            0.05,
        ),
        SurveyStatistic(
            "activity_rate",
            "Activity rate",
            "labour force / working-age population (Eurostat lfsi_emp)",
            0.05,
        ),
        SurveyStatistic(
            "vacancy_rate",
            "Job vacancy rate",
            "vacancies / (vacancies + occupied posts), Eurostat jvs",
            0.5,
        ),
        *(
            SurveyStatistic(
                f"quarterly_{a}_to_{b}",
                f"Quarterly {_LETTER[a]}→{_LETTER[b]}",
                _TRANSITION.format(a=_STATUS[a], b=_STATUS[b]),
                0.3,
            )
            for a in "eui"
            for b in "eui"
            if a != b
        ),
    )
}


def window_mean(
    arrays: IndicatorArrays,
    statistic: str,
    first_month: int,
    last_month: int | None = None,
    group: str = "all",
) -> float:
    """Mean of a statistic's monthly values over months ``first_month`` to ``last_month``
    (default: to the end of the run) for ``group``; months where it is undefined are left
    out; NaN if it is undefined throughout.

    This is the one computation of a published statistic from a run: validation, grounding
    and the calibration's public-statistic moments all go through it.
    """
    if statistic not in STATISTICS:
        raise KeyError(f"unknown statistic {statistic!r}; known: {', '.join(STATISTICS)}")
    series = arrays.series(statistic, group)
    if series is None:
        raise KeyError(f"the run recorded no indicator {statistic!r} for group {group!r}")
    inside = arrays.months >= first_month
    if last_month is not None:
        inside &= arrays.months <= last_month
    values = series[inside]
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else float("nan")
