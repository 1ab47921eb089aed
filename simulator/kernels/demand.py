"""Labour demand and labour-force flows: job destruction and creation, then every flow between
employment, unemployment and inactivity that does not go through hiring (E->U separations,
E->I and U->I exits from the labour force, I->U returns to search), retirements and new
entrants. Hires (U->E, I->E) happen in matching."""

from __future__ import annotations

import numpy as np

from simulator import packed as K
from simulator import rng as R
from simulator import rules
from simulator import state as S
from simulator.jit import helper, njit


@helper
def vacate(qi: np.ndarray, q: int, month: int) -> None:
    """Make position ``q`` a fresh vacancy whose chain starts here."""
    qi[q, S.Q_HOLDER] = -1
    qi[q, S.Q_STATE] = S.PENDING
    qi[q, S.Q_VAC_SINCE] = month
    qi[q, S.Q_CHAIN_LEN] = 0
    qi[q, S.Q_CHAIN_MOB] = 0
    qi[q, S.Q_CHAIN_LEVEL] = qi[q, S.Q_LEVEL]


@helper
def record_job_loss(pi: np.ndarray, p: int, month: int, flows: np.ndarray) -> None:
    """Count the end of a job for the retention of its hire cohort."""
    # Never hired so: the month stamp lies far in the past, outside every window.
    since = month - pi[p, S.P_HIRE_MONTH]
    g = pi[p, S.P_HIRE_GROUPS]
    if since < 6:
        K.add_flow(flows, K.F_LOST_WITHIN_6M, g, 1.0)
    if since < 12:
        K.add_flow(flows, K.F_LOST_WITHIN_12M, g, 1.0)


@helper
def to_unemployment(pi: np.ndarray, p: int) -> None:
    """A person starts a new unemployment spell."""
    pi[p, S.P_STATUS] = S.UNEMPLOYED
    pi[p, S.P_POSITION] = -1
    pi[p, S.P_EMPLOYER] = -1
    pi[p, S.P_UDUR] = 0
    pi[p, S.P_TENURE] = 0
    pi[p, S.P_SUPPORT_LEFT] = 0
    pi[p, S.P_SUPPORT_K] = -1
    pi[p, S.P_ENROLLED] = -1
    pi[p, S.P_ENROL_LEFT] = 0


@helper
def leave_labour_force(pi: np.ndarray, p: int) -> None:
    """A person who holds no job becomes inactive; any participation ends."""
    pi[p, S.P_STATUS] = S.INACTIVE
    pi[p, S.P_INACTIVE_MONTHS] = 0
    pi[p, S.P_ENROLLED] = -1
    pi[p, S.P_ENROL_LEFT] = 0


@helper
def labour_force_exit_multiplier(pi: np.ndarray, p: int, par: np.ndarray) -> float:
    """Relative risk of person ``p`` leaving the labour force (by age and work ability)."""
    return rules.exit_multiplier(
        pi[p, S.P_AGE],
        pi[p, S.P_PARTIAL],
        par[K.K_YOUNG_EXIT_MULTIPLIER],
        par[K.K_OLDER_EXIT_MULTIPLIER],
        par[K.K_PARTIAL_EXIT_MULTIPLIER],
    )


@helper
def person_groups(pi: np.ndarray, p: int) -> int:
    """Target-group bits of person ``p``."""
    return rules.group_bits(pi[p, S.P_STATUS], pi[p, S.P_UDUR], pi[p, S.P_TRAITS])


@helper
def update_traits(pi: np.ndarray, p: int) -> None:
    """Recompute the target-group traits of person ``p`` (on entry and as they age)."""
    pi[p, S.P_TRAITS] = rules.trait_bits(
        pi[p, S.P_AGE], pi[p, S.P_FEMALE], pi[p, S.P_MIGRANT], pi[p, S.P_PARTIAL]
    )


