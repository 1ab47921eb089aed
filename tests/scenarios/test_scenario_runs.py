"""Every shipped scenario validates and runs: each lab × package and each scenario file.

Runs go through ``synclusive compare`` itself (tiny: 1 replication, 1,500 persons, 12
months), so a shipped file that composes but cannot run, or that crashes the comparison, is
caught. A package whose partners or providers a lab lacks must be refused with a clear error.
The packages made for the other labs' target groups are also checked to help that group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cli import main
from experiments.comparison.study import run_comparison
from scenarios import load_lab, load_package, scenario_from_names
from scenarios.files import LAB_DIR, PACKAGE_DIR, STUDY_DIR, shipped

TINY = [
    "--persons",
    "1500",
    "--months",
    "12",
    "--replications",
    "1",
    "--no-ablation",
    "--set",
    "run.evaluation_months=3",
    "--no-report",
    "--quiet",
]
HEADLINE = ("employed", "employment_rate", "inflow", "cost")


def missing_providers(lab: str, package: str) -> set[str]:
    """Providers a package names (partners, interventions) that the lab does not have."""
    file = load_package(package).file
    named = set(file.partners) | {i.provider for i in file.interventions if i.provider}
    return named - {p.name for p in load_lab(lab).file.providers}


def assert_finite_effects(out, packages: list[str]) -> pd.DataFrame:
    results = pd.read_parquet(out / "results.parquet")
    effects = results[(results["analysis"] == "effect") & (results["group"] == "all")]
    for package in packages:
        rows = effects[(effects["package"] == package) & effects["metric"].isin(HEADLINE)]
        assert len(rows) == len(HEADLINE), package
        assert np.isfinite(rows["estimate"].to_numpy()).all(), rows
    return results


@pytest.mark.parametrize("package", shipped(PACKAGE_DIR))
@pytest.mark.parametrize("lab", shipped(LAB_DIR))
def test_shipped_package_runs_on_shipped_lab(lab, package, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", package, "--lab", lab, *TINY, "--out", str(out)])
    err = capsys.readouterr().err
    if missing_providers(lab, package):
        # Refused before anything runs, naming the package file and the lab's providers.
        assert code == 2, err
        assert str(PACKAGE_DIR / f"{package}.toml") in err and "the lab has no provider" in err
        assert "its providers are" in err and "Traceback" not in err
        assert not out.exists()
        return
    assert code == 0, err
    assert_finite_effects(out, [package])


@pytest.mark.parametrize("study", shipped(STUDY_DIR))
def test_shipped_scenario_runs(study, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", study, *TINY, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    packages = [p.stem if p.endswith(".toml") else p for p in _packages_of(study)]
    results = assert_finite_effects(out, packages)
    if len(packages) > 1:
        assert (results["analysis"] == "contrast").any()


def _packages_of(study: str) -> list[str]:
    import tomllib

    return tomllib.loads((STUDY_DIR / f"{study}.toml").read_text())["scenario"]["packages"]


def test_every_lab_has_a_package_for_its_target_groups():
    for lab in shipped(LAB_DIR):
        groups = set(load_lab(lab).file.lab.target_groups)
        made_for = [p for p in shipped(PACKAGE_DIR) if load_package(p).file.package.lab == lab]
        assert made_for, f"no package for lab {lab}"
        targeted = {
            g
            for p in made_for
            for s in scenario_from_names(p).arms[0].params.interventions
            for g in s.eligibility.groups
        }
        assert groups & targeted, (lab, groups, targeted)


@pytest.mark.parametrize(
    ("package", "group"),
    [
        ("portugal_youth", "young"),
        ("bulgaria_women55", "women_55plus"),
        ("netherlands_engine", "migrant"),
    ],
)
def test_lab_package_raises_employment_of_its_target_group(package, group):
    # 10,000 working-age persons and 12 replications: in a smaller lab the few unemployed of
    # a group like women over 55 (most of them are out of the labour force, and a steady-state
    # population has fewer people over 55 than a drawn ageing one) leave the effect inside the
    # noise.
    scenario = scenario_from_names(
        package,
        overrides=[
            "run.persons=10000",
            "run.months=36",
            "run.replications=12",
            "run.evaluation_months=12",
            "run.ablation=false",
        ],
    )
    c = run_comparison(scenario, progress=False)
    for metric in ("employed", "employment_years"):
        row = c.effects("effect", package=package, metric=metric, group=group).iloc[0]
        assert row["ci_low"] > 0, row
