"""Property-based invariants over random small worlds (hypothesis).

Nobody holds two positions, no position has two holders, the holder links agree both ways,
headcount changes only through the modelled flows, and rates stay in [0, 1].
"""

from __future__ import annotations

import numpy as np
from helpers import worlds
from hypothesis import HealthCheck, given, settings

from simulator import state as S
from simulator.model import LabourMarketModel

RATE_INDICATORS = (
    "employment_rate",
    "unemployment_rate",
    "long_term_share",
    "job_finding_rate",
    "job_loss_rate",
    "vacancy_rate",
    "share_filled_from_employment",
    "retention_6m",
    "retention_12m",
    "coalition_integration",
)


def check_links(model: LabourMarketModel) -> None:
    w = model.world
    n = w.persons.n
    pi, qi = w.persons.i[:n], w.positions.i
    employed = np.flatnonzero(pi[:, S.P_STATUS] == S.EMPLOYED)
    pos = pi[employed, S.P_POSITION]
    assert (pos >= 0).all(), "an employee without a position"
    assert len(np.unique(pos)) == len(pos), "two employees share a position"
    np.testing.assert_array_equal(qi[pos, S.Q_HOLDER], employed)
    assert (qi[pos, S.Q_ACTIVE] == 1).all(), "someone holds a destroyed position"
    np.testing.assert_array_equal(pi[employed, S.P_EMPLOYER], qi[pos, S.Q_EMPLOYER])
    holders = qi[qi[:, S.Q_HOLDER] >= 0, S.Q_HOLDER]
    assert len(np.unique(holders)) == len(holders), "a person holds two positions"
    np.testing.assert_array_equal(np.sort(holders), employed)
    others = pi[pi[:, S.P_STATUS] != S.EMPLOYED]
    assert (others[:, S.P_POSITION] == -1).all(), "a non-employee keeps a position"
    # Positions never change employer or level; vacancies are active.
    vacant = (qi[:, S.Q_ACTIVE] == 1) & (qi[:, S.Q_HOLDER] < 0)
    assert (qi[vacant, S.Q_STATE] != S.FILLED).all()
    assert (w.persons.f[:n] >= 0).all()
    # Target-group traits are kept up to date as people age.
    from simulator.setup import trait_bits

    np.testing.assert_array_equal(pi[:, S.P_TRAITS], trait_bits(pi))
    for col in (S.P_SKILL, S.P_EFFICACY, S.P_TRUST, S.P_SEARCH_SKILL, S.P_EFFORT):
        assert (w.persons.f[:n, col] <= 1.0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_invariants_hold_every_month(world) -> None:
    params, seed = world
    model = LabourMarketModel(params, rng=seed)
    check_links(model)

    def alive() -> int:
        w = model.world
        return int((w.persons.i[: w.persons.n, S.P_STATUS] != S.GONE).sum())

    for _ in range(params.months):
        before = alive()
        model.step()
        check_links(model)
        w = model.results().wide()
        last = w.iloc[-1]
        # Headcount: only entrants join, only retirements leave the population.
        assert alive() == before + last["entrants"] - last["retirements"]
        # The labour-force accounting closes.
        assert last["employed"] + last["unemployed"] + last["inactive"] == alive()
    results = model.results()
    d = results.indicators
    for name in RATE_INDICATORS:
        values = d.loc[d["indicator"] == name, "value"].dropna()
        assert ((values >= 0) & (values <= 1)).all(), name
    assert (d["value"].dropna() >= 0).all()
