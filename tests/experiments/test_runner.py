"""The runner and store: same results on every backend, failures, kills, resume, shards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from experiments_helpers import FAIL_QUIT_RATE, design_toml, small_design, subprocess_env

from experiments import (
    ExecutorSpec,
    ResultStore,
    load_results,
    load_status,
    outcome_arrays,
    run_experiment,
    sampled_design,
    sobol_indices,
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The small design run serially: the results every other route must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "serial"
    summary = run_experiment(small_design(), out, executor="serial", progress=False)
    assert (summary.total, summary.done, summary.failed, summary.pending) == (12, 12, 0, 0)
    return load_results(out)


def _assert_same(out, reference: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(load_results(out), reference)


def _rows_per_run(reference: pd.DataFrame) -> int:
    sizes = reference.groupby("run_key").size()
    assert sizes.nunique() == 1
    return int(sizes.iloc[0])


def test_reference_results_are_complete_and_ordered(reference):
    rows = _rows_per_run(reference)
    assert len(reference) == 12 * rows
    assert set(reference["group"]) == {"all", "long_term_unemployed"}
    assert set(reference["month"]) == set(range(1, 7))
    keys = [r.key for r in small_design().runs]
    assert list(dict.fromkeys(reference["run_key"])) == keys
    # Parameters are joined, and they matter: unemployment differs between points.
    final = reference[(reference["indicator"] == "unemployment_rate") & (reference["month"] == 6)]
    assert final["demand.quit_rate"].nunique() == 3
    assert final["value"].nunique() > 1


@pytest.mark.parametrize(
    ("backend", "workers"),
    [("processes", 1), ("processes", 2), ("dask", 2)],
)
def test_every_backend_gives_identical_results(tmp_path, reference, backend, workers):
    out = tmp_path / backend
    summary = run_experiment(
        small_design(), out, executor=backend, workers=workers, chunk_size=2, progress=False
    )
    assert summary.done == 12
    _assert_same(out, reference)
    assert load_status(out)["pid"].nunique() == workers


def test_a_running_dask_scheduler_by_address(tmp_path, reference):
    """A Dask LocalCluster with one worker, reached through its scheduler address."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR
    ) as cluster:
        backend = ExecutorSpec("dask", address=cluster.scheduler_address)
        summary = run_experiment(small_design(), tmp_path / "out", executor=backend, progress=False)
        assert summary.done == 12
        assert len(cluster.workers) == 1  # the runner left the cluster running
    _assert_same(tmp_path / "out", reference)
    assert load_status(tmp_path / "out")["pid"].nunique() == 1


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path, reference):
    design = small_design(model="experiments_helpers:FailingRun")
    out = tmp_path / "failing"
    # One worker process: the tracebacks cross a process boundary, at the cost of one start-up.
    summary = run_experiment(
        design, out, executor="processes", workers=1, chunk_size=3, progress=False
    )
    assert (summary.done, summary.failed, summary.pending) == (8, 4, 0)
    status = load_status(out)
    failed = status[status["status"] == "failed"]
    quit_rates = ResultStore.open(out).experiments().set_index("run_key")["demand.quit_rate"]
    assert set(quit_rates[failed["run_key"]]) == {FAIL_QUIT_RATE}
    for tb in failed["traceback"]:
        assert "Traceback (most recent call last)" in tb
        assert "RuntimeError: quit rate 0.004 is not supported" in tb
    assert set(load_results(out)["run_key"]) == set(
        status.loc[status["status"] == "done", "run_key"]
    )
    # A rerun retries only the failed runs; they fail again and nothing is duplicated.
    again = run_experiment(design, out, executor="serial", progress=False)
    assert (again.ran, again.done, again.failed) == (4, 8, 4)
    assert len(load_results(out)) == 8 * _rows_per_run(reference)


@pytest.mark.parametrize(
    ("backend", "workers"),
    # A killed process breaks the whole pool, so one worker shows all; Dask keeps the others.
    [("processes", 1), ("dask", 2)],
)
def test_a_killed_worker_does_not_lose_or_duplicate_runs(
    tmp_path, monkeypatch, reference, backend, workers
):
    marker = tmp_path / "killed"
    monkeypatch.setenv("EXPERIMENT_TEST_MARKER", str(marker))
    monkeypatch.setenv("PYTHONPATH", subprocess_env()["PYTHONPATH"])
    out = tmp_path / backend
    design = small_design(model="experiments_helpers:KillWorkerOnce")
    summary = run_experiment(
        design, out, executor=backend, workers=workers, chunk_size=2, progress=False
    )
    assert marker.exists(), "the test model did not kill its worker"
    assert summary.done == 12
    records = ResultStore.open(out).status_records()
    assert sorted(records["run_key"]) == sorted(r.key for r in design.runs)  # each exactly once
    assert (records["status"] == "done").all()
    pd.testing.assert_frame_equal(load_results(out), reference)


