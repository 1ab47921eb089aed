"""Uncertainty ranges of intervention effects declared in the catalogue (``[<kind>.uncertain]``)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from experiments.sensitivity.problem import EFFECT_MECHANISMS, intervention_parameters
from scenarios import ScenarioError
from scenarios.catalogue import load_catalogue, resolve_intervention, validate_catalogue_file
from scenarios.files import CATALOGUE_FILE
from scenarios.schema import PackageIntervention
from simulator.interventions import EFFECT_FIELDS, InterventionSpec, effect_bounds, effect_value


def shipped_data() -> dict[str, Any]:
    with CATALOGUE_FILE.open("rb") as fh:
        return tomllib.load(fh)


def coaching(**settings: Any) -> InterventionSpec:
    """A job-search coaching entry resolved as a package would resolve it."""
    entry = PackageIntervention.model_validate(
        {"kind": "job_search_coaching", "name": "taite", **settings}
    )
    return resolve_intervention(entry, [], load_catalogue(), "pkg.toml", None, 0)


def by_path(specs: list[InterventionSpec], relative_range: float = 0.5) -> dict[str, Any]:
    return {p.path: p for p in intervention_parameters(specs, relative_range)}


def test_every_effect_field_has_a_mechanism():
    assert set(EFFECT_MECHANISMS) == set(EFFECT_FIELDS)


def test_declared_range_is_used_for_an_intervention_of_that_kind():
    declared = load_catalogue()["job_search_coaching"].uncertain["effects.search_skill"]
    params = by_path([coaching()])
    p = params["interventions.taite.effects.search_skill"]
    assert (p.low, p.high) == tuple(declared)
    assert p.default == 0.06 and p.mechanism == "job_search"
    # An effect without a declared range keeps value x (1 +- relative_range).
    trust = params["interventions.taite.effects.trust"]
    assert trust.low == pytest.approx(0.03 * 0.5) and trust.high == pytest.approx(0.03 * 1.5)


def test_package_value_inside_the_range_keeps_the_catalogue_range():
    declared = load_catalogue()["job_search_coaching"].uncertain["effects.search_skill"]
    p = by_path([coaching(effects={"search_skill": 0.08})])[
        "interventions.taite.effects.search_skill"
    ]
    assert (p.low, p.high) == tuple(declared) and p.default == 0.08


def test_package_value_outside_the_range_falls_back_to_relative_range():
    spec = coaching(effects={"search_skill": 0.2})
    p = by_path([spec], relative_range=0.25)["interventions.taite.effects.search_skill"]
    assert p.low == pytest.approx(0.15) and p.high == pytest.approx(0.25)
    assert p.low < p.default < p.high


def test_range_follows_the_kind_not_the_name():
    # A custom-named IPS intervention gets the IPS entry's hiring-support range.
    entry = PackageIntervention.model_validate({"kind": "ips", "name": "job_coach"})
    spec = resolve_intervention(entry, [], load_catalogue(), "pkg.toml", None, 0)
    p = by_path([spec])["interventions.job_coach.hiring_support"]
    assert (p.low, p.high) == tuple(load_catalogue()["ips"].uncertain["hiring_support"])


def test_every_shipped_range_contains_its_default_and_lies_within_bounds():
    catalogue = load_catalogue()
    assert any(entry.uncertain for entry in catalogue.values())
    for kind, entry in catalogue.items():
        defaults = {"name": kind, "kind": kind, **entry.defaults.model_dump(exclude_unset=True)}
        spec = InterventionSpec.model_validate(defaults)
        for path, (low, high) in entry.uncertain.items():
            value = effect_value(spec, path)
            lo, hi = effect_bounds(path)
            assert lo <= low < value < high <= hi, (kind, path, low, value, high)


def write_catalogue(tmp_path: Path, kind: str, ranges: dict[str, Any]) -> Path:
    data = copy.deepcopy(shipped_data())
    data[kind]["uncertain"] = ranges
    path = tmp_path / "catalogue.toml"
    path.write_text(tomli_w.dumps(data))
    return path


@pytest.mark.parametrize(
    ("ranges", "fragments"),
    [
        (
            {"effects.search_skil": [0.03, 0.09]},
            ["unknown effect setting", "did you mean 'effects.search_skill'", "allowed paths"],
        ),
        ({"effects.search_skill": [0.09, 0.03]}, ["must have low < high"]),
        (
            {"effects.search_skill": [0.03, 0.9]},
            ["outside the setting's allowed bounds [-0.5, 0.5]"],
        ),
        ({"hiring_support": [0.5, 1.5]}, ["outside the setting's allowed bounds [0.0, 1.0]"]),
    ],
)
def test_bad_range_names_file_entry_and_path(tmp_path, ranges, fragments):
    path = write_catalogue(tmp_path, "job_search_coaching", ranges)
    with pytest.raises(ScenarioError) as info:
        validate_catalogue_file(path)
    message = str(info.value)
    (key,) = ranges
    for fragment in [str(path), f"job_search_coaching.uncertain.{key!r}", *fragments]:
        assert fragment in message, message


def test_range_must_be_a_pair_of_numbers(tmp_path):
    path = write_catalogue(tmp_path, "ips", {"hiring_support": [0.5]})
    with pytest.raises(ScenarioError, match=r"ips\.uncertain\.hiring_support"):
        validate_catalogue_file(path)
