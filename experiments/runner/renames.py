"""Old module names that stored files may still hold, and the modules that replaced them.

A design file, an experiment's ``manifest.json`` and a sensitivity study's ``study.json`` name
their model as ``module:name`` (``experiments.model:LabourMarketRun`` before the experiments
package was split into ``runner``, ``comparison`` and ``sensitivity``). Every place that
imports or compares such a name passes it through :func:`current_name`, so studies and
interrupted runs stored under the old names still load and resume.
"""

from __future__ import annotations

from typing import Any

#: Old module → the module it moved to. Only modules a stored file can name are listed.
MODULE_ALIASES: dict[str, str] = {
    "experiments.model": "experiments.runner.simulation",
    "experiments.sa_model": "experiments.sensitivity.effect_run",
    "experiments.sa_testmodels": "experiments.sensitivity.testmodels",
}


def current_name(ref: str) -> str:
    """``module:name`` with an old module replaced by its current one (others unchanged)."""
    module, sep, attr = ref.partition(":")
    return MODULE_ALIASES.get(module, module) + sep + attr


def current_design(design: dict[str, Any]) -> dict[str, Any]:
    """A stored design dictionary (``Design.to_dict``) with its model under its current name."""
    experiment = design.get("experiment")
    if not isinstance(experiment, dict) or not isinstance(experiment.get("model"), str):
        return design
    return {**design, "experiment": {**experiment, "model": current_name(experiment["model"])}}
