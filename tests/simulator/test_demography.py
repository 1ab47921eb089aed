"""The demography's steady state: the closed form, the draw, and a model that stays in it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator import demography, state
from simulator.model import LabourMarketModel
from simulator.params import ModelParams


def params_with(
    retirement_age: int,
    school: tuple[float, float],
    migrant: tuple[float, float],
    migrant_rate: float,
) -> ModelParams:
    return ModelParams.model_validate(
        {
            "demand": {
                "retirement_age": retirement_age,
                "entry_rate": 0.0016,
                "migrant_entry_rate": migrant_rate,
            },
            "entrants": {
                "school_leaver_age_min": school[0],
                "school_leaver_age_max": school[1],
                "migrant_age_min": migrant[0],
                "migrant_age_max": migrant[1],
            },
        }
    )


def stationary_cdf(params: ModelParams, ages: np.ndarray) -> np.ndarray:
    """Share of the steady-state population younger than each age (closed form)."""
    return np.array([demography.share_aged(params, 0.0, a) for a in ages])


@st.composite
def demographies(draw) -> ModelParams:
    retirement = draw(st.integers(55, 75))
    lo = draw(st.floats(15.0, 30.0))
    school = (lo, lo + draw(st.floats(0.0, 10.0)))
    mlo = draw(st.floats(15.0, 60.0))
    migrant = (mlo, min(64.0, mlo + draw(st.floats(0.0, 30.0))))
    return params_with(retirement, school, migrant, draw(st.floats(0.0, 0.002)))


@settings(max_examples=40, deadline=None)
@given(params=demographies(), seed=st.integers(0, 2**32 - 1))
def test_drawn_ages_follow_the_closed_form(params: ModelParams, seed: int) -> None:
    """For any entry ranges, entry rates and retirement age: the drawn ages' distribution is
    the closed form ∫F / (R − E[x]) (Kolmogorov–Smirnov), every age lies between the youngest
    entry age and the retirement age, and the shares of all ages sum to one."""
    groups = demography.entry_groups(params)
    retirement = params.demand.retirement_age
    ages = demography.draw_ages(np.random.default_rng(seed), 4000, groups, retirement)
    youngest = min(min(g.youngest, retirement) for g in groups if g.share > 0)
    assert ages.min() >= youngest - 1e-9 and ages.max() < retirement
    assert demography.share_aged(params, 0.0, 200.0) == pytest.approx(1.0)
    result = stats.kstest(ages, lambda a: stationary_cdf(params, np.atleast_1d(a)))
    assert result.pvalue > 1e-4, result


def test_default_shares_by_age_band() -> None:
    """With the default entrants (school leavers 18–24, migrants 20–50, one in five a migrant)
    and retirement at 65: 1 / (65 − 23.8) of the population retires each year; aged under 30,
    (0.8 · 9 + 0.2 · 1.67) / 41.2; aged 55 and over, 10 / 41.2."""
    params = ModelParams()
    years = 65 - (0.8 * 21 + 0.2 * 35)
    assert demography.yearly_retirement_share(params) == pytest.approx(1 / years)
    assert demography.share_aged(params, 55, 65) == pytest.approx(10 / years)
    under_30 = 0.8 * (3 + 6) + 0.2 * (0.5 * 10**2 / 30)
    assert demography.share_aged(params, 0, 30) == pytest.approx(under_30 / years)


def test_no_entrant_below_the_retirement_age_is_refused() -> None:
    groups = (demography.EntryGroup(1.0, 60.0, 64.0),)
    with pytest.raises(ValueError, match="no entrant enters below the retirement age"):
        demography.draw_ages(np.random.default_rng(0), 10, groups, 58)


def _age_shares(model: LabourMarketModel) -> np.ndarray:
    w = model.world
    pi = w.persons.i[: w.persons.n]
    age = pi[pi[:, state.P_STATUS] != state.GONE, state.P_AGE_MONTHS] / 12.0
    return np.array([np.mean(age < 30), np.mean((age >= 30) & (age < 55)), np.mean(age >= 55)])


def test_the_model_stays_in_its_demographic_steady_state() -> None:
    """The market starts from the steady state and stays there: after the set-up, after a
    20-year spin-up and 20 years on, the shares under 30, 30–54 and 55+ are the closed form's
    within sampling error (an age structure drawn otherwise echoes with the working life)."""
    params = ModelParams.model_validate(
        {"months": 240, "spin_up_months": 240, "population": {"n_persons": 20_000}}
    )
    expected = np.array(
        [
            demography.share_aged(params, 0, 30),
            demography.share_aged(params, 30, 55),
            demography.share_aged(params, 55, 200),
        ]
    )
    fresh = LabourMarketModel(params.model_copy(update={"spin_up_months": 0}), rng=5)
    spun = LabourMarketModel(params, rng=5)
    shares = [_age_shares(fresh), _age_shares(spun)]
    spun.advance()
    shares.append(_age_shares(spun))
    for observed in shares:
        # binomial standard error at 20,000 persons is under 0.0035; four of them
        np.testing.assert_allclose(observed, expected, atol=0.014)
