"""The kernels' named parameters: each is the model parameter of the same name."""

from __future__ import annotations

import pytest

from simulator.kernel_params import KernelParams, _derived, kernel_params, parameter_path
from simulator.options import apply_override
from simulator.params import ModelParams


def _section_and_name(field: str) -> tuple[str, str]:
    section, name = parameter_path(field).split(".")
    return section, name


def test_every_field_is_a_parameter_or_derived() -> None:
    """A field is either one documented parameter (unique across the sections) or derived."""
    derived = set(_derived(ModelParams()))
    for field in KernelParams._fields:
        if field in derived:
            continue
        section, name = _section_and_name(field)
        info = ModelParams.model_fields[section].annotation.model_fields[name]
        extra = info.json_schema_extra or {}
        assert extra.get("unit"), f"{section}.{name} has no unit"
        assert extra.get("reference"), f"{section}.{name} has no source or 'assumption'"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("matching.stigma_cap_months", 9),
        ("matching.work_ability_penalty", 0.45),
        ("demand.probation_months", 3),
        ("demand.recent_inactive_months", 6),
        ("entrants.migrant_age_max", 45.0),
        ("initial.search_effort", 0.6),
        ("population.partial_work_ability_min", 0.3),
        ("coalition.unaware_referral_share", 0.25),
    ],
)
def test_a_changed_parameter_reaches_the_kernels(path: str, value: float) -> None:
    """Setting a parameter in a scenario changes the field the kernels read, and nothing else."""
    base = kernel_params(ModelParams())
    data = ModelParams().model_dump()
    apply_override(data, path, value)
    changed = kernel_params(ModelParams.model_validate(data))
    field = path.split(".")[1]
    field = f"initial_{field}" if path.startswith("initial.") else field
    assert getattr(changed, field) == float(value)
    others = {f for f in KernelParams._fields if getattr(changed, f) != getattr(base, f)}
    assert others == {field}


def test_switched_off_mechanisms_are_zero() -> None:
    p = ModelParams(disabled_mechanisms=["trust", "peer_learning"])
    par = kernel_params(p)
    assert (par.trust_on, par.peer_learning_on) == (0.0, 0.0)
    assert (par.self_efficacy_on, par.experiences_of_success_on) == (1.0, 1.0)
