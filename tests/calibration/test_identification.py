"""What the calibration says when standard errors cannot be computed, and intervals that
would cross a bound."""

from __future__ import annotations

import numpy as np

from calibration.uncertainty import bounded_interval, unidentified_directions

NAMES = ["demand.quit_rate", "matching.applications", "demand.reentry_rate"]


def test_a_parameter_no_moment_reacts_to_is_named_with_its_noise_share():
    info = np.diag([4.0, 9.0, -0.2])  # the third: all noise once the noise is taken out
    reason, params = unidentified_directions(info, NAMES, np.array([0.1, 0.2, 1.05]))
    assert params == ["demand.reentry_rate"]
    assert "no moment reacts to demand.reentry_rate (105% noise)" in reason
    assert reason.startswith("standard errors cannot be computed")


def test_parameters_that_trade_off_are_named_together():
    # the moments tell only the sum of the first two parameters
    info = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    reason, params = unidentified_directions(info, NAMES, np.full(3, 0.1))
    assert sorted(params) == sorted(NAMES[:2])
    assert "1 direction(s)" in reason and "trade off" in reason


def test_an_identified_problem_says_nothing():
    reason, params = unidentified_directions(np.diag([4.0, 9.0, 1.0]), NAMES, np.zeros(3))
    assert reason == "" and params == []


def test_bounded_interval_stays_inside_the_range():
    est = np.array([0.1, 1.5, 2.9, 0.0])
    se = np.array([0.5, 0.1, 1.0, 0.2])
    lower, upper = np.zeros(4), np.full(4, 3.0)
    low, high = bounded_interval(est, se, lower, upper)
    assert (low >= lower).all() and (high <= upper).all() and (low <= est).all()
    assert (est <= high).all()
    # far from a bound with a small error it is the linear interval
    assert abs(low[1] - (1.5 - 1.96 * 0.1)) < 0.01
    # on a bound: the whole range on that side
    assert low[3] == 0.0
    nan_low, _ = bounded_interval(est[:1], np.array([np.nan]), lower[:1], upper[:1])
    assert np.isnan(nan_low[0])
