"""Scenarios: living labs, the intervention catalogue and packages, composed and validated.

>>> from scenarios import scenario_from_names
>>> s = scenario_from_names("kokkola_engine")       # the package on its own lab
>>> [arm.name for arm in s.arms]
['kokkola_engine']
"""

from scenarios.catalogue import load_catalogue
from scenarios.compose import (
    Arm,
    Lab,
    Package,
    Scenario,
    compose,
    load_lab,
    load_package,
    load_scenario,
    scenario_from_names,
)
from scenarios.errors import ScenarioError

__all__ = [
    "Arm",
    "Lab",
    "Package",
    "Scenario",
    "ScenarioError",
    "compose",
    "load_catalogue",
    "load_lab",
    "load_package",
    "load_scenario",
    "scenario_from_names",
]
