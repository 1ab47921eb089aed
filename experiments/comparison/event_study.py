"""The effect of a programme on its participants by months since they started (event study).

Estimand
--------
For a package and one of its programmes (or all of them together), the cohort is the people
who take part both in the package arm and in its *placebo arm* (the package run with every
effect removed, see :func:`experiments.comparison.study.placebo`; its people live exactly as
in the baseline, which a test checks), with the same first programme. Each arm is aligned on
the person's own first start in it: ``s_P`` in the package arm, ``s_0`` in the placebo arm
(the baseline's timeline). The effect ``k`` months after the start is

    theta(k) = mean over the cohort of [employed in the package arm at month s_P + k]
                                      - [employed in the baseline at month s_0 + k],

the same person (person row) in both arms, under common random numbers: the effect of the
package on the people it enrolled, against themselves in the baseline, each side aligned on
the month they entered the programme in that world.

Why both arms and both starts: after a few months the two arms' markets differ in who got
which vacancy, so one person's path differs between them even where the package never
touched that person. Choosing the cohort in one arm only conditions on that arm's path
(entrants to a programme for jobseekers are people still unemployed then): defined in the
package arm, the months before the start show a large negative "effect" (the package arm's
path is selected to lead into unemployment, the baseline's is not); defined by the placebo
arm alone, an equally large positive one. Selected and aligned the same way in both arms,
both paths lead into the start: the selection puts no difference into the months before it.
What remains there is the package's effect on these people before they enrolled (jobseekers
displaced by earlier participants while they wait; docs/evaluation.md measures it), small and
of the sign of the effect on non-participants; the estimate from the start on then measures
what taking part does, the pre-start bin showing what to net out. The price is the
cohort: people who would take part in only one of the two worlds are left out (about a
quarter of the placebo arm's participants in the Kokkola packages).

The estimate is the mean over replications of each replication's cohort mean (every
replication is one draw of the whole market, so persons within it are not independent), with
a t-interval over replications. ``persons`` is the mean number of cohort members observed at
that event month (in the population then in both arms); months with fewer than the smallest
reported cell are suppressed. Late event months are seen only for early starters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.comparison.statistics import mean_ci
from simulator import panel as P
from simulator.panel import PersonPanel

#: Months before the start shown by the event study.
PRE_MONTHS = 12
#: Name of the cohort of every programme of a package together.
ALL_PROGRAMMES = "all programmes"
#: Bins of event months summarised in the results table (name, first, last, label).
PROFILE_BINS: tuple[tuple[str, int, int, str], ...] = (
    (
        "before_start",
        -PRE_MONTHS,
        -1,
        "in the 12 months before the start (about 0: spillovers only)",
    ),
    ("year_1", 0, 11, "within a year of the start (months 0-11)"),
    ("year_2", 12, 23, "one to two years after the start (months 12-23)"),
    ("after_2_years", 24, 10**6, "more than two years after the start (months 24+)"),
)
COLUMNS = [
    "package",
    "programme",
    "event_month",
    "estimate",
    "ci_low",
    "ci_high",
    "std_error",
    "baseline",
    "policy",
    "persons",
    "replications",
    "suppressed",
]


@dataclass
class _Cells:
    """Per replication sums of one cohort by event month (one array per replication)."""

    policy: list[np.ndarray] = field(default_factory=list)  # people in work, package arm
    baseline: list[np.ndarray] = field(default_factory=list)  # people in work, baseline
    count: list[np.ndarray] = field(default_factory=list)  # cohort members observed


def participation(policy: PersonPanel, placebo: PersonPanel, n: int) -> tuple[np.ndarray, ...]:
    """Who takes part where, for the first ``n`` person rows.

    Returns
    -------
    (both, programme, neither)
        ``both``: took part in the package arm and in the placebo arm, with the same first
        programme (``programme``: its index, -1 for others); ``neither``: in neither arm.
        The rest took part in one world only. Both classes are defined alike in the two
        arms, so where the package changed nothing their paths are exchangeable and the
        expected difference is zero.
    """
    s_p, s_0 = policy.first_start[:n], placebo.first_start[:n]
    k_p = policy.first_programme[:n].astype(np.int64)
    k_0 = placebo.first_programme[:n].astype(np.int64)
    both = (s_p > 0) & (s_0 > 0) & (k_p == k_0)
    neither = (s_p <= 0) & (s_0 <= 0)
    return both, np.where(both, k_0, -1), neither


def _cohorts(
    policy: PersonPanel, placebo: PersonPanel, n: int, names: list[str]
) -> dict[str, np.ndarray]:
    """Cohort members (row indices) of each programme and of all together."""
    both, programme, _ = participation(policy, placebo, n)
    out = {ALL_PROGRAMMES: np.flatnonzero(both)}
    for k, name in enumerate(names):
        out[name] = np.flatnonzero(programme == k)
    return out


def event_sums(
    policy: PersonPanel,
    baseline: PersonPanel,
    placebo: PersonPanel,
    names: list[str],
    events: np.ndarray,
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """People in work in each arm, and cohort members observed, by event month, one replication.

    Returns
    -------
    dict
        ``{cohort: (in work with the package, in work in the baseline, observed)}``, each
        an array over ``events``.
    """
    sp, sb = policy.statuses(), baseline.statuses()
    n = min(sp.shape[1], sb.shape[1], placebo.n, policy.n)
    months = sb.shape[0]
    out = {}
    for name, rows in _cohorts(policy, placebo, n, names).items():
        m_p = policy.first_start[rows][:, None].astype(np.int64) + events[None, :]
        m_b = placebo.first_start[rows][:, None].astype(np.int64) + events[None, :]
        inside = (m_p >= 0) & (m_p < months) & (m_b >= 0) & (m_b < months)
        cols = np.broadcast_to(rows[:, None], m_p.shape)
        p = sp[np.where(inside, m_p, 0), cols]
        b = sb[np.where(inside, m_b, 0), cols]
        seen = inside & (b != P.ABSENT) & (p != P.ABSENT)
        out[name] = (
            ((p == P.EMPLOYED) & seen).sum(axis=0).astype(np.float64),
            ((b == P.EMPLOYED) & seen).sum(axis=0).astype(np.float64),
            seen.sum(axis=0).astype(np.float64),
        )
    return out


def event_study(
    package: str,
    triples: list[tuple[PersonPanel, PersonPanel, PersonPanel]],
    names: list[str],
    confidence: float,
    min_cell: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The event study of one package and its profile by years since the start.

    Parameters
    ----------
    package
        Package (arm) name.
    triples
        Per replication: the package arm's, the baseline's and the placebo arm's panels
        (the placebo's without statuses is enough).
    names
        The package's interventions, in index order (employer-targeted ones have no cohort).
    confidence
        Level of the intervals.
    min_cell
        Event months (and bins) whose cohort has fewer members are suppressed.

    Returns
    -------
    (event_table, profile)
        ``event_table`` has :data:`COLUMNS` (estimates in percentage points of the share in
        work); ``profile`` the same columns with ``event_month`` replaced by ``bin`` (one of
        :data:`PROFILE_BINS`).
    """
    if not triples:
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=_profile_columns())
    months = triples[0][1].months
    events = np.arange(-PRE_MONTHS, months)
    cells: dict[str, _Cells] = {}
    for policy, baseline, placebo in triples:
        for name, (p, b, c) in event_sums(policy, baseline, placebo, names, events).items():
            cell = cells.setdefault(name, _Cells())
            cell.policy.append(p)
            cell.baseline.append(b)
            cell.count.append(c)
    rows, profile = [], []
    for name, cell in cells.items():
        p, b, c = (np.array(x) for x in (cell.policy, cell.baseline, cell.count))
        if c.sum() == 0:
            continue
        for j, e in enumerate(events):
            rows.append(_estimate(package, name, p[:, j], b[:, j], c[:, j], confidence, min_cell))
            rows[-1]["event_month"] = int(e)
        for bin_name, lo, hi, _ in PROFILE_BINS:
            sel = (events >= lo) & (events <= hi)
            if not sel.any():
                continue
            # Pooled over the bin's person-months; its size is the cohort's largest month.
            r = _estimate(
                package,
                name,
                p[:, sel].sum(axis=1),
                b[:, sel].sum(axis=1),
                c[:, sel].sum(axis=1),
                confidence,
                min_cell,
                persons=float(c[:, sel].max(axis=1).mean()),
            )
            r["bin"] = bin_name
            profile.append(r)
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table[table["persons"] > 0].reset_index(drop=True)
    return table, pd.DataFrame(profile, columns=_profile_columns())


