"""Sensitivity analysis: known indices, an unread parameter, a planted driver, determinism.

The known-answer tests use the model callables of ``experiments.sensitivity.testmodels`` through the
whole pipeline (sample → points design → experiments runner → store → analysis), so they
need no simulation; the determinism test runs the package-effect model on a tiny Kokkola.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.errors import DesignError, StoreError
from experiments.sensitivity.given_data import given_data_indices
from experiments.sensitivity.outcomes import noise_summary
from experiments.sensitivity.problem import build_problem
from experiments.sensitivity.sobol import required_samples, sobol_warnings
from experiments.sensitivity.study import Study, analyse_study, run_study, scenario_study
from experiments.sensitivity.testmodels import ISHIGAMI_S1, ISHIGAMI_ST, ISHIGAMI_VARIANCE, NOISE_SD

PI = np.pi


def _ishigami_study(model: str, samples: int, replications: int = 1, **kw) -> Study:
    problem = build_problem(
        sets=(), ranges={f"x{i}": (-PI, PI) for i in range(1, 5)}, grouped=False
    )
    return Study(
        problem,
        samples=samples,
        replications=replications,
        root_seed=11,
        model=f"experiments.sensitivity.testmodels:{model}",
        outcomes=("y",),
        **kw,
    )


def _planted_study(method: str, samples: int) -> Study:
    ranges = {
        "dominant.a": (0.0, 1.0),
        "dominant.b": (0.0, 1.0),
        "minor.c": (0.0, 1.0),
        "minor.d": (0.0, 1.0),
        "idle.e": (0.0, 1.0),
    }
    groups = {path: path.split(".")[0] for path in ranges}
    problem = build_problem(sets=(), ranges=ranges, mechanisms=groups, grouped=True)
    return Study(
        problem,
        method=method,
        samples=samples,
        replications=1,
        root_seed=5,
        model="experiments.sensitivity.testmodels:planted",
        outcomes=("y",),
    )


def test_ishigami_indices_recovered_and_unread_parameter_is_zero(tmp_path):
    study = _ishigami_study("ishigami", samples=512)
    summary = run_study(study, tmp_path, executor="serial", progress=False)
    assert summary.done == summary.total == 512 * 6
    result = analyse_study(tmp_path)
    t = result.indices.set_index("factor")
    for name, s1, st in zip(("x1", "x2", "x3"), ISHIGAMI_S1, ISHIGAMI_ST, strict=True):
        assert abs(t.loc[name, "S1"] - s1) < 0.08, (name, t.loc[name, "S1"])
        assert abs(t.loc[name, "ST"] - st) < 0.08, (name, t.loc[name, "ST"])
        assert t.loc[name, "ST_conf"] < 0.15
    # x4 is never read: with common random numbers its indices are zero, interval included.
    assert abs(t.loc["x4", "S1"]) <= t.loc["x4", "S1_conf"] + 1e-12
    assert abs(t.loc["x4", "ST"]) <= t.loc["x4", "ST_conf"] + 1e-12
    assert t.loc["x4", "ST"] < 0.01
    assert result.ranking("y")[-1] == "x4"
    # Convergence: N = 4 .. 512 and intervals shrink with N.
    conv = result.convergence[result.convergence["factor"] == "x1"]
    assert list(conv["n"]) == [2**k for k in range(2, 10)]
    assert conv["ST_conf"].iloc[-1] < conv["ST_conf"].iloc[0]
    files = {p.name for p in result.save(tmp_path)}
    assert {"sensitivity_indices.parquet", "sensitivity_indices.csv", "report.html"} <= files
    assert (tmp_path / "figures" / "sensitivity_convergence.png").exists()
    assert "x4" in (tmp_path / "report.html").read_text()


def test_replication_noise_is_measured_and_not_read_as_a_parameter(tmp_path):
    study = _ishigami_study("noisy_ishigami", samples=64, replications=2)
    run_study(study, tmp_path, executor="serial", progress=False)
    result = analyse_study(tmp_path)
    noise = result.noise.set_index("outcome").loc["y"]
    # Jackknife noise of a 2-replication mean: NOISE_SD² / 2.
    assert noise["noise_variance"] == pytest.approx(NOISE_SD**2 / 2, rel=0.3)
    expected = (NOISE_SD**2 / 2) / (ISHIGAMI_VARIANCE + NOISE_SD**2 / 2)
    assert noise["noise_share"] == pytest.approx(expected, rel=0.5)
    t = result.indices.set_index("factor")
    assert abs(t.loc["x4", "ST"]) <= t.loc["x4", "ST_conf"] + 1e-12


def test_planted_dominant_mechanism_is_ranked_first_by_sobol_morris_and_given_data(tmp_path):
    sobol = _planted_study("sobol", 64)
    run_study(sobol, tmp_path / "sobol", executor="serial", progress=False)
    res = analyse_study(tmp_path / "sobol")
    assert res.ranking("y")[0] == "dominant"
    t = res.indices.set_index("factor")
    assert (
        t.loc["dominant", "ST"] - t.loc["dominant", "ST_conf"]
        > t.loc["minor", "ST"] + t.loc["minor", "ST_conf"]
    )
    assert t.loc["idle", "ST"] == 0.0
    assert "dominant" in res.save(tmp_path / "sobol")[-1].read_text()

    morris = _planted_study("morris", 20)
    run_study(morris, tmp_path / "morris", executor="serial", progress=False)
    res = analyse_study(tmp_path / "morris")
    assert res.ranking("y")[0] == "dominant"
    assert res.morris.set_index("factor").loc["idle", "mu_star"] == 0.0

    for method in ("pawn", "delta"):
        g = given_data_indices(tmp_path / "sobol", "y", method, resamples=5)
        top = g.sort_values("index", ascending=False)["mechanism"].iloc[:2]
        assert set(top) == {"dominant"}, (method, g)


def test_same_seed_same_indices_on_serial_and_process_backends(tmp_path):
    study = scenario_study(
        "kokkola_engine",
        months=12,
        persons=600,
        evaluation_months=6,
        include=[
            "matching.applications",
            "mechanisms.peer_learning",
            "interventions.taite_coaching.effects.self_efficacy",
            "mechanisms.efficacy_gain_hire",
        ],
        outcomes=["employment_rate/long_term_unemployed", "inflow/all", "mobility/all"],
        samples=4,
        replications=2,
    )
    assert study.problem.groups == ["job_search", "peer_learning", "self_efficacy"]
    tables = []
    for backend in ("serial", "processes"):
        out = tmp_path / backend
        summary = run_study(study, out, executor=backend, workers=2, progress=False)
        assert summary.done == summary.total == 4 * 5 * 2
        result = analyse_study(out)
        tables.append((result.indices, result.noise))
    pd.testing.assert_frame_equal(tables[0][0], tables[1][0])
    pd.testing.assert_frame_equal(tables[0][1], tables[1][1])
    assert not tables[0][0].empty
    # A rerun resumes (nothing left to run); a different study in the folder is refused.
    again = run_study(study, tmp_path / "serial", executor="serial", progress=False)
    assert again.ran == 0
    other = Study(study.problem, samples=8, base_params=study.base_params, outcomes=study.outcomes)
    with pytest.raises(StoreError, match="different sensitivity study"):
        run_study(other, tmp_path / "serial", executor="serial", progress=False)


def test_warnings_for_negative_indices_and_unrankable_intervals():
    t = pd.DataFrame(
        {
            "factor": ["a", "b", "c"],
            "S1": [0.4, 0.3, -0.2],
            "S1_conf": [0.1, 0.1, 0.05],
            "ST": [0.5, 0.4, 0.01],
            "ST_conf": [0.1, 0.1, 0.02],
        }
    )
    w = sobol_warnings(t, 64, "out")
    assert any("S1 of c" in m and "negative beyond its interval" in m for m in w)
    assert any("too wide to rank" in m and "N ≈ 256" in m for m in w)
    # (0.1 + 0.1) / 0.1 = 2 -> N × 4 = 256; separated already at 256.
    assert required_samples(t, 64) == 256
    t2 = t.assign(ST_conf=[0.02, 0.02, 0.02])
    assert required_samples(t2, 64) == 64


def test_noise_summary_of_a_ratio_and_a_mean():
    rng = np.random.default_rng(0)
    values = rng.normal(0.0, 2.0, size=(400, 4)) + np.linspace(0, 10, 400)[:, None]
    s = noise_summary("m", values)
    assert s["noise_variance"] == pytest.approx(4.0 / 4, rel=0.1)
    ratio = noise_summary("r", values + 20.0, np.full((400, 4), 2.0))
    assert ratio["noise_variance"] == pytest.approx(1.0 / 4, rel=0.1)
    single = noise_summary("m", values[:, :1])
    assert np.isnan(single["noise_share"])


def test_problem_defaults_group_mechanism_and_intervention_parameters():
    from scenarios import scenario_from_names

    arm = scenario_from_names("kokkola_engine").arms[0]
    problem = build_problem(arm.params.interventions)
    kinds = {p.kind for p in problem.parameters}
    assert kinds == {"mechanism", "intervention"}
    by_path = {p.path: p for p in problem.parameters}
    p = by_path["interventions.taite_coaching.effects.self_efficacy"]
    assert p.mechanism == "self_efficacy" and p.low < p.default < p.high
    assert by_path["mechanisms.peer_learning"].mechanism == "peer_learning"
    assert "demand.quit_rate" not in by_path  # no mechanism: not in the default set
    with pytest.raises(DesignError, match="no uncertainty range"):
        build_problem(arm.params.interventions, include=["population.n_persons"])


def test_cli_dry_run_and_bad_input(capsys, tmp_path):
    from cli import main

    code = main(["sensitivity", "run", "kokkola_engine", "--samples", "8", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and "runs" in out and "employment_rate/long_term_unemployed" in out
    code = main(["sensitivity", "run", "kokkola_engine", "--range", "x=1", "--dry-run"])
    assert code == 2
    assert "LOW:HIGH" in capsys.readouterr().err
    code = main(["sensitivity", "run", "kokkola_engine", "--samples", "6", "--dry-run"])
    assert code == 2 and "power of two" in capsys.readouterr().err
    assert main(["sensitivity", "analyse", str(tmp_path)]) == 2
