"""Target groups fixed before treatment: cohort measures of one run.

The model's indicators count a target group as it stands each month (a *stock*): the
long-term unemployed are whoever is unemployed 12 months or more (and those hired out of it),
so a package that moves people into work also changes who is in the group, and a group's
employment rate can fall while more of its people work. A *cohort* is fixed before the
package acts: the people in the group at month 0 (the package start), and entrants in the
group at entry (see :mod:`simulator.panel`). It holds the same persons in every arm, so its
effects compare like with like.

:func:`cohort_metric_values` gives, per cohort group, the mean over the evaluation window of
people in work, unemployed, inactive and still in the population, and the rates built from
those means; the comparison adds them to each run's metrics (names ``cohort_*``), so effects,
contrasts and interaction terms are computed for them as for every other metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import panel as P
from simulator.panel import PersonPanel
from simulator.state import INDICATOR_GROUPS


def window_counts(panel: PersonPanel, window: int) -> dict[str, dict[str, float]]:
    """Mean people per status over the window's month ends, by cohort group.

    Returns
    -------
    dict
        ``{group: {"employed", "unemployed", "inactive", "population": mean count}}``.
    """
    statuses = panel.statuses()
    last = statuses[max(statuses.shape[0] - window, 1) :]
    bits = panel.reference_groups.astype(np.int64)
    out: dict[str, dict[str, float]] = {}
    for name, mask in INDICATOR_GROUPS:
        members = np.ones(panel.n, bool) if mask == 0 else (bits & mask) != 0
        s = last[:, members]
        out[name] = {
            "employed": float((s == P.EMPLOYED).sum() / len(last)),
            "unemployed": float((s == P.UNEMPLOYED).sum() / len(last)),
            "inactive": float((s == P.INACTIVE).sum() / len(last)),
            "population": float((s != P.ABSENT).sum() / len(last)),
        }
    return out


def rates(employed: float, unemployed: float, inactive: float) -> dict[str, float]:
    """Employment-to-population, activity, inactivity and unemployment rates (%) of counts."""
    population = employed + unemployed + inactive
    labour_force = employed + unemployed
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "employment_to_population": 100.0 * np.divide(employed, population),
            "activity_rate": 100.0 * np.divide(labour_force, population),
            "inactivity_rate": 100.0 * np.divide(inactive, population),
            "unemployment_rate": 100.0 * np.divide(unemployed, labour_force),
        }


def cohort_metric_values(panel: PersonPanel, window: int) -> pd.DataFrame:
    """Cohort metrics of one run (columns ``metric, group, value``).

    Rates are those of the window's mean counts (NaN for an empty cohort).
    """
    names, groups, values = [], [], []
    for group, c in window_counts(panel, window).items():
        row = {f"cohort_{k}": v for k, v in c.items()}
        row.update(
            {
                f"cohort_{k}": float(v)
                for k, v in rates(c["employed"], c["unemployed"], c["inactive"]).items()
            }
        )
        for metric, value in row.items():
            names.append(metric)
            groups.append(group)
            values.append(value)
    return pd.DataFrame({"metric": names, "group": groups, "value": values})
