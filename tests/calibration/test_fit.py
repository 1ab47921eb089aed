"""Calibration end to end: parameter recovery, privacy of outputs, resume after interruption."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from calibration import calibrate, config_from_dict
from calibration.journal import Journal
from calibration.make_synthetic import make_synthetic
from calibration.outputs import write_outputs
from cli import main
from experiments.runner.executors import ExecutorSpec, SerialExecutor

#: A lab without giant employers: in a population this small one large firm's job losses
#: would dominate every aggregate series.
LAB = ["population.employer_size_shape=3.0"]
TRUTH = {"demand.quit_rate": 0.005, "demand.inactivity_exit_rate": 0.015}
BOUNDS = {"demand.quit_rate": (0.002, 0.008), "demand.inactivity_exit_rate": (0.008, 0.025)}


def settings(folder, persons: int, **fit) -> dict:
    return {
        "data": {
            "aggregate": "aggregate.csv",
            "panel": "panel.csv",
            "public": "public.csv",
            "label": "synthetic test data",
        },
        "model": {"base": "base_params.json", "persons": persons},
        "parameters": [{"path": k, "lower": lo, "upper": hi} for k, (lo, hi) in BOUNDS.items()],
        "moments": {"window_months": 12, "min_cell": 10},
        "fit": {"seed": 3, "bootstrap": 100, **fit},
    }


@pytest.fixture(scope="module")
def recovery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    files = make_synthetic(folder, persons=1000, months=24, seed=11, truth=TRUTH, settings=LAB)
    config = config_from_dict(
        settings(folder, 1000, replications=3, popsize=5, maxiter=8, se_replications=12),
        root=folder,
    )
    out = folder / "out"
    return files, calibrate(config, out, allow_unidentified=True), out


def test_parameters_recovered(recovery):
    _, result, _ = recovery
    est = result.estimates.set_index("parameter")
    for name in TRUTH:
        row = est.loc[name]
        assert np.isfinite(row["se"]) and row["se"] > 0
    # A 1,000-person lab observed for two years is a noisy sample: the quit rate's estimate is
    # judged against its own standard error (test_standard_errors_cover_the_truth). Its
    # interval is narrower than the search range, so it is identified (pinned down or weakly);
    # the inactivity exit rate scatters over its whole search range (exits to inactivity
    # mix with the other flows between the three states), and its interval must not claim
    # otherwise.
    quit = est.loc["demand.quit_rate"]
    assert quit["ci_high"] - quit["ci_low"] < quit["upper_bound"] - quit["lower_bound"]
    verdict = result.identification.table.set_index("parameter")["verdict"]
    assert verdict["demand.quit_rate"] in ("pinned down", "weakly")
    assert verdict["demand.inactivity_exit_rate"] == "not pinned down"
    # The rank counts the directions whose 95% interval is narrower than the search range:
    # the quit rate's, not the inactivity exit rate's (its interval spans several ranges once
    # the Jacobian's simulation noise is taken out; the noisy Jacobian made it look like 2).
    assert result.identification.rank == 1
    assert result.identification.singular_values[1] < 2 * 1.96
    assert result.search.history["best_loss"].is_monotonic_decreasing


def test_unidentified_estimates_are_named_and_withheld_without_the_flag(recovery, tmp_path):
    _, result, _ = recovery
    ident = result.identification
    assert "demand.inactivity_exit_rate" in ident.unidentified
    assert "demand.quit_rate" not in ident.unidentified
    assert "Not pinned down: demand.inactivity_exit_rate" in ident.statement()
    # the logit-scale interval stays inside the search range, whatever the linear one does
    est = result.estimates
    assert (est["ci_low_bounded"] >= est["lower_bound"]).all()
    assert (est["ci_high_bounded"] <= est["upper_bound"]).all()
    assert (
        est["crosses_bound"]
        == (est["ci_low"] < est["lower_bound"]) | (est["ci_high"] > est["upper_bound"])
    ).all()
    # without --allow-unidentified the calibrated model is not written (nor left behind)
    (tmp_path / "calibrated_params.json").write_text("{}")
    result.allow_unidentified = False
    try:
        files = write_outputs(result, tmp_path)
    finally:
        result.allow_unidentified = True
    assert "calibrated_params" not in files
    assert not (tmp_path / "calibrated_params.json").exists()
    summary = json.loads((tmp_path / "calibration.json").read_text())
    assert summary["calibrated_model_written"] is False
    assert summary["not_pinned_down"] == list(ident.unidentified)
    assert summary["degrees_of_freedom"] == len(result.problem.specs) - 2
    assert "not written" in (tmp_path / "fit_report.html").read_text()


def test_standard_errors_cover_the_truth(recovery):
    _, result, _ = recovery
    est = result.estimates.set_index("parameter")
    for name, true in TRUTH.items():
        row = est.loc[name]
        assert abs(row["estimate"] - true) < 3 * row["se"], (name, row.to_dict())


def test_outputs_and_calibrated_parameters_run(recovery, tmp_path):
    _, result, out = recovery
    for name in ("moments", "estimates", "loss_history", "identification", "suppressed_cells"):
        assert (out / "tables" / f"{name}.csv").exists()
        assert (out / "tables" / f"{name}.parquet").exists()
    html = (out / "fit_report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3 and 'src="http' not in html
    # A parameter-file base names no lab: the parameter file is what runs.
    assert not (out / "calibrated_scenario.toml").exists()
    assert json.loads((out / "calibration.json").read_text())["calibrated_file"] is None
    params = json.loads((out / "calibrated_params.json").read_text())
    assert params["demand"]["quit_rate"] == pytest.approx(result.search.x[0])
    assert params["population"]["n_persons"] == 1000
    code = main(
        [
            "run",
            "--params",
            str(out / "calibrated_params.json"),
            "--months",
            "2",
            "--persons",
            "200",
            "--quiet",
            "--no-figures",
            "--out",
            str(tmp_path / "run"),
        ]
    )
    assert code == 0


def test_no_participant_identifier_or_row_in_outputs(recovery):
    files, result, out = recovery
    panel_text = files["panel"].read_text().splitlines()
    panel = pd.read_csv(files["panel"])
    ids = panel["participant_id"].astype(str).tolist()
    assert len(ids) > 50
    min_cell = result.problem.config.moments.min_cell
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        blob = path.read_bytes()
        text = blob.decode("utf-8", errors="ignore")
        assert not any(i in text for i in ids), path
        assert not any(line in text for line in panel_text[1:]), path
        if path.suffix in (".csv", ".parquet"):
            table = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
            assert "participant_id" not in table.columns
            assert not {"start_month", "employed_3m"} <= set(table.columns)
    moments = pd.read_csv(out / "tables" / "moments.csv")
    cells = moments[moments["source"] == "panel"]
    assert len(cells) and (cells["participants"].dropna() >= min_cell).all()
    suppressed = pd.read_csv(out / "tables" / "suppressed_cells.csv")
    assert list(suppressed.columns) == ["moment", "reason"]
    # no exact count next to a hidden cell of the same intervention and outcome
    hidden = {(m.split(" | ")[3], m.split(" | ")[1]) for m in suppressed["moment"]}
    assert hidden
    for cell in cells.itertuples():
        if (cell.intervention, cell.indicator) in hidden:
            assert np.isnan(cell.participants), cell.moment


class Interrupted(Exception):
    pass


class InterruptingExecutor(SerialExecutor):
    """Runs tasks until the ``stop_after``-th submission, then fails like a killed process."""

    def __init__(self, stop_after: int) -> None:
        super().__init__()
        self.left = stop_after

    def submit(self, fn, /, *args, **kwargs):
        self.left -= 1
        if self.left < 0:
            raise Interrupted
        return super().submit(fn, *args, **kwargs)


def test_resume_gives_the_same_result_as_an_uninterrupted_fit(tmp_path):
    make_synthetic(tmp_path, persons=500, months=12, seed=5, truth=TRUTH, settings=LAB)
    config = config_from_dict(
        settings(tmp_path, 500, replications=2, popsize=4, maxiter=3, se_replications=4),
        root=tmp_path,
    )
    # The uninterrupted fit runs on the experiments runner's local process backend.
    backend = ExecutorSpec("processes", workers=2)
    pool = backend.start()
    try:
        straight = calibrate(config, tmp_path / "straight", executor=pool, allow_unidentified=True)
    finally:
        pool.shutdown()
        backend.stop()

    with pytest.raises(Interrupted):
        calibrate(config, tmp_path / "resumed", executor=InterruptingExecutor(25))
    journal = tmp_path / "resumed" / "checkpoint" / "evaluations.jsonl"
    done = len(journal.read_text().splitlines()) - 1
    assert 0 < done < straight.search.evaluations
    resumed = calibrate(
        config, tmp_path / "resumed", executor=SerialExecutor(), allow_unidentified=True
    )

    np.testing.assert_array_equal(resumed.search.x, straight.search.x)
    assert resumed.search.loss == straight.search.loss
    pd.testing.assert_frame_equal(resumed.search.history, straight.search.history)
    np.testing.assert_array_equal(resumed.uncertainty.se, straight.uncertainty.se)
    assert (tmp_path / "resumed" / "calibrated_params.json").read_text() == (
        tmp_path / "straight" / "calibrated_params.json"
    ).read_text()


def test_checkpoint_of_another_calibration_is_refused(tmp_path):
    Journal(tmp_path / "j.jsonl", "one")
    with pytest.raises(Exception, match="different calibration"):
        Journal(tmp_path / "j.jsonl", "two")
