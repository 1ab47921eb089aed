"""Mobility: training at work, promotions, job-to-job moves and vacancy chains.

A vacancy at level ``i`` that is not yet decided (``PENDING``) draws its source level ``j``
with the probabilities of the ladder's fill matrix ``Q`` (row ``i``):

* ``j < i``: the most skilled eligible employee at level ``j`` of the same employer is
  promoted (internal labour market);
* ``j == i``: an employee at the same level of another employer moves (job-to-job move);
* ``j > i``: an employee at level ``j`` of another employer moves down the ladder into it
  (downshifting: a lower-level job elsewhere, e.g. for fewer hours, less strain or a
  sector change; demotions inside an employer are not modelled);
* the rest of the row: the vacancy is opened to outside applicants, ending the chain.

A move leaves a new vacancy behind at the level the mover left, which is decided at once (as
in White's *Chains of Opportunity*): the vacancy travels up, down and across employers until it
is opened to outside applicants, where the matching step fills it. If the drawn level has no
eligible mover (nobody there, nobody meeting the skill requirement, everyone there already
moved this month, or for a move from another employer: none found in ``rules.J2J_TRIES`` random
draws of a position at that level), the vacancy is opened to outside applicants as well.
With employer heterogeneity, an employer realises the promotion entries of Q in proportion to
its willingness to develop staff (:func:`simulator.rules.internal_fill_scale`). Every decision
is counted in the realised fill matrix (:mod:`simulator.chain_stats`). Chains are followed one
at a time, in position order, so the result does not depend on how the work is organised.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from simulator import rules, state, streams, tallies
from simulator.jit import helper, njit, parallel
from simulator.kernel_params import KernelParams
from simulator.kernels.demand import person_groups
from simulator.kernels.slots import active_slots_in_state


@parallel
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
    """Employees train with a probability set by their employer's willingness and resources
    and their own motivation and awareness of support; training raises skill.

    Each employee's new skill is also written at their position in ``holder_skill`` (shape
    ``(n_slots,)``), which :func:`vacancy_chains` reads: its scans for candidates then read
    positions in order instead of every holder's row.
    """
    blocks = np.zeros((tallies.n_blocks(n), flows.shape[0], flows.shape[1]))
    for b in prange(blocks.shape[0]):
        block_flows = blocks[b]
        first, last = tallies.block_range(b, n)
        for p in range(first, last):
            if pi[p, state.P_STATUS] != state.EMPLOYED:
                continue
            e = pi[p, state.P_EMPLOYER]
            development = rules.development_reach(
                ef[e, state.E_DEVELOPMENT],
                ef[e, state.E_RESOURCES],
                par.resources_development_share,
            )
            prob = rules.training_probability(
                par.training_rate,
                development,
                pf[p, state.P_MOTIVATION],
                pf[p, state.P_AWARENESS],
                par.awareness_training_share,
            )
            skill = pf[p, state.P_SKILL] + par.learning_on_job
            if streams.uniform(key, streams.STREAM_TRAIN, month, p, 0) < prob:
                skill += par.skill_gain
                tallies.add_flow(block_flows, tallies.F_TRAINED, person_groups(pi, p), 1.0)
            skill = rules.clip01(skill)
            pf[p, state.P_SKILL] = skill
            holder_skill[pi[p, state.P_POSITION]] = skill
    tallies.add_blocks(blocks, flows)


@parallel
def holder_skills(pf: np.ndarray, qi: np.ndarray) -> np.ndarray:
    """Skill of each position's holder (0 where there is none): what :func:`training_step`
    leaves in ``holder_skill``, for calling :func:`vacancy_chains` without it."""
    out = np.zeros(qi.shape[0])
    for q in prange(qi.shape[0]):
        h = qi[q, state.Q_HOLDER]
        if h >= 0:
            out[q] = pf[h, state.P_SKILL]
    return out


@helper
def choose_source(fill: np.ndarray, level: int, development: float, effect: float, u: float) -> int:
    """Level the vacancy is filled from (``j < level``: a promotion, ``j >= level``: a move
    from another employer), or -1: outside. Only promotions are scaled by the employer's
    willingness to develop staff; the probability they lose goes to outside applicants."""
    scale = rules.internal_fill_scale(development, effect)
    cum = 0.0
    for j in range(fill.shape[1]):
        pr = fill[level, j] * (scale if j < level else 1.0)
        cum += pr
        if u < cum:
            return j
    return -1


@helper
def eligible_mover(
    pi: np.ndarray,
    qi: np.ndarray,
    s: int,
    holder_skill: np.ndarray,
    moved: np.ndarray,
    requirement: float,
    requires_skill: bool,
    carved: int,
) -> bool:
    """Whether the holder of position ``s`` may move into a job with the given requirement
    this month (``carved``: the job is a carved one, reserved for people with partial work
    ability). Whether they moved and their skill are read at the position."""
    h = qi[s, state.Q_HOLDER]
    if h < 0 or moved[s]:
        return False
    if requires_skill and holder_skill[s] < requirement:
        return False
    return rules.may_hold(carved, pi[h, state.P_PARTIAL_ABILITY])


@helper
def open_to_outside(qi: np.ndarray, v: int, chain_count: np.ndarray, chain_sum: np.ndarray):
    """End a chain: the vacancy is opened to outside applicants."""
    qi[v, state.Q_STATE] = state.OPEN
    lv = qi[v, state.Q_CHAIN_START_LEVEL]
    chain_count[lv] += 1
    chain_sum[lv] += qi[v, state.Q_CHAIN_LENGTH] + 1


@helper
def count_fill(fills: np.ndarray, level: int, src: int, mover: int) -> None:
    """Count one decision on a vacancy at ``level`` in the realised fill matrix: a move from
    ``src``, or an opening to outside applicants (drawn, or for want of a mover)."""
    n = fills.shape[0]
    if mover >= 0:
        fills[level, src] += 1.0
    elif src < 0:
        fills[level, n] += 1.0
    else:
        fills[level, n + 1] += 1.0


@helper
def move(
    pi: np.ndarray,
    qi: np.ndarray,
    holder_skill: np.ndarray,
    moved: np.ndarray,
    mover: int,
    v: int,
    internal: bool,
    month: int,
) -> int:
    """Move ``mover`` into vacancy ``v``; return the position left behind (now vacant).
    The mover's skill goes with them, and ``v`` is marked as holding someone who moved."""
    s = pi[mover, state.P_POSITION]
    holder_skill[v] = holder_skill[s]
    moved[v] = True
    qi[v, state.Q_HOLDER] = mover
    qi[v, state.Q_STATE] = state.FILLED
    pi[mover, state.P_POSITION] = v
    pi[mover, state.P_EMPLOYER] = qi[v, state.Q_EMPLOYER]
    pi[mover, state.P_MOVED_MONTH] = month
    if not internal:
        pi[mover, state.P_TENURE] = 0
    qi[s, state.Q_HOLDER] = -1
    qi[s, state.Q_STATE] = state.PENDING
    qi[s, state.Q_VACANT_SINCE] = month
    qi[s, state.Q_CHAIN_LENGTH] = qi[v, state.Q_CHAIN_LENGTH] + 1
    qi[s, state.Q_CHAIN_FROM_MOBILITY] = (
        1 if (internal or qi[v, state.Q_CHAIN_FROM_MOBILITY] == 1) else 0
    )
    qi[s, state.Q_CHAIN_START_LEVEL] = qi[v, state.Q_CHAIN_START_LEVEL]
    return s


