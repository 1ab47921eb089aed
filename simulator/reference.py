"""Plain-Python reference versions of the kernels that organise work for speed.

These are written to be obviously correct, not fast: candidates are found by scanning every
position, applications are gathered per vacancy by scanning every application, orders are
Python sorts on explicit keys. They share the model's scalar rules and its counter-based random
numbers with the kernels, so on the same seed the results must be identical; the tests in
``tests/simulator/test_reference_equivalence.py`` check exactly that.
"""

from __future__ import annotations

import bisect
import itertools

from simulator import interventions, rules, state, streams, tallies
from simulator.kernels import demand, matching, mobility, services


def vacancy_chains(
    pf,
    pi,
    qi,
    requirement,
    level_start,
    level_slots,
    level_slots_start,
    ef,
    fill,
    par,
    key,
    month,
    flows,
    chain_count,
    chain_sum,
    fills,
) -> None:
    """Reference of :func:`simulator.kernels.mobility.vacancy_chains` (same arguments)."""
    requires = par.promotion_requires_skill > 0.0
    effect = float(par.development_effect)
    n_slots = qi.shape[0]
    slots_at_level: dict[int, list[int]] = {}
    for s in range(n_slots):
        slots_at_level.setdefault(int(qi[s, state.Q_LEVEL]), []).append(s)

    def may_move(h: int, req: float, v: int) -> bool:
        if pi[h, state.P_MOVED_MONTH] == month:
            return False
        if not matching.acceptable.py_func(pi, h, v, qi):
            return False  # a carved job is reserved for people with partial work ability
        return (not requires) or pf[h, state.P_SKILL] >= req

    for q in range(n_slots):
        if qi[q, state.Q_STATE] != state.PENDING or qi[q, state.Q_ACTIVE] == 0:
            continue
        v = q
        while True:
            e = int(qi[v, state.Q_EMPLOYER])
            lv = int(qi[v, state.Q_LEVEL])
            req = float(requirement[v])
            u = streams.uniform_py(int(key), streams.STREAM_FILL, month, v, 0)
            # The source level: the first whose cumulative probability exceeds the draw; only
            # promotions are scaled by the employer's willingness to develop staff.
            scale = rules.internal_fill_scale(ef[e, state.E_DEVELOPMENT], effect)
            probs = [fill[lv, j] * (scale if j < lv else 1.0) for j in range(len(fill))]
            src = next((j for j, c in enumerate(itertools.accumulate(probs)) if u < c), -1)
            mover = -1
            internal = False
            if 0 <= src < lv:
                internal = True
                candidates = [
                    (float(pf[h, state.P_SKILL]), -h, h)
                    for s in range(n_slots)
                    if qi[s, state.Q_EMPLOYER] == e and qi[s, state.Q_LEVEL] == src
                    for h in [int(qi[s, state.Q_HOLDER])]
                    if h >= 0 and may_move(h, req, v)
                ]
                if candidates:
                    mover = max(candidates)[2]
            elif src >= lv:
                # A move from another employer: across at the same level, or down the ladder.
                source_slots = slots_at_level.get(src, [])
                for t in range(mobility.J2J_TRIES if source_slots else 0):
                    r = streams.uniform_py(int(key), streams.STREAM_J2J, month, v, t)
                    s = source_slots[int(r * len(source_slots))]
                    h = int(qi[s, state.Q_HOLDER])
                    if h >= 0 and qi[s, state.Q_EMPLOYER] != e and may_move(h, req, v):
                        mover = h
                        break
            if mover >= 0:
                fills[lv, src] += 1
            else:
                # Opened to outside: as drawn, or because the drawn level had nobody to move.
                fills[lv, len(fills) + (0 if src < 0 else 1)] += 1
            if mover < 0:
                mobility.open_to_outside.py_func(qi, v, chain_count, chain_sum)
                break
            g = demand.person_groups.py_func(pi, mover)
            s = mobility.move.py_func(pi, qi, mover, v, internal, month)
            if internal:
                tallies.add_flow.py_func(flows, tallies.F_PROMOTIONS, g, 1.0)
                if (
                    streams.uniform_py(int(key), streams.STREAM_CARVE, month, v, 0)
                    < ef[e, state.E_JOB_CARVING]
                ):
                    mobility.carve.py_func(qi, level_start, e, month, flows)
            else:
                tallies.add_flow.py_func(flows, tallies.F_JOB_TO_JOB_MOVES, g, 1.0)
            v = int(s)


