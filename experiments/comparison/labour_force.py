"""Labour-force accounting of a package's effect: where the extra people in work came from.

Every person of working age is employed (E), unemployed (U) or inactive (I), so for any group
and each arm E = population − U − I, and the effect on the people in work splits exactly:

    extra people in work = fewer unemployed + fewer inactive + change in the population.

A package that adds people in work while unemployment does not move has drawn them from
inactivity; one whose group's population grows (a stock such as "long-term unemployed", whose
membership the package changes) can add people in work without changing anyone's status.
The decomposition is given for both definitions of a group: the *stock* (the group as it
stands each month, the model's indicators) and the *cohort* fixed before the package acts
(:mod:`experiments.comparison.cohorts`), whose population the package cannot change. Next to
it are the effects on the rates: employment-to-population, activity, inactivity and
unemployment (of the window's mean counts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments.comparison.cohorts import rates
from experiments.comparison.statistics import mean_ci

#: The two definitions of a group: the metric names of their window-mean counts.
DEFINITIONS: dict[str, dict[str, str]] = {
    "stock": {
        "employed": "employed",
        "unemployed": "unemployed",
        "inactive": "inactive",
        "population": "population",
    },
    "cohort": {
        "employed": "cohort_employed",
        "unemployed": "cohort_unemployed",
        "inactive": "cohort_inactive",
        "population": "cohort_population",
    },
}
#: What each definition means, for labels.
DEFINITION_TEXT = {
    "stock": "group as it stands each month",
    "cohort": "group fixed at the package start (entrants at entry)",
}
#: Decomposition terms: name, label, unit, and the per-replication value from the differences
#: of the counts (policy minus baseline).
TERMS: tuple[tuple[str, str, str], ...] = (
    ("extra_employed", "Extra people in work", "persons"),
    ("fewer_unemployed", "of which: fewer unemployed", "persons"),
    ("fewer_inactive", "of which: fewer inactive (out of the labour force)", "persons"),
    ("population_change", "of which: change in the group's population", "persons"),
    ("employment_to_population", "Employment rate (employed / population)", "pp"),
    ("activity_rate", "Activity rate (labour force / population)", "pp"),
    ("inactivity_rate", "Inactivity rate (inactive / population)", "pp"),
    ("unemployment_rate", "Unemployment rate (unemployed / labour force)", "pp"),
)


def _terms(policy: dict[str, np.ndarray], baseline: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-replication values of every term from the two arms' counts."""
    d = {k: policy[k] - baseline[k] for k in policy}
    out = {
        "extra_employed": d["employed"],
        "fewer_unemployed": -d["unemployed"],
        "fewer_inactive": -d["inactive"],
        # The population term closes the identity, so the split is exact whatever rounding
        # the window means carry (it equals the change in the population counted).
        "population_change": d["employed"] + d["unemployed"] + d["inactive"],
    }
    rp = rates(policy["employed"], policy["unemployed"], policy["inactive"])
    rb = rates(baseline["employed"], baseline["unemployed"], baseline["inactive"])
    out.update({k: rp[k] - rb[k] for k in rp})
    return out


def labour_force_rows(
    package: str,
    policy: pd.DataFrame,
    baseline: pd.DataFrame,
    groups: list[str],
    confidence: float,
    row: Any,
) -> list[dict[str, Any]]:
    """Result rows (analysis ``labour_force``) of the decomposition and the rate effects.

    Parameters
    ----------
    package
        Package name.
    policy, baseline
        Metric matrices, (metric, group) × replication, of the package arm and the baseline.
    groups
        Groups to report.
    confidence
        Level of the intervals.
    row
        The comparison's row builder (``row(**values) -> dict``).
    """
    out = []
    reps = [r for r in policy.columns if r in baseline.columns]
    for definition, names in DEFINITIONS.items():
        for group in groups:
            keys = [(names[k], group) for k in names]
            if any(k not in policy.index or k not in baseline.index for k in keys):
                continue
            pol = {k: policy.loc[(v, group), reps].to_numpy(float) for k, v in names.items()}
            base = {k: baseline.loc[(v, group), reps].to_numpy(float) for k, v in names.items()}
            base_rates = rates(base["employed"], base["unemployed"], base["inactive"])
            levels = {
                "extra_employed": base["employed"],
                "fewer_unemployed": base["unemployed"],
                "fewer_inactive": base["inactive"],
                "population_change": base["population"],
                **base_rates,
            }
            terms = _terms(pol, base)
            for name, label, unit in TERMS:
                values = terms[name]
                est, se, lo, hi = mean_ci(values, confidence)
                level = float(np.nanmean(levels[name])) if len(reps) else np.nan
                out.append(
                    row(
                        package=package,
                        analysis="labour_force",
                        metric=name,
                        group=group,
                        context_type="definition",
                        context=definition,
                        unit=unit,
                        estimate=est,
                        ci_low=lo,
                        ci_high=hi,
                        std_error=se,
                        baseline=level,
                        relative=est / level if level else np.nan,
                        replications=len(values),
                        label=f"{label} ({DEFINITION_TEXT[definition]})",
                    )
                )
    return out


def decomposition_text(
    results: pd.DataFrame, package: str, group: str, definition: str = "cohort"
) -> str:
    """One line: extra people in work = fewer unemployed + fewer inactive + population change."""
    d = results[
        (results["analysis"] == "labour_force")
        & (results["package"] == package)
        & (results["group"] == group)
        & (results["context"] == definition)
    ].set_index("metric")["estimate"]
    terms = ("extra_employed", "fewer_unemployed", "fewer_inactive", "population_change")
    if any(t not in d.index for t in terms):
        return ""
    e, u, i, p = (round(float(d[t]), 1) + 0.0 for t in terms)  # + 0.0: no "-0.0"
    return (
        f"{e:+.1f} in work = {u:+.1f} (fewer unemployed) {i:+.1f} (fewer inactive) "
        f"{p:+.1f} (population change)"
    )
