"""The models a design file may name: the project's own and those registered as entry points."""

from __future__ import annotations

from importlib import metadata

import pytest

from experiments.errors import DesignError
from experiments.runner import models_registry
from experiments.runner.models_registry import BUILTIN_MODELS, registered_models, resolve_model_name


def test_installed_packages_register_models_as_entry_points(monkeypatch):
    entry = metadata.EntryPoint("toy", "toy_package.models:Toy", models_registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(
        models_registry.metadata,
        "entry_points",
        lambda group: [entry] if group == models_registry.ENTRY_POINT_GROUP else [],
    )
    assert registered_models() == {**BUILTIN_MODELS, "toy": "toy_package.models:Toy"}
    assert resolve_model_name("toy", "d.toml") == "toy_package.models:Toy"
    assert resolve_model_name("toy_package.models:Toy", "d.toml") == "toy_package.models:Toy"


@pytest.mark.parametrize("name", ["os:system", "subprocess:run", "builtins:eval", "nocolon"])
def test_other_names_need_the_opt_in(name):
    with pytest.raises(DesignError, match=r"d\.toml: \[experiment\] model .*--allow-model-imports"):
        resolve_model_name(name, "d.toml")


def test_the_opt_in_accepts_any_module_name_but_not_a_bare_word():
    assert resolve_model_name("my_models:Run", "d.toml", allow_imports=True) == "my_models:Run"
    with pytest.raises(DesignError, match="may also be any 'module:name'"):
        resolve_model_name("nocolon", "d.toml", allow_imports=True)


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("experiments.model:LabourMarketRun", "experiments.runner.simulation:LabourMarketRun"),
        ("experiments.sa_testmodels:ishigami", "experiments.sensitivity.testmodels:ishigami"),
    ],
)
def test_a_registered_model_under_its_module_before_the_split_is_accepted(old, current):
    assert resolve_model_name(old, "d.toml") == current


def test_an_unregistered_model_under_an_old_module_still_needs_the_opt_in():
    old = "experiments.sa_model:PackageEffectRun"
    with pytest.raises(DesignError, match="--allow-model-imports"):
        resolve_model_name(old, "d.toml")
    assert resolve_model_name(old, "d.toml", allow_imports=True) == old
