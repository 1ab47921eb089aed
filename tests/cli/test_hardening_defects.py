"""Regression tests of the defects a hostile or careless user found (issue 16): each one
names the file and the field, exits non-zero without a traceback, and writes nothing. The
dashboard's are in tests/dashboard/test_hardening_dashboard.py."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from experiments_helpers import design_toml
from hardening_helpers import RUN, SYNTHETIC, cli, files, small_calibration

from calibration.errors import DataError
from calibration.formats import load_aggregate, load_panel
from experiments.errors import DesignError
from experiments.runner.design import load_design
from scenarios.files import LAB_DIR

# -- 1. an experiment name is a folder name ----------------------------------------------------


@pytest.mark.parametrize("name", ["../../../x", "a/b", "..", "/abs", "a\\b", ""])
def test_experiment_name_cannot_leave_the_experiments_folder(tmp_path, monkeypatch, capsys, name):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    design = tmp_path / "d.toml"
    design.write_text(design_toml(replications=1).replace('name = "small"', f"name = {name!r}"))
    code, err = cli(["experiment", "run", str(design), "--executor", "serial", "--quiet"], capsys)
    assert code == 2
    assert "d.toml: [experiment] name" in err
    assert files(tmp_path) == {Path("work"), Path("d.toml")}


# -- 2. run --out an existing folder -----------------------------------------------------------


def test_run_refuses_a_folder_of_other_files_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("my work")
    (out / "indicators.csv").write_text("my own table")
    code, err = cli([*RUN, "--out", str(out)], capsys)
    assert code == 2 and "--overwrite" in err and str(out) in err
    assert (out / "indicators.csv").read_text() == "my own table"
    assert files(out) == {Path("thesis.txt"), Path("indicators.csv")}
    assert cli([*RUN, "--out", str(out), "--overwrite"], capsys)[0] == 0
    assert (out / "indicators.parquet").exists() and (out / "thesis.txt").exists()
    # Its own earlier output is replaced without asking.
    assert cli([*RUN, "--out", str(out)], capsys)[0] == 0


# -- 3. no tracebacks --------------------------------------------------------------------------


def test_run_out_a_file_is_refused_before_the_simulation(tmp_path, capsys):
    file = tmp_path / "notes.txt"
    file.write_text("keep")
    for out in (file, file / "sub"):
        code, err = cli(["run", "--persons", "20000", "--months", "600", "--out", str(out)], capsys)
        assert code == 2 and "notes.txt" in err and "file" in err
    assert file.read_text() == "keep"


def test_calibrate_out_a_file_is_refused(tmp_path, capsys):
    file = tmp_path / "notes.txt"
    file.write_text("keep")
    code, err = cli(["calibrate", str(small_calibration(tmp_path)), "--out", str(file)], capsys)
    assert code == 2 and "--out" in err and "notes.txt" in err
    assert file.read_text() == "keep"


def test_binary_design_and_settings_files_get_a_clear_error(tmp_path, capsys):
    blob = bytes(range(256)) * 4
    design = tmp_path / "d.toml"
    design.write_bytes(blob)
    code, err = cli(["experiment", "run", str(design), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "d.toml" in err and "not a text file" in err
    settings = tmp_path / "cal.toml"
    settings.write_bytes(blob)
    code, err = cli(["calibrate", str(settings), "--check"], capsys)
    assert code == 2 and "cal.toml" in err and "not a text file" in err
    params = tmp_path / "p.json"
    params.write_bytes(blob)
    code, err = cli([*RUN, "--params", str(params), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "p.json" in err
    assert files(tmp_path) == {Path("d.toml"), Path("cal.toml"), Path("p.json")}


# -- 4. nothing silently accepted --------------------------------------------------------------


def test_an_empty_design_file_is_refused(tmp_path, capsys):
    design = tmp_path / "empty.toml"
    design.write_text("")
    code, err = cli(["experiment", "run", str(design), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "empty.toml" in err and "empty" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("months = 6", 'months = "3"', "[base] months"),
        ("0.002, 0.004", '"0.002", 0.004', "[design.parameters] demand.quit_rate"),
        ("months = 6", "months = true", "[base] months"),
    ],
)
def test_a_quoted_number_in_a_design_is_refused(tmp_path, old, new, field):
    design = tmp_path / "d.toml"
    design.write_text(design_toml().replace(old, new))
    with pytest.raises(DesignError, match=rf"d\.toml: {re.escape(field)} must be"):
        load_design(design)


@pytest.mark.parametrize("workers", ["0", "-3"])
def test_compare_and_calibrate_refuse_zero_or_negative_workers(tmp_path, capsys, workers):
    out = tmp_path / "o"
    code, err = cli(["compare", "kokkola_engine", "--workers", workers, "--out", str(out)], capsys)
    assert code == 2 and "--workers must be at least 1" in err
    cal = small_calibration(tmp_path)
    code, err = cli(["calibrate", str(cal), "--check", "--workers", workers], capsys)
    assert code == 2 and "--workers must be at least 1" in err
    assert not out.exists()


def test_parquet_columns_of_the_wrong_type_are_refused(tmp_path):
    agg = pd.read_parquet(SYNTHETIC / "aggregate.parquet")
    agg["value"] = agg["value"].astype(str)
    agg.to_parquet(tmp_path / "a.parquet")
    with pytest.raises(DataError, match=r"(?s)a\.parquet.*column 'value': stored as text"):
        load_aggregate(tmp_path / "a.parquet")
    panel = pd.read_parquet(SYNTHETIC / "panel.parquet")
    panel["participant_id"] = range(100_000, 100_000 + len(panel))
    panel.to_parquet(tmp_path / "p.parquet")
    with pytest.raises(
        DataError, match=r"(?s)p\.parquet.*column 'participant_id': stored as numbers"
    ):
        load_panel(tmp_path / "p.parquet")


def test_a_design_file_cannot_import_arbitrary_modules(tmp_path, capsys):
    design = tmp_path / "d.toml"
    design.write_text(design_toml(model="os:getcwd"))
    out = tmp_path / "o"
    code, err = cli(["experiment", "run", str(design), "--out", str(out), "--dry-run"], capsys)
    assert code == 2
    assert "d.toml: [experiment] model 'os:getcwd' is not a registered model" in err
    assert "labour_market" in err and "--allow-model-imports" in err
    # A registered model by short name or by module:name; any other one only when opted in.
    design.write_text(design_toml(model="labour_market"))
    assert load_design(design).model == "experiments.runner.simulation:LabourMarketRun"
    design.write_text(design_toml(model="experiments_helpers:SlowRun"))
    with pytest.raises(DesignError, match="not a registered model"):
        load_design(design)
    assert load_design(design, allow_imports=True).model == "experiments_helpers:SlowRun"
    assert not out.exists()


# -- 5. messages that name what the user did ---------------------------------------------------


def test_compare_blames_the_flag_the_user_typed(tmp_path, capsys):
    args = ["compare", "kokkola_engine", "--months", "6", "--persons", "500"]
    code, err = cli([*args, "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "--months 6" in err and "evaluation_months" in err
    assert "--set" not in err and "persons" not in err


@pytest.mark.parametrize("folder", ["/proc/synclusive-test/out", "/sys/synclusive-test"])
def test_an_unwritable_output_folder_is_not_called_missing(capsys, folder):
    if not Path(folder).parts[1:2] or not Path("/" + Path(folder).parts[1]).is_dir():
        pytest.skip(f"no {folder} on this system")
    code, err = cli([*RUN, "--out", folder], capsys)
    assert code == 2
    assert "cannot write there" in err and "not found" not in err


# -- found by the generated malformed inputs (tests/test_malformed_inputs.py) -----------------


def test_calibration_model_and_bound_errors_name_the_file(tmp_path, capsys):
    cal = small_calibration(tmp_path)
    text = cal.read_text()
    cal.write_text(text.replace("persons = 100", "persons = 1000000000000000"))
    code, err = cli(["calibrate", str(cal), "--check"], capsys)
    assert code == 2 and "cal.toml: [model] persons" in err and "n_persons" in err
    cal.write_text(text.replace("lower = 0.002", "lower = -1.0"))
    code, err = cli(["calibrate", str(cal), "--check"], capsys)
    assert code == 2 and "cal.toml: [[parameters]]: lower bounds" in err
    cal.write_text(text.replace("lower = 0.002", "lower = true"))
    code, err = cli(["calibrate", str(cal), "--check"], capsys)
    assert code == 2 and "parameters.0.lower" in err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("months = 6", "months = {k = 1}", "months is a value, not a group"),
        ("replications = 2", "replications = 1000000000000000", "at most 10,000,000"),
    ],
)
def test_design_values_that_crashed_or_hung_are_refused(tmp_path, capsys, old, new, message):
    design = tmp_path / "d.toml"
    design.write_text(design_toml().replace(old, new))
    out = tmp_path / "o"
    code, err = cli(["experiment", "run", str(design), "--out", str(out), "--dry-run"], capsys)
    assert code == 2 and "d.toml" in err and message in err


def test_a_lab_that_lacks_a_package_partner_is_named(tmp_path, capsys):
    lab = tmp_path / "lab.toml"
    text = (LAB_DIR / "kokkola.toml").read_text()
    lab.write_text(text.replace('name = "business_services"', 'name = "other_services"'))
    code, err = cli(["compare", "kokkola_engine", "--lab", str(lab)], capsys)
    assert code == 2 and "the lab has no provider" in err and f"(lab kokkola: {lab})" in err
