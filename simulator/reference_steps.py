"""Plain-Python references of the per-agent kernels: demand, entrants, training, participation,
consequences and the census.

Each function is written from the model's rules for its step (README, "A tour of the model",
and the kernels' module docstrings), one agent at a time with the rule spelled out as named
steps, not translated from the kernel's loops. They share only the model's scalar formulas
(:mod:`simulator.rules`), its counter-based random numbers (:mod:`simulator.streams`, same stream,
index and sub-index per decision) and the flow bookkeeping (:func:`simulator.tallies.add_flow`)
with the kernels, so on the same seed the results must be bit-identical; the tests in
``tests/test_reference_equivalence.py`` check exactly that.

Floating-point sums are accumulated left to right in person order on purpose: Python's
``sum`` uses compensated summation since 3.12, which would round differently from the kernels.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from simulator import interventions, rules, state, streams, tallies
from simulator.kernel_params import KernelParams

_clip01 = rules.clip01.py_func
_group_bits = rules.group_bits.py_func
_trait_bits = rules.trait_bits.py_func
_add_flow = tallies.add_flow.py_func


def _draw(key: np.uint64, stream: int, month: int, index: int, sub: int = 0) -> float:
    """The model's random draw for one decision (same five-part key as the kernels)."""
    return streams.uniform_py(int(key), stream, month, index, sub)


def _groups(pi: np.ndarray, p: int) -> int:
    """Target-group bits of person ``p`` now: traits plus long-term unemployment."""
    return int(
        _group_bits(
            pi[p, state.P_STATUS], pi[p, state.P_UNEMPLOYMENT_DURATION], pi[p, state.P_TRAIT_GROUPS]
        )
    )


def _running_total(values: list[float]) -> float:
    """Left-to-right float sum (not ``sum``, which compensates rounding since Python 3.12)."""
    total = 0.0
    for v in values:
        total += v
    return total


# ---------------------------------------------------------------- 1. demand


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
        _add_flow(flows, tallies.F_LOST_WITHIN_6M, cohort, 1.0)
    if months_in_job < 12:
        _add_flow(flows, tallies.F_LOST_WITHIN_12M, cohort, 1.0)


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


