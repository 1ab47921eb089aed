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

    Blocks of slots are scanned in parallel twice: to count each block's matches, then, from
    each block's offset, to write them, so the order is the serial one.
    """
    rows = qi.shape[0]
    n_b = tallies.n_blocks(rows)
    offset = np.zeros(n_b + 1, dtype=np.int64)
    for b in prange(n_b):
        first, last = tallies.block_range(b, rows)
        count = 0
        for q in range(first, last):
            if qi[q, state.Q_ACTIVE] == 1 and qi[q, state.Q_STATE] == code:
                count += 1
        offset[b + 1] = count
    for b in range(n_b):
        offset[b + 1] += offset[b]
    found = np.empty(offset[n_b], dtype=np.int64)
    for b in prange(n_b):
        first, last = tallies.block_range(b, rows)
        j = offset[b]
        for q in range(first, last):
            if qi[q, state.Q_ACTIVE] == 1 and qi[q, state.Q_STATE] == code:
                found[j] = q
                j += 1
    return found
