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

#: Public statistics: the simulator indicator behind each, and whether it is a quarterly
#: transition probability built from a monthly rate as 1 - (1 - r)^3.
PUBLIC_STATISTICS: dict[str, tuple[str, bool]] = {
    "unemployment_rate": ("unemployment_rate", False),
    "long_term_share": ("long_term_share", False),
    "vacancy_rate": ("vacancy_rate", False),
    "employment_rate": ("employment_rate", False),
    "quarterly_job_finding_rate": ("job_finding_rate", True),
    "quarterly_job_loss_rate": ("job_loss_rate", True),
}
