"""Sample draws of ``lhs`` and ``sobol`` designs, and the one builder of SALib's problem.

Every SALib problem dictionary in the project is built by :func:`salib_problem`, and every
Saltelli-Sobol' sample is drawn by :func:`sobol_sample`: a ``sobol`` design, a sensitivity
study and its analysis all see the same rows in the same order, which is what lets
``SALib.analyze.sobol`` read their outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def salib_problem(
    names: Sequence[str],
    bounds: Sequence[Sequence[float]],
    groups: Sequence[str] | None = None,
) -> dict[str, Any]:
    """SALib's problem dictionary: ``num_vars``, ``names``, ``bounds`` (and ``groups``)."""
    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds],
    }
    if groups is not None:
        problem["groups"] = list(groups)
    return problem


def sobol_sample(problem: dict[str, Any], n: int, second_order: bool, seed: int) -> np.ndarray:
    """Saltelli's extension of a scrambled Sobol' sequence, base size ``n`` (a power of two).

    Returns ``n × (D + 2)`` rows (``n × (2D + 2)`` with second order) for ``D`` factors (the
    groups when the problem has them), in SALib's order: base sample by base sample.
    """
    from SALib.sample import sobol  # SALib loads slowly; only sampled designs need it

    return sobol.sample(problem, n, calc_second_order=second_order, seed=seed)


def unit_sample(
    kind: str, names: Sequence[str], n: int, second_order: bool, seq: np.random.SeedSequence
) -> np.ndarray:
    """Points in the unit hypercube for an ``lhs`` or ``sobol`` design, seeded by ``seq``."""
    if kind == "lhs":
        from scipy.stats import qmc  # scipy.stats loads slowly; only lhs designs need it

        return qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seq)).random(n)
    seed = int(seq.generate_state(1)[0] % (2**31))
    return sobol_sample(salib_problem(names, [[0.0, 1.0]] * len(names)), n, second_order, seed)
