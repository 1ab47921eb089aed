"""Reuse of the drawn market at month 0 by runs that share a seed and the market's inputs.

A sensitivity design runs each point's package arm and baseline from the same seed, and most
of its points change parameters that the set-up draws never read (mechanism strengths,
intervention effects). Those runs start from the same market, so drawing it once and copying
it saves most of the set-up: about a third of a run at the size of a living lab.

The cache key is everything :func:`simulator.setup.build_market` receives (its
:class:`~simulator.setup.MarketInputs` and the seed), so a cached market is exactly the market
that drawing again would give.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from simulator import state
from simulator.lru import LRUCache
from simulator.params import ModelParams
from simulator.setup import MarketInputs, build_market, finish_world

#: Default memory budget of a cache: a few markets of a living lab, none of a million persons.
DEFAULT_MAX_BYTES = 256 * 2**20


def world_bytes(world: state.WorldState) -> int:
    """Memory held by a world's arrays."""
    arrays = [
        world.persons.f,
        world.persons.i,
        world.employers.f,
        world.employers.i,
        world.sector_destruction,
        world.provider_in_coalition,
        *vars(world.positions).values(),
    ]
    return sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))


def _seed_key(seed_seq: np.random.SeedSequence) -> tuple:
    """What identifies a seed sequence's draws."""
    return repr(seed_seq.entropy), tuple(seed_seq.spawn_key), seed_seq.pool_size


class WorldCache:
    """Markets at month 0 within a memory budget, the least recently used dropped first.

    Parameters
    ----------
    max_bytes
        Memory budget; a market larger than this is drawn every time and never kept.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.markets = LRUCache(max_bytes, cost=world_bytes)
        self.spun = LRUCache(max_bytes, cost=world_bytes)

    def spun_up(
        self,
        base: ModelParams,
        seed_seq: np.random.SeedSequence,
        make: Callable[[], state.WorldState],
    ) -> state.WorldState:
        """The world after the spin-up that runs ``base`` from ``seed_seq``; ``make()`` runs it
        when it is not kept. Keyed by every parameter of ``base`` and the seed, so a kept world
        is exactly the one running the spin-up again would give. Returns a fresh copy.
        """
        key = (base.model_dump_json(), *_seed_key(seed_seq))
        world = self.spun.get(key)
        if world is None:
            world = make()
            if not self.spun.put(key, world):
                return world
        return copy.deepcopy(world)

    def world(self, params: ModelParams, seed_seq: np.random.SeedSequence) -> state.WorldState:
        """The world at month 0 for ``params`` and the set-up seed, as ``build_world`` gives it.

        Returns a fresh copy that the caller may change.
        """
        inputs = MarketInputs.of(params)
        key = (inputs.key(), *_seed_key(seed_seq))
        market = self.markets.get(key)
        if market is None:
            market = build_market(inputs, seed_seq)
            if not self.markets.put(key, market):
                return finish_world(market, params)  # not kept: no other run sees it
        return finish_world(copy.deepcopy(market), params)
