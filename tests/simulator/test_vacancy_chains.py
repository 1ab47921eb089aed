"""Vacancy chains reproduce Harrison White's result: with fill matrix Q, a vacancy arising at
level i fills on average the i-th row sum of (I - Q)^-1 jobs (counting the final fill from
outside) before it leaves the system, for any substochastic Q (moves up, across and down the
ladder), and the realised fill matrix is Q when employers do not differ and movers exist.

Tolerances are statistical: a mean chain length is compared with White's value within ``z``
standard errors, the standard error coming from the chain-length variance Q implies (Kemeny &
Snell) and the number of chains; a realised share within ``z`` binomial standard errors. ``z``
keeps the chance that a correct kernel fails any comparison of one test below
``FALSE_ALARM``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from helpers import fill_matrices, small_params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from simulator import state
from simulator.chain_stats import chain_length_variances, expected_chain_lengths, fill_sources
from simulator.engines import NUMBA, PYTHON, Engine
from simulator.kernels.demand import vacate
from simulator.kernels.mobility import holder_skills
from simulator.model import LabourMarketModel
from simulator.params import ModelParams
from simulator.tallies import new_flows

#: A fill matrix with moves up (j < i), across (j == i) and down (j > i) the ladder.
Q = [
    [0.25, 0.10, 0.05],
    [0.40, 0.15, 0.10],
    [0.25, 0.30, 0.15],
]
#: Chance that a correct kernel fails one test's comparisons, all together.
FALSE_ALARM = 1e-5


def z_bound(comparisons: int) -> float:
    """Two-sided normal bound for ``comparisons`` comparisons at :data:`FALSE_ALARM`
    (Bonferroni)."""
    return float(norm.isf(FALSE_ALARM / (2 * max(comparisons, 1))))


def white_params(fill: list[list[float]], n_persons: int = 24_000, months: int = 30) -> ModelParams:
    n = len(fill)
    return ModelParams.model_validate(
        {
            "months": months,
            "population": {
                "n_persons": n_persons,
                "persons_per_employer": 400.0,
                "employer_size_shape": 5.0,
            },
            # Everyone qualifies everywhere and every employer realises Q as entered.
            "ladder": {"skill_requirements": [0.0] * n, "level_shares": [1.0] * n, "slack": 0.0},
            "mobility": {
                "fill_matrix": fill,
                "promotion_requires_skill": False,
                "employer_heterogeneity": False,
                "internal_fill": [0.0] * n,
                "job_to_job_fill": [0.0] * n,
            },
        }
    )


def assert_white(q: np.ndarray, count: np.ndarray, length_sum: np.ndarray, fills: np.ndarray):
    """Mean chain length by start level equals White's and realised fill shares equal Q, within
    their standard errors; nobody drawn to move was missing (the premise of White's result)."""
    n = len(q)
    assert fills[:, n + 1].sum() == 0, "a drawn move found no mover"
    assert (count >= 100).all(), f"too few chains for the normal bound: {count}"
    expected = expected_chain_lengths(q)
    se = np.sqrt(chain_length_variances(q) / count)
    decided = fills.sum(axis=1)
    share = fills[:, : n + 1] / decided[:, None]
    p = np.column_stack([q, 1.0 - q.sum(axis=1)])
    share_se = np.sqrt(p * (1.0 - p) / decided[:, None])
    z = z_bound(n + p.size)
    mean = length_sum / count
    assert np.all(np.abs(mean - expected) <= z * se), (mean, expected, se, z)
    # A share of exactly 0 or 1 has no spread: it must be met exactly.
    assert np.all(np.abs(share - p) <= z * share_se), (share, p, share_se, z)


def test_mean_chain_length_matches_white() -> None:
    """A whole run: chains started by quits, retirements and new jobs, month after month."""
    results = LabourMarketModel(white_params(Q), rng=7).run()
    c = results.chains
    count = c.groupby("start_level")["chains"].sum().to_numpy()
    length_sum = (c["chains"] * c["mean_length"].fillna(0)).groupby(c["start_level"]).sum()
    counts = results.realised_fill_matrix(counts=True)
    fills = counts[[*fill_sources(3)[:3], "outside", "no_candidate"]].to_numpy()
    fills[:, 3] -= fills[:, 4]  # "outside" includes the openings for want of a mover
    assert_white(np.array(Q), count, length_sum.to_numpy(), fills)
    summary = results.chain_summary()
    multiplier = summary.loc["all", "mean_length"]
    assert multiplier == pytest.approx(length_sum.sum() / count.sum())
    assert summary.loc["all", "share_filled_from_employment"] == pytest.approx(
        1.0 - 1.0 / multiplier
    )


def test_no_moves_means_length_one() -> None:
    zero = [[0.0] * 3 for _ in range(3)]
    results = LabourMarketModel(white_params(zero), rng=1).run(months=6)
    assert (results.chains["mean_length"].dropna() == 1.0).all()
    shares = results.realised_fill_matrix()
    assert (shares["outside"] == 1.0).all()


@functools.cache
def chain_world(n_levels: int) -> LabourMarketModel:
    """A large market in which a mover is always found: 100,000 people, 250 employers."""
    zero = [[0.0] * n_levels for _ in range(n_levels)]
    return LabourMarketModel(white_params(zero, n_persons=100_000, months=1), rng=11)


def decide_chains(
    model: LabourMarketModel, q: np.ndarray, month: int, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vacate ``share`` of the filled positions of a copy of ``model``'s world and decide the
    chains they start; return chains and summed lengths by start level, and the fill counts."""
    w, pos = model.world, model.world.positions
    pf, pi, qi = w.persons.f.copy(), w.persons.i.copy(), pos.i.copy()
    held = np.flatnonzero(qi[:, state.Q_HOLDER] >= 0)
    vacated = np.random.default_rng(seed).choice(held, size=int(share * len(held)), replace=False)
    h = qi[vacated, state.Q_HOLDER]
    pi[h, state.P_STATUS], pi[h, state.P_POSITION], pi[h, state.P_EMPLOYER] = (
        state.UNEMPLOYED,
        -1,
        -1,
    )
    for v in vacated:
        vacate.py_func(qi, v, month)  # as a quit leaves it: pending, a chain of length 0
    n = len(q)
    count, length_sum, fills = np.zeros(n), np.zeros(n), np.zeros((n, n + 2))
    NUMBA.vacancy_chains(
        pf,
        pi,
        qi,
        pos.requirement,
        pos.level_start,
        pos.level_slots,
        pos.level_slots_start,
        w.employers.f,
        q,
        model._par,
        model.key,
        month,
        new_flows(),
        count,
        length_sum,
        fills,
        holder_skills(pf, qi),
    )
    return count, length_sum, fills


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 5).flatmap(lambda n: fill_matrices(n, max_row_sum=0.8)),
    st.integers(1, 10**6),
    st.integers(0, 2**32 - 1),
)
def test_white_holds_for_random_fill_matrices(fill: list[list[float]], month: int, seed: int):
    """For random substochastic Q (up, across and down), employer heterogeneity off and movers
    always at hand, chain lengths by start level are the row sums of (I - Q)^-1 and the
    realised fill matrix is Q."""
    model = chain_world(len(fill))
    assert model._par.development_effect == 0.0  # heterogeneity off
    q = np.array(fill)
    count, length_sum, fills = decide_chains(model, q, month, share=0.02, seed=seed)
    assert_white(q, count, length_sum, fills)


def test_heterogeneity_scales_only_promotions() -> None:
    """With employer heterogeneity on, promotions are realised less often than Q says (by the
    employers' willingness to develop staff), while moves across and down are realised as Q
    says and the difference goes to outside applicants."""
    q = np.array(Q)
    on = white_params(Q, n_persons=100_000, months=1).model_copy(deep=True)
    on.mobility.employer_heterogeneity = True
    model = LabourMarketModel(on, rng=11)
    assert model._par.development_effect == on.mobility.development_effect > 0
    _, _, fills = decide_chains(model, q, month=5, share=0.02, seed=1)
    decided = fills.sum(axis=1)
    share = fills / decided[:, None]
    z = z_bound(6)
    for i in range(3):
        for j in range(3):
            se = np.sqrt(q[i, j] * (1 - q[i, j]) / decided[i])
            if j < i:
                assert share[i, j] < q[i, j] - z * se, (i, j)  # promotions scaled down
            else:
                assert abs(share[i, j] - q[i, j]) <= z * se, (i, j)


@pytest.mark.parametrize("engine", [NUMBA, PYTHON], ids=["numba", "python"])
@pytest.mark.parametrize("partial", [0, 1])
def test_carved_vacancy_takes_only_partial_ability_movers(engine: Engine, partial: int) -> None:
    """A carved job that falls vacant stays reserved for people with partial work ability: a
    job-to-job mover into it must have it (without anyone who does, it opens to outsiders)."""
    model = LabourMarketModel(small_params(n_persons=400), rng=3)
    w, pos = model.world, model.world.positions
    pi, qi = w.persons.i, pos.i
    par, fill = model._par._replace(promotion_requires_skill=0.0), model._fill.copy()
    fill[0, :] = 0.0
    fill[0, 0] = 1.0  # an entry-level vacancy is always offered to job-to-job movers
    pi[: w.persons.n, state.P_PARTIAL_ABILITY] = partial
    q = int(np.flatnonzero((qi[:, state.Q_LEVEL] == 0) & (qi[:, state.Q_HOLDER] >= 0))[0])
    h = qi[q, state.Q_HOLDER]
    pi[h, state.P_STATUS], pi[h, state.P_POSITION], pi[h, state.P_EMPLOYER] = (
        state.UNEMPLOYED,
        -1,
        -1,
    )
    qi[q, state.Q_HOLDER], qi[q, state.Q_STATE], qi[q, state.Q_CARVED] = -1, state.PENDING, 1
    engine.vacancy_chains(
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
        np.zeros((len(fill), len(fill) + 2)),
        holder_skills(w.persons.f, qi),
    )
    mover = qi[q, state.Q_HOLDER]
    if partial:
        assert mover >= 0 and qi[q, state.Q_STATE] == state.FILLED
    else:
        assert mover < 0 and qi[q, state.Q_STATE] == state.OPEN
