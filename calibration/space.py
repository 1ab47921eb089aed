"""The parameters being estimated: dotted paths into the model parameters, with bounds."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from calibration.errors import CalibrationError
from simulator.errors import ParameterError
from simulator.options import build_params
from simulator.parameter_table import iter_parameters
from simulator.params import ModelParams


@cache
def _catalogue() -> dict[str, dict[str, Any]]:

    return {row["parameter"]: row for row in iter_parameters()}


@dataclass(frozen=True)
class Parameter:
    """One estimated parameter: dotted path and search bounds."""

    path: str
    lower: float
    upper: float
    index_path: str = ""


def _item(node: list[Any], part: str) -> int:
    """Index of a list item named by its index or, for named items, by its name."""
    if part.isdigit():
        index = int(part)
        node[index]  # IndexError when out of range
        return index
    names = [item.get("name") if isinstance(item, dict) else None for item in node]
    if part not in names:
        raise KeyError(part)
    return names.index(part)


def index_path(data: Any, path: str) -> str:
    """A dotted path with named list items (``interventions.coaching``) by index.

    Raises
    ------
    KeyError, IndexError, TypeError
        When the path does not exist in ``data``.
    """
    node, out = data, []
    for part in path.split("."):
        key: Any = _item(node, part) if isinstance(node, list) else part
        node = node[key]
        out.append(str(key))
    return ".".join(out)


def named_path(data: Any, path: str) -> str:
    """A dotted path with list items by name where they have one, as scenario files use.

    ``interventions.0.capacity`` becomes ``interventions.coaching.capacity``; items without
    a name keep their index.
    """
    node, out = data, []
    for part in path.split("."):
        if isinstance(node, list):
            node = node[_item(node, part)]
            name = node.get("name") if isinstance(node, dict) else None
            out.append(str(name) if name else part)
        else:
            node = node[part]
            out.append(part)
    return ".".join(out)


def get_path(data: Any, path: str) -> Any:
    """Value at a dotted path of a nested parameter dictionary (list items by index or name)."""
    node = data
    for part in path.split("."):
        node = node[_item(node, part)] if isinstance(node, list) else node[part]
    return node


class ParameterSpace:
    """Estimated parameters applied to a base parameter set.

    Parameters
    ----------
    base
        The parameters every candidate starts from.
    parameters
        Paths with optional bounds; missing bounds come from the parameter's ``uncertain``
        range in :mod:`simulator.params`.
    """

    def __init__(self, base: ModelParams, parameters: list[dict[str, Any]]) -> None:
        if not parameters:
            raise CalibrationError("no parameters to estimate; list at least one")
        self.base = base
        self._base_dict = base.model_dump()
        self.parameters: list[Parameter] = []
        for entry in parameters:
            path = entry["path"]
            try:
                value = get_path(self._base_dict, path)
                indexed = index_path(self._base_dict, path)
            except (KeyError, IndexError, ValueError, TypeError):
                raise CalibrationError(f"parameter {path!r} does not exist in the model") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise CalibrationError(f"parameter {path!r} is not a number (got {value!r})")
            info = _catalogue().get(path, {})
            lower = entry.get("lower", info.get("uncertain_low"))
            upper = entry.get("upper", info.get("uncertain_high"))
            if lower is None or upper is None:
                raise CalibrationError(
                    f"parameter {path!r} has no uncertainty range in the model; give lower and "
                    "upper bounds"
                )
            if not float(lower) < float(upper):
                raise CalibrationError(
                    f"parameter {path!r}: lower {lower} must be below upper {upper}"
                )
            self.parameters.append(Parameter(path, float(lower), float(upper), indexed))
        names = self.names
        indexed_names = [p.index_path for p in self.parameters]
        if len(set(indexed_names)) != len(indexed_names):
            raise CalibrationError(f"a parameter is listed twice: {names}")
        # Both corners must be valid model parameters (bounds inside the allowed ranges).
        for bound, corner in (("lower", self.lower), ("upper", self.upper)):
            try:
                self.candidate(corner)
            except CalibrationError as err:
                raise CalibrationError(f"{bound} bounds: {err}") from None

    @property
    def names(self) -> list[str]:
        """Dotted paths."""
        return [p.path for p in self.parameters]

    @property
    def lower(self) -> np.ndarray:
        """Lower bounds."""
        return np.array([p.lower for p in self.parameters])

    @property
    def upper(self) -> np.ndarray:
        """Upper bounds."""
        return np.array([p.upper for p in self.parameters])

    @property
    def defaults(self) -> np.ndarray:
        """Values in the base parameters."""
        return np.array([float(get_path(self._base_dict, p.path)) for p in self.parameters])

    def values(self, theta: np.ndarray) -> list[int | float]:
        """A candidate's values as the model takes them (integer parameters rounded)."""
        out: list[int | float] = []
        for p, value in zip(self.parameters, theta, strict=True):
            current = get_path(self._base_dict, p.index_path)
            out.append(round(float(value)) if isinstance(current, int) else float(value))
        return out

    def named_paths(self) -> list[str]:
        """The parameters' paths with list items by name, as scenario files write them."""
        return [named_path(self._base_dict, p.index_path) for p in self.parameters]

    def overrides(self, theta: np.ndarray) -> dict[str, float | int]:
        """Dotted path → value of a candidate (list items by index, integers rounded)."""
        return {p.index_path: v for p, v in zip(self.parameters, self.values(theta), strict=True)}

    def candidate(self, theta: np.ndarray, base: ModelParams | None = None) -> ModelParams:
        """Validated model parameters of a candidate.

        Raises
        ------
        CalibrationError
            When a bound lies outside what the model allows.
        """
        data = copy.deepcopy(self._base_dict if base is None else base.model_dump())
        try:
            return build_params(data, source="calibration bounds", overrides=self.overrides(theta))
        except ParameterError as err:
            raise CalibrationError(str(err)) from None
