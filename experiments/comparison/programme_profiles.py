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


def single_type_package(kind: str, capacity: int) -> Package:
    """A package of one intervention of type ``kind`` (catalogue defaults, given capacity)."""
    data = {
        "package": {"name": f"only_{kind}", "title": f"Only {kind}", "engine": "inflow"},
        "interventions": [{"kind": kind, "name": kind, "capacity": capacity}],
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
) -> pd.DataFrame:
    """Participants' profile of one type.

    Rows ``bin, estimate, ci_low, ci_high, baseline, policy, persons``: ``estimate`` is the
    effect on the share in work (percentage points) pooled over the bin's event months,
    ``baseline`` and ``policy`` the cohort's shares in work (%) without and with the package;
    ``before_start`` is included as the first row (about 0 by construction).
    """
    scenario = compose(
        load_lab(lab),
        [single_type_package(kind, capacity)],
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


def follows_pattern(profile: pd.DataFrame, pattern: str) -> bool:
    """Whether a simulated profile has the published sign pattern and ordering.

    ``rising`` (training): the effect within a year of the start lies below both later
    effects, and the effect beyond two years is positive. ``early`` (job-search assistance,
    subsidies, placement): the effect within a year is positive and at least each later
    effect (largest at once, then constant or falling).
    """
    e = profile.set_index("bin")["estimate"]
    if pattern == "rising":
        return bool(
            e["year_1"] < e["year_2"]
            and e["year_1"] < e["after_2_years"]
            and e["after_2_years"] > 0
        )
    if pattern == "early":
        return bool(
            e["year_1"] > 0 and e["year_1"] >= e["year_2"] and e["year_1"] >= e["after_2_years"]
        )
    raise ValueError(f"unknown profile pattern {pattern!r}; allowed: rising, early")
