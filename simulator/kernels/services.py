"""Services: enrolment up to capacity, effects of interventions in progress, peer learning.

For each intervention in force, eligible people are referred (more often when they are aware
of support and the coalition is integrated) and take the service up (more often when they trust
services); among those, the intervention's monthly capacity (and its provider's) is filled in
a random priority order. Participants' states then change by the intervention's monthly
effects; in peer-group formats, participants of the same target group learn from each other.
Employer-targeted interventions change the participating employers once.
"""

from __future__ import annotations

import numpy as np

from simulator import interventions, rules, state, streams, tallies
from simulator.jit import helper, njit
from simulator.kernel_params import KernelParams
from simulator.kernels.demand import person_groups

#: Number of peer cohorts per intervention: one per target group, plus one for everyone else.
N_PEER_COHORTS = 6


@helper
def peer_cohort(groups: int) -> int:
    """Peer cohort of a participant: their first target group, or 5 for none."""
    for b in range(5):
        if (groups >> b) & 1:
            return b
    return 5


@helper
def person_eligible(
    pf: np.ndarray, pi: np.ndarray, p: int, qi: np.ndarray, ei: np.ndarray, row: np.ndarray
) -> bool:
    """Whether person ``p`` is eligible for the intervention described by ``row``."""
    if pi[p, state.P_ENROLLED] >= 0:
        return False
    target = int(row[interventions.IV_TARGET])
    status = pi[p, state.P_STATUS]
    if target == 0:
        if (
            status != state.UNEMPLOYED
            or pi[p, state.P_UNEMPLOYMENT_DURATION] < row[interventions.IV_MIN_U]
        ):
            return False
    else:
        if status != state.EMPLOYED:
            return False
        q = pi[p, state.P_POSITION]
        if qi[q, state.Q_LEVEL] > row[interventions.IV_MAX_LEVEL]:
            return False
        if (
            row[interventions.IV_COALITION_ONLY] > 0.0
            and ei[pi[p, state.P_EMPLOYER], state.E_COALITION] == 0
        ):
            return False
    if pf[p, state.P_SKILL] > row[interventions.IV_MAX_SKILL]:
        return False
    mask = int(row[interventions.IV_GROUPS])
    return mask == 0 or (person_groups(pi, p) & mask) != 0


@helper
def takes_up(
    pf: np.ndarray,
    p: int,
    k: int,
    integration: float,
    coordination: float,
    par: KernelParams,
    key,
    month: int,
) -> bool:
    """Whether eligible person ``p`` is referred to intervention ``k`` and takes it up."""
    trust = pf[p, state.P_TRUST] if par.trust_on > 0.0 else pf[p, state.P_INITIAL_TRUST]
    prob = rules.referral_probability(
        par.referral_base,
        integration,
        coordination,
        pf[p, state.P_AWARENESS],
        par.unaware_referral_share,
    ) * rules.takeup_probability(trust, par.trust_referral_weight)
    return streams.uniform(key, streams.STREAM_REFER + k, month, p, 0) < prob


@helper
def intake(row: np.ndarray, provider_left: np.ndarray) -> int:
    """How many can start this intervention this month (its own and its provider's capacity)."""
    cap = int(row[interventions.IV_CAPACITY])
    prov = int(row[interventions.IV_PROVIDER])
    if prov >= 0 and provider_left[prov] < cap:
        cap = int(provider_left[prov])
    return cap


@helper
def employer_takes_part(ef: np.ndarray, e: int, integration: float, par, key, k, month) -> bool:
    """Whether an eligible employer is reached and joins an employer intervention."""
    prob = rules.referral_probability(
        par.referral_base, integration, 1.0, ef[e, state.E_AWARENESS], par.unaware_referral_share
    )
    return streams.uniform(key, streams.STREAM_REFER + k, month, e, 0) < prob


