"""Matching behaves like the urn-ball process when everyone sends one untargeted application
and every applicant is acceptable (del Rio-Chanona et al. 2021)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import state
from simulator.engines import NUMBA
from simulator.model import LabourMarketModel
from simulator.params import ModelParams
from simulator.tallies import new_flows


def _urn_ball_world(vacancies: int) -> tuple[LabourMarketModel, np.ndarray]:
    params = ModelParams.model_validate(
        {
            "population": {
                "n_persons": 3000,
                "initial_inactive_share": 0.0,
                "initial_unemployment_rate": 0.4,
                "share_partial_ability": 0.0,
            },
            "spin_up_months": 0,
            "demand": {"inactive_search_rate": 0.0},
            "ladder": {"slack": 1.0},
            "matching": {
                "applications": 1.0,
                "hiring_standard": -1.0,
                "bias_mean": 0.0,
                "stigma_per_month": 0.0,
                "screening_rate": 1.0,
                "external_skill_weight": 0.0,
            },
            "mechanisms": {"efficacy_effort_link": 0.0},
        }
    )
    model = LabourMarketModel(params, rng=3)
    w = model.world
    n = w.persons.n
    w.persons.f[:n, state.P_SEARCH_EFFORT] = 1.0
    qi = w.positions.i
    qi[:, state.Q_STATE] = np.where(qi[:, state.Q_HOLDER] >= 0, state.FILLED, qi[:, state.Q_STATE])
    # Exactly `vacancies` open slots, taken from the free slots.
    free = np.flatnonzero(qi[:, state.Q_HOLDER] < 0)
    qi[free, state.Q_ACTIVE] = 0
    qi[free, state.Q_STATE] = state.FILLED
    chosen = free[:vacancies]
    assert len(chosen) == vacancies
    qi[chosen, state.Q_ACTIVE] = 1
    qi[chosen, state.Q_STATE] = state.OPEN
    qi[chosen, state.Q_CARVED] = 0
    return model, chosen


@pytest.mark.parametrize("vacancies", [120, 600, 1100])
def test_hiring_probability_is_urn_ball(vacancies: int) -> None:
    model, _ = _urn_ball_world(vacancies)
    w = model.world
    n = w.persons.n
    seekers = int((w.persons.i[:n, state.P_STATUS] == state.UNEMPLOYED).sum())
    hires = []
    for month in range(1, 41):
        pf, pi, qi = (
            w.persons.f.copy(order="F"),
            w.persons.i.copy(order="F"),
            w.positions.i.copy(order="F"),
        )
        NUMBA.matching_step(
            pf,
            pi,
            n,
            qi,
            np.zeros_like(w.positions.requirement),
            w.employers.f,
            model._iv,
            model._par,
            model.key,
            month,
            new_flows(),
        )
        assert (pi[:n, state.P_APPLICATIONS][pi[:n, state.P_STATUS] != state.EMPLOYED] <= 1).all()
        hires.append(int(pi[:n, state.P_HIRED_THIS_MONTH].sum()))
    success = np.mean(hires) / seekers
    theta = vacancies / seekers
    finite = vacancies / seekers * (1.0 - (1.0 - 1.0 / vacancies) ** seekers)
    asymptotic = theta * (1.0 - np.exp(-1.0 / theta))
    se = np.std(hires) / np.sqrt(len(hires)) / seekers
    assert success == pytest.approx(finite, abs=4 * se + 1e-3)
    assert success == pytest.approx(asymptotic, rel=0.03)
