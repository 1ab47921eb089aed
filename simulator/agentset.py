"""A Mesa agent set over rows of a columnar table, with handles made only when used.

A million persons cannot be a million Python objects if a run is to take seconds. The
:class:`TableAgentSet` holds row indices instead: ``len``, ``get``, ``agg``, ``groupby`` and
``sort`` by a column work on the arrays directly, while iteration, ``select`` with a Python
filter, ``do`` and ``map`` create cheap handles on the fly, so Mesa idioms work unchanged.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from random import Random
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.agentset import AbstractAgentSet, GroupBy

if TYPE_CHECKING:
    from simulator.agents import TableAgent


class TableAgentSet(AbstractAgentSet):
    """An ordered set of table-backed agents.

    Parameters
    ----------
    model
        The model owning the table.
    handle
        Callable ``handle(row) -> agent`` creating the handle for a row.
    rows
        Row indices (a fixed view) or a callable returning them (a live view whose members
        change as the model runs, e.g. all current employees).
    random
        The model's ``random.Random`` (for ``shuffle``).
    column
        Callable ``column(name, rows) -> ndarray | None`` giving an attribute as an array, or
        None when the attribute is not a plain column.
    """

    def __init__(
        self,
        model: Any,
        handle: Callable[[int], TableAgent],
        rows: np.ndarray | Callable[[], np.ndarray],
        random: Random,
        column: Callable[[str, np.ndarray], np.ndarray | None],
    ) -> None:
        self.model = model
        self._handle = handle
        self._source = rows
        self.random = random
        self._column = column

    # ------------------------------------------------------------------ basics
    @property
    def live(self) -> bool:
        """Whether membership follows the model (True) or is a fixed snapshot."""
        return callable(self._source)

    @property
    def rows(self) -> np.ndarray:
        """Row indices of the members, in order."""
        return self._source() if callable(self._source) else self._source

    def _view(self, rows: Iterable[int] | np.ndarray) -> TableAgentSet:
        return TableAgentSet(
            self.model, self._handle, np.asarray(rows, dtype=np.int64), self.random, self._column
        )

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[TableAgent]:
        handle = self._handle
        for r in self.rows:
            yield handle(int(r))

    def __contains__(self, agent: object) -> bool:
        row = getattr(agent, "row", None)
        if row is None or getattr(agent, "model", None) is not self.model:
            return False
        return bool(np.any(self.rows == row))

    def __getitem__(self, item: int | slice) -> TableAgent | list[TableAgent]:
        rows = self.rows[item]
        if np.ndim(rows) == 0:
            return self._handle(int(rows))
        return [self._handle(int(r)) for r in rows]

    def to_list(self) -> list[TableAgent]:
        """All members as handles."""
        return list(self)

    def copy(self) -> TableAgentSet:
        """A fixed snapshot of the current members."""
        return self._view(self.rows.copy())

    def __copy__(self) -> TableAgentSet:
        return self.copy()

    def _update(self, agents: Iterable[TableAgent]) -> TableAgentSet:
        self._require_fixed()
        self._source = np.fromiter((a.row for a in agents), dtype=np.int64)
        return self

    def _require_fixed(self) -> None:
        if self.live:
            raise TypeError(
                "this agent set follows the model (people join and leave through the modelled "
                "flows); take a snapshot with .copy() to change it"
            )

    def add(self, agent: TableAgent) -> None:
        """Add an agent to a snapshot set."""
        self._require_fixed()
        if agent not in self:
            self._source = np.append(self._source, agent.row)

    def discard(self, agent: TableAgent) -> None:
        """Remove an agent from a snapshot set if present."""
        self._require_fixed()
        self._source = self._source[self._source != agent.row]

    def remove(self, agent: TableAgent) -> None:
        """Remove an agent from a snapshot set; ``KeyError`` if absent."""
        if agent not in self:
            raise KeyError(agent)
        self.discard(agent)

    # ------------------------------------------------------------------ vectorised access
    def get(
        self,
        attr_names: str | list[str],
        handle_missing: str = "error",
        default_value: Any = None,
    ) -> np.ndarray | list[Any]:
        """Attribute values of all members; plain columns come back as one numpy array."""
        if isinstance(attr_names, str):
            values = self._column(attr_names, self.rows)
            if values is not None:
                return values
            if handle_missing == "default":
                return [getattr(a, attr_names, default_value) for a in self]
            if handle_missing != "error":
                raise ValueError(f"Unknown handle_missing option: {handle_missing}")
            return [getattr(a, attr_names) for a in self]
        columns = [self.get(name, handle_missing, default_value) for name in attr_names]
        return [list(vals) for vals in zip(*columns, strict=True)]

    def where(self, mask: np.ndarray) -> TableAgentSet:
        """Members for which a boolean array (aligned with :attr:`rows`) is true."""
        rows = self.rows
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != rows.shape:
            raise ValueError(f"mask has shape {mask.shape}, the set has {rows.shape}")
        return self._view(rows[mask])

    def select(
        self,
        filter_func: Callable[[TableAgent], bool] | None = None,
        at_most: int | float = float("inf"),
        inplace: bool = False,
        agent_type: type | None = None,
    ) -> TableAgentSet:
        """Mesa's ``select``; prefer :meth:`where` with a column mask on large sets."""
        if at_most <= 1.0 and isinstance(at_most, float):
            at_most = int(len(self) * at_most)
        chosen: list[int] = []
        for agent in self:
            if len(chosen) >= at_most:
                break
            if (filter_func is None or filter_func(agent)) and (
                agent_type is None or isinstance(agent, agent_type)
            ):
                chosen.append(agent.row)
        if inplace:
            self._require_fixed()
            self._source = np.asarray(chosen, dtype=np.int64)
            return self
        return self._view(chosen)

    def groupby(self, by: Callable | str, result_type: str = "agentset") -> GroupBy:
        """Group members by a column (vectorised) or by a function of the agent."""
        rows = self.rows
        values = self._column(by, rows) if isinstance(by, str) else None
        if values is None:
            keys = [by(a) if callable(by) else getattr(a, by) for a in self]
            values = np.empty(len(keys), dtype=object)
            values[:] = keys
        groups: dict[Any, Any] = {}
        for key in dict.fromkeys(values.tolist()):
            members = self._view(rows[values == key])
            groups[key] = members if result_type == "agentset" else members.to_list()
        return GroupBy(groups)

    def sort(
        self,
        key: Callable[[TableAgent], Any] | str,
        ascending: bool = False,
        inplace: bool = False,
    ) -> TableAgentSet:
        """Sort by a column (vectorised, stable) or by a key function."""
        rows = self.rows
        values = self._column(key, rows) if isinstance(key, str) else None
        if values is not None:
            order = np.argsort(values if ascending else -values, kind="stable")
            sorted_rows = rows[order]
        else:
            keyf = operator.attrgetter(key) if isinstance(key, str) else key
            sorted_rows = np.array(
                [a.row for a in sorted(self, key=keyf, reverse=not ascending)], dtype=np.int64
            )
        if inplace:
            self._require_fixed()
            self._source = sorted_rows
            return self
        return self._view(sorted_rows)

    def shuffle(self, inplace: bool = False) -> TableAgentSet:
        """Members in a random order drawn from the model's ``random``."""
        rows = list(self.rows)
        self.random.shuffle(rows)
        if inplace:
            self._require_fixed()
            self._source = np.asarray(rows, dtype=np.int64)
            return self
        return self._view(rows)

    def do(self, method: str | Callable, *args: Any, **kwargs: Any) -> TableAgentSet:
        """Call a method (by name) or a function on every member."""
        for agent in self.copy():
            if isinstance(method, str):
                getattr(agent, method)(*args, **kwargs)
            else:
                method(agent, *args, **kwargs)
        return self

    def shuffle_do(self, method: str | Callable, *args: Any, **kwargs: Any) -> TableAgentSet:
        """Like :meth:`do`, in a random order."""
        self.shuffle().do(method, *args, **kwargs)
        return self

    def map(self, method: str | Callable, *args: Any, **kwargs: Any) -> list[Any]:
        """Results of a method (by name) or a function on every member."""
        if isinstance(method, str):
            return [getattr(a, method)(*args, **kwargs) for a in self.copy()]
        return [method(a, *args, **kwargs) for a in self.copy()]
