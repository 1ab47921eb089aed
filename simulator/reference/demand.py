"""Phase 1 of the month, demand: jobs are destroyed and created, people retire, leave the
labour force, separate from their jobs or return to search, and new people enter.

Written from the model's rules (README, "A tour of the model"), one position and one person at
a time; the numba versions are :func:`simulator.kernels.demand.demand_step` and
:func:`simulator.kernels.demand.add_entrants`.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from simulator import interventions, rules, state, streams, tallies
from simulator.kernel_params import KernelParams
from simulator.reference.common import (
    add_flow,
    clip01,
    draw,
    return_multiplier,
    target_groups,
    trait_bits,
)


def _vacancy_from_scratch(qi: np.ndarray, q: int, month: int) -> None:
    """Position ``q`` becomes a vacancy awaiting its chain decision; its chain starts here."""
    qi[q, state.Q_HOLDER] = -1
    qi[q, state.Q_STATE] = state.PENDING
    qi[q, state.Q_VACANT_SINCE] = month
    qi[q, state.Q_CHAIN_LENGTH] = 0
    qi[q, state.Q_CHAIN_FROM_MOBILITY] = 0
    qi[q, state.Q_CHAIN_START_LEVEL] = qi[q, state.Q_LEVEL]


def _count_early_job_loss(pi: np.ndarray, p: int, month: int, flows: np.ndarray) -> None:
    """A job ends: count it against the retention of the person's hire cohort, if recent."""
    hired = int(pi[p, state.P_HIRE_MONTH])
    if hired == state.NEVER:
        return  # never hired out of unemployment: not part of any hire cohort
    months_in_job = month - hired
    cohort = int(pi[p, state.P_HIRE_GROUPS])
    if months_in_job < 6:
        add_flow(flows, tallies.F_LOST_WITHIN_6M, cohort, 1.0)
    if months_in_job < 12:
        add_flow(flows, tallies.F_LOST_WITHIN_12M, cohort, 1.0)


def _become_unemployed(pi: np.ndarray, p: int) -> None:
    """Person ``p`` leaves their job and starts a fresh unemployment spell: no position, no
    support, no participation carried over."""
    pi[p, state.P_STATUS] = state.UNEMPLOYED
    pi[p, state.P_POSITION] = -1
    pi[p, state.P_EMPLOYER] = -1
    pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
    pi[p, state.P_TENURE] = 0
    pi[p, state.P_SUPPORT_LEFT] = 0
    pi[p, state.P_SUPPORT_INTERVENTION] = -1
    pi[p, state.P_ENROLLED] = -1
    pi[p, state.P_ENROLMENT_LEFT] = 0


def _separation_hazard(
    pi: np.ndarray, p: int, groups: int, iv: np.ndarray, par: KernelParams, month: int
) -> float:
    """Monthly probability that employee ``p`` quits or is dismissed.

    Quits happen at a flat rate; dismissals at the dismissal rate plus, in probation, the
    probation separation rate (lower with in-work support); the dismissal part is multiplied for
    members of a target group. In the first month after a hire's in-work support (and subsidy)
    has run out, the programme's end-of-support separation probability is added.
    """
    dismissal = float(par.dismissal_rate)
    hired = int(pi[p, state.P_HIRE_MONTH])
    in_probation = hired != state.NEVER and month - hired < par.probation_months
    if in_probation:
        probation = float(par.probation_separation)
        if pi[p, state.P_SUPPORT_LEFT] > 0:
            probation *= 1.0 - par.supported_retention
        dismissal += probation
    vulnerable = rules.is_vulnerable.py_func(groups)
    multiplier = float(par.vulnerable_separation_multiplier) if vulnerable else 1.0
    hazard = par.quit_rate + multiplier * dismissal
    paying = int(pi[p, state.P_SUPPORT_INTERVENTION])
    if paying >= 0 and pi[p, state.P_SUPPORT_LEFT] == 0:
        support_months = int(iv[paying, interventions.IV_INWORK])
        if month - hired == support_months:  # the support ran out at the end of last month
            hazard += iv[paying, interventions.IV_END_SEPARATION]
    return hazard


def _labour_force_exit_multiplier(pi: np.ndarray, p: int, par: KernelParams) -> float:
    """How much more likely person ``p`` is to leave the labour force than a prime-age person in
    good health: the young (study), the older (early exit) and people with partial work
    ability (illness)."""
    age = int(pi[p, state.P_AGE_MONTHS])
    multiplier = 1.0
    if age < state.YOUNG_MAX_MONTHS:
        multiplier *= par.young_exit_multiplier
    elif age >= state.OLDER_MIN_MONTHS:
        multiplier *= par.older_exit_multiplier
    if pi[p, state.P_PARTIAL_ABILITY] != 0:
        multiplier *= par.partial_exit_multiplier
    return multiplier


