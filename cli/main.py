"""Entry point of the ``synclusive`` command: one parser, each layer's subcommands.

Exit codes: 0 success, 2 invalid input (nothing is written); subcommands add their own (1 when
some runs failed or are pending, 130 when interrupted).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys

import calibration.commands
import dashboard.commands
import experiments.comparison.commands
import experiments.runner.commands
import experiments.sensitivity.commands
import simulator.commands
from simulator.errors import ParameterError

#: The layers' ``register(subparsers)`` functions, in the order ``--help`` lists them.
LAYERS = (
    simulator.commands.register,
    experiments.runner.commands.register,
    experiments.comparison.commands.register,
    calibration.commands.register,
    dashboard.commands.register,
    experiments.sensitivity.commands.register,
)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``synclusive`` command."""
    parser = argparse.ArgumentParser(
        prog="synclusive",
        description="Agent-based simulator of the Synclusive engine: a regional labour market "
        "where employee mobility frees positions for vulnerable jobseekers.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in LAYERS:
        register(sub)
    return parser


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
    except PermissionError as err:
        print(f"synclusive: no permission to use {err.filename}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as err:
        source = getattr(args, "params", None) or "input"
        print(f"synclusive: {source}: not valid JSON ({err})", file=sys.stderr)
        return 2


def console(argv: list[str] | None = None) -> int:
    """The installed ``synclusive`` command: :func:`main`, then a quick way out.

    At shutdown the interpreter's garbage collector walks every object the libraries made
    (numba's, pandas's, Mesa's: hundreds of thousands), which cost a small run 0.2-0.5 s after
    its work was done. By the time :func:`main` returns, the command has closed what it
    wrote, so what is left is collected once now (finalizers run as they would at exit) and
    the survivors are frozen out of the collector (:func:`gc.freeze`); shutdown skips them.
    Not in :func:`main` itself: a process that calls it and goes on keeps its collector.
    """
    code = main(argv)
    gc.collect()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console())
