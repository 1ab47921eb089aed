"""``synclusive calibrate``: fit the model to living-lab data from a settings file.

Exit codes: 0 success, 2 invalid settings or data (the message names the file, column, row
and what is allowed), 3 the fit ran but some estimates are not pinned down, so the calibrated
model was not written (the report says why; ``--allow-unidentified`` writes it anyway).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from experiments.runner.executors import add_executor_option, quiet_dask_logs
from simulator.errors import ParameterError
from simulator.options import int_at_least
from simulator.output_folder import check_output_folder, mark_output_folder

#: What only a calibration writes: an interrupted fit's folder is its own output.
CALIBRATION_FILES = (
    "checkpoint/evaluations.jsonl",
    "calibration.json",
    "posterior/abc.db",
    "posterior.json",
)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from calibration.config import load_config
    from calibration.errors import CalibrationError
    from calibration.fit import calibrate, prepare
    from calibration.posterior_outputs import calibrate_posterior
    from experiments.errors import DesignError, ExecutorError
    from experiments.runner.executors import ExecutorSpec

    try:
        config = load_config(args.config)
        if not (args.check or args.dry_run):
            check_output_folder(
                args.out, "calibrate", own_files=CALIBRATION_FILES, overwrite=args.overwrite
            )
        if args.dry_run:
            print(dry_run(prepare(config), args.workers))
            return 0
        if args.check:
            problem = prepare(config)
            print(
                f"{args.config}: data valid; {len(problem.specs)} moments, "
                f"{len(problem.suppressed)} small panel cells suppressed, "
                f"{len(problem.space.names)} parameters, "
                f"{problem.degrees_of_freedom} degrees of freedom"
            )
            return 0
        # Evaluations go through the experiments runner's executors: local processes, Dask
        # (a local cluster or a scheduler's address) or a SLURM/PBS cluster.
        spec = ExecutorSpec(
            name=args.executor or ("serial" if args.workers <= 1 else "processes"),
            workers=args.workers,
            address=args.address,
        )
        if args.quiet:
            quiet_dask_logs()
        executor = spec.start()
        if args.method == "abc":
            try:
                done = calibrate_posterior(
                    config, args.out, executor, jobs=args.workers, restart=args.restart
                )
            finally:
                executor.shutdown()
                spec.stop()
            mark_output_folder(args.out, "calibrate")
            if not args.quiet:
                print(done.posterior.intervals.to_string(index=False, float_format="{:.4g}".format))
                print(f"report: {done.posterior.files['report']}")
                if "calibrated_file" in done.posterior.files:
                    print(f"run the calibrated model: {run_command(done.posterior.files)}")
            return 0
        try:
            result = calibrate(
                config,
                args.out,
                executor,
                progress=not args.quiet,
                restart=args.restart,
                allow_unidentified=args.allow_unidentified,
            )
        finally:
            executor.shutdown()
            spec.stop()
        mark_output_folder(args.out, "calibrate")
    except (CalibrationError, DesignError, ParameterError) as err:
        print(f"synclusive calibrate: {err}", file=sys.stderr)
        return 2
    except ExecutorError as err:
        print(f"synclusive calibrate: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(result.estimates.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print(describe_fit(result))
        print(f"report: {result.outputs['report']}")
    if result.withheld:
        print(
            "synclusive calibrate: the calibrated model was NOT written: "
            f"{result.identification.statement()} Rerun with --allow-unidentified to write it "
            "anyway (the checkpoint makes the rerun immediate).",
            file=sys.stderr,
        )
        return 3
    if not args.quiet:
        print(f"run the calibrated model: {run_command(result.outputs)}")
    return 0


def dry_run(problem: Any, workers: int) -> str:
    """The plan of a calibration: simulations at most, and their time and memory from a probe.

    Simulations: the weighting pilot, every candidate of every generation (each run
    ``replications`` times), then the Jacobian's points and the estimate (each run
    ``se_replications`` times). The search may stop early, so this is an upper bound.
    """
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    import numpy as np

    from calibration.optimise import SearchSettings, population_size
    from experiments.runner.sizing import size_batch
    from simulator.model import LabourMarketModel

    f = problem.config.fit
    n_par = len(problem.space.names)
    settings = SearchSettings(
        popsize=f.popsize, maxiter=f.maxiter, tol=f.tol, seed=f.seed, replications=f.replications
    )
    pilot = f.se_replications if f.aggregate_covariance == "model" else 0
    search = population_size(settings, n_par) * (f.maxiter + 1) * f.replications
    after = (2 * n_par + 2) * f.se_replications
    runs = pilot + search + after
    base = problem.lab_params

    def one_run(overrides: dict[str, Any], seed: np.random.SeedSequence) -> None:
        LabourMarketModel(base.model_copy(update=dict(overrides)), rng=seed).advance()

    sizing = size_batch(
        one_run, {}, np.random.SeedSequence(f.seed), runs=runs, workers=workers, months=base.months
    )
    return (
        f"{len(problem.specs)} moments, {n_par} parameters; at most {runs} simulations "
        f"({pilot} weighting pilot, {search} in the search, {after} for standard errors)\n"
        + sizing.text()
    )


def describe_fit(result: Any) -> str:
    """Degrees of freedom, J test, identification and intervals past a bound, in words."""
    p, u, ident = result.problem, result.uncertainty, result.identification
    lines = [
        f"{len(p.specs)} moments, {len(p.space.names)} parameters: "
        f"{p.degrees_of_freedom} degrees of freedom"
        + (
            f"; J = {u.j_statistic:.3g} (p = {u.j_pvalue:.3g})"
            if p.degrees_of_freedom > 0
            else " (exactly identified: no over-identification test)"
        ),
        ident.statement(),
    ]
    est = result.estimates
    for row in est[est["crosses_bound"]].itertuples(index=False):
        lines.append(
            f"{row.parameter}: the 95% interval {row.ci_low:.4g} to {row.ci_high:.4g} crosses "
            f"the search range {row.lower_bound:g} to {row.upper_bound:g}; on the logit scale "
            f"of the range it is {row.ci_low_bounded:.4g} to {row.ci_high_bounded:.4g}"
        )
    return "\n".join(lines)


def run_command(outputs: dict[str, Any]) -> str:
    """The command that runs the calibrated model written to ``outputs``."""
    from calibration.export import LAB_FILE

    written = outputs.get("calibrated_file")
    if written is None:
        return f"synclusive run --params {outputs['calibrated_params']}"
    if written.name == LAB_FILE:
        return f"synclusive compare PACKAGE --lab {written}"
    return f"synclusive compare {written}"


def register(sub: Any) -> None:
    """Add the ``calibrate`` subcommand to the ``synclusive`` parser."""
    cal = sub.add_parser(
        "calibrate",
        help="fit model parameters to living-lab data (method of simulated moments)",
        description="Fit model parameters to aggregate monitoring data, a participant panel "
        "and public statistics, and write calibrated parameters and a fit report. Rerunning "
        "the same command resumes an interrupted fit.",
    )
    cal.add_argument("config", help="calibration settings (TOML), see docs/calibration.md")
    cal.add_argument("--out", default="outputs/calibration", help="output folder")
    cal.add_argument(
        "--workers",
        type=int_at_least("--workers"),
        default=1,
        help="workers (default 1: in-process)",
    )
    cal.add_argument(
        "--overwrite",
        action="store_true",
        help="write into --out even if it holds other files than a calibration's",
    )
    add_executor_option(
        cal, None, "where evaluations run (default: serial for 1 worker, else local processes)"
    )
    cal.add_argument("--address", help="address of a running Dask scheduler (--executor dask)")
    cal.add_argument("--restart", action="store_true", help="discard the checkpoint, start afresh")
    cal.add_argument("--check", action="store_true", help="only check the settings and data")
    cal.add_argument(
        "--dry-run",
        action="store_true",
        help="check, then print the simulations planned and their time and memory (a probe)",
    )
    cal.add_argument(
        "--method",
        choices=("msm", "abc"),
        default="msm",
        help="msm: simulated-moments estimate with sandwich errors (default); abc: ABC-SMC "
        "posterior (pyabc) with the settings' [posterior] table",
    )
    cal.add_argument(
        "--allow-unidentified",
        action="store_true",
        help="write the calibrated model even when some estimates are not pinned down "
        "(otherwise exit code 3 and only the report)",
    )
    cal.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    cal.set_defaults(func=_cmd_calibrate)
