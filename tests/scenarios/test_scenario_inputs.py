"""Scenario input through the command line: what ``compare`` runs, and where bad input points.

Covers the positional argument's default, files recognised by their top-level table, ``[set]``
errors that name the scenario file's line, and sector shares that must sum to 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import lab_text

from cli import main, make_parser
from experiments.comparison.commands import _scenario_from_args
from scenarios import ScenarioError, load_lab, load_scenario, scenario_from_names
from scenarios.files import LAB_DIR, shipped

SMALL = ["run.persons=2000", "run.months=24", "run.replications=1", "run.evaluation_months=6"]

PACKAGE_MISSING_LAB = """[package]
name = "p"
title = "P"
lab = "atlantis"
engine = "inflow"
"""

PACKAGE_ON_KOKKOLA = """[package]
name = "my_package"
title = "Mine"
lab = "kokkola"
engine = "inflow"

[[interventions]]
kind = "job_search_coaching"
"""

SCENARIO = """[scenario]
name = "mine"
lab = "kokkola"
packages = ["inflow_only"]

[run]
months = 24

[set]
"matching.bias_mean" = 0.05
"demand.quit_rate" = 2.0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def arms(*argv: str) -> list[str]:
    """The package arms ``synclusive compare ARGV`` would run (nothing is run)."""
    args = make_parser().parse_args(["compare", *argv])
    return [arm.name for arm in _scenario_from_args(args).arms]


def run_cli(argv: list[str], out: Path, capsys) -> tuple[int, str]:
    code = main([*argv, "--out", str(out), "--quiet"])
    return code, capsys.readouterr().err


# ------------------------------------------------------------------ what compare runs
def test_compare_without_arguments_runs_the_built_in_default():
    assert arms() == ["kokkola_engine"]


def test_package_option_alone_adds_no_default_package():
    assert arms("--package", "inflow_only") == ["inflow_only"]
    assert arms("--package", "inflow_only", "--package", "mobility_only") == [
        "inflow_only",
        "mobility_only",
    ]


def test_package_option_with_a_missing_lab_is_rejected(tmp_path, capsys):
    path = write(tmp_path, "p.toml", PACKAGE_MISSING_LAB)
    out = tmp_path / "out"
    code, err = run_cli(["compare", "--package", str(path)], out, capsys)
    assert code == 2
    assert f"{path}:4: package.lab: no lab 'atlantis'" in err
    assert not out.exists()


def test_package_file_as_the_positional_argument(tmp_path, capsys):
    good = write(tmp_path, "my_package.toml", PACKAGE_ON_KOKKOLA)
    assert arms(str(good)) == ["my_package"]
    assert arms(str(good), "--package", "mobility_only") == ["my_package", "mobility_only"]
    missing = write(tmp_path, "p.toml", PACKAGE_MISSING_LAB)
    out = tmp_path / "out"
    code, err = run_cli(["compare", str(missing)], out, capsys)
    assert code == 2
    assert f"{missing}:4: package.lab: no lab 'atlantis'" in err
    assert "unknown key" not in err
    assert not out.exists()


def test_lab_as_the_positional_argument_needs_a_package(tmp_path, capsys):
    assert arms("portugal", "--package", "portugal_youth") == ["portugal_youth"]
    assert arms(str(LAB_DIR / "portugal.toml"), "--package", "portugal_youth") == ["portugal_youth"]
    code, err = run_cli(["compare", "portugal"], tmp_path / "out", capsys)
    assert code == 2
    assert "--package" in err and "portugal_youth" in err


def test_scenario_file_cannot_take_further_packages(tmp_path, capsys):
    path = write(tmp_path, "s.toml", SCENARIO.replace('"demand.quit_rate" = 2.0\n', ""))
    assert arms(str(path)) == ["inflow_only"]
    code, err = run_cli(["compare", str(path), "--package", "full"], tmp_path / "out", capsys)
    assert code == 2
    assert "a scenario names its own lab and packages" in err


def test_file_of_the_wrong_kind_says_what_it_is(tmp_path, capsys):
    path = write(tmp_path, "s.toml", SCENARIO)
    code, err = run_cli(["compare", "--package", str(path)], tmp_path / "out", capsys)
    assert code == 2
    assert f"{path}: this is a scenario file" in err and "not a package file" in err
    odd = write(tmp_path, "odd.toml", "[something]\nx = 1\n")
    code, err = run_cli(["compare", str(odd)], tmp_path / "out", capsys)
    assert code == 2
    assert f"{odd}: cannot tell what kind of file" in err and "[package]" in err


def test_unknown_name_lists_scenarios_packages_and_labs(tmp_path, capsys):
    code, err = run_cli(["compare", "kokkola_engin"], tmp_path / "out", capsys)
    assert code == 2
    assert "did you mean 'kokkola_engine'" in err and "labs:" in err


# ------------------------------------------------------------------ [set] errors
def test_bad_set_value_names_the_scenario_file_and_line(tmp_path):
    path = write(tmp_path, "s.toml", SCENARIO)
    for overrides in ([], ["matching.bias_mean=0.04"]):
        with pytest.raises(ScenarioError) as info:
            load_scenario(path, overrides)
        message = str(info.value)
        assert f"{path}:11: [set] demand.quit_rate=2.0: demand.quit_rate:" in message, message
        assert "allowed range [0.0, 0.2]" in message


def test_bad_set_path_names_the_scenario_file_and_line(tmp_path):
    path = write(tmp_path, "s.toml", SCENARIO.replace("demand.quit_rate", "demand.quitrate"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert f"{path}:11: [set] demand.quitrate" in str(info.value)
    assert "did you mean 'quit_rate'" in str(info.value)


def test_bad_command_line_value_still_names_the_option():
    with pytest.raises(ScenarioError) as info:
        scenario_from_names("inflow_only", overrides=["population.partial_work_ability_min=0.9"])
    assert "--set population.partial_work_ability_min=0.9: population:" in str(info.value)


# ------------------------------------------------------------------ sector shares
def lab_with_sectors(shares: list[float]) -> str:
    sectors = "".join(
        f'\n[[population.sectors]]\nname = "s{i}"\nemployment_share = {share}\n'
        for i, share in enumerate(shares)
    )
    return lab_text(extra=sectors)


def test_sector_shares_must_sum_to_one(tmp_path):
    path = write(tmp_path, "lab.toml", lab_with_sectors([0.5, 0.3, 0.1]))
    with pytest.raises(ScenarioError) as info:
        load_lab(str(path))
    message = str(info.value)
    assert f"{path}:10: population.sectors" in message, message
    assert "sum to 0.900" in message and "s0 0.5" in message and "within 0.01" in message


def test_sector_shares_within_rounding_are_accepted(tmp_path):
    path = write(tmp_path, "lab.toml", lab_with_sectors([0.333, 0.333, 0.333]))
    assert len(load_lab(str(path)).file.population.sectors) == 3


def test_sector_share_override_is_checked():
    with pytest.raises(ScenarioError) as info:
        scenario_from_names(
            "inflow_only", overrides=[*SMALL, "population.sectors.0.employment_share=0.5"]
        )
    message = str(info.value)
    assert "--set population.sectors.0.employment_share=0.5: population.sectors" in message
    assert "sum to 1.360" in message


@pytest.mark.parametrize("lab", shipped(LAB_DIR))
def test_shipped_labs_sector_shares_sum_to_one(lab):
    sectors = scenario_from_names(None, lab=lab, overrides=SMALL).baseline.population.sectors
    assert sum(s.employment_share for s in sectors) == pytest.approx(1.0, abs=0.01)
