"""Clear messages for invalid parameters: which parameter, what was given, what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo


class ParameterError(ValueError):
    """Invalid model parameters; ``str(err)`` is a message meant for the user."""


def suggestion(word: str, choices: Sequence[str]) -> str:
    """``" (did you mean 'x'?)"`` when a close match exists, else an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_seed(seed: int, name: str = "seed") -> int:
    """Return ``seed`` as an int if it is a valid seed, a whole number of at least 0.

    numpy's ``SeedSequence`` (from which every random number of a run derives) takes only
    non-negative integers; checking here gives a message naming the setting instead of a
    traceback from inside numpy.

    Raises
    ------
    ParameterError
        If ``seed`` is negative, naming ``name`` and the allowed values.
    """
    value = int(seed)
    if value < 0:
        raise ParameterError(f"{name} must be a whole number of at least 0, got {value}")
    return value


def _field_at(model: type[BaseModel], path: tuple[Any, ...]) -> FieldInfo | None:
    """The pydantic field at a location path, following nested models and lists."""
    current: Any = model
    info: FieldInfo | None = None
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        nested = [
            a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        current = nested[0] if nested else annotation
    return info


def allowed(info: FieldInfo) -> str:
    """Human-readable allowed values of a field (range, unit, choices)."""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    parts = []
    if lo is not None or hi is not None:
        parts.append(
            f"allowed range [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        )
    choices = getattr(info.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices):
        parts.append("allowed values: " + ", ".join(choices))
    if unit:
        parts.append(f"unit: {unit}")
    return "; ".join(parts)


def format_validation_error(
    err: ValidationError, model: type[BaseModel], source: str = "parameters"
) -> str:
    """Turn a pydantic error into lines naming the source, parameter path and what is allowed.

    Parameters
    ----------
    err
        The validation error.
    model
        The model class that was validated (to look up ranges and units).
    source
        Where the values came from (a file name, ``--set``, ...).
    """
    lines = [f"invalid {source}:"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"]
        given = e.get("input")
        line = f"  {loc}: {msg}"
        if e["type"] == "extra_forbidden":
            parent = _field_at(model, tuple(e["loc"][:-1]))
            cls = model
            if parent is not None:
                ann = parent.annotation
                args = getattr(ann, "__args__", ())
                cands = [
                    a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)
                ]
                cls = cands[0] if cands else model
            line = f"  {loc}: unknown parameter; known here: {', '.join(cls.model_fields)}"
        else:
            if given is not None and not isinstance(given, (dict, list)):
                line += f" (given: {given!r})"
            info = _field_at(model, tuple(e["loc"]))
            if info is not None:
                hint = allowed(info)
                if hint:
                    line += f"; {hint}"
        lines.append(line)
    return "\n".join(lines)
