"""The stock–flow identity gives back a stationary chain's E→U; inconsistent figures are flagged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calibration.consistency import (
    FLOWS,
    NEEDED,
    check_e_to_u,
    figure_table,
    implied_e_to_u,
    lab_table,
    main,
    markdown,
    model_gap,
    quarterly_retirement_share,
    stock_shares,
)
from calibration.labs import DATA
from scenarios.files import LAB_DIR, shipped

#: Off-diagonal quarterly transition probabilities: positive, each row's pair below 1.
off_diagonal = st.floats(min_value=1e-3, max_value=0.45)


def chain(offdiag: list[float]) -> np.ndarray:
    """A 3×3 quarterly transition matrix (E, U, I) from its six off-diagonal entries."""
    p = np.zeros((3, 3))
    p[~np.eye(3, dtype=bool)] = offdiag
    p[np.diag_indices(3)] = 1.0 - p.sum(axis=1)
    return p


def stationary(p: np.ndarray) -> np.ndarray:
    """The stationary distribution: pi (p - 1) = 0 with pi summing to 1, solved directly."""
    a = (p - np.eye(3)).T
    a[-1] = 1.0  # one balance is redundant: replace it by the normalisation
    return np.linalg.solve(a, np.array([0.0, 0.0, 1.0]))


def figures(shares: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """The published figures of a market with these stock shares and transitions."""
    e, u, _ = shares
    out = {"unemployment_rate": u / (e + u), "employment_to_population": e}
    for a, x in enumerate("eui"):
        for b, y in enumerate("eui"):
            if a != b:
                out[f"quarterly_{x}_to_{y}"] = p[a, b]
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(off_diagonal, min_size=6, max_size=6))
def test_identity_returns_a_stationary_chains_e_to_u(offdiag):
    p = chain(offdiag)
    figs = figures(stationary(p), p)
    for balance in ("u", "e"):
        # the balance subtracts flows of order 1: rounding leaves an absolute error near 1e-12
        assert implied_e_to_u(figs, balance) == pytest.approx(p[0, 1], rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(off_diagonal, min_size=6, max_size=6),
    st.floats(min_value=1e-3, max_value=0.05),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_identity_with_turnover(offdiag, retire, entrants_employed, entrants_unemployed):
    # Each quarter a share `retire` of every stock retires and as many enter, ending the
    # quarter in E, U, I in the given proportions; stayers move by p. Stationary stocks solve
    # x = (1 - retire) x p + retire n.
    p = chain(offdiag)
    n = np.array([entrants_employed, entrants_unemployed, 1.0])
    n /= n.sum()
    x = retire * n @ np.linalg.inv(np.eye(3) - (1.0 - retire) * p)
    figs = figures(x / x.sum(), p)
    # d_X: entrants in X at the quarter end less what the stayers' rates would have put there
    # out of those who retired.
    turnover = retire * n - retire * x @ p
    assert implied_e_to_u(figs, "u", turnover[1]) == pytest.approx(p[0, 1], abs=1e-9)
    assert implied_e_to_u(figs, "e", turnover[0]) == pytest.approx(p[0, 1], abs=1e-9)
    # the model-side gap is exactly the turnover in E→U units (x adds up to 1)
    assert model_gap(figs, "u") == pytest.approx(-turnover[1] / x[0], abs=1e-9)
    assert model_gap(figs, "e") == pytest.approx(turnover[0] / x[0], abs=1e-9)


def test_stock_shares_add_up():
    e, u, i = stock_shares(np.array([0.05, 0.1]), np.array([0.7, 0.6]))
    np.testing.assert_allclose(e + u + i, 1.0)
    np.testing.assert_allclose(u / (e + u), [0.05, 0.1])


def _consistent_set() -> tuple[dict[str, float], dict[str, float]]:
    p = chain([0.012, 0.02, 0.25, 0.2, 0.07, 0.05])
    values = figures(stationary(p), p)
    return values, {k: 0.1 * v for k, v in values.items()}


def test_check_passes_a_consistent_set():
    values, ses = _consistent_set()
    check = check_e_to_u(values, ses, "u", draws=5000, seed=1)
    assert check.consistent
    assert check.implied == pytest.approx(values["quarterly_e_to_u"])
    assert check.implied_low < check.published < check.implied_high
    assert abs(check.z) < 0.5


@pytest.mark.parametrize("balance", ["u", "e"])
def test_check_flags_an_inconsistent_set(balance):
    values, ses = _consistent_set()
    values["quarterly_e_to_u"] *= 3  # a stand-in three times what the rest implies
    check = check_e_to_u(values, ses, balance, draws=5000, seed=1)
    assert not check.consistent
    assert check.z > 2
    # the draws are seeded: the same seed gives the same check
    assert check == check_e_to_u(values, ses, balance, draws=5000, seed=1)


def test_missing_figures_and_bad_balance_are_named():
    values, ses = _consistent_set()
    del values["quarterly_i_to_u"]
    with pytest.raises(KeyError, match="quarterly_i_to_u"):
        implied_e_to_u(values, "u")
    with pytest.raises(KeyError, match="quarterly_i_to_u"):
        check_e_to_u(values, ses)
    with pytest.raises(ValueError, match="balance must be one of u, e"):
        implied_e_to_u(values, "i")  # type: ignore[arg-type]


@pytest.mark.parametrize("retirement_age", [60, 65, 70])
def test_retirement_share_matches_the_models_age_structure(retirement_age):
    """Retirements over two years, counted in the model, against the steady state's closed
    form; the spin-up (ten years) leaves them where set-up started them."""
    from simulator import LabourMarketModel, ModelParams

    params = ModelParams.model_validate(
        {
            "months": 24,
            "spin_up_months": 120,
            "population": {"n_persons": 20_000},
            "demand": {"retirement_age": retirement_age},
        }
    )
    model = LabourMarketModel(params, rng=3)
    model.advance()
    retired = model.indicator_arrays().series("retirements")
    expected = quarterly_retirement_share(params) * 8 * 20_000
    # about 1,000 in two years, a count: four standard deviations are about 13%
    assert retired.sum() == pytest.approx(expected, rel=0.13)


def test_lab_table_reads_each_shipped_lab(capsys):
    labs = shipped(LAB_DIR)
    table = lab_table(labs, draws=2000)
    assert list(table["lab"].unique()) == list(labs)
    assert set(table["balance"]) == {"u", "e"}
    for row in table.itertuples():
        moments = pd.read_csv(DATA / row.lab / "fit" / "moments.csv").set_index("indicator")
        simulated = moments["simulated"].to_dict()
        assert row.fitted == simulated["quarterly_e_to_u"]
        assert row.model_gap == pytest.approx(
            simulated["quarterly_e_to_u"] - implied_e_to_u(simulated, row.balance)
        )
        assert row.consistent == (abs(row.z) <= 2)
    assert main(["bulgaria", "--draws", "2000"]) == 0
    out = capsys.readouterr().out
    assert "| bulgaria | U |" in out and "| bulgaria | E |" in out


def test_needed_figures_are_survey_statistics():
    from simulator.survey import STATISTICS

    assert set(NEEDED) <= set(STATISTICS)
    assert len(FLOWS) == 6


def test_figure_table_needs_every_figure_once_and_reads_a_fit():
    values, ses = _consistent_set()
    public = pd.DataFrame(
        {"statistic": list(values), "group": "all", "value": values.values(), "se": ses.values()}
    )
    table = figure_table(public, draws=2000)
    assert list(table["balance"]) == ["u", "e"] and table["consistent"].all()
    assert "fitted" not in table
    assert figure_table(public.iloc[1:], draws=2000) is None  # a figure missing
    assert figure_table(pd.concat([public, public.iloc[:1]]), draws=2000) is None  # repeated
    moments = public.rename(columns={"statistic": "indicator", "value": "simulated"}).assign(
        source="public", std_residual=0.5
    )
    fitted = figure_table(public, moments, draws=2000)
    assert fitted["fitted"].tolist() == [values["quarterly_e_to_u"]] * 2
    assert fitted["model_gap"].abs().max() < 1e-12  # a closed stationary chain has no gap


def test_report_note_says_whether_the_data_or_the_model_misses():
    from calibration.report import CONSISTENCY_HEADINGS, consistency_notes

    values, ses = _consistent_set()
    public = pd.DataFrame(
        {"statistic": list(values), "group": "all", "value": values.values(), "se": ses.values()}
    )
    moments = public.rename(columns={"statistic": "indicator", "value": "simulated"})
    met = figure_table(public, moments.assign(source="public", std_residual=1.0), draws=2000)
    assert consistency_notes(met) == ""
    missed = figure_table(public, moments.assign(source="public", std_residual=2.5), draws=2000)
    assert "consistent with each other" in consistency_notes(missed)
    assert set(missed.columns) <= set(CONSISTENCY_HEADINGS)  # no raw column name in the report
    public.loc[public["statistic"] == "quarterly_e_to_u", "value"] *= 3
    bad = figure_table(public, moments.assign(source="public", std_residual=2.5), draws=2000)
    assert "would miss it by more than two standard errors" in consistency_notes(bad)


def test_docs_table_is_the_scripts_output():
    # docs/calibration.md, "Are the published figures consistent with each other?"
    docs = (Path(__file__).resolve().parents[2] / "docs" / "calibration.md").read_text()
    rows = markdown(lab_table(shipped(LAB_DIR))).splitlines()
    assert "\n".join(rows) in docs
