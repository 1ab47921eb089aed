"""All numba settings in one place.

Kernels are compiled with ``cache=True`` so a process compiles each kernel once per machine
(the cache lives in ``NUMBA_CACHE_DIR`` when set, otherwise next to the sources).
Set ``NUMBA_DISABLE_JIT=1`` to run every kernel as plain Python (for coverage or debugging).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba

#: Options shared by every kernel. No fastmath: results must match the plain-Python reference
#: bit for bit, so floating-point operations are never reordered.
KERNEL_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False}


def njit(*args: Any, **kwargs: Any) -> Callable[..., Any]:
    """``numba.njit`` with the project's defaults; usable bare or with options."""
    options = {**KERNEL_OPTIONS, **kwargs}
    if args and callable(args[0]) and len(args) == 1:
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)
