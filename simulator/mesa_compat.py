"""What Mesa's own tools expect of a model: every agent in ``model.agents``, a DataCollector.

Persons and employers are not registered with Mesa one by one (see :mod:`simulator.agents`),
so Mesa's registry holds only the service providers and the coalition. :class:`AllAgents`
joins it with the table-backed sets into one lazy set, so ``model.agents`` holds everyone
(``model.agents.select(agent_type=Jobseeker)`` is every jobseeker) without creating a
million handles. :func:`default_datacollector` gives the model the ``datacollector`` that
``mesa.batch_run`` reads: the labour-market stocks of the whole population each month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import mesa
from mesa.agentset import AbstractAgentSet, GroupBy

# Mesa's strongly referencing set: handles made on the fly must outlive the call that made them.
from mesa.agentset import _HardKeyAgentSet as StrongAgentSet

from simulator import tallies

if TYPE_CHECKING:
    from simulator.model import LabourMarketModel


class AllAgents(AbstractAgentSet):
    """A read-only union of agent sets, iterated part after part.

    Parameters
    ----------
    parts
        The member sets: table-backed views (persons, employers) and Mesa's registry.
    random
        The model's ``random.Random``.
    by_type
        Live sets by agent type (the model's ``agents_by_type``); ``select(agent_type=T)`` for a
        registered type returns a snapshot of that set instead of testing every member.
    """

    def __init__(
        self,
        parts: list[AbstractAgentSet],
        random: Any,
        by_type: dict[type, AbstractAgentSet] | None = None,
    ) -> None:
        self.parts = parts
        self.random = random
        self._by_type = by_type or {}

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __iter__(self) -> Iterator[mesa.Agent]:
        return chain.from_iterable(self.parts)

    def __contains__(self, agent: object) -> bool:
        return any(agent in p for p in self.parts)

    def _read_only(self, *_: Any) -> None:
        raise TypeError(
            "model.agents joins the registered agents with the table-backed persons and "
            "employers; create agents with Agent(model) and remove them with agent.remove(), "
            "or change a snapshot (.select(), .copy())"
        )

    _update = add = discard = remove = _read_only

    def copy(self) -> AllAgents:
        """A snapshot: each part fixed at its current members."""
        return AllAgents([p.copy() for p in self.parts], self.random)

    def __copy__(self) -> AllAgents:
        return self.copy()

    def select(
        self,
        filter_func: Callable[[mesa.Agent], bool] | None = None,
        at_most: int | float = float("inf"),
        inplace: bool = False,
        agent_type: type | None = None,
    ) -> AbstractAgentSet:
        """Mesa's ``select``, part by part; a registered ``agent_type`` alone is a fast path."""
        if inplace:
            self._read_only()
        if filter_func is None and at_most == float("inf") and agent_type in self._by_type:
            return self._by_type[agent_type].copy()
        if isinstance(at_most, float) and at_most <= 1.0:
            at_most = int(len(self) * at_most)
        chosen = []
        for part in self.parts:
            left = at_most - sum(len(c) for c in chosen)
            if left <= 0:
                break
            chosen.append(part.select(filter_func, at_most=left, agent_type=agent_type))
        return AllAgents(chosen, self.random)

    def groupby(self, by: Callable | str, result_type: str = "agentset") -> GroupBy:
        """Groups of every part, merged by key."""
        merged: dict[Any, list] = defaultdict(list)
        for part in self.parts:
            for key, members in part.groupby(by, result_type).groups.items():
                merged[key].append(members)
        if result_type == "agentset":
            return GroupBy({k: AllAgents(v, self.random) for k, v in merged.items()})
        return GroupBy({k: list(chain.from_iterable(v)) for k, v in merged.items()})

    def shuffle(self, inplace: bool = False) -> StrongAgentSet:
        """All members in a random order (a snapshot)."""
        if inplace:
            self._read_only()
        members = list(self)
        self.random.shuffle(members)
        return StrongAgentSet(members, random=self.random)

    def sort(
        self, key: Callable | str, ascending: bool = False, inplace: bool = False
    ) -> StrongAgentSet:
        """All members sorted by an attribute or key function (a snapshot)."""
        if inplace:
            self._read_only()
        keyf = (lambda a: getattr(a, key)) if isinstance(key, str) else key
        return StrongAgentSet(sorted(self, key=keyf, reverse=not ascending), random=self.random)

    def do(self, method: str | Callable, *args: Any, **kwargs: Any) -> AllAgents:
        """Call a method (by name) or a function on every member."""
        for part in self.parts:
            part.do(method, *args, **kwargs)
        return self

    def shuffle_do(self, method: str | Callable, *args: Any, **kwargs: Any) -> AllAgents:
        """Like :meth:`do`, in a random order over all members."""
        self.shuffle().do(method, *args, **kwargs)
        return self

    def map(self, method: str | Callable, *args: Any, **kwargs: Any) -> list[Any]:
        """Results of a method (by name) or a function on every member."""
        return list(chain.from_iterable(p.map(method, *args, **kwargs) for p in self.parts))


def _census(model: LabourMarketModel, row: int) -> float:
    return float(model.census[row, 0])


def employed(model: LabourMarketModel) -> float:
    """People in work."""
    return _census(model, tallies.C_EMPLOYED)


def unemployed(model: LabourMarketModel) -> float:
    """People unemployed (looking for work)."""
    return _census(model, tallies.C_UNEMPLOYED)


def inactive(model: LabourMarketModel) -> float:
    """People out of the labour force."""
    return _census(model, tallies.C_INACTIVE)


def long_term_unemployed(model: LabourMarketModel) -> float:
    """People unemployed for 12 months or more."""
    return _census(model, tallies.C_LONG_TERM)


def employment_to_population(model: LabourMarketModel) -> float:
    """Employment rate as published: employed ÷ working-age population."""
    population = employed(model) + unemployed(model) + inactive(model)
    return employed(model) / population if population else float("nan")


def unemployment_rate(model: LabourMarketModel) -> float:
    """Unemployed ÷ labour force (employed + unemployed)."""
    labour_force = employed(model) + unemployed(model)
    return unemployed(model) / labour_force if labour_force else float("nan")


#: The model reporters of the default DataCollector, whole population, read each month.
MODEL_REPORTERS: dict[str, Callable[[LabourMarketModel], float]] = {
    "employed": employed,
    "unemployed": unemployed,
    "inactive": inactive,
    "long_term_unemployed": long_term_unemployed,
    "employment_to_population": employment_to_population,
    "unemployment_rate": unemployment_rate,
}


def default_datacollector(
    agent_reporters: dict[str, Any] | None = None,
    agenttype_reporters: dict[type, dict[str, Any]] | None = None,
) -> mesa.DataCollector:
    """A DataCollector with :data:`MODEL_REPORTERS` (and any agent reporters given)."""
    return mesa.DataCollector(
        model_reporters=dict(MODEL_REPORTERS),
        agent_reporters=agent_reporters,
        agenttype_reporters=agenttype_reporters,
    )
