"""Is a lab's spin-up long enough? Its published statistics after the spin-up, against a longer one.

    python -m experiments.comparison.convergence [LAB ...] [--spin-ups S ...] [--seeds 6]

A run starts from its lab's steady state only as far as the spin-up (``spin_up_months``) has
reached it. For each lab and each spin-up length, baseline runs from the same seeds (the same
drawn market: common random numbers) give every survey statistic
(:data:`simulator.survey.STATISTICS`) as its mean over the first ``window`` months after the
spin-up; each length is then compared with the longest, seed by seed. The table gives, per
statistic, the mean relative difference and its z (mean paired difference over its standard
error across seeds). A spin-up is long enough for a lab (*settled*) when doubling it moves none
of the statistics the lab publishes by more than :data:`SHARE_OF_TOLERANCE` of the tolerance
it is validated at (each statistic is marked settled or not against a third of its published
figure's tolerance, else of the statistic's default one), beyond the seeds' noise: a change
counts when it is both larger than that and distinguishable from zero (``|z| >=``
:data:`DISTINGUISHABLE`). So what the spin-up leaves unsettled uses at most a third of the
validation's margin: 5% of the unemployment rate (tolerance 15%), 10% of a transition (30%),
about 17% of the vacancy rate (50%, its published figures compare less well). A large z with a
small difference is only precision (the paired differences of common random numbers are
tight), a large difference with a small z only noise. Without ``spin_ups`` each lab is checked
at its own length (``[spin_up]`` in its file, else the model's default) against twice that.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.comparison.validation import baseline_params, replication_statistics
from experiments.runner.executors import SerialExecutor, submit_run
from scenarios.compose import load_lab
from simulator.survey import STATISTICS

#: Shortest window: a lab's run settings hold an evaluation window of twelve months.
MIN_WINDOW = 12

#: Largest relative change of a first-year statistic, when the spin-up is doubled, for the
#: spin-up to count as long enough, as a share of the statistic's validation tolerance (the
#: rule each shipped lab's ``[spin_up]`` follows).
SHARE_OF_TOLERANCE = 1 / 3
#: |z| from which a change counts as distinguishable from the seeds' noise.
DISTINGUISHABLE = 2.0

#: Columns of :func:`spin_up_convergence`'s table.
COLUMNS = (
    "lab",
    "spin_up",
    "reference_spin_up",
    "statistic",
    "value",
    "reference",
    "relative_difference",
    "z",
    "seeds",
    "threshold",
    "settled",
    "published",
)


def spin_up_convergence(
    lab: str | Path,
    spin_ups: Sequence[int] | None = None,
    seeds: int = 6,
    window: int = 12,
    persons: int | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Each statistic after each spin-up length against the longest, paired by seed.

    Parameters
    ----------
    lab
        A shipped lab's name or a lab file.
    spin_ups
        Spin-up lengths in months; the longest is the reference. Default: the lab's own and
        twice that.
    seeds
        Seeds (``SeedSequence(s, spawn_key=(0,))`` for ``s`` in ``1..seeds``), at least 2.
    window
        Months after the spin-up over which each statistic is averaged (at least 12).
    persons
        Working-age population (default: the lab's own).
    executor
        Where the runs go (default: this process).

    Returns
    -------
    DataFrame
        One row per shorter spin-up and statistic, columns :data:`COLUMNS`; ``settled`` says
        whether the statistic moved by at most ``threshold`` (:data:`SHARE_OF_TOLERANCE` of
        its tolerance) against the reference, or by an amount not distinguishable from the
        seeds' noise; ``published`` whether the lab publishes the statistic (only those are
        validated, so only those decide whether the spin-up is long enough).
    """
    if seeds < 2:
        raise ValueError(f"seeds must be at least 2 for a standard error, got {seeds}")
    if window < MIN_WINDOW:
        raise ValueError(
            f"window must be at least {MIN_WINDOW} months (a lab run's evaluation window), "
            f"got {window}"
        )
    loaded = load_lab(lab)
    params = baseline_params(loaded, window, persons)
    if spin_ups is None:
        spin_ups = (params.spin_up_months, 2 * params.spin_up_months)
    lengths = sorted(set(spin_ups))
    if len(lengths) < 2 or lengths[0] < 0:
        raise ValueError(f"give at least two spin-up lengths of 0 or more months, got {spin_ups}")
    names = list(STATISTICS)
    tolerance = {name: STATISTICS[name].tolerance for name in names}
    published = {f.statistic: f.accepted_gap for f in loaded.file.published}
    tolerance.update(published)
    executor = executor or SerialExecutor()
    futures = {
        (length, s): submit_run(
            executor,
            replication_statistics,
            params.model_copy(update={"spin_up_months": length}),
            np.random.SeedSequence(s, spawn_key=(0,)),
            names,
            1,
        )
        for length in lengths
        for s in range(1, seeds + 1)
    }
    values = {
        length: pd.DataFrame([futures[length, s].result() for s in range(1, seeds + 1)])
        for length in lengths
    }
    longest = lengths[-1]
    reference = values[longest]
    rows = []
    for length in lengths[:-1]:
        for name in names:
            diff = values[length][name] - reference[name]
            mean_ref = float(reference[name].mean())
            se = float(diff.std(ddof=1)) / np.sqrt(seeds)
            relative = float(diff.mean()) / mean_ref if mean_ref != 0 else float("nan")
            threshold = SHARE_OF_TOLERANCE * tolerance[name]
            change = float(diff.mean())
            z = change / se if se > 0 else (0.0 if change == 0 else np.copysign(np.inf, change))
            rows.append(
                {
                    "lab": loaded.name,
                    "spin_up": length,
                    "reference_spin_up": longest,
                    "statistic": name,
                    "value": float(values[length][name].mean()),
                    "reference": mean_ref,
                    "relative_difference": relative,
                    "z": z,
                    "seeds": seeds,
                    "threshold": threshold,
                    "settled": bool(abs(relative) <= threshold or abs(z) < DISTINGUISHABLE),
                    "published": name in published,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def lab_settled(table: pd.DataFrame) -> bool:
    """Whether a lab's rows (one spin-up against its reference) show it settled: every
    statistic the lab publishes moved within its threshold or within the seeds' noise."""
    return bool(table.loc[table["published"], "settled"].all())


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: a row per lab and spin-up, each statistic's change in per cent
    with its z (marked ``*`` where it is unsettled), and whether the spin-up is settled for the
    lab (no distinguishable change beyond a third of its tolerance in a statistic the lab
    publishes)."""
    names = list(dict.fromkeys(table["statistic"]))
    head = (
        "| lab | spin-up | vs | "
        + " | ".join(STATISTICS[n].label for n in names)
        + f" | settled (no published statistic moved > {SHARE_OF_TOLERANCE:.2g} of its "
        f"tolerance at |z| >= {DISTINGUISHABLE:g}) |"
    )
    lines = [head, "|" + "---|" * (4 + len(names))]
    for (lab, length), part in table.groupby(["lab", "spin_up"], sort=False):
        cells = part.set_index("statistic")
        ref = int(cells["reference_spin_up"].iloc[0])
        lines.append(
            f"| {lab} | {length} | {ref} | "
            + " | ".join(
                f"{100 * cells.loc[n, 'relative_difference']:+.1f}% ({cells.loc[n, 'z']:+.0f})"
                + ("" if cells.loc[n, "settled"] else "*")
                for n in names
            )
            + f" | {'yes' if lab_settled(part) else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import sys

    from experiments.runner.executors import ExecutorSpec
    from scenarios.errors import ScenarioError
    from scenarios.files import LAB_DIR, shipped

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="lab names (default: every shipped lab)")
    parser.add_argument(
        "--spin-ups",
        type=int,
        nargs="+",
        help="spin-up lengths in months (default: each lab's own and twice that)",
    )
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--window", type=int, default=12, help="months after the spin-up")
    parser.add_argument("--persons", type=int, help="population (default: each lab's own)")
    parser.add_argument("--workers", type=int, default=2, help="processes (1: this one)")
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    spec = ExecutorSpec("serial" if args.workers == 1 else "processes", workers=args.workers)
    executor = spec.start()
    try:
        table = pd.concat(
            [
                spin_up_convergence(
                    lab, args.spin_ups, args.seeds, args.window, args.persons, executor
                )
                for lab in args.labs or shipped(LAB_DIR)
            ],
            ignore_index=True,
        )
    except (ScenarioError, ValueError) as err:
        print(f"convergence: {err}", file=sys.stderr)
        return 2
    finally:
        executor.shutdown()
    print(markdown(table))
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
