"""Scenarios: living labs, the intervention catalogue and packages, composed and validated.

>>> from scenarios import scenario_from_names
>>> s = scenario_from_names("kokkola_engine")       # the package on its own lab
>>> [arm.name for arm in s.arms]
['kokkola_engine']
"""

from typing import TYPE_CHECKING

from simulator.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for readers and type checkers; imported on first use
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "load_catalogue": "scenarios.catalogue",
        "Arm": "scenarios.compose",
        "Lab": "scenarios.compose",
        "Package": "scenarios.compose",
        "Scenario": "scenarios.compose",
        "compose": "scenarios.compose",
        "load_lab": "scenarios.compose",
        "load_package": "scenarios.compose",
        "load_scenario": "scenarios.compose",
        "scenario_from_names": "scenarios.compose",
        "ScenarioError": "scenarios.errors",
    },
)

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
