"""Command-line subcommands ``compare``, ``scenarios`` and ``report`` of ``synclusive``.

``synclusive compare`` validates everything first (exit code 2 on bad input, nothing
written), runs the comparison and writes the results folder in one step: it is assembled
under a temporary name and renamed into place, so a killed run leaves no half-written folder.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from pathlib import Path

from scenarios.errors import ScenarioError


def _scenario_from_args(args: argparse.Namespace):
    from scenarios import load_scenario, scenario_from_names
    from scenarios.files import STUDY_DIR, resolve

    overrides = list(args.set or [])
    for flag, path in (
        ("replications", "run.replications"),
        ("seed", "run.seed"),
        ("months", "run.months"),
        ("persons", "run.persons"),
    ):
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{path}={value}")
    if args.no_ablation:
        overrides.append("run.ablation=false")
    ref = args.scenario
    # A name that is both a scenario and a package is the scenario, unless a lab is chosen.
    if ref is not None and resolve(ref, STUDY_DIR) is not None and not (args.package or args.lab):
        return load_scenario(ref, overrides)
    packages = list(args.package or [])
    if ref is not None:
        packages.insert(0, ref)
    return scenario_from_names(
        packages[0] if packages else None,
        lab=args.lab,
        packages=packages[1:],
        overrides=overrides,
    )


def _write_atomically(out: Path, write) -> None:
    """Assemble a folder under a temporary name, then move it into place."""
    out = out.resolve()
    partial = out.parent / f".{out.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    try:
        write(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        if not (out / "comparison.json").exists():
            shutil.rmtree(partial, ignore_errors=True)
            raise ScenarioError(
                f"--out {out}: the folder exists and is not a comparison folder; choose another"
            )
        shutil.rmtree(out)
    partial.rename(out)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run a scenario against its baseline and write tables, figures and the report."""
    from experiments.compare import run_comparison
    from experiments.report import write_report

    scenario = _scenario_from_args(args)  # every input error surfaces here, before any run
    out = Path(args.out or f"outputs/{scenario.name}")
    command = "synclusive " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    if not args.quiet:
        r = scenario.run
        print(
            f"{scenario.title}\n  lab {scenario.lab.name}, packages "
            f"{', '.join(a.name for a in scenario.arms) or '(none)'}; {r.replications} "
            f"replications x {r.months} months, seed {r.seed}"
            f"{', with mechanism ablation' if r.ablation else ''}"
        )
    comparison = run_comparison(
        scenario, workers=args.workers, progress=not args.quiet, command=command
    )

    def write(folder: Path) -> None:
        comparison.save(folder)
        if not args.no_report:
            write_report(comparison, folder)

    _write_atomically(out, write)
    if not args.quiet:
        res = comparison.results
        for arm in scenario.arms:
            for group in comparison.meta["target_groups"]:
                row = res[
                    (res["package"] == arm.name)
                    & (res["analysis"] == "effect")
                    & (res["metric"] == "employed")
                    & (res["group"] == group)
                ]
                if not row.empty:
                    e = row.iloc[0]
                    print(
                        f"  {arm.name}: extra people in work, {group}: {e['estimate']:+.1f} "
                        f"({e['ci_low']:+.1f} to {e['ci_high']:+.1f})"
                    )
        print(f"  wrote {out}/ (report: {out / 'report.html'})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List shipped labs, packages, scenarios and intervention types, or export schemas."""
    from scenarios.catalogue import load_catalogue
    from scenarios.export import json_schema, write_schemas
    from scenarios.files import LAB_DIR, PACKAGE_DIR, STUDY_DIR, shipped

    if args.schema:
        print(json.dumps(json_schema(args.schema), indent=2))
        return 0
    if args.write_schemas:
        for path in write_schemas(Path(args.write_schemas)):
            print(path)
        return 0
    from scenarios import load_lab, load_package

    print("Living labs:")
    for name in shipped(LAB_DIR):
        lab = load_lab(name).file.lab
        print(f"  {name:<14} {lab.title} — targets: {', '.join(lab.target_groups)}")
    print("Packages:")
    for name in shipped(PACKAGE_DIR):
        p = load_package(name).file
        kinds = ", ".join(i.name or i.kind for i in p.interventions)
        print(f"  {name:<14} {p.package.title} [{p.package.engine}; lab {p.package.lab}]: {kinds}")
    print("Scenarios:")
    for name in shipped(STUDY_DIR):
        print(f"  {name}")
    print("Intervention types (catalogue):")
    for kind, entry in load_catalogue().items():
        print(f"  {kind:<22} {entry.title}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Re-draw the report of a saved comparison."""
    from experiments.compare import Comparison
    from experiments.report import write_report

    folder = Path(args.folder)
    if not (folder / "comparison.json").exists():
        raise ScenarioError(f"{folder}: holds no comparison (comparison.json is missing)")
    for path in write_report(Comparison.load(folder), folder):
        print(path)
    return 0


def add_compare_commands(sub) -> None:
    """Add ``compare``, ``scenarios`` and ``report`` to the ``synclusive`` subparsers."""
    cmp = sub.add_parser(
        "compare",
        help="compare intervention packages with the baseline and write a report",
        description="Run a scenario (a lab with one or more packages) and its baseline over R "
        "replications with common random numbers; write the results table (Parquet, CSV), "
        "figures and an HTML report. SCENARIO is a scenario file or name, or a package name "
        "(run on its own lab unless --lab is given).",
    )
    cmp.add_argument(
        "scenario",
        nargs="?",
        default="kokkola_engine",
        help="scenario or package (default: kokkola_engine)",
    )
    cmp.add_argument(
        "--package",
        action="append",
        metavar="PACKAGE",
        help="further package compared with the same baseline (repeatable)",
    )
    cmp.add_argument("--lab", help="living lab (name or file) to run the packages on")
    cmp.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set demand.quit_rate=0.004 or "
        "--set interventions.taite_coaching.capacity=30 (repeatable)",
    )
    cmp.add_argument("--replications", type=int, help="replications per arm")
    cmp.add_argument("--seed", type=int, help="root seed")
    cmp.add_argument("--months", type=int, help="months simulated")
    cmp.add_argument("--persons", type=int, help="simulated labour force (default: the lab's)")
    cmp.add_argument("--workers", type=int, default=1, help="local worker processes")
    cmp.add_argument("--no-ablation", action="store_true", help="skip mechanism ablation")
    cmp.add_argument("--no-report", action="store_true", help="tables only, no figures/report")
    cmp.add_argument("--out", help="output folder (default outputs/<scenario name>)")
    cmp.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    cmp.set_defaults(func=cmd_compare)

    sc = sub.add_parser(
        "scenarios",
        help="list labs, packages, scenarios and intervention types; export JSON Schemas",
    )
    sc.add_argument(
        "--schema",
        choices=["lab", "package", "scenario", "catalogue"],
        help="print the JSON Schema of a scenario file kind",
    )
    sc.add_argument(
        "--write-schemas",
        metavar="DIR",
        help="write every JSON Schema into DIR (scenarios/schema is shipped)",
    )
    sc.set_defaults(func=cmd_scenarios)

    rep = sub.add_parser("report", help="re-draw the report of a saved comparison")
    rep.add_argument("folder", help="folder written by synclusive compare")
    rep.set_defaults(func=cmd_report)
