"""Start-up of a small run, as a fresh process pays it: prints tables, asserts nothing.

Runs ``synclusive run --persons 1000 --months 1 --no-figures`` in fresh processes (the command
a cluster's array task or a quick check starts) and prints, over the runs, the seconds from
the process's start to three moments: the model and the command line imported, the first
month of the run (after set-up, the kernels' loading and the spin-up), and the process's exit.
Then the packages that take the import time, from ``python -X importtime`` (each package's
own modules, summed), so a change to start-up can be traced to what it moved.

Usage: python benchmarks/bench_startup.py [--runs 5] [--persons 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

#: What the child process runs: the command line's own entry point, with the moments marked.
CHILD = """
import json, sys, time
started = float(sys.argv[1])
marks = {}
import simulator.model as model_module
from cli.main import console as synclusive
marks["imports"] = time.time() - started
step = model_module.LabourMarketModel.step
def first_month_marked(self):
    if self.recording and "first month" not in marks:  # the spin-up's model records nothing
        marks["first month"] = time.time() - started
    step(self)
model_module.LabourMarketModel.step = first_month_marked
code = synclusive(sys.argv[3:])
marks["exit"] = time.time() - started
with open(sys.argv[2], "w") as f:
    json.dump(marks, f)
sys.exit(code)
"""


def timed_child(persons: int, folder: Path) -> dict[str, float]:
    """One fresh process's moments, in seconds from its start; "process" from the parent."""
    marks_file = folder / "marks.json"
    out = folder / "run"
    command = [
        "run",
        "--persons",
        str(persons),
        "--months",
        "1",
        "--no-figures",
        "--quiet",
        "--overwrite",
    ]
    started = time.time()
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, repr(started), str(marks_file), *command, "--out", str(out)],
        check=True,
        cwd=ROOT,
    )
    marks = json.loads(marks_file.read_text())
    marks["process"] = time.perf_counter() - t0
    return marks


def import_time_by_package() -> dict[str, float]:
    """Seconds of import by top-level package (each module's own time), in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import simulator.model, cli.main"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            by_package[found[2].split(".")[0]] += int(found[1]) / 1e6
    return dict(by_package)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes")
    parser.add_argument("--persons", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        timed_child(args.persons, Path(tmp))  # warm the kernel cache and the file cache
        runs = [timed_child(args.persons, Path(tmp)) for _ in range(args.runs)]

    print(
        f"synclusive run --persons {args.persons:,} --months 1 --no-figures: seconds from the "
        f"process's start, {args.runs} fresh processes"
    )
    print(f"{'moment':<28}{'median':>8}{'min':>8}{'max':>8}")
    for moment, label in (
        ("imports", "model and CLI imported"),
        ("first month", "first month of the run"),
        ("exit", "tables written"),
        ("process", "process exit (as time gives)"),
    ):
        values = [r[moment] for r in runs]
        print(f"{label:<28}{statistics.median(values):>8.2f}{min(values):>8.2f}{max(values):>8.2f}")

    packages = import_time_by_package()
    total = sum(packages.values())
    print(f"\nimport time by package (python -X importtime, one process): {total:.2f} s")
    for name, seconds in sorted(packages.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {name:<20}{seconds:>6.2f} s")


if __name__ == "__main__":
    main()
