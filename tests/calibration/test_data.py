"""Calibration inputs: malformed data get clear errors; data and simulations give the same
moments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calibration import catalogue as cat
from calibration import config_from_dict
from calibration.errors import CalibrationError, DataError
from calibration.fit import prepare
from calibration.formats import load_aggregate, load_panel, load_public
from calibration.make_synthetic import aggregate_table, base_params, panel_table
from calibration.moments import ObservedData, build_moments, observed_moments, simulated_moments
from calibration.simulate import simulate
from cli import main

AGG = (
    "month,period_months,indicator,group,intervention,value\n"
    "1,1,labour_force,all,,1000\n"
    "1,1,unemployment_rate,all,,0.08\n"
    "1,3,separations,all,,25\n"
    "1,3,intervention_starts,all,coaching,12\n"
)
PANEL = (
    "participant_id,group,intervention,start_month,employed_3m,self_efficacy_baseline,"
    "self_efficacy_6m\n"
    "A1,young,coaching,2,1,0.5,0.6\n"
    "A2,other,coaching,3,,0.4,\n"
)
PUBLIC = "statistic,group,month_from,month_to,value,se\nunemployment_rate,all,1,12,0.08,0.005\n"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_files_load(tmp_path):
    agg = load_aggregate(write(tmp_path, "a.csv", AGG))
    assert agg["value"].tolist() == [1000, 0.08, 25, 12]
    panel = load_panel(write(tmp_path, "p.csv", PANEL))
    assert "participant_id" not in panel.columns
    assert panel["self_efficacy_change_6m"].iloc[0] == pytest.approx(0.1)
    assert np.isnan(panel["employed_3m"].iloc[1])
    assert load_public(write(tmp_path, "s.csv", PUBLIC))["se"].iloc[0] == 0.005


@pytest.mark.parametrize(
    ("loader", "text", "expected"),
    [
        (load_aggregate, AGG.replace("indicator,", ""), ["missing column 'indicator'"]),
        (load_aggregate, AGG.replace(",0.08", ",abc"), ["column 'value', line 3", "not a number"]),
        (
            load_aggregate,
            AGG.replace("1,1,unemployment_rate", "x,1,unemployment_rate"),
            ["column 'month', line 3", "not a number"],
        ),
        (load_aggregate, AGG.replace(",0.08", ",1.4"), ["line 3", "impossible", "[0, 1]"]),
        (load_aggregate, AGG.replace(",25", ",-25"), ["line 4", "negative"]),
        (
            load_aggregate,
            AGG.replace("unemployment_rate", "unemplyment"),
            ["column 'indicator', line 3", "'unemplyment' is not allowed", "one of"],
        ),
        (
            load_aggregate,
            AGG.replace("1,1,unemployment_rate,all", "0,1,unemployment_rate,all"),
            ["column 'month', line 3", "below 1"],
        ),
        (load_aggregate, AGG + "1,1,unemployment_rate,all,,0.07\n", ["line 6", "repeats"]),
        (
            load_aggregate,
            AGG.replace("1,1,unemployment_rate,all,,", "1,1,vacancy_rate,young,,"),
            ["column 'group', line 3", "whole lab only"],
        ),
        (load_panel, PANEL.replace("start_month,", ""), ["missing column 'start_month'"]),
        (
            load_panel,
            PANEL.replace("young,coaching,2,1", "young,coaching,2,2"),
            ["column 'employed_3m', line 2", "neither 0 nor 1"],
        ),
        (load_panel, PANEL.replace("A2", "A1"), ["column 'participant_id', line 3", "repeats"]),
        (load_panel, PANEL.replace("0.4,", "1.7,"), ["self_efficacy_baseline", "above 1"]),
        (
            load_panel,
            PANEL.replace("young,coaching,2", "young,coaching,2.5"),
            ["column 'start_month'", "not a whole number"],
        ),
        (
            load_aggregate,
            AGG + "1,1,unemployed,all,,5000\n",
            [
                "column 'value', line 6 and line 2",
                "month 1 (1-month period), group all",
                "unemployed = 5000 exceeds labour_force = 1000",
                "allowed: unemployed <= labour_force",
            ],
        ),
        (
            load_aggregate,
            AGG + "1,1,employed,all,,1200\n",
            ["line 6 and line 2", "employed = 1200 exceeds labour_force = 1000"],
        ),
        (
            load_aggregate,
            AGG + "1,1,unemployed,all,,80\n1,1,long_term_unemployed,all,,90\n",
            ["line 7 and line 6", "long_term_unemployed = 90 exceeds unemployed = 80"],
        ),
        (
            load_aggregate,
            AGG + "1,1,unemployed,all,,80\n1,1,unemployed,young,,95\n",
            ["line 7 and line 6", "unemployed (group young) = 95 exceeds unemployed (group all)"],
        ),
        (
            load_aggregate,
            AGG + "1,3,intervention_starts,young,coaching,20\n",
            ["line 6 and line 5", "intervention coaching", "(group young) = 20 exceeds"],
        ),
        (load_public, PUBLIC.replace(",1,12,", ",12,1,"), ["month_to", "before month_from"]),
        (load_public, PUBLIC.replace("0.005", "0"), ["column 'se'", "standard error > 0"]),
        (load_public, PUBLIC.replace("0.08", "-0.08"), ["column 'value'", "below 0"]),
        # a compounded monthly hazard is not what surveys publish: refused with the survey name
        (
            load_public,
            PUBLIC.replace("unemployment_rate", "quarterly_job_finding_rate"),
            ["column 'statistic', line 2", "compounded monthly hazard", "quarterly_u_to_e"],
        ),
        (
            load_public,
            PUBLIC.replace("unemployment_rate", "employment_rate"),
            ["line 2", "employment_to_population"],
        ),
        # a figure whose stated definition is not the one the model computes it by
        (
            load_public,
            PUBLIC.replace(",se\n", ",se,definition\n").replace("0.005\n", "0.005,register\n"),
            ["column 'definition', line 2", "follows the survey definition", "not 'register'"],
        ),
        (
            load_aggregate,
            "month,indicator,value,definition\n1,labour_force,1000,\n1,job_finding_rate,0.2,survey\n",
            ["column 'definition', line 3", "monthly_hazard", "quarterly_u_to_e"],
        ),
        (
            load_aggregate,
            "month,indicator,value,definition\n1,quarterly_u_to_e,0.3,monthly_hazard\n",
            ["column 'definition', line 2", "job_finding_rate, job_loss_rate"],
        ),
    ],
)
def test_malformed_data_errors(tmp_path, loader, text, expected):
    path = write(tmp_path, "data.csv", text)
    with pytest.raises(DataError) as err:
        loader(path)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message, message


def test_consistent_stocks_pass(tmp_path):
    # stocks of the same period that fit inside each other; a quarterly row is not compared
    # with monthly ones
    text = AGG + (
        "1,1,unemployed,all,,80\n1,1,long_term_unemployed,all,,30\n1,1,employed,all,,920\n"
        "1,1,unemployed,young,,20\n1,3,unemployed,all,,5000\n"
    )
    assert len(load_aggregate(write(tmp_path, "a.csv", text))) == 9


def test_shipped_example_is_the_same_in_both_formats():
    """The synthetic example ships as CSV and Parquet; both load and give the same moments."""
    folder = Path(__file__).parents[2] / "calibration" / "data" / "synthetic"
    assert "SYNTHETIC" in json.loads((folder / "true_params.json").read_text())["label"]
    # the Parquet panel keeps missing follow-ups as <NA> in nullable 0/1 columns
    raw = pd.read_parquet(folder / "panel.parquet")
    assert str(raw["employed_3m"].dtype) == "Int64" and raw["employed_3m"].isna().any()
    loaders = {"aggregate": load_aggregate, "panel": load_panel, "public": load_public}
    data = {}
    for suffix in ("csv", "parquet"):
        tables = {name: load(folder / f"{name}.{suffix}") for name, load in loaders.items()}
        data[suffix] = ObservedData(**tables)
    for name in loaders:
        pd.testing.assert_frame_equal(
            getattr(data["csv"], name), getattr(data["parquet"], name), check_dtype=False
        )
    specs, suppressed = build_moments(data["csv"], 12, 10)
    assert (specs, suppressed) == build_moments(data["parquet"], 12, 10)
    assert {s.source for s in specs} == {"aggregate", "panel", "public"}
    np.testing.assert_array_equal(
        observed_moments(specs, data["csv"])[0], observed_moments(specs, data["parquet"])[0]
    )


@pytest.mark.parametrize("check", [True, False])
@pytest.mark.parametrize("kind", ["aggregate", "panel"])
def test_header_only_file_is_a_clear_error(tmp_path, capsys, check, kind):
    header = (AGG if kind == "aggregate" else PANEL).splitlines()[0] + "\n"
    write(tmp_path, "d.csv", header)
    cfg = write(
        tmp_path,
        "c.toml",
        f'[data]\n{kind} = "d.csv"\nlabour_force = 1000\n'
        '[[parameters]]\npath = "demand.quit_rate"\n',
    )
    args = ["calibrate", str(cfg), "--quiet", "--out", str(tmp_path / "out")]
    assert main([*args, "--check"] if check else args) == 2
    err = capsys.readouterr().err
    assert "d.csv" in err and "has no rows" in err and "Traceback" not in err


def test_parameter_bounds_default_to_its_uncertainty_range(tmp_path):
    write(
        tmp_path,
        "a.csv",
        "month,indicator,value\n1,labour_force,1000\n1,employed,920\n1,unemployment_rate,0.08\n",
    )
    config = config_from_dict(
        {
            "data": {"aggregate": "a.csv"},
            "parameters": [
                {"path": "demand.quit_rate"},
                {"path": "matching.applications", "lower": 2.0},
            ],
            "fit": {"bootstrap": 20},
        },
        root=tmp_path,
    )
    space = prepare(config).space
    assert space.lower.tolist() == [0.002, 2.0]
    assert space.upper.tolist() == [0.008, 6.0]


def test_parquet_wrong_type_names_row(tmp_path):
    table = pd.DataFrame(
        {"month": [1, 2], "indicator": ["separations"] * 2, "value": ["3", "many"]}
    )
    path = tmp_path / "a.parquet"
    table.to_parquet(path)
    with pytest.raises(DataError, match=r"column 'value', row 2: 'many' is not a number"):
        load_aggregate(path)


def test_cli_reports_bad_data_with_exit_code_2(tmp_path, capsys):
    write(tmp_path, "a.csv", AGG.replace(",25", ",-25"))
    cfg = write(
        tmp_path,
        "c.toml",
        '[data]\naggregate = "a.csv"\n[[parameters]]\npath = "demand.quit_rate"\n',
    )
    assert main(["calibrate", str(cfg), "--check"]) == 2
    err = capsys.readouterr().err
    assert "a.csv" in err and "column 'value', line 4" in err and "negative" in err


def test_more_parameters_than_moments_is_refused(tmp_path, capsys):
    write(tmp_path, "p.csv", PUBLIC)
    cfg = write(
        tmp_path,
        "c.toml",
        '[data]\npublic = "p.csv"\n[[parameters]]\npath = "demand.quit_rate"\n'
        '[[parameters]]\npath = "matching.applications"\n',
    )
    out = tmp_path / "out"
    assert main(["calibrate", str(cfg), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "c.toml" in err and "2 free parameters but the data give only 1 moments" in err
    assert "degrees of freedom -1" in err
    assert not out.exists()


def test_public_statistics_are_computed_as_validation_computes_them():
    """One implementation: a public moment of a run is validation's statistic of that run."""
    from calibration.moments import MomentSpec
    from calibration.simulate import simulate_moments
    from experiments.comparison.validation import replication_statistics

    params = base_params(400, 14)
    names = ["quarterly_u_to_e", "quarterly_e_to_u", "unemployment_rate", "long_term_share"]
    specs = [MomentSpec("public", n, "all", None, (4, 14)) for n in names]
    seed = np.random.SeedSequence(9)
    ours = simulate_moments(params, seed, specs, 0)
    theirs = replication_statistics(params, np.random.SeedSequence(9), names, 4)
    np.testing.assert_array_equal(ours, [theirs[n] for n in names])
    assert np.isfinite(ours).all()