@helper
def carve(qi: np.ndarray, level_start: np.ndarray, e: int, month: int, flows: np.ndarray) -> None:
    """Turn tasks freed by a promotion into a tailored entry job, if the employer has a slot."""
    for q in range(level_start[e, 0], level_start[e, 1]):
        if qi[q, state.Q_ACTIVE] == 0:
            qi[q, state.Q_ACTIVE] = 1
            qi[q, state.Q_CARVED] = 1
            qi[q, state.Q_HOLDER] = -1
            qi[q, state.Q_STATE] = state.OPEN
            qi[q, state.Q_VACANT_SINCE] = month
            qi[q, state.Q_CHAIN_LENGTH] = 0
            qi[q, state.Q_CHAIN_FROM_MOBILITY] = 1
            qi[q, state.Q_CHAIN_START_LEVEL] = 0
            tallies.add_flow(flows, tallies.F_CARVED_JOBS, 0, 1.0)
            return


#: Blocks up to this size are scanned for each promotion.
SCAN_LIMIT = 48
#: Larger blocks keep the next best candidates found by one scan in a buffer of this size.
TOP_K = 32


@helper
def _better(skill_a: float, holder_a: int, skill_b: float, holder_b: int) -> bool:
    """Order of candidates: higher skill first, then lower person number."""
    return skill_a > skill_b or (skill_a == skill_b and holder_a < holder_b)


