"""``synclusive experiment``: run a design file, resume it, shard it, inspect its status.

Exit codes: 0 every run done; 1 some runs failed or are still pending; 2 invalid design, flags
or folder (reported before anything runs or is written).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from experiments.errors import DesignError, ExecutorError
from experiments.runner.executors import ExecutorSpec, add_executor_option, quiet_dask_logs
from experiments.runner.store_lock import MAIN_LOCK
from simulator.options import int_at_least
from simulator.output_folder import check_output_folder


def register(sub: Any) -> None:
    """Add ``experiment run`` and ``experiment status`` to the ``synclusive`` subcommands."""
    exp = sub.add_parser(
        "experiment",
        help="run many simulations from a design file (grids, samples, replications)",
        description="Batch experiments: run a design on this machine or a cluster, resume it "
        "after an interruption, and inspect which runs are done, failed or pending.",
    )
    cmds = exp.add_subparsers(dest="experiment_command", required=True, metavar="ACTION")

    run = cmds.add_parser(
        "run",
        help="run (or resume) an experiment",
        description="Run every run of DESIGN that is not yet stored in --out. Rerunning the "
        "same command resumes an interrupted experiment and retries failed runs.",
    )
    run.add_argument("design", help="TOML design file")
    run.add_argument("--out", help="experiment folder (default outputs/experiments/NAME)")
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="use --out even if it holds other files than this experiment's",
    )
    run.add_argument(
        "--allow-model-imports",
        action="store_true",
        help="let the design's [experiment] model name any importable 'module:name' (it runs "
        "that code); without it only the registered models are allowed",
    )
    add_executor_option(
        run, "processes", "where runs execute (default processes: local worker processes)"
    )
    run.add_argument(
        "--workers",
        type=int_at_least("--workers", 1),
        help="worker processes, or worker jobs for dask-slurm/dask-pbs (default: CPUs)",
    )
    run.add_argument(
        "--address", help="scheduler address of a running Dask cluster (--executor dask)"
    )
    run.add_argument(
        "--shard",
        help="run one shard i/N of the design (0 <= i < N), or 'slurm' to take it from "
        "SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT",
    )
    run.add_argument(
        "--chunk-size", type=int_at_least("--chunk-size", 1), help="runs per task (default auto)"
    )
    run.add_argument(
        "--no-retry-failed", action="store_true", help="leave runs that failed before as failed"
    )
    run.add_argument(
        "--wait",
        type=int_at_least("--wait", 0),
        default=0,
        metavar="SECONDS",
        help="when another runner is using --out, wait up to this long for it to finish "
        "(default 0: stop at once with a message naming it)",
    )
    run.add_argument(
        "--dry-run", action="store_true", help="check the design, print the plan, stop"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    jq = run.add_argument_group("dask-slurm / dask-pbs worker jobs")
    jq.add_argument("--queue", help="partition (SLURM) or queue (PBS)")
    jq.add_argument("--account", help="account to charge")
    jq.add_argument("--walltime", help="time limit of each worker job, e.g. 01:00:00")
    jq.add_argument("--memory", help="memory of each worker job, e.g. 4GB (default 2GB)")
    jq.add_argument(
        "--job-extra",
        action="append",
        metavar="DIRECTIVE",
        help="extra scheduler directive for worker jobs, e.g. --job-extra=--qos=short",
    )
    jq.add_argument(
        "--worker-timeout",
        type=int_at_least("--worker-timeout", 1),
        default=600,
        help="seconds to wait for the first worker job, or for the scheduler at --address "
        "(default 600)",
    )
    run.set_defaults(func=_cmd_run)

    status = cmds.add_parser(
        "status",
        help="show how many runs are done, failed or pending",
        description="Summarise an experiment folder: runs done, failed (with errors) and pending.",
    )
    status.add_argument("out", help="experiment folder")
    status.add_argument("--traceback", action="store_true", help="print full tracebacks")
    status.set_defaults(func=_cmd_status)


_JOBQUEUE_FLAGS = {
    "queue": "queue",
    "account": "account",
    "walltime": "walltime",
    "memory": "memory",
    "job_extra": "job_extra_directives",
}


def _executor_spec(args: argparse.Namespace) -> ExecutorSpec:
    jobqueue: dict[str, Any] = {}
    for flag, key in _JOBQUEUE_FLAGS.items():
        if getattr(args, flag):
            jobqueue[key] = getattr(args, flag)
    if jobqueue and not args.executor.startswith("dask-"):
        given = [f"--{f.replace('_', '-')}" for f in _JOBQUEUE_FLAGS if getattr(args, f)]
        raise DesignError(f"{', '.join(given)}: only used with --executor dask-slurm or dask-pbs")
    if args.address and args.executor != "dask":
        raise DesignError("--address needs --executor dask")
    if args.workers and args.executor == "serial":
        raise DesignError("--workers is not used by --executor serial")
    return ExecutorSpec(
        args.executor,
        workers=args.workers,
        address=args.address,
        jobqueue=jobqueue,
        worker_timeout=float(args.worker_timeout),
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from experiments.runner.batch import Shard, prepare, run_experiment
    from experiments.runner.design import load_design
    from experiments.runner.store import ResultStore

    # Everything is checked before the folder is touched or a worker starts.
    spec = _executor_spec(args)
    shard = Shard.parse(args.shard) if args.shard else None
    design = load_design(args.design, allow_imports=args.allow_model_imports)
    out = Path(args.out) if args.out else Path("outputs/experiments") / design.name
    if not args.dry_run:
        check_output_folder(
            out, "experiment run", overwrite=args.overwrite, own_files=("manifest.json", MAIN_LOCK)
        )
    if args.dry_run:
        from experiments.runner.sizing import run_months, size_batch

        model = prepare(design)
        runs = shard.select(design.runs) if shard else design.runs
        print(
            f"{design.name}: {design.kind} design, {len(design.points)} points x "
            f"{design.replications} replications = {len(design.runs)} runs"
            + (f"; shard {shard.index}/{shard.count}: {len(runs)} runs" if shard else "")
        )
        if runs:
            first = runs[0]
            sizing = size_batch(
                model,
                first.overrides,
                first.seed,
                runs=len(runs),
                workers=spec.n_workers,
                months=run_months(model, first.overrides),
            )
            print(sizing.text())
        if (out / "manifest.json").exists():
            ResultStore.create_or_open(out, design)
            status = ResultStore(out).status().set_index("run_key")["status"]
            missing = sum(status[r.key] != "done" for r in runs)
            print(f"{out}: {len(runs) - missing} done, {missing} to run")
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    if args.quiet:
        quiet_dask_logs()
    try:
        summary = run_experiment(
            design,
            out,
            executor=spec,
            shard=shard,
            chunk_size=args.chunk_size,
            retry_failed=not args.no_retry_failed,
            progress=not args.quiet,
            lock_wait=float(args.wait),
        )
    except ExecutorError as err:
        print(f"synclusive: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"synclusive: interrupted; finished chunks are stored in {out}, "
            "rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    print(summary)
    return 0 if summary.done == summary.total else 1


def _cmd_status(args: argparse.Namespace) -> int:
    from experiments.runner.store import ResultStore

    store = ResultStore.open(args.out)
    manifest = store.manifest
    table = store.status()
    counts = table["status"].value_counts()
    print(
        f"{manifest['name']} (synclusive {manifest['version']}, scenario {manifest['scenario']}, "
        f"root seed {manifest['root_seed']}): {len(table)} runs, "
        f"{counts.get('done', 0)} done, {counts.get('failed', 0)} failed, "
        f"{counts.get('pending', 0)} pending"
    )
    failed = table[table["status"] == "failed"]
    for row in failed.itertuples():
        where = f"point {row.point}, replication {row.replication}"
        print(f"  failed {row.run_key} ({where}): {row.error}")
        if args.traceback:
            print("    " + str(row.traceback).rstrip().replace("\n", "\n    "))
    return 0 if counts.get("done", 0) == len(table) else 1
