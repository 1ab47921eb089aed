"""Phase 2 of the month, mobility: training at work, then vacancy chains (promotions,
job-to-job moves, moves down the ladder, jobs carved for people with partial work ability).

Each vacancy awaiting its decision (``PENDING``) is taken in position order and followed, one
decision at a time, until it is opened to outside applicants:

1. it draws the level it is filled from with the probabilities of the ladder's fill matrix Q
   (promotion entries scaled by the employer's willingness to develop staff);
2. from a lower level of the same employer, the most skilled employee there is promoted; from
   the same or a higher level, an employee of another employer is sought among
   ``rules.J2J_TRIES`` positions drawn at that level;
3. a mover leaves a vacancy behind, decided next in the same way; with no mover (or when drawn)
   the vacancy is opened to outside applicants and the chain ends. A promotion may free tasks
   that the employer carves into an entry job reserved for people with partial work ability.

The numba versions are :func:`simulator.kernels.mobility.training_step` and
:func:`simulator.kernels.mobility.vacancy_chains`, which find candidates through buffered
queues instead of scanning.
"""

from __future__ import annotations

import itertools

import numpy as np

from simulator import rules, state, streams, tallies
from simulator.kernel_params import KernelParams
from simulator.reference.common import add_flow, clip01, draw, may_hold, target_groups


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
    holder_skill: np.ndarray,
) -> None:
    """Reference of :func:`simulator.kernels.mobility.training_step` (same arguments).

    Every employee learns on the job; some also train, with a probability set by their
    employer's willingness to develop staff (scaled by its training resources) and their own
    motivation and awareness of support, and gain the training's skill. Skill stays in [0, 1].
    Each employee's new skill is also written at their position in ``holder_skill``, which
    the kernels' chains read.
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
        trains = draw(key, streams.STREAM_TRAIN, month, p) < p_train
        skill = pf[p, state.P_SKILL] + par.learning_on_job
        if trains:
            skill += par.skill_gain
            add_flow(flows, tallies.F_TRAINED, target_groups(pi, p), 1.0)
        pf[p, state.P_SKILL] = clip01(skill)
        holder_skill[pi[p, state.P_POSITION]] = pf[p, state.P_SKILL]


# ---------------------------------------------------------------- vacancy chains


def _source_level(
    qi: np.ndarray,
    v: int,
    ef: np.ndarray,
    fill: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> int:
    """The level vacancy ``v`` is filled from (below its own: a promotion; its own or above: a
    move from another employer), or -1: opened to outside applicants as drawn.

    The first level whose cumulative probability in the vacancy's row of Q exceeds the draw;
    only promotions are scaled by the employer's willingness to develop staff, the probability
    they lose goes to outside applicants.
    """
    level = int(qi[v, state.Q_LEVEL])
    employer = int(qi[v, state.Q_EMPLOYER])
    scale = rules.internal_fill_scale.py_func(
        ef[employer, state.E_DEVELOPMENT], float(par.development_effect)
    )
    probabilities = [fill[level, j] * (scale if j < level else 1.0) for j in range(len(fill))]
    u = draw(key, streams.STREAM_FILL, month, v)
    cumulative = itertools.accumulate(probabilities)
    return next((j for j, c in enumerate(cumulative) if u < c), -1)


def _may_move(
    pf: np.ndarray,
    pi: np.ndarray,
    h: int,
    qi: np.ndarray,
    v: int,
    requirement: np.ndarray,
    par: KernelParams,
    month: int,
) -> bool:
    """Whether employee ``h`` may move into vacancy ``v`` this month: not moved already this
    month, allowed to hold the job (a carved job is reserved for people with partial work
    ability) and, when promotion requires skill, meeting the job's requirement."""
    if pi[h, state.P_MOVED_MONTH] == month:
        return False
    if not may_hold(pi, h, qi, v):
        return False
    requires_skill = par.promotion_requires_skill > 0.0
    return (not requires_skill) or pf[h, state.P_SKILL] >= float(requirement[v])


