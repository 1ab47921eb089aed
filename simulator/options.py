"""Option types shared by every layer: seeds, whole-number flags, ``--set`` overrides and the
parameters a run is built from.

These are library functions, not a command line: each layer's ``commands`` module (and any
script) imports them from here, the lowest layer, so no layer needs the ``synclusive`` entry
point (:mod:`cli`) to read its options.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import ParameterError, check_seed, format_validation_error, suggestion
from simulator.params import ModelParams


def parse_value(raw: str) -> Any:
    """Read an override value as a TOML value (``0.3``, ``true``, ``"text"``, ``[0.1, 0.2]``),
    else as plain text."""
    try:
        return tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw


def parse_assignment(text: str, source: str = "--set") -> tuple[str, Any]:
    """Split ``path=value`` into the dotted path and the value read by :func:`parse_value`.

    Raises
    ------
    ParameterError
        When there is no ``=`` or the path is empty.
    """
    if "=" not in text:
        raise ParameterError(
            f"{source} {text!r}: expected PATH=VALUE, e.g. demand.quit_rate=0.004 or "
            "interventions.taite_coaching.capacity=30"
        )
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ParameterError(f"{source} {text!r}: the parameter path is empty")
    return path, parse_value(raw.strip())


def _child(node: Any, part: str, walked: list[str], last: bool, source: str) -> tuple[Any, Any]:
    """The key (or index) and value of ``part`` inside ``node``."""
    where = ".".join(walked) or "(top level)"
    if isinstance(node, list):
        if part.lstrip("-").isdigit():
            index = int(part)
            if not -len(node) <= index < len(node):
                raise ParameterError(
                    f"{source}: {where} has {len(node)} items; index {index} is out of range"
                )
            return index, node[index]
        names = [item.get("name") for item in node if isinstance(item, dict)]
        if part in names:
            index = names.index(part)
            return index, node[index]
        raise ParameterError(
            f"{source}: {where} has no item {part!r}{suggestion(part, [str(n) for n in names])}; "
            f"items: {', '.join(str(n) for n in names) or '(none)'} (or an index)"
        )
    if isinstance(node, dict):
        if part not in node:
            what = "unknown parameter" if last else "there is no parameter group"
            if not last:
                what += f" {'.'.join([*walked, part])!r}"
            raise ParameterError(
                f"{source}: {what}: {where} has no key {part!r}{suggestion(part, list(node))}; "
                f"allowed keys here: {', '.join(map(str, node))}"
            )
        return part, node[part]
    raise ParameterError(f"{source}: {where} is a value, not a group; it has no key {part!r}")


def apply_override(
    data: dict[str, Any], path: str, value: Any, source: str = "--set"
) -> tuple[str | int, ...]:
    """Set the value at a dotted path in a nested parameter dictionary (in place).

    A path walks the parameter tree; list items are addressed by index or, for named items
    (providers, sectors, interventions), by name: ``interventions.taite_coaching.capacity``.

    Returns
    -------
    tuple
        The key path actually set, with named list items resolved to their index (as in
        validation error locations), so later errors can be traced back to the override.

    Raises
    ------
    ParameterError
        When the path does not exist, listing what exists where it stops.
    """
    parts = path.split(".")
    node: Any = data
    walked: list[str] = []
    resolved: list[str | int] = []
    label = f"{source} {path}"
    for part in parts[:-1]:
        key, node = _child(node, part, walked, False, label)
        walked.append(part)
        resolved.append(key)
    key, _ = _child(node, parts[-1], walked, True, label)
    node[key] = value
    return (*resolved, key)


def apply_assignments(
    data: dict[str, Any], assignments: list[str], source: str = "--set"
) -> dict[str, Any]:
    """Apply ``PATH=VALUE`` texts to a nested parameter dictionary (in place) and return it."""
    for text in assignments:
        apply_override(data, *parse_assignment(text, source), source=source)
    return data


def build_params(
    base: dict[str, Any] | None = None,
    assignments: list[str] | None = None,
    source: str = "parameters",
    overrides: Mapping[str, Any] | None = None,
    **top: Any,
) -> ModelParams:
    """Validate parameters from a base dictionary, top-level values and overrides.

    Parameters
    ----------
    base
        Nested parameter dictionary (default: the model defaults); changed in place.
    assignments
        ``PATH=VALUE`` texts (``--set``), read by :func:`parse_assignment`.
    source
        Where the values come from, for error messages (a file name, a design, ...).
    overrides
        Dotted path → value, already read (a design point); errors name ``source``.
    **top
        Top-level values (``months=...``); ``None`` leaves the base value.

    Raises
    ------
    ParameterError
        With a message naming the parameter, the value given and the allowed range.
    """
    data = ModelParams().model_dump() if base is None else base
    data.update({k: v for k, v in top.items() if v is not None})
    for path, value in (overrides or {}).items():
        apply_override(data, path, value, source)
    apply_assignments(data, assignments or [])
    try:
        return ModelParams.model_validate(data)
    except ValidationError as err:
        raise ParameterError(format_validation_error(err, ModelParams, source)) from None


#: Keys ``synclusive run`` writes beside the parameters in ``parameters.json`` (run metadata,
#: not model parameters); ``backend`` is the former name of ``engine``.
RUN_METADATA = ("seed", "engine", "backend")


def write_parameters_file(path: str | Path, params: ModelParams, **metadata: Any) -> Path:
    """Write a run's ``parameters.json``: the metadata keys (:data:`RUN_METADATA`), then every
    parameter. :func:`read_parameters_file` reads it back."""
    unknown = sorted(set(metadata) - set(RUN_METADATA))
    if unknown:
        raise ValueError(f"not run metadata: {unknown}; allowed: {', '.join(RUN_METADATA)}")
    path = Path(path)
    path.write_text(json.dumps({**metadata, **params.model_dump(mode="json")}, indent=2))
    return path


def read_parameters_file(path: str | Path) -> dict[str, Any]:
    """The nested parameter dictionary of a JSON parameter file, without run metadata.

    Reads what :func:`write_parameters_file` writes (``synclusive run``) and plain parameter
    files such as ``calibrated_params.json``; validate it with :func:`build_params`.

    Raises
    ------
    ParameterError
        When the file is missing, is a folder, is not UTF-8 text, is not JSON or does not hold
        a JSON object (names the file).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameter file not found") from None
    except IsADirectoryError:
        raise ParameterError(f"{path}: is a folder, expected a JSON parameter file") from None
    except UnicodeDecodeError:
        raise ParameterError(f"{path}: not a text file (not UTF-8)") from None
    except json.JSONDecodeError as err:
        raise ParameterError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise ParameterError(
            f"{path}: a parameter file holds a JSON object, got {type(data).__name__}"
        )
    for key in RUN_METADATA:
        data.pop(key, None)
    return data


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
