"""The command line writes its outputs; invalid parameters get a clear error and exit 2."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli import main
from simulator.errors import ParameterError
from simulator.options import build_params
from simulator.params import ModelParams


def test_run_writes_tables_and_figures(tmp_path, capsys) -> None:
    run = ["run", "--persons", "800", "--months", "8", "--seed", "3", "--quiet"]
    run += ["--set", "demand.quit_rate=0.004"]
    out = tmp_path / "run"
    code = main([*run, "--out", str(out)])
    assert code == 0
    table = pd.read_parquet(out / "indicators.parquet")
    assert set(table.columns) == {"month", "indicator", "group", "value"}
    assert table["month"].max() == 8
    csv = pd.read_csv(out / "indicators.csv")
    assert len(csv) == len(table)
    fills = pd.read_parquet(out / "fills.parquet")
    assert set(fills.columns) == {"month", "level", "source", "vacancies"}
    summary = pd.read_csv(out / "chain_summary.csv")
    assert summary["start_level"].astype(str).tolist()[-1] == "all"
    assert (
        summary["chains"].iloc[-1]
        == fills.loc[fills["source"].isin(["outside", "no_candidate"]), "vacancies"].sum()
    )
    for name in ("indicators", "flows", "chains", "beveridge"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5_000
        assert (out / "figures" / f"{name}.svg").exists()
    saved = json.loads((out / "parameters.json").read_text())
    assert saved["demand"]["quit_rate"] == 0.004 and saved["seed"] == 3
    # The same seed gives the same numbers.
    again = tmp_path / "again"
    main([*run, "--out", str(again), "--no-figures"])
    pd.testing.assert_frame_equal(table, pd.read_parquet(again / "indicators.parquet"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--set", "demand.quit_rate=2"],
            ["demand.quit_rate", "allowed range [0.0, 0.2]", "1/month"],
        ),
        (["--set", "demand.quitrate=0.1"], ["demand.quitrate", "unknown parameter", "quit_rate"]),
        (["--set", "matching.aim=high"], ["matching.aim", "valid number"]),
        (["--set", "nothing.here=1"], ["'nothing'", "no parameter group", "population"]),
        (["--set", "noequals"], ["PATH=VALUE"]),
    ],
)
def test_bad_parameters_exit_2_with_message(tmp_path, capsys, args, expected) -> None:
    out = tmp_path / "never"
    code = main(["run", "--months", "2", "--out", str(out), "--quiet", *args])
    assert code == 2
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err
    assert not out.exists(), "nothing is written on bad input"


def test_bad_flags_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--persons", "-5"])
    assert exc.value.code == 2
    assert "--persons must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--months", "2"],
        ["compare", "kokkola_engine"],
        ["sensitivity", "run", "kokkola_engine"],
    ],
    ids=["run", "compare", "sensitivity"],
)
@pytest.mark.parametrize(
    ("seed", "given"), [("-1", "got -1"), ("abc", "got 'abc'")], ids=["negative", "text"]
)
def test_bad_seed_exits_2_naming_flag(capsys, command, seed, given) -> None:
    """Every command's --seed takes whole numbers of at least 0, with a message, not a numpy
    traceback."""
    with pytest.raises(SystemExit) as exc:
        main([*command, "--seed", seed])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--seed must be a whole number of at least 0" in err and given in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("seed", [-1, np.int64(-5)])
def test_model_rejects_negative_seed(seed) -> None:
    from simulator.model import LabourMarketModel

    with pytest.raises(ValueError, match="rng must be a whole number of at least 0, got -"):
        LabourMarketModel(ModelParams(), rng=seed)


def test_params_listing_and_schema(capsys) -> None:
    assert main(["params", "--uncertain"]) == 0
    listing = capsys.readouterr().out
    assert "demand.quit_rate" in listing and "1/month" in listing
    assert main(["params", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "ModelParams"


def test_cross_field_validation() -> None:
    with pytest.raises(ParameterError, match="level_shares"):
        build_params(None, ["ladder.skill_requirements=[0.1, 0.5, 0.9]"])
    with pytest.raises(ParameterError, match="must not decrease"):
        build_params(None, ["ladder.skill_requirements=[0.5, 0.4, 0.6, 0.7]"])
    with pytest.raises(ParameterError, match="fill_matrix"):
        build_params(None, ["mobility.fill_matrix=[[0.5, 0.6], [0, 0]]"])
    ok = build_params(None, ["mobility.internal_fill.1=0.3"])
    assert ok.mobility.internal_fill[1] == 0.3
    assert ModelParams.model_validate(ok.model_dump()) == ok


def test_a_run_reads_back_the_parameters_file_a_run_wrote(tmp_path) -> None:
    first = tmp_path / "first"
    run = ["run", "--persons", "300", "--months", "3", "--quiet", "--no-figures"]
    assert main([*run, "--seed", "5", "--set", "demand.quit_rate=0.006", "--out", str(first)]) == 0
    written = json.loads((first / "parameters.json").read_text())
    assert written["seed"] == 5 and written["engine"] == "numba"
    second = tmp_path / "second"
    params = str(first / "parameters.json")
    assert main([*run, "--seed", "5", "--params", params, "--out", str(second)]) == 0
    again = json.loads((second / "parameters.json").read_text())
    assert again == written
    pd.testing.assert_frame_equal(
        pd.read_parquet(first / "indicators.parquet"),
        pd.read_parquet(second / "indicators.parquet"),
    )


def test_the_former_backend_flag_still_selects_the_engine(tmp_path) -> None:
    out = tmp_path / "run"
    args = ["run", "--persons", "200", "--months", "1", "--quiet", "--no-figures"]
    assert main([*args, "--backend", "python", "--out", str(out)]) == 0
    assert json.loads((out / "parameters.json").read_text())["engine"] == "python"


def test_a_parameters_file_that_is_not_json_is_a_clear_error(tmp_path, capsys) -> None:
    bad = tmp_path / "p.json"
    bad.write_text("{not json")
    out = tmp_path / "out"
    assert main(["run", "--params", str(bad), "--out", str(out), "--quiet"]) == 2
    assert f"{bad}: not valid JSON" in capsys.readouterr().err
    assert not out.exists()


def test_fill_matrix_accepts_any_substochastic_matrix_and_names_what_is_wrong() -> None:
    """Moves up, across and down are accepted; a bad matrix is rejected with the field and
    what is allowed; so is one whose chains never end."""
    down = [[0.1, 0.2, 0.0, 0.1], [0.3, 0.1, 0.2, 0.0], [0.0, 0.4, 0.1, 0.3], [0.0, 0.0, 0.5, 0.2]]
    ok = build_params(None, [f"mobility.fill_matrix={json.dumps(down)}"])
    assert ok.fill_matrix() == down
    bad = {
        "[[0.5, 0.1], [0, 0]]": r"mobility.fill_matrix must be a 4 x 4 matrix",
        "[[0,0,0,0],[0,0,0,0],[0,-0.1,0,0],[0,0,0,0]]": r"mobility.fill_matrix\[2\]\[1\] is -0.1; "
        r"entries must be probabilities in \[0, 1\]",
        "[[0,0,0,0],[0.6,0.5,0,0],[0,0,0,0],[0,0,0,0]]": r"row 1 sums to 1.1; each row must sum "
        "to at most 1",
        "[[0,0,0,0],[0,0,0,0],[0,0,0.5,0.5],[0,0,1,0]]": r"level\(s\) \[2, 3\] is never filled "
        "from outside",
    }
    for matrix, message in bad.items():
        with pytest.raises(ParameterError, match=message):
            build_params(None, [f"mobility.fill_matrix={matrix}"])
    with pytest.raises(ParameterError, match=r"mobility.internal_fill/job_to_job_fill: .*\[2\]"):
        build_params(None, ["mobility.job_to_job_fill.2=1.0"])
