"""JSON Schema export of the scenario file kinds, for editors (e.g. Taplo / Even Better TOML).

Shipped TOML files start with ``#:schema ../schema/<kind>.schema.json`` so editors check them
as they are typed. ``synclusive scenarios --write-schemas scenarios/schema`` regenerates them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from scenarios.schema import SCHEMA_MODELS, CatalogueEntry
from simulator.interventions import InterventionKind
from simulator.tables import write_file

KINDS = ("lab", "package", "scenario", "catalogue")


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one file kind (``lab``, ``package``, ``scenario``, ``catalogue``)."""
    if kind == "catalogue":
        schema = TypeAdapter(dict[InterventionKind, CatalogueEntry]).json_schema()
        schema["title"] = "Synclusive intervention catalogue"
    elif kind in SCHEMA_MODELS:
        schema = SCHEMA_MODELS[kind].model_json_schema()
    else:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_schemas(directory: Path) -> list[Path]:
    """Write ``<kind>.schema.json`` for every kind; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        schema = json.dumps(json_schema(kind), indent=2) + "\n"
        written.append(write_file(directory / f"{kind}.schema.json", schema))
    return written
