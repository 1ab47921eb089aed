"""Phase 4 of the month, matching: people search and apply, employers screen their
applicants, and each vacancy screened hires its best acceptable applicant.

Every jobseeker searches, and an inactive person with the inactive search rate (more if out of
the labour force only briefly, less if older). A searcher sends a random number of applications
whose mean grows with search effort and, through the efficacy-effort link, self-efficacy (less
during the lock-in of a programme, plus the programme's extra applications). Each application is
either aimed, at a vacancy whose requirement is at most ``aim_margin`` above the
applicant's skill (more likely with good search skill), or unaimed, at any open vacancy (the
urn-ball process). Vacancies are then taken in a random order; one that gets through recruitment
this month scores each applicant not yet hired elsewhere and allowed to hold the job, and hires
the best one whose score reaches its standard.

The numba versions are :func:`simulator.kernels.matching.gather_seekers` and
:func:`simulator.kernels.matching.matching_step`, which gather applicants in arrays and group
applications by vacancy with a counting sort.
"""

from __future__ import annotations

import bisect

import numpy as np

from simulator import interventions, rules, state, streams, tallies
from simulator.kernel_params import KernelParams
from simulator.reference.common import add_flow, draw, may_hold, return_multiplier, target_groups

#: An application: (person, its number among the person's applications this month, vacancy).
Application = tuple[int, int, int]


# ---------------------------------------------------------------- the searcher


def _searches(pi: np.ndarray, p: int, par: KernelParams, key: np.uint64, month: int) -> bool:
    """Whether person ``p`` looks for work this month: every jobseeker does; an inactive person
    with the inactive search rate (the survey's flows into work from inactivity)."""
    status = pi[p, state.P_STATUS]
    if status == state.UNEMPLOYED:
        return True
    if status != state.INACTIVE:
        return False
    rate = par.inactive_search_rate * return_multiplier(pi, p, par)
    return draw(key, streams.STREAM_INACTIVE_SEARCH, month, p) < rate


def _in_aftercare(pi: np.ndarray, p: int) -> bool:
    """Whether person ``p`` is in the aftercare months of a programme that has ended (a
    programme in progress takes precedence)."""
    return pi[p, state.P_ENROLLED] < 0 and pi[p, state.P_AFTERCARE_LEFT] > 0


def _aftercare(pi: np.ndarray, p: int, iv: np.ndarray, column: int) -> float:
    """The aftercare share of what the last programme of person ``p`` gave while it lasted
    (extra applications or hiring support)."""
    last = int(pi[p, state.P_LAST_INTERVENTION])
    return iv[last, interventions.IV_AFTERCARE_SHARE] * iv[last, column]