@helper
def _scan_block(qi: np.ndarray, holder_skill: np.ndarray, moved: np.ndarray, a: int, b: int) -> int:
    """The best holder in ``[a, b)`` who has not moved this month, or -1."""
    best = -1
    best_skill = -1.0
    for s in range(a, b):
        h = qi[s, state.Q_HOLDER]
        if h < 0 or moved[s]:
            continue
        sk = holder_skill[s]
        if best < 0 or _better(sk, h, best_skill, best):
            best_skill = sk
            best = h
    return best


@njit
def _fill_top(
    qi: np.ndarray,
    holder_skill: np.ndarray,
    moved: np.ndarray,
    a: int,
    b: int,
    top: np.ndarray,
) -> int:
    """Write the best ``len(top)`` holders of ``[a, b)`` who have not moved this month into
    ``top`` in order; return how many were found."""
    k = top.shape[0]
    top_skill = np.empty(k, dtype=np.float64)
    m = 0
    for s in range(a, b):
        h = qi[s, state.Q_HOLDER]
        if h < 0 or moved[s]:
            continue
        sk = holder_skill[s]
        if m == k and not _better(sk, h, top_skill[k - 1], top[k - 1]):
            continue
        i = m if m < k else k - 1
        while i > 0 and _better(sk, h, top_skill[i - 1], top[i - 1]):
            if i < k:
                top[i] = top[i - 1]
                top_skill[i] = top_skill[i - 1]
            i -= 1
        top[i] = h
        top_skill[i] = sk
        if m < k:
            m += 1
    return m


@njit
def best_internal_candidate(
    pf: np.ndarray,
    pi: np.ndarray,
    qi: np.ndarray,
    level_start: np.ndarray,
    e: int,
    src: int,
    req: float,
    requires_skill: bool,
    month: int,
    buffer_of: np.ndarray,
    top: np.ndarray,
    top_len: np.ndarray,
    top_pos: np.ndarray,
    holder_skill: np.ndarray,
    moved: np.ndarray,
) -> int:
    """The most skilled employee of employer ``e`` at level ``src`` who may move up, or -1.

    Small blocks are scanned. A large (employer, level) block keeps a buffer of its next best
    candidates from one scan. Moves during the month only make people ineligible (a mover may
    not move twice, and anyone arriving in a block has moved), so the buffer stays in order,
    and everyone outside it ranks below its last entry: the first eligible entry is the best
    candidate, and the block is scanned again only when the buffer runs out.

    Parameters
    ----------
    buffer_of : ndarray of int64, shape (n_employers * n_levels,)
        Row of each large block's buffer in ``top`` (-1: a small block, scanned).
    top : ndarray of int64, shape (large blocks, TOP_K)
        Candidate buffers of the large blocks.
    top_len, top_pos : ndarray of int64, shape (large blocks,)
        Entries in each buffer (-1: not filled this month) and the next entry to look at.
    holder_skill, moved : ndarray, shape (n_slots,)
        Skill of each position's holder, and whether they moved into it this month.
    """
    a, b = level_start[e, src], level_start[e, src + 1]
    if b - a <= SCAN_LIMIT:
        h = _scan_block(qi, holder_skill, moved, a, b)
    else:
        block = buffer_of[e * (level_start.shape[1] - 1) + src]
        h = -1
        while h < 0:
            if top_pos[block] >= top_len[block]:
                if top_len[block] == 0:
                    break  # the last scan found nobody: nobody is left this month
                top_len[block] = _fill_top(qi, holder_skill, moved, a, b, top[block])
                top_pos[block] = 0
                continue
            cand = top[block, top_pos[block]]
            if pi[cand, state.P_MOVED_MONTH] != month:
                h = cand
            else:
                top_pos[block] += 1
    if h < 0 or (requires_skill and pf[h, state.P_SKILL] < req):
        return -1
    return h


