"""``synclusive sensitivity``: which mechanisms drive a package's effects in a living lab.

Subcommands::

    synclusive sensitivity run kokkola_engine --method sobol --samples 64 --out outputs/sa
    synclusive sensitivity analyse outputs/sa             # redo tables, figures, report
    synclusive sensitivity given-data outputs/quit_rate --outcome unemployment_rate

Exit codes: 0 done, 1 some runs failed or pending, 2 invalid input (nothing written).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from experiments.errors import DesignError
from experiments.runner.executors import add_executor_option, quiet_dask_logs
from simulator.errors import ParameterError
from simulator.options import int_at_least, seed_type
from simulator.output_folder import check_output_folder


def register(sub: Any) -> None:
    """Add ``sensitivity run|analyse|given-data`` to the ``synclusive`` parser."""
    sa = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis: which mechanisms drive a package's effects",
        description="Morris screening and Sobol' indices (grouped by mechanism) of a "
        "package's effects against the baseline, run through the experiments runner.",
    )
    cmds = sa.add_subparsers(dest="sa_command", required=True, metavar="SUBCOMMAND")

    run = cmds.add_parser("run", help="run (or resume) a study, then analyse it")
    run.add_argument("package", nargs="?", help="package name or file (on its own lab)")
    run.add_argument("--lab", help="living lab (default: the package's)")
    run.add_argument("--scenario", help="scenario name or file instead of a package")
    run.add_argument("--method", choices=["sobol", "morris"], default="sobol")
    run.add_argument(
        "--samples",
        type=int_at_least("--samples"),
        default=64,
        help="Sobol' base N (power of two) or trajectories",
    )
    run.add_argument(
        "--replications", type=int_at_least("--replications"), default=2, help="CRN runs per point"
    )
    run.add_argument(
        "--seed", type=seed_type(), help="root seed, 0 or more (default: the scenario's)"
    )
    run.add_argument("--months", type=int_at_least("--months"), help="months simulated")
    run.add_argument("--persons", type=int_at_least("--persons"), help="simulated labour force")
    run.add_argument("--window", type=int_at_least("--window"), help="evaluation window (months)")
    run.add_argument(
        "--parameters",
        nargs="+",
        choices=["mechanisms", "interventions", "all_uncertain"],
        default=["mechanisms", "interventions"],
        help="parameter sets (default: mechanism and intervention-effect parameters)",
    )
    run.add_argument("--include", nargs="+", metavar="PATH", help="only these parameters")
    run.add_argument("--exclude", nargs="+", metavar="PATH", default=[])
    run.add_argument(
        "--range", action="append", default=[], metavar="PATH=LOW:HIGH", help="set a range"
    )
    run.add_argument(
        "--group", action="append", default=[], metavar="PATH=MECHANISM", help="regroup"
    )
    run.add_argument("--ungrouped", action="store_true", help="indices per parameter")
    run.add_argument("--relative-range", type=float, default=0.5, help="intervention effects ±")
    run.add_argument("--outcome", nargs="+", help="outcomes, e.g. employment_rate/young")
    run.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    run.add_argument("--out", default="outputs/sensitivity", help="study folder")
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="use --out even if it holds other files than this study's",
    )
    add_executor_option(run, "processes", "where runs execute (default processes)")
    run.add_argument("--workers", type=int_at_least("--workers"), help="worker processes or jobs")
    run.add_argument("--dry-run", action="store_true", help="check and plan, run nothing")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)

    analyse = cmds.add_parser("analyse", help="analyse a stored study again")
    analyse.add_argument("out", help="study folder")
    analyse.add_argument(
        "--outcome",
        nargs="+",
        help="outcomes to analyse; written to OUT/outcomes_NAMES/, beside the study's report",
    )
    analyse.set_defaults(func=_cmd_analyse)

    given = cmds.add_parser(
        "given-data", help="PAWN or delta indices of any stored experiment (lhs, sobol, ...)"
    )
    given.add_argument("out", help="experiment folder (synclusive experiment run)")
    given.add_argument("--outcome", required=True, help="indicator or stored outcome column")
    given.add_argument("--group", default="all", help="population group (indicator results)")
    given.add_argument("--last-months", type=int, default=12)
    given.add_argument("--method", choices=["pawn", "delta"], default="pawn")
    given.add_argument("--csv", help="also write the table to this file")
    given.set_defaults(func=_cmd_given)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise DesignError(f"{what} expects PATH=..., got {item!r}")
        path, value = item.split("=", 1)
        out[path.strip()] = value.strip()
    return out


def _ranges(items: list[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for path, text in _pairs(items, "--range").items():
        try:
            low, high = (float(v) for v in text.split(":"))
        except ValueError:
            raise DesignError(f"--range {path}: expected LOW:HIGH numbers, got {text!r}") from None
        out[path] = (low, high)
    return out


def _handle(fn: Any, args: argparse.Namespace) -> int:
    try:
        return fn(args)
    except ParameterError as err:  # design, store, scenario and output-folder errors
        print(f"synclusive sensitivity: {err}", file=sys.stderr)
        return 2


def _cmd_run(args: argparse.Namespace) -> int:
    return _handle(_run, args)


def _run(args: argparse.Namespace) -> int:
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from experiments.sensitivity.study import (
        RUNS_DIR,
        STUDY_FILE,
        analyse_study,
        run_study,
        scenario_study,
    )

    if not args.package and not args.scenario:
        raise DesignError("name a package (e.g. kokkola_engine) or give --scenario")
    extra = {"root_seed": args.seed} if args.seed is not None else {}
    study = scenario_study(
        args.package,
        lab=args.lab,
        scenario=args.scenario,
        months=args.months,
        persons=args.persons,
        evaluation_months=args.window,
        overrides=args.set,
        sets=args.parameters,
        include=args.include,
        exclude=args.exclude,
        ranges=_ranges(args.range),
        mechanisms=_pairs(args.group, "--group"),
        relative_range=args.relative_range,
        grouped=not args.ungrouped,
        outcomes=args.outcome,
        method=args.method,
        samples=args.samples,
        replications=args.replications,
        **extra,
    )
    design, rows = study.design()
    print(
        f"{study.name}: {args.method}, {len(study.problem.parameters)} parameters in "
        f"{len(study.problem.factors)} {'mechanisms' if study.problem.grouped else 'factors'}; "
        f"{len(rows)} sample rows, {len(design.points)} points x {study.replications} "
        f"replications = {len(design.runs)} runs; outcomes: {', '.join(study.outcomes)}"
    )
    if args.dry_run:
        from experiments.runner.batch import prepare
        from experiments.runner.sizing import run_months, size_batch

        model, first = prepare(design), design.runs[0]
        workers = 1 if args.executor == "serial" else args.workers or os.cpu_count() or 1
        months = run_months(model, first.overrides)
        print(
            size_batch(
                model,
                first.overrides,
                first.seed,
                runs=len(design.runs),
                workers=workers,
                months=months,
            ).text()
        )
        return 0
    check_output_folder(
        args.out, "sensitivity run", overwrite=args.overwrite, own_files=(STUDY_FILE,)
    )
    if args.quiet:
        quiet_dask_logs()
    summary = run_study(
        study, args.out, executor=args.executor, workers=args.workers, progress=not args.quiet
    )
    print(summary)
    if summary.done < summary.total:
        print(f"rerun the same command to finish; runs are in {args.out}/{RUNS_DIR}")
        return 1
    result = analyse_study(args.out)
    result.save(args.out)
    _print_result(result)
    print(f"report: {args.out}/report.html")
    return 0


def outcome_folder(outcomes: list[str]) -> str:
    """The folder, inside a study's, of an analysis of some of its outcomes."""
    slug = "+".join(re.sub(r"[^A-Za-z0-9_.-]+", "-", o) for o in outcomes)
    return f"outcomes_{slug}"


def _print_result(result: Any) -> None:
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from experiments.sensitivity.report import summary_lines

    for line in summary_lines(result):
        print(line)
    for w in result.warnings:
        print(f"warning: {w}")


def _cmd_analyse(args: argparse.Namespace) -> int:
    def go(a: argparse.Namespace) -> int:
        # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
        from experiments.sensitivity.study import analyse_study

        result = analyse_study(a.out, a.outcome)
        # A subset of outcomes goes beside the study's own report, never over it.
        target = Path(a.out) / outcome_folder(a.outcome) if a.outcome else Path(a.out)
        result.save(target)
        _print_result(result)
        print(f"report: {target / 'report.html'}")
        return 0

    return _handle(go, args)


def _cmd_given(args: argparse.Namespace) -> int:
    def go(a: argparse.Namespace) -> int:
        # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
        from experiments.sensitivity.given_data import given_data_indices

        table = given_data_indices(a.out, a.outcome, a.method, a.group, a.last_months)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if a.csv:
            table.to_csv(a.csv, index=False)
        return 0

    return _handle(go, args)
