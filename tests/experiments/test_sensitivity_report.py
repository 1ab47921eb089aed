"""What the sensitivity report may say: no ranking where noise dominates or intervals overlap,
every mechanism on the grouped Morris plot, captions that say what is shown, a subset's
analysis beside the study's report, and an error for given-data indices that are all undefined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.errors import DesignError
from experiments.runner.batch import run_experiment
from experiments.sensitivity.analysis import SensitivityResult
from experiments.sensitivity.figures import caption, morris_plot
from experiments.sensitivity.given_data import given_data_indices
from experiments.sensitivity.problem import build_problem
from experiments.sensitivity.report import classify, sensitivity_section, summary_lines
from experiments.sensitivity.study import Study, run_study


def morris_result(mu_star, conf, noise_share) -> SensitivityResult:
    factors = [f"m{i}" for i in range(len(mu_star))]
    morris = pd.DataFrame(
        {
            "outcome": "y",
            "factor": factors,
            "mu": mu_star,
            "mu_star": mu_star,
            "mu_star_conf": conf,
            "sigma": np.nan,  # groups of parameters
        }
    )
    noise = pd.DataFrame(
        [{"outcome": "y", "replications": 4, "noise_share": noise_share, "variance": 1.0}]
    )
    return SensitivityResult(meta={}, morris=morris, noise=noise)


def test_nothing_drives_or_is_ranked_where_noise_dominates_or_intervals_overlap():
    noisy = morris_result([1.0, 0.9, 0.1], [0.1, 0.1, 0.05], noise_share=0.65)
    assert classify(noisy, "y")["indistinct"] == ["m0", "m1", "m2"]
    assert classify(noisy, "y")["drivers"] == []
    assert "not distinguishable: M0, M1, M2" in summary_lines(noisy)[0]
    assert ">" not in summary_lines(noisy)[0]
    overlap = morris_result([1.0, 0.6, 0.45], [0.3, 0.3, 0.3], noise_share=0.1)
    assert classify(overlap, "y")["indistinct"] == ["m0", "m1"]
    clear = morris_result([1.0, 0.3, 0.0], [0.1, 0.1, 0.0], noise_share=0.1)
    assert classify(clear, "y")["drivers"] == ["m0"]


def test_grouped_morris_plot_shows_every_mechanism_and_captions_say_what_is_shown():
    result = morris_result(list(np.linspace(0.1, 1.0, 11)), [np.nan] * 3 + [0.1] * 8, 0.1)
    fig = morris_plot(result)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 11 and len(fig.axes[0].lines[0].get_xdata()) == 11
    assert "σ is not defined" in caption("morris", result)
    assert caption("heatmap", result).startswith("μ* of each mechanism")
    assert "Total index" not in caption("heatmap", result)


def planted(tmp_path) -> Study:
    names = ("dominant.a", "dominant.b", "minor.c", "minor.d", "idle.e")
    ranges = dict.fromkeys(names, (0.0, 1.0))
    groups = {path: path.split(".")[0] for path in ranges}
    study = Study(
        build_problem(sets=(), ranges=ranges, mechanisms=groups, grouped=True),
        method="morris",
        samples=10,
        replications=1,
        root_seed=5,
        model="experiments.sensitivity.testmodels:planted",
        outcomes=("y",),
    )
    run_study(study, tmp_path, executor="serial", progress=False)
    return study


def test_analyse_outcome_writes_beside_the_study_report(tmp_path, capsys):
    from cli import main

    planted(tmp_path)
    assert main(["sensitivity", "analyse", str(tmp_path)]) == 0
    report = (tmp_path / "report.html").read_text()
    assert main(["sensitivity", "analyse", str(tmp_path), "--outcome", "y"]) == 0
    assert (tmp_path / "report.html").read_text() == report
    assert (tmp_path / "outcomes_y" / "report.html").exists()
    assert "outcomes_y/report.html" in capsys.readouterr().out


def test_given_data_on_a_grid_is_an_error_with_the_reason(tmp_path):
    from experiments import design_from_dict

    design = design_from_dict(
        {
            "experiment": {"model": "experiments_helpers:toy_outcomes", "replications": 1},
            "design": {"kind": "grid", "parameters": {"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0]}},
        }
    )
    run_experiment(design, tmp_path / "grid", executor="serial", progress=False)
    with pytest.raises(DesignError, match="lie on a grid"):
        given_data_indices(tmp_path / "grid", "score", "delta", resamples=5)


def test_sensitivity_section_uses_plain_names():
    result = morris_result([1.0, 0.3], [0.1, 0.1], 0.1)
    result.meta = {
        "scenario": "s",
        "method": "morris",
        "samples": 4,
        "levels": 4,
        "points": 12,
        "replications": 4,
        "runs": 48,
        "problem": {
            "grouped": True,
            "parameters": [
                {"path": "x", "mechanism": "m0", "kind": "mechanism", "low": 0, "high": 1}
            ],
        },
    }
    body = sensitivity_section(result, images={}).body
    assert "<b>M0</b> drives the" in body
