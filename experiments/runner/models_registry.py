"""The models a design file may name: a registry, so that a design file is data, not code.

``[experiment] model`` in a design file names the callable the runner calls for every run.
Importing an arbitrary ``module:name`` would run whatever module the file names (``os:getcwd``
passes any shape check), so a design file resolves its model only from this registry:

- the project's own models (:data:`BUILTIN_MODELS`), by short name or by ``module:name``;
- models other installed packages register under the entry-point group
  :data:`ENTRY_POINT_GROUP` (``[project.entry-points."synclusive.models"]`` in their
  ``pyproject.toml``; the entry point's name is the short name, its value ``module:name``).

Any other ``module:name`` needs the explicit opt-in ``allow_imports=True``
(``synclusive experiment run --allow-model-imports``). Designs built in Python
(:class:`~experiments.runner.design.Design`,
:func:`~experiments.runner.design.design_from_dict`) are code
already and are not restricted.
"""

from __future__ import annotations

from importlib import metadata

from experiments.errors import DesignError
from experiments.runner.renames import current_name

#: Entry-point group under which installed packages register further models.
ENTRY_POINT_GROUP = "synclusive.models"

#: The project's models: short name -> ``module:name``.
BUILTIN_MODELS: dict[str, str] = {
    "labour_market": "experiments.runner.simulation:LabourMarketRun",
    "ishigami": "experiments.sensitivity.testmodels:ishigami",
    "noisy_ishigami": "experiments.sensitivity.testmodels:noisy_ishigami",
    "planted": "experiments.sensitivity.testmodels:planted",
}


def registered_models() -> dict[str, str]:
    """Every registered model: short name -> ``module:name`` (the project's own first)."""
    models = dict(BUILTIN_MODELS)
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        models.setdefault(entry.name, entry.value)
    return models


def resolve_model_name(name: str, source: str, allow_imports: bool = False) -> str:
    """The ``module:name`` a design file's model name stands for.

    Parameters
    ----------
    name
        A registered short name, a registered ``module:name``, or (with ``allow_imports``)
        any ``module:name``.
    source
        The design file, for the message.
    allow_imports
        Accept any ``module:name`` (the user opted in to running the code it names).

    Raises
    ------
    DesignError
        When the name is not registered and imports are not allowed, naming the file, the
        field and the registered models.
    """
    models = registered_models()
    if name in models:
        return models[name]
    # A design written before the experiments package was split names its model by the old
    # module; it is registered under the current one.
    if current_name(name) in models.values():
        return current_name(name)
    if allow_imports and ":" in name:
        return name
    known = ", ".join(f"{short} ({ref})" for short, ref in models.items())
    hint = (
        "any other model needs `synclusive experiment run --allow-model-imports`, which lets "
        "the design file run the code it names"
    )
    if allow_imports:
        hint = "with --allow-model-imports a model may also be any 'module:name'"
    raise DesignError(
        f"{source}: [experiment] model {name!r} is not a registered model; registered: "
        f"{known}; {hint}"
    )


__all__ = ["BUILTIN_MODELS", "ENTRY_POINT_GROUP", "registered_models", "resolve_model_name"]
