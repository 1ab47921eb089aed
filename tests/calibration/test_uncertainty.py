"""Calibration uncertainty: the standard errors match how much estimates really vary.

Synthetic living labs generated at known parameters with different seeds are independent
realisations of the same data-generating process, so their spread is the sampling
distribution the reported uncertainty has to describe.
"""

from __future__ import annotations

import numpy as np
import pytest

from calibration import calibrate, config_from_dict
from calibration.evaluate import UNCERTAINTY, Evaluator
from calibration.fit import load_data, prepare, published, size_ratio
from calibration.jacobian import Jacobian
from calibration.make_synthetic import make_synthetic
from calibration.moments import MomentSpec, observed_moments
from calibration.uncertainty import (
    identification,
    information,
    model_covariance,
    parametric_covariance,
    sandwich,
)
from experiments.runner.executors import SerialExecutor

#: A lab without giant employers (see tests/calibration/test_fit.py).
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
    persons, labs = 300, 120
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


@pytest.mark.parametrize("seed", [0, 3])
def test_a_parameter_lost_in_the_noise_lowers_the_rank(seed):
    """A parameter the moments do not react to must not count as identified.

    Its central differences are pure simulation noise: their mean is not zero, so the noisy
    Jacobian has a clearly non-zero singular value for it (the rank of the noisy Jacobian is
    2), but with the noise taken out little or nothing is left. (Seed 0 leaves a negative
    information, so no standard errors; seed 3 a small positive one, so a huge error.)
    """
    rng = np.random.default_rng(seed)
    moments, reps = 8, 12
    signal = 5.0 * rng.normal(size=moments)
    draws = np.stack(
        [
            np.column_stack([signal + rng.normal(size=moments), rng.normal(size=moments)])
            for _ in range(reps)
        ]
    )
    jac = Jacobian(draws.mean(axis=0), np.ones(2), draws)
    weight = omega = np.eye(moments)
    lower, upper = np.zeros(2), np.ones(2)
    noisy = np.linalg.svd(jac.matrix, compute_uv=False)
    assert noisy[1] > 1e-3 * noisy[0]  # what the noisy Jacobian would call identified
    cov, se = sandwich(jac, weight, omega, upper - lower)
    specs = [MomentSpec("aggregate", f"m{i}") for i in range(moments)]
    ident = identification(
        specs,
        ["informative", "noise"],
        lower,
        upper,
        jac.matrix,
        omega,
        se,
        information(jac, weight, upper - lower),
        cov,
    )
    assert ident.rank == 1
    assert ident.singular_values[1] < 2 * 1.96 < ident.singular_values[0]
    table = ident.table.set_index("parameter")
    assert table.loc["noise", "verdict"] == "not pinned down"
    assert table.loc["noise", "sensitivity"] < 0.5 * noisy[1]
