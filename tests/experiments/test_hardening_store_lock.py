"""One runner per results store: a second runner refuses (or waits), naming the holder; shards
share a store; a stale lock is reported and taken over; resuming removes temporary files."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from experiments_helpers import design_toml, small_design, subprocess_env

from cli import main
from experiments import run_experiment
from experiments.runner.store import ResultStore
from experiments.runner.store_lock import MAIN_LOCK, StoreLockedError
from experiments.runner.store_lock import store_lock as store_lock_of

HOLD = """\
import sys
from experiments.runner.store_lock import store_lock
shard = tuple(map(int, sys.argv[2].split("/"))) if len(sys.argv) > 2 else None
with store_lock(sys.argv[1], shard):
    print("held", flush=True)
    sys.stdin.read()
"""


class Holder:
    """Another process holding the store's lock until :meth:`release`."""

    def __init__(self, out: Path, shard: str | None = None) -> None:
        args = [sys.executable, "-c", HOLD, str(out), *([shard] if shard else [])]
        self.proc = subprocess.Popen(
            args,
            env=subprocess_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert line.strip() == "held", self.proc.stderr.read()

    def release(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def design_file(tmp_path: Path) -> Path:
    path = tmp_path / "d.toml"
    path.write_text(design_toml(replications=1))
    return path


def test_a_second_runner_refuses_and_names_the_first(tmp_path, design_file, capsys):
    out = tmp_path / "out"
    holder = Holder(out)
    try:
        code = main(["experiment", "run", str(design_file), "--out", str(out), "--quiet"])
        err = capsys.readouterr().err
    finally:
        holder.release()
    assert code == 2
    assert f"PID {holder.proc.pid} on host {socket.gethostname()}" in err
    assert "in use by another runner" in err
    assert not (out / "results").exists()


def test_a_second_runner_waits_when_asked(tmp_path, design_file, capsys):
    out = tmp_path / "out"
    holder = Holder(out)
    timer = threading.Timer(1.0, holder.release)
    timer.start()
    args = ["experiment", "run", str(design_file), "--out", str(out), "--executor", "serial"]
    code = main([*args, "--quiet", "--wait", "120"])
    timer.join()
    assert code == 0, capsys.readouterr().err
    assert ResultStore.open(out).status()["status"].eq("done").all()


def test_shards_share_a_store_but_each_shard_has_one_runner(tmp_path):
    out = tmp_path / "out"
    design = small_design()
    holder = Holder(out, "0/2")
    try:
        summary = run_experiment(design, out, executor="serial", shard="1/2", progress=False)
        assert summary.done == summary.total == 6
        with pytest.raises(StoreLockedError, match=r"another runner of shard 0/2: PID \d+"):
            run_experiment(design, out, executor="serial", shard="0/2", progress=False)
        with pytest.raises(StoreLockedError, match=r"shard runners: shard-0-of-2 \(PID \d+"):
            run_experiment(design, out, executor="serial", progress=False)
    finally:
        holder.release()
    summary = run_experiment(design, out, executor="serial", progress=False)
    assert summary.done == 12 and summary.ran == 6


def test_a_stale_lock_is_reported_and_taken_over(tmp_path, caplog):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    record = {"host": socket.gethostname(), "pid": dead.pid, "started": "2026-01-01T00:00:00"}
    (out / MAIN_LOCK).write_text(json.dumps(record))
    with caplog.at_level(logging.WARNING, logger="experiments.runner.store_lock"):
        summary = run_experiment(small_design(), out, executor="serial", progress=False)
    assert summary.done == 12
    assert f"stale lock left by PID {dead.pid}" in caplog.text
    assert "no longer running" in caplog.text
    # Released cleanly: the next runner finds nothing stale.
    assert (out / MAIN_LOCK).read_text() == ""


def test_resuming_removes_temporary_files_left_by_a_killed_writer(tmp_path):
    out = tmp_path / "out"
    design = small_design()
    run_experiment(design, out, executor="serial", shard="0/2", progress=False)
    leftovers = [
        out / ".tmp-0a1b2c-manifest.json",
        out / "results" / ".tmp-3d4e5f-part-x-00000.parquet",
        out / "status" / ".tmp-6a7b8c-part-x-00000.parquet",
    ]
    for path in leftovers:
        path.write_bytes(b"half a file")
    summary = run_experiment(design, out, executor="serial", progress=False)
    assert summary.done == 12
    assert not any(path.exists() for path in leftovers)


PROBE = """\
import fcntl, os, sys, time
from pathlib import Path
from experiments.runner.store_lock import MAIN_LOCK, _FileLock
root = Path(sys.argv[1])
root.mkdir(parents=True, exist_ok=True)
if sys.argv[2] == "shard":
    # A shard runner alone for a moment: the main lock exclusive, marked, then shared.
    lock = _FileLock(root / MAIN_LOCK, exclusive=True, shard=(0, 2))
    assert lock.try_acquire() is None
    print("held", flush=True)
    time.sleep(1.5)
    lock.share()
else:
    # A runner that has taken the lock but not yet written its name.
    fd = os.open(root / MAIN_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.lockf(fd, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(1.5)
    fcntl.lockf(fd, fcntl.LOCK_UN)
sys.stdin.read()
"""


@pytest.mark.parametrize("moment", ["shard", "unrecorded"])
def test_a_shard_waits_for_another_shards_moment_alone(tmp_path, moment):
    """Shards of a job array start together: one holds the main lock alone while it clears
    temporary files (or has not yet recorded itself); the others wait for that moment to end
    instead of refusing as if an unsharded runner held the store."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, str(out), moment],
        env=subprocess_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "held", proc.stderr.read()
        with store_lock_of(out, (1, 2)) as removed:
            assert removed == 0  # not alone: another shard may be writing
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    # An unsharded runner still refuses at once while a shard holds the store.
    holder = Holder(out, "0/2")
    try:
        with (
            pytest.raises(StoreLockedError, match="shard runners: shard-0-of-2"),
            store_lock_of(out),
        ):
            pass
    finally:
        holder.release()
