"""Where the event study's months before the start come from, per programme of a package.

For each person-targeted programme of a package, prints the cohort's share in work over the 12
months before the start, package arm less baseline (the event study's pre-start bin, each arm
counting the months its person is observed), and three checks of its cause
(docs/evaluation.md, "Why the months before the start are not exactly flat"):

* ``shift``: the mean of ``s_P - s_0``, the person's start in the package arm less the start
  in the placebo arm (months): a misalignment would show here;
* ``same months``: the same people's share in work in the package arm less the baseline's at
  the same calendar months, the 12 months before the earlier of their two starts (pp): the
  package's effect on them before any programme touched them;
* ``out of work``: months out of work in the 24 before the start, package arm and baseline.

Usage::

    NUMBA_CACHE_DIR=.numba_cache .venv/bin/python benchmarks/bench_pre_start.py \\
        [--package kokkola_engine] [--persons 10000] [--months 72] [--replications 4]
"""

from __future__ import annotations

import argparse

import numpy as np

from experiments.comparison.arms import BASELINE, NO_ABLATION, group_outputs, run_tasks
from experiments.comparison.event_study import PRE_MONTHS, participation
from experiments.comparison.study import PLACEBO, plan
from scenarios import load_scenario
from simulator import panel as P
from simulator.panel import PersonPanel


def _in_work_before(statuses: np.ndarray, rows: np.ndarray, ends: np.ndarray) -> float:
    """Share in work over the 12 months before ``ends`` (per person), where observed."""
    hits = seen = 0
    for k in range(1, PRE_MONTHS + 1):
        m = ends - k
        ok = m >= 0
        s = statuses[m[ok], rows[ok]]
        hits += int((s == P.EMPLOYED).sum())
        seen += int((s != P.ABSENT).sum())
    return hits / max(seen, 1)


def _months_out_of_work(statuses: np.ndarray, rows: np.ndarray, starts: np.ndarray) -> float:
    """Mean months not in work among the 24 before each start."""
    total = 0
    for k in range(1, 25):
        m = starts - k
        ok = m >= 0
        total += int((statuses[m[ok], rows[ok]] != P.EMPLOYED).sum())
    return total / max(rows.size, 1)


def checks(policy: PersonPanel, baseline: PersonPanel, placebo: PersonPanel, k: int) -> dict:
    """The pre-start effect of programme ``k``'s cohort and its checks, one replication."""
    sp, sb = policy.statuses(), baseline.statuses()
    n = min(sp.shape[1], sb.shape[1], placebo.n, policy.n)
    _, programme, _ = participation(policy, placebo, n)
    rows = np.flatnonzero(programme == k)
    s_p = policy.first_start[rows].astype(np.int64)
    s_0 = placebo.first_start[rows].astype(np.int64)
    first = np.minimum(s_p, s_0)
    return {
        "persons": rows.size,
        "before": 100 * (_in_work_before(sp, rows, s_p) - _in_work_before(sb, rows, s_0)),
        "shift": float(np.mean(s_p - s_0)) if rows.size else np.nan,
        "same_months": 100 * (_in_work_before(sp, rows, first) - _in_work_before(sb, rows, first)),
        "out_p": _months_out_of_work(sp, rows, s_p),
        "out_b": _months_out_of_work(sb, rows, s_0),
    }


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--package", default="kokkola_engine")
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=72)
    ap.add_argument("--replications", type=int, default=4)
    args = ap.parse_args()
    scenario = load_scenario(
        args.package,
        overrides=[
            f"run.persons={args.persons}",
            f"run.months={args.months}",
            f"run.replications={args.replications}",
            "run.ablation=false",
        ],
    )
    runs = group_outputs(run_tasks(plan(scenario), workers=1, progress=False))
    arm = scenario.arms[0]
    print(
        f"{args.package} on its lab, {args.persons:,} persons, {args.months} months, "
        f"{args.replications} replications; means over replications\n"
    )
    print(
        f"{'programme':<20} {'persons':>8} {'before pp':>10} {'shift mo':>9} "
        f"{'same months pp':>15} {'out of work (P / base)':>23}"
    )
    for k, spec in enumerate(arm.params.interventions):
        if spec.target == "employers":
            continue
        per_rep = [
            checks(
                runs[(arm.name, NO_ABLATION)][r].panel,
                runs[(BASELINE, NO_ABLATION)][r].panel,
                runs[(arm.name, PLACEBO)][r].panel,
                k,
            )
            for r in range(args.replications)
        ]
        m = {key: float(np.nanmean([c[key] for c in per_rep])) for key in per_rep[0]}
        print(
            f"{spec.name:<20} {m['persons']:8.0f} {m['before']:+10.2f} {m['shift']:+9.2f} "
            f"{m['same_months']:+15.2f} {m['out_p']:11.2f} / {m['out_b']:<9.2f}"
        )


if __name__ == "__main__":
    main()
