"""Matching: jobseekers apply, employers screen, the best acceptable applicant is hired.

Each jobseeker sends a random number of applications whose mean grows with search effort and
self-efficacy. An application is either aimed (at a vacancy whose requirement the applicant
meets, more likely with better search skill) or unaimed (at any open vacancy, uniformly: the
urn-ball process). Vacancies are then screened in a random order; each hires its best
acceptable applicant who has not been hired elsewhere. With one unaimed application each and
everyone acceptable, a jobseeker's hiring probability is the urn-ball θ(1 − e^(−1/θ)).
"""

from __future__ import annotations

import numpy as np

from simulator import interventions as IV
from simulator import packed as K
from simulator import rng as R
from simulator import rules
from simulator import state as S
from simulator.jit import njit
from simulator.kernels.demand import person_groups

#: Upper bound on applications per jobseeker and month.
MAX_APPLICATIONS = 40
#: An aimed application goes to a vacancy needing at most this much more than the skill.
AIM_MARGIN = 0.05


@njit
def applications_of(
    pf: np.ndarray, pi: np.ndarray, p: int, iv: np.ndarray, par: np.ndarray, key, month: int
) -> tuple[int, int]:
    """Number of applications person ``p`` sends and how many of them are surely aimed."""
    k = pi[p, S.P_ENROLLED]
    lock_in = 0.0
    extra = 0.0
    if k >= 0:
        lock_in = iv[k, IV.IV_LOCK_IN]
        extra = iv[k, IV.IV_EXTRA_APPS]
    rate = rules.application_rate(
        par[K.K_APPLICATIONS],
        pf[p, S.P_EFFORT],
        pf[p, S.P_EFFICACY],
        par[K.K_EFFICACY_LINK],
        lock_in,
        extra,
    )
    na = rules.count_draw(rate, R.uniform(key, R.STREAM_APPS, month, p, 0))
    if na > MAX_APPLICATIONS:
        na = MAX_APPLICATIONS
    return na, int(extra)


@njit
def score_of(
    pf: np.ndarray,
    pi: np.ndarray,
    p: int,
    a: int,
    q: int,
    qi: np.ndarray,
    requirement: np.ndarray,
    ef: np.ndarray,
    iv: np.ndarray,
    par: np.ndarray,
    key,
    month: int,
) -> float:
    """Screening score of application ``a`` of person ``p`` to vacancy ``q``."""
    e = qi[q, S.Q_EMPLOYER]
    k = pi[p, S.P_ENROLLED]
    support = iv[k, IV.IV_SUPPORT] if k >= 0 else 0.0
    eps = rules.noise(
        R.uniform(key, R.STREAM_NOISE, month, p, 2 * a),
        R.uniform(key, R.STREAM_NOISE, month, p, 2 * a + 1),
        par[K.K_SCREENING_NOISE],
    )
    return rules.screening_score(
        pf[p, S.P_SKILL],
        requirement[q],
        par[K.K_SKILL_WEIGHT],
        ef[e, S.E_BIAS],
        person_groups(pi, p),
        pi[p, S.P_UDUR],
        par[K.K_STIGMA],
        support,
        par[K.K_SUPPORT_BONUS],
        pf[p, S.P_WORK_ABILITY],
        qi[q, S.Q_CARVED],
        eps,
    )


@njit
def hire(
    pi: np.ndarray,
    qi: np.ndarray,
    p: int,
    q: int,
    iv: np.ndarray,
    month: int,
    flows: np.ndarray,
) -> None:
    """Hire jobseeker ``p`` into vacancy ``q`` and record the flows."""
    g = person_groups(pi, p)
    K.add_flow(flows, K.F_HIRES_FROM_UNEMPLOYMENT, g, 1.0)
    K.add_flow(flows, K.F_COMPLETED_SPELL_MONTHS, g, float(pi[p, S.P_UDUR]))
    K.add_flow(flows, K.F_FILLED_VACANCY_MONTHS, 0, float(month - qi[q, S.Q_VAC_SINCE]))
    if qi[q, S.Q_CHAIN_MOB] == 1:
        K.add_flow(flows, K.F_ENGINE_HIRES, g, 1.0)
    qi[q, S.Q_HOLDER] = p
    qi[q, S.Q_STATE] = S.FILLED
    pi[p, S.P_STATUS] = S.EMPLOYED
    pi[p, S.P_POSITION] = q
    pi[p, S.P_TENURE] = 0
    pi[p, S.P_HIRE_MONTH] = month
    pi[p, S.P_HIRE_GROUPS] = g
    pi[p, S.P_HIRED_NOW] = 1
    pi[p, S.P_UDUR] = 0
    k = pi[p, S.P_ENROLLED]
    if k >= 0:
        months = int(iv[k, IV.IV_INWORK])
        if months > 0:
            pi[p, S.P_SUPPORT_LEFT] = months
            pi[p, S.P_SUPPORT_K] = k
        pi[p, S.P_ENROLLED] = -1
        pi[p, S.P_ENROL_LEFT] = 0


