"""Consequences of the month and the monthly census.

A hire is an experience of success and raises self-efficacy; a month of applications that all
fail lowers self-efficacy and search effort; skills depreciate in long spells; trust, effort and
employer bias drift back towards their usual levels; in-work support and subsidies run down.
The census then counts stocks and state means by target group, and each person's status joins
their three-month status history (what the survey's quarterly transitions compare).
"""

from __future__ import annotations

import numpy as np

from simulator import interventions as IV
from simulator import packed as K
from simulator import rules
from simulator import state as S
from simulator.jit import helper, njit
from simulator.kernels.demand import person_groups, update_traits


@njit(cache=True)
def consequences_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    ef: np.ndarray,
    iv: np.ndarray,
    par: np.ndarray,
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
    out : ndarray of float64, shape (N_CENSUS, N_GROUPS)
        Filled with the census at the end of the month (overwritten).
    """
    by_combo = np.zeros((N_CENSUS, N_COMBOS), dtype=np.float64)
    on_eff = par[K.K_ON_SELF_EFFICACY] > 0.0
    on_trust = par[K.K_ON_TRUST] > 0.0
    for p in range(n):
        status = pi[p, S.P_STATUS]
        if status == S.GONE:
            continue
        age = pi[p, S.P_AGE] + 1
        pi[p, S.P_AGE] = age
        if age == S.YOUNG_MAX_MONTHS or age == S.OLDER_MIN_MONTHS:
            update_traits(pi, p)
        if status == S.EMPLOYED:
            pi[p, S.P_TENURE] += 1
            if on_eff:
                eff = pf[p, S.P_EFFICACY]
                eff += par[K.K_EFFICACY_RECOVERY_AT_WORK] * (par[K.K_INIT_EFFICACY] - eff)
                pf[p, S.P_EFFICACY] = eff
            if pi[p, S.P_HIRED_NOW] == 1:
                pf[p, S.P_SUCCESSES] += 1.0
                if on_eff:
                    eff = pf[p, S.P_EFFICACY]
                    pf[p, S.P_EFFICACY] = eff + par[K.K_EFFICACY_GAIN_HIRE] * (1.0 - eff)
            left = pi[p, S.P_SUPPORT_LEFT]
            if left > 0:
                k = pi[p, S.P_SUPPORT_K]
                cost[k] += iv[k, IV.IV_SUBSIDY]
                pi[p, S.P_SUPPORT_LEFT] = left - 1
        elif status == S.INACTIVE:
            pi[p, S.P_INACTIVE_MONTHS] += 1
        elif status == S.UNEMPLOYED:
            pi[p, S.P_UDUR] += 1
            if pi[p, S.P_UDUR] > rules.DEPRECIATION_AFTER:
                pf[p, S.P_SKILL] = rules.clip01(pf[p, S.P_SKILL] - par[K.K_SKILL_DEPRECIATION])
            effort = pf[p, S.P_EFFORT]
            if pi[p, S.P_APPLIED] > 0:
                if on_eff:
                    pf[p, S.P_EFFICACY] = rules.clip01(
                        pf[p, S.P_EFFICACY] - par[K.K_EFFICACY_LOSS_REJECTION]
                    )
                effort -= par[K.K_EFFORT_LOSS_REJECTION]
            effort += par[K.K_EFFORT_RECOVERY] * (pf[p, S.P_EFFORT0] - effort)
            pf[p, S.P_EFFORT] = rules.clip01(effort)
        if on_trust:
            trust = pf[p, S.P_TRUST]
            pf[p, S.P_TRUST] = trust + par[K.K_TRUST_DECAY] * (pf[p, S.P_TRUST0] - trust)
        if pi[p, S.P_ENROLLED] >= 0:
            left = pi[p, S.P_ENROL_LEFT] - 1
            pi[p, S.P_ENROL_LEFT] = left
            if left <= 0:
                pi[p, S.P_ENROLLED] = -1
        pi[p, S.P_APPLIED] = 0
        pi[p, S.P_HIRED_NOW] = 0
        tally(pf, pi, p, month, by_combo)
        pi[p, S.P_STATUS_HISTORY] = rules.push_status(pi[p, S.P_STATUS_HISTORY], status)
    fold(by_combo, out)
    relapse = par[K.K_BIAS_RELAPSE]
    for e in range(ef.shape[0]):
        ef[e, S.E_BIAS] += relapse * (ef[e, S.E_BIAS0] - ef[e, S.E_BIAS])


# Census columns.
C_EMPLOYED = 0
C_UNEMPLOYED = 1
C_INACTIVE = 2
C_LONG_TERM = 3
C_SUM_EFFICACY = 4
C_SUM_TRUST = 5
C_SUM_SKILL = 6
C_PARTICIPANTS = 7
C_SUM_UDUR = 8
C_SUM_SUCCESSES = 9
C_RETAINED_6M = 10  # employed and hired out of unemployment 6 months ago (by groups at hire)
C_RETAINED_12M = 11
#: Survey transitions: people in the population now and three month ends ago, by their status
#: then (E, U, I) and now; column ``C_TRANSITIONS + 3 * then + now``.
C_TRANSITIONS = 12
N_CENSUS = C_TRANSITIONS + 9


#: Distinct target-group bit combinations (5 bits).
N_COMBOS = 32


@helper
def tally(pf: np.ndarray, pi: np.ndarray, p: int, month: int, by_combo: np.ndarray) -> None:
    """Add person ``p`` to the census sums by combination of group bits."""
    status = pi[p, S.P_STATUS]
    if status == S.GONE:
        return
    g = person_groups(pi, p)
    then = rules.status_months_ago(pi[p, S.P_STATUS_HISTORY], 3)
    if then != S.STATUS_ABSENT:
        by_combo[C_TRANSITIONS + 3 * then + status, g] += 1.0
    if status == S.EMPLOYED:
        g |= pi[p, S.P_HIRE_GROUPS] & S.G_LTU
        by_combo[C_EMPLOYED, g] += 1.0
        # Only people hired out of unemployment belong to a hire cohort (NEVER: never hired so,
        # so far in the past that it matches no cohort).
        since = month - pi[p, S.P_HIRE_MONTH]
        if since == 6:
            by_combo[C_RETAINED_6M, pi[p, S.P_HIRE_GROUPS]] += 1.0
        elif since == 12:
            by_combo[C_RETAINED_12M, pi[p, S.P_HIRE_GROUPS]] += 1.0
    elif status == S.UNEMPLOYED:
        by_combo[C_UNEMPLOYED, g] += 1.0
        by_combo[C_SUM_UDUR, g] += pi[p, S.P_UDUR]
        if pi[p, S.P_UDUR] >= S.LTU_MONTHS:
            by_combo[C_LONG_TERM, g] += 1.0
    else:
        by_combo[C_INACTIVE, g] += 1.0
        return
    by_combo[C_SUM_EFFICACY, g] += pf[p, S.P_EFFICACY]
    by_combo[C_SUM_TRUST, g] += pf[p, S.P_TRUST]
    by_combo[C_SUM_SKILL, g] += pf[p, S.P_SKILL]
    by_combo[C_SUM_SUCCESSES, g] += pf[p, S.P_SUCCESSES]
    if pi[p, S.P_ENROLLED] >= 0:
        by_combo[C_PARTICIPANTS, g] += 1.0


@helper
def fold(by_combo: np.ndarray, out: np.ndarray) -> None:
    """Fold sums by group-bit combination into the indicator groups."""
    out[:, :] = 0.0
    for c in range(N_CENSUS):
        for combo in range(N_COMBOS):
            value = by_combo[c, combo]
            if value != 0.0:
                K.add_flow(out, c, combo, value)


@njit(cache=True)
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
    out : ndarray of float64, shape (N_CENSUS, N_GROUPS)
        Filled with this month's census (overwritten).
    """
    by_combo = np.zeros((N_CENSUS, N_COMBOS), dtype=np.float64)
    for p in range(n):
        tally(pf, pi, p, month, by_combo)
    fold(by_combo, out)
