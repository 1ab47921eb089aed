"""The parameters being estimated: dotted paths into the model parameters, with bounds."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from calibration.errors import CalibrationError
from simulator.cli import build_params
from simulator.errors import ParameterError
from simulator.params import ModelParams


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    from simulator.parameter_table import iter_parameters

    return {row["parameter"]: row for row in iter_parameters()}


@dataclass(frozen=True)
class Parameter:
    """One estimated parameter: dotted path and search bounds."""

    path: str
    lower: float
    upper: float


def get_path(data: Any, path: str) -> Any:
    """Value at a dotted path of a nested parameter dictionary (list items by index)."""
    node = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
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
            self.parameters.append(Parameter(path, float(lower), float(upper)))
        names = self.names
        if len(set(names)) != len(names):
            raise CalibrationError(f"a parameter is listed twice: {names}")
        # Both corners must be valid model parameters (bounds inside the allowed ranges).
        self.candidate(self.lower)
        self.candidate(self.upper)

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

    def assignments(self, theta: np.ndarray) -> list[str]:
        """``path=value`` overrides of a candidate (integer parameters rounded)."""
        out = []
        for p, value in zip(self.parameters, theta, strict=True):
            current = get_path(self._base_dict, p.path)
            v = round(float(value)) if isinstance(current, int) else float(value)
            out.append(f"{p.path}={v!r}")
        return out

    def candidate(self, theta: np.ndarray, base: ModelParams | None = None) -> ModelParams:
        """Validated model parameters of a candidate.

        Raises
        ------
        CalibrationError
            When a bound lies outside what the model allows.
        """
        data = copy.deepcopy(self._base_dict if base is None else base.model_dump())
        try:
            return build_params(data, self.assignments(theta), source="calibration bounds")
        except ParameterError as err:
            raise CalibrationError(str(err)) from None