def _best_to_promote(
    pf: np.ndarray,
    pi: np.ndarray,
    qi: np.ndarray,
    v: int,
    level: int,
    requirement: np.ndarray,
    par: KernelParams,
    month: int,
) -> int:
    """The employee promoted into vacancy ``v`` from ``level`` of the same employer: the most
    skilled one who may move (ties to the lower person number), or -1 if none may."""
    employer = qi[v, state.Q_EMPLOYER]
    candidates = [
        (float(pf[h, state.P_SKILL]), -h, h)
        for s in range(qi.shape[0])
        if qi[s, state.Q_EMPLOYER] == employer and qi[s, state.Q_LEVEL] == level
        for h in [int(qi[s, state.Q_HOLDER])]
        if h >= 0 and _may_move(pf, pi, h, qi, v, requirement, par, month)
    ]
    return max(candidates)[2] if candidates else -1


def _mover_from_elsewhere(
    pf: np.ndarray,
    pi: np.ndarray,
    qi: np.ndarray,
    v: int,
    level_positions: list[int],
    requirement: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
) -> int:
    """An employee of another employer who moves into vacancy ``v`` from one of
    ``level_positions`` (the positions at the drawn level): the first who may move among
    ``rules.J2J_TRIES`` positions drawn at random, or -1."""
    if not level_positions:
        return -1
    employer = qi[v, state.Q_EMPLOYER]
    for t in range(rules.J2J_TRIES):
        r = draw(key, streams.STREAM_J2J, month, v, t)
        s = level_positions[int(r * len(level_positions))]
        h = int(qi[s, state.Q_HOLDER])
        if (
            h >= 0
            and qi[s, state.Q_EMPLOYER] != employer
            and _may_move(pf, pi, h, qi, v, requirement, par, month)
        ):
            return h
    return -1


def _move(pi: np.ndarray, qi: np.ndarray, mover: int, v: int, internal: bool, month: int) -> int:
    """Employee ``mover`` takes vacancy ``v``; return the position they leave, now a vacancy
    awaiting its decision in the same chain (a promotion keeps the tenure, a move to another
    employer starts it afresh)."""
    left = int(pi[mover, state.P_POSITION])
    qi[v, state.Q_HOLDER] = mover
    qi[v, state.Q_STATE] = state.FILLED
    pi[mover, state.P_POSITION] = v
    pi[mover, state.P_EMPLOYER] = qi[v, state.Q_EMPLOYER]
    pi[mover, state.P_MOVED_MONTH] = month
    if not internal:
        pi[mover, state.P_TENURE] = 0
    qi[left, state.Q_HOLDER] = -1
    qi[left, state.Q_STATE] = state.PENDING
    qi[left, state.Q_VACANT_SINCE] = month
    qi[left, state.Q_CHAIN_LENGTH] = qi[v, state.Q_CHAIN_LENGTH] + 1
    # A chain counts as started by mobility once anyone in it was promoted.
    from_mobility = internal or qi[v, state.Q_CHAIN_FROM_MOBILITY] == 1
    qi[left, state.Q_CHAIN_FROM_MOBILITY] = 1 if from_mobility else 0
    qi[left, state.Q_CHAIN_START_LEVEL] = qi[v, state.Q_CHAIN_START_LEVEL]
    return left


