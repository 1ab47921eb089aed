"""Matching: jobseekers (and some inactive people) apply, employers screen, the best acceptable
applicant is hired.

Each jobseeker sends a random number of applications whose mean grows with search effort and
self-efficacy. An application is either aimed (at a vacancy whose requirement the applicant
meets, more likely with better search skill) or unaimed (at any open vacancy, uniformly: the
urn-ball process). Vacancies are then screened in a random order; each hires its best
acceptable applicant who has not been hired elsewhere. With one unaimed application each and
everyone acceptable, a jobseeker's hiring probability is the urn-ball θ(1 − e^(−1/θ)).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from simulator import interventions, rules, state, streams, tallies
from simulator.jit import helper, njit, parallel
from simulator.kernel_params import KernelParams
from simulator.kernels.demand import person_groups
from simulator.kernels.slots import active_slots_in_state
from simulator.kernels.sorting import stable_argsort


@helper
def applications_of(
    pf: np.ndarray, pi: np.ndarray, p: int, iv: np.ndarray, par: KernelParams, key, month: int
) -> tuple[int, int]:
    """Number of applications person ``p`` sends and how many of them are surely aimed: a
    participant's programme adds its extra applications (and its lock-in), and in the
    aftercare months after it ends its aftercare share of them."""
    k = pi[p, state.P_ENROLLED]
    lock_in = 0.0
    extra = 0.0
    if k >= 0:
        lock_in = iv[k, interventions.IV_LOCK_IN]
        extra = iv[k, interventions.IV_EXTRA_APPS]
    elif pi[p, state.P_AFTERCARE_LEFT] > 0:
        last = pi[p, state.P_LAST_INTERVENTION]
        extra = iv[last, interventions.IV_AFTERCARE_SHARE] * iv[last, interventions.IV_EXTRA_APPS]
    rate = rules.application_rate(
        par.applications,
        pf[p, state.P_SEARCH_EFFORT],
        pf[p, state.P_SELF_EFFICACY],
        par.efficacy_effort_link,
        lock_in,
        extra,
    )
    na = rules.count_draw(rate, streams.uniform(key, streams.STREAM_APPS, month, p, 0))
    cap = int(par.max_applications)
    if na > cap:
        na = cap
    return na, int(extra)


@helper
def applies(pi: np.ndarray, p: int, par: KernelParams, key, month: int) -> bool:
    """Whether person ``p`` applies for jobs this month: every jobseeker does, and an inactive
    person with the inactive search rate (adjusted for age): returners and direct hires, the
    survey's I->E flow."""
    status = pi[p, state.P_STATUS]
    if status == state.UNEMPLOYED:
        return True
    if status != state.INACTIVE:
        return False
    rate = par.inactive_search_rate * rules.return_multiplier(
        pi[p, state.P_AGE_MONTHS],
        pi[p, state.P_INACTIVE_MONTHS],
        par.older_return_multiplier,
        par.recent_return_multiplier,
        par.recent_inactive_months,
    )
    return streams.uniform(key, streams.STREAM_INACTIVE_SEARCH, month, p, 0) < rate


@helper
def screening_noise(key, month: int, p: int, a: int, sd: float) -> float:
    """Noise in the employer's reading of application ``a`` of person ``p``."""
    return rules.noise(
        streams.uniform(key, streams.STREAM_NOISE, month, p, 2 * a),
        streams.uniform(key, streams.STREAM_NOISE, month, p, 2 * a + 1),
        sd,
    )


@helper
def support_of(pi: np.ndarray, p: int, iv: np.ndarray) -> float:
    """Hiring support person ``p`` brings from the intervention they take part in, or its
    aftercare share in the aftercare months after it ended."""
    k = pi[p, state.P_ENROLLED]
    if k >= 0:
        return iv[k, interventions.IV_SUPPORT]
    if pi[p, state.P_AFTERCARE_LEFT] > 0:
        last = pi[p, state.P_LAST_INTERVENTION]
        return iv[last, interventions.IV_AFTERCARE_SHARE] * iv[last, interventions.IV_SUPPORT]
    return 0.0


