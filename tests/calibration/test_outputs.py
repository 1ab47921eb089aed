"""Calibration outputs: the calibrated scenario runs directly; hidden panel cells stay hidden.

The fits here are deliberately tiny (a few hundred persons, one generation): they check what
is written, not how well it fits.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calibration import calibrate, config_from_dict
from calibration.errors import CalibrationError
from calibration.fit import prepare
from calibration.make_synthetic import base_params
from calibration.moments import suppress_cells
from cli import main
from scenarios import compose, load_lab, load_package, load_scenario

TINY_FIT = {
    "seed": 2,
    "replications": 1,
    "popsize": 3,
    "maxiter": 0,
    "bootstrap": 20,
    "se_replications": 2,
}


def monitoring(folder, months: int = 12) -> None:
    """A year of hand-made monitoring data."""
    rows = ["month,indicator,value"]
    for m in range(1, months + 1):
        rows += [
            f"{m},labour_force,1000",
            f"{m},unemployment_rate,{0.08 + 0.001 * (m % 3)}",
            f"{m},job_finding_rate,{0.15 + 0.002 * (m % 4)}",
            f"{m},job_loss_rate,{0.012 + 0.001 * (m % 2)}",
        ]
    (folder / "aggregate.csv").write_text("\n".join(rows) + "\n")


def fit(folder, model: dict, parameters: list[dict]):
    folder.mkdir(parents=True, exist_ok=True)
    monitoring(folder)
    config = config_from_dict(
        {
            "data": {"aggregate": "aggregate.csv", "label": "test monitoring data"},
            "model": {"persons": 300, **model},
            "parameters": parameters,
            "fit": TINY_FIT,
        },
        root=folder,
        source=str(folder / "calibration.toml"),
    )
    out = folder / "out"
    return calibrate(config, out, allow_unidentified=True), out


# a 12-month comparison of 200 persons leaves some breakdowns empty; that is not the point here
@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
def test_scenario_base_writes_a_scenario_that_runs(tmp_path):
    # The quit rate has no bounds: they come from its uncertainty range. The intervention is
    # named by index here and must be written by name.
    result, out = fit(
        tmp_path,
        {"base": "kokkola_engine"},
        [
            {"path": "demand.quit_rate"},
            {"path": "interventions.0.extra_applications", "lower": 0.0, "upper": 4.0},
        ],
    )
    assert list(result.problem.space.lower) == [0.002, 0.0]
    quit_rate, extra = result.search.x
    path = out / "calibrated_scenario.toml"
    text = path.read_text()
    file = tomllib.loads(text)
    assert file["scenario"]["lab"] == "kokkola"
    assert file["scenario"]["packages"] == ["kokkola_engine"]
    assert file["scenario"]["name"] == "kokkola_engine_calibrated"
    assert set(file["set"]) == {
        "demand.quit_rate",
        "interventions.taite_coaching.extra_applications",
    }
    assert "interventions.0" not in text
    # The header says it was calibrated, from which data, with the estimates ± SE.
    head = text.split("[scenario]")[0]
    assert "Calibrated scenario" in head and "test monitoring data" in head
    assert str((tmp_path / "aggregate.csv").resolve()) in head
    se = result.uncertainty.se[0]
    assert f"demand.quit_rate = {quit_rate:.4g} ± {'n/a' if np.isnan(se) else f'{se:.4g}'}" in head

    scenario = load_scenario(path)
    assert scenario.baseline.demand.quit_rate == quit_rate
    (arm,) = scenario.arms
    assert arm.params.demand.quit_rate == quit_rate
    coaching = {iv.name: iv for iv in arm.params.interventions}["taite_coaching"]
    assert coaching.extra_applications == extra
    # ... and everything else is the scenario's.
    original = load_scenario("kokkola_engine")
    assert arm.params.population.n_persons == original.arms[0].params.population.n_persons
    assert json.loads((out / "calibration.json").read_text())["calibrated_file"] == path.name

    # `synclusive compare` runs it directly.
    code = main(
        [
            "compare",
            str(path),
            "--replications",
            "1",
            "--months",
            "12",
            "--persons",
            "200",
            "--no-ablation",
            "--no-report",
            "--quiet",
            "--out",
            str(tmp_path / "compare"),
        ]
    )
    assert code == 0
    meta = json.loads((tmp_path / "compare" / "comparison.json").read_text())
    assert "kokkola_engine_calibrated" in json.dumps(meta)


def test_lab_base_writes_a_lab_or_a_scenario(tmp_path):
    # A lab with the package that ran while the data were collected: a scenario of the two.
    result, out = fit(
        tmp_path / "with_package",
        {"base": "kokkola", "package": "inflow_only"},
        [{"path": "interventions.iisirekry.capacity", "lower": 10, "upper": 40}],
    )
    capacity = round(result.search.x[0])
    scenario = load_scenario(out / "calibrated_scenario.toml")
    assert [a.name for a in scenario.arms] == ["inflow_only"]
    ivs = {iv.name: iv for iv in scenario.arms[0].params.interventions}
    assert ivs["iisirekry"].capacity == capacity

    # A lab alone: a scenario file needs a package, so the calibrated lab is a lab file,
    # which any package runs on (synclusive compare PACKAGE --lab FILE).
    result, out = fit(
        tmp_path / "lab_only",
        {"base": "kokkola"},
        [
            {"path": "demand.quit_rate", "lower": 0.002, "upper": 0.008},
            {"path": "providers.1.capacity", "lower": 20, "upper": 60},
        ],
    )
    assert not (out / "calibrated_scenario.toml").exists()
    lab = load_lab(out / "calibrated_lab.toml")
    assert lab.name == "kokkola_calibrated"
    composed = compose(lab, [load_package("inflow_only")])
    for params in (composed.baseline, composed.arms[0].params):
        assert params.demand.quit_rate == result.search.x[0]
        assert params.providers[1].capacity == round(result.search.x[1])
        assert params.population.n_persons == 28000  # the lab's own size, not the fit's
    assert "vocational_education" in (out / "calibrated_lab.toml").read_text()


def test_base_errors_are_clear(tmp_path):
    monitoring(tmp_path)

    def settings(model):
        return config_from_dict(
            {
                "data": {"aggregate": "aggregate.csv"},
                "model": model,
                "parameters": [{"path": "demand.quit_rate"}],
            },
            root=tmp_path,
            source="cal.toml",
        )

    with pytest.raises(CalibrationError, match=r"compares packages .*model\.package"):
        prepare(settings({"base": "engine_claim"}))
    with pytest.raises(CalibrationError, match=r"no shipped lab or scenario; shipped labs: "):
        prepare(settings({"base": "kokola"}))
    with pytest.raises(CalibrationError, match=r"model\.package needs model\.base"):
        prepare(settings({"package": "inflow_only"}))
    package_file = str(Path(__file__).parents[2] / "scenarios" / "packages" / "inflow_only.toml")
    with pytest.raises(CalibrationError, match=r"is a package file; give the lab"):
        prepare(settings({"base": package_file}))
    (tmp_path / "odd.toml").write_text("[run]\nmonths = 12\n")
    with pytest.raises(CalibrationError, match=r"cannot tell what kind of file this is"):
        prepare(settings({"base": "odd.toml"}))


# ---------------------------------------------------------------- small-cell suppression
def test_complementary_suppression_rule():
    hidden = suppress_cells({"all": 13, "young": 12, "migrant": 1}, 10)
    assert set(hidden) == {"migrant", "young"}
    hidden = suppress_cells({"all": 40, "young": 12, "migrant": 1, "other": 27}, 10)
    assert set(hidden) == {"migrant", "young"}
    hidden = suppress_cells({"all": 30, "a": 3, "b": 4, "c": 23}, 10)
    assert set(hidden) == {"a", "b", "c"}
    assert suppress_cells({"all": 25, "a": 12, "b": 13}, 10) == {}
    assert set(suppress_cells({"all": 14, "a": 7, "b": 7}, 10)) == {"a", "b"}
    assert set(suppress_cells({"all": 6, "a": 6}, 10)) == {"all", "a"}


def test_min_cell_has_a_floor():
    with pytest.raises(CalibrationError, match=r"moments\.min_cell.*greater than or equal to 5"):
        config_from_dict(
            {"data": {"panel": "p.csv"}, "parameters": [{"path": "x"}], "moments": {"min_cell": 3}}
        )


def test_a_suppressed_cell_cannot_be_worked_out_from_the_outputs(tmp_path):
    """12 young participants and 1 migrant: the migrant's outcome must not follow from
    (13 · mean of all − 12 · mean of the young) / 1 in anything written."""
    rng = np.random.default_rng(4)
    employed = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1]
    panel = pd.DataFrame(
        {
            "participant_id": [f"P{i:03d}" for i in range(13)],
            "group": ["young"] * 12 + ["migrant"],
            "intervention": "coaching",
            "start_month": rng.integers(1, 7, 13),
            "employed_3m": [*employed, 1],
        }
    )
    panel.to_csv(tmp_path / "panel.csv", index=False)
    monitoring(tmp_path)
    base = base_params(600, 12)
    (tmp_path / "base.json").write_text(json.dumps(base.model_dump(mode="json")))
    config = config_from_dict(
        {
            "data": {"aggregate": "aggregate.csv", "panel": "panel.csv"},
            "model": {"base": "base.json", "months": 12},
            "parameters": [{"path": "demand.quit_rate"}],
            "moments": {"min_cell": 10},
            "fit": TINY_FIT,
        },
        root=tmp_path,
    )
    out = tmp_path / "out"
    result = calibrate(config, out, allow_unidentified=True)

    # the fit uses the same cells as the outputs: only the cell of all 13 participants
    panel_specs = [s for s in result.problem.specs if s.source == "panel"]
    assert [(s.group, s.indicator) for s in panel_specs] == [("all", "employed_3m")]
    hidden = {c.spec.group: c.reason for c in result.problem.suppressed}
    assert set(hidden) == {"migrant", "young"}

    for table in (
        pd.read_csv(out / "tables" / "moments.csv"),
        pd.read_parquet(out / "tables" / "moments.parquet"),
    ):
        cells = table[table["source"] == "panel"]
        assert set(cells["group"]) == {"all"}, (
            "a group cell next to the all cell gives away the rest"
        )
        # no exact count where a cell of the same outcome is hidden
        assert cells["participants"].isna().all()
    report = (out / "fit_report.html").read_text()
    shown, listed = report.split("<h2>Suppressed panel cells</h2>")
    assert "panel | employed_3m | young" not in shown
    assert "panel | employed_3m | young" in listed  # by name only