def _carve_entry_job(
    qi: np.ndarray, level_start: np.ndarray, employer: int, month: int, flows: np.ndarray
) -> None:
    """Tasks freed by a promotion become a tailored entry job, opened at once to outside
    applicants with partial work ability, in the employer's first unused entry-level slot (if
    it has one)."""
    entry_slots = range(int(level_start[employer, 0]), int(level_start[employer, 1]))
    unused = [q for q in entry_slots if qi[q, state.Q_ACTIVE] == 0]
    if not unused:
        return
    q = unused[0]
    qi[q, state.Q_ACTIVE] = 1
    qi[q, state.Q_CARVED] = 1
    qi[q, state.Q_HOLDER] = -1
    qi[q, state.Q_STATE] = state.OPEN
    qi[q, state.Q_VACANT_SINCE] = month
    qi[q, state.Q_CHAIN_LENGTH] = 0
    qi[q, state.Q_CHAIN_FROM_MOBILITY] = 1
    qi[q, state.Q_CHAIN_START_LEVEL] = 0
    add_flow(flows, tallies.F_CARVED_JOBS, 0, 1.0)


def _open_to_outside(
    qi: np.ndarray, v: int, chain_count: np.ndarray, chain_sum: np.ndarray
) -> None:
    """The chain ends: vacancy ``v`` is opened to outside applicants; the chain's length is
    counted by the level it started at."""
    qi[v, state.Q_STATE] = state.OPEN
    start = int(qi[v, state.Q_CHAIN_START_LEVEL])
    chain_count[start] += 1
    chain_sum[start] += qi[v, state.Q_CHAIN_LENGTH] + 1


def vacancy_chains(
    pf: np.ndarray,
    pi: np.ndarray,
    qi: np.ndarray,
    requirement: np.ndarray,
    level_start: np.ndarray,
    level_slots: np.ndarray,
    level_slots_start: np.ndarray,
    ef: np.ndarray,
    fill: np.ndarray,
    par: KernelParams,
    key: np.uint64,
    month: int,
    flows: np.ndarray,
    chain_count: np.ndarray,
    chain_sum: np.ndarray,
    fills: np.ndarray,
    holder_skill: np.ndarray,
) -> None:
    """Reference of :func:`simulator.kernels.mobility.vacancy_chains` (same arguments; the
    slot index by level and ``holder_skill`` are not needed: positions are found by scanning
    and each candidate's skill is read from the person table).

    Every pending vacancy, in position order, is decided and its chain followed (see the
    module's description); each decision is counted in ``fills``: a move from level ``j``
    (column ``j``), opened to outside as drawn (column ``n_levels``) or for want of a mover
    (column ``n_levels + 1``).
    """
    n_levels = len(fills)
    positions_at_level: dict[int, list[int]] = {}
    for s in range(qi.shape[0]):
        positions_at_level.setdefault(int(qi[s, state.Q_LEVEL]), []).append(s)

    for q in range(qi.shape[0]):
        if qi[q, state.Q_STATE] != state.PENDING or qi[q, state.Q_ACTIVE] == 0:
            continue
        v = q
        while True:
            employer = int(qi[v, state.Q_EMPLOYER])
            level = int(qi[v, state.Q_LEVEL])
            source = _source_level(qi, v, ef, fill, par, key, month)
            internal = 0 <= source < level
            if internal:
                mover = _best_to_promote(pf, pi, qi, v, source, requirement, par, month)
            elif source >= level:
                mover = _mover_from_elsewhere(
                    pf, pi, qi, v, positions_at_level.get(source, []), requirement, par, key, month
                )
            else:
                mover = -1
            if mover < 0:
                # Opened to outside: as drawn, or because the drawn level had nobody to move.
                fills[level, n_levels + (0 if source < 0 else 1)] += 1
                _open_to_outside(qi, v, chain_count, chain_sum)
                break
            fills[level, source] += 1
            groups = target_groups(pi, mover)
            left = _move(pi, qi, mover, v, internal, month)
            if internal:
                add_flow(flows, tallies.F_PROMOTIONS, groups, 1.0)
                carves = (
                    draw(key, streams.STREAM_CARVE, month, v) < ef[employer, state.E_JOB_CARVING]
                )
                if carves:
                    _carve_entry_job(qi, level_start, employer, month, flows)
            else:
                add_flow(flows, tallies.F_JOB_TO_JOB_MOVES, groups, 1.0)
            v = left