def _number_of_applications(
    pf: np.ndarray,
    pi: np.ndarray,
    p: int,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> tuple[int, int]:
    """How many applications person ``p`` sends this month (at most
    ``max_applications``) and how many of them are surely aimed (a programme's extra
    applications)."""
    k = int(pi[p, state.P_ENROLLED])
    lock_in = iv[k, interventions.IV_LOCK_IN] if k >= 0 else 0.0
    extra = iv[k, interventions.IV_EXTRA_APPS] if k >= 0 else 0.0
    if _in_aftercare(pi, p):
        extra = _aftercare(pi, p, iv, interventions.IV_EXTRA_APPS)
    expected = rules.application_rate.py_func(
        par.applications,
        pf[p, state.P_SEARCH_EFFORT],
        pf[p, state.P_SELF_EFFICACY],
        par.efficacy_effort_link,
        lock_in,
        extra,
    )
    count = rules.count_draw.py_func(expected, draw(key, streams.STREAM_APPS, month, p))
    return min(count, int(par.max_applications)), int(extra)


def _applications(
    pf: np.ndarray,
    pi: np.ndarray,
    p: int,
    iv: np.ndarray,
    open_vacancies: list[int],
    by_requirement: list[int],
    requirements: list[float],
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> list[Application]:
    """The applications person ``p`` sends this month (and records how many).

    ``by_requirement`` are the open vacancies from the least demanding, ``requirements`` their
    requirements in that order. Application ``a`` is aimed (the surely aimed first, the rest
    with the aiming probability) at one of the vacancies the person qualifies for, drawn
    uniformly; an unaimed one, or an aimed one with no such vacancy, goes to any open vacancy.
    """
    count, surely_aimed = _number_of_applications(pf, pi, p, iv, par, key, month)
    pi[p, state.P_APPLICATIONS] = count
    aim_probability = rules.aim_probability.py_func(
        par.aim,
        pf[p, state.P_SEARCH_SKILL],
        pf[p, state.P_SELF_EFFICACY],
        par.efficacy_effort_link,
        par.unaimed_fit,
    )
    qualifies_for = bisect.bisect_right(requirements, float(pf[p, state.P_SKILL]) + par.aim_margin)
    sent = []
    for a in range(count):
        aimed = a < surely_aimed or draw(key, streams.STREAM_AIM, month, p, 2 * a) < aim_probability
        r = draw(key, streams.STREAM_AIM, month, p, 2 * a + 1)
        if aimed and qualifies_for > 0:
            vacancy = by_requirement[int(r * qualifies_for)]
        else:
            vacancy = open_vacancies[int(r * len(open_vacancies))]
        sent.append((p, a, vacancy))
    return sent


# ---------------------------------------------------------------- the employer


def _screened(q: int, par: KernelParams, key: np.uint64, month: int) -> bool:
    """Whether vacancy ``q`` gets through recruitment to a hiring decision this month."""
    return draw(key, streams.STREAM_VAC_ORDER, month, q, 1) < par.screening_rate


def _hiring_standard(ef: np.ndarray, qi: np.ndarray, q: int, par: KernelParams) -> float:
    """The lowest score the employer of vacancy ``q`` accepts from an outsider: its hiring
    standard, stricter the higher the level."""
    employer = qi[q, state.Q_EMPLOYER]
    return float(ef[employer, state.E_HIRING_STANDARD]) + par.level_strictness * int(
        qi[q, state.Q_LEVEL]
    )


def _score(
    pf: np.ndarray,
    pi: np.ndarray,
    application: Application,
    qi: np.ndarray,
    requirement: np.ndarray,
    ef: np.ndarray,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> float:
    """The employer's reading of one application (:func:`simulator.rules.screening_score`):
    the applicant's skill against the job's requirement, the employer's bias against target
    groups, the stigma of the unemployment spell, the fit of a limited work ability, any hiring
    support the applicant's programme brings, and noise drawn for this application."""
    p, a, q = application
    k = int(pi[p, state.P_ENROLLED])
    support = iv[k, interventions.IV_SUPPORT] if k >= 0 else 0.0
    if _in_aftercare(pi, p):
        support = _aftercare(pi, p, iv, interventions.IV_SUPPORT)
    noise = rules.noise.py_func(
        draw(key, streams.STREAM_NOISE, month, p, 2 * a),
        draw(key, streams.STREAM_NOISE, month, p, 2 * a + 1),
        par.screening_noise,
    )
    return rules.screening_score.py_func(
        pf[p, state.P_SKILL],
        requirement[q],
        par.external_skill_weight,
        ef[qi[q, state.Q_EMPLOYER], state.E_BIAS],
        target_groups(pi, p),
        pi[p, state.P_UNEMPLOYMENT_DURATION],
        par.stigma_per_month,
        par.stigma_cap_months,
        support,
        par.support_bonus,
        pf[p, state.P_WORK_ABILITY],
        par.work_ability_penalty,
        qi[q, state.Q_CARVED],
        noise,
    )


def _hire(
    pi: np.ndarray, qi: np.ndarray, p: int, q: int, iv: np.ndarray, month: int, flows: np.ndarray
) -> None:
    """Vacancy ``q`` hires applicant ``p`` (a jobseeker or an inactive person).

    The hire is counted (by where the person came from, the length of the completed spell, how
    long the vacancy stayed open, and whether a chain started by mobility made room for it); the
    person's spell ends and their hire cohort is recorded; a programme they take part in ends,
    handing over to its in-work support if it has any, and any aftercare ends.
    """
    groups = target_groups(pi, p)
    if pi[p, state.P_STATUS] == state.UNEMPLOYED:
        add_flow(flows, tallies.F_HIRES_FROM_UNEMPLOYMENT, groups, 1.0)
        spell = float(pi[p, state.P_UNEMPLOYMENT_DURATION])
        add_flow(flows, tallies.F_COMPLETED_SPELL_MONTHS, groups, spell)
    else:
        add_flow(flows, tallies.F_HIRES_FROM_INACTIVITY, groups, 1.0)
    vacant_months = float(month - qi[q, state.Q_VACANT_SINCE])
    add_flow(flows, tallies.F_FILLED_VACANCY_MONTHS, 0, vacant_months)
    if qi[q, state.Q_CHAIN_FROM_MOBILITY] == 1:
        add_flow(flows, tallies.F_ENGINE_HIRES, groups, 1.0)
    qi[q, state.Q_HOLDER] = p
    qi[q, state.Q_STATE] = state.FILLED
    pi[p, state.P_STATUS] = state.EMPLOYED
    pi[p, state.P_POSITION] = q
    pi[p, state.P_EMPLOYER] = qi[q, state.Q_EMPLOYER]
    pi[p, state.P_TENURE] = 0
    pi[p, state.P_HIRE_MONTH] = month
    pi[p, state.P_HIRE_GROUPS] = groups
    pi[p, state.P_HIRED_THIS_MONTH] = 1
    pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
    pi[p, state.P_AFTERCARE_LEFT] = 0  # the search it assisted is over
    k = int(pi[p, state.P_ENROLLED])
    if k >= 0:
        support_months = int(iv[k, interventions.IV_INWORK])
        if support_months > 0:
            pi[p, state.P_SUPPORT_LEFT] = support_months
            pi[p, state.P_SUPPORT_INTERVENTION] = k
        pi[p, state.P_ENROLLED] = -1
        pi[p, state.P_ENROLMENT_LEFT] = 0


def gather_seekers(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    iv: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> list[int]:
    """Reference of :func:`simulator.kernels.matching.gather_seekers` (same arguments): the
    people who search this month, in person order (what :func:`matching_step` takes)."""
    return [p for p in range(n) if _searches(pi, p, par, key, month)]


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
    seekers: list[int],
) -> None:
    """Reference of :func:`simulator.kernels.matching.matching_step` (same arguments).

    Everyone who searches (``seekers``, from :func:`gather_seekers`) applies, in person order;
    then every open vacancy, in the order of its priority draw, is screened or not, and hires
    its best applicant (the first in person and application order among equal scores) if that
    one reaches the standard.
    """
    open_vacancies = [
        q
        for q in range(qi.shape[0])
        if qi[q, state.Q_ACTIVE] == 1 and qi[q, state.Q_STATE] == state.OPEN
    ]
    if not open_vacancies:
        return
    by_requirement = sorted(open_vacancies, key=lambda q: (float(requirement[q]), q))
    requirements = [float(requirement[q]) for q in by_requirement]
    applications: list[Application] = []
    for p in seekers:
        applications += _applications(
            pf, pi, p, iv, open_vacancies, by_requirement, requirements, par, key, month
        )

    screening_order = sorted(
        open_vacancies, key=lambda q: (draw(key, streams.STREAM_VAC_ORDER, month, q), q)
    )
    for q in screening_order:
        if not _screened(q, par, key, month):
            continue
        standard = _hiring_standard(ef, qi, q, par)
        best, best_score = -1, 0.0
        for application in applications:
            p, _, vacancy = application
            if vacancy != q:
                continue
            if pi[p, state.P_STATUS] == state.EMPLOYED or not may_hold(pi, p, qi, q):
                continue  # hired by another vacancy already, or a job reserved for others
            score = _score(pf, pi, application, qi, requirement, ef, iv, par, key, month)
            if score >= standard and (best < 0 or score > best_score):
                best, best_score = p, score
        if best >= 0:
            _hire(pi, qi, best, q, iv, month, flows)
