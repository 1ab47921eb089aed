"""Calibration uncertainty: the standard errors match how much estimates really vary.

Synthetic living labs generated at known parameters with different seeds are independent
realisations of the same data-generating process, so their spread is the sampling
distribution the reported uncertainty has to describe.
"""

from __future__ import annotations

import numpy as np

from calibration import calibrate, config_from_dict
from calibration.evaluate import UNCERTAINTY, Evaluator
from calibration.fit import load_data, prepare, published, size_ratio
from calibration.make_synthetic import make_synthetic
from calibration.moments import observed_moments
from calibration.uncertainty import model_covariance, parametric_covariance
from experiments.backends import SerialExecutor

#: A lab without giant employers (see tests/test_calibration_fit.py).
LAB = ["population.employer_size_shape=3.0"]
QUIT = 0.005


def config(folder, persons: int, **fit):
    return config_from_dict(
        {
            "data": {"aggregate": "aggregate.csv", "panel": "panel.csv", "public": "public.csv"},
            "model": {"base": "base_params.json", "persons": persons},
            "parameters": [{"path": "demand.quit_rate", "lower": 0.002, "upper": 0.008}],
            "fit": {"bootstrap": 20, **fit},
        },
        root=folder,
    )


def test_data_covariance_matches_the_spread_of_data_moments(tmp_path):
    """The parametric covariance of the observed moments is their variance across labs."""
    persons, labs = 300, 60
    problem, observed = None, []
    for seed in range(labs):
        folder = tmp_path / str(seed)
        make_synthetic(folder, persons, 12, 700 + seed, {"demand.quit_rate": QUIT}, settings=LAB)
        if problem is None:
            problem = prepare(config(folder, persons, seed=9))
        observed.append(observed_moments(problem.specs, load_data(config(folder, persons)))[0])
    observed = np.array(observed)
    runs = Evaluator(problem.space, problem.specs, 9, 0, SerialExecutor()).on_stream(UNCERTAINTY)
    reps = runs.moments([np.array([QUIT])], labs)[0]
    omega = parametric_covariance(
        problem.data_cov, model_covariance(reps), published(problem), size_ratio(problem)
    )
    seen = ~np.isnan(observed).any(axis=0)
    assert seen.mean() > 0.8
    ratio = np.var(observed, axis=0, ddof=1) / np.diag(omega)
    names = [s.name for s in problem.specs]
    detail = dict(zip(names, ratio.round(2), strict=True))
    assert 0.75 < np.median(ratio[seen]) < 1.33, detail
    # Public statistics vary with the lab's own market as well as by survey error: their
    # published standard errors alone understate their variance about threefold here.
    public = published(problem)
    assert public.sum() == 2
    assert np.all((ratio[public] > 0.6) & (ratio[public] < 1.6)), detail


def test_standard_errors_match_the_spread_of_estimates(tmp_path):
    """Over independent labs, estimates lie about one reported standard error from the truth."""
    persons, labs = 1000, 8
    z = []
    for seed in range(labs):
        folder = tmp_path / str(seed)
        make_synthetic(folder, persons, 24, 500 + seed, {"demand.quit_rate": QUIT}, settings=LAB)
        fit = {"seed": 40 + seed, "replications": 2, "popsize": 6, "maxiter": 3}
        result = calibrate(config(folder, persons, se_replications=6, **fit), None)
        se = result.uncertainty.se[0]
        assert np.isfinite(se) and se > 0
        z.append((result.search.x[0] - QUIT) / se)
    z = np.array(z)
    # Root mean square of the standardised errors: 1 when the errors describe the spread.
    # Errors several times too small (or too large) move it far outside this band.
    rms = float(np.sqrt(np.mean(z**2)))
    assert 0.5 < rms < 1.8, z.round(2)