def _separation_hazard(pi: np.ndarray, p: int, groups: int, par: KernelParams, month: int) -> float:
    """Monthly probability that employee ``p`` quits or is dismissed.

    Quits happen at a flat rate; dismissals at the dismissal rate plus, in probation, the
    probation separation rate (lower with in-work support); the dismissal part is multiplied for
    members of a target group.
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
    return par.quit_rate + multiplier * dismissal


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


def _return_multiplier(pi: np.ndarray, p: int, par: KernelParams) -> float:
    """How much more likely inactive person ``p`` is to return (to search or straight to work)
    than a prime-age person out of the labour force for a year or more."""
    multiplier = 1.0
    if pi[p, state.P_AGE_MONTHS] >= state.OLDER_MIN_MONTHS:
        multiplier *= par.older_return_multiplier
    if pi[p, state.P_INACTIVE_MONTHS] < par.recent_inactive_months:
        multiplier *= par.recent_return_multiplier  # marginally attached
    return multiplier


def _become_inactive(pi: np.ndarray, p: int) -> None:
    """Person ``p`` (holding no job) leaves the labour force; any participation ends."""
    pi[p, state.P_STATUS] = state.INACTIVE
    pi[p, state.P_INACTIVE_MONTHS] = 0  # a new spell out of the labour force
    pi[p, state.P_ENROLLED] = -1
    pi[p, state.P_ENROLMENT_LEFT] = 0


def _retire(qi: np.ndarray, pi: np.ndarray, p: int, month: int, flows: np.ndarray) -> None:
    """Person ``p`` reaches retirement age and leaves for good, freeing any job they hold."""
    status = int(pi[p, state.P_STATUS])
    groups = _groups(pi, p)
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
    _add_flow(flows, tallies.F_RETIREMENTS, groups, 1.0)
    _add_flow(flows, by_status, groups, 1.0)


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
            if _draw(key, streams.STREAM_DESTROY, month, q) >= rate:
                continue
            holder = int(qi[q, state.Q_HOLDER])
            qi[q, state.Q_ACTIVE] = 0
            qi[q, state.Q_CARVED] = 0  # a destroyed job loses its tailoring
            qi[q, state.Q_STATE] = state.FILLED  # nothing to fill: the slot is unused now
            qi[q, state.Q_HOLDER] = -1
            _add_flow(flows, tallies.F_JOBS_DESTROYED, 0, 1.0)
            if holder >= 0:
                groups = _groups(pi, holder)
                _count_early_job_loss(pi, holder, month, flows)
                _become_unemployed(pi, holder)
                _add_flow(flows, tallies.F_SEPARATIONS, groups, 1.0)
        else:
            # Two-state slots: unused slots are switched on so that, in the long run, the
            # block holds its target share of active positions.
            wanted = creation_multiplier * target[employer, level]
            unused_wanted = slots_in_block[(employer, level)] - wanted
            p_create = 1.0 if unused_wanted <= 0.0 else rate * wanted / unused_wanted
            if _draw(key, streams.STREAM_CREATE, month, q) >= p_create:
                continue
            qi[q, state.Q_ACTIVE] = 1
            qi[q, state.Q_CARVED] = 0
            _vacancy_from_scratch(qi, q, month)
            _add_flow(flows, tallies.F_JOBS_CREATED, 0, 1.0)

    for p in range(n):
        status = int(pi[p, state.P_STATUS])
        if status == state.GONE:
            continue
        if pi[p, state.P_AGE_MONTHS] >= par.retirement_age_months:
            _retire(qi, pi, p, month, flows)
            continue
        groups = _groups(pi, p)
        if status == state.EMPLOYED:
            # Leaving the labour force (care, study, illness) is decided first, on its own
            # draw, so that a change in separations never changes who leaves.
            exit_risk = par.employment_exit_rate * _labour_force_exit_multiplier(pi, p, par)
            if _draw(key, streams.STREAM_EMPLOYMENT_EXIT, month, p) < exit_risk:
                _vacancy_from_scratch(qi, int(pi[p, state.P_POSITION]), month)
                _count_early_job_loss(pi, p, month, flows)
                _become_unemployed(pi, p)
                _become_inactive(pi, p)
                _add_flow(flows, tallies.F_EMPLOYMENT_EXITS_TO_INACTIVITY, groups, 1.0)
                continue
            hazard = _separation_hazard(pi, p, groups, par, month)
            if _draw(key, streams.STREAM_QUIT, month, p) < hazard:
                _vacancy_from_scratch(qi, int(pi[p, state.P_POSITION]), month)
                _count_early_job_loss(pi, p, month, flows)
                _become_unemployed(pi, p)
                _add_flow(flows, tallies.F_SEPARATIONS, groups, 1.0)
        elif status == state.UNEMPLOYED:
            if _draw(key, streams.STREAM_LF_EXIT, month, p) < _inactivity_exit_probability(
                pi, pf, p, par
            ):
                _become_inactive(pi, p)
                _add_flow(flows, tallies.F_EXITS_TO_INACTIVITY, groups, 1.0)
        else:  # inactive
            p_return = par.reentry_rate * _return_multiplier(pi, p, par)
            if _draw(key, streams.STREAM_REENTRY, month, p) < p_return:
                # A returner searches with their usual effort. After a short break (the
                # marginally attached) the search goes on: the spell's months so far count, as
                # survey respondents report the duration of their search; after a year or more
                # out, a fresh spell starts.
                pi[p, state.P_STATUS] = state.UNEMPLOYED
                if pi[p, state.P_INACTIVE_MONTHS] >= par.recent_inactive_months:
                    pi[p, state.P_UNEMPLOYMENT_DURATION] = 0
                pf[p, state.P_SEARCH_EFFORT] = pf[p, state.P_INITIAL_SEARCH_EFFORT]
                _add_flow(flows, tallies.F_REENTRIES, _groups(pi, p), 1.0)


# ---------------------------------------------------------------- 2. training


def training_step(
    pf: np.ndarray,
    pi: np.ndarray,
    n: int,
    qi: np.ndarray,
    ef: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
) -> None:
    """Reference of :func:`simulator.kernels.mobility.training_step` (same arguments).

    Every employee learns on the job; some also train, with a probability set by their
    employer's willingness to develop staff (scaled by its training resources) and their own
    motivation and awareness of support, and gain the training's skill. Skill stays in [0, 1].
    """
    for p in range(n):
        if pi[p, state.P_STATUS] != state.EMPLOYED:
            continue
        # The employer through the position held (the person's employer column must agree).
        employer = int(qi[pi[p, state.P_POSITION], state.Q_EMPLOYER])
        # Part of the development culture needs a large employer's resources.
        share = par.resources_development_share
        willingness = ef[employer, state.E_DEVELOPMENT] * (
            (1.0 - share) + share * ef[employer, state.E_RESOURCES]
        )
        p_train = rules.training_probability.py_func(
            par.training_rate,
            willingness,
            pf[p, state.P_MOTIVATION],
            pf[p, state.P_AWARENESS],
            par.awareness_training_share,
        )
        trains = _draw(key, streams.STREAM_TRAIN, month, p) < p_train
        skill = pf[p, state.P_SKILL] + par.learning_on_job
        if trains:
            skill += par.skill_gain
            _add_flow(flows, tallies.F_TRAINED, _groups(pi, p), 1.0)
        pf[p, state.P_SKILL] = _clip01(skill)


# ---------------------------------------------------------------- 3. participation

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
    it by the peer-learning rate; a cohort of one learns nothing.
    """
    on_efficacy = par.self_efficacy_on > 0.0
    on_trust = par.trust_on > 0.0
    on_success = par.experiences_of_success_on > 0.0
    participants = [p for p in range(n) if pi[p, state.P_ENROLLED] >= 0]

    def raise_state(p: int, column: int, by: float) -> None:
        pf[p, column] = _clip01(pf[p, column] + by)

    for p in participants:
        effect = effects[int(pi[p, state.P_ENROLLED])]
        raise_state(p, state.P_SKILL, effect[_EFFECT["skill"]])
        if on_efficacy:
            gain = float(effect[_EFFECT["self_efficacy"]])
            if on_success:
                gain += par.success_to_efficacy * effect[_EFFECT["successes"]]
            raise_state(p, state.P_SELF_EFFICACY, gain)
        if on_trust:
            raise_state(p, state.P_TRUST, effect[_EFFECT["trust"]])
        raise_state(p, state.P_SEARCH_SKILL, effect[_EFFECT["search_skill"]])
        raise_state(p, state.P_SEARCH_EFFORT, effect[_EFFECT["search_effort"]])
        raise_state(p, state.P_MOTIVATION, effect[_EFFECT["motivation"]])
        raise_state(p, state.P_AWARENESS, effect[_EFFECT["awareness"]])
        pf[p, state.P_EXPERIENCES_OF_SUCCESS] += effect[_EFFECT["successes"]]

    peer_rate = par.peer_learning if par.peer_learning_on > 0.0 else 0.0
    cohorts: dict[tuple[int, int], list[int]] = {}
    for p in participants:
        k = int(pi[p, state.P_ENROLLED])
        if iv[k, interventions.IV_PEER] > 0.0:
            cohorts.setdefault((k, _peer_cohort(_groups(pi, p))), []).append(p)
    if peer_rate <= 0.0:
        return
    for members in cohorts.values():
        if len(members) < 2:
            continue
        # Means of the cohort before anyone in it learns (learning is simultaneous).
        size = float(len(members))
        mean_efficacy = _running_total([pf[p, state.P_SELF_EFFICACY] for p in members]) / size
        mean_search = _running_total([pf[p, state.P_SEARCH_SKILL] for p in members]) / size
        for p in members:
            if on_efficacy and mean_efficacy > pf[p, state.P_SELF_EFFICACY]:
                pf[p, state.P_SELF_EFFICACY] += peer_rate * (
                    mean_efficacy - pf[p, state.P_SELF_EFFICACY]
                )
            if mean_search > pf[p, state.P_SEARCH_SKILL]:
                pf[p, state.P_SEARCH_SKILL] += peer_rate * (
                    mean_search - pf[p, state.P_SEARCH_SKILL]
                )