@helper
def hire(
    pi: np.ndarray,
    qi: np.ndarray,
    p: int,
    q: int,
    iv: np.ndarray,
    month: int,
    flows: np.ndarray,
) -> None:
    """Hire applicant ``p`` (unemployed or inactive) into vacancy ``q`` and record the flows."""
    g = person_groups(pi, p)
    if pi[p, state.P_STATUS] == state.UNEMPLOYED:
        tallies.add_flow(flows, tallies.F_HIRES_FROM_UNEMPLOYMENT, g, 1.0)
        tallies.add_flow(
            flows, tallies.F_COMPLETED_SPELL_MONTHS, g, float(pi[p, state.P_UNEMPLOYMENT_DURATION])
        )
    else:
        tallies.add_flow(flows, tallies.F_HIRES_FROM_INACTIVITY, g, 1.0)
    tallies.add_flow(
        flows, tallies.F_FILLED_VACANCY_MONTHS, 0, float(month - qi[q, state.Q_VACANT_SINCE])
    )
    if qi[q, state.Q_CHAIN_FROM_MOBILITY] == 1:
        tallies.add_flow(flows, tallies.F_ENGINE_HIRES, g, 1.0)
    qi[q, state.Q_HOLDER] = p
    qi[q, state.Q_STATE] = state.FILLED
    pi[p, state.P_STATUS] = state.EMPLOYED
    pi[p, state.P_POSITION] = q
    pi[p, state.P_EMPLOYER] = qi[q, state.Q_EMPLOYER]
    pi[p, state.P_TENURE] = 0
    pi[p, state.P_HIRE_MONTH] = month
    pi[p, state.P_HIRE_GROUPS] = g
    pi[p, state.P_HIRED_THIS_MONTH] = 1
    pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
    pi[p, state.P_AFTERCARE_LEFT] = 0  # aftercare is for the search; it ends with a hire
    k = pi[p, state.P_ENROLLED]
    if k >= 0:
        months = int(iv[k, interventions.IV_INWORK])
        if months > 0:
            pi[p, state.P_SUPPORT_LEFT] = months
            pi[p, state.P_SUPPORT_INTERVENTION] = k
        pi[p, state.P_ENROLLED] = -1
        pi[p, state.P_ENROLMENT_LEFT] = 0


@helper
def screened(key, month: int, q: int, rate: float) -> bool:
    """Whether vacancy ``q`` gets through recruitment to a hiring decision this month."""
    return streams.uniform(key, streams.STREAM_VAC_ORDER, month, q, 1) < rate


@helper
def hiring_standard(ef: np.ndarray, e: int, level: int, strictness: float) -> float:
    """Lowest acceptable screening score of employer ``e`` for an outsider at ``level``."""
    return ef[e, state.E_HIRING_STANDARD] + strictness * level


