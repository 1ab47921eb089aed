"""Scenario files: schema, shipped files, composition, overrides and every bad-input case."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import tomli_w
from helpers import lab_text

from cli import main
from scenarios import ScenarioError, compose, load_lab, load_package, load_scenario
from scenarios.catalogue import KINDS, load_catalogue, parse_catalogue
from scenarios.compose import Package, scenario_from_names
from scenarios.export import KINDS as SCHEMA_KINDS
from scenarios.export import json_schema
from scenarios.files import LAB_DIR, PACKAGE_DIR, STUDY_DIR, shipped
from scenarios.locate import locate
from scenarios.schema import LabFile, PackageFile, ScenarioFile
from simulator.params import ModelParams

SMALL = ["run.persons=2000", "run.months=24", "run.replications=1", "run.evaluation_months=6"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ------------------------------------------------------------------ schema round trips
@pytest.mark.parametrize(
    ("model", "directory"),
    [(LabFile, LAB_DIR), (PackageFile, PACKAGE_DIR), (ScenarioFile, STUDY_DIR)],
)
def test_shipped_files_round_trip_through_toml(model, directory):
    for path in directory.glob("*.toml"):
        parsed = model.model_validate(tomllib.loads(path.read_text()), strict=True)
        dumped = parsed.model_dump(mode="json", exclude_none=True)
        again = model.model_validate(tomllib.loads(tomli_w.dumps(dumped)), strict=True)
        assert again == parsed, path.name


def test_shipped_json_schemas_are_current():
    for kind in SCHEMA_KINDS:
        shipped_schema = json.loads((LAB_DIR.parent / "schema" / f"{kind}.schema.json").read_text())
        assert shipped_schema == json_schema(kind), f"regenerate {kind}.schema.json"


def test_json_schema_rejects_unknown_keys():
    schema = json_schema("lab")
    assert schema["additionalProperties"] is False
    assert "lab" in schema["required"]


def test_catalogue_has_every_type_with_evidence():
    catalogue = load_catalogue()
    assert set(catalogue) == set(KINDS)
    for kind, entry in catalogue.items():
        assert entry.evidence, kind
        assert entry.defaults.target is not None, kind


# ------------------------------------------------------------------ shipped scenarios
@pytest.mark.parametrize("lab", shipped(LAB_DIR))
@pytest.mark.parametrize("package", shipped(PACKAGE_DIR))
def test_every_package_composes_on_every_lab(lab, package):
    file = load_package(package).file
    partners = set(file.partners) | {i.provider for i in file.interventions if i.provider}
    providers = {p.name for p in load_lab(lab).file.providers}
    if not partners <= providers:
        # A package's partners and named providers are those of the lab it was made for.
        expect_error(lambda: scenario_from_names(package, lab=lab), "the lab has no provider")
        return
    scenario = scenario_from_names(package, lab=lab, overrides=SMALL)
    arm = scenario.arms[0]
    assert arm.params.interventions
    assert scenario.baseline.interventions == []
    names = [p.name for p in scenario.baseline.providers]
    assert all(s.provider is None or s.provider in names for s in arm.params.interventions)


def test_labs_are_four_and_say_what_is_assumed():
    assert {"kokkola", "netherlands", "portugal", "bulgaria"} <= set(shipped(LAB_DIR))
    for name in shipped(LAB_DIR):
        lab = load_lab(name)
        assert lab.file.lab.assumptions and "assumption" in lab.text


def test_kokkola_reflects_the_source_figures():
    lab = load_lab("kokkola")
    assert "48,000" in lab.file.lab.description and "650" in lab.file.lab.description
    sectors = [s.name for s in lab.file.population.sectors]
    assert "chemical_industry" in sectors and "port_logistics" in sectors
    assert "long_term_unemployed" in lab.file.lab.target_groups


def test_package_overrides_catalogue_defaults_and_keeps_the_rest():
    scenario = scenario_from_names("kokkola_engine", overrides=SMALL)
    spec = {s.name: s for s in scenario.arms[0].params.interventions}["taite_coaching"]
    default = load_catalogue()["job_search_coaching"].defaults
    assert spec.capacity == 12
    assert spec.effects.search_skill == default.effects.search_skill
    assert spec.peer_group is True
    assert spec.provider == "third_sector"  # the lab's first provider of the catalogue's kind


def test_package_coalition_setup_changes_only_the_policy_arm():
    scenario = scenario_from_names("kokkola_engine", overrides=SMALL)
    assert scenario.arms[0].params.coalition.employer_share == pytest.approx(0.1)
    assert scenario.baseline.coalition.employer_share == 0.0
    joins = {p.name: p.joins_month for p in scenario.arms[0].params.providers}
    assert joins["business_services"] == 3


def test_overrides_apply_to_both_arms_except_the_package_own():
    scenario = scenario_from_names(
        "kokkola_engine",
        overrides=[
            *SMALL,
            "demand.quit_rate=0.004",
            "interventions.taite_coaching.capacity=30",
            "coalition.employer_share=0.2",
        ],
    )
    arm = scenario.arms[0].params
    assert scenario.baseline.demand.quit_rate == arm.demand.quit_rate == 0.004
    assert {s.name: s.capacity for s in arm.interventions}["taite_coaching"] == 30
    assert arm.coalition.employer_share == 0.2
    assert scenario.baseline.coalition.employer_share == 0.0


def test_scenario_file_with_run_settings_and_set_table(tmp_path):
    path = write(
        tmp_path,
        "s.toml",
        """
