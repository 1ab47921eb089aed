"""Labour demand and labour-force flows: job destruction and creation, then every flow between
employment, unemployment and inactivity that does not go through hiring (E->U separations,
E->I and U->I exits from the labour force, I->U returns to search), retirements and new
entrants. Hires (U->E, I->E) happen in matching."""

from __future__ import annotations

import numpy as np
from numba import prange

from simulator import interventions, rules, state, streams, tallies
from simulator.jit import helper, njit, parallel, row_helper
from simulator.kernel_params import KernelParams


@helper
def vacate(qi: np.ndarray, q: int, month: int) -> None:
    """Make position ``q`` a fresh vacancy whose chain starts here."""
    qi[q, state.Q_HOLDER] = -1
    qi[q, state.Q_STATE] = state.PENDING
    qi[q, state.Q_VACANT_SINCE] = month
    qi[q, state.Q_CHAIN_LENGTH] = 0
    qi[q, state.Q_CHAIN_FROM_MOBILITY] = 0
    qi[q, state.Q_CHAIN_START_LEVEL] = qi[q, state.Q_LEVEL]


@helper
def record_job_loss(pi: np.ndarray, p: int, month: int, flows: np.ndarray) -> None:
    """Count the end of a job for the retention of its hire cohort."""
    # Never hired so: the month stamp lies far in the past, outside every window.
    since = month - pi[p, state.P_HIRE_MONTH]
    g = pi[p, state.P_HIRE_GROUPS]
    if since < 6:
        tallies.add_flow(flows, tallies.F_LOST_WITHIN_6M, g, 1.0)
    if since < 12:
        tallies.add_flow(flows, tallies.F_LOST_WITHIN_12M, g, 1.0)


@helper
def to_unemployment(pi: np.ndarray, p: int) -> None:
    """A person starts a new unemployment spell."""
    pi[p, state.P_STATUS] = state.UNEMPLOYED
    pi[p, state.P_POSITION] = -1
    pi[p, state.P_EMPLOYER] = -1
    pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
    pi[p, state.P_TENURE] = 0
    pi[p, state.P_SUPPORT_LEFT] = 0
    pi[p, state.P_SUPPORT_INTERVENTION] = -1
    pi[p, state.P_ENROLLED] = -1
    pi[p, state.P_ENROLMENT_LEFT] = 0


@helper
def leave_labour_force(pi: np.ndarray, p: int) -> None:
    """A person who holds no job becomes inactive; any participation ends."""
    pi[p, state.P_STATUS] = state.INACTIVE
    pi[p, state.P_INACTIVE_MONTHS] = 0
    pi[p, state.P_ENROLLED] = -1
    pi[p, state.P_ENROLMENT_LEFT] = 0


@helper
def labour_force_exit_multiplier(pi: np.ndarray, p: int, par: KernelParams) -> float:
    """Relative risk of person ``p`` leaving the labour force (by age and work ability)."""
    return rules.exit_multiplier(
        pi[p, state.P_AGE_MONTHS],
        pi[p, state.P_PARTIAL_ABILITY],
        par.young_exit_multiplier,
        par.older_exit_multiplier,
        par.partial_exit_multiplier,
    )


@row_helper
def person_groups(pi: np.ndarray, p: int) -> int:
    """Target-group bits of person ``p``."""
    return rules.group_bits(
        pi[p, state.P_STATUS], pi[p, state.P_UNEMPLOYMENT_DURATION], pi[p, state.P_TRAIT_GROUPS]
    )


@helper
def update_traits(pi: np.ndarray, p: int) -> None:
    """Recompute the target-group traits of person ``p`` (on entry and as they age)."""
    pi[p, state.P_TRAIT_GROUPS] = rules.trait_bits(
        pi[p, state.P_AGE_MONTHS],
        pi[p, state.P_FEMALE],
        pi[p, state.P_MIGRANT],
        pi[p, state.P_PARTIAL_ABILITY],
    )


