"""``synclusive validate``: a lab's baseline against the published statistics it carries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.backends import Backend
from experiments.validation import validate_lab, write_validation
from scenarios.errors import ScenarioError
from scenarios.files import LAB_DIR, shipped
from simulator.cli import int_at_least, seed_type


def add_validate_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``validate`` to the ``synclusive`` subparsers."""
    p = sub.add_parser(
        "validate",
        help="compare a lab's baseline with its published statistics",
        description="Run each lab's baseline over replications (from its steady state, after "
        "the spin-up) and compare every statistic it publishes (unemployment, long-term "
        "share, employment rate, vacancy rate, quarterly transitions between employment, "
        "unemployment and inactivity), computed by the published definition, with the "
        "published value: a table (Parquet, CSV), a figure and an HTML page. Exit status 1 "
        "when a figure lies outside its tolerance.",
    )
    p.add_argument("labs", nargs="*", metavar="LAB", help="lab names or files (default: all)")
    p.add_argument(
        "--replications", type=int_at_least("--replications", 2), default=4, help="baseline runs"
    )
    p.add_argument(
        "--months", type=int_at_least("--months", 13), default=120, help="months per run"
    )
    p.add_argument("--seed", type=seed_type(), default=0, help="root seed, 0 or more")
    p.add_argument(
        "--workers", type=int_at_least("--workers", 1), default=1, help="local worker processes"
    )
    p.add_argument("--out", default="outputs/validation", help="output folder")
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Validate the labs, print the table, write the outputs; 1 if any figure is off."""
    import pandas as pd

    labs = args.labs or shipped(LAB_DIR)
    backend = Backend("serial" if args.workers == 1 else "processes", workers=args.workers)
    executor = backend.start()
    tables = []
    try:
        for lab in labs:
            try:
                tables.append(
                    validate_lab(
                        lab,
                        replications=args.replications,
                        months=args.months,
                        seed=args.seed,
                        executor=executor,
                    )
                )
            except (ScenarioError, ValueError) as err:
                print(f"synclusive validate: {err}", file=sys.stderr)
                return 2
    finally:
        executor.shutdown()
    table = pd.concat(tables, ignore_index=True)
    shown = table[["lab", "label", "published", "model", "low", "high", "ratio", "verdict"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    written = write_validation(table, Path(args.out))
    print(f"wrote {len(written)} files to {args.out} (open validation.html)")
    return 0 if (table["verdict"] == "reproduced").all() else 1
