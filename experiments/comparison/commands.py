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
from typing import Any

from scenarios.errors import ScenarioError
from simulator.options import int_at_least, seed_type
from simulator.output_folder import OutputFolderError, check_output_folder, mark_output_folder

#: What ``synclusive compare`` runs when given nothing at all (the README's main command).
DEFAULT_PACKAGE = "kokkola_engine"


def _kind_of(ref: str, named_package: bool) -> tuple[str, str]:
    """What a positional reference is: ``(kind, reference)``, kind scenario, package or lab.

    A file is known by its top-level table. A name is looked up among the shipped
    scenarios, packages and labs, in that order; a name that is both a scenario and a
    package is the package when ``named_package`` (a lab or further packages were given).
    """
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from scenarios.errors import suggestion
    from scenarios.files import (
        LAB_DIR,
        PACKAGE_DIR,
        STUDY_DIR,
        file_kind,
        read_toml,
        resolve,
        shipped,
    )

    if ref.endswith(".toml") or "/" in ref or "\\" in ref:
        path = resolve(ref, STUDY_DIR)
        if path is None:
            raise ScenarioError(f"{ref}: file not found (a scenario, package or lab file)")
        data, _ = read_toml(path)
        return file_kind(data, path), str(path)
    found = [
        kind
        for kind, directory in (("scenario", STUDY_DIR), ("package", PACKAGE_DIR), ("lab", LAB_DIR))
        if resolve(ref, directory) is not None
    ]
    if named_package and "package" in found:
        return "package", ref
    if found:
        return found[0], ref
    names = [*shipped(STUDY_DIR), *shipped(PACKAGE_DIR), *shipped(LAB_DIR)]
    raise ScenarioError(
        f"no scenario, package or lab {ref!r}{suggestion(ref, names)}; shipped scenarios: "
        f"{', '.join(shipped(STUDY_DIR))}; packages: {', '.join(shipped(PACKAGE_DIR))}; "
        f"labs: {', '.join(shipped(LAB_DIR))} (or give the path of a .toml file)"
    )


def _packages_needed(lab: str) -> ScenarioError:
    """The error for a lab given without any package to compare on it."""
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from scenarios import load_package
    from scenarios.files import PACKAGE_DIR, shipped

    made_for = [n for n in shipped(PACKAGE_DIR) if load_package(n).file.package.lab == lab]
    return ScenarioError(
        f"lab {lab}: name the package(s) to compare with --package PACKAGE"
        + (f" (packages made for this lab: {', '.join(made_for)})" if made_for else "")
        + f"; shipped packages: {', '.join(shipped(PACKAGE_DIR))}"
    )


def _scenario_from_args(args: argparse.Namespace):
    """The scenario the ``compare`` arguments describe (every input error is raised here)."""
    overrides = list(args.set or [])
    # What an override made from a flag is called in messages: the flag, not a --set.
    flags: dict[str, str] = {}
    for flag, path in (
        ("replications", "run.replications"),
        ("seed", "run.seed"),
        ("months", "run.months"),
        ("persons", "run.persons"),
    ):
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{path}={value}")
            flags[f"--set {path}={value}"] = f"--{flag} {value}"
    if args.no_ablation:
        overrides.append("run.ablation=false")
        flags["--set run.ablation=false"] = "--no-ablation"
    try:
        return _compose_from_args(args, overrides)
    except ScenarioError as err:
        message = str(err)
        for label, flag in flags.items():
            message = message.replace(label, flag)
        raise ScenarioError(message) from None


def _compose_from_args(args: argparse.Namespace, overrides: list[str]):
    """Compose the scenario of the ``compare`` arguments with the given overrides."""
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from scenarios import load_lab, load_scenario, scenario_from_names

    ref = args.scenario
    packages = list(args.package or [])
    if ref is None and not packages and args.lab is None:
        ref = DEFAULT_PACKAGE  # `synclusive compare` alone runs the built-in default
    lab = args.lab
    if ref is not None:
        kind, ref = _kind_of(ref, named_package=bool(packages or lab))
        if kind == "scenario":
            if packages or lab:
                raise ScenarioError(
                    f"{ref}: a scenario names its own lab and packages ([scenario] lab, "
                    "packages); --lab and --package cannot be added to it: edit the file, or "
                    "give packages instead of the scenario"
                )
            return load_scenario(ref, overrides)
        if kind == "lab":
            if lab is not None:
                raise ScenarioError(f"two labs given: {ref} and --lab {lab}; give one")
            lab = ref
        else:
            packages.insert(0, ref)
    if not packages:
        raise _packages_needed(load_lab(lab, where="--lab").name)
    return scenario_from_names(packages[0], lab=lab, packages=packages[1:], overrides=overrides)


#: Files only ``synclusive compare`` writes: a folder holding one is a comparison folder.
COMPARISON_FILES = ("comparison.json",)


