"""Plain names for the raw keys of results tables: one mapping, used by every report and page.

Target groups, metrics, indicators of the monthly series, mechanisms, contexts and analyses
all go through :func:`plain`, so a reader never meets ``long_term_unemployed`` or
``employment_rate`` in a table or on an axis, and a rate is named by its definition.
"""

from __future__ import annotations

from experiments.comparison.metrics import METRIC_BY_NAME
from simulator.plots import GROUP_LABELS

#: Names of keys that are not metrics or groups (monthly indicators, mechanisms, contexts).
OTHER_NAMES: dict[str, str] = {
    # Monthly indicators of the over-time series.
    "hires_from_unemployment": "Hires from unemployment",
    "promotions": "Promotions (mobility)",
    "mean_self_efficacy": "Self-efficacy (0-1)",
    "mean_trust": "Trust in services (0-1)",
    "mean_experiences_of_success": "Experiences of success",
    "participants": "Participants",
    "chains_ended": "Vacancy chains ended",
    "chain_length": "Vacancy-chain length",
    "share_filled_from_employment": "Share of vacancies filled from employment",
    "peer_learning": "Peer learning",
    # Who gains (participation analysis) and the cost analysis.
    "non_participants": "Everyone else (non-participants)",
    "extra_employed": "Extra people in work",
    "employment_share": "Share in work (percentage points)",
    "relative_risk_in_work": "Relative risk of being in work",
    "cost_total": "Total cost of the package",
    "cost_per_extra_person_employed": "Cost per extra person in work",
    "cost_per_extra_employment_year": "Cost per extra year worked",
    "starts": "Participants (starts)",
    "employer_size": "Employer size",
}


#: Mechanisms (ablation, sensitivity): named as mechanisms, not as the metric of the same key.
MECHANISM_NAMES: dict[str, str] = {
    "self_efficacy": "Self-efficacy",
    "trust": "Trust",
    "experiences_of_success": "Experiences of success",
    "peer_learning": "Peer learning",
}


def mechanism(key: object) -> str:
    """The plain name of a mechanism (or of any key, through :func:`plain`)."""
    return MECHANISM_NAMES.get(str(key)) or plain(key)


def plain(key: object) -> str:
    """The plain name of a raw key (group, metric, indicator, mechanism or context).

    Groups first (``all`` is "Everyone"), then metrics by their label (rates named by their
    definition), then the other names; an unknown key has its underscores turned to spaces.
    """
    key = str(key)
    if key in GROUP_LABELS:
        return GROUP_LABELS[key]
    if key in METRIC_BY_NAME:
        return METRIC_BY_NAME[key].label
    if key in OTHER_NAMES:
        return OTHER_NAMES[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]