@helper
def apply_employer_effects(ef: np.ndarray, e: int, eff: np.ndarray, lasting: float) -> None:
    """One-off change of a participating employer; the share ``lasting`` of the bias
    reduction lowers the level the bias relapses to."""
    ef[e, state.E_BIAS] *= 1.0 - eff[0]
    ef[e, state.E_INITIAL_BIAS] *= 1.0 - lasting * eff[0]
    ef[e, state.E_DEVELOPMENT] = rules.clip01(ef[e, state.E_DEVELOPMENT] + eff[1])
    ef[e, state.E_AWARENESS] = rules.clip01(ef[e, state.E_AWARENESS] + eff[2])
    ef[e, state.E_HIRING_STANDARD] -= eff[3]
    if eff[4] > ef[e, state.E_JOB_CARVING]:
        ef[e, state.E_JOB_CARVING] = eff[4]


@helper
def _before(prio: np.ndarray, cand: np.ndarray, a: int, b: int) -> bool:
    """Whether candidate slot ``a`` comes before slot ``b`` in the priority order (ties, which
    practically never happen, go to the lower index)."""
    return prio[a] < prio[b] or (prio[a] == prio[b] and cand[a] < cand[b])


@helper
def _sift_down(heap: np.ndarray, size: int, prio: np.ndarray, cand: np.ndarray) -> None:
    """Restore the max-heap (by priority order) after its root was replaced."""
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        top = left
        if left + 1 < size and _before(prio, cand, heap[top], heap[left + 1]):
            top = left + 1
        if not _before(prio, cand, heap[i], heap[top]):
            return
        heap[i], heap[top] = heap[top], heap[i]
        i = top


@helper
def _sift_up(heap: np.ndarray, i: int, prio: np.ndarray, cand: np.ndarray) -> None:
    """Restore the max-heap after a slot was added at position ``i``."""
    while i > 0:
        parent = (i - 1) // 2
        if not _before(prio, cand, heap[parent], heap[i]):
            return
        heap[i], heap[parent] = heap[parent], heap[i]
        i = parent


@helper
def first_in_priority(
    prio: np.ndarray, cand: np.ndarray, m: int, cap: int, heap: np.ndarray
) -> int:
    """The ``cap`` first of ``m`` candidates in priority order, as slots in ``heap[:take]``
    (in no particular order); returns ``take = min(m, cap)``.

    A bounded max-heap: O(m log cap) rather than sorting all ``m`` when few places are open.
    """
    size = 0
    for j in range(m):
        if size < cap:
            heap[size] = j
            _sift_up(heap, size, prio, cand)
            size += 1
        elif _before(prio, cand, j, heap[0]):
            heap[0] = j
            _sift_down(heap, size, prio, cand)
    return size


