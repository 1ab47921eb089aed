"""The simulated effect profile of each programme type, beside the published one.

For one intervention type, :func:`type_profile` runs a package made of that type alone (its
catalogue defaults, on a lab) against the baseline and returns the participants' effect on
the share in work within a year of the start, one to two years and beyond two years after it
(the event study's bins, :mod:`experiments.comparison.event_study`). The catalogue's
``profile`` table of the type gives the published pattern and figures it is set against
(``benchmarks/bench_programmes.py`` prints both; a test keeps the pattern).
"""

from __future__ import annotations

import pandas as pd

from experiments.comparison.event_study import ALL_PROGRAMMES
from experiments.comparison.study import run_comparison
from scenarios import compose, load_lab
from scenarios.catalogue import load_catalogue
from scenarios.compose import Package
from scenarios.schema import PackageFile, Profile, PublishedProfile

#: The event study's bins after the start, in order.
BINS = ("year_1", "year_2", "after_2_years")
#: Change between bins (pp) that still counts as constant: Card, Kluve & Weber (2018) call
#: "relatively constant" the profiles of job-search assistance and subsidies, against the rise
#: of training (all programmes together: +1.6 to +5.4 pp from the short to the medium run).
CONSTANT_WITHIN = 2.0


def single_type_package(kind: str, capacity: int, settings: dict | None = None) -> Package:
    """A package of one intervention of type ``kind``: catalogue defaults, the given capacity
    and ``settings`` (a package entry's fields, e.g. ``{"lock_in": 0.0}``) over them."""
    entry = {"kind": kind, "name": kind, "capacity": capacity, **(settings or {})}
    data = {
        "package": {"name": f"only_{kind}", "title": f"Only {kind}", "engine": "inflow"},
        "interventions": [entry],
    }
    return Package(PackageFile.model_validate(data), None, None)


def type_profile(
    kind: str,
    *,
    lab: str = "kokkola",
    persons: int = 12_000,
    months: int = 60,
    replications: int = 4,
    capacity: int = 20,
    workers: int = 1,
    seed: int = 1,
    settings: dict | None = None,
) -> pd.DataFrame:
    """Participants' profile of one type.

    Rows ``bin, estimate, ci_low, ci_high, baseline, policy, persons``: ``estimate`` is the
    effect on the share in work (percentage points) pooled over the bin's event months,
    ``baseline`` and ``policy`` the cohort's shares in work (%) without and with the package;
    ``before_start`` is included as the first row (about 0; see the event study's estimand).
    """
    scenario = compose(
        load_lab(lab),
        [single_type_package(kind, capacity, settings)],
        overrides=[
            f"run.persons={persons}",
            f"run.months={months}",
            f"run.replications={replications}",
            f"run.seed={seed}",
            "run.ablation=false",
        ],
    )
    c = run_comparison(scenario, workers=workers, progress=False)
    d = c.effects("participant_profile", context=ALL_PROGRAMMES)
    d = d.assign(bin=d["metric"].str.removeprefix("employment_share_"))
    cols = ["bin", "estimate", "ci_low", "ci_high", "baseline", "policy", "n"]
    return d[cols].rename(columns={"n": "persons"}).reset_index(drop=True)


def published_profiles() -> dict[str, Profile]:
    """The catalogue's published profile of every type that has one."""
    return {
        kind: entry.profile for kind, entry in load_catalogue().items() if entry.profile is not None
    }


def against_published(profile: pd.DataFrame, published: PublishedProfile | None) -> pd.DataFrame:
    """The simulated bins beside the published figures.

    Rows ``bin, simulated, published, difference, ratio`` for the bins after the start;
    ``published``, ``difference`` (simulated minus published, pp) and ``ratio`` (simulated
    over published) are NaN where the source gives no figure for the bin.
    """
    sim = profile.set_index("bin")["estimate"]
    figures = published.by_bin() if published is not None else {}
    rows = []
    for b in BINS:
        pub = figures.get(b)
        value = float("nan") if pub is None else float(pub)
        rows.append(
            {
                "bin": b,
                "simulated": float(sim[b]),
                "published": value,
                "difference": float(sim[b]) - value,
                "ratio": float(sim[b]) / value if value else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def share_ratio(profile: pd.DataFrame, measure: str, bin_name: str = "year_1") -> float:
    """The cohort's relative risk or odds ratio of being in work in one bin, package against
    its own counterfactual, to set beside a benchmark given in that measure.

    ``measure`` is ``relative_risk`` or ``odds_ratio``; the shares are the bin's pooled
    shares in work (``policy`` and ``baseline``, in %).
    """
    r = profile.set_index("bin").loc[bin_name]
    p1, p0 = float(r["policy"]) / 100.0, float(r["baseline"]) / 100.0
    if measure == "relative_risk":
        return p1 / p0
    if measure == "odds_ratio":
        return (p1 / (1.0 - p1)) / (p0 / (1.0 - p0))
    raise ValueError(f"unknown measure {measure!r}; allowed: relative_risk, odds_ratio")


def follows_pattern(profile: pd.DataFrame, pattern: str) -> bool:
    """Whether a simulated profile has the published sign pattern and ordering.

    ``rising`` (training): the effect within a year of the start lies more than
    :data:`CONSTANT_WITHIN` below both later effects, and the effect beyond two years is
    positive. ``early`` (job-search assistance, subsidies, placement): the effect within a
    year is positive and the effect beyond two years is not more than :data:`CONSTANT_WITHIN`
    above it (constant or falling). The two exclude each other.
    """
    e = profile.set_index("bin")["estimate"]
    if pattern == "rising":
        return bool(
            e["year_2"] - e["year_1"] > CONSTANT_WITHIN
            and e["after_2_years"] - e["year_1"] > CONSTANT_WITHIN
            and e["after_2_years"] > 0
        )
    if pattern == "early":
        return bool(e["year_1"] > 0 and e["after_2_years"] - e["year_1"] <= CONSTANT_WITHIN)
    raise ValueError(f"unknown profile pattern {pattern!r}; allowed: rising, early")
