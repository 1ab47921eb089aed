"""What living-lab data may contain: indicators, target groups, panel outcomes, statistics.

The names follow the simulator's indicators, so a data row and a simulated series match by
name. Each aggregate indicator has a *kind*, which fixes both its allowed values and how it is
turned into a scale-free moment:

``rate``
    a share or mean score in [0, 1]; used as it is.
``stock``
    a count at a point in time (persons, vacancies) >= 0; divided by the labour force and
    multiplied by 1,000.
``flow``
    a count over the period >= 0; divided by the period length in months and by the labour
    force, multiplied by 1,000 (per 1,000 labour-force members per month).
"""

from __future__ import annotations

from typing import Literal

from simulator.survey import STATISTICS
from simulator.tallies import GROUP_NAMES

Kind = Literal["rate", "stock", "flow"]

#: Target groups of the simulator's indicators ("all": everyone).
GROUPS: tuple[str, ...] = GROUP_NAMES

#: Unemployment-spell bands (months, lower inclusive, upper exclusive) of the duration shares.
DURATION_BANDS: dict[str, tuple[int, int]] = {
    "duration_share_lt3": (0, 3),
    "duration_share_3_6": (3, 6),
    "duration_share_6_12": (6, 12),
    "duration_share_12_24": (12, 24),
    "duration_share_24plus": (24, 10**9),
}

#: Aggregate indicators: kind, and whether the simulator reports them by target group.
AGGREGATE_INDICATORS: dict[str, tuple[Kind, bool]] = {
    "unemployment_rate": ("rate", True),
    "employment_rate": ("rate", True),
    "long_term_share": ("rate", True),
    "job_finding_rate": ("rate", True),
    "job_loss_rate": ("rate", True),
    "retention_6m": ("rate", True),
    "retention_12m": ("rate", True),
    "mean_self_efficacy": ("rate", True),
    "vacancy_rate": ("rate", False),
    # the survey statistics of simulator.survey (quarterly transitions person by person)
    **{name: ("rate", True) for name in STATISTICS if name != "vacancy_rate"},
    "share_filled_from_employment": ("rate", False),
    **{name: ("rate", False) for name in DURATION_BANDS},
    "labour_force": ("stock", True),
    "employed": ("stock", True),
    "unemployed": ("stock", True),
    "long_term_unemployed": ("stock", True),
    "participants": ("stock", True),
    "vacancies": ("stock", False),
    "hires_from_unemployment": ("flow", True),
    "separations": ("flow", True),
    "promotions": ("flow", True),
    "job_to_job_moves": ("flow", True),
    "entrants": ("flow", True),
    "exits_to_inactivity": ("flow", True),
    "intervention_starts": ("flow", True),
}

#: Groups of the participant panel: a participant in several groups is counted in the first
#: that applies, in this order; "other" when none does.
PANEL_GROUPS: tuple[str, ...] = (
    "long_term_unemployed",
    "partial_ability",
    "women_55plus",
    "migrant",
    "young",
    "other",
)

#: Follow-up points of the panel (months after the start of the intervention).
EMPLOYMENT_HORIZONS: tuple[int, ...] = (3, 6, 12)
EFFICACY_HORIZON = 6

#: Panel outcomes: column name -> months after start when it is observed.
PANEL_OUTCOMES: dict[str, int] = {
    **{f"employed_{h}m": h for h in EMPLOYMENT_HORIZONS},
    f"self_efficacy_change_{EFFICACY_HORIZON}m": EFFICACY_HORIZON,
}

#: Statistics published for a whole area only (no target-group breakdown in the model).
WHOLE_AREA_ONLY = frozenset(name for name, (_, by) in AGGREGATE_INDICATORS.items() if not by)

#: Definitions a figure can follow (the optional ``definition`` column of the aggregate and
#: public formats). The model computes each indicator by exactly one of them.
DEFINITIONS: dict[str, str] = {
    "survey": "a labour-force or job-vacancy survey statistic as simulator/survey.py computes "
    "it: ILO statuses, quarterly transitions as the same person's status three months apart",
    "monthly_hazard": "a monthly flow over the people at risk in the month (hires from "
    "unemployment / unemployed at risk; separations / employed)",
    "monitoring": "the lab's own monitoring: counts, programme records, scores and shares "
    "other than survey statistics",
    "register": "registered jobseekers of the employment office (the model has no register: "
    "its unemployed are the ILO unemployed)",
}


def definition(indicator: str) -> str:
    """The definition by which the model computes an aggregate indicator or public statistic."""
    if indicator in STATISTICS:
        return "survey"
    if indicator in ("job_finding_rate", "job_loss_rate"):
        return "monthly_hazard"
    return "monitoring"


def with_definition(name: str) -> list[str]:
    """Indicators the model computes by a definition (for a refusal's hint)."""
    return [i for i in AGGREGATE_INDICATORS if definition(i) == name]


#: Public statistics: the published statistics of :mod:`simulator.survey`, computed from a
#: run by the same function as validation's (:func:`simulator.survey.window_mean`).
PUBLIC_STATISTICS: tuple[str, ...] = tuple(STATISTICS)

#: Public statistic names no longer accepted, and what to give instead: they were computed
#: from monthly hazards or the labour force, not as the surveys publish them.
RETIRED_PUBLIC: dict[str, str] = {
    "quarterly_job_finding_rate": "it was a compounded monthly hazard 1 - (1 - r)^3, not what "
    "surveys publish; give the quarterly transition quarterly_u_to_e (the share of the "
    "unemployed employed three months later, the same persons)",
    "quarterly_job_loss_rate": "it was a compounded monthly hazard; give quarterly_e_to_u "
    "(the share of the employed unemployed three months later, the same persons)",
    "employment_rate": "the survey's employment rate is employed / working-age population; "
    "give employment_to_population (the model's employment_rate is employed / labour force)",
}