def test_killed_experiment_resumes_with_only_the_missing_runs(tmp_path, monkeypatch, reference):
    design_file = tmp_path / "slow.toml"
    design_file.write_text(design_toml(model="experiments_helpers:SlowRun"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "cli", "experiment", "run", str(design_file)]
    cmd += ["--out", str(out), "--workers", "2", "--chunk-size", "1", "--quiet"]
    cmd += ["--allow-model-imports"]  # the test model is not a registered one
    proc = subprocess.Popen(
        cmd,
        env=subprocess_env(EXPERIMENT_TEST_SLEEP="0.4"),
        start_new_session=True,  # its own process group: the kill takes the workers too
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    results = out / "results"
    while time.monotonic() < deadline and proc.poll() is None:
        if results.exists() and len(list(results.glob("part-*.parquet"))) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = set(ResultStore.open(out).done_keys())
    assert 3 <= len(done_before) < 12

    monkeypatch.setenv("EXPERIMENT_TEST_SLEEP", "0")
    from experiments import load_design

    design = load_design(design_file, allow_imports=True)
    summary = run_experiment(design, out, executor="serial", progress=False)
    assert summary.ran == 12 - len(done_before)
    assert summary.done == 12
    records = ResultStore.open(out).status_records()
    assert records["run_key"].is_unique
    pd.testing.assert_frame_equal(load_results(out), reference)


def test_shards_together_equal_the_unsharded_run(tmp_path, reference):
    out = tmp_path / "sharded"
    sizes = []
    for i in range(3):
        summary = run_experiment(
            small_design(), out, executor="serial", shard=f"{i}/3", progress=False
        )
        sizes.append(summary.total)
        assert summary.done == summary.total
    assert sizes == [4, 4, 4]
    _assert_same(out, reference)


def test_folder_of_another_design_is_refused(tmp_path):
    out = tmp_path / "out"
    run_experiment(small_design(), out, executor="serial", shard="0/6", progress=False)
    from experiments import StoreError

    with pytest.raises(StoreError, match=r"different design \(differs in: experiment.root_seed"):
        run_experiment(small_design(root_seed=12), out, executor="serial", progress=False)


def test_outcome_arrays_and_manifest(tmp_path, reference):
    out = tmp_path / "arrays"
    run_experiment(small_design(), out, executor="serial", progress=False)
    experiments, outcomes = outcome_arrays(out)
    assert len(experiments) == 12
    assert list(experiments.columns) == [
        "run_key",
        "point",
        "replication",
        "demand.quit_rate",
        "matching.applications",
    ]
    assert outcomes["unemployment_rate"].shape == (12, 6)
    expected = reference[(reference["indicator"] == "employed") & (reference["group"] == "all")]
    np.testing.assert_array_equal(outcomes["employed"].ravel(), expected["value"].to_numpy())
    manifest = ResultStore.open(out).manifest
    assert manifest["root_seed"] == 11
    assert manifest["scenario"] == "default"
    assert manifest["runs"] == 12
    assert manifest["version"]
    assert manifest["design"]["design"]["kind"] == "grid"


def test_a_user_supplied_executor_is_used(tmp_path, reference):
    from experiments import SerialExecutor

    out = tmp_path / "own"
    with SerialExecutor() as ex:
        run_experiment(small_design(), out, executor=ex, progress=False)
    _assert_same(out, reference)


def test_sobol_experiment_gives_sensitivity_indices(tmp_path):
    design = sampled_design(
        "sobol",
        4,
        ["demand.quit_rate", "matching.bias_mean"],
        base={"months": 6, "population.n_persons": 200},
        groups=("all",),
    )
    out = tmp_path / "sobol"
    run_experiment(design, out, executor="serial", progress=False)
    indices = sobol_indices(out, "unemployment_rate", last_months=3)
    assert indices["S1"].shape == (2,)
    assert np.isfinite(indices["ST"]).all()


def test_status_command(tmp_path, capsys):
    from cli import main

    out = tmp_path / "status"
    design = small_design(model="experiments_helpers:FailingRun")
    run_experiment(design, out, executor="serial", shard="0/2", progress=False)
    assert main(["experiment", "status", str(out)]) == 1
    text = capsys.readouterr().out
    assert "12 runs, 4 done, 2 failed, 6 pending" in text
    assert "RuntimeError: quit rate 0.004" in text


def test_backend_rejects_bad_settings():
    from experiments import DesignError

    with pytest.raises(DesignError, match="not one of"):
        ExecutorSpec("threads")
    with pytest.raises(DesignError, match="at least 1"):
        ExecutorSpec("processes", workers=0)
    with pytest.raises(DesignError, match="needs executor 'dask'"):
        ExecutorSpec("processes", address="tcp://127.0.0.1:8786")


def test_an_unreachable_scheduler_is_a_clear_error():
    from experiments import ExecutorError

    backend = ExecutorSpec("dask", address="tcp://127.0.0.1:9", worker_timeout=1)
    with pytest.raises(ExecutorError, match=r"no Dask scheduler at tcp://127\.0\.0\.1:9"):
        backend.start()


def test_a_model_function_returning_outcome_dicts(tmp_path):
    from experiments import design_from_dict

    design = design_from_dict(
        {
            "experiment": {"model": "experiments_helpers:toy_outcomes", "replications": 2},
            "design": {"kind": "points", "points": [{"a": 1.0}, {"a": 3.0}]},
        }
    )
    out = tmp_path / "toy"
    run_experiment(design, out, executor="serial", progress=False)
    experiments, outcomes = outcome_arrays(out)
    assert list(experiments["a"]) == [1.0, 1.0, 3.0, 3.0]
    assert outcomes["score"].shape == (4,)
    assert outcomes["series"].shape == (4, 3)
    np.testing.assert_array_equal(outcomes["series"][2], [0.0, 3.0, 6.0])
    # Common random numbers: the same replication draws the same noise at both points.
    noise = outcomes["score"] - 2 * experiments["a"].to_numpy()
    assert noise[0] == pytest.approx(noise[2]) and noise[0] != noise[1]
