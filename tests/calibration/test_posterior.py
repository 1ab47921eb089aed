"""The posterior route (ABC-SMC) end to end on a tiny synthetic lab, its resume, and the
calibrated scenario's posterior draws in a comparison plan."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from calibration import config_from_dict
from calibration.errors import CalibrationError
from calibration.make_synthetic import make_synthetic
from calibration.posterior_outputs import calibrate_posterior
from cli import main
from experiments.comparison.arms import NO_ABLATION
from experiments.comparison.study import plan
from experiments.runner.executors import SerialExecutor
from scenarios import load_scenario

LAB = ["population.employer_size_shape=3.0"]
TRUTH = {"demand.quit_rate": 0.005}


def settings(generations: int) -> dict:
    return {
        "data": {"aggregate": "aggregate.csv", "public": "public.csv", "truth": "true_params.json"},
        "model": {"base": "base_params.json", "persons": 300},
        "parameters": [{"path": "demand.quit_rate", "lower": 0.002, "upper": 0.008}],
        "fit": {"seed": 3, "bootstrap": 20, "se_replications": 3},
        "posterior": {"population_size": 12, "generations": generations, "predictive_draws": 4},
    }


def test_posterior_end_to_end_and_resume(tmp_path):
    make_synthetic(tmp_path, persons=300, months=12, seed=5, truth=TRUTH, settings=LAB)
    out = tmp_path / "out"
    first = calibrate_posterior(config_from_dict(settings(1), root=tmp_path), out, SerialExecutor())
    post = first.posterior
    assert post.resumed_from == -1 and len(post.generations) == 1
    assert post.samples["weight"].sum() == pytest.approx(1.0)
    assert post.samples["demand.quit_rate"].between(0.002, 0.008).all()
    row = post.intervals.iloc[0]
    assert 0.002 <= row["ci90_low"] <= row["posterior_median"] <= row["ci90_high"] <= 0.008
    assert row["true_value"] == 0.005
    assert len(post.predictive) == len(first.problem.specs)

    # A second generation continues from the stored history (through the command line).
    (tmp_path / "calibration.toml").write_text(
        "\n".join(
            [
                "[data]",
                'aggregate = "aggregate.csv"',
                'public = "public.csv"',
                'truth = "true_params.json"',
                "[model]",
                'base = "base_params.json"',
                "persons = 300",
                "[[parameters]]",
                'path = "demand.quit_rate"',
                "lower = 0.002",
                "upper = 0.008",
                "[fit]",
                "seed = 3",
                "bootstrap = 20",
                "se_replications = 3",
                "[posterior]",
                "population_size = 12",
                "generations = 2",
                "predictive_draws = 4",
            ]
        )
    )
    args = ["calibrate", str(tmp_path / "calibration.toml"), "--method", "abc", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    summary = json.loads((out / "posterior.json").read_text())
    assert summary["generations"] == 2 and summary["resumed_from_generation"] == 0
    # another population size is another run: refused, nothing lost
    cfg = tmp_path / "calibration.toml"
    cfg.write_text(cfg.read_text().replace("population_size = 12", "population_size = 13"))
    assert main([*args, "--out", str(out)]) == 2
    assert json.loads((out / "posterior.json").read_text()) == summary
    samples = pd.read_parquet(out / "posterior_samples.parquet")
    assert list(samples.columns) == ["demand.quit_rate", "weight"]
    for name in ("posterior_marginals.png", "posterior_pairs.png", "posterior_report.html"):
        assert (out / name).stat().st_size > 1000
    assert "credible" in (out / "posterior_report.html").read_text()
    for table in ("credible_intervals", "posterior_predictive", "abc_generations"):
        assert (out / "tables" / f"{table}.parquet").exists()


def test_stored_posterior_of_other_settings_is_refused(tmp_path):
    from calibration.posterior import run_posterior

    make_synthetic(tmp_path, persons=300, months=12, seed=5, truth=TRUTH, settings=LAB)
    from calibration.fit import prepare

    problem = prepare(config_from_dict(settings(1), root=tmp_path))
    (tmp_path / "out" / "posterior").mkdir(parents=True)
    (tmp_path / "out" / "posterior" / "abc.db").write_bytes(b"")
    (tmp_path / "out" / "posterior" / "fingerprint.json").write_text('{"fingerprint": "x"}')
    with pytest.raises(CalibrationError, match=r"other settings.*--restart"):
        run_posterior(problem, SerialExecutor(), tmp_path / "out")


def test_scenario_posterior_draws_run_one_per_replication(tmp_path):
    draws = [0.003, 0.004, 0.005]
    lines = [
        "[scenario]",
        'name = "kokkola_engine_calibrated"',
        'lab = "kokkola"',
        'packages = ["kokkola_engine"]',
        "[run]",
        "months = 12",
        "replications = 6",
        "[set]",
        '"demand.quit_rate" = 0.0042',
        "[posterior]",
        'description = "test draws"',
    ]
    for q in draws:
        lines += ["[[posterior.draws]]", f'"demand.quit_rate" = {q}']
    path = tmp_path / "s.toml"
    path.write_text("\n".join(lines) + "\n")
    scenario = load_scenario(path)
    assert scenario.baseline.demand.quit_rate == 0.0042
    assert len(scenario.draws) == 3 and scenario.describe()["parameter_draws"] == 3
    for r in range(6):
        baseline, arms = scenario.replication_params(r)
        assert baseline.demand.quit_rate == draws[r % 3]
        assert arms[0].demand.quit_rate == draws[r % 3]
    quit = {
        (t.replication, t.arm): t.params.demand.quit_rate
        for t in plan(scenario)
        if t.variant == NO_ABLATION
    }
    assert {quit[(r, "baseline")] for r in range(6)} == set(draws)
    assert all(quit[(r, "kokkola_engine")] == draws[r % 3] for r in range(6))
    # a draw naming no parameter is refused with the file and the draw
    path.write_text(path.read_text().replace('"demand.quit_rate" = 0.005', '"demand.nope" = 1'))
    with pytest.raises(Exception, match=r"posterior\.draws\.2"):
        load_scenario(path)
