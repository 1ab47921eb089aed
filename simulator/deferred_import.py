"""Start-up without the cost of modules a run imports but does not use.

``import mesa`` executes every sub-package Mesa's ``__init__`` names, among them its spaces:
``mesa.discrete_space`` imports SciPy's spatial module and networkx, and the experimental
continuous space SciPy's again. The simulator's agents live in tables, not in a space, yet a
process paid about 0.45 s of its start-up for them (``python -X importtime``), and a cluster's
array tasks and a sensitivity study's workers start thousands of processes. Likewise numba,
when it loads its first compiled function, checks that SciPy's BLAS is there by importing
``scipy.linalg.cython_blas``, which runs all of ``scipy.linalg`` (about 0.25 s); no kernel of
the simulator does linear algebra.

:func:`defer_unused_modules` makes those modules *deferred*: when they are first
imported, a module object is made from its spec as usual (name, file, path, loader are
set), but its code runs only when one of its other attributes is first read, e.g.
``mesa.discrete_space.OrthogonalMooreGrid`` or ``from scipy.linalg import solve`` (a
sub-module, such as ``scipy.linalg.cython_blas``, imports without it). So every public name
works as before; only the moment its code runs changes. (The standard library's
:class:`importlib.util.LazyLoader` runs the code on *any* attribute read, and Mesa's own
logger set-up reads ``__file__`` of every loaded module through ``inspect.stack()``, which
would run them all at once.)
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from typing import Any

#: Modules a run imports and never uses: Mesa's spaces (SciPy's spatial module, networkx) and
#: the package around the BLAS that numba checks for.
UNUSED_MODULES = (
    "mesa.discrete_space",
    "mesa.space",
    "mesa.experimental.continuous_space",
    "scipy.linalg",
)


class _DeferredModule(types.ModuleType):
    """A module whose code has not run yet; reading a name it lacks runs it first."""

    def __getattr__(self, name: str) -> Any:
        # Called only for names the module's dict lacks; its spec attributes are there.
        run_deferred(self)
        namespace = self.__dict__
        if name in namespace:
            return namespace[name]
        fallback = namespace.get("__getattr__")  # the module's own (PEP 562)
        if fallback is not None:
            return fallback(name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        run_deferred(self)
        own = self.__dict__.get("__dir__")
        return list(own()) if own is not None else sorted(self.__dict__)


def run_deferred(module: types.ModuleType) -> None:
    """Run a deferred module's code once; a thread that asks meanwhile waits for it.

    The thread running it may read the module while it runs (a circular import) and sees
    the names made so far, as with any module being imported.
    """
    lock = module.__dict__.get("__deferred_lock__")
    if lock is None:
        return
    with lock:
        loader = module.__dict__.pop("__deferred_loader__", None)
        if loader is None:  # run already, or running in this thread
            return
        try:
            loader.exec_module(module)
        except BaseException:
            # As a failed import does: the module is not left half-made in ``sys.modules``.
            sys.modules.pop(module.__name__, None)
            raise
        module.__class__ = types.ModuleType
        del module.__dict__["__deferred_lock__"]


class _DeferringLoader(importlib.abc.Loader):
    """Wraps a module's own loader: creates the module, keeps its code for later."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        # The module's spec names its real loader, so a reload or a later import uses that.
        module.__spec__.loader = self.loader
        module.__loader__ = self.loader
        module.__dict__["__deferred_loader__"] = self.loader
        module.__dict__["__deferred_lock__"] = threading.RLock()
        module.__class__ = _DeferredModule


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the named modules as the path finder does, with a deferring loader.

    It leaves ``sys.meta_path`` once it has deferred every module it was given.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.pending = set(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in self.pending:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        self.pending.discard(fullname)
        if not self.pending:
            # Imports of two deferred modules in two threads may both get here.
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self)
        spec.loader = _DeferringLoader(spec.loader)
        return spec


def defer_modules(names: Sequence[str]) -> None:
    """Defer the code of the modules ``names`` until a name in them is first read.

    Modules already imported are left as they are; calling it again adds nothing twice.
    """
    pending = [
        n
        for n in names
        if n not in sys.modules
        and not any(isinstance(f, _DeferringFinder) and n in f.pending for f in sys.meta_path)
    ]
    if pending:
        sys.meta_path.insert(0, _DeferringFinder(pending))


def defer_unused_modules() -> None:
    """Defer :data:`UNUSED_MODULES` (see the module's description)."""
    defer_modules(UNUSED_MODULES)