@njit
def acceptable(pi: np.ndarray, p: int, q: int, qi: np.ndarray) -> bool:
    """A carved job is reserved for people with partial work ability."""
    return qi[q, S.Q_CARVED] == 0 or pi[p, S.P_PARTIAL] == 1


@njit(cache=True)
def matching_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    qi: np.ndarray,
    requirement: np.ndarray,
    ef: np.ndarray,
    iv: np.ndarray,
    par: np.ndarray,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """One month of applications, screening and hiring.

    Parameters
    ----------
    pf, pi : ndarray
        Person tables; hired persons become employees.
    n : int
        Person rows in use.
    qi : ndarray of int64
        Position table; vacancies ``OPEN`` to outside applicants are filled.
    requirement : ndarray of float64, shape (n_slots,)
        Skill requirement per slot.
    ef : ndarray of float64
        Employer float table (bias, hiring standard).
    iv : ndarray of float64, shape (K, IV_N_COLUMNS)
        Compiled interventions (lock-in, extra applications, hiring support).
    par, key, month, flows
        Packed parameters, run key, month and monthly counters.
    """
    # Open vacancies, in slot order, and the same sorted by requirement for aimed search.
    nv = 0
    for q in range(qi.shape[0]):
        if qi[q, S.Q_ACTIVE] == 1 and qi[q, S.Q_STATE] == S.OPEN:
            nv += 1
    if nv == 0:
        return
    vac = np.empty(nv, dtype=np.int64)
    j = 0
    for q in range(qi.shape[0]):
        if qi[q, S.Q_ACTIVE] == 1 and qi[q, S.Q_STATE] == S.OPEN:
            vac[j] = q
            j += 1
    vreq = requirement[vac]
    by_req = np.argsort(vreq, kind="mergesort")
    sorted_req = vreq[by_req]

    # Applications: count per jobseeker first, then write them into flat arrays.
    counts = np.zeros(n, dtype=np.int64)
    aimed_min = np.zeros(n, dtype=np.int64)
    total = 0
    for p in range(n):
        if pi[p, S.P_STATUS] != S.UNEMPLOYED:
            continue
        na, extra = applications_of(pf, pi, p, iv, par, key, month)
        counts[p] = na
        aimed_min[p] = extra
        pi[p, S.P_APPLIED] = na
        total += na
    app_person = np.empty(total, dtype=np.int64)
    app_index = np.empty(total, dtype=np.int64)
    app_vac = np.empty(total, dtype=np.int64)  # index into vac
    link = par[K.K_EFFICACY_LINK]
    j = 0
    for p in range(n):
        for a in range(counts[p]):
            aim_p = rules.aim_probability(
                par[K.K_AIM], pf[p, S.P_SEARCH_SKILL], pf[p, S.P_EFFICACY], link
            )
            aimed = a < aimed_min[p] or R.uniform(key, R.STREAM_AIM, month, p, 2 * a) < aim_p
            r = R.uniform(key, R.STREAM_AIM, month, p, 2 * a + 1)
            target = -1
            if aimed:
                m = np.searchsorted(sorted_req, pf[p, S.P_SKILL] + AIM_MARGIN, side="right")
                if m > 0:
                    target = by_req[int(r * m)]
            if target < 0:
                target = int(r * nv)
            app_person[j] = p
            app_index[j] = a
            app_vac[j] = target
            j += 1

    # Group applications by vacancy (counting sort keeps person order within a vacancy).
    start = np.zeros(nv + 1, dtype=np.int64)
    for t in range(total):
        start[app_vac[t] + 1] += 1
    for v in range(nv):
        start[v + 1] += start[v]
    fill = start[:-1].copy()
    grouped = np.empty(total, dtype=np.int64)
    for t in range(total):
        v = app_vac[t]
        grouped[fill[v]] = t
        fill[v] += 1

    priority = np.empty(nv, dtype=np.float64)
    for v in range(nv):
        priority[v] = R.uniform(key, R.STREAM_VAC_ORDER, month, vac[v], 0)
    order = np.argsort(priority, kind="mergesort")

    for v in order:
        q = vac[v]
        e = qi[q, S.Q_EMPLOYER]
        best = -1
        best_score = 0.0
        for t in range(start[v], start[v + 1]):
            app = grouped[t]
            p = app_person[app]
            if pi[p, S.P_STATUS] != S.UNEMPLOYED or not acceptable(pi, p, q, qi):
                continue
            sc = score_of(pf, pi, p, app_index[app], q, qi, requirement, ef, iv, par, key, month)
            if sc < ef[e, S.E_STANDARD]:
                continue
            if best < 0 or sc > best_score:
                best = p
                best_score = sc
        if best >= 0:
            hire(pi, qi, best, q, iv, month, flows)
