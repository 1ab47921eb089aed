"""Consequences of the month and the monthly census.

A hire is an experience of success and raises self-efficacy; a month of applications that all
fail lowers self-efficacy and search effort; skills depreciate in long spells; trust, effort and
employer bias drift back towards their usual levels; the skill gains of a programme with a gain
half-life fade once it has ended; in-work support, subsidies and aftercare run down.
The census then counts stocks and state means by target group, and each person's status joins
their three-month status history (what the survey's quarterly transitions compare).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from simulator import interventions, rules, state, tallies
from simulator.jit import helper, parallel, row_helper
from simulator.kernel_params import KernelParams
from simulator.kernels.demand import person_groups, update_traits


@parallel
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
    """Update mechanism states, durations and ages at the end of the month, and take the
    month's census in the same pass (see :func:`census`).

    Parameters
    ----------
    pf, pi : ndarray
        Person tables (updated).
    n : int
        Person rows in use.
    ef : ndarray of float64
        Employer float table (bias relapse).
    iv : ndarray of float64, shape (K, IV_N_COLUMNS)
        Compiled interventions (subsidies).
    par : ndarray of float64
        Packed parameters.
    cost : ndarray of float64, shape (K,)
        Cost per intervention this month (subsidies added).
    month : int
        Current month.
    out : ndarray of float64, shape (tallies.N_CENSUS, N_GROUPS)
        Filled with the census at the end of the month (overwritten).
    """
    n_b = tallies.n_blocks(n)
    census_blocks = np.zeros((n_b, tallies.N_CENSUS, N_COMBOS))
    cost_blocks = np.zeros((n_b, 1, cost.shape[0]))
    on_eff = par.self_efficacy_on > 0.0
    on_trust = par.trust_on > 0.0
    for b in prange(n_b):
        block_census = census_blocks[b]
        block_cost = cost_blocks[b, 0]
        first, last = tallies.block_range(b, n)
        for p in range(first, last):
            status = pi[p, state.P_STATUS]
            if status == state.GONE:
                continue
            age = pi[p, state.P_AGE_MONTHS] + 1
            pi[p, state.P_AGE_MONTHS] = age
            if age == state.YOUNG_MAX_MONTHS or age == state.OLDER_MIN_MONTHS:
                update_traits(pi, p)
            if status == state.EMPLOYED:
                pi[p, state.P_TENURE] += 1
                if on_eff:
                    eff = pf[p, state.P_SELF_EFFICACY]
                    eff += par.efficacy_recovery_at_work * (par.initial_self_efficacy - eff)
                    pf[p, state.P_SELF_EFFICACY] = eff
                if pi[p, state.P_HIRED_THIS_MONTH] == 1:
                    pf[p, state.P_EXPERIENCES_OF_SUCCESS] += 1.0
                    if on_eff:
                        eff = pf[p, state.P_SELF_EFFICACY]
                        pf[p, state.P_SELF_EFFICACY] = eff + par.efficacy_gain_hire * (1.0 - eff)
                left = pi[p, state.P_SUPPORT_LEFT]
                if left > 0:
                    k = pi[p, state.P_SUPPORT_INTERVENTION]
                    block_cost[k] += iv[k, interventions.IV_SUBSIDY]
                    pi[p, state.P_SUPPORT_LEFT] = left - 1
            elif status == state.INACTIVE:
                pi[p, state.P_INACTIVE_MONTHS] += 1
            elif status == state.UNEMPLOYED:
                pi[p, state.P_UNEMPLOYMENT_DURATION] += 1
                if pi[p, state.P_UNEMPLOYMENT_DURATION] > par.depreciation_after_months:
                    skill = pf[p, state.P_SKILL] - par.skill_depreciation
                    pf[p, state.P_SKILL] = rules.clip01(skill)
                effort = pf[p, state.P_SEARCH_EFFORT]
                if pi[p, state.P_APPLICATIONS] > 0:
                    if on_eff:
                        pf[p, state.P_SELF_EFFICACY] = rules.clip01(
                            pf[p, state.P_SELF_EFFICACY] - par.efficacy_loss_rejection
                        )
                    effort -= par.effort_loss_rejection
                effort += par.effort_recovery * (pf[p, state.P_INITIAL_SEARCH_EFFORT] - effort)
                pf[p, state.P_SEARCH_EFFORT] = rules.clip01(effort)
            if on_trust:
                trust = pf[p, state.P_TRUST]
                usual = pf[p, state.P_INITIAL_TRUST]
                pf[p, state.P_TRUST] = trust + par.trust_decay * (usual - trust)
            k = pi[p, state.P_ENROLLED]
            if k >= 0:
                left = pi[p, state.P_ENROLMENT_LEFT] - 1
                pi[p, state.P_ENROLMENT_LEFT] = left
                if left <= 0:
                    pi[p, state.P_ENROLLED] = -1
                    pi[p, state.P_AFTERCARE_LEFT] = int(iv[k, interventions.IV_AFTERCARE_MONTHS])
            else:
                if pi[p, state.P_AFTERCARE_LEFT] > 0:
                    pi[p, state.P_AFTERCARE_LEFT] -= 1
                last = pi[p, state.P_LAST_INTERVENTION]
                if last >= 0 and iv[last, interventions.IV_GAIN_DECAY] > 0.0:
                    fade_programme_gains(pf, p, iv[last, interventions.IV_GAIN_DECAY])
            pi[p, state.P_APPLICATIONS] = 0
            pi[p, state.P_HIRED_THIS_MONTH] = 0
            tally(pf, pi, p, month, block_census)
            pi[p, state.P_STATUS_HISTORY] = rules.push_status(pi[p, state.P_STATUS_HISTORY], status)
    by_combo = np.zeros((tallies.N_CENSUS, N_COMBOS))
    tallies.add_blocks(census_blocks, by_combo)
    tallies.add_blocks(cost_blocks, cost.reshape((1, cost.shape[0])))
    fold(by_combo, out)
    relapse = par.bias_relapse
    for e in range(ef.shape[0]):
        ef[e, state.E_BIAS] += relapse * (ef[e, state.E_INITIAL_BIAS] - ef[e, state.E_BIAS])


@helper
def fade_programme_gains(pf: np.ndarray, p: int, rate: float) -> None:
    """A month after the programme: the share ``rate`` of the skill and job-search skill it
    gave (still held) is lost."""
    loss = rate * pf[p, state.P_PROGRAMME_SKILL_GAIN]
    pf[p, state.P_SKILL] = rules.clip01(pf[p, state.P_SKILL] - loss)
    pf[p, state.P_PROGRAMME_SKILL_GAIN] -= loss
    loss = rate * pf[p, state.P_PROGRAMME_SEARCH_SKILL_GAIN]
    pf[p, state.P_SEARCH_SKILL] = rules.clip01(pf[p, state.P_SEARCH_SKILL] - loss)
    pf[p, state.P_PROGRAMME_SEARCH_SKILL_GAIN] -= loss


#: Distinct target-group bit combinations (5 bits).
N_COMBOS = 32


@row_helper
def tally(pf: np.ndarray, pi: np.ndarray, p: int, month: int, by_combo: np.ndarray) -> None:
    """Add person ``p`` to the census sums by combination of group bits."""
    status = pi[p, state.P_STATUS]
    if status == state.GONE:
        return
    g = person_groups(pi, p)
    then = rules.status_months_ago(pi[p, state.P_STATUS_HISTORY], 3)
    if then != state.STATUS_ABSENT:
        by_combo[tallies.C_TRANSITIONS + 3 * then + status, g] += 1.0
    if status == state.EMPLOYED:
        g |= pi[p, state.P_HIRE_GROUPS] & state.G_LTU
        by_combo[tallies.C_EMPLOYED, g] += 1.0
        # Only people hired out of unemployment belong to a hire cohort (NEVER: never hired so,
        # so far in the past that it matches no cohort).
        since = month - pi[p, state.P_HIRE_MONTH]
        if since == 6:
            by_combo[tallies.C_RETAINED_6M, pi[p, state.P_HIRE_GROUPS]] += 1.0
        elif since == 12:
            by_combo[tallies.C_RETAINED_12M, pi[p, state.P_HIRE_GROUPS]] += 1.0
    elif status == state.UNEMPLOYED:
        by_combo[tallies.C_UNEMPLOYED, g] += 1.0
        by_combo[tallies.C_SUM_UNEMPLOYMENT_DURATION, g] += pi[p, state.P_UNEMPLOYMENT_DURATION]
        if pi[p, state.P_UNEMPLOYMENT_DURATION] >= state.LTU_MONTHS:
            by_combo[tallies.C_LONG_TERM, g] += 1.0
    else:
        by_combo[tallies.C_INACTIVE, g] += 1.0
        return
    by_combo[tallies.C_SUM_SELF_EFFICACY, g] += pf[p, state.P_SELF_EFFICACY]
    by_combo[tallies.C_SUM_TRUST, g] += pf[p, state.P_TRUST]
    by_combo[tallies.C_SUM_SKILL, g] += pf[p, state.P_SKILL]
    by_combo[tallies.C_SUM_EXPERIENCES_OF_SUCCESS, g] += pf[p, state.P_EXPERIENCES_OF_SUCCESS]
    if pi[p, state.P_ENROLLED] >= 0:
        by_combo[tallies.C_PARTICIPANTS, g] += 1.0


@helper
def fold(by_combo: np.ndarray, out: np.ndarray) -> None:
    """Fold sums by group-bit combination into the indicator groups."""
    out[:, :] = 0.0
    for c in range(tallies.N_CENSUS):
        for combo in range(N_COMBOS):
            value = by_combo[c, combo]
            if value != 0.0:
                tallies.add_flow(out, c, combo, value)


@parallel
def census(pf: np.ndarray, pi: np.ndarray, n: int, month: int, out: np.ndarray) -> None:
    """Count stocks and sum states by indicator group.

    Employees hired out of long-term unemployment keep counting in that group, so the group's
    employment rate is the share of (formerly) long-term unemployed people who are in work.
    Sums are gathered per combination of group bits first and folded into the indicator
    groups at the end, so each person is touched once.

    Parameters
    ----------
    month : int
        Current month (for the retention of hire cohorts).
    out : ndarray of float64, shape (tallies.N_CENSUS, N_GROUPS)
        Filled with this month's census (overwritten).
    """
    census_blocks = np.zeros((tallies.n_blocks(n), tallies.N_CENSUS, N_COMBOS))
    for b in prange(census_blocks.shape[0]):
        block_census = census_blocks[b]
        first, last = tallies.block_range(b, n)
        for p in range(first, last):
            tally(pf, pi, p, month, block_census)
    by_combo = np.zeros((tallies.N_CENSUS, N_COMBOS))
    tallies.add_blocks(census_blocks, by_combo)
    fold(by_combo, out)