[scenario]
name = "mine"
lab = "kokkola"
packages = ["inflow_only"]
[run]
months = 24
replications = 2
persons = 2000
evaluation_months = 6
[set]
"demand.quit_rate" = 0.005
""",
    )
    scenario = load_scenario(path)
    assert scenario.run.replications == 2 and scenario.baseline.months == 24
    assert scenario.baseline.demand.quit_rate == 0.005
    assert scenario.baseline.population.n_persons == 2000


def test_every_shipped_scenario_loads():
    for name in shipped(STUDY_DIR):
        scenario = load_scenario(name, SMALL)
        assert scenario.arms


# ------------------------------------------------------------------ bad input


def package_text(interventions: str = "", lab: str = "kokkola") -> str:
    """A package file for ``lab``; ``interventions`` (TOML) starts on line 7."""
    return f"""[package]
name = "p"
title = "P"
lab = "{lab}"
engine = "inflow"

{interventions}"""


def expect_error(fn, *fragments):
    with pytest.raises(ScenarioError) as info:
        fn()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_misspelt_key_names_file_line_and_allowed_keys(tmp_path):
    path = write(tmp_path, "lab.toml", lab_text(population="n_person = 2000"))
    msg = expect_error(
        lambda: load_lab(str(path)),
        f"{path}:8",
        "population.n_person",
        "did you mean 'n_persons'",
        "allowed keys here",
    )
    assert "share_female" in msg


def test_out_of_range_value_names_the_allowed_range(tmp_path):
    path = write(tmp_path, "lab.toml", lab_text(population="initial_unemployment_rate = 0.9"))
    expect_error(
        lambda: load_lab(str(path)),
        f"{path}:8",
        "population.initial_unemployment_rate",
        "allowed range [0.0, 0.6]",
    )


def test_wrong_type_is_not_coerced(tmp_path):
    path = write(tmp_path, "lab.toml", lab_text(population='n_persons = "2000"'))
    expect_error(lambda: load_lab(str(path)), f"{path}:8", "population.n_persons", "valid integer")


def test_lab_spin_up_sets_the_runs_spin_up_and_a_bad_one_is_refused(tmp_path):
    """``[spin_up] months`` is the lab's spin_up_months in every run composed on it (both arms);
    without it the model's default holds; out of range names the file, line, field and range."""
    path = write(tmp_path, "lab.toml", lab_text('[spin_up]\nmonths = 144\nreason = "measured"\n'))
    scenario = scenario_from_names("inflow_only", lab=str(path), overrides=SMALL)
    assert scenario.baseline.spin_up_months == 144
    assert {arm.params.spin_up_months for arm in scenario.arms} == {144}
    plain = scenario_from_names("inflow_only", lab=str(write(tmp_path, "p.toml", lab_text())))
    assert plain.baseline.spin_up_months == ModelParams().spin_up_months
    bad = write(tmp_path, "bad.toml", lab_text("[spin_up]\nmonths = -5\n"))
    expect_error(
        lambda: load_lab(str(bad)), f"{bad}:10", "spin_up.months", "allowed range [0, 1200]"
    )