# ---------------------------------------------------------------- 5. consequences


def _month_in_work(pf: np.ndarray, pi: np.ndarray, p: int, iv, par, cost: np.ndarray) -> None:
    """An employee's month: tenure grows, self-efficacy recovers towards its usual level, a
    hire this month is an experience of success, and in-work support runs down (paid)."""
    pi[p, state.P_TENURE] += 1
    on_efficacy = par.self_efficacy_on > 0.0
    if on_efficacy:
        efficacy = pf[p, state.P_SELF_EFFICACY]
        pf[p, state.P_SELF_EFFICACY] = efficacy + par.efficacy_recovery_at_work * (
            par.initial_self_efficacy - efficacy
        )
    if pi[p, state.P_HIRED_THIS_MONTH] == 1:
        pf[p, state.P_EXPERIENCES_OF_SUCCESS] += 1.0
        if on_efficacy:
            efficacy = pf[p, state.P_SELF_EFFICACY]
            pf[p, state.P_SELF_EFFICACY] = efficacy + par.efficacy_gain_hire * (1.0 - efficacy)
    if pi[p, state.P_SUPPORT_LEFT] > 0:
        paying = int(pi[p, state.P_SUPPORT_INTERVENTION])
        cost[paying] += iv[paying, interventions.IV_SUBSIDY]
        pi[p, state.P_SUPPORT_LEFT] -= 1


