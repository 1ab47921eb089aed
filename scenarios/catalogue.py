"""The intervention catalogue: evidence-based defaults for every intervention type.

:func:`load_catalogue` reads ``catalogue.toml``; :func:`resolve_intervention` turns a package
entry (a type plus the package's own settings) into an
:class:`~simulator.interventions.InterventionSpec` for a given lab.
"""

from __future__ import annotations

import typing
from functools import lru_cache
from pathlib import Path
from typing import Any

from scenarios.errors import ScenarioError, suggestion, validated
from scenarios.files import CATALOGUE_FILE, read_toml, validate
from scenarios.locate import locate
from scenarios.schema import CatalogueEntry, PackageIntervention
from simulator.interventions import (
    EFFECT_FIELDS,
    InterventionKind,
    InterventionSpec,
    effect_bounds,
)
from simulator.params import ProviderSpec

KINDS: tuple[str, ...] = typing.get_args(InterventionKind)


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``update`` merged in (nested dictionaries merged key by key)."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_catalogue(
    data: dict[str, Any], path: Path | str, text: str | None = None
) -> dict[str, CatalogueEntry]:
    """Validate catalogue data: one entry per intervention type, each with valid defaults."""
    missing = [k for k in KINDS if k not in data]
    unknown = [k for k in data if k not in KINDS]
    if missing or unknown:
        parts = []
        if unknown:
            parts.append(f"unknown intervention types {unknown}")
        if missing:
            parts.append(f"missing intervention types {missing}")
        raise ScenarioError(f"{path}: {'; '.join(parts)}; the types are: {', '.join(KINDS)}")
    entries: dict[str, CatalogueEntry] = {}
    for kind in KINDS:
        raw = data[kind]
        if not isinstance(raw, dict):
            raise ScenarioError(f"{path}: {kind} must be a table")
        what = "intervention catalogue"
        entry = validated(CatalogueEntry, raw, what, path, text, prefix=(kind,))
        defaults = {"name": kind, "kind": kind, **entry.defaults.model_dump(exclude_unset=True)}
        validated(
            InterventionSpec, defaults, what, path, text, prefix=(kind, "defaults"), strict=False
        )
        _check_ranges(kind, entry, path, text)
        entries[kind] = entry
    return entries


def _check_ranges(kind: str, entry: CatalogueEntry, path: Path | str, text: str | None) -> None:
    """Check an entry's ``uncertain`` ranges: known paths, low < high, within field bounds.

    A range need not contain the entry's default (a range may deliberately shift it), but
    the shipped catalogue's ranges do (a test checks this).

    Raises
    ------
    ScenarioError
        Naming the catalogue file (and line), the entry and the path.
    """

    for key, (low, high) in entry.uncertain.items():
        line = locate(text, (kind, "uncertain", key)) if text else None
        where = f"{path}:{line}" if line else str(path)
        # Same first line as the schema's own errors (validated()).
        prefix = f"invalid intervention catalogue:\n{where}: {kind}.uncertain.{key!r}"
        if key not in EFFECT_FIELDS:
            raise ScenarioError(
                f"{prefix}: unknown effect setting{suggestion(key, EFFECT_FIELDS)}; "
                f"allowed paths: {', '.join(EFFECT_FIELDS)}"
            )
        if not low < high:  # an empty range would leave nothing to sample
            raise ScenarioError(f"{prefix}: range [{low}, {high}] must have low < high")
        lo, hi = effect_bounds(key)
        if low < lo or high > hi:
            raise ScenarioError(
                f"{prefix}: range [{low}, {high}] lies outside the setting's allowed "
                f"bounds [{lo}, {hi}]"
            )


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, CatalogueEntry]:
    """The intervention catalogue, by intervention type.

    Parameters
    ----------
    path
        Catalogue file (default: the shipped ``scenarios/catalogue.toml``).
    """
    data, text = read_toml(path)
    return parse_catalogue(data, path, text)


def resolve_intervention(
    entry: PackageIntervention,
    providers: list[ProviderSpec],
    catalogue: dict[str, CatalogueEntry],
    source: Path | str,
    text: str | None,
    index: int,
) -> InterventionSpec:
    """The full intervention record of a package entry in a given lab.

    Settings come from the catalogue's defaults for the type, overridden by the package's own;
    the provider is the package's choice, else the lab's first provider of the kind the
    catalogue names, else the coalition itself.

    Raises
    ------
    ScenarioError
        When the entry names a provider the lab does not have, or the merged settings are
        invalid (naming the package file, line and key).
    """
    defaults = catalogue[entry.kind].defaults.model_dump(exclude_unset=True)
    settings = deep_merge(defaults, entry.settings())
    names = [p.name for p in providers]
    where = ("interventions", index)
    if settings.get("provider") is not None:
        if settings["provider"] not in names:
            line = locate(text, (*where, "provider")) if text else None
            loc = f"{source}:{line}" if line else str(source)
            raise ScenarioError(
                f"{loc}: interventions.{index}.provider: the lab has no provider "
                f"{settings['provider']!r}{suggestion(settings['provider'], names)}; "
                f"its providers are: {', '.join(names) or '(none)'}"
            )
    else:
        kind = catalogue[entry.kind].provider_kind
        settings["provider"] = next((p.name for p in providers if p.kind == kind), None)
    data = {"name": entry.name or entry.kind, "kind": entry.kind, **settings}
    return validated(
        InterventionSpec,
        data,
        "intervention (catalogue defaults + package settings)",
        source,
        text,
        prefix=where,
        strict=False,
    )


def validate_catalogue_file(path: Path) -> dict[str, CatalogueEntry]:
    """Validate a catalogue file other than the shipped one (for editors and tests)."""
    data, text = read_toml(path)
    return parse_catalogue(data, path, text)


__all__ = [
    "KINDS",
    "deep_merge",
    "load_catalogue",
    "parse_catalogue",
    "resolve_intervention",
    "validate",
    "validate_catalogue_file",
]