def test_unknown_intervention_lists_the_catalogue(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        package_text("""[[interventions]]
kind = "job_search_coachng"
"""),
    )
    expect_error(
        lambda: load_package(str(path)),
        f"{path}:8",
        "interventions.0.kind",
        "job_search_coaching",
        "ips",
    )


def test_out_of_range_intervention_setting_points_at_the_package(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        package_text("""[[interventions]]
kind = "ips"

[[interventions]]
kind = "job_search_coaching"
capacity = -3
"""),
    )
    expect_error(
        lambda: load_package(str(path)),
        f"{path}:12",
        "interventions.1.capacity",
        "greater than or equal to 0",
    )


def test_package_referring_to_a_missing_lab(tmp_path):
    path = write(tmp_path, "p.toml", package_text(lab="atlantis"))
    expect_error(
        lambda: scenario_from_names(str(path)),
        f"{path}:4",
        "package.lab",
        "no lab 'atlantis'",
        "kokkola",
    )


def test_scenario_referring_to_a_missing_package(tmp_path):
    path = write(
        tmp_path,
        "s.toml",
        """[scenario]
name = "s"
lab = "kokkola"
packages = ["kokkola_engin"]
""",
    )
    expect_error(lambda: load_scenario(path), f"{path}:4", "did you mean 'kokkola_engine'")


def test_unknown_provider_in_package(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        package_text("""[[interventions]]
kind = "ips"
provider = "nobody"
"""),
    )
    expect_error(
        lambda: scenario_from_names(str(path)),
        f"{path}:9",
        "no provider 'nobody'",
        "employment_services",
    )


def test_duplicate_intervention_names(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        package_text("""[[interventions]]
kind = "ips"

[[interventions]]
kind = "ips"
"""),
    )
    expect_error(lambda: scenario_from_names(str(path)), "already used")


def test_invalid_toml_names_the_line(tmp_path):
    path = write(tmp_path, "lab.toml", "[lab]\nname = \n")
    expect_error(lambda: load_lab(str(path)), str(path), "not valid TOML", "line 2")


def test_bad_override_path_and_value():
    expect_error(
        lambda: scenario_from_names("kokkola_engine", overrides=["demand.quitrate=1"]),
        "--set demand.quitrate",
        "did you mean 'quit_rate'",
    )
    expect_error(
        lambda: scenario_from_names("kokkola_engine", overrides=["demand.quit_rate=5"]),
        "demand.quit_rate",
        "allowed range",
    )
    expect_error(
        lambda: scenario_from_names("kokkola_engine", overrides=["interventions.nope.capacity=3"]),
        "no item 'nope'",
        "taite_coaching",
    )
    expect_error(
        lambda: scenario_from_names("kokkola_engine", overrides=["run.months=2"]), "run.months"
    )


def test_barrier_must_name_a_model_parameter(tmp_path):
    extra = """
[[lab.barriers]]
name = "x"
applies_to = "employers"
parameters = ["matching.bias_meen"]
"""
    path = tmp_path / "lab.toml"
    path.write_text(lab_text().replace("[population]", extra + "\n[population]"))
    expect_error(
        lambda: compose(load_lab(str(path)), []), "matching.bias_meen", "not a model parameter"
    )


