"""Every shipped living lab reproduces its country's published statistics, and starts and stays
in its steady state."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.comparison.convergence import spin_up_convergence
from experiments.comparison.validation import baseline_params, validate_lab
from scenarios.compose import load_lab
from scenarios.files import LAB_DIR, shipped
from simulator.model import LabourMarketModel

LABS = shipped(LAB_DIR)

pytestmark = pytest.mark.xdist_group("labs")


@pytest.mark.parametrize("lab", LABS)
def test_lab_reproduces_its_published_figures(lab: str) -> None:
    """Each published figure (unemployment, long-term share, employment rate, vacancy rate,
    quarterly transitions) within its stated tolerance, the model's statistic computed by the
    figure's own definition."""
    table = validate_lab(lab, replications=3, months=96)
    assert len(table) >= 8, "a lab carries the main survey statistics"
    off = table[table["verdict"] != "reproduced"]
    assert off.empty, off[["statistic", "published", "model", "ratio", "tolerance"]].to_string()


@pytest.mark.parametrize("lab", LABS)
def test_lab_spin_up_is_long_enough(lab: str) -> None:
    """Doubling the lab's own spin-up (``[spin_up]``) moves none of its published statistics
    over the first year by more than a third of the figure's tolerance, beyond the seeds'
    noise: the run starts where the lab's dynamics settle, not on the way there."""
    table = spin_up_convergence(lab, seeds=4)
    off = table[table["published"] & ~table["settled"]]
    assert off.empty, off[["statistic", "spin_up", "relative_difference", "z"]].to_string()


@pytest.mark.parametrize("lab", LABS)
def test_lab_is_stationary_over_twenty_years(lab: str) -> None:
    """From the spin-up's steady state, the unemployment rate and the population drift less
    than 0.3 points per decade over 20 years (trend of the yearly means, averaged over seeds),
    and the long-term share of the unemployed, the composition a short spin-up leaves furthest
    from its steady state, less than 3 points."""
    params = baseline_params(load_lab(lab), months=240)
    yearly: dict[str, list[np.ndarray]] = {"unemployment_rate": [], "population": [], "ltu": []}
    for seed in (1, 2, 3):
        w = LabourMarketModel(params, rng=seed).run().wide()
        for name in yearly:
            column = "long_term_share" if name == "ltu" else name
            yearly[name].append(w[column].to_numpy().reshape(-1, 12).mean(axis=1))
    years = np.arange(20)

    def per_decade(name: str) -> float:
        return 10 * np.polyfit(years, np.mean(yearly[name], axis=0), 1)[0]

    u_per_decade, ltu_per_decade = per_decade("unemployment_rate"), per_decade("ltu")
    pop = np.mean(yearly["population"], axis=0)
    pop_per_decade = 10 * np.polyfit(years, pop / pop[0], 1)[0]
    assert abs(u_per_decade) < 0.003, f"unemployment drifts {100 * u_per_decade:+.2f} points"
    assert abs(pop_per_decade) < 0.003, f"population drifts {100 * pop_per_decade:+.2f}%"
    assert abs(ltu_per_decade) < 0.03, f"long-term share drifts {100 * ltu_per_decade:+.2f} points"