@parallel
def gather_seekers(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
):
    """Everyone who applies this month, in person order, with how many applications they
    send and what screening reads of them (the tuple :func:`matching_step` takes).

    Reads the person table only (:func:`matching_step` records the applications), so the
    model may gather the seekers beside the vacancy chains when nothing between them changes
    what it reads. Blocks of rows are scanned in parallel, each writing its seekers from its
    own first row on; then each block fills their entries from its offset, so the order is
    the serial one and only the seekers' rows are read twice.
    """
    n_b = tallies.n_blocks(n)
    found = np.empty(n, dtype=np.int64)
    count = np.zeros(n_b, dtype=np.int64)
    for b in prange(n_b):
        first, last = tallies.block_range(b, n)
        j = first
        for p in range(first, last):
            if applies(pi, p, par, key, month):
                found[j] = p
                j += 1
        count[b] = j - first
    offset = tallies.block_offsets(count)
    n_seek = offset[n_b]
    seeker = np.empty(n_seek, dtype=np.int64)
    n_apps = np.empty(n_seek, dtype=np.int64)
    n_aimed = np.empty(n_seek, dtype=np.int64)
    groups = np.empty(n_seek, dtype=np.int64)
    skill = np.empty(n_seek, dtype=np.float64)
    udur = np.empty(n_seek, dtype=np.int64)
    ability = np.empty(n_seek, dtype=np.float64)
    support = np.empty(n_seek, dtype=np.float64)
    partial = np.empty(n_seek, dtype=np.bool_)
    for b in prange(n_b):
        first = tallies.block_range(b, n)[0]
        for i in range(count[b]):
            p = found[first + i]
            j = offset[b] + i
            na, extra = applications_of(pf, pi, p, iv, par, key, month)
            seeker[j] = p
            n_apps[j] = na
            n_aimed[j] = extra
            groups[j] = person_groups(pi, p)
            skill[j] = pf[p, state.P_SKILL]
            udur[j] = pi[p, state.P_UNEMPLOYMENT_DURATION]
            ability[j] = pf[p, state.P_WORK_ABILITY]
            support[j] = support_of(pi, p, iv)
            partial[j] = pi[p, state.P_PARTIAL_ABILITY] == 1
    return seeker, n_apps, n_aimed, groups, skill, udur, ability, support, partial


@parallel
def draw_applications(
    pf: np.ndarray,
    pi: np.ndarray,
    seeker: np.ndarray,
    n_apps: np.ndarray,
    n_aimed: np.ndarray,
    skill: np.ndarray,
    sorted_req: np.ndarray,
    by_req: np.ndarray,
    nv: int,
    par: KernelParams,
    key: np.uint64,
    month: int,
):
    """Where each seeker's applications go (index into the open vacancies) and the noise of
    the employer's reading of each; seekers in parallel, each writing its own slice. Each
    seeker's number of applications is recorded in their row (consequences read it)."""
    n_seek = seeker.shape[0]
    first = np.zeros(n_seek + 1, dtype=np.int64)
    for j in range(n_seek):
        first[j + 1] = first[j] + n_apps[j]
    total = first[n_seek]
    app_seeker = np.empty(total, dtype=np.int64)
    app_vac = np.empty(total, dtype=np.int64)
    app_eps = np.empty(total, dtype=np.float64)
    link = par.efficacy_effort_link
    sd = par.screening_noise
    for j in prange(n_seek):
        p = seeker[j]
        pi[p, state.P_APPLICATIONS] = n_apps[j]
        aim_p = rules.aim_probability(
            par.aim,
            pf[p, state.P_SEARCH_SKILL],
            pf[p, state.P_SELF_EFFICACY],
            link,
            par.unaimed_fit,
        )
        reach = np.searchsorted(sorted_req, skill[j] + par.aim_margin, side="right")
        t = first[j]
        for a in range(n_apps[j]):
            aimed = (
                a < n_aimed[j] or streams.uniform(key, streams.STREAM_AIM, month, p, 2 * a) < aim_p
            )
            r = streams.uniform(key, streams.STREAM_AIM, month, p, 2 * a + 1)
            if aimed and reach > 0:
                app_vac[t] = by_req[int(r * reach)]
            else:
                app_vac[t] = int(r * nv)
            app_seeker[t] = j
            app_eps[t] = screening_noise(key, month, p, a, sd)
            t += 1
    return app_seeker, app_vac, app_eps