@njit(cache=True)
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
    """Enrol new participants in every intervention in force this month.

    Interventions fill in order; each takes, up to its capacity (and its provider's), the
    willing eligible people first in a random priority order. People are screened for every
    intervention in one pass over the population; someone enrolled by an earlier intervention
    this month is skipped by the later ones (as if screened after it: nothing else that
    eligibility or take-up reads changes during enrolment).

    Parameters
    ----------
    iv : ndarray of float64, shape (K, IV_N_COLUMNS)
        Compiled interventions; enrolment goes in this order.
    iv_employer : ndarray of float64, shape (K, len(EMPLOYER_EFFECTS))
        Employer effects of each intervention.
    coordination, provider_in_coalition, provider_left : ndarray, shape (n_providers,)
        Providers' coordination, coalition membership this month, capacity left (updated).
    integration : float
        Coalition integration this month.
    starts, cost : ndarray of float64, shape (K,)
        New participants and cost per intervention this month (updated).
    """
    n_iv = iv.shape[0]
    coord = np.ones(n_iv)
    link = np.full(n_iv, integration)
    in_force = np.zeros(n_iv, dtype=np.bool_)
    for k in range(n_iv):
        row = iv[k]
        in_force[k] = row[interventions.IV_START] <= month <= row[interventions.IV_END]
        prov = int(row[interventions.IV_PROVIDER])
        if prov >= 0:
            coord[k] = coordination[prov]
            if provider_in_coalition[prov] == 0:
                link[k] = 0.0

    # Person-targeted interventions in force, by the status they take people from (those
    # for jobseekers take the unemployed, the others employees): everyone else, and anyone
    # already taking part, is passed over without looking at the interventions.
    for_status = np.empty((2, n_iv), dtype=np.int64)
    n_for = np.zeros(2, dtype=np.int64)
    for k in range(n_iv):
        target = int(iv[k, interventions.IV_TARGET])
        if in_force[k] and target < 2:
            for_status[target, n_for[target]] = k
            n_for[target] += 1

    # Willing, eligible people of each person-targeted intervention, in person order.
    n_cand = np.zeros(n_iv, dtype=np.int64)
    cand = np.empty((n_iv, n), dtype=np.int64)
    if n_for[0] + n_for[1] > 0:
        for p in range(n):
            if pi[p, state.P_ENROLLED] >= 0:
                continue
            status = pi[p, state.P_STATUS]
            if status == state.UNEMPLOYED:
                side = 0
            elif status == state.EMPLOYED:
                side = 1
            else:
                continue
            for j in range(n_for[side]):
                k = for_status[side, j]
                if person_eligible(pf, pi, p, qi, ei, iv[k]) and takes_up(
                    pf, p, k, link[k], coord[k], par, key, month
                ):
                    cand[k, n_cand[k]] = p
                    n_cand[k] += 1

    prio = np.empty(max(n, ei.shape[0]), dtype=np.float64)
    slots = np.empty(max(n, ei.shape[0]), dtype=np.int64)
    heap = np.empty(max(n, ei.shape[0]), dtype=np.int64)
    for k in range(n_iv):
        if not in_force[k]:
            continue
        row = iv[k]
        cap = intake(row, provider_left)
        if cap <= 0:
            continue
        target = int(row[interventions.IV_TARGET])
        m = 0
        if target < 2:
            for j in range(n_cand[k]):
                p = cand[k, j]
                if pi[p, state.P_ENROLLED] < 0:  # not enrolled by an earlier intervention
                    slots[m] = p
                    m += 1
        else:
            bit = np.int64(1) << np.int64(k)
            for e in range(ei.shape[0]):
                if (ei[e, state.E_TREATED] & bit) != 0:
                    continue
                if row[interventions.IV_COALITION_ONLY] > 0.0 and ei[e, state.E_COALITION] == 0:
                    continue
                if employer_takes_part(ef, e, link[k], par, key, k, month):
                    slots[m] = e
                    m += 1
        if m == 0:
            continue
        for j in range(m):
            prio[j] = streams.uniform(key, streams.STREAM_REFER + k, month, slots[j], 1)
        take = first_in_priority(prio, slots, m, cap, heap)
        for j in range(take):
            c = slots[heap[j]]
            if target < 2:
                pi[c, state.P_ENROLLED] = k
                pi[c, state.P_LAST_INTERVENTION] = k
                pi[c, state.P_ENROLMENT_LEFT] = int(row[interventions.IV_DURATION])
                pi[c, state.P_AFTERCARE_LEFT] = 0  # a new participation ends any aftercare
                tallies.add_flow(flows, tallies.F_INTERVENTION_STARTS, person_groups(pi, c), 1.0)
            else:
                ei[c, state.E_TREATED] |= np.int64(1) << np.int64(k)
                apply_employer_effects(ef, c, iv_employer[k], par.lasting_bias_reduction)
                tallies.add_flow(flows, tallies.F_INTERVENTION_STARTS, 0, 1.0)
        starts[k] += take
        cost[k] += take * row[interventions.IV_COST]
        prov = int(row[interventions.IV_PROVIDER])
        if prov >= 0:
            provider_left[prov] -= take


