"""Both SLURM routes against a real one-node SLURM cluster (see tests/slurm_cluster.py).

1. A job array (``sbatch --array``): each array task runs its own shard of the design with
   ``synclusive experiment run --shard slurm``, no scheduler at all.
2. Dask on SLURM: ``dask_jobqueue.SLURMCluster`` submits the Dask workers as SLURM jobs.

Both must store exactly the results of a local serial run.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pandas as pd
import pytest
from experiments_helpers import ROOT, design_toml, small_design, subprocess_env
from slurm_cluster import dask_slurm_spec, slurm_cluster  # noqa: F401 - the fixture

from experiments import ResultStore, load_results, run_experiment

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slurm")]


@pytest.fixture(scope="module")
def local_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "serial"
    run_experiment(small_design(), out, executor="serial", progress=False)
    return load_results(out)


def test_job_array_shards_equal_the_local_run(slurm_cluster, tmp_path, local_results):  # noqa: F811
    design = tmp_path / "small.toml"
    design.write_text(design_toml())
    out = tmp_path / "array"
    script = tmp_path / "shards.sbatch"
    script.write_text(
        f"""#!/bin/bash
#SBATCH --job-name=synclusive-shards
#SBATCH --cpus-per-task=1
#SBATCH --output={tmp_path}/shard-%a.log
cd {ROOT}
exec {sys.executable} -m cli experiment run {design} --out {out} \\
    --shard slurm --executor serial --quiet
"""
    )
    env = subprocess_env(SLURM_CONF=str(slurm_cluster.conf))
    proc = subprocess.run(
        ["sbatch", "--parsable", "--array=0-2", str(script)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    tasks = slurm_cluster.wait(proc.stdout.strip().split(";")[0])
    logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("shard-*.log")))
    assert tasks == [("COMPLETED", "0:0")] * 3, f"{tasks}\n{logs}"
    assert logs.count("4 runs: 4 done, 0 failed, 0 pending") == 3, logs
    records = ResultStore.open(out).status_records()
    assert records["session"].nunique() == 3  # one runner per array task
    assert records["run_key"].is_unique
    pd.testing.assert_frame_equal(load_results(out), local_results)


def test_dask_jobqueue_slurm_workers_equal_the_local_run(
    slurm_cluster,  # noqa: F811
    tmp_path,
    local_results,
    monkeypatch,
):
    monkeypatch.setenv("PYTHONPATH", subprocess_env()["PYTHONPATH"])
    logs = tmp_path / "worker-logs"
    backend = dask_slurm_spec(slurm_cluster, tmp_path)
    out = tmp_path / "dask-slurm"
    summary = run_experiment(small_design(), out, executor=backend, chunk_size=2, progress=False)
    assert summary.done == 12
    pd.testing.assert_frame_equal(load_results(out), local_results)
    # The workers really were SLURM jobs: each wrote its job log.
    worker_logs = list(logs.glob("*.err"))
    assert worker_logs, f"no SLURM job logs in {logs}"
    assert any("Start worker" in p.read_text() for p in worker_logs)
    # The cluster released its worker jobs.
    deadline = time.monotonic() + 30
    while "dask-worker" in slurm_cluster.jobs() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "dask-worker" not in slurm_cluster.jobs()
