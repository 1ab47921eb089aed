"""Synclusive engine simulator: an agent-based model of a regional labour market."""

from simulator.agents import Coalition, Employee, Employer, Jobseeker, Person, ServiceProvider
from simulator.model import LabourMarketModel
from simulator.params import ModelParams

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