def _profile_columns() -> list[str]:
    return [c if c != "event_month" else "bin" for c in COLUMNS]


def _estimate(
    package: str,
    programme: str,
    policy: np.ndarray,
    baseline: np.ndarray,
    count: np.ndarray,
    confidence: float,
    min_cell: int,
    persons: float | None = None,
) -> dict:
    """Effect (pp) on the share in work from per-replication sums of a cohort cell.

    ``persons`` (default: the mean of ``count``) is the cell size that suppression reads.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        share_p = np.where(count > 0, policy / count, np.nan)
        share_b = np.where(count > 0, baseline / count, np.nan)
    est, se, lo, hi = mean_ci(100.0 * (share_p - share_b), confidence)
    persons = float(count.mean()) if persons is None else persons
    suppressed = persons < min_cell
    known_p, known_b = share_p[~np.isnan(share_p)], share_b[~np.isnan(share_b)]
    values = {
        "estimate": est,
        "ci_low": lo,
        "ci_high": hi,
        "std_error": se,
        "baseline": 100.0 * known_b.mean() if known_b.size else np.nan,
        "policy": 100.0 * known_p.mean() if known_p.size else np.nan,
    }
    if suppressed:
        values = dict.fromkeys(values, np.nan)
    return {
        "package": package,
        "programme": programme,
        **values,
        "persons": persons,
        "replications": int((count > 0).sum()),
        "suppressed": bool(suppressed),
    }


def profile_text(results: pd.DataFrame, package: str, programme: str = ALL_PROGRAMMES) -> str:
    """One line: a package's participant profile by years since the start (empty if none)."""
    d = results[
        (results["analysis"] == "participant_profile")
        & (results["package"] == package)
        & (results["context"] == programme)
    ].set_index("metric")
    parts = []
    for name, _, _, _ in PROFILE_BINS:
        key = f"employment_share_{name}"
        if key in d.index and np.isfinite(d.loc[key, "estimate"]):
            r = d.loc[key]
            parts.append(
                f"{name.replace('_', ' ')} {r['estimate']:+.1f} ({r['ci_low']:+.1f} to "
                f"{r['ci_high']:+.1f})"
            )
    return "; ".join(parts)
