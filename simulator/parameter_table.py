"""The parameter catalogue as a table: path, default, unit, range, uncertainty, reference."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel

from simulator.params import ModelParams


def iter_parameters(model: type[BaseModel] = ModelParams, prefix: str = "") -> list[dict[str, Any]]:
    """Every scalar parameter of a parameter model, with its metadata.

    Nested parameter groups are followed; list-valued groups (sectors, providers,
    interventions) are described by their defaults elsewhere and skipped here.
    """
    rows: list[dict[str, Any]] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows.extend(iter_parameters(ann, path + "."))
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "unit" not in extra:
            continue
        lo = hi = None
        for meta in info.metadata:
            lo = getattr(meta, "ge", lo)
            hi = getattr(meta, "le", hi)
        uncertain = extra.get("uncertain") or [None, None]
        default = info.default if info.default_factory is None else info.default_factory()
        rows.append(
            {
                "parameter": path,
                "default": default,
                "unit": extra.get("unit"),
                "min": lo,
                "max": hi,
                "uncertain_low": uncertain[0],
                "uncertain_high": uncertain[1],
                "mechanism": extra.get("mechanism"),
                "reference": extra.get("reference"),
                "description": info.description,
            }
        )
    return rows


def parameter_table() -> pd.DataFrame:
    """All parameters of :class:`ModelParams` as a DataFrame (one row each)."""
    return pd.DataFrame(iter_parameters())