@njit(cache=True)
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
    """Decide every pending vacancy and follow the chains it starts.

    Parameters
    ----------
    pf, pi : ndarray
        Person tables.
    qi : ndarray of int32, shape (n_slots, columns)
        Position table.
    requirement : ndarray of float64, shape (n_slots,)
        Skill requirement of each slot.
    level_start : ndarray of int64, shape (n_employers, n_levels + 1)
        Slot ranges per employer and level (candidates for promotion are found here, without
        scanning the employer's whole staff).
    level_slots, level_slots_start : ndarray of int64
        Slots grouped by level, for drawing job-to-job movers.
    ef : ndarray of float64
        Employer float table.
    fill : ndarray of float64, shape (n_levels, n_levels)
        Fill matrix Q.
    par, key, month, flows
        Packed parameters, run key, month and monthly counters.
    chain_count, chain_sum : ndarray of float64, shape (n_levels,)
        Chains ended this month and their summed lengths, by starting level (updated).
    fills : ndarray of float64, shape (n_levels, n_levels + 2)
        Realised fill counts (updated): vacancies at level ``i`` filled by a move from level
        ``j`` (column ``j``), opened to outside as drawn (column ``n_levels``) or for want of
        an eligible mover (column ``n_levels + 1``).
    holder_skill : ndarray of float64, shape (n_slots,)
        Skill of each position's holder, as :func:`training_step` leaves it (or
        :func:`holder_skills` gives it); kept up to date as holders move.
    """
    requires = par.promotion_requires_skill > 0.0
    effect = par.development_effect
    n_emp, n_lv = level_start.shape[0], level_start.shape[1] - 1
    # Candidate buffers for the few large (employer, level) blocks only.
    buffer_of = np.full(n_emp * n_lv, -1, dtype=np.int64)
    n_large = 0
    for e in range(n_emp):
        for lv in range(n_lv):
            if level_start[e, lv + 1] - level_start[e, lv] > SCAN_LIMIT:
                buffer_of[e * n_lv + lv] = n_large
                n_large += 1
    top = np.empty((n_large, TOP_K), dtype=np.int64)
    top_len = np.full(n_large, -1, dtype=np.int64)  # -1: no scan yet this month
    top_pos = np.zeros(n_large, dtype=np.int64)
    # Positions whose holder moved into them this month: only chains move people, and a
    # mover may not move again.
    moved = np.zeros(qi.shape[0], dtype=np.bool_)
    # Vacancies a chain left behind are decided in that chain, so only those pending now
    # start one; a listed vacancy is still pending when its turn comes (chains fill only the
    # vacancy they are deciding).
    for q in active_slots_in_state(qi, state.PENDING):
        v = q
        while True:
            e = qi[v, state.Q_EMPLOYER]
            lv = qi[v, state.Q_LEVEL]
            req = requirement[v]
            u = streams.uniform(key, streams.STREAM_FILL, month, v, 0)
            src = choose_source(fill, lv, ef[e, state.E_DEVELOPMENT], effect, u)
            mover = -1
            internal = False
            # Carved jobs are entry-level, so a promotion never fills one; movers from other
            # employers into a carved job must have partial work ability, like outside hires.
            if 0 <= src < lv:
                mover = best_internal_candidate(
                    pf,
                    pi,
                    qi,
                    level_start,
                    e,
                    src,
                    req,
                    requires,
                    month,
                    buffer_of,
                    top,
                    top_len,
                    top_pos,
                    holder_skill,
                    moved,
                )
                internal = True
            elif src >= lv:
                a = level_slots_start[src]
                count = level_slots_start[src + 1] - a
                for t in range(rules.J2J_TRIES if count > 0 else 0):
                    r = streams.uniform(key, streams.STREAM_J2J, month, v, t)
                    s = level_slots[a + int(r * count)]
                    if qi[s, state.Q_EMPLOYER] != e and eligible_mover(
                        pi, qi, s, holder_skill, moved, req, requires, qi[v, state.Q_CARVED]
                    ):
                        mover = qi[s, state.Q_HOLDER]
                        break
            count_fill(fills, lv, src, mover)
            if mover < 0:
                open_to_outside(qi, v, chain_count, chain_sum)
                break
            g = person_groups(pi, mover)
            s = move(pi, qi, holder_skill, moved, mover, v, internal, month)
            if internal:
                tallies.add_flow(flows, tallies.F_PROMOTIONS, g, 1.0)
                if (
                    streams.uniform(key, streams.STREAM_CARVE, month, v, 0)
                    < ef[e, state.E_JOB_CARVING]
                ):
                    carve(qi, level_start, e, month, flows)
            else:
                tallies.add_flow(flows, tallies.F_JOB_TO_JOB_MOVES, g, 1.0)
            v = s
