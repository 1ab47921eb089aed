"""Parameter overrides by dotted path (``--set`` on the command line, ``[set]`` in a scenario).

The one reader of ``PATH=VALUE`` is :mod:`simulator.options` (values read as TOML values,
named list items such as ``interventions.taite_coaching.capacity``); this module raises its
errors as :class:`~scenarios.errors.ScenarioError`, the error of scenario input.
"""

from __future__ import annotations

from typing import Any

from scenarios.errors import ScenarioError
from simulator import options
from simulator.errors import ParameterError

parse_value = options.parse_value


def parse_assignment(text: str, source: str = "--set") -> tuple[str, Any]:
    """Split ``path=value`` into the path and the parsed value (see :mod:`simulator.options`)."""
    try:
        return options.parse_assignment(text, source)
    except ParameterError as err:
        raise ScenarioError(str(err)) from None


def apply_override(
    data: dict[str, Any], path: str, value: Any, source: str = "--set"
) -> tuple[str | int, ...]:
    """Set the value at a dotted path in place; see :func:`simulator.options.apply_override`.

    Raises
    ------
    ScenarioError
        When the path does not exist, listing what exists where it stops.
    """
    try:
        return options.apply_override(data, path, value, source)
    except ParameterError as err:
        raise ScenarioError(str(err)) from None