def _write_atomically(out: Path, write, overwrite: bool = False) -> None:
    """Assemble a folder under a temporary name, then move it into place (replacing an
    earlier comparison, or with ``overwrite`` any folder the output policy refused)."""
    given = out
    out = out.resolve()
    partial = out.parent / f".{out.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    try:
        write(partial)
        mark_output_folder(partial, "compare")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        # Checked again: the folder may have been filled while the comparison ran.
        check_output_folder(given, "compare", overwrite=overwrite, own_files=COMPARISON_FILES)
    except OutputFolderError:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run a scenario against its baseline and write tables, figures and the report."""
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from experiments.comparison.event_study import profile_text
    from experiments.comparison.labour_force import decomposition_text
    from experiments.comparison.report import write_report
    from experiments.comparison.study import run_comparison

    scenario = _scenario_from_args(args)  # every input error surfaces here, before any run
    out = check_output_folder(
        args.out or f"outputs/{scenario.name}",
        "compare",
        overwrite=args.overwrite,
        own_files=COMPARISON_FILES,
    )
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

    _write_atomically(out, write, overwrite=args.overwrite)
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
                split = decomposition_text(res, arm.name, group)
                if split:
                    print(f"    cohort fixed at the start: {split}")
            profile = profile_text(res, arm.name)
            if profile:
                print(f"  {arm.name}: participants in work vs own counterfactual (pp): {profile}")
        print(f"  wrote {out}/ (report: {out / 'report.html'})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List shipped labs, packages, scenarios and intervention types, or export schemas."""
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from scenarios.catalogue import load_catalogue
    from scenarios.export import json_schema, write_schemas
    from scenarios.files import LAB_DIR, PACKAGE_DIR, STUDY_DIR, shipped

    if args.schema:
        print(json.dumps(json_schema(args.schema), indent=2))
        return 0
    if args.write_schemas:
        folder = check_output_folder(
            args.write_schemas,
            "scenarios --write-schemas",
            overwrite=args.overwrite,
            own_files=("lab.schema.json",),
            flag="--write-schemas",
        )
        for path in write_schemas(folder):
            print(path)
        return 0
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
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
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from experiments.comparison.report import write_report
    from experiments.comparison.study import Comparison

    folder = Path(args.folder)
    if not (folder / "comparison.json").exists():
        raise ScenarioError(f"{folder}: holds no comparison (comparison.json is missing)")
    for path in write_report(Comparison.load(folder), folder):
        print(path)
    return 0


def register(sub: Any) -> None:
    """Add ``compare``, ``scenarios`` and ``report`` to the ``synclusive`` subparsers."""
    cmp = sub.add_parser(
        "compare",
        help="compare intervention packages with the baseline and write a report",
        description="Run a scenario (a lab with one or more packages) and its baseline over R "
        "replications with common random numbers; write the results table (Parquet, CSV), "
        "figures and an HTML report. SCENARIO is a scenario, a package (run on the lab it "
        "names unless --lab is given) or a lab (with --package), by name or file; a file's "
        "kind is read from its top-level table. With no arguments at all: the built-in "
        f"default, the {DEFAULT_PACKAGE} package on its lab.",
    )
    cmp.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario, package or lab: name or .toml file (default, when neither --package "
        f"nor --lab is given: {DEFAULT_PACKAGE})",
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
    cmp.add_argument(
        "--replications", type=int_at_least("--replications"), help="replications per arm"
    )
    cmp.add_argument("--seed", type=seed_type(), help="root seed, 0 or more")
    cmp.add_argument("--months", type=int_at_least("--months"), help="months simulated")
    cmp.add_argument(
        "--persons",
        type=int_at_least("--persons"),
        help="simulated labour force (default: the lab's)",
    )
    cmp.add_argument(
        "--workers", type=int_at_least("--workers"), default=1, help="local worker processes"
    )
    cmp.add_argument("--no-ablation", action="store_true", help="skip mechanism ablation")
    cmp.add_argument("--no-report", action="store_true", help="tables only, no figures/report")
    cmp.add_argument("--out", help="output folder (default outputs/<scenario name>)")
    cmp.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out even if it holds other files than an earlier comparison",
    )
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
    sc.add_argument(
        "--overwrite",
        action="store_true",
        help="--write-schemas into a folder holding other files",
    )
    sc.set_defaults(func=cmd_scenarios)

    rep = sub.add_parser("report", help="re-draw the report of a saved comparison")
    rep.add_argument("folder", help="folder written by synclusive compare")
    rep.set_defaults(func=cmd_report)

    _register_validate(sub)


#: Files only ``synclusive validate`` writes.
VALIDATION_FILES = ("validation.parquet", "validation.html")


def _register_validate(sub: Any) -> None:
    """``synclusive validate``: labs against the published statistics they carry."""
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
    p.add_argument("--months", type=int_at_least("--months", 13), default=120, help="months")
    p.add_argument("--seed", type=seed_type(), default=0, help="root seed, 0 or more")
    p.add_argument(
        "--workers", type=int_at_least("--workers", 1), default=1, help="local worker processes"
    )
    p.add_argument("--out", default="outputs/validation", help="output folder")
    p.add_argument(
        "--overwrite", action="store_true", help="write into --out even if it holds other files"
    )
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the labs, print the table, write the outputs; 1 if any figure is off."""
    # Imported here: the model and plotting stack load only for this command.
    import pandas as pd

    from experiments.comparison.validation import validate_lab, write_validation
    from experiments.runner.executors import ExecutorSpec
    from scenarios.files import LAB_DIR, shipped

    try:
        out = check_output_folder(
            args.out, "validate", overwrite=args.overwrite, own_files=VALIDATION_FILES
        )
    except OutputFolderError as err:
        print(f"synclusive: {err}", file=sys.stderr)
        return 2
    labs = args.labs or shipped(LAB_DIR)
    spec = ExecutorSpec("serial" if args.workers == 1 else "processes", workers=args.workers)
    executor = spec.start()
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
    written = write_validation(table, out)
    mark_output_folder(out, "validate")
    print(f"wrote {len(written)} files to {out} (open validation.html)")
    return 0 if (table["verdict"] == "reproduced").all() else 1
