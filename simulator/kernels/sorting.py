"""A stable argsort of floating-point keys by radix, for the month's vacancy orders.

Matching orders the open vacancies twice a month (by skill requirement for aimed search, by
a random priority for screening). ``np.argsort(kind="mergesort")`` takes milliseconds for the
tens of thousands of vacancies of a million-person market; a least-significant-digit radix
sort on the keys' bit patterns takes a fraction of that and gives the same permutation: the
IEEE 754 bits of a double, with the sign bit flipped for non-negative numbers and every bit
flipped for negative ones, order as the numbers do, and each pass is stable, so equal keys
keep their index order, as in a stable sort. Minus zero is read as zero (they compare equal).
NaN keys are not allowed (the model draws none).
"""

from __future__ import annotations

import numpy as np

from simulator.jit import njit

#: Below this many keys a merge sort is faster (a radix pass costs its buckets too).
RADIX_MIN = 4096
#: Bits per radix pass (2,048 buckets: the counts stay in the first-level cache).
DIGIT_BITS = 11
_N_BUCKETS = 1 << DIGIT_BITS
_PASSES = (64 + DIGIT_BITS - 1) // DIGIT_BITS
_SIGN = np.uint64(1) << np.uint64(63)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit
def ordered_bits(x: np.ndarray) -> np.ndarray:
    """Unsigned integers that order as the (non-NaN) floats ``x`` do."""
    bits = (x + 0.0).view(np.uint64)  # adding zero turns -0.0 into 0.0, which equals it
    keys = np.empty_like(bits)
    for i in range(bits.shape[0]):
        b = bits[i]
        keys[i] = b ^ _ALL if b & _SIGN else b ^ _SIGN
    return keys


@njit(cache=True)
def stable_argsort(x: np.ndarray) -> np.ndarray:
    """The permutation ``np.argsort(x, kind="stable")`` of a float64 array without NaN: by
    radix for many keys, by merge sort for few.

    Parameters
    ----------
    x : ndarray of float64, shape (n,)

    Returns
    -------
    ndarray of int64, shape (n,)
        Indices of ``x`` in ascending order of value; equal values in index order.
    """
    if x.shape[0] < RADIX_MIN:
        return np.argsort(x, kind="mergesort")
    return radix_argsort(x)


@njit(cache=True)
def radix_argsort(x: np.ndarray) -> np.ndarray:
    """The stable argsort of :func:`stable_argsort`, by least-significant-digit radix passes
    over the keys' ordered bits (any length)."""
    n = x.shape[0]
    keys = ordered_bits(x)
    order = np.arange(n)
    spare = np.empty(n, dtype=np.int64)
    count = np.empty(_N_BUCKETS + 1, dtype=np.int64)
    mask = np.uint64(_N_BUCKETS - 1)
    for d in range(_PASSES):
        shift = np.uint64(d * DIGIT_BITS)
        count[:] = 0
        for i in range(n):
            count[((keys[i] >> shift) & mask) + 1] += 1
        if n == 0 or count[((keys[0] >> shift) & mask) + 1] == n:
            continue  # every key has this digit: the pass would not move anything
        for b in range(_N_BUCKETS):
            count[b + 1] += count[b]
        for i in range(n):
            j = order[i]
            digit = (keys[j] >> shift) & mask
            spare[count[digit]] = j
            count[digit] += 1
        order, spare = spare, order
    return order
