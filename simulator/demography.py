"""The steady state of the model's demography: who is how old when nothing but time moves.

People enter the working-age population as school leavers or migrants, each at an age drawn
uniformly from their group's entry range, and leave it only when they reach the retirement
age ``R``. Entrants replace retirements (or arrive at fixed rates); either way, in the steady
state the number of people aged ``a`` is the yearly entrants times the share of them who
entered by age ``a``:

    f(a) ∝ F(a),   entry_min <= a < R,

with ``F`` the distribution function of the entry age (a mixture of the groups' uniform
ranges in proportion to their entry rates). The population then numbers ``R - E[x]`` years
of entrants (``E[x]``: the mean entry age), so ``1 / (R - E[x])`` of it retires each year.

A market drawn with any other age structure never settles: with a fixed retirement age each
cohort's size returns every working life (an echo of period about ``R - E[x]`` years, damped
only by the spread of entry ages), and with it the unemployment and long-term unemployment
of an age-graded labour market. :func:`draw_ages` draws ages from ``f``: the entry age ``x``
from the entry distribution weighted by the years ``R - x`` its entrants stay, then the age
uniformly between ``x`` and ``R``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulator.params import ModelParams


class EntryGroup(NamedTuple):
    """A group of entrants: its share of them and its entry-age range (years)."""

    share: float
    youngest: float
    oldest: float


def migrant_share(params: ModelParams) -> float:
    """Migrants' share of the entrants: that of their entry rate in the two entry rates
    (0 with no entry at all). The model splits each month's entrants by it."""
    d = params.demand
    total = d.entry_rate + d.migrant_entry_rate
    return d.migrant_entry_rate / total if total > 0 else 0.0


def entry_groups(params: ModelParams) -> tuple[EntryGroup, ...]:
    """School leavers and migrants, each with its share of the entrants and its age range
    (:func:`migrant_share`; with no entry at all, school leavers stand for everybody)."""
    e = params.entrants
    migrant = migrant_share(params)
    return (
        EntryGroup(1.0 - migrant, e.school_leaver_age_min, e.school_leaver_age_max),
        EntryGroup(migrant, e.migrant_age_min, e.migrant_age_max),
    )


def _clipped(group: EntryGroup, retirement_age: float) -> tuple[float, float]:
    """The part of a group's entry range below the retirement age (entrants at or above it
    retire at once and are never counted)."""
    return min(group.youngest, retirement_age), min(group.oldest, retirement_age)


def years_per_entrant(group: EntryGroup, retirement_age: float) -> float:
    """Mean years an entrant of the group spends in the working-age population, R - E[x]."""
    lo, hi = _clipped(group, retirement_age)
    return retirement_age - 0.5 * (lo + hi)


def yearly_retirement_share(params: ModelParams) -> float:
    """Share of the steady-state working-age population that retires each year,
    ``1 / (R - E[x])`` (as many enter)."""
    age = float(params.demand.retirement_age)
    years = sum(g.share * years_per_entrant(g, age) for g in entry_groups(params))
    return 1.0 / years


def share_aged(params: ModelParams, low: float, high: float) -> float:
    """Share of the steady-state population aged at least ``low`` and under ``high`` years:
    the integral of ``F`` over ``[low, high)`` divided by ``R - E[x]``."""
    age = float(params.demand.retirement_age)
    low, high = max(low, 0.0), min(high, age)
    if high <= low:
        return 0.0

    def integral_of_cdf(g: EntryGroup, upto: float) -> float:
        # ∫_0^upto F_g(a) da for F_g uniform on [lo, hi] (a point mass when lo == hi).
        lo, hi = _clipped(g, age)
        if upto <= lo:
            return 0.0
        if hi <= lo or upto >= hi:
            return upto - 0.5 * (lo + hi)
        return 0.5 * (upto - lo) ** 2 / (hi - lo)

    groups = entry_groups(params)
    inside = sum(g.share * (integral_of_cdf(g, high) - integral_of_cdf(g, low)) for g in groups)
    return inside * yearly_retirement_share(params)


def draw_ages(
    rng: np.random.Generator, n: int, groups: tuple[EntryGroup, ...], retirement_age: float
) -> np.ndarray:
    """``n`` ages (years) from the steady-state density ``f(a) ∝ F(a)``.

    Parameters
    ----------
    rng
        The set-up generator.
    n
        Persons to draw.
    groups
        Entry groups (:func:`entry_groups`).
    retirement_age
        Age at which people leave (years).

    Returns
    -------
    ndarray of float64
        Ages in years, each below ``retirement_age``.
    """
    age = float(retirement_age)
    weight = np.array([g.share * years_per_entrant(g, age) for g in groups])
    if not weight.sum() > 0:
        raise ValueError(f"no entrant enters below the retirement age ({age:g} years)")
    weight = weight / weight.sum()
    which = rng.choice(len(groups), size=n, p=weight)
    lo = np.array([_clipped(g, age)[0] for g in groups])[which]
    hi = np.array([_clipped(g, age)[1] for g in groups])[which]
    # Entry age x on [lo, hi] with density ∝ R - x, by inverting its distribution function.
    top, bottom = (age - lo) ** 2, (age - hi) ** 2
    entry = age - np.sqrt(top - rng.random(n) * (top - bottom))
    return entry + rng.random(n) * (age - entry)
