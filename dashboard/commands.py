"""The ``synclusive dashboard`` subcommand (kept free of Solara imports until it runs)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted."""
    try:
        import solara  # noqa: F401  (checked here for a clear message)

        # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
        from dashboard.server import serve
    except ImportError as err:
        print(
            f"synclusive dashboard: {err.name or 'a dependency'} is not installed; install the "
            "dashboard with:  pip install 'synclusive[dashboard]'",
            file=sys.stderr,
        )
        return 2
    try:
        serve(args.host, args.port, open_browser=args.open)
    except OSError as err:
        print(f"synclusive dashboard: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def register(sub: Any) -> None:
    """Add ``dashboard`` to the ``synclusive`` subparsers."""
    # Imported here: loaded when the command runs, so `synclusive --help` stays fast.
    from dashboard.server import DEFAULT_HOST, DEFAULT_PORT

    p = sub.add_parser(
        "dashboard",
        help="open the policy dashboard in the browser (http://127.0.0.1:8521/)",
        description="Serve the browser dashboard: choose a living lab and a package, switch "
        "interventions, set capacities and budget, run the comparison with the baseline and "
        "download the results, the report and a scenario file. Listens on this machine only "
        "unless --host is given.",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"interface (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.set_defaults(func=cmd_dashboard)
