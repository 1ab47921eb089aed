"""Phase 3 of the month, services: enrolment in the interventions in force, then the month's
effects of participation (with peer learning in group formats).

Enrolment goes intervention by intervention, in the order of the scenario. For a service to
people, everyone eligible is referred with a probability that grows with their awareness of
support and the coalition's integration and coordination, and takes the service up with a
probability that grows with their trust in services; for a service to employers, an eligible
employer is reached with a probability that grows with its awareness. Among the willing, the
month's places (the intervention's capacity, and its provider's) go first in a random priority
order. Someone enrolled by an earlier intervention this month is no longer eligible for later
ones.

The numba versions are :func:`simulator.kernels.services.enrolment_step` (one pass over the
population for all interventions, a bounded heap for the priority order) and
:func:`simulator.kernels.services.participation_step`.
"""

from __future__ import annotations

import numpy as np

from simulator import interventions, rules, state, streams, tallies
from simulator.kernel_params import KernelParams
from simulator.reference.common import (
    add_flow,
    clip01,
    draw,
    running_total,
    target_groups,
)

#: Codes of an intervention's target (see :data:`simulator.interventions.TARGET_CODES`).
_JOBSEEKERS = interventions.TARGET_CODES["jobseekers"]
_EMPLOYERS = interventions.TARGET_CODES["employers"]
#: Employer-effect columns by name (see :data:`simulator.interventions.EMPLOYER_EFFECTS`).
_EMPLOYER_EFFECT = {name: c for c, name in enumerate(interventions.EMPLOYER_EFFECTS)}


# ---------------------------------------------------------------- enrolment


def _places(row: np.ndarray, provider_left: np.ndarray) -> int:
    """Places an intervention can fill this month: its monthly capacity, or what its provider
    has left if that is less."""
    capacity = int(row[interventions.IV_CAPACITY])
    provider = int(row[interventions.IV_PROVIDER])
    if provider >= 0 and provider_left[provider] < capacity:
        return int(provider_left[provider])
    return capacity


def _person_eligible(
    pf: np.ndarray, pi: np.ndarray, p: int, qi: np.ndarray, ei: np.ndarray, row: np.ndarray
) -> bool:
    """Whether person ``p`` is eligible for the intervention ``row``: not taking part in one
    already; a jobseeker unemployed long enough (service to jobseekers) or an employee at a low
    enough level, of a coalition employer if the intervention requires it (service to
    employees); skill not above the ceiling; in one of the target groups, if any are named."""
    if pi[p, state.P_ENROLLED] >= 0:
        return False
    status = int(pi[p, state.P_STATUS])
    if int(row[interventions.IV_TARGET]) == _JOBSEEKERS:
        if status != state.UNEMPLOYED:
            return False
        if pi[p, state.P_UNEMPLOYMENT_DURATION] < row[interventions.IV_MIN_U]:
            return False
    else:
        if status != state.EMPLOYED:
            return False
        if qi[pi[p, state.P_POSITION], state.Q_LEVEL] > row[interventions.IV_MAX_LEVEL]:
            return False
        coalition_only = row[interventions.IV_COALITION_ONLY] > 0.0
        if coalition_only and ei[pi[p, state.P_EMPLOYER], state.E_COALITION] == 0:
            return False
    if pf[p, state.P_SKILL] > row[interventions.IV_MAX_SKILL]:
        return False
    wanted_groups = int(row[interventions.IV_GROUPS])
    return wanted_groups == 0 or (target_groups(pi, p) & wanted_groups) != 0


