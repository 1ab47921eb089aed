"""Counter-based random numbers keyed by (run key, stream, month, index, sub-index).

Every random draw of the monthly step is a pure function of who draws it, when and for what:
``uniform(key, stream, month, index, sub)``. This makes the numbers independent of processing
order and thread count, lets the numba kernels and the plain-Python reference draw exactly the
same numbers, and gives common random numbers between a policy arm and its baseline for free:
a person who is not touched by an intervention sees the same draws in both arms.

The (key, stream, month) part is hashed with the SplitMix64 finaliser (Steele, Lea & Flood
2014) into the seed of a SplitMix64 sequence, whose index-th output is the draw (one more
finaliser round mixes in a sub-index). SplitMix64 passes BigCrush; sequences of different
(stream, month) pairs are the same cycle at random offsets, which overlap within the index range
used here with negligible probability. ``tests/simulator/test_streams.py`` checks uniformity and
independence of the streams.
"""

from __future__ import annotations

import numpy as np

from simulator.jit import njit

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Streams: one per purpose, so draws for different decisions never coincide.
STREAM_DESTROY = 1
STREAM_CREATE = 2
STREAM_QUIT = 3
STREAM_LF_EXIT = 4
STREAM_REENTRY = 5
STREAM_ENTRANT = 6
STREAM_TRAIN = 7
STREAM_FILL = 8
STREAM_J2J = 9
STREAM_CARVE = 10
STREAM_APPS = 11
STREAM_AIM = 12
STREAM_NOISE = 13
STREAM_VAC_ORDER = 14
STREAM_ENROL_PRIORITY = 15
STREAM_ENTRY_COUNT = 16
STREAM_INACTIVE_SEARCH = 17
STREAM_EMPLOYMENT_EXIT = 18
# Referral draws use STREAM_REFER + intervention index, so each intervention has its own stream.
STREAM_REFER = 1000


@njit(inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always")
def uniform(key: np.uint64, stream: int, month: int, index: int, sub: int) -> float:
    """A uniform draw in [0, 1) determined by its five-part key.

    Parameters
    ----------
    key
        The run key (a 64-bit integer derived from the run's seed).
    stream
        What the draw is for (one of the ``STREAM_*`` constants).
    month
        Simulation month.
    index
        Who or what draws (person, position or employer index).
    sub
        A further counter when one agent needs several draws for the same purpose.
    """
    base = _mix(_mix(key ^ (np.uint64(stream) * _GOLDEN)) ^ np.uint64(month))
    # SplitMix64 over the index within a (stream, month); one more round for a sub-draw.
    h = _mix(base + np.uint64(index) * _GOLDEN)
    if sub != 0:
        h = _mix(h ^ np.uint64(sub))
    return float(h >> _S11) * _INV53


_MASK = (1 << 64) - 1


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def uniform_py(key: int, stream: int, month: int, index: int, sub: int) -> float:
    """Plain-Python twin of :func:`uniform`, bit for bit (used by the reference engine)."""
    base = _mix_py(_mix_py((int(key) ^ ((stream * 0x9E3779B97F4A7C15) & _MASK)) & _MASK) ^ month)
    h = _mix_py((base + index * 0x9E3779B97F4A7C15) & _MASK)
    if sub != 0:
        h = _mix_py(h ^ (sub & _MASK))
    return float(h >> 11) * _INV53


def run_key(seed: int | np.random.SeedSequence) -> np.uint64:
    """Derive the 64-bit run key from a seed through ``numpy.random.SeedSequence``.

    Parameters
    ----------
    seed
        An integer seed or a ``SeedSequence`` (e.g. spawned from an experiment's root seed).
    """
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.uint64(seq.generate_state(1, dtype=np.uint64)[0])


@njit(cache=True)
def uniform_array(key: np.uint64, stream: int, month: int, n: int) -> np.ndarray:
    """``n`` draws for indices 0..n-1 (sub-index 0), as a float64 array."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = uniform(key, stream, month, i, 0)
    return out