@njit(cache=True)
def demand_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    qi: np.ndarray,
    level_start: np.ndarray,
    target: np.ndarray,
    ei: np.ndarray,
    destruction: np.ndarray,
    creation_multiplier: float,
    par: np.ndarray,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Job destruction and creation, then separations and labour-force exits and returns.

    Parameters
    ----------
    pf, pi : ndarray, shape (capacity, columns)
        Person float and int tables (rows ``0..n-1`` are people).
    n : int
        Number of person rows in use.
    qi : ndarray of int64, shape (n_slots, columns)
        Position table.
    level_start : ndarray of int64, shape (n_employers, n_levels + 1)
        Slot ranges per employer and level.
    target : ndarray of float64, shape (n_employers, n_levels)
        Steady-state positions per employer and level.
    ei : ndarray of int64, shape (n_employers, columns)
        Employer int table.
    destruction : ndarray of float64, shape (n_sectors,)
        Monthly job-destruction rate per sector.
    creation_multiplier : float
        Job creation relative to the steady-state rate this month.
    par : ndarray of float64
        Packed parameters (:mod:`simulator.packed`).
    key : uint64
        Run key.
    month : int
        Current month.
    flows : ndarray of float64, shape (N_FLOWS, N_GROUPS)
        Monthly counters, updated in place.
    """
    for q in range(qi.shape[0]):
        e = qi[q, S.Q_EMPLOYER]
        rate = destruction[ei[e, S.E_SECTOR]]
        if qi[q, S.Q_ACTIVE] == 1:
            if R.uniform(key, R.STREAM_DESTROY, month, q, 0) < rate:
                qi[q, S.Q_ACTIVE] = 0
                qi[q, S.Q_CARVED] = 0
                qi[q, S.Q_STATE] = S.FILLED
                K.add_flow(flows, K.F_JOBS_DESTROYED, 0, 1.0)
                h = qi[q, S.Q_HOLDER]
                if h >= 0:
                    qi[q, S.Q_HOLDER] = -1
                    g = person_groups(pi, h)
                    record_job_loss(pi, h, month, flows)
                    to_unemployment(pi, h)
                    K.add_flow(flows, K.F_SEPARATIONS, g, 1.0)
        else:
            lv = qi[q, S.Q_LEVEL]
            slots = level_start[e, lv + 1] - level_start[e, lv]
            p_create = rules.creation_probability(rate, creation_multiplier * target[e, lv], slots)
            if R.uniform(key, R.STREAM_CREATE, month, q, 0) < p_create:
                qi[q, S.Q_ACTIVE] = 1
                qi[q, S.Q_CARVED] = 0
                vacate(qi, q, month)
                K.add_flow(flows, K.F_JOBS_CREATED, 0, 1.0)

    retire_at = par[K.K_RETIREMENT_MONTHS]
    for p in range(n):
        status = pi[p, S.P_STATUS]
        if status == S.GONE:
            continue
        g = person_groups(pi, p)
        if pi[p, S.P_AGE] >= retire_at:
            if status == S.EMPLOYED:
                q = pi[p, S.P_POSITION]
                vacate(qi, q, month)
                record_job_loss(pi, p, month, flows)
            pi[p, S.P_STATUS] = S.GONE
            pi[p, S.P_POSITION] = -1
            pi[p, S.P_EMPLOYER] = -1
            pi[p, S.P_ENROLLED] = -1
            K.add_retirement(flows, status, g)
            continue
        if status == S.EMPLOYED:
            exit_risk = par[K.K_EMPLOYMENT_EXIT] * labour_force_exit_multiplier(pi, p, par)
            if R.uniform(key, R.STREAM_EMPLOYMENT_EXIT, month, p, 0) < exit_risk:
                vacate(qi, pi[p, S.P_POSITION], month)
                record_job_loss(pi, p, month, flows)
                to_unemployment(pi, p)
                leave_labour_force(pi, p)
                K.add_flow(flows, K.F_EMPLOYMENT_EXITS_TO_INACTIVITY, g, 1.0)
                continue
            multiplier = par[K.K_VULNERABLE_MULTIPLIER] if rules.is_vulnerable(g) else 1.0
            risk = par[K.K_DISMISSAL_RATE]
            hire = pi[p, S.P_HIRE_MONTH]
            if month - hire < rules.PROBATION_MONTHS:
                early = par[K.K_PROBATION_SEPARATION]
                if pi[p, S.P_SUPPORT_LEFT] > 0:
                    early *= 1.0 - par[K.K_SUPPORTED_RETENTION]
                risk += early
            hazard = par[K.K_QUIT_RATE] + multiplier * risk
            if R.uniform(key, R.STREAM_QUIT, month, p, 0) < hazard:
                q = pi[p, S.P_POSITION]
                vacate(qi, q, month)
                record_job_loss(pi, p, month, flows)
                to_unemployment(pi, p)
                K.add_flow(flows, K.F_SEPARATIONS, g, 1.0)
        elif status == S.UNEMPLOYED:
            p_exit = par[K.K_INACTIVITY_EXIT] * labour_force_exit_multiplier(pi, p, par)
            if (
                par[K.K_ON_SELF_EFFICACY] > 0.0
                and pf[p, S.P_EFFICACY] < par[K.K_DISCOURAGEMENT_THRESHOLD]
            ):
                p_exit += par[K.K_DISCOURAGED_EXIT]
            if R.uniform(key, R.STREAM_LF_EXIT, month, p, 0) < p_exit:
                leave_labour_force(pi, p)
                K.add_flow(flows, K.F_EXITS_TO_INACTIVITY, g, 1.0)
        else:  # inactive
            p_return = par[K.K_REENTRY_RATE] * rules.return_multiplier(
                pi[p, S.P_AGE],
                pi[p, S.P_INACTIVE_MONTHS],
                par[K.K_OLDER_RETURN_MULTIPLIER],
                par[K.K_RECENT_RETURN_MULTIPLIER],
            )
            if R.uniform(key, R.STREAM_REENTRY, month, p, 0) < p_return:
                pi[p, S.P_STATUS] = S.UNEMPLOYED
                # After a short break (the marginally attached) the search goes on and its
                # months count, as survey respondents report it; after a year out it starts anew.
                if pi[p, S.P_INACTIVE_MONTHS] >= S.RECENT_INACTIVE_MONTHS:
                    pi[p, S.P_UDUR] = 0
                pf[p, S.P_EFFORT] = pf[p, S.P_EFFORT0]
                K.add_flow(flows, K.F_REENTRIES, person_groups(pi, p), 1.0)


@njit(inline="always")
def _eu(key: np.uint64, month: int, k: int, sub: int) -> float:
    return R.uniform(key, R.STREAM_ENTRANT, month, k, sub)


@njit(cache=True)
def add_entrants(
    pf: np.ndarray,
    pi: np.ndarray,
    first: int,
    n_school: int,
    n_migrant: int,
    par: np.ndarray,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Write new entrants (school leavers, then migrants) into rows from ``first``: unemployed,
    or inactive (still studying, not yet searching) with the entrant inactive share.

    Attributes are drawn from the entrant's number within the month, not its row, so both
    arms of a comparison get the same entrants.
    """
    for k in range(n_school + n_migrant):
        p = first + k
        migrant = 1 if k >= n_school else 0
        for c in range(pf.shape[1]):
            pf[p, c] = 0.0
        for c in range(pi.shape[1]):
            pi[p, c] = 0
        if migrant == 1:
            age_years = 20.0 + 30.0 * _eu(key, month, k, 1)
            skill = 0.42 + rules.noise(_eu(key, month, k, 2), _eu(key, month, k, 3), 0.15)
        else:
            age_years = 18.0 + 6.0 * _eu(key, month, k, 1)
            skill = 0.40 + rules.noise(_eu(key, month, k, 2), _eu(key, month, k, 3), 0.12)
        inactive = _eu(key, month, k, 19) < par[K.K_ENTRANT_INACTIVE_SHARE]
        pi[p, S.P_STATUS] = S.INACTIVE if inactive else S.UNEMPLOYED
        pi[p, S.P_STATUS_HISTORY] = S.HISTORY_ABSENT
        # Still in education: not among the recently inactive who churn with unemployment.
        pi[p, S.P_INACTIVE_MONTHS] = S.RECENT_INACTIVE_MONTHS
        pi[p, S.P_AGE] = int(age_years * 12.0)
        pi[p, S.P_FEMALE] = 1 if _eu(key, month, k, 4) < par[K.K_SHARE_FEMALE] else 0
        pi[p, S.P_MIGRANT] = migrant
        partial = 1 if _eu(key, month, k, 5) < par[K.K_SHARE_PARTIAL] else 0
        pi[p, S.P_PARTIAL] = partial
        pi[p, S.P_POSITION] = -1
        pi[p, S.P_EMPLOYER] = -1
        pi[p, S.P_ENROLLED] = -1
        pi[p, S.P_SUPPORT_K] = -1
        pi[p, S.P_HIRE_MONTH] = S.NEVER
        pi[p, S.P_MOVED_MONTH] = -1
        pi[p, S.P_ENTRY_MONTH] = month
        pi[p, S.P_LAST_IV] = -1
        update_traits(pi, p)
        pf[p, S.P_SKILL] = rules.clip01(skill)
        pf[p, S.P_WORK_ABILITY] = 0.4 + 0.4 * _eu(key, month, k, 6) if partial == 1 else 1.0
        pf[p, S.P_EFFICACY] = rules.clip01(
            par[K.K_INIT_EFFICACY] + rules.noise(_eu(key, month, k, 7), _eu(key, month, k, 8), 0.15)
        )
        trust = rules.clip01(
            par[K.K_INIT_TRUST] + rules.noise(_eu(key, month, k, 9), _eu(key, month, k, 10), 0.15)
        )
        pf[p, S.P_TRUST] = trust
        pf[p, S.P_TRUST0] = trust
        pf[p, S.P_SEARCH_SKILL] = rules.clip01(
            par[K.K_INIT_SEARCH_SKILL]
            - 0.1
            + rules.noise(_eu(key, month, k, 11), _eu(key, month, k, 12), 0.15)
        )
        effort = rules.clip01(
            0.7 + rules.noise(_eu(key, month, k, 13), _eu(key, month, k, 14), 0.15)
        )
        pf[p, S.P_EFFORT] = effort
        pf[p, S.P_EFFORT0] = effort
        pf[p, S.P_MOTIVATION] = rules.clip01(
            par[K.K_INIT_MOTIVATION]
            + rules.noise(_eu(key, month, k, 15), _eu(key, month, k, 16), 0.15)
        )
        pf[p, S.P_AWARENESS] = rules.clip01(
            par[K.K_INIT_AWARENESS]
            - 0.1
            + rules.noise(_eu(key, month, k, 17), _eu(key, month, k, 18), 0.1)
        )
        K.add_flow(flows, K.F_ENTRANTS, person_groups(pi, p), 1.0)
        if inactive:
            K.add_flow(flows, K.F_INACTIVE_ENTRANTS, person_groups(pi, p), 1.0)
