"""Option types shared by every layer: seeds, whole-number flags, ``--set`` overrides and the
parameters a run is built from.

These are library functions, not a command line: each layer's ``commands`` module (and any
script) imports them from here, the lowest layer, so no layer needs the ``synclusive`` entry
point (:mod:`cli`) to read its options.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from simulator.errors import ParameterError, check_seed, format_validation_error
from simulator.params import ModelParams


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """Parse ``dotted.path=value``; the value is read as JSON when it parses, else as text."""
    if "=" not in text:
        raise ParameterError(
            f"--set expects PATH=VALUE (e.g. demand.quit_rate=0.004), got {text!r}"
        )
    path, raw = text.split("=", 1)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return path.strip().split("."), value


def apply_assignments(data: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Set dotted paths in a nested parameter dictionary (list items by index)."""
    for text in assignments:
        path, value = parse_assignment(text)
        node: Any = data
        for i, part in enumerate(path[:-1]):
            key: Any = int(part) if isinstance(node, list) else part
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                where = ".".join(path[: i + 1])
                known = ", ".join(map(str, node)) if isinstance(node, dict) else "list indices"
                raise ParameterError(
                    f"--set {text}: there is no parameter group {where!r}; known here: {known}"
                ) from None
        last = path[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


def build_params(
    base: dict[str, Any] | None = None,
    assignments: list[str] | None = None,
    source: str = "parameters",
    **top: Any,
) -> ModelParams:
    """Validate parameters from a base dictionary, top-level values and ``--set`` overrides.

    Raises
    ------
    ParameterError
        With a message naming the parameter, the value given and the allowed range.
    """
    data = ModelParams().model_dump() if base is None else base
    data.update({k: v for k, v in top.items() if v is not None})
    data = apply_assignments(data, assignments or [])
    try:
        return ModelParams.model_validate(data)
    except ValidationError as err:
        raise ParameterError(format_validation_error(err, ModelParams, source)) from None


def int_at_least(name: str, low: int = 1):
    """An argparse type: a whole number of at least ``low``, with a message naming the flag."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, got {text!r}"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{name} must be at least {low}, got {value}")
        return value

    return parse


def seed_type(name: str = "--seed") -> Callable[[str], int]:
    """An argparse type for a seed: a whole number of at least 0 (what numpy's SeedSequence
    takes), with a message naming the flag. Every command with a seed option uses it."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number of at least 0, got {text!r}"
            ) from None
        try:
            return check_seed(value, name)
        except ParameterError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    return parse
