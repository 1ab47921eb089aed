"""Parameter overrides by dotted path (``--set`` on the command line, ``[set]`` in a scenario).

A path walks the parameter tree; list items are addressed by index or, for named items
(providers, sectors, interventions), by name: ``interventions.taite_coaching.capacity``.
Values are read as TOML values (``0.3``, ``true``, ``"text"``, ``[0.1, 0.2]``); anything that
does not parse is taken as text.
"""

from __future__ import annotations

import tomllib
from typing import Any

from scenarios.errors import ScenarioError, suggestion


def parse_value(raw: str) -> Any:
    """Read an override value as TOML, else as plain text."""
    try:
        return tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw


def parse_assignment(text: str, source: str = "--set") -> tuple[str, Any]:
    """Split ``path=value`` into the path and the parsed value."""
    if "=" not in text:
        raise ScenarioError(
            f"{source} {text!r}: expected PATH=VALUE, e.g. demand.quit_rate=0.004 or "
            "interventions.taite_coaching.capacity=30"
        )
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ScenarioError(f"{source} {text!r}: the parameter path is empty")
    return path, parse_value(raw.strip())


def _child(node: Any, part: str, walked: list[str], source: str) -> tuple[Any, Any]:
    """The key (or index) and value of ``part`` inside ``node``."""
    where = ".".join(walked) or "(top level)"
    if isinstance(node, list):
        if part.lstrip("-").isdigit():
            index = int(part)
            if not -len(node) <= index < len(node):
                raise ScenarioError(
                    f"{source}: {where} has {len(node)} items; index {index} is out of range"
                )
            return index, node[index]
        names = [item.get("name") for item in node if isinstance(item, dict)]
        if part in names:
            index = names.index(part)
            return index, node[index]
        raise ScenarioError(
            f"{source}: {where} has no item {part!r}{suggestion(part, [str(n) for n in names])}; "
            f"items: {', '.join(str(n) for n in names) or '(none)'} (or an index)"
        )
    if isinstance(node, dict):
        if part not in node:
            raise ScenarioError(
                f"{source}: {where} has no key {part!r}{suggestion(part, list(node))}; "
                f"allowed keys here: {', '.join(node)}"
            )
        return part, node[part]
    raise ScenarioError(f"{source}: {where} is a value, not a group; it has no key {part!r}")


def apply_override(
    data: dict[str, Any], path: str, value: Any, source: str = "--set"
) -> tuple[str | int, ...]:
    """Set the value at a dotted path in a nested parameter dictionary (in place).

    Returns
    -------
    tuple
        The key path actually set, with named list items resolved to their index (as in
        validation error locations), so later errors can be traced back to the override.

    Raises
    ------
    ScenarioError
        When the path does not exist, listing what exists where it stops.
    """
    parts = path.split(".")
    node: Any = data
    walked: list[str] = []
    resolved: list[str | int] = []
    for part in parts[:-1]:
        key, node = _child(node, part, walked, f"{source} {path}")
        walked.append(part)
        resolved.append(key)
    key, _ = _child(node, parts[-1], walked, f"{source} {path}")
    node[key] = value
    return (*resolved, key)
