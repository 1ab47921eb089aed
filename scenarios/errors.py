"""Error messages for scenario files: the file, the line, the key path and what is allowed."""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from scenarios.locate import locate
from simulator.errors import ParameterError, allowed, suggestion


class ScenarioError(ParameterError):
    """Invalid scenario input; ``str(err)`` is meant for the user (the CLI exits with 2)."""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (``X | None``, ``list[X]``, ``dict[str, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def field_at(model: type[BaseModel], path: Sequence[Any]) -> tuple[FieldInfo | None, type | None]:
    """The field at a pydantic location and the model that holds it.

    Returns
    -------
    (FieldInfo or None, model class or None)
        ``None`` when the path leaves the known models (e.g. inside a free-form dict).
    """
    current: type[BaseModel] | None = model
    info: FieldInfo | None = None
    holder: type | None = None
    for part in path:
        if isinstance(part, int) or current is None:
            continue
        if part not in current.model_fields:
            # A dict key (e.g. a provider name under [partners]) keeps the value model.
            if info is not None and typing.get_origin(info.annotation) is dict:
                continue
            return None, current
        holder = current
        info = current.model_fields[part]
        models = _models_in(info.annotation)
        current = models[0] if models else None
    return info, holder


def _where(source: str, text: str | None, loc: Sequence[Any]) -> str:
    line = locate(text, loc) if text is not None and loc else None
    return f"{source}:{line}" if line else source


def format_errors(
    err: ValidationError,
    model: type[BaseModel],
    source: str | Path,
    text: str | None = None,
    prefix: Sequence[Any] = (),
    where: Callable[[tuple[Any, ...], str], str | None] | None = None,
) -> str:
    """One line per problem: ``file:line: key.path: problem; what is allowed``.

    Parameters
    ----------
    err
        The validation error.
    model
        The model that was validated (to look up ranges, units and known keys).
    source
        The file (or ``--set``) the values came from.
    text
        The file's text, to find line numbers.
    prefix
        Location of the validated data inside the file (e.g. ``("interventions", 2)``).
    where
        Optional ``where(key_path, message)``: the place a value at that path came from
        (e.g. the ``--set`` or ``[set]`` line that overrode it), or ``None`` to use ``source``.
    """
    lines = []
    for e in err.errors():
        loc = tuple(e["loc"])
        full = (*prefix, *loc)
        key = ".".join(str(p) for p in full) or "(top level)"
        origin = where(full, e["msg"]) if where is not None else None
        place = origin or _where(str(source), text, full)
        given = e.get("input")
        if e["type"] == "extra_forbidden":
            known = list(model.model_fields)
            if len(loc) > 1:
                parent, _ = field_at(model, loc[:-1])
                models = _models_in(parent.annotation) if parent is not None else []
                known = list(models[0].model_fields) if models else []
            msg = f"unknown key {str(loc[-1])!r}{suggestion(str(loc[-1]), known)}"
            if known:
                msg += f"; allowed keys here: {', '.join(known)}"
            lines.append(f"{place}: {key}: {msg}")
            continue
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "required key is missing"
        elif given is not None and not isinstance(given, (dict, list)):
            msg += f" (given: {given!r})"
        info, _ = field_at(model, loc)
        if info is not None:
            hint = allowed(info)
            if hint:
                msg += f"; {hint}"
            if info.description and e["type"] != "missing":
                msg += f" — {info.description}"
        lines.append(f"{place}: {key}: {msg}")
    return "\n".join(lines)


def validated[M: BaseModel](
    model: type[M],
    data: Any,
    what: str,
    source: str | Path,
    text: str | None = None,
    prefix: Sequence[Any] = (),
    strict: bool = True,
    where: Callable[[tuple[Any, ...], str], str | None] | None = None,
) -> M:
    """Validate ``data`` against ``model``; every problem is reported as by :func:`format_errors`.

    Parameters
    ----------
    what
        What was invalid, for the message's first line ``invalid {what}:``.
    source, text, prefix
        As for :func:`format_errors`.
    strict
        No type coercion (file values); ``False`` leaves it to the model's own configuration.
    where
        As for :func:`format_errors`.

    Raises
    ------
    ScenarioError
        Naming the source, line and key path of every problem and what is allowed there.
    """
    try:
        return model.model_validate(data, strict=True if strict else None)
    except ValidationError as err:
        raise ScenarioError(
            f"invalid {what}:\n" + format_errors(err, model, source, text, prefix, where)
        ) from None
