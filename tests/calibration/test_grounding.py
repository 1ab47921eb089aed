"""The grounding fit's pieces: parameters from the fitted vector, residuals, and writing values
into a lab file without disturbing the rest."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from calibration.grounding import FITTED, TIED, Grounding, write_values
from experiments.runner.executors import SerialExecutor
from scenarios.compose import load_lab
from scenarios.files import LAB_DIR


def test_start_vector_gives_back_the_labs_own_parameters() -> None:
    lab = load_lab("portugal")
    problem = Grounding(lab, replications=1, months=13, executor=SerialExecutor())
    params = problem.params(problem.start()).model_dump()
    for path in [*FITTED, *TIED]:
        section, key = path.split(".")
        assert params[section][key] == pytest.approx(problem.base[section][key], rel=1e-12)
    # Doubling quits doubles dismissals (tied in the lab's proportion).
    x = problem.start()
    x[list(FITTED).index("demand.quit_rate")] += np.log(2.0)
    doubled = problem.params(x).demand
    assert doubled.dismissal_rate == pytest.approx(2 * problem.base["demand"]["dismissal_rate"])


def test_residuals_are_log_ratios_over_tolerance() -> None:
    lab = load_lab("portugal")
    problem = Grounding(lab, replications=1, months=13, executor=SerialExecutor())
    r = problem.residuals(problem.start())
    assert r.shape == (len(lab.file.published),) and np.isfinite(r).all()
    stats = problem.statistics(problem.start())
    first = lab.file.published[0]
    raw = np.log(stats[first.statistic] / first.value) / first.accepted_gap
    assert abs(r[0]) >= abs(raw) - 1e-12  # the margin penalty only ever adds


def test_write_values_sets_only_the_given_keys(tmp_path) -> None:
    path = tmp_path / "portugal.toml"
    shutil.copy(LAB_DIR / "portugal.toml", path)
    before = load_lab(str(path))
    write_values(path, {"demand.quit_rate": 0.00321, "mobility.training_rate": 0.0456})
    after = load_lab(str(path))
    assert after.file.demand.quit_rate == pytest.approx(0.00321)
    assert after.file.mobility.training_rate == pytest.approx(0.0456)  # a new section
    assert after.file.published == before.file.published
    assert after.file.demand.reentry_rate == before.file.demand.reentry_rate
