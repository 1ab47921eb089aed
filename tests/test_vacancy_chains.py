"""Vacancy chains reproduce Harrison White's result: with fill matrix Q, a vacancy arising at
level i makes on average the i-th row sum of (I - Q)^-1 moves before it leaves the system."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.model import LabourMarketModel
from simulator.params import ModelParams

Q = [
    [0.30, 0.0, 0.0],
    [0.45, 0.15, 0.0],
    [0.25, 0.35, 0.20],
]


def white_params(fill: list[list[float]]) -> ModelParams:
    n = len(fill)
    return ModelParams.model_validate(
        {
            "months": 30,
            "population": {
                "n_persons": 24_000,
                "persons_per_employer": 400.0,
                "employer_size_shape": 5.0,
            },
            # Everyone qualifies everywhere and every employer fully realises Q.
            "ladder": {"skill_requirements": [0.0] * n, "level_shares": [1.0] * n, "slack": 0.0},
            "mobility": {
                "fill_matrix": fill,
                "promotion_requires_skill": False,
                "development_effect": 0.0,
                "internal_fill": [0.0] * n,
                "job_to_job_fill": [0.0] * n,
            },
        }
    )


def test_mean_chain_length_matches_white() -> None:
    params = white_params(Q)
    results = LabourMarketModel(params, rng=7).run()
    chains = results.chains
    expected = np.linalg.inv(np.eye(3) - np.array(Q)).sum(axis=1)
    for level in range(3):
        d = chains[chains["start_level"] == level]
        count = d["chains"].sum()
        mean = (d["chains"] * d["mean_length"].fillna(0)).sum() / count
        # Chain length is at least 1; its spread bounds the standard error of the mean.
        se = np.sqrt(expected[level] ** 2 / count)
        assert count > 500
        assert mean == pytest.approx(expected[level], abs=4 * se), (level, mean, expected)


def test_no_moves_means_length_one() -> None:
    zero = [[0.0] * 3 for _ in range(3)]
    chains = LabourMarketModel(white_params(zero), rng=1).run(months=6).chains
    assert (chains["mean_length"].dropna() == 1.0).all()
