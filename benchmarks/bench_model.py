"""Speed and memory of the model: prints a table, asserts nothing.

For each population size (employers in proportion, 20 persons each) the model is built and run
for 120 months in a fresh process, after a small warm-up run that loads the compiled kernels
from numba's cache, so set-up, run time and peak memory are those of one run; "process s" is
that process's whole wall time, from its start to its exit (imports, loading the kernels, the
warm-up, set-up, run), as ``/usr/bin/time`` gives it. The 10,000-person model is also run with
the plain-Python reference for a few months, in a process of its own, and the kernels' speed-up
is the ratio of milliseconds per step measured in that process.

Usage: python benchmarks/bench_model.py [--sizes 10000 100000 1000000] [--months 120] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.params import ModelParams

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))


def _params(persons: int, months: int) -> ModelParams:
    from simulator.params import ModelParams

    return ModelParams.model_validate({"months": months, "population": {"n_persons": persons}})


def one_run(persons: int, months: int) -> dict:
    """Run in this process and return timings (called in a child process)."""
    import numba

    from simulator.model import LabourMarketModel

    LabourMarketModel(_params(500, 2), rng=0).run()  # load compiled kernels
    t0 = time.perf_counter()
    model = LabourMarketModel(_params(persons, months), rng=1)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    return {
        "persons": persons,
        "employers": model.world.employers.n,
        "months": months,
        "setup_s": t1 - t0,
        "run_s": t2 - t1,
        "ms_per_step": 1000 * (t2 - t1) / months,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": numba.get_num_threads(),
    }


def reference_run(persons: int, months: int) -> dict:
    """Milliseconds per step of the kernels and of the plain-Python reference, measured in
    this process (called in a child process)."""
    from simulator.model import LabourMarketModel

    LabourMarketModel(_params(500, 2), rng=0).run()  # load compiled kernels
    timings = {}
    for name in ("numba", "python"):
        model = LabourMarketModel(_params(persons, months), rng=1, engine=name)
        t = time.perf_counter()
        model.run()
        timings[f"{name}_ms"] = 1000 * (time.perf_counter() - t) / months
    return {"persons": persons, **timings}


def _child(mode: str, persons: int, months: int, env: dict) -> dict:
    """Run one measurement in a fresh process; adds its whole wall time (``process_s``)."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, mode, f"{persons},{months}"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    wall = time.perf_counter() - t
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "process_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument(
        "--reference-months",
        type=int,
        default=12,
        help="months of the numba-vs-reference comparison at 10,000 persons (0: none)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="numba threads of the parallel kernels (default: NUMBA_NUM_THREADS or every core)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--reference", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.reference:
        persons, months = map(int, (args.child or args.reference).split(","))
        run = one_run if args.child else reference_run
        print(json.dumps(run(persons, months)))
        return

    env = dict(os.environ)
    if args.threads:
        env["NUMBA_NUM_THREADS"] = str(args.threads)
    rows = [_child("--child", persons, args.months, env) for persons in args.sizes]

    threads = rows[0]["threads"]
    print(
        f"Model speed, {args.months} months (numba kernels, {threads} "
        f"thread{'s' if threads > 1 else ''})"
    )
    print(
        f"{'persons':>10} {'employers':>10} {'set-up s':>9} {'run s':>8} {'total s':>8} "
        f"{'ms/step':>8} {'peak MB':>8} {'process s':>10}"
    )
    for r in rows:
        print(
            f"{r['persons']:>10,} {r['employers']:>10,} {r['setup_s']:>9.2f} {r['run_s']:>8.2f} "
            f"{r['setup_s'] + r['run_s']:>8.2f} {r['ms_per_step']:>8.1f} {r['peak_mb']:>8.0f} "
            f"{r['process_s']:>10.2f}"
        )
    if args.reference_months:
        r = _child("--reference", 10_000, args.reference_months, env)
        print(
            f"\nKernels vs plain-Python reference, {r['persons']:,} persons, "
            f"{args.reference_months} months, same process:"
        )
        print(
            f"  numba {r['numba_ms']:.2f} ms/step, reference {r['python_ms']:.0f} ms/step, "
            f"speed-up x{r['python_ms'] / r['numba_ms']:.0f}"
        )


if __name__ == "__main__":
    main()