def matching_step(pf, pi, n, qi, requirement, ef, iv, par, key, month, flows) -> None:
    """Reference of :func:`simulator.kernels.matching.matching_step` (same arguments)."""
    open_vacancies = [
        q
        for q in range(qi.shape[0])
        if qi[q, state.Q_ACTIVE] == 1 and qi[q, state.Q_STATE] == state.OPEN
    ]
    if not open_vacancies:
        return
    by_requirement = sorted(open_vacancies, key=lambda q: (float(requirement[q]), q))
    requirements_sorted = [float(requirement[q]) for q in by_requirement]
    link = par.efficacy_effort_link
    applications: list[tuple[int, int, int]] = []  # (person, application number, vacancy)
    for p in range(n):
        if not matching.applies.py_func(pi, p, par, key, month):
            continue
        na, extra = matching.applications_of.py_func(pf, pi, p, iv, par, key, month)
        pi[p, state.P_APPLICATIONS] = na
        for a in range(na):
            aim_p = matching.rules.aim_probability(
                par.aim,
                pf[p, state.P_SEARCH_SKILL],
                pf[p, state.P_SELF_EFFICACY],
                link,
                par.unaimed_fit,
            )
            aimed = (
                a < extra
                or streams.uniform_py(int(key), streams.STREAM_AIM, month, p, 2 * a) < aim_p
            )
            r = streams.uniform_py(int(key), streams.STREAM_AIM, month, p, 2 * a + 1)
            target = -1
            if aimed:
                m = bisect.bisect_right(
                    requirements_sorted, float(pf[p, state.P_SKILL]) + par.aim_margin
                )
                if m > 0:
                    target = by_requirement[int(r * m)]
            if target < 0:
                target = open_vacancies[int(r * len(open_vacancies))]
            applications.append((p, a, target))

    screening_order = sorted(
        open_vacancies,
        key=lambda q: (streams.uniform_py(int(key), streams.STREAM_VAC_ORDER, month, q, 0), q),
    )
    for q in screening_order:
        if (
            streams.uniform_py(int(key), streams.STREAM_VAC_ORDER, month, q, 1)
            >= par.screening_rate
        ):
            continue
        e = qi[q, state.Q_EMPLOYER]
        standard = float(ef[e, state.E_HIRING_STANDARD]) + par.level_strictness * int(
            qi[q, state.Q_LEVEL]
        )
        best, best_score = -1, 0.0
        for p, a, target in applications:
            if target != q:
                continue
            hired_already = pi[p, state.P_STATUS] == state.EMPLOYED
            if hired_already or not matching.acceptable.py_func(pi, p, q, qi):
                continue
            sc = matching.score_of.py_func(
                pf, pi, p, a, q, qi, requirement, ef, iv, par, key, month
            )
            if sc < standard:
                continue
            if best < 0 or sc > best_score:
                best, best_score = p, sc
        if best >= 0:
            matching.hire.py_func(pi, qi, best, q, iv, month, flows)


def enrolment_step(
    pf,
    pi,
    n,
    qi,
    ef,
    ei,
    iv,
    iv_employer,
    coordination,
    provider_in_coalition,
    provider_left,
    integration,
    par,
    key,
    month,
    flows,
    starts,
    cost,
) -> None:
    """Reference of :func:`simulator.kernels.services.enrolment_step` (same arguments)."""
    for k in range(iv.shape[0]):
        row = iv[k]
        if month < row[interventions.IV_START] or month > row[interventions.IV_END]:
            continue
        cap = services.intake.py_func(row, provider_left)
        if cap <= 0:
            continue
        prov = int(row[interventions.IV_PROVIDER])
        coord, link = 1.0, integration
        if prov >= 0:
            coord = coordination[prov]
            link = integration if provider_in_coalition[prov] else 0.0
        target = int(row[interventions.IV_TARGET])
        if target < 2:
            willing = [
                p
                for p in range(n)
                if services.person_eligible.py_func(pf, pi, p, qi, ei, row)
                and services.takes_up.py_func(pf, p, k, link, coord, par, key, month)
            ]
        else:
            bit = 1 << k
            willing = [
                e
                for e in range(ei.shape[0])
                if not (int(ei[e, state.E_TREATED]) & bit)
                and not (
                    row[interventions.IV_COALITION_ONLY] > 0.0 and ei[e, state.E_COALITION] == 0
                )
                and services.employer_takes_part.py_func(ef, e, link, par, key, k, month)
            ]
        if not willing:
            continue
        chosen = sorted(
            willing,
            key=lambda c: (streams.uniform_py(int(key), streams.STREAM_REFER + k, month, c, 1), c),
        )[:cap]
        for c in chosen:
            if target < 2:
                pi[c, state.P_ENROLLED] = k
                pi[c, state.P_LAST_INTERVENTION] = k
                pi[c, state.P_ENROLMENT_LEFT] = int(row[interventions.IV_DURATION])
                tallies.add_flow.py_func(
                    flows, tallies.F_INTERVENTION_STARTS, demand.person_groups.py_func(pi, c), 1.0
                )
            else:
                ei[c, state.E_TREATED] = int(ei[c, state.E_TREATED]) | (1 << k)
                services.apply_employer_effects.py_func(ef, c, iv_employer[k])
                tallies.add_flow.py_func(flows, tallies.F_INTERVENTION_STARTS, 0, 1.0)
        starts[k] += len(chosen)
        cost[k] += len(chosen) * row[interventions.IV_COST]
        if prov >= 0:
            provider_left[prov] -= len(chosen)
