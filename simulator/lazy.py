"""Packages whose public names are imported on first use (PEP 562).

A command that needs one sub-module (``synclusive validate``, a worker running one model) should
not pay for importing every other one: the calibration's statistics, the sensitivity methods
or Mesa's spaces cost seconds of process start-up together. A package's ``__init__`` lists its
public names with the module each comes from and gets ``__getattr__`` and ``__dir__`` from
:func:`lazy_exports`; ``from package import name`` then imports only that name's module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> module that defines it.
    """

    # A name defined in a sub-module of the same name (``scenarios.compose.compose``) is bound
    # now: importing that sub-module later would set the package attribute to the module.
    for name, module in exports.items():
        if module == f"{package}.{name}":
            setattr(sys.modules[package], name, getattr(importlib.import_module(module), name))

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
