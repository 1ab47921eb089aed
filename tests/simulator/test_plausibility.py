"""With default parameters the baseline behaves like a European labour market."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import state
from simulator.model import LabourMarketModel
from simulator.params import ModelParams


@pytest.fixture(scope="module")
def baseline():
    params = ModelParams.model_validate({"months": 120, "population": {"n_persons": 20_000}})
    return LabourMarketModel(params, rng=12).run().wide()


def test_settles_to_a_stable_unemployment_rate(baseline) -> None:
    u = baseline["unemployment_rate"].to_numpy()
    yearly = u[24:].reshape(-1, 12).mean(axis=1)  # years 3-10
    assert 0.04 < yearly.mean() < 0.13
    assert yearly.max() - yearly.min() < 0.03, yearly


def test_twenty_years_stable_population_and_unemployment() -> None:
    """Entrants replace retirements and the run starts from the spin-up's steady state, so the
    population and unemployment stay level from the first year on (the same law the shipped
    labs are held to in ``test_labs_grounded.py``)."""
    params = ModelParams.model_validate({"months": 240, "population": {"n_persons": 20_000}})
    yearly, growth = [], []
    for seed in (1, 2, 3):
        w = LabourMarketModel(params, rng=seed).run().wide()
        yearly.append(w["unemployment_rate"].to_numpy().reshape(-1, 12).mean(axis=1))
        people = w["population"].to_numpy()
        growth.append(people[-1] / people[0] - 1)
    mean = np.mean(yearly, axis=0)
    assert 0.04 < mean.mean() < 0.13
    per_decade = 10 * np.polyfit(np.arange(len(mean)), mean, 1)[0]
    assert abs(per_decade) < 0.003, mean.round(4)
    assert np.all(np.abs(growth) < 0.003), growth


def test_long_term_share_and_quarterly_flows(baseline) -> None:
    """Survey quarterly transitions (the same person three months apart) in the ranges EU-LFS
    flow statistics publish for European countries."""
    late = baseline.iloc[12:]
    assert 0.1 < late["long_term_share"].mean() < 0.6
    ranges = {
        "quarterly_u_to_e": (0.12, 0.5),
        "quarterly_e_to_u": (0.004, 0.03),
        "quarterly_e_to_i": (0.008, 0.04),
        "quarterly_u_to_i": (0.08, 0.35),
        "quarterly_i_to_e": (0.015, 0.1),
        "quarterly_i_to_u": (0.015, 0.1),
    }
    for name, (low, high) in ranges.items():
        assert low < late[name].mean() < high, (name, late[name].mean())
    assert 0.001 < late["vacancy_rate"].mean() < 0.05


def test_exit_rate_falls_with_spell_length() -> None:
    params = ModelParams.model_validate({"population": {"n_persons": 20_000}})
    model = LabourMarketModel(params, rng=3)
    bins = np.array([0, 3, 6, 12, 24, 10_000])
    at_risk = np.zeros(len(bins) - 1)
    exits = np.zeros(len(bins) - 1)
    for _ in range(18):
        model.step()
    for _ in range(36):
        w = model.world
        n = w.persons.n
        seekers = np.flatnonzero(w.persons.i[:n, state.P_STATUS] == state.UNEMPLOYED)
        spell = w.persons.i[seekers, state.P_UNEMPLOYMENT_DURATION]
        model.step()
        hired = model.world.persons.i[seekers, state.P_HIRE_MONTH] == model.world.month
        which = np.digitize(spell, bins) - 1
        np.add.at(at_risk, which, 1)
        np.add.at(exits, which, hired)
    hazard = exits / at_risk
    assert (np.diff(hazard) < 0).all(), hazard
    assert hazard[0] > 2 * hazard[-1]


def test_demand_shock_moves_along_a_beveridge_curve() -> None:
    base = {"months": 72, "population": {"n_persons": 20_000}}
    shock = {**base, "demand": {"demand_shock": -0.6, "shock_start": 36, "shock_length": 18}}
    calm = LabourMarketModel(ModelParams.model_validate(base), rng=5).run().wide()
    hit = LabourMarketModel(ModelParams.model_validate(shock), rng=5).run().wide()
    window = slice(42, 54)
    du = (
        hit["unemployment_rate"].iloc[window].mean() - calm["unemployment_rate"].iloc[window].mean()
    )
    dv = hit["vacancy_rate"].iloc[window].mean() - calm["vacancy_rate"].iloc[window].mean()
    assert du > 0.01, du
    assert dv < 0, dv
    # Before the shock the two runs are identical (common random numbers).
    np.testing.assert_array_equal(
        hit["unemployment_rate"].iloc[:35], calm["unemployment_rate"].iloc[:35]
    )
