"""Phase 5 of the month, consequences: what the month did to everyone present.

Everyone ages a month; employees gain tenure, recover self-efficacy and use up in-work
support; jobseekers' spells grow, long spells wear skills down, and a month of failed
applications costs self-efficacy and effort; trust and employers' bias drift back towards
their usual levels; participations count down, and after a programme its aftercare runs down
and the gains of a programme with a gain half-life fade. The month-end census
(:func:`simulator.reference.monitoring.census`) is taken in the middle, after the states and
before the status history moves on. The numba version is
:func:`simulator.kernels.consequences.consequences_step`.
"""

from __future__ import annotations

import numpy as np

from simulator import interventions, state, tallies
from simulator.kernel_params import KernelParams
from simulator.reference.common import clip01, trait_bits
from simulator.reference.monitoring import census


def _month_in_work(
    pf: np.ndarray, pi: np.ndarray, p: int, iv: np.ndarray, par: KernelParams, cost: np.ndarray
) -> None:
    """An employee's month: tenure grows, self-efficacy recovers towards its usual level, a
    hire this month is an experience of success, and in-work support runs down (paid)."""
    pi[p, state.P_TENURE] += 1
    on_efficacy = par.self_efficacy_on > 0.0
    if on_efficacy:
        efficacy = pf[p, state.P_SELF_EFFICACY]
        pf[p, state.P_SELF_EFFICACY] = efficacy + par.efficacy_recovery_at_work * (
            par.initial_self_efficacy - efficacy
        )
    if pi[p, state.P_HIRED_THIS_MONTH] == 1:
        pf[p, state.P_EXPERIENCES_OF_SUCCESS] += 1.0
        if on_efficacy:
            efficacy = pf[p, state.P_SELF_EFFICACY]
            pf[p, state.P_SELF_EFFICACY] = efficacy + par.efficacy_gain_hire * (1.0 - efficacy)
    if pi[p, state.P_SUPPORT_LEFT] > 0:
        paying = int(pi[p, state.P_SUPPORT_INTERVENTION])
        cost[paying] += iv[paying, interventions.IV_SUBSIDY]
        pi[p, state.P_SUPPORT_LEFT] -= 1


def _month_in_unemployment(pf: np.ndarray, pi: np.ndarray, p: int, par: KernelParams) -> None:
    """A jobseeker's month: the spell grows, skills depreciate in long spells, and a month of
    applications that all failed lowers self-efficacy and effort; effort drifts back."""
    pi[p, state.P_UNEMPLOYMENT_DURATION] += 1
    if pi[p, state.P_UNEMPLOYMENT_DURATION] > par.depreciation_after_months:
        pf[p, state.P_SKILL] = clip01(pf[p, state.P_SKILL] - par.skill_depreciation)
    rejected = pi[p, state.P_APPLICATIONS] > 0  # still unemployed: every application failed
    effort = pf[p, state.P_SEARCH_EFFORT]
    if rejected:
        if par.self_efficacy_on > 0.0:
            pf[p, state.P_SELF_EFFICACY] = clip01(
                pf[p, state.P_SELF_EFFICACY] - par.efficacy_loss_rejection
            )
        effort = effort - par.effort_loss_rejection
    effort = effort + par.effort_recovery * (pf[p, state.P_INITIAL_SEARCH_EFFORT] - effort)
    pf[p, state.P_SEARCH_EFFORT] = clip01(effort)


def _month_after_programme(pf: np.ndarray, pi: np.ndarray, p: int, iv: np.ndarray) -> None:
    """A month out of any programme: aftercare months run down, and if the last programme has a
    gain half-life, the same share of what it added to skill and to job-search skill (and is
    still held) is lost every month."""
    if pi[p, state.P_AFTERCARE_LEFT] > 0:
        pi[p, state.P_AFTERCARE_LEFT] -= 1
    last = int(pi[p, state.P_LAST_INTERVENTION])
    if last < 0:
        return
    rate = iv[last, interventions.IV_GAIN_DECAY]
    if rate <= 0.0:
        return
    for column, gain_column in (
        (state.P_SKILL, state.P_PROGRAMME_SKILL_GAIN),
        (state.P_SEARCH_SKILL, state.P_PROGRAMME_SEARCH_SKILL_GAIN),
    ):
        lost = rate * pf[p, gain_column]
        pf[p, column] = clip01(pf[p, column] - lost)
        pf[p, gain_column] = pf[p, gain_column] - lost