@helper
def best_free_applicant(
    v: int,
    applications: tuple,
    vacancies: tuple,
    applicants: tuple,
    hired_into: np.ndarray,
    par: KernelParams,
) -> int:
    """Open vacancy ``v``'s best acceptable application from someone not hired yet (the first
    of equal scores), as an index into the applications grouped by vacancy; -1 if none.

    Parameters
    ----------
    applications : tuple of ndarray
        ``(start, seeker, eps)``: where each vacancy's applications start, and each
        application's seeker (index into ``applicants``) and screening noise.
    vacancies : tuple of ndarray
        ``(screened, carved, standard, bias, requirement)`` of each open vacancy.
    applicants : tuple of ndarray
        ``(skill, groups, udur, support, ability, partial)`` of each seeker.
    hired_into : ndarray of int64
        Where each seeker is hired already (-1: not yet).
    """
    start, seeker_of, eps = applications
    _, carved, standard, bias, requirement = vacancies
    skill, groups, udur, support, ability, partial = applicants
    best = -1
    best_score = 0.0
    for t in range(start[v], start[v + 1]):
        j = seeker_of[t]
        if hired_into[j] >= 0:
            continue
        if not rules.may_hold(carved[v], 1 if partial[j] else 0):
            continue  # a carved job is reserved for people with partial work ability
        sc = rules.screening_score(
            skill[j],
            requirement[v],
            par.external_skill_weight,
            bias[v],
            groups[j],
            udur[j],
            par.stigma_per_month,
            par.stigma_cap_months,
            support[j],
            par.support_bonus,
            ability[j],
            par.work_ability_penalty,
            carved[v],
            eps[t],
        )
        if sc >= standard[v] and (best < 0 or sc > best_score):
            best = t
            best_score = sc
    return best


@parallel
def best_applicants(
    applications: tuple, vacancies: tuple, applicants: tuple, par: KernelParams
) -> np.ndarray:
    """For each open vacancy, its best acceptable application of all (see
    :func:`best_free_applicant`); -1 if the vacancy is not screened this month or nobody is
    acceptable. Vacancies in parallel."""
    screened = vacancies[0]
    nobody_hired = np.full(applicants[0].shape[0], -1, dtype=np.int64)
    best_of = np.full(screened.shape[0], -1, dtype=np.int64)
    for v in prange(screened.shape[0]):
        if screened[v]:
            best_of[v] = best_free_applicant(
                v, applications, vacancies, applicants, nobody_hired, par
            )
    return best_of


@njit
def screen(
    order: np.ndarray,
    first_best: np.ndarray,
    vac: np.ndarray,
    applications: tuple,
    vacancies: tuple,
    applicants: tuple,
    par: KernelParams,
) -> np.ndarray:
    """The slot each seeker is hired into (-1: none): the open vacancies (slots ``vac``) in
    screening ``order`` each take their best acceptable applicant not taken yet.

    A vacancy's best applicant of all (``first_best``, from :func:`best_applicants`) is taken
    if still free; only otherwise are its applicants read again. Both give the same hire: the
    best of all, when free, is also the best of those left (and the first of equal scores).
    """
    seeker_of = applications[1]
    hired_into = np.full(applicants[0].shape[0], -1, dtype=np.int64)
    for v in order:
        t = first_best[v]
        if t < 0:
            continue  # not screened, or nobody acceptable
        if hired_into[seeker_of[t]] >= 0:
            t = best_free_applicant(v, applications, vacancies, applicants, hired_into, par)
        if t >= 0:
            hired_into[seeker_of[t]] = vac[v]
    return hired_into


@parallel
def write_hires(
    pi: np.ndarray,
    qi: np.ndarray,
    seeker: np.ndarray,
    hired_into: np.ndarray,
    iv: np.ndarray,
    month: int,
    flows: np.ndarray,
) -> None:
    """Hire each seeker into the vacancy that chose them (``hired_into``, -1: none), blocks
    of seekers in parallel, each counting into its own flows."""
    n_seek = seeker.shape[0]
    blocks = np.zeros((tallies.n_blocks(n_seek), flows.shape[0], flows.shape[1]))
    for b in prange(blocks.shape[0]):
        first, last = tallies.block_range(b, n_seek)
        for j in range(first, last):
            if hired_into[j] >= 0:
                hire(pi, qi, seeker[j], hired_into[j], iv, month, blocks[b])
    tallies.add_blocks(blocks, flows)


