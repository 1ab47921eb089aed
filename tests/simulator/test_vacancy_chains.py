"""Vacancy chains reproduce Harrison White's result: with fill matrix Q, a vacancy arising at
level i makes on average the i-th row sum of (I - Q)^-1 moves before it leaves the system."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small_params

from simulator import packed as K
from simulator import state
from simulator.engines import NUMBA, PYTHON, Engine
from simulator.model import LabourMarketModel
from simulator.packed import new_flows
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


@pytest.mark.parametrize("backend", [NUMBA, PYTHON], ids=["numba", "python"])
@pytest.mark.parametrize("partial", [0, 1])
def test_carved_vacancy_takes_only_partial_ability_movers(backend: Engine, partial: int) -> None:
    """A carved job that falls vacant stays reserved for people with partial work ability: a
    job-to-job mover into it must have it (without anyone who does, it opens to outsiders)."""
    model = LabourMarketModel(small_params(n_persons=400), rng=3)
    w, pos = model.world, model.world.positions
    pi, qi = w.persons.i, pos.i
    par, fill = model._par.copy(), model._fill.copy()
    par[K.K_REQUIRES_SKILL] = 0.0
    fill[0, :] = 0.0
    fill[0, 0] = 1.0  # an entry-level vacancy is always offered to job-to-job movers
    pi[: w.persons.n, state.P_PARTIAL] = partial
    q = int(np.flatnonzero((qi[:, state.Q_LEVEL] == 0) & (qi[:, state.Q_HOLDER] >= 0))[0])
    h = qi[q, state.Q_HOLDER]
    pi[h, state.P_STATUS], pi[h, state.P_POSITION], pi[h, state.P_EMPLOYER] = (
        state.UNEMPLOYED,
        -1,
        -1,
    )
    qi[q, state.Q_HOLDER], qi[q, state.Q_STATE], qi[q, state.Q_CARVED] = -1, state.PENDING, 1
    backend.vacancy_chains(
        w.persons.f,
        pi,
        qi,
        pos.requirement,
        pos.level_start,
        pos.level_slots,
        pos.level_slots_start,
        w.employers.f,
        fill,
        par,
        model.key,
        1,
        new_flows(),
        np.zeros(len(fill)),
        np.zeros(len(fill)),
    )
    mover = qi[q, state.Q_HOLDER]
    if partial:
        assert mover >= 0 and qi[q, state.Q_STATE] == state.FILLED
    else:
        assert mover < 0 and qi[q, state.Q_STATE] == state.OPEN