def _inactivity_exit_probability(
    pi: np.ndarray, pf: np.ndarray, p: int, par: KernelParams
) -> float:
    """Monthly probability that jobseeker ``p`` leaves the labour force (more if discouraged)."""
    probability = par.inactivity_exit_rate * _labour_force_exit_multiplier(pi, p, par)
    discouraged = (
        par.self_efficacy_on > 0.0 and pf[p, state.P_SELF_EFFICACY] < par.discouragement_threshold
    )
    if discouraged:
        probability += par.discouraged_exit
    return probability


def _become_inactive(pi: np.ndarray, p: int) -> None:
    """Person ``p`` (holding no job) leaves the labour force; any participation ends."""
    pi[p, state.P_STATUS] = state.INACTIVE
    pi[p, state.P_INACTIVE_MONTHS] = 0  # a new spell out of the labour force
    pi[p, state.P_ENROLLED] = -1
    pi[p, state.P_ENROLMENT_LEFT] = 0


def _retire(qi: np.ndarray, pi: np.ndarray, p: int, month: int, flows: np.ndarray) -> None:
    """Person ``p`` reaches retirement age and leaves for good, freeing any job they hold."""
    status = int(pi[p, state.P_STATUS])
    groups = target_groups(pi, p)
    if status == state.EMPLOYED:
        _vacancy_from_scratch(qi, int(pi[p, state.P_POSITION]), month)
        _count_early_job_loss(pi, p, month, flows)
    pi[p, state.P_STATUS] = state.GONE
    pi[p, state.P_POSITION] = -1
    pi[p, state.P_EMPLOYER] = -1
    pi[p, state.P_ENROLLED] = -1
    by_status = {
        state.EMPLOYED: tallies.F_RETIREMENTS_FROM_EMPLOYMENT,
        state.UNEMPLOYED: tallies.F_RETIREMENTS_FROM_UNEMPLOYMENT,
        state.INACTIVE: tallies.F_RETIREMENTS_FROM_INACTIVITY,
    }[status]
    add_flow(flows, tallies.F_RETIREMENTS, groups, 1.0)
    add_flow(flows, by_status, groups, 1.0)


def _destroy_job(qi: np.ndarray, pi: np.ndarray, q: int, month: int, flows: np.ndarray) -> None:
    """Position ``q`` is destroyed: the slot becomes unused and its holder, if any, unemployed."""
    holder = int(qi[q, state.Q_HOLDER])
    qi[q, state.Q_ACTIVE] = 0
    qi[q, state.Q_CARVED] = 0  # a destroyed job loses its tailoring
    qi[q, state.Q_STATE] = state.FILLED  # nothing to fill: the slot is unused now
    qi[q, state.Q_HOLDER] = -1
    add_flow(flows, tallies.F_JOBS_DESTROYED, 0, 1.0)
    if holder >= 0:
        groups = target_groups(pi, holder)
        _count_early_job_loss(pi, holder, month, flows)
        _become_unemployed(pi, holder)
        add_flow(flows, tallies.F_SEPARATIONS, groups, 1.0)


def _creation_probability(destruction: float, wanted: float, slots: int) -> float:
    """Probability that an unused slot of a block of ``slots`` slots is switched on this month,
    so that, in the long run, the block holds ``wanted`` active positions (each active one is
    destroyed at rate ``destruction``); a block that wants every slot creates at once."""
    unused_wanted = slots - wanted
    return 1.0 if unused_wanted <= 0.0 else destruction * wanted / unused_wanted


def _create_job(qi: np.ndarray, q: int, month: int, flows: np.ndarray) -> None:
    """Unused slot ``q`` becomes an active, ordinary position, vacant and awaiting its chain
    decision."""
    qi[q, state.Q_ACTIVE] = 1
    qi[q, state.Q_CARVED] = 0
    _vacancy_from_scratch(qi, q, month)
    add_flow(flows, tallies.F_JOBS_CREATED, 0, 1.0)


def _leave_job(qi: np.ndarray, pi: np.ndarray, p: int, month: int, flows: np.ndarray) -> None:
    """Employee ``p`` leaves their job, which becomes a vacancy; they become unemployed."""
    _vacancy_from_scratch(qi, int(pi[p, state.P_POSITION]), month)
    _count_early_job_loss(pi, p, month, flows)
    _become_unemployed(pi, p)


