"""Stable run keys and the seeds derived from them.

A run is one simulation: a design point (a set of parameter overrides) and a replication number.
Its key is a short hash of the point's values plus the replication, so the same parameter values
and replication have the same key (and seed) in any design that contains them, on any machine.

Seeds come from ``numpy.random.SeedSequence(root_seed, spawn_key=...)``:

- ``"common"`` (the default): the spawn key is ``(replication,)``. Every design point of one
  replication draws the same random numbers (common random numbers), so a difference between
  two points is the effect of the parameters, not noise.
- ``"independent"``: the spawn key is ``(point hash, replication)``, so points are independent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

SEED_MODES = ("common", "independent")
#: Spawn key of the sampler (LHS, Sobol) stream; replication numbers never reach it.
SAMPLER_SPAWN_KEY = (2**32,)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store a {type(value).__name__} as a parameter value")


def point_id(overrides: dict[str, Any]) -> str:
    """Twelve hex digits identifying a design point by its parameter values."""
    return hashlib.sha256(canonical_json(overrides).encode()).hexdigest()[:12]


def run_key(overrides: dict[str, Any], replication: int) -> str:
    """The stable key of one run, ``<point id>-r<replication>``."""
    return f"{point_id(overrides)}-r{replication}"


@dataclass(frozen=True)
class Run:
    """One simulation of an experiment.

    Attributes
    ----------
    index : int
        Position in the design's run order (used for shards).
    key : str
        Stable run key.
    point : int
        Index of the design point.
    replication : int
        Replication number, from 0.
    overrides : dict
        Dotted parameter paths and values (the design's base values and the point's values).
    root_seed : int
        The experiment's root seed.
    spawn_key : tuple of int
        Spawn key of the run's ``SeedSequence`` (see the module notes).
    """

    index: int
    key: str
    point: int
    replication: int
    overrides: dict[str, Any]
    root_seed: int
    spawn_key: tuple[int, ...]

    @property
    def seed(self) -> np.random.SeedSequence:
        """The run's ``SeedSequence`` (root seed + key)."""
        return np.random.SeedSequence(self.root_seed, spawn_key=self.spawn_key)


def spawn_key(mode: str, point_overrides: dict[str, Any], replication: int) -> tuple[int, ...]:
    """Spawn key of a run's seed for a seed mode (``"common"`` or ``"independent"``)."""
    if mode == "common":
        return (replication,)
    return (int(point_id(point_overrides), 16), replication)
