"""Batch sizing from a probe (--dry-run) and quiet Dask logs (--quiet)."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from experiments.runner.executors import quiet_dask_logs
from experiments.runner.sizing import Sizing, duration, probe_seconds, size_batch


def sleeper(overrides, seed):
    """A model whose run takes 20 ms of set-up and 1 ms per month."""
    time.sleep(0.02 + 0.001 * overrides.get("months", 100))


class FakeClock:
    """A clock that only the model under test advances, so a probe's arithmetic is checked
    exactly, whatever else the machine is doing."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


def test_probe_fits_set_up_and_months(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("experiments.runner.sizing.time", clock)

    def model(overrides, seed):  # 20 ms of set-up and 1 ms per month
        clock.now += 0.02 + 0.001 * overrides.get("months", 100)

    seconds, how = probe_seconds(model, {"months": 100}, np.random.SeedSequence(1), 100)
    assert seconds == pytest.approx(0.12) and "6 and 18 months" in how

    # A model that takes no months override is timed on a full run.
    def fixed(overrides, seed):
        if "months" in overrides:
            raise TypeError("no months here")
        clock.now += 0.05

    seconds, how = probe_seconds(fixed, {}, np.random.SeedSequence(1), 100)
    assert seconds == pytest.approx(0.05) and how == "probe: one full run"


def test_sizing_text_and_wall_time():
    s = size_batch(sleeper, {}, np.random.SeedSequence(1), runs=10, workers=1, months=None)
    assert s.worker_start == 0.0 and s.memory_mb > 10
    five = Sizing(runs=10, workers=4, seconds_per_run=2.0, worker_start=3.0, memory_mb=300, how="x")
    assert five.wall_seconds == 3.0 + 3 * 2.0  # three waves of four workers
    assert "10 runs × 2.00 s on 4 workers ≈ 9.0 s wall time" in five.text()
    assert "300 MB per worker" in five.text()
    assert duration(125) == "2 min 05 s" and duration(7300) == "2 h 01 min"


def test_dry_run_prints_the_estimate(tmp_path, capsys):
    from cli import main

    design = tmp_path / "d.toml"
    design.write_text(
        '[experiment]\nname = "sz"\nreplications = 2\n[base]\nmonths = 24\n'
        'population.n_persons = 300\n[design]\nkind = "grid"\n[design.parameters]\n'
        '"demand.quit_rate" = [0.002, 0.004]\n'
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "experiment",
                "run",
                str(design),
                "--dry-run",
                "--executor",
                "serial",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "4 runs" in text and "estimate: 4 runs ×" in text and "MB per worker" in text
    assert not out.exists()


def test_quiet_dask_logs():
    import dask

    before = {
        name: logging.getLogger(name).level for name in ("distributed", "dask", "dask_jobqueue")
    }
    with dask.config.set({}):  # the config change is undone with the block
        quiet_dask_logs()
        for name in ("distributed.scheduler", "distributed.nanny", "dask_jobqueue.core"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO)
            assert logging.getLogger(name).isEnabledFor(logging.WARNING)
        assert dask.config.get("logging.distributed") == "warning"
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


class RecordingBar:
    """Stands in for tqdm: records each update."""

    disable = False

    def __init__(self, *args, **kwargs) -> None:
        self.updates: list[int] = []
        self.failed = 0

    def update(self, n: int) -> None:
        self.updates.append(n)

    def set_postfix(self, **kwargs) -> None:
        pass

    def close(self) -> None:
        pass


def test_progress_moves_per_run_not_per_chunk(tmp_path, monkeypatch):
    from experiments import design_from_dict
    from experiments.runner import batch

    bars: list[RecordingBar] = []
    monkeypatch.setattr(
        batch, "_progress_bar", lambda *a, **k: bars.append(RecordingBar()) or bars[-1]
    )
    design = design_from_dict(
        {
            "experiment": {"model": "experiments_helpers:slow_outcomes", "replications": 4},
            "design": {"kind": "points", "points": [{"a": 1.0}, {"a": 2.0}]},
        }
    )
    # Serial keeps the test fast; local processes tick through a multiprocessing manager's
    # queue in the same way (the workers are spawned with this process's key).
    summary = batch.run_experiment(
        design, tmp_path / "slow", executor="serial", chunk_size=4, progress=True
    )
    assert summary.done == 8
    (bar,) = bars
    assert sum(bar.updates) == 8
    # Chunks of four runs, yet the bar moved run by run (at most a straggler or two at once).
    assert len(bar.updates) >= 6 and max(bar.updates) <= 2, bar.updates
