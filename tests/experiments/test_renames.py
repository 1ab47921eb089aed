"""Studies and experiments stored under the module names from before the experiments package
was split still load and resume."""

from __future__ import annotations

from experiments import design_from_dict, run_experiment
from experiments.runner.renames import MODULE_ALIASES, current_design, current_name
from experiments.runner.simulation import LabourMarketRun
from experiments.runner.store import ResultStore
from experiments.runner.worker import resolve_model


def test_an_old_model_name_resolves_to_the_moved_class() -> None:
    model = resolve_model("experiments.model:LabourMarketRun")
    assert isinstance(model, LabourMarketRun)


def test_every_alias_names_an_importable_module() -> None:
    import importlib

    for new in MODULE_ALIASES.values():
        importlib.import_module(new)


def test_current_names() -> None:
    assert current_name("experiments.sa_model:PackageEffectRun") == (
        "experiments.sensitivity.effect_run:PackageEffectRun"
    )
    assert current_name("mypackage.models:run") == "mypackage.models:run"
    old = {"experiment": {"model": "experiments.sa_testmodels:ishigami"}, "design": {}}
    assert (
        current_design(old)["experiment"]["model"] == "experiments.sensitivity.testmodels:ishigami"
    )
    assert old["experiment"]["model"] == "experiments.sa_testmodels:ishigami"  # not changed


def _design(model: str):
    return design_from_dict(
        {
            "experiment": {"name": "renamed", "model": model, "replications": 2},
            "design": {
                "kind": "points",
                "points": [{"x1": 0.1, "x2": 0.2, "x3": 0.3, "x4": 0.0}],
            },
        }
    )


def test_a_folder_stored_under_an_old_model_name_resumes(tmp_path) -> None:
    out = tmp_path / "old"
    old = _design("experiments.sa_testmodels:ishigami")
    first = run_experiment(old, out, executor="serial", progress=False)
    assert first.done == first.total == 2
    assert ResultStore.open(out).manifest["model"] == "experiments.sa_testmodels:ishigami"
    again = run_experiment(
        _design("experiments.sensitivity.testmodels:ishigami"),
        out,
        executor="serial",
        progress=False,
    )
    assert again.done == again.total == 2
    assert len(ResultStore.open(out).load()) == 2  # resumed: nothing was run twice
