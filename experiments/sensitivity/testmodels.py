"""Model callables with known sensitivity indices, to check the pipeline end to end.

They have the runner's model signature ``f(overrides, seed) -> dict of outcomes`` and are
importable by worker processes, so a study of them goes through the same runner, store and
analysis as a study of the labour-market model.

* :func:`ishigami` (Ishigami & Homma 1990, a = 7, b = 0.1, inputs on [-π, π]): analytic
  indices S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437). A fourth input ``x4`` is
  never read, so its indices are exactly zero.
* :func:`noisy_ishigami`: the same plus Gaussian noise (standard deviation ``NOISE_SD``) that
  differs between points and replications, as the chaotic response of an agent-based model
  to a parameter change does even under common random numbers.
* :func:`planted`: an outcome driven almost entirely by the ``dominant.*`` parameters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np

A, B = 7.0, 0.1
#: Analytic first-order and total indices of x1, x2, x3.
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
#: Analytic variance of the Ishigami function.
ISHIGAMI_VARIANCE = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
NOISE_SD = 1.0


def _ishigami(x1: float, x2: float, x3: float) -> float:
    return float(np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1))


def ishigami(overrides: Mapping[str, Any], seed: np.random.SeedSequence) -> dict[str, float]:
    """The Ishigami function of ``x1, x2, x3`` (``x4`` is accepted and ignored)."""
    return {"y": _ishigami(overrides["x1"], overrides["x2"], overrides["x3"])}


def _point_rng(values: tuple[float, ...], seed: np.random.SeedSequence) -> np.random.Generator:
    """A stream that depends on the run's seed and on the values the model reads (so, as in
    the simulator under common random numbers, a parameter it never reads changes nothing)."""
    text = repr(values).encode()
    point = int.from_bytes(hashlib.sha256(text).digest()[:4], "little")
    return np.random.default_rng([*seed.generate_state(2), point])


def noisy_ishigami(overrides: Mapping[str, Any], seed: np.random.SeedSequence) -> dict[str, float]:
    """Ishigami plus noise that changes with the point and the replication."""
    read = (overrides["x1"], overrides["x2"], overrides["x3"])
    noise = NOISE_SD * _point_rng(read, seed).standard_normal()
    return {"y": ishigami(overrides, seed)["y"] + noise}


def planted(overrides: Mapping[str, Any], seed: np.random.SeedSequence) -> dict[str, float]:
    """``4·a + 3·b² + 0.3·c + 0.2·d + small noise``: ``dominant.a``, ``dominant.b`` carry
    nearly all of the variance; ``idle.e`` is never read."""
    a, b = overrides["dominant.a"], overrides["dominant.b"]
    c, d = overrides["minor.c"], overrides["minor.d"]
    noise = 0.05 * _point_rng((a, b, c, d), seed).standard_normal()
    return {"y": 4.0 * a + 3.0 * b**2 + 0.3 * c + 0.2 * d + noise}