@njit(cache=True)
def participation_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    iv: np.ndarray,
    effects: np.ndarray,
    par: KernelParams,
) -> None:
    """Apply the monthly effects of interventions in progress, then peer learning.

    Participations are counted down at the end of the month (after matching), so that a
    d-month intervention supports its participants' job search for d months. What the
    effects (and peer learning) add to skill and job-search skill is also kept as the
    programme gain that decays after a programme with a gain half-life.

    Parameters
    ----------
    effects : ndarray of float64, shape (K, len(PERSON_EFFECTS))
        Monthly effects on participants (columns as in ``PERSON_EFFECTS``).
    """
    n_iv = iv.shape[0]
    if n_iv == 0:
        return  # nobody takes part in anything (a baseline): no row to read
    on_eff = par.self_efficacy_on > 0.0
    on_trust = par.trust_on > 0.0
    on_success = par.experiences_of_success_on > 0.0
    peer_sum = np.zeros((n_iv, N_PEER_COHORTS, 2), dtype=np.float64)
    peer_n = np.zeros((n_iv, N_PEER_COHORTS), dtype=np.float64)
    for p in range(n):
        k = pi[p, state.P_ENROLLED]
        if k < 0:
            continue
        eff = effects[k]
        skill = rules.clip01(pf[p, state.P_SKILL] + eff[0])
        pf[p, state.P_PROGRAMME_SKILL_GAIN] += skill - pf[p, state.P_SKILL]
        pf[p, state.P_SKILL] = skill
        if on_eff:
            gain = eff[1]
            if on_success:
                gain += par.success_to_efficacy * eff[7]
            pf[p, state.P_SELF_EFFICACY] = rules.clip01(pf[p, state.P_SELF_EFFICACY] + gain)
        if on_trust:
            pf[p, state.P_TRUST] = rules.clip01(pf[p, state.P_TRUST] + eff[2])
        search_skill = rules.clip01(pf[p, state.P_SEARCH_SKILL] + eff[3])
        pf[p, state.P_PROGRAMME_SEARCH_SKILL_GAIN] += search_skill - pf[p, state.P_SEARCH_SKILL]
        pf[p, state.P_SEARCH_SKILL] = search_skill
        pf[p, state.P_SEARCH_EFFORT] = rules.clip01(pf[p, state.P_SEARCH_EFFORT] + eff[4])
        pf[p, state.P_MOTIVATION] = rules.clip01(pf[p, state.P_MOTIVATION] + eff[5])
        pf[p, state.P_AWARENESS] = rules.clip01(pf[p, state.P_AWARENESS] + eff[6])
        pf[p, state.P_EXPERIENCES_OF_SUCCESS] += eff[7]
        if iv[k, interventions.IV_PEER] > 0.0:
            c = peer_cohort(person_groups(pi, p))
            peer_sum[k, c, 0] += pf[p, state.P_SELF_EFFICACY]
            peer_sum[k, c, 1] += pf[p, state.P_SEARCH_SKILL]
            peer_n[k, c] += 1.0

    peer = par.peer_learning if par.peer_learning_on > 0.0 else 0.0
    if peer == 0.0 or peer_n.sum() == 0.0:
        return  # no participant of a programme with peer learning
    for p in range(n):
        k = pi[p, state.P_ENROLLED]
        if k < 0:
            continue
        if peer > 0.0 and iv[k, interventions.IV_PEER] > 0.0:
            c = peer_cohort(person_groups(pi, p))
            if peer_n[k, c] > 1.0:
                if on_eff:
                    gap = peer_sum[k, c, 0] / peer_n[k, c] - pf[p, state.P_SELF_EFFICACY]
                    if gap > 0.0:
                        pf[p, state.P_SELF_EFFICACY] += peer * gap
                gap = peer_sum[k, c, 1] / peer_n[k, c] - pf[p, state.P_SEARCH_SKILL]
                if gap > 0.0:
                    pf[p, state.P_SEARCH_SKILL] += peer * gap
                    pf[p, state.P_PROGRAMME_SEARCH_SKILL_GAIN] += peer * gap
