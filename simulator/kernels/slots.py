"""Finding positions by state: the vacancies the chains decide and those open to outsiders."""

from __future__ import annotations

import numpy as np
from numba import prange

from simulator import state, tallies
from simulator.jit import parallel


@parallel
def active_slots_in_state(qi: np.ndarray, code: int) -> np.ndarray:
    """Active slots whose state is ``code`` (``state.PENDING``, ``state.OPEN`` ...), in slot
    order.

    Blocks of slots are scanned in parallel, each writing its matches from its own first row
    on; then the blocks' matches are copied, in block order, to one list, so the order is the
    serial one and only the matches are read twice.
    """
    rows = qi.shape[0]
    n_b = tallies.n_blocks(rows)
    found = np.empty(rows, dtype=np.int64)
    count = np.zeros(n_b, dtype=np.int64)
    for b in prange(n_b):
        first, last = tallies.block_range(b, rows)
        j = first
        for q in range(first, last):
            # The state first: few slots match it, so the active flag is rarely read.
            if qi[q, state.Q_STATE] == code and qi[q, state.Q_ACTIVE] == 1:
                found[j] = q
                j += 1
        count[b] = j - first
    offset = tallies.block_offsets(count)
    slots = np.empty(offset[n_b], dtype=np.int64)
    for b in prange(n_b):
        first = tallies.block_range(b, rows)[0]
        for i in range(count[b]):
            slots[offset[b] + i] = found[first + i]
    return slots
