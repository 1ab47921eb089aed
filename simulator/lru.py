"""A least-recently-used cache bounded by a cost budget, safe to share between threads.

Pickled, it arrives empty: a cache sent to a worker process starts afresh there instead of
shipping its contents.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class LRUCache:
    """Values by key; the least recently used are dropped when their total cost exceeds a budget.

    Parameters
    ----------
    budget
        Largest total cost kept; a value costing more is never kept.
    cost
        Cost of a value (default: 1 each, so the budget is a number of values).

    Attributes
    ----------
    hits, misses
        Lookups that found a value and lookups that did not.
    """

    def __init__(self, budget: float, cost: Callable[[Any], float] | None = None) -> None:
        self.budget = budget
        self.cost = cost
        self.hits = 0
        self.misses = 0
        self._values: OrderedDict[Hashable, tuple[Any, float]] = OrderedDict()
        self._total = 0.0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        """The value stored under ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._values.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._values.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: Any) -> bool:
        """Keep ``value`` under ``key`` if it fits the budget, dropping the least recently used.

        Returns
        -------
        bool
            Whether the cache now holds ``value`` itself (False: too costly, or the key was
            already stored).
        """
        size = 1.0 if self.cost is None else float(self.cost(value))
        with self._lock:
            if size > self.budget or key in self._values:
                return False
            self._values[key] = (value, size)
            self._total += size
            while self._total > self.budget:
                _, (_, dropped) = self._values.popitem(last=False)
                self._total -= dropped
            return True

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._values.clear()
            self._total = 0.0

    def __getstate__(self) -> dict:
        return {"budget": self.budget, "cost": self.cost}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["budget"], state["cost"])
