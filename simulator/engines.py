"""The two engines that run the monthly step: numba kernels and the plain-Python reference.

Both expose the same functions with the same signatures; the model picks one by name. The
reference engine replaces every kernel with a separately written plain-Python version: the
three whose speed comes from how they organise the work (vacancy chains, matching, enrolment)
with naive, obviously correct versions (:mod:`simulator.reference`), the per-agent steps
(demand, entrants, training, participation, consequences, census) with versions written from
the model's rules (:mod:`simulator.reference_steps`). On the same seed both give identical
results.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from simulator import reference, reference_steps
from simulator.kernels import consequences, demand, matching, mobility, services


@dataclass(frozen=True)
class Engine:
    """The functions of one engine."""

    name: str
    demand_step: Any
    add_entrants: Any
    training_step: Any
    vacancy_chains: Any
    enrolment_step: Any
    participation_step: Any
    matching_step: Any
    consequences_step: Any
    census: Any


NUMBA = Engine(
    name="numba",
    demand_step=demand.demand_step,
    add_entrants=demand.add_entrants,
    training_step=mobility.training_step,
    vacancy_chains=mobility.vacancy_chains,
    enrolment_step=services.enrolment_step,
    participation_step=services.participation_step,
    matching_step=matching.matching_step,
    consequences_step=consequences.consequences_step,
    census=consequences.census,
)

PYTHON = Engine(
    name="python",
    demand_step=reference_steps.demand_step,
    add_entrants=reference_steps.add_entrants,
    training_step=reference_steps.training_step,
    vacancy_chains=reference.vacancy_chains,
    enrolment_step=reference.enrolment_step,
    participation_step=reference_steps.participation_step,
    matching_step=reference.matching_step,
    consequences_step=reference_steps.consequences_step,
    census=reference_steps.census,
)

ENGINES = SimpleNamespace(numba=NUMBA, python=PYTHON)


def get_engine(name: str) -> Engine:
    """Look up an engine by name (``"numba"`` or ``"python"``)."""
    try:
        return getattr(ENGINES, name)
    except AttributeError:
        raise ValueError(f"engine must be 'numba' or 'python', got {name!r}") from None


# The names simulator/model.py still imports (its ``backend=`` argument selects the engine);
# they go when that module is renamed to the engine vocabulary.
Backend = Engine
get_backend = get_engine