def test_bad_settings_are_reported():
    from calibration import config_from_dict

    with pytest.raises(CalibrationError, match=r"fit\.replications"):
        config_from_dict(
            {"data": {"panel": "p.csv"}, "parameters": [{"path": "x"}], "fit": {"replications": 0}}
        )


def test_data_and_simulation_give_the_same_moments(tmp_path):
    """A simulated run written in the data formats yields its own simulated moments."""
    sim = simulate(base_params(600, 15, capacity=6), np.random.SeedSequence(5))
    aggregate_table(sim).to_csv(tmp_path / "a.csv", index=False)
    rng = np.random.default_rng(0)
    panel_table(sim, rng, attrition=0.0).to_csv(tmp_path / "p.csv", index=False)
    data = ObservedData(
        aggregate=load_aggregate(tmp_path / "a.csv"), panel=load_panel(tmp_path / "p.csv")
    )
    specs, _ = build_moments(data, window_months=6, min_cell=1)
    assert {s.source for s in specs} == {"aggregate", "panel"}
    assert any(s.indicator == "intervention_starts" for s in specs)
    observed, _ = observed_moments(specs, data)
    np.testing.assert_allclose(observed, simulated_moments(specs, sim), rtol=1e-4, atol=1e-4)
    # the panel outcomes are those of the tracked participants
    assert set(cat.PANEL_OUTCOMES) <= set(sim.panel.columns)


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [("--seed", "-1", "at least 0"), ("--months", "3", "at least 12"), ("--persons", "x", "")],
)
def test_synthetic_data_script_rejects_bad_flags(tmp_path, capsys, flag, value, expected):
    from calibration.make_synthetic import main as make_main

    with pytest.raises(SystemExit) as stop:
        make_main(["--out", str(tmp_path / "out"), flag, value])
    assert stop.value.code == 2
    message = capsys.readouterr().err
    assert flag in message and expected in message
    assert not (tmp_path / "out").exists()
