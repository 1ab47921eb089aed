"""Wall time of a grouped Sobol' analysis of the Kokkola engine package (not a timed test).

What it runs: the package's effect on the employment rate of the long-term unemployed over
36 months, first-order and total Sobol' indices grouped by mechanism, N base samples
(default 256, the analyst's lunch-break target: under 10 minutes on 2 cores), each point
replicated with common random numbers, through the experiments runner.

Prints set-up, run and analysis times, runs per second, time per run (one run = package arm
+ baseline), the replication-noise share and the base sample size at which the intervals of
the top two mechanisms separate. With ``--samples`` below 256 it also prints an
extrapolation to N = 256, labelled as such (run time is linear in the number of runs).

    python benchmarks/bench_sensitivity.py --samples 256 --workers 2
    python benchmarks/bench_sensitivity.py --samples 16        # quick, extrapolates
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))

OUTCOME = "employment_rate/long_term_unemployed"
TARGET_N = 256
TARGET_SECONDS = 600.0


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=TARGET_N, help="base sample N")
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--executor", default="processes")
    parser.add_argument("--out", help="keep the study here (default: a temporary folder)")
    args = parser.parse_args()

    from experiments.sensitivity.sobol import required_samples
    from experiments.sensitivity.study import analyse_study, run_study, scenario_study

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench_sa_"))
    t0 = time.perf_counter()
    study = scenario_study(
        "kokkola_engine",
        months=args.months,
        outcomes=[OUTCOME],
        method="sobol",
        samples=args.samples,
        replications=args.replications,
    )
    design, _ = study.design()
    n_runs = len(design.runs)
    t_setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    summary = run_study(study, out, executor=args.executor, workers=args.workers, progress=True)
    t_runs = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = analyse_study(out)
    result.save(out)
    t_analysis = time.perf_counter() - t2
    total = t_setup + t_runs + t_analysis

    persons = study.base_params["policy"]["population"]["n_persons"]
    groups = study.problem.groups
    print(
        f"\nKokkola engine package, {persons:,} persons, {args.months} months; "
        f"{len(study.problem.parameters)} parameters in {len(groups)} mechanism groups"
    )
    print(
        f"N = {args.samples}: {len(design.points)} points x {args.replications} replications "
        f"= {n_runs} runs (each: package arm + baseline, common random numbers); {summary}"
    )
    print(
        f"wall time {total:.1f} s (set-up {t_setup:.1f} s, runs {t_runs:.1f} s, "
        f"analysis + report {t_analysis:.1f} s) with {args.workers} workers ({args.executor})"
    )
    rate = summary.ran / t_runs if t_runs > 0 else float("nan")
    print(
        f"{rate:.2f} runs/s, {t_runs / max(summary.ran, 1):.3f} s per run wall "
        f"({args.workers * t_runs / max(summary.ran, 1):.3f} s per run per worker)"
    )
    table = result.indices[result.indices["outcome"] == OUTCOME].sort_values("ST", ascending=False)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    noise = result.noise.set_index("outcome").loc[OUTCOME]
    print(f"replication noise: {100 * noise['noise_share']:.1f}% of the variance across points")
    need = required_samples(table, args.samples)
    if need == args.samples:
        print(f"the top two mechanisms are separated at N = {args.samples}")
    else:
        print(f"intervals of the top two mechanisms separate at about N = {need:g}")
    for w in result.warnings:
        print("warning:", w)
    if args.samples != TARGET_N:
        scale = TARGET_N / args.samples
        print(
            f"EXTRAPOLATED (not measured) to N = {TARGET_N}: {int(n_runs * scale)} runs, "
            f"about {(t_runs * scale + t_setup * scale + t_analysis) / 60:.1f} min "
            f"(target {TARGET_SECONDS / 60:.0f} min)"
        )
    else:
        verdict = "within" if total <= TARGET_SECONDS else "over"
        print(f"{verdict} the {TARGET_SECONDS / 60:.0f}-minute target")
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
