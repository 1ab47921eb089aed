"""Phase 6 of the month, monitoring: the month-end census of stocks and states by indicator
group, which the indicators and the survey read. The numba version is
:func:`simulator.kernels.consequences.census`.
"""

from __future__ import annotations

import numpy as np

from simulator import state, tallies
from simulator.reference.common import running_total, target_groups


def _census_entries(pf: np.ndarray, pi: np.ndarray, p: int, month: int):
    """What person ``p`` adds to the census: ``(column, group bits, amount)`` triples."""
    status = int(pi[p, state.P_STATUS])
    groups = target_groups(pi, p)
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
        cell: running_total([running_total(amounts) for amounts in blocks.values()])
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
            out[column, g] = running_total(totals)