def _month_in_unemployment(pf: np.ndarray, pi: np.ndarray, p: int, par) -> None:
    """A jobseeker's month: the spell grows, skills depreciate in long spells, and a month of
    applications that all failed lowers self-efficacy and effort; effort drifts back."""
    pi[p, state.P_UNEMPLOYMENT_DURATION] += 1
    if pi[p, state.P_UNEMPLOYMENT_DURATION] > par.depreciation_after_months:
        pf[p, state.P_SKILL] = _clip01(pf[p, state.P_SKILL] - par.skill_depreciation)
    rejected = pi[p, state.P_APPLICATIONS] > 0  # still unemployed: every application failed
    effort = pf[p, state.P_SEARCH_EFFORT]
    if rejected:
        if par.self_efficacy_on > 0.0:
            pf[p, state.P_SELF_EFFICACY] = _clip01(
                pf[p, state.P_SELF_EFFICACY] - par.efficacy_loss_rejection
            )
        effort = effort - par.effort_loss_rejection
    effort = effort + par.effort_recovery * (pf[p, state.P_INITIAL_SEARCH_EFFORT] - effort)
    pf[p, state.P_SEARCH_EFFORT] = _clip01(effort)


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
    """Reference of :func:`simulator.kernels.consequences.consequences_step` (same arguments).

    Everyone present ages a month (target-group traits follow the age); employees and
    jobseekers live their month (:func:`_month_in_work`, :func:`_month_in_unemployment`);
    trust drifts back to its usual level; participations count down and end; the month's
    application and hire marks are cleared. Then the census is taken, and employers' bias
    relapses towards its level before any intervention. Subsidies paid are totalled per block
    of rows (``tallies.BLOCK_ROWS``) and the blocks added in order, as the kernel does.
    """
    block_cost = np.zeros((tallies.n_blocks.py_func(n), cost.shape[0]))
    for p in range(n):
        status = int(pi[p, state.P_STATUS])
        if status == state.GONE:
            continue
        pi[p, state.P_AGE_MONTHS] += 1
        pi[p, state.P_TRAIT_GROUPS] = _trait_bits(
            pi[p, state.P_AGE_MONTHS],
            pi[p, state.P_FEMALE],
            pi[p, state.P_MIGRANT],
            pi[p, state.P_PARTIAL_ABILITY],
        )
        if status == state.EMPLOYED:
            _month_in_work(pf, pi, p, iv, par, block_cost[p // tallies.BLOCK_ROWS])
        elif status == state.UNEMPLOYED:
            _month_in_unemployment(pf, pi, p, par)
        else:  # inactive: the spell out of the labour force grows
            pi[p, state.P_INACTIVE_MONTHS] += 1
        if par.trust_on > 0.0:
            trust = pf[p, state.P_TRUST]
            pf[p, state.P_TRUST] = trust + par.trust_decay * (pf[p, state.P_INITIAL_TRUST] - trust)
        if pi[p, state.P_ENROLLED] >= 0:
            pi[p, state.P_ENROLMENT_LEFT] -= 1
            if pi[p, state.P_ENROLMENT_LEFT] <= 0:
                pi[p, state.P_ENROLLED] = -1
        pi[p, state.P_APPLICATIONS] = 0
        pi[p, state.P_HIRED_THIS_MONTH] = 0
    for block in block_cost:
        cost += block
    census(pf, pi, n, month, out)
    for p in range(n):  # the month-end status joins the history, after the census reads it
        status = int(pi[p, state.P_STATUS])
        if status != state.GONE:
            previous = [(int(pi[p, state.P_STATUS_HISTORY]) >> (2 * m)) & 3 for m in range(2)]
            newest_first = [status, *previous]
            pi[p, state.P_STATUS_HISTORY] = sum(
                code << (2 * m) for m, code in enumerate(newest_first)
            )
    for e in range(ef.shape[0]):
        ef[e, state.E_BIAS] += par.bias_relapse * (
            ef[e, state.E_INITIAL_BIAS] - ef[e, state.E_BIAS]
        )


# ---------------------------------------------------------------- 6. census


def _census_entries(pf: np.ndarray, pi: np.ndarray, p: int, month: int):
    """What person ``p`` adds to the census: ``(column, group bits, amount)`` triples."""
    status = int(pi[p, state.P_STATUS])
    groups = _groups(pi, p)
    entries = []
    # The survey's quarterly transition: this person's status three month ends ago and now.
    three_months_ago = (int(pi[p, state.P_STATUS_HISTORY]) >> 4) & 3
    if three_months_ago != state.STATUS_ABSENT:
        entries.append((tallies.C_TRANSITIONS + 3 * three_months_ago + status, groups, 1.0))
    if status == state.INACTIVE:
        return [*entries, (tallies.C_INACTIVE, groups, 1.0)]
    if status == state.EMPLOYED:
        hire_groups = int(pi[p, state.P_HIRE_GROUPS])
        # Hired out of long-term unemployment: keeps counting in that group while employed.
        groups |= hire_groups & state.G_LTU
        entries.append((tallies.C_EMPLOYED, groups, 1.0))
        hired = int(pi[p, state.P_HIRE_MONTH])
        if hired != state.NEVER:  # of the cohort hired out of unemployment in month ``hired``
            if month - hired == 6:
                entries.append((tallies.C_RETAINED_6M, hire_groups, 1.0))
            elif month - hired == 12:
                entries.append((tallies.C_RETAINED_12M, hire_groups, 1.0))
    else:
        udur = int(pi[p, state.P_UNEMPLOYMENT_DURATION])
        entries.append((tallies.C_UNEMPLOYED, groups, 1.0))
        entries.append((tallies.C_SUM_UNEMPLOYMENT_DURATION, groups, float(udur)))
        if udur >= state.LTU_MONTHS:
            entries.append((tallies.C_LONG_TERM, groups, 1.0))
    entries += [
        (tallies.C_SUM_SELF_EFFICACY, groups, float(pf[p, state.P_SELF_EFFICACY])),
        (tallies.C_SUM_TRUST, groups, float(pf[p, state.P_TRUST])),
        (tallies.C_SUM_SKILL, groups, float(pf[p, state.P_SKILL])),
        (
            tallies.C_SUM_EXPERIENCES_OF_SUCCESS,
            groups,
            float(pf[p, state.P_EXPERIENCES_OF_SUCCESS]),
        ),
    ]
    if pi[p, state.P_ENROLLED] >= 0:
        entries.append((tallies.C_PARTICIPANTS, groups, 1.0))
    return entries


def census(pf: np.ndarray, pi: np.ndarray, n: int, month: int, out: np.ndarray) -> None:
    """Reference of :func:`simulator.kernels.consequences.census` (same arguments).

    Everyone present adds their stocks and states (:func:`_census_entries`) to every indicator
    group they belong to. To round exactly as the kernel does, amounts are first totalled per
    combination of group bits and block of rows (``tallies.BLOCK_ROWS``, in person order),
    the blocks added in order, and each group's value is the total of its combinations in
    increasing bit order.
    """
    per_block: dict[tuple[int, int], dict[int, list[float]]] = {}
    for p in range(n):
        if pi[p, state.P_STATUS] == state.GONE:
            continue
        block = p // tallies.BLOCK_ROWS
        for column, groups, amount in _census_entries(pf, pi, p, month):
            per_block.setdefault((column, groups), {}).setdefault(block, []).append(amount)
    per_combination = {
        cell: _running_total([_running_total(amounts) for amounts in blocks.values()])
        for cell, blocks in per_block.items()
    }
    out[:, :] = 0.0
    for column in range(out.shape[0]):
        for g, (_, mask) in enumerate(state.INDICATOR_GROUPS):
            totals = [
                per_combination[(column, combo)]
                for combo in range(1 << 5)
                if (column, combo) in per_combination and (mask == 0 or combo & mask)
            ]
            out[column, g] = _running_total(totals)


# ---------------------------------------------------------------- 1b. entrants


def _entrant_draw(key: np.uint64, month: int, k: int, sub: int) -> float:
    """Draw ``sub`` of the month's ``k``-th entrant (keyed by entry number, not row)."""
    return _draw(key, streams.STREAM_ENTRANT, month, k, sub)


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
            return _clip01(mean + rules.noise.py_func(u(first_sub), u(first_sub + 1), sd))

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
        pi[p, state.P_TRAIT_GROUPS] = _trait_bits(
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
        _add_flow(flows, tallies.F_ENTRANTS, _groups(pi, p), 1.0)
        if still_inactive:
            _add_flow(flows, tallies.F_INACTIVE_ENTRANTS, _groups(pi, p), 1.0)
