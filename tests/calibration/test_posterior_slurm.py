"""The posterior route with its particles simulated by Dask workers that are SLURM jobs, on a
real one-node SLURM cluster (see tests/slurm_cluster.py)."""

from __future__ import annotations

import pytest
from experiments_helpers import subprocess_env
from slurm_cluster import dask_slurm_spec, slurm_cluster  # noqa: F401 - the fixture

from calibration import config_from_dict
from calibration.make_synthetic import make_synthetic
from calibration.posterior_outputs import calibrate_posterior

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slurm")]


def test_posterior_particles_run_as_slurm_jobs(slurm_cluster, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PYTHONPATH", subprocess_env()["PYTHONPATH"])
    make_synthetic(tmp_path, persons=200, months=12, seed=5, truth={"demand.quit_rate": 0.005})
    config = config_from_dict(
        {
            "data": {"aggregate": "aggregate.csv", "public": "public.csv"},
            "model": {"base": "base_params.json", "persons": 200},
            "parameters": [{"path": "demand.quit_rate", "lower": 0.002, "upper": 0.008}],
            "fit": {"seed": 3, "bootstrap": 20, "se_replications": 2},
            "posterior": {"population_size": 10, "generations": 1, "predictive_draws": 2},
        },
        root=tmp_path,
    )
    logs = tmp_path / "worker-logs"
    backend = dask_slurm_spec(slurm_cluster, tmp_path)
    executor = backend.start()
    try:
        result = calibrate_posterior(config, tmp_path / "out", executor, jobs=2)
    finally:
        executor.shutdown()
        backend.stop()
    post = result.posterior
    assert len(post.samples) == 10 and post.generations["simulations"].iloc[0] >= 10
    assert (tmp_path / "out" / "posterior_samples.parquet").exists()
    # the particles really ran in SLURM jobs: each worker wrote its job log
    assert any("Start worker" in p.read_text() for p in logs.glob("*.err"))
