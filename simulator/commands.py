"""Subcommands of the simulator layer: ``synclusive run`` simulates one labour market;
``synclusive params`` lists parameters with units, ranges and references.

:func:`register` adds them to the ``synclusive`` parser (:mod:`cli.main`).

Exit codes: 0 success, 2 invalid input (nothing is written).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from simulator.options import (
    build_params,
    int_at_least,
    read_parameters_file,
    seed_type,
    write_parameters_file,
)
from simulator.output_folder import check_output_folder, mark_output_folder
from simulator.params import ModelParams


def _cmd_run(args: argparse.Namespace) -> int:
    # Imported here: the model loads the compiled kernels: only a run needs them.
    from simulator.model import LabourMarketModel

    base = read_parameters_file(args.params) if args.params else None
    assignments = list(args.set or [])
    if args.persons is not None:
        assignments.append(f"population.n_persons={args.persons}")
    params = build_params(base, assignments, source=args.params or "parameters", months=args.months)
    # The folder is checked before the simulation, which may take minutes.
    out = check_output_folder(args.out, "run", overwrite=args.overwrite)
    t0 = time.perf_counter()
    model = LabourMarketModel(params, rng=args.seed, engine=args.engine)
    setup = time.perf_counter() - t0
    results = model.run(progress=not args.quiet)
    total = time.perf_counter() - t0
    files = results.save(out, tuple(args.format))
    mark_output_folder(out, "run")
    write_parameters_file(out / "parameters.json", params, seed=args.seed, engine=args.engine)
    if not args.no_figures:
        # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
        from simulator.plots import save_figures

        files += save_figures(results, out / "figures")
    if not args.quiet:
        wide = results.wide()
        last = wide.iloc[-12:].mean()
        print(
            f"{params.population.n_persons:,} persons, {params.months} months, seed {args.seed}: "
            f"set-up {setup:.2f}s, total {total:.2f}s"
        )
        print(
            f"  last 12 months: unemployment {100 * last['unemployment_rate']:.1f}%, "
            f"long-term share {100 * last['long_term_share']:.1f}%, "
            f"vacancy rate {100 * last['vacancy_rate']:.2f}%"
        )
        print(f"  wrote {len(files) + 1} files to {out}/")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    if args.schema:
        print(json.dumps(ModelParams.model_json_schema(), indent=2))
        return 0
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from simulator.parameter_table import parameter_table

    table = parameter_table()
    if args.uncertain:
        table = table[table["uncertain_low"].notna()]
    print(table.to_string(index=False, max_colwidth=60))
    return 0


def register(sub: Any) -> None:
    """Add ``run`` and ``params`` to the ``synclusive`` subcommands."""
    run = sub.add_parser(
        "run",
        help="simulate one labour market and write indicators and figures",
        description="Simulate one labour market (baseline unless parameters add interventions) "
        "and write the monthly indicator table (Parquet and CSV) and figures.",
    )
    run.add_argument("--persons", type=int_at_least("--persons"), help="labour force at start")
    run.add_argument("--months", type=int_at_least("--months"), help="months to simulate")
    run.add_argument(
        "--seed", type=seed_type(), default=1, help="random seed, 0 or more (default 1)"
    )
    run.add_argument("--out", default="outputs/run", help="output folder (default outputs/run)")
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="write into --out even if it holds other files (they may be replaced)",
    )
    run.add_argument("--params", help="JSON file of parameters (as written by a run)")
    run.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override one parameter, e.g. --set demand.quit_rate=0.004 (repeatable)",
    )
    run.add_argument(
        "--engine",
        "--backend",  # the former name of the flag, still accepted
        dest="engine",
        choices=["numba", "python"],
        default="numba",
        help="engine: compiled kernels (default) or the plain-Python reference",
    )
    run.add_argument(
        "--format",
        nargs="+",
        choices=["parquet", "csv"],
        default=["parquet", "csv"],
        help="table formats (default both)",
    )
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    run.set_defaults(func=_cmd_run)

    params = sub.add_parser(
        "params",
        help="list parameters with units, ranges and references",
        description="List every model parameter with its default, unit, allowed range, "
        "uncertainty range and reference.",
    )
    params.add_argument("--schema", action="store_true", help="print the JSON Schema instead")
    params.add_argument(
        "--uncertain", action="store_true", help="only parameters with an uncertainty range"
    )
    params.set_defaults(func=_cmd_params)
