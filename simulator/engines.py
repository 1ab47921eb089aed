"""The two engines that run the monthly step: numba kernels and the plain-Python reference.

Both expose the same functions with the same signatures; the model picks one by name. The
reference engine replaces every kernel with a separately written plain-Python version from
:mod:`simulator.reference`, one module per phase of the month, written from the model's rules
one agent at a time, without the kernels' ways of organising the work for speed. On the same
seed both give identical results.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from simulator.kernels import consequences, demand, matching, mobility, services
from simulator.reference import consequences as ref_consequences
from simulator.reference import demand as ref_demand
from simulator.reference import matching as ref_matching
from simulator.reference import mobility as ref_mobility
from simulator.reference import monitoring as ref_monitoring
from simulator.reference import services as ref_services


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
    gather_seekers: Any
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
    gather_seekers=matching.gather_seekers,
    matching_step=matching.matching_step,
    consequences_step=consequences.consequences_step,
    census=consequences.census,
)

PYTHON = Engine(
    name="python",
    demand_step=ref_demand.demand_step,
    add_entrants=ref_demand.add_entrants,
    training_step=ref_mobility.training_step,
    vacancy_chains=ref_mobility.vacancy_chains,
    enrolment_step=ref_services.enrolment_step,
    participation_step=ref_services.participation_step,
    gather_seekers=ref_matching.gather_seekers,
    matching_step=ref_matching.matching_step,
    consequences_step=ref_consequences.consequences_step,
    census=ref_monitoring.census,
)

ENGINES = SimpleNamespace(numba=NUMBA, python=PYTHON)


def get_engine(name: str) -> Engine:
    """Look up an engine by name (``"numba"`` or ``"python"``)."""
    try:
        return getattr(ENGINES, name)
    except AttributeError:
        raise ValueError(f"engine must be 'numba' or 'python', got {name!r}") from None
