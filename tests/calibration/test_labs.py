"""Each shipped lab's calibration data are its published figures; the shipped fits load."""

from __future__ import annotations

import pandas as pd
import pytest

from calibration.formats import load_public
from calibration.labs import DATA, config_text, public_table
from scenarios import compose, load_lab
from scenarios.files import LAB_DIR, shipped

#: Published figures a shipped fit misses by a little more than two standard errors. Bulgaria's
#: E→U: the stock–flow check finds it consistent with the other figures, and the fit trades it
#: off against the long-term share (docs/calibration.md, "Are the published figures ...").
NEAR_MISSES = {"bulgaria": {"quarterly_e_to_u"}}


@pytest.mark.parametrize("name", shipped(LAB_DIR))
def test_lab_data_are_its_published_figures(name):
    lab = load_lab(name)
    shipped_table = load_public(DATA / name / "public.csv")
    expected = public_table(lab)
    assert len(shipped_table) == len(lab.file.published) == len(expected)
    pd.testing.assert_series_equal(shipped_table["statistic"], expected["statistic"])
    assert (shipped_table["definition"] == "survey").all()
    for fig, row in zip(lab.file.published, shipped_table.itertuples(), strict=True):
        assert row.value == fig.value
        # the figure's tolerance is taken as a 95% half-width
        assert row.se == pytest.approx(fig.accepted_gap * fig.value / 1.96, abs=1e-6)
    assert (DATA / name / "calibration.toml").read_text() == config_text(lab)


@pytest.mark.parametrize("name", [p.parent.name for p in sorted(DATA.glob("*/fit"))])
def test_shipped_calibrated_labs_compose(name):
    folder = DATA / name / "fit"
    lab = load_lab(folder / "calibrated_lab.toml")
    baseline = compose(lab, []).baseline
    estimates = pd.read_csv(folder / "estimates.csv")
    quit = estimates.set_index("parameter").loc["demand.quit_rate", "estimate"]
    assert baseline.demand.quit_rate == pytest.approx(quit)
    # every published figure is fitted within two standard errors, except those the docs
    # name (docs/calibration.md, "Each shipped lab")
    moments = pd.read_csv(folder / "moments.csv").set_index("indicator")["std_residual"].abs()
    off = NEAR_MISSES.get(name, set())
    assert (moments.drop(index=list(off)) < 2).all()
    assert (moments[list(off)] < 2.5).all()