@njit(cache=True)
def matching_step(
    pf: np.ndarray,
    pi: np.ndarray,
    qi: np.ndarray,
    requirement: np.ndarray,
    ef: np.ndarray,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
    seekers: tuple,
) -> None:
    """One month of applications, screening and hiring.

    Parameters
    ----------
    pf, pi : ndarray
        Person tables; hired persons become employees.
    qi : ndarray of int32
        Position table; vacancies ``OPEN`` to outside applicants are filled.
    requirement : ndarray of float64, shape (n_slots,)
        Skill requirement per slot.
    ef : ndarray of float64
        Employer float table (bias, hiring standard).
    iv : ndarray of float64, shape (K, IV_N_COLUMNS)
        Compiled interventions (lock-in, extra applications, hiring support).
    par, key, month, flows
        Packed parameters, run key, month and monthly counters.
    seekers : tuple of ndarray
        This month's jobseekers and what screening reads of them, from
        :func:`gather_seekers` on the person table as it is now.
    """
    # Open vacancies, in slot order, and the same sorted by requirement for aimed search.
    vac = active_slots_in_state(qi, state.OPEN)
    nv = vac.shape[0]
    if nv == 0:
        return
    vreq = requirement[vac]
    by_req = stable_argsort(vreq)
    sorted_req = vreq[by_req]

    # Jobseekers and what screening needs of them (gathered from the person table so that
    # screening reads small arrays instead of scattered rows); then their applications.
    seeker, n_apps, n_aimed, groups, skill, udur, ability, support, partial = seekers
    app_seeker, app_vac, app_eps = draw_applications(
        pf, pi, seeker, n_apps, n_aimed, skill, sorted_req, by_req, nv, par, key, month
    )
    total = app_seeker.shape[0]

    # Group applications by vacancy (counting sort keeps person order within a vacancy).
    start = np.zeros(nv + 1, dtype=np.int64)
    for t in range(total):
        start[app_vac[t] + 1] += 1
    for v in range(nv):
        start[v + 1] += start[v]
    fill = start[:-1].copy()
    by_vacancy_seeker = np.empty(total, dtype=np.int64)
    by_vacancy_eps = np.empty(total, dtype=np.float64)
    for t in range(total):
        v = app_vac[t]
        by_vacancy_seeker[fill[v]] = app_seeker[t]
        by_vacancy_eps[fill[v]] = app_eps[t]
        fill[v] += 1

    priority = np.empty(nv, dtype=np.float64)
    for v in range(nv):
        priority[v] = streams.uniform(key, streams.STREAM_VAC_ORDER, month, vac[v], 0)
    order = stable_argsort(priority)

    # What screening reads of each open vacancy, gathered in slot order rather than read in
    # the random screening order.
    v_carved = np.empty(nv, dtype=np.int64)
    v_standard = np.empty(nv, dtype=np.float64)
    v_bias = np.empty(nv, dtype=np.float64)
    v_screened = np.empty(nv, dtype=np.bool_)
    strictness = par.level_strictness
    for v in range(nv):
        q = vac[v]
        e = qi[q, state.Q_EMPLOYER]
        v_carved[v] = qi[q, state.Q_CARVED]
        v_standard[v] = hiring_standard(ef, e, qi[q, state.Q_LEVEL], strictness)
        v_bias[v] = ef[e, state.E_BIAS]
        v_screened[v] = screened(key, month, q, par.screening_rate)

    # Each screened vacancy, in random order, takes its best acceptable applicant not yet
    # taken (the first of equal scores). Each vacancy's best applicant of all is found first,
    # vacancies in parallel; in the screening order it is taken if still free (then it is
    # also the best of those left), and only otherwise are the vacancy's applicants read again.
    applications = (start, by_vacancy_seeker, by_vacancy_eps)
    vacancies = (v_screened, v_carved, v_standard, v_bias, vreq)
    applicants = (skill, groups, udur, support, ability, partial)
    first_best = best_applicants(applications, vacancies, applicants, par)
    hired_into = screen(order, first_best, vac, applications, vacancies, applicants, par)
    # The hires touch disjoint rows and slots, and every count they add is a whole number, so
    # they are written in parallel blocks of seekers with the same result.
    write_hires(pi, qi, seeker, hired_into, iv, month, flows)