def _person_takes_up(
    pf: np.ndarray,
    p: int,
    k: int,
    integration: float,
    coordination: float,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> bool:
    """Whether eligible person ``p`` is referred to intervention ``k`` and takes it up (trust
    as it is now, or as it started when the trust mechanism is switched off)."""
    trust = pf[p, state.P_TRUST] if par.trust_on > 0.0 else pf[p, state.P_INITIAL_TRUST]
    referred = rules.referral_probability.py_func(
        par.referral_base,
        integration,
        coordination,
        pf[p, state.P_AWARENESS],
        par.unaware_referral_share,
    )
    takes_up = rules.takeup_probability.py_func(trust, par.trust_referral_weight)
    return draw(key, streams.STREAM_REFER + k, month, p) < referred * takes_up


def _employer_eligible(ei: np.ndarray, e: int, k: int, row: np.ndarray) -> bool:
    """Whether employer ``e`` may join employer intervention ``k``: never before, and a
    coalition member if the intervention requires it."""
    if int(ei[e, state.E_TREATED]) & (1 << k):
        return False
    coalition_only = row[interventions.IV_COALITION_ONLY] > 0.0
    return not (coalition_only and ei[e, state.E_COALITION] == 0)


def _employer_takes_part(
    ef: np.ndarray,
    e: int,
    k: int,
    integration: float,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> bool:
    """Whether eligible employer ``e`` is reached by intervention ``k`` and joins it."""
    reached = rules.referral_probability.py_func(
        par.referral_base, integration, 1.0, ef[e, state.E_AWARENESS], par.unaware_referral_share
    )
    return draw(key, streams.STREAM_REFER + k, month, e) < reached


def _enrol_person(pi: np.ndarray, p: int, k: int, row: np.ndarray, flows: np.ndarray) -> None:
    """Person ``p`` starts intervention ``k`` for its duration."""
    pi[p, state.P_ENROLLED] = k
    pi[p, state.P_LAST_INTERVENTION] = k
    pi[p, state.P_ENROLMENT_LEFT] = int(row[interventions.IV_DURATION])
    pi[p, state.P_AFTERCARE_LEFT] = 0  # aftercare of an earlier participation stops
    add_flow(flows, tallies.F_INTERVENTION_STARTS, target_groups(pi, p), 1.0)


def _treat_employer(
    ef: np.ndarray,
    ei: np.ndarray,
    e: int,
    k: int,
    effects: np.ndarray,
    flows: np.ndarray,
    lasting: float,
) -> None:
    """Employer ``e`` takes part in intervention ``k`` and changes once: less bias (the share
    ``lasting`` of the reduction lasts, the rest relapses), more willingness to develop staff
    and awareness of support, a lower hiring standard, and at least the intervention's
    job-carving propensity."""
    ei[e, state.E_TREATED] = int(ei[e, state.E_TREATED]) | (1 << k)
    bias_reduction = effects[_EMPLOYER_EFFECT["bias_reduction"]]
    ef[e, state.E_BIAS] *= 1.0 - bias_reduction
    ef[e, state.E_INITIAL_BIAS] *= 1.0 - lasting * bias_reduction
    ef[e, state.E_DEVELOPMENT] = clip01(
        ef[e, state.E_DEVELOPMENT] + effects[_EMPLOYER_EFFECT["development"]]
    )
    ef[e, state.E_AWARENESS] = clip01(
        ef[e, state.E_AWARENESS] + effects[_EMPLOYER_EFFECT["awareness"]]
    )
    ef[e, state.E_HIRING_STANDARD] -= effects[_EMPLOYER_EFFECT["hiring_standard"]]
    carving = effects[_EMPLOYER_EFFECT["job_carving"]]
    if carving > ef[e, state.E_JOB_CARVING]:
        ef[e, state.E_JOB_CARVING] = carving
    add_flow(flows, tallies.F_INTERVENTION_STARTS, 0, 1.0)


def enrolment_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    qi: np.ndarray,
    ef: np.ndarray,
    ei: np.ndarray,
    iv: np.ndarray,
    iv_employer: np.ndarray,
    coordination: np.ndarray,
    provider_in_coalition: np.ndarray,
    provider_left: np.ndarray,
    integration: float,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
    starts: np.ndarray,
    cost: np.ndarray,
) -> None:
    """Reference of :func:`simulator.kernels.services.enrolment_step` (same arguments).

    Each intervention in force this month, in order, fills its places with the willing (see
    the module's description), first in the order of each one's priority draw; starts, cost
    and the provider's capacity left are counted.
    """
    for k in range(iv.shape[0]):
        row = iv[k]
        if not row[interventions.IV_START] <= month <= row[interventions.IV_END]:
            continue
        places = _places(row, provider_left)
        if places <= 0:
            continue
        provider = int(row[interventions.IV_PROVIDER])
        # A provider outside the coalition does not benefit from its integration.
        coord, link = 1.0, integration
        if provider >= 0:
            coord = coordination[provider]
            link = integration if provider_in_coalition[provider] else 0.0
        for_employers = int(row[interventions.IV_TARGET]) == _EMPLOYERS
        if for_employers:
            willing = [
                e
                for e in range(ei.shape[0])
                if _employer_eligible(ei, e, k, row)
                and _employer_takes_part(ef, e, k, link, par, key, month)
            ]
        else:
            willing = [
                p
                for p in range(n)
                if _person_eligible(pf, pi, p, qi, ei, row)
                and _person_takes_up(pf, p, k, link, coord, par, key, month)
            ]
        if not willing:
            continue
        first = sorted(
            willing, key=lambda c: (draw(key, streams.STREAM_REFER + k, month, c, 1), c)
        )[:places]
        for c in first:
            if for_employers:
                _treat_employer(ef, ei, c, k, iv_employer[k], flows, par.lasting_bias_reduction)
            else:
                _enrol_person(pi, c, k, row, flows)
        starts[k] += len(first)
        cost[k] += len(first) * row[interventions.IV_COST]
        if provider >= 0:
            provider_left[provider] -= len(first)


# ---------------------------------------------------------------- participation

#: Person-effect columns by name (see :data:`simulator.interventions.PERSON_EFFECTS`).
_EFFECT = {name: c for c, name in enumerate(interventions.PERSON_EFFECTS)}


def _peer_cohort(groups: int) -> int:
    """A participant's peer cohort: the first target group they belong to (bit order), or one
    cohort for everyone in no target group."""
    for bit in range(5):
        if groups & (1 << bit):
            return bit
    return 5


def participation_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    iv: np.ndarray,
    effects: np.ndarray,
    par: KernelParams,
) -> None:
    """Reference of :func:`simulator.kernels.services.participation_step` (same arguments).

    Every participant's states change by their intervention's monthly effects (self-efficacy
    also by the experiences of success it brings, when that mechanism is on). Then, in
    peer-group formats, participants of the same intervention and target group who are below
    their cohort's mean self-efficacy or search skill (after this month's effects) move towards
    it by the peer-learning rate; a cohort of one learns nothing. What skill and search skill
    actually moved (after clipping) is added to the person's programme gains.
    """
    on_efficacy = par.self_efficacy_on > 0.0
    on_trust = par.trust_on > 0.0
    on_success = par.experiences_of_success_on > 0.0
    participants = [p for p in range(n) if pi[p, state.P_ENROLLED] >= 0]

    def raise_state(p: int, column: int, by: float) -> None:
        pf[p, column] = clip01(pf[p, column] + by)

    def raise_and_keep(p: int, column: int, gain_column: int, by: float) -> None:
        """Raise a state and add what it actually moved to the programme's gain."""
        before = pf[p, column]
        raise_state(p, column, by)
        pf[p, gain_column] += pf[p, column] - before

    for p in participants:
        effect = effects[int(pi[p, state.P_ENROLLED])]
        raise_and_keep(p, state.P_SKILL, state.P_PROGRAMME_SKILL_GAIN, effect[_EFFECT["skill"]])
        if on_efficacy:
            gain = float(effect[_EFFECT["self_efficacy"]])
            if on_success:
                gain += par.success_to_efficacy * effect[_EFFECT["successes"]]
            raise_state(p, state.P_SELF_EFFICACY, gain)
        if on_trust:
            raise_state(p, state.P_TRUST, effect[_EFFECT["trust"]])
        raise_and_keep(
            p,
            state.P_SEARCH_SKILL,
            state.P_PROGRAMME_SEARCH_SKILL_GAIN,
            effect[_EFFECT["search_skill"]],
        )
        raise_state(p, state.P_SEARCH_EFFORT, effect[_EFFECT["search_effort"]])
        raise_state(p, state.P_MOTIVATION, effect[_EFFECT["motivation"]])
        raise_state(p, state.P_AWARENESS, effect[_EFFECT["awareness"]])
        pf[p, state.P_EXPERIENCES_OF_SUCCESS] += effect[_EFFECT["successes"]]

    peer_rate = par.peer_learning if par.peer_learning_on > 0.0 else 0.0
    cohorts: dict[tuple[int, int], list[int]] = {}
    for p in participants:
        k = int(pi[p, state.P_ENROLLED])
        if iv[k, interventions.IV_PEER] > 0.0:
            cohorts.setdefault((k, _peer_cohort(target_groups(pi, p))), []).append(p)
    if peer_rate <= 0.0:
        return
    for members in cohorts.values():
        if len(members) < 2:
            continue
        # Means of the cohort before anyone in it learns (learning is simultaneous).
        size = float(len(members))
        mean_efficacy = running_total([pf[p, state.P_SELF_EFFICACY] for p in members]) / size
        mean_search = running_total([pf[p, state.P_SEARCH_SKILL] for p in members]) / size
        for p in members:
            if on_efficacy and mean_efficacy > pf[p, state.P_SELF_EFFICACY]:
                pf[p, state.P_SELF_EFFICACY] += peer_rate * (
                    mean_efficacy - pf[p, state.P_SELF_EFFICACY]
                )
            if mean_search > pf[p, state.P_SEARCH_SKILL]:
                learnt = peer_rate * (mean_search - pf[p, state.P_SEARCH_SKILL])
                pf[p, state.P_SEARCH_SKILL] += learnt
                pf[p, state.P_PROGRAMME_SEARCH_SKILL_GAIN] += learnt
