"""The vacancy orders' argsort gives the permutation of a stable sort, for any floats without
NaN, by radix (tested at every length) and by merge sort below the radix threshold."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simulator.kernels.sorting import RADIX_MIN, radix_argsort, stable_argsort

floats = st.floats(allow_nan=False, allow_infinity=True, width=64)


@settings(max_examples=300, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 400), elements=floats))
def test_same_permutation_as_a_stable_sort(x: np.ndarray) -> None:
    assert np.array_equal(radix_argsort(x), np.argsort(x, kind="stable"))
    assert np.array_equal(stable_argsort(x), np.argsort(x, kind="stable"))


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 300),
        elements=st.sampled_from([-1.5, -0.0, 0.0, 0.25, 0.25 + 2**-52, 3.0]),
    )
)
def test_ties_keep_index_order(x: np.ndarray) -> None:
    """Few distinct values: many ties, minus zero among them (equal to zero)."""
    assert np.array_equal(radix_argsort(x), np.argsort(x, kind="stable"))


def test_uniform_draws_of_a_month() -> None:
    """The keys matching sorts: tens of thousands of uniform draws and requirements."""
    rng = np.random.default_rng(7)
    for n in (RADIX_MIN - 1, RADIX_MIN, 30_000):
        for x in (rng.random(n), np.round(rng.random(n), 3)):
            assert np.array_equal(stable_argsort(x), np.argsort(x, kind="stable"))