def test_catalogue_must_cover_every_type():
    expect_error(lambda: parse_catalogue({"ips": {}}, "cat.toml"), "missing intervention types")


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "no_such_package"],
        ["compare", "kokkola_engine", "--lab", "atlantis"],
        ["compare", "inflow_only", "--set", "demand.quit_rate=9"],
        ["compare", "inflow_only", "--set", "interventions.iisirekry.capacit=3"],
    ],
)
def test_cli_exits_with_2_and_writes_nothing(argv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out), "--quiet"]) == 2
    assert "synclusive:" in capsys.readouterr().err
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_locate_finds_keys_in_arrays_of_tables():
    text = (PACKAGE_DIR / "kokkola_engine.toml").read_text()
    line = locate(text, ("interventions", 1, "capacity"))
    assert text.splitlines()[line - 1].strip().startswith("capacity = 25")
    assert locate(text, ("partners", "business_services", "joins_month")) is not None


def test_empty_package_gives_baseline_parameters():
    lab = load_lab("kokkola")
    empty = Package(
        PackageFile.model_validate({"package": {"name": "empty", "title": "E", "engine": "none"}}),
        None,
        None,
    )
    scenario = compose(lab, [empty], overrides=SMALL)
    assert scenario.arms[0].params == scenario.baseline
    assert isinstance(scenario.baseline, ModelParams)


def test_adaptation_leaves_switched_off_interventions_off():
    from scenarios.adaptation import Adaptation
    from scenarios.compose import scenario_from_names
    from simulator.model import LabourMarketModel

    scenario = scenario_from_names(
        "kokkola_engine",
        overrides=["run.persons=1500", "run.months=24", "interventions.taite_coaching.capacity=0"],
    )
    arm = scenario.arms[0]
    assert arm.adaptation is not None and arm.adaptation.enabled
    model = LabourMarketModel(arm.params, rng=3)
    adaptation = Adaptation(arm.adaptation)
    model.month_hooks.append(adaptation)
    model.run()
    assert adaptation.log, "the rule did review the package"
    assert model.capacity("taite_coaching") == 0
    starts = model.results().interventions
    assert starts.loc[starts["intervention"] == "taite_coaching", "starts"].sum() == 0


def test_adaptation_keeps_each_provider_within_its_capacity():
    # Career guidance and employer services share one provider: the rule once grew career
    # guidance (enrolled first) past the provider's places, leaving employer services none.
    from scenarios.adaptation import Adaptation
    from scenarios.compose import scenario_from_names
    from simulator.model import LabourMarketModel

    scenario = scenario_from_names(
        "kokkola_engine", overrides=["run.persons=3000", "run.months=48"]
    )
    arm = scenario.arms[0]
    model = LabourMarketModel(arm.params, rng=3)
    adaptation = Adaptation(arm.adaptation)
    seen = []
    model.month_hooks += [adaptation, lambda m, t: seen.append(_provider_load(m))]
    model.run()
    assert adaptation.log, "the rule did review the package"
    caps = {p.name: p.capacity for p in arm.params.providers}
    start = seen[0]
    for load in seen:
        for provider, places in load.items():
            assert places <= max(caps[provider], start[provider]), (provider, places)


def _provider_load(model) -> dict[str, int]:
    load: dict[str, int] = {}
    for spec in model.params.interventions:
        if spec.provider:
            load[spec.provider] = load.get(spec.provider, 0) + model.capacity(spec.name)
    return load


def test_fit_providers_trims_increases_and_returns_the_budget():
    import numpy as np

    from scenarios.adaptation import fit_providers

    capacity = np.array([10.0, 4.0, 8.0])
    target = np.array([16, 4, 5])  # the first grows by 6; the third gave 3 places
    providers = ["shared", "shared", None]
    cost = np.array([100.0, 100.0, 200.0])
    freed = np.array([0.0, 0.0, 600.0])
    out = fit_providers(target, capacity, providers, {"shared": 2.0}, freed, cost)
    assert out[0] == 12 and out[1] == 4  # only the provider's 2 spare places are added
    # The 4 places (400 EUR) that could not be placed go back to where they came from.
    assert out[2] == 7
    room = {"shared": 10.0}
    np.testing.assert_array_equal(
        fit_providers(target, capacity, providers, room, freed, cost), target
    )
