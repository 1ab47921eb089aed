"""What every phase of the reference shares: the random draw, a person's target groups, flow
bookkeeping and a few person rules used in more than one phase.

Only the model's shared pieces are used here: its scalar formulas (:mod:`simulator.rules`), its
counter-based random numbers (:mod:`simulator.streams`) and its flow counters
(:mod:`simulator.tallies`), each as plain Python (``py_func``). Nothing here comes from the
kernels.
"""

from __future__ import annotations

import numpy as np

from simulator import rules, state, streams, tallies
from simulator.kernel_params import KernelParams

#: Clip to [0, 1] (the model's rule, in plain Python).
clip01 = rules.clip01.py_func
#: Target-group bits that do not depend on the unemployment spell (age, sex, origin, ability).
trait_bits = rules.trait_bits.py_func
#: Add an amount to a flow for every indicator group a person belongs to.
add_flow = tallies.add_flow.py_func


def draw(key: np.uint64, stream: int, month: int, index: int, sub: int = 0) -> float:
    """The model's random draw for one decision: who (``index``) decides what (``stream``,
    ``sub``) in which month; the same number the kernels draw for that decision."""
    return streams.uniform_py(int(key), stream, month, index, sub)


def target_groups(pi: np.ndarray, p: int) -> int:
    """Target-group bits of person ``p`` now: traits plus long-term unemployment."""
    return int(
        rules.group_bits.py_func(
            pi[p, state.P_STATUS], pi[p, state.P_UNEMPLOYMENT_DURATION], pi[p, state.P_TRAIT_GROUPS]
        )
    )


def may_hold(pi: np.ndarray, p: int, qi: np.ndarray, q: int) -> bool:
    """Whether person ``p`` may take position ``q``: a carved job is reserved for people with
    partial work ability."""
    return bool(rules.may_hold.py_func(qi[q, state.Q_CARVED], pi[p, state.P_PARTIAL_ABILITY]))


def return_multiplier(pi: np.ndarray, p: int, par: KernelParams) -> float:
    """How much more likely inactive person ``p`` is to return (to search or straight to work)
    than a prime-age person out of the labour force for a year or more."""
    multiplier = 1.0
    if pi[p, state.P_AGE_MONTHS] >= state.OLDER_MIN_MONTHS:
        multiplier *= par.older_return_multiplier
    if pi[p, state.P_INACTIVE_MONTHS] < par.recent_inactive_months:
        multiplier *= par.recent_return_multiplier  # marginally attached
    return multiplier


def running_total(values: list[float]) -> float:
    """Left-to-right float sum (not ``sum``, which compensates rounding since Python 3.12 and
    would round differently from the kernels)."""
    total = 0.0
    for v in values:
        total += v
    return total
