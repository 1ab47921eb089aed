"""Where the monthly step spends its time, beside each phase's memory-bound floor.

Builds one model (1,000,000 persons by default, its spin-up included in the set-up time), runs
it, and prints for each phase of the step the milliseconds per month beside the floor: the
bytes the phase must touch at least once (every table column its kernels read or write, for
every row) divided by this machine's stream bandwidth, measured in the same process just
before. The ratio says how far each phase is from the memory limit. Prints, asserts nothing.

With ``--scenario`` it runs a living lab or a package on its lab at the lab's own size (the
runs a sensitivity study or a calibration makes by the thousand): the package arm, or with
``--baseline`` its baseline.

Usage: python benchmarks/bench_phases.py [--persons 1000000] [--months 24] [--threads N]
       python benchmarks/bench_phases.py --scenario kokkola_engine --months 36 --threads 1
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

#: The kernel modules each phase runs (the census is taken in the consequences pass).
PHASE_MODULES = {
    "demand": ("demand",),
    "mobility": ("mobility",),
    "services": ("services",),
    "matching": ("matching",),
    "consequences": ("consequences",),
}


def stream_bandwidth(megabytes: int = 512, repeats: int = 5) -> float:
    """Bytes per second of a large array copy (each byte read once and written once)."""
    src = np.ones(megabytes * 2**20 // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return 2 * src.nbytes / best


def columns_touched(module: str) -> dict[str, set[str]]:
    """Columns of each table that a kernel module names (``state.P_X``, ``state.Q_X`` ...)."""
    source = (ROOT / "simulator" / "kernels" / f"{module}.py").read_text()
    names = set(re.findall(r"state\.([PQE]_[A-Z0-9_]+)", source))
    return {prefix: {n for n in names if n.startswith(prefix)} for prefix in ("P_", "Q_", "E_")}


def floor_bytes(model, modules: tuple[str, ...]) -> int:
    """Bytes a phase must touch at least once: every column it names, every row."""
    from simulator import state

    w = model.world
    rows = {"P_": w.persons.n, "Q_": w.positions.n, "E_": w.employers.n}
    # Bytes per value of each named column: its table's dtype (floats 8, ints 4).
    width = {}
    for prefix, tables in (
        (
            "P_",
            ((state.PERSON_FLOAT_COLUMNS, w.persons.f), (state.PERSON_INT_COLUMNS, w.persons.i)),
        ),
        ("Q_", ((state.POSITION_INT_COLUMNS, w.positions.i),)),
        (
            "E_",
            (
                (state.EMPLOYER_FLOAT_COLUMNS, w.employers.f),
                (state.EMPLOYER_INT_COLUMNS, w.employers.i),
            ),
        ),
    ):
        for columns, table in tables:
            width.update({prefix + c.upper(): table.itemsize for c in columns})
    total = 0
    for module in modules:
        for prefix, names in columns_touched(module).items():
            total += sum(width[name] for name in names) * rows[prefix]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons", type=int, help="persons (default 1,000,000, or the scenario lab's own)"
    )
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument(
        "--threads", type=int, help="threads of the parallel kernels (default: every core)"
    )
    parser.add_argument("--scenario", help="a lab or package name (default: the defaults)")
    parser.add_argument(
        "--baseline", action="store_true", help="with --scenario: its baseline, not the package"
    )
    args = parser.parse_args()

    import numba

    from simulator.jit import kernel_threads
    from simulator.model import PHASES, LabourMarketModel
    from simulator.params import ModelParams

    def params(n: int, months: int) -> ModelParams:
        return ModelParams.model_validate({"months": months, "population": {"n_persons": n}})

    if args.scenario:
        from scenarios import compose, load_lab, scenario_from_names
        from scenarios.files import LAB_DIR, shipped

        if args.scenario in shipped(LAB_DIR):  # a lab on its own: its baseline
            chosen, arm = compose(load_lab(args.scenario), []).baseline, "baseline"
        else:
            scenario = scenario_from_names(args.scenario)
            arm = "baseline" if args.baseline else "package arm"
            chosen = scenario.baseline if args.baseline else scenario.arms[0].params
        persons = args.persons or chosen.population.n_persons
        population = chosen.population.model_copy(update={"n_persons": persons})
        measured = chosen.model_copy(update={"months": args.months, "population": population})
        what = f"{args.scenario} ({arm}), "
    else:
        persons = args.persons or 1_000_000
        measured, what = params(persons, args.months), ""

    with kernel_threads(args.threads or numba.config.NUMBA_NUM_THREADS):
        threads = numba.get_num_threads()
        LabourMarketModel(params(500, 2), rng=0).run()  # load the compiled kernels
        bandwidth = stream_bandwidth()
        t0 = time.perf_counter()
        model = LabourMarketModel(measured, rng=1)
        setup = time.perf_counter() - t0
        model.phase_seconds = dict.fromkeys(PHASES, 0.0)
        t1 = time.perf_counter()
        model.run()
        run = time.perf_counter() - t1

    print(
        f"{what}{persons:,} persons, {args.months} months, {threads} "
        f"thread{'s' if threads > 1 else ''}; stream bandwidth "
        f"{bandwidth / 1e9:.1f} GB/s; set-up (spin-up included) {setup:.2f} s"
    )
    step = 1000 * run / args.months
    digits = 1 if step >= 10 else 2  # a lab-size month takes a few milliseconds
    print(f"{'phase':<14}{'ms/month':>10}{'floor ms':>10}{'ratio':>8}{'MB touched':>12}")
    total_floor = 0.0
    for phase in PHASES:
        ms = 1000 * model.phase_seconds[phase] / args.months
        if phase in PHASE_MODULES:
            nbytes = floor_bytes(model, PHASE_MODULES[phase])
            floor = 1000 * nbytes / bandwidth
            total_floor += floor
            print(
                f"{phase:<14}{ms:>10.{digits}f}{floor:>10.{digits}f}{ms / floor:>8.1f}"
                f"{nbytes / 1e6:>12.{digits - 1}f}"
            )
        else:
            print(f"{phase:<14}{ms:>10.{digits}f}{'':>10}{'':>8}{'':>12}")
    print(
        f"{'whole step':<14}{step:>10.{digits}f}{total_floor:>10.{digits}f}"
        f"{step / total_floor:>8.1f}"
    )
    if model.gathered_beside_chains:
        print(
            "(mobility includes gathering the jobseekers, done beside the vacancy chains in "
            "months without interventions at this size; matching's floor still counts it)"
        )


if __name__ == "__main__":
    main()