@helper
def end_of_support_risk(pi: np.ndarray, p: int, iv: np.ndarray, month: int) -> float:
    """Extra separation probability of employee ``p`` in the first month after their in-work
    support (and subsidy) ran out: the paying intervention's end-of-support separation."""
    k = pi[p, state.P_SUPPORT_INTERVENTION]
    if k < 0 or pi[p, state.P_SUPPORT_LEFT] != 0:
        return 0.0
    if month - pi[p, state.P_HIRE_MONTH] != int(iv[k, interventions.IV_INWORK]):
        return 0.0
    return iv[k, interventions.IV_END_SEPARATION]


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
    iv: np.ndarray,
    par: KernelParams,
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
    qi : ndarray of int32, shape (n_slots, columns)
        Position table.
    level_start : ndarray of int64, shape (n_employers, n_levels + 1)
        Slot ranges per employer and level.
    target : ndarray of float64, shape (n_employers, n_levels)
        Steady-state positions per employer and level.
    ei : ndarray of int32, shape (n_employers, columns)
        Employer int table.
    destruction : ndarray of float64, shape (n_sectors,)
        Monthly job-destruction rate per sector.
    creation_multiplier : float
        Job creation relative to the steady-state rate this month.
    iv : ndarray of float64, shape (K, IV_N_COLUMNS)
        Compiled interventions (separations when in-work support ends).
    par : ndarray of float64
        Packed parameters (:mod:`simulator.tallies`).
    key : uint64
        Run key.
    month : int
        Current month.
    flows : ndarray of float64, shape (N_FLOWS, N_GROUPS)
        Monthly counters, updated in place.
    """
    position_flows(
        pi, qi, level_start, target, ei, destruction, creation_multiplier, key, month, flows
    )
    person_flows(pf, pi, n, qi, iv, par, key, month, flows)


@parallel
def position_flows(
    pi: np.ndarray,
    qi: np.ndarray,
    level_start: np.ndarray,
    target: np.ndarray,
    ei: np.ndarray,
    destruction: np.ndarray,
    creation_multiplier: float,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Job destruction (the holder loses the job) and creation, slot by slot (each slot's
    draws, and its own holder only: no one holds two slots, so blocks of slots run in
    parallel)."""
    blocks = np.zeros((tallies.n_blocks(qi.shape[0]), flows.shape[0], flows.shape[1]))
    for b in prange(blocks.shape[0]):
        block_flows = blocks[b]
        first, last = tallies.block_range(b, qi.shape[0])
        for q in range(first, last):
            e = qi[q, state.Q_EMPLOYER]
            rate = destruction[ei[e, state.E_SECTOR]]
            if qi[q, state.Q_ACTIVE] == 1:
                if streams.uniform(key, streams.STREAM_DESTROY, month, q, 0) < rate:
                    qi[q, state.Q_ACTIVE] = 0
                    qi[q, state.Q_CARVED] = 0
                    qi[q, state.Q_STATE] = state.FILLED
                    tallies.add_flow(block_flows, tallies.F_JOBS_DESTROYED, 0, 1.0)
                    h = qi[q, state.Q_HOLDER]
                    if h >= 0:
                        qi[q, state.Q_HOLDER] = -1
                        g = person_groups(pi, h)
                        record_job_loss(pi, h, month, block_flows)
                        to_unemployment(pi, h)
                        tallies.add_flow(block_flows, tallies.F_SEPARATIONS, g, 1.0)
            else:
                lv = qi[q, state.Q_LEVEL]
                slots = level_start[e, lv + 1] - level_start[e, lv]
                p_create = rules.creation_probability(
                    rate, creation_multiplier * target[e, lv], slots
                )
                if streams.uniform(key, streams.STREAM_CREATE, month, q, 0) < p_create:
                    qi[q, state.Q_ACTIVE] = 1
                    qi[q, state.Q_CARVED] = 0
                    vacate(qi, q, month)
                    tallies.add_flow(block_flows, tallies.F_JOBS_CREATED, 0, 1.0)
    tallies.add_blocks(blocks, flows)


