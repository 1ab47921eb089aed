"""Matching behaves like the urn-ball process when everyone sends one untargeted application
and every applicant is acceptable (del Rio-Chanona et al. 2021), and its screening hires whom
screening one vacancy after another hires."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import rules, state
from simulator.engines import NUMBA
from simulator.kernel_params import kernel_params
from simulator.kernels import matching
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
        gathered = NUMBA.gather_seekers(pf, pi, n, model._iv, model._par, model.key, month)
        NUMBA.matching_step(
            pf,
            pi,
            qi,
            np.zeros_like(w.positions.requirement),
            w.employers.f,
            model._iv,
            model._par,
            model.key,
            month,
            new_flows(),
            gathered,
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


def _serial_screening(
    order, start, seeker_of, eps, screened, carved, standard, bias, req, who, par
):
    """Screening one vacancy after another, each taking its best acceptable applicant not
    taken yet (the first of equal scores), written out plainly: the slot each seeker is hired
    into."""
    hired = [-1] * len(who["skill"])
    for v in order:
        if not screened[v]:
            continue
        best, best_score = -1, 0.0
        for t in range(start[v], start[v + 1]):
            j = seeker_of[t]
            if hired[j] >= 0 or not rules.may_hold.py_func(carved[v], int(who["partial"][j])):
                continue
            score = rules.screening_score.py_func(
                who["skill"][j],
                req[v],
                par.external_skill_weight,
                bias[v],
                who["groups"][j],
                who["udur"][j],
                par.stigma_per_month,
                par.stigma_cap_months,
                who["support"][j],
                par.support_bonus,
                who["ability"][j],
                par.work_ability_penalty,
                carved[v],
                eps[t],
            )
            if score >= standard[v] and (best < 0 or score > best_score):
                best, best_score = j, score
        if best >= 0:
            hired[best] = 100 + v  # the vacancy's slot
    return hired


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_screening_hires_as_one_vacancy_after_another(data: st.DataObject) -> None:
    """For any applications (repeated ones, equal scores, carved jobs, vacancies not screened),
    finding each vacancy's best applicant first and taking them in the screening order when
    still free hires exactly whom screening one vacancy after another hires."""
    nv = data.draw(st.integers(1, 8), label="vacancies")
    n_seek = data.draw(st.integers(1, 10), label="seekers")
    apps = data.draw(
        st.lists(st.lists(st.integers(0, n_seek - 1), max_size=6), min_size=nv, max_size=nv)
    )
    start = np.concatenate(([0], np.cumsum([len(a) for a in apps]))).astype(np.int64)
    seeker_of = np.array([j for a in apps for j in a], dtype=np.int64)
    few = st.sampled_from([0.0, 0.1, 0.25])  # few values, so that scores tie
    eps = np.array(data.draw(st.lists(few, min_size=len(seeker_of), max_size=len(seeker_of))))

    def per(strategy, n, dtype):
        return np.array(data.draw(st.lists(strategy, min_size=n, max_size=n)), dtype=dtype)

    who = {
        "skill": per(few, n_seek, np.float64),
        "groups": per(st.sampled_from([0, state.G_MIGRANT, state.G_LTU]), n_seek, np.int64),
        "udur": per(st.integers(0, 30), n_seek, np.int64),
        "support": per(few, n_seek, np.float64),
        "ability": per(st.sampled_from([0.5, 1.0]), n_seek, np.float64),
        "partial": per(st.booleans(), n_seek, np.bool_),
    }
    screened = per(st.booleans(), nv, np.bool_)
    carved = per(st.integers(0, 1), nv, np.int64)
    standard = per(st.sampled_from([-1.0, -0.1, 0.0]), nv, np.float64)
    bias = per(few, nv, np.float64)
    req = per(few, nv, np.float64)
    order = np.array(data.draw(st.permutations(range(nv))), dtype=np.int64)
    par = kernel_params(ModelParams())
    vac = np.arange(100, 100 + nv, dtype=np.int64)

    applications = (start, seeker_of, eps)
    vacancies = (screened, carved, standard, bias, req)
    applicants = tuple(who[k] for k in ("skill", "groups", "udur", "support", "ability", "partial"))
    first_best = matching.best_applicants(applications, vacancies, applicants, par)
    hired = matching.screen(order, first_best, vac, applications, vacancies, applicants, par)
    expected = _serial_screening(
        order, start, seeker_of, eps, screened, carved, standard, bias, req, who, par
    )
    assert hired.tolist() == expected
