"""Command line: ``synclusive run`` simulates one labour market; ``synclusive params`` lists
parameters with units, ranges and references.

Exit codes: 0 success, 2 invalid input (nothing is written).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import ParameterError, check_seed, format_validation_error
from simulator.params import ModelParams


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """Parse ``dotted.path=value``; the value is read as JSON when it parses, else as text."""
    if "=" not in text:
        raise ParameterError(
            f"--set expects PATH=VALUE (e.g. demand.quit_rate=0.004), got {text!r}"
        )
    path, raw = text.split("=", 1)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return path.strip().split("."), value


def apply_assignments(data: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Set dotted paths in a nested parameter dictionary (list items by index)."""
    for text in assignments:
        path, value = parse_assignment(text)
        node: Any = data
        for i, part in enumerate(path[:-1]):
            key: Any = int(part) if isinstance(node, list) else part
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                where = ".".join(path[: i + 1])
                known = ", ".join(map(str, node)) if isinstance(node, dict) else "list indices"
                raise ParameterError(
                    f"--set {text}: there is no parameter group {where!r}; known here: {known}"
                ) from None
        last = path[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


def build_params(
    base: dict[str, Any] | None = None,
    assignments: list[str] | None = None,
    source: str = "parameters",
    **top: Any,
) -> ModelParams:
    """Validate parameters from a base dictionary, top-level values and ``--set`` overrides.

    Raises
    ------
    ParameterError
        With a message naming the parameter, the value given and the allowed range.
    """
    data = ModelParams().model_dump() if base is None else base
    data.update({k: v for k, v in top.items() if v is not None})
    data = apply_assignments(data, assignments or [])
    try:
        return ModelParams.model_validate(data)
    except ValidationError as err:
        raise ParameterError(format_validation_error(err, ModelParams, source)) from None


def int_at_least(name: str, low: int = 1):
    """An argparse type: a whole number of at least ``low``, with a message naming the flag."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, got {text!r}"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{name} must be at least {low}, got {value}")
        return value

    return parse


def seed_type(name: str = "--seed") -> Callable[[str], int]:
    """An argparse type for a seed: a whole number of at least 0 (what numpy's SeedSequence
    takes), with a message naming the flag. Every command with a seed option uses it."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number of at least 0, got {text!r}"
            ) from None
        try:
            return check_seed(value, name)
        except ParameterError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    return parse


def _cmd_run(args: argparse.Namespace) -> int:
    from simulator.model import LabourMarketModel

    base = None
    if args.params:
        base = json.loads(Path(args.params).read_text())
    assignments = list(args.set or [])
    if args.persons is not None:
        assignments.append(f"population.n_persons={args.persons}")
    params = build_params(base, assignments, source=args.params or "parameters", months=args.months)
    out = Path(args.out)
    t0 = time.perf_counter()
    model = LabourMarketModel(params, rng=args.seed, backend=args.backend)
    setup = time.perf_counter() - t0
    results = model.run(progress=not args.quiet)
    total = time.perf_counter() - t0
    files = results.save(out, tuple(args.format))
    (out / "parameters.json").write_text(
        json.dumps({"seed": args.seed, "backend": args.backend, **params.model_dump()}, indent=2)
    )
    if not args.no_figures:
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
    from simulator.parameter_table import parameter_table

    table = parameter_table()
    if args.uncertain:
        table = table[table["uncertain_low"].notna()]
    print(table.to_string(index=False, max_colwidth=60))
    return 0


def _add_scenario_commands(sub: Any) -> None:
    """Add ``compare``, ``scenarios`` and ``report`` (scenario comparisons)."""
    from experiments.compare_cli import add_compare_commands

    add_compare_commands(sub)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``synclusive`` command."""
    parser = argparse.ArgumentParser(
        prog="synclusive",
        description="Agent-based simulator of the Synclusive engine: a regional labour market "
        "where employee mobility frees positions for vulnerable jobseekers.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    run.add_argument("--params", help="JSON file of parameters (as written by a run)")
    run.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override one parameter, e.g. --set demand.quit_rate=0.004 (repeatable)",
    )
    run.add_argument(
        "--backend",
        choices=["numba", "python"],
        default="numba",
        help="compiled kernels (default) or the plain-Python reference",
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
    _add_experiment_commands(sub)
    _add_scenario_commands(sub)
    _add_calibration_commands(sub)
    _add_dashboard_command(sub)
    _add_sensitivity_command(sub)
    _add_validate_command(sub)
    return parser


def _add_sensitivity_command(sub: Any) -> None:
    """``synclusive sensitivity`` (which mechanisms drive the outcomes), in experiments."""
    from experiments.sa_cli import add_sensitivity_parser

    add_sensitivity_parser(sub)


def _add_validate_command(sub: Any) -> None:
    """``synclusive validate`` (labs against published statistics), in experiments."""
    from experiments.validation_cli import add_validate_parser

    add_validate_parser(sub)


def _add_dashboard_command(sub: Any) -> None:
    """``synclusive dashboard`` (the browser page), defined in the dashboard package."""
    from dashboard.cli import add_dashboard_command

    add_dashboard_command(sub)


def _add_calibration_commands(sub: Any) -> None:
    """``synclusive calibrate`` (fit to living-lab data), defined in the calibration package."""
    from calibration.cli import add_calibrate_parser

    add_calibrate_parser(sub)


def _add_experiment_commands(sub: argparse._SubParsersAction) -> None:
    """``synclusive experiment ...`` (batch runs), defined in the experiments package."""
    from experiments.cli import add_experiment_parser

    add_experiment_parser(sub)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synclusive`` command."""
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ParameterError as err:
        print(f"synclusive: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"synclusive: file not found: {err.filename}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as err:
        print(f"synclusive: {args.params}: not valid JSON ({err})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