@parallel
def person_flows(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    qi: np.ndarray,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Retirements, separations and the flows between labour-market states, person by
    person (each person's draws and their own position only, so blocks of rows run in
    parallel)."""
    retire_at = par.retirement_age_months
    blocks = np.zeros((tallies.n_blocks(n), flows.shape[0], flows.shape[1]))
    for b in prange(blocks.shape[0]):
        block_flows = blocks[b]
        first, last = tallies.block_range(b, n)
        for p in range(first, last):
            status = pi[p, state.P_STATUS]
            if status == state.GONE:
                continue
            g = person_groups(pi, p)
            if pi[p, state.P_AGE_MONTHS] >= retire_at:
                if status == state.EMPLOYED:
                    q = pi[p, state.P_POSITION]
                    vacate(qi, q, month)
                    record_job_loss(pi, p, month, block_flows)
                pi[p, state.P_STATUS] = state.GONE
                pi[p, state.P_POSITION] = -1
                pi[p, state.P_EMPLOYER] = -1
                pi[p, state.P_ENROLLED] = -1
                tallies.add_retirement(block_flows, status, g)
                continue
            if status == state.EMPLOYED:
                exit_risk = par.employment_exit_rate * labour_force_exit_multiplier(pi, p, par)
                if streams.uniform(key, streams.STREAM_EMPLOYMENT_EXIT, month, p, 0) < exit_risk:
                    vacate(qi, pi[p, state.P_POSITION], month)
                    record_job_loss(pi, p, month, block_flows)
                    to_unemployment(pi, p)
                    leave_labour_force(pi, p)
                    tallies.add_flow(block_flows, tallies.F_EMPLOYMENT_EXITS_TO_INACTIVITY, g, 1.0)
                    continue
                multiplier = par.vulnerable_separation_multiplier if rules.is_vulnerable(g) else 1.0
                risk = par.dismissal_rate
                hire = pi[p, state.P_HIRE_MONTH]
                if month - hire < par.probation_months:
                    early = par.probation_separation
                    if pi[p, state.P_SUPPORT_LEFT] > 0:
                        early *= 1.0 - par.supported_retention
                    risk += early
                hazard = par.quit_rate + multiplier * risk
                hazard += end_of_support_risk(pi, p, iv, month)
                if streams.uniform(key, streams.STREAM_QUIT, month, p, 0) < hazard:
                    q = pi[p, state.P_POSITION]
                    vacate(qi, q, month)
                    record_job_loss(pi, p, month, block_flows)
                    to_unemployment(pi, p)
                    tallies.add_flow(block_flows, tallies.F_SEPARATIONS, g, 1.0)
            elif status == state.UNEMPLOYED:
                p_exit = par.inactivity_exit_rate * labour_force_exit_multiplier(pi, p, par)
                if (
                    par.self_efficacy_on > 0.0
                    and pf[p, state.P_SELF_EFFICACY] < par.discouragement_threshold
                ):
                    p_exit += par.discouraged_exit
                if streams.uniform(key, streams.STREAM_LF_EXIT, month, p, 0) < p_exit:
                    leave_labour_force(pi, p)
                    tallies.add_flow(block_flows, tallies.F_EXITS_TO_INACTIVITY, g, 1.0)
            else:  # inactive
                p_return = par.reentry_rate * rules.return_multiplier(
                    pi[p, state.P_AGE_MONTHS],
                    pi[p, state.P_INACTIVE_MONTHS],
                    par.older_return_multiplier,
                    par.recent_return_multiplier,
                    par.recent_inactive_months,
                )
                if streams.uniform(key, streams.STREAM_REENTRY, month, p, 0) < p_return:
                    pi[p, state.P_STATUS] = state.UNEMPLOYED
                    # After a short break (the marginally attached) the search goes on and
                    # its months count, as survey respondents report it; after a longer
                    # spell out of the labour force it starts anew.
                    if pi[p, state.P_INACTIVE_MONTHS] >= par.recent_inactive_months:
                        pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
                    pf[p, state.P_SEARCH_EFFORT] = pf[p, state.P_INITIAL_SEARCH_EFFORT]
                    tallies.add_flow(block_flows, tallies.F_REENTRIES, person_groups(pi, p), 1.0)
    tallies.add_blocks(blocks, flows)


@njit(inline="always")
def _eu(key: np.uint64, month: int, k: int, sub: int) -> float:
    return streams.uniform(key, streams.STREAM_ENTRANT, month, k, sub)


@njit(cache=True)
def add_entrants(
    pf: np.ndarray,
    pi: np.ndarray,
    first: int,
    n_school: int,
    n_migrant: int,
    par: KernelParams,
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
            youngest, oldest = par.migrant_age_min, par.migrant_age_max
            skill, skill_sd = par.migrant_skill, par.migrant_skill_spread
        else:
            youngest, oldest = par.school_leaver_age_min, par.school_leaver_age_max
            skill, skill_sd = par.school_leaver_skill, par.school_leaver_skill_spread
        age_years = youngest + (oldest - youngest) * _eu(key, month, k, 1)
        skill += rules.noise(_eu(key, month, k, 2), _eu(key, month, k, 3), skill_sd)
        inactive = _eu(key, month, k, 19) < par.entrant_inactive_share
        pi[p, state.P_STATUS] = state.INACTIVE if inactive else state.UNEMPLOYED
        pi[p, state.P_STATUS_HISTORY] = state.HISTORY_ABSENT
        # Still in education: not among the recently inactive who churn with unemployment.
        pi[p, state.P_INACTIVE_MONTHS] = int(par.recent_inactive_months)
        pi[p, state.P_AGE_MONTHS] = int(age_years * 12.0)
        pi[p, state.P_FEMALE] = 1 if _eu(key, month, k, 4) < par.share_female else 0
        pi[p, state.P_MIGRANT] = migrant
        partial = 1 if _eu(key, month, k, 5) < par.share_partial_ability else 0
        pi[p, state.P_PARTIAL_ABILITY] = partial
        pi[p, state.P_POSITION] = -1
        pi[p, state.P_EMPLOYER] = -1
        pi[p, state.P_ENROLLED] = -1
        pi[p, state.P_SUPPORT_INTERVENTION] = -1
        pi[p, state.P_HIRE_MONTH] = state.NEVER
        pi[p, state.P_MOVED_MONTH] = -1
        pi[p, state.P_ENTRY_MONTH] = month
        pi[p, state.P_LAST_INTERVENTION] = -1
        update_traits(pi, p)
        pf[p, state.P_SKILL] = rules.clip01(skill)
        lowest, highest = par.partial_work_ability_min, par.partial_work_ability_max
        u_ability = _eu(key, month, k, 6)
        pf[p, state.P_WORK_ABILITY] = (
            lowest + (highest - lowest) * u_ability if partial == 1 else 1.0
        )
        spread = par.state_spread
        pf[p, state.P_SELF_EFFICACY] = rules.clip01(
            par.initial_self_efficacy
            + rules.noise(_eu(key, month, k, 7), _eu(key, month, k, 8), spread)
        )
        trust = rules.clip01(
            par.initial_trust + rules.noise(_eu(key, month, k, 9), _eu(key, month, k, 10), spread)
        )
        pf[p, state.P_TRUST] = trust
        pf[p, state.P_INITIAL_TRUST] = trust
        pf[p, state.P_SEARCH_SKILL] = rules.clip01(
            par.initial_search_skill
            - par.search_skill_gap
            + rules.noise(_eu(key, month, k, 11), _eu(key, month, k, 12), spread)
        )
        effort = rules.clip01(
            par.initial_search_effort
            + rules.noise(_eu(key, month, k, 13), _eu(key, month, k, 14), spread)
        )
        pf[p, state.P_SEARCH_EFFORT] = effort
        pf[p, state.P_INITIAL_SEARCH_EFFORT] = effort
        pf[p, state.P_MOTIVATION] = rules.clip01(
            par.initial_motivation
            + rules.noise(_eu(key, month, k, 15), _eu(key, month, k, 16), spread)
        )
        pf[p, state.P_AWARENESS] = rules.clip01(
            par.initial_awareness
            - par.awareness_gap
            + rules.noise(_eu(key, month, k, 17), _eu(key, month, k, 18), par.awareness_spread)
        )
        tallies.add_flow(flows, tallies.F_ENTRANTS, person_groups(pi, p), 1.0)
        if inactive:
            tallies.add_flow(flows, tallies.F_INACTIVE_ENTRANTS, person_groups(pi, p), 1.0)