def _employee_month(
    pi: np.ndarray,
    qi: np.ndarray,
    p: int,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Employee ``p`` may leave the labour force (care, study, illness) or else separate (quit
    or be dismissed)."""
    groups = target_groups(pi, p)
    # Leaving the labour force is decided first, on its own draw, so that a change in
    # separations never changes who leaves.
    exit_risk = par.employment_exit_rate * _labour_force_exit_multiplier(pi, p, par)
    if draw(key, streams.STREAM_EMPLOYMENT_EXIT, month, p) < exit_risk:
        _leave_job(qi, pi, p, month, flows)
        _become_inactive(pi, p)
        add_flow(flows, tallies.F_EMPLOYMENT_EXITS_TO_INACTIVITY, groups, 1.0)
        return
    hazard = _separation_hazard(pi, p, groups, iv, par, month)
    if draw(key, streams.STREAM_QUIT, month, p) < hazard:
        _leave_job(qi, pi, p, month, flows)
        add_flow(flows, tallies.F_SEPARATIONS, groups, 1.0)


def _jobseeker_month(
    pf: np.ndarray,
    pi: np.ndarray,
    p: int,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Jobseeker ``p`` may leave the labour force."""
    if draw(key, streams.STREAM_LF_EXIT, month, p) < _inactivity_exit_probability(pi, pf, p, par):
        groups = target_groups(pi, p)
        _become_inactive(pi, p)
        add_flow(flows, tallies.F_EXITS_TO_INACTIVITY, groups, 1.0)


def _inactive_month(
    pf: np.ndarray,
    pi: np.ndarray,
    p: int,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Inactive person ``p`` may return to search.

    A returner searches with their usual effort. After a short break (the marginally attached)
    the search goes on: the spell's months so far count, as survey respondents report the
    duration of their search; after a year or more out, a fresh spell starts.
    """
    p_return = par.reentry_rate * return_multiplier(pi, p, par)
    if draw(key, streams.STREAM_REENTRY, month, p) >= p_return:
        return
    pi[p, state.P_STATUS] = state.UNEMPLOYED
    if pi[p, state.P_INACTIVE_MONTHS] >= par.recent_inactive_months:
        pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
    pf[p, state.P_SEARCH_EFFORT] = pf[p, state.P_INITIAL_SEARCH_EFFORT]
    add_flow(flows, tallies.F_REENTRIES, target_groups(pi, p), 1.0)


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
    """Reference of :func:`simulator.kernels.demand.demand_step` (same arguments).

    Positions first: each active position is destroyed at its sector's rate (its holder becomes
    unemployed); each unused slot is created with the probability that makes the block's
    stationary number of active positions ``creation_multiplier * target``. Then people:
    retirement at the retirement age; employees leave the labour force or else separate;
    jobseekers leave the labour force; inactive people return to search.
    """
    # Slots per (employer, level), counted from the slots themselves (not the index).
    slots_in_block = Counter(
        (int(qi[q, state.Q_EMPLOYER]), int(qi[q, state.Q_LEVEL])) for q in range(qi.shape[0])
    )
    for q in range(qi.shape[0]):
        employer, level = int(qi[q, state.Q_EMPLOYER]), int(qi[q, state.Q_LEVEL])
        rate = float(destruction[ei[employer, state.E_SECTOR]])
        if qi[q, state.Q_ACTIVE] == 1:
            if draw(key, streams.STREAM_DESTROY, month, q) < rate:
                _destroy_job(qi, pi, q, month, flows)
        else:
            wanted = creation_multiplier * target[employer, level]
            p_create = _creation_probability(rate, wanted, slots_in_block[(employer, level)])
            if draw(key, streams.STREAM_CREATE, month, q) < p_create:
                _create_job(qi, q, month, flows)

    for p in range(n):
        status = int(pi[p, state.P_STATUS])
        if status == state.GONE:
            continue
        if pi[p, state.P_AGE_MONTHS] >= par.retirement_age_months:
            _retire(qi, pi, p, month, flows)
        elif status == state.EMPLOYED:
            _employee_month(pi, qi, p, iv, par, key, month, flows)
        elif status == state.UNEMPLOYED:
            _jobseeker_month(pf, pi, p, par, key, month, flows)
        else:
            _inactive_month(pf, pi, p, par, key, month, flows)


# ---------------------------------------------------------------- entrants


def _entrant_draw(key: np.uint64, month: int, k: int, sub: int) -> float:
    """Draw ``sub`` of the month's ``k``-th entrant (keyed by entry number, not row)."""
    return draw(key, streams.STREAM_ENTRANT, month, k, sub)


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
    """Reference of :func:`simulator.kernels.demand.add_entrants` (same arguments).

    The month's entrants (school leavers, then migrants) join in rows ``first, first + 1, ...``,
    as jobseekers or, with the entrant inactive share, inactive. School leavers and migrants
    have their own age ranges and skill distributions (``entrants.*``). Sex and partial work
    ability follow the population shares; mechanism states start around the model's initial
    means (search skill and awareness a little lower than the population's).
    """
    for k in range(n_school + n_migrant):
        p = first + k
        migrant = k >= n_school

        def u(sub: int, k: int = k) -> float:
            return _entrant_draw(key, month, k, sub)

        def around(mean: float, first_sub: int, sd: float, k: int = k) -> float:
            """``mean`` plus triangular noise from draws ``first_sub`` and ``first_sub + 1``."""
            return clip01(mean + rules.noise.py_func(u(first_sub), u(first_sub + 1), sd))

        if migrant:
            youngest, oldest = par.migrant_age_min, par.migrant_age_max
            skill = around(par.migrant_skill, 2, par.migrant_skill_spread)
        else:
            youngest, oldest = par.school_leaver_age_min, par.school_leaver_age_max
            skill = around(par.school_leaver_skill, 2, par.school_leaver_skill_spread)
        age_years = youngest + (oldest - youngest) * u(1)
        female = u(4) < par.share_female
        partial = u(5) < par.share_partial_ability

        pf[p, :] = 0.0
        pi[p, :] = 0
        for column in (
            state.P_POSITION,
            state.P_EMPLOYER,
            state.P_ENROLLED,
            state.P_SUPPORT_INTERVENTION,
            state.P_MOVED_MONTH,
            state.P_LAST_INTERVENTION,
        ):
            pi[p, column] = -1  # none yet
        pi[p, state.P_HIRE_MONTH] = state.NEVER
        # Some entrants are still studying or not yet searching: they enter inactive.
        still_inactive = u(19) < par.entrant_inactive_share
        pi[p, state.P_STATUS] = state.INACTIVE if still_inactive else state.UNEMPLOYED
        # Not in the population at any earlier month end.
        pi[p, state.P_STATUS_HISTORY] = sum(state.STATUS_ABSENT << (2 * m) for m in range(3))
        # In education: not among the recently inactive who churn with unemployment.
        pi[p, state.P_INACTIVE_MONTHS] = int(par.recent_inactive_months)
        pi[p, state.P_AGE_MONTHS] = int(age_years * 12.0)
        pi[p, state.P_FEMALE] = int(female)
        pi[p, state.P_MIGRANT] = int(migrant)
        pi[p, state.P_PARTIAL_ABILITY] = int(partial)
        pi[p, state.P_ENTRY_MONTH] = month
        pi[p, state.P_TRAIT_GROUPS] = trait_bits(
            pi[p, state.P_AGE_MONTHS], int(female), int(migrant), int(partial)
        )

        pf[p, state.P_SKILL] = skill
        low, high = par.partial_work_ability_min, par.partial_work_ability_max
        pf[p, state.P_WORK_ABILITY] = low + (high - low) * u(6) if partial else 1.0
        spread = par.state_spread
        pf[p, state.P_SELF_EFFICACY] = around(par.initial_self_efficacy, 7, spread)
        pf[p, state.P_TRUST] = pf[p, state.P_INITIAL_TRUST] = around(par.initial_trust, 9, spread)
        search_skill = par.initial_search_skill - par.search_skill_gap
        pf[p, state.P_SEARCH_SKILL] = around(search_skill, 11, spread)
        effort = around(par.initial_search_effort, 13, spread)
        pf[p, state.P_SEARCH_EFFORT] = pf[p, state.P_INITIAL_SEARCH_EFFORT] = effort
        pf[p, state.P_MOTIVATION] = around(par.initial_motivation, 15, spread)
        awareness = par.initial_awareness - par.awareness_gap
        pf[p, state.P_AWARENESS] = around(awareness, 17, par.awareness_spread)
        add_flow(flows, tallies.F_ENTRANTS, target_groups(pi, p), 1.0)
        if still_inactive:
            add_flow(flows, tallies.F_INACTIVE_ENTRANTS, target_groups(pi, p), 1.0)