def consequences_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    ef: np.ndarray,
    iv: np.ndarray,
    par: KernelParams,
    cost: np.ndarray,
    month: int,
    out: np.ndarray,
) -> None:
    """Reference of :func:`simulator.kernels.consequences.consequences_step` (same arguments).

    Everyone present ages a month (target-group traits follow the age); employees and
    jobseekers live their month (:func:`_month_in_work`, :func:`_month_in_unemployment`);
    trust drifts back to its usual level; participations count down and end (aftercare begins),
    or, out of any programme, aftercare runs down and programme gains fade; the month's
    application and hire marks are cleared. Then the census is taken, and employers' bias
    relapses towards its level before any intervention. Subsidies paid are totalled per block
    of rows (``tallies.BLOCK_ROWS``) and the blocks added in order, as the kernel does.
    """
    block_cost = np.zeros((-(-n // tallies.BLOCK_ROWS), cost.shape[0]))
    for p in range(n):
        status = int(pi[p, state.P_STATUS])
        if status == state.GONE:
            continue
        pi[p, state.P_AGE_MONTHS] += 1
        pi[p, state.P_TRAIT_GROUPS] = trait_bits(
            pi[p, state.P_AGE_MONTHS],
            pi[p, state.P_FEMALE],
            pi[p, state.P_MIGRANT],
            pi[p, state.P_PARTIAL_ABILITY],
        )
        if status == state.EMPLOYED:
            _month_in_work(pf, pi, p, iv, par, block_cost[p // tallies.BLOCK_ROWS])
        elif status == state.UNEMPLOYED:
            _month_in_unemployment(pf, pi, p, par)
        else:  # inactive: the spell out of the labour force grows
            pi[p, state.P_INACTIVE_MONTHS] += 1
        if par.trust_on > 0.0:
            trust = pf[p, state.P_TRUST]
            pf[p, state.P_TRUST] = trust + par.trust_decay * (pf[p, state.P_INITIAL_TRUST] - trust)
        if pi[p, state.P_ENROLLED] >= 0:
            pi[p, state.P_ENROLMENT_LEFT] -= 1
            if pi[p, state.P_ENROLMENT_LEFT] <= 0:
                ended = int(pi[p, state.P_ENROLLED])
                pi[p, state.P_ENROLLED] = -1
                # Search assistance goes on for the programme's aftercare months.
                pi[p, state.P_AFTERCARE_LEFT] = int(iv[ended, interventions.IV_AFTERCARE_MONTHS])
        else:
            _month_after_programme(pf, pi, p, iv)
        pi[p, state.P_APPLICATIONS] = 0
        pi[p, state.P_HIRED_THIS_MONTH] = 0
    for block in block_cost:
        cost += block
    census(pf, pi, n, month, out)
    for p in range(n):  # the month-end status joins the history, after the census reads it
        status = int(pi[p, state.P_STATUS])
        if status != state.GONE:
            previous = [(int(pi[p, state.P_STATUS_HISTORY]) >> (2 * m)) & 3 for m in range(2)]
            newest_first = [status, *previous]
            pi[p, state.P_STATUS_HISTORY] = sum(
                code << (2 * m) for m, code in enumerate(newest_first)
            )
    for e in range(ef.shape[0]):
        ef[e, state.E_BIAS] += par.bias_relapse * (
            ef[e, state.E_INITIAL_BIAS] - ef[e, state.E_BIAS]
        )
