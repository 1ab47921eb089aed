"""Synclusive engine simulator: an agent-based model of a regional labour market."""

from typing import TYPE_CHECKING

from simulator.deferred_import import defer_unused_modules
from simulator.lazy import lazy_exports

# Before the simulator's modules import Mesa and numba: what a run does not use runs only if used.
defer_unused_modules()

if TYPE_CHECKING:  # the names, for readers and type checkers; imported on first use
    from simulator.agents import Coalition, Employee, Employer, Jobseeker, Person, ServiceProvider
    from simulator.model import LabourMarketModel
    from simulator.params import ModelParams

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Coalition": "simulator.agents",
        "Employee": "simulator.agents",
        "Employer": "simulator.agents",
        "Jobseeker": "simulator.agents",
        "Person": "simulator.agents",
        "ServiceProvider": "simulator.agents",
        "LabourMarketModel": "simulator.model",
        "ModelParams": "simulator.params",
    },
)

__all__ = [
    "Coalition",
    "Employee",
    "Employer",
    "Jobseeker",
    "LabourMarketModel",
    "ModelParams",
    "Person",
    "ServiceProvider",
]
__version__ = "0.1.0"
