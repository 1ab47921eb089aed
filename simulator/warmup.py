"""Compile every kernel once and store it in numba's on-disk cache.

Run ``python -m simulator.warmup`` before starting many worker processes (a test run, a batch
of simulations) so that they load compiled kernels instead of each compiling them again.
"""

from __future__ import annotations

import time

from simulator.interventions import InterventionSpec
from simulator.model import LabourMarketModel
from simulator.params import ModelParams


def compile_kernels() -> float:
    """Run a tiny model that reaches every kernel; returns the seconds it took."""

    start = time.perf_counter()
    params = ModelParams.model_validate(
        {
            # Long enough for school leavers and migrants to arrive (their kernel compiles).
            "months": 12,
            "population": {"n_persons": 300},
            "coalition": {"employer_share": 0.5},
            "interventions": [
                InterventionSpec(
                    name="coaching",
                    kind="job_search_coaching",
                    target="jobseekers",
                    peer_group=True,
                ),
                InterventionSpec(name="culture", kind="inclusive_culture", target="employers"),
            ],
        }
    )
    LabourMarketModel(params, rng=0).run()
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"kernels ready in {compile_kernels():.1f} s")
