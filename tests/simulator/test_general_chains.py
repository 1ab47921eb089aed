"""General vacancy chains (moves up, across and down the ladder): the numba kernel and the
plain-Python reference agree bit for bit, and the market's invariants hold, for random fill
matrices with and without employer heterogeneity."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import fill_matrices, small_params, worlds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_invariants import check_links, check_status_flows
from test_reference_equivalence import _assert_same_world, _copies

from simulator import state
from simulator.engines import NUMBA, PYTHON
from simulator.kernels.demand import vacate
from simulator.kernels.mobility import holder_skills
from simulator.model import LabourMarketModel
from simulator.params import ModelParams
from simulator.tallies import new_flows

#: A fill matrix with every kind of move, for the whole-run comparison.
Q4 = [
    [0.10, 0.10, 0.05, 0.05],
    [0.40, 0.15, 0.10, 0.00],
    [0.10, 0.35, 0.15, 0.10],
    [0.00, 0.20, 0.40, 0.15],
]


def with_chains(params: ModelParams, fill: list[list[float]], heterogeneity: bool) -> ModelParams:
    """``params`` with the fill matrix ``fill`` and employer heterogeneity on or off."""
    data = params.model_dump()
    data["mobility"]["fill_matrix"] = fill
    data["mobility"]["employer_heterogeneity"] = heterogeneity
    return ModelParams.model_validate(data)


@st.composite
def chain_worlds(draw) -> tuple[ModelParams, int]:
    """Random small worlds with a random substochastic fill matrix (its chains end)."""
    params, seed = draw(worlds())
    fill = draw(fill_matrices(params.ladder.n_levels, max_row_sum=0.95))
    return with_chains(params, fill, draw(st.booleans())), seed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_worlds(), st.sampled_from([12.0, 250.0]))
def test_chains_identical_on_random_fill_matrices(world, persons_per_employer: float) -> None:
    """The vacancy-chain kernel against its reference, from a mid-run state with a tenth of
    the positions vacated, on random ladders, fill matrices and populations."""
    params, seed = world
    params = params.model_copy(update={"months": 12})
    params.population.persons_per_employer = persons_per_employer
    model = LabourMarketModel(params, rng=seed)
    for _ in range(3):
        model.step()
    w, pos, t = model.world, model.world.positions, model.world.month + 1
    held = np.flatnonzero(pos.i[:, state.Q_HOLDER] >= 0)
    for q in np.random.default_rng(seed).choice(held, size=len(held) // 10, replace=False):
        h = pos.i[q, state.Q_HOLDER]
        columns = [state.P_STATUS, state.P_POSITION, state.P_EMPLOYER]
        w.persons.i[h, columns] = (state.UNEMPLOYED, -1, -1)
        vacate.py_func(pos.i, q, t)
    n = params.ladder.n_levels
    outputs = []
    for engine in (NUMBA, PYTHON):
        pf, pi, qi, ef, _ = _copies(model)
        flows, count, length_sum, fills = (
            new_flows(),
            np.zeros(n),
            np.zeros(n),
            np.zeros((n, n + 2)),
        )
        engine.vacancy_chains(
            pf,
            pi,
            qi,
            pos.requirement,
            pos.level_start,
            pos.level_slots,
            pos.level_slots_start,
            ef,
            model._fill,
            model._par,
            model.key,
            t,
            flows,
            count,
            length_sum,
            fills,
            holder_skills(pf, qi),
        )
        outputs.append((pf, pi, qi, ef, flows, count, length_sum, fills))
    for a, b in zip(*outputs, strict=True):
        np.testing.assert_array_equal(a, b)
    # Every pending vacancy was decided, and each decision was counted once.
    fills, count, length_sum = outputs[0][7], outputs[0][5], outputs[0][6]
    assert (outputs[0][2][:, state.Q_STATE] != state.PENDING).all()
    assert fills.sum() == length_sum.sum()
    assert fills[:, n:].sum() == count.sum()


@pytest.mark.parametrize("heterogeneity", [True, False])
def test_whole_run_identical_with_moves_down(heterogeneity: bool) -> None:
    """Whole runs on both engines, with moves down the ladder, give the same state every
    month and the same realised fill matrix; moves down did happen."""
    params = with_chains(small_params(n_persons=800, months=12), Q4, heterogeneity)
    fast = LabourMarketModel(params, rng=4, engine="numba")
    slow = LabourMarketModel(params, rng=4, engine="python")
    for _ in range(params.months):
        fast.step()
        slow.step()
        _assert_same_world(fast, slow)
    ra, rb = fast.results(), slow.results()
    np.testing.assert_array_equal(ra.fills["vacancies"], rb.fills["vacancies"])
    np.testing.assert_array_equal(
        ra.indicators["value"].to_numpy(), rb.indicators["value"].to_numpy()
    )
    counts = ra.realised_fill_matrix(counts=True)
    down = sum(counts.loc[i, f"from_level_{j}"] for i in range(4) for j in range(i + 1, 4))
    assert down > 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_worlds())
def test_invariants_hold_with_moves_down(world) -> None:
    """Nobody holds two positions, no position has two holders, the links agree both ways and
    the status stocks follow the flows, whichever way chains move along the ladder."""
    params, seed = world
    model = LabourMarketModel(params, rng=seed)
    check_links(model)
    for _ in range(params.months):
        stocks = np.bincount(
            model.world.persons.i[: model.world.persons.n, state.P_STATUS],
            minlength=len(state.STATUS_NAMES),
        )
        model.step()
        check_links(model)
        check_status_flows(model.results().wide().iloc[-1], *stocks[:3])
    # Every decision was counted: the realised fill counts add up to the chains' lengths.
    results = model.results()
    chains = results.chains
    assert results.fills["vacancies"].sum() == pytest.approx(
        (chains["chains"] * chains["mean_length"].fillna(0)).sum()
    )
