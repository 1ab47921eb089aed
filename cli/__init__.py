"""The ``synclusive`` command line: the top of the house, above every layer.

Each layer offers its subcommands through ``register(subparsers)`` in its ``commands`` module;
:func:`cli.main.make_parser` calls them in turn. No layer imports this package.
"""

from cli.main import main, make_parser

__all__ = ["main", "make_parser"]
