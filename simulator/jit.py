"""All numba settings in one place.

Kernels are compiled with ``cache=True`` so a process compiles each kernel once per machine
(the cache lives in ``NUMBA_CACHE_DIR`` when set, otherwise next to the sources).
Set ``NUMBA_DISABLE_JIT=1`` to run every kernel as plain Python (for coverage or debugging).

Numba invalidates a cached kernel only when the kernel's own file changes, not when a function
or constant it uses from another module does. The kernels share rules, random numbers and
layouts across modules, so this module fingerprints all of the simulator's kernel sources and
clears the simulator's cached kernels whenever the fingerprint changes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Threads of the parallel kernels spin briefly before they sleep (GNU OpenMP's spin count
# 10,000: a fraction of a millisecond). The parallel kernels of a month follow each other that
# closely, so a thread that slept at once (OMP_WAIT_POLICY=PASSIVE) was woken a dozen times a
# month: at a living lab's size two threads ran slower than one (measured, 28,000 persons:
# 4.6 ms per month on two threads, 3.4 on one; 2.3 ms on two with the spin; a spin count of
# 1,000 is too short to keep the gain). The price is paid where several processes share the
# cores with threads of their own (measured: the command-line tests, two workers that start
# model processes, 15-20% slower): set OMP_WAIT_POLICY=PASSIVE there, as the test suite does,
# or give each process one thread. Runner workers run their kernels on one thread, so they
# never spin. Read when OpenMP loads, at the first parallel kernel; a user's OMP_WAIT_POLICY or
# GOMP_SPINCOUNT stays.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import numba  # after the OpenMP setting above

#: Options shared by every kernel. No fastmath: results must match the plain-Python reference
#: bit for bit, so floating-point operations are never reordered.
KERNEL_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False}

_PACKAGE = Path(__file__).resolve().parent
#: Sources compiled into kernels: the kernels and every module whose functions or constants
#: they use.
_KERNEL_SOURCES = (
    "jit.py",
    "streams.py",
    "rules.py",
    "state.py",
    "tallies.py",
    "kernel_params.py",
    "interventions.py",
    "indicators.py",
)


def _fingerprint() -> str:
    digest = hashlib.sha256(numba.__version__.encode())
    sources = [_PACKAGE / name for name in _KERNEL_SOURCES]
    for path in sorted(sources) + sorted((_PACKAGE / "kernels").glob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dirs() -> list[Path]:
    root = os.environ.get("NUMBA_CACHE_DIR")
    if root:
        base = Path(root)
        if not base.is_dir():
            return []
        return [
            d
            for d in base.iterdir()
            if d.is_dir()
            and d.name.split("_")[0]
            in {p.name for p in (_PACKAGE, *_PACKAGE.iterdir()) if p.is_dir()}
        ]
    return [d / "__pycache__" for d in (_PACKAGE, *_PACKAGE.iterdir()) if d.is_dir()]


def clear_stale_cache() -> bool:
    """Delete the simulator's cached kernels if any of its sources changed since they were
    compiled; returns whether anything was cleared."""
    stamp_dir = Path(os.environ.get("NUMBA_CACHE_DIR") or _PACKAGE / "__pycache__")
    stamp = stamp_dir / "synclusive-kernels.stamp"
    current = _fingerprint()
    try:
        if stamp.read_text() == current:
            return False
    except OSError:
        pass
    for directory in _cache_dirs():
        for pattern in ("*.nbi", "*.nbc"):
            for f in directory.glob(pattern):
                f.unlink(missing_ok=True)
    try:
        stamp_dir.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(current)
        tmp.replace(stamp)
    except OSError:
        pass  # a read-only installation simply compiles in memory
    return True


clear_stale_cache()


def helper(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile a function that kernels call per event: a hire, a move, a separation.

    Compiled without numba's reference counting (``_nrt=False``). With it, every call of a
    function that takes arrays increments and decrements each array's reference count
    atomically, which made such calls 10-20 times slower than the work they do. A helper
    therefore must not allocate arrays (numba refuses to compile it if it does). Not inlined
    at numba's level: inlined code is reference-counted as the caller's own, which made some
    callers slower (see :func:`row_helper` for the exception).
    """
    return numba.njit(**{**KERNEL_OPTIONS, "_nrt": False})(func)


def row_helper(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile a function that a pass over the whole table calls for every row.

    Inlined into its callers at numba's level (``inline="always"``): a call of a separately
    compiled function passes every array as a dozen machine words and checks for an
    exception on return, which for a function called for each of a million rows costs more
    than its work (inlining the census tally took a third off the consequences pass). Inlined
    everywhere, the event helpers made other kernels slower at a lab's size, so only
    functions called for every row are.
    """
    return numba.njit(**{**KERNEL_OPTIONS, "inline": "always"})(func)


def parallel(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile a kernel whose ``numba.prange`` loops run on several threads.

    Its loops run over fixed blocks of rows (:data:`simulator.tallies.BLOCK_ROWS`), each block
    with its own tallies, added up in block order afterwards; with counter-based random draws
    the results are therefore the same for any number of threads.
    """
    return numba.njit(**{**KERNEL_OPTIONS, "parallel": True})(func)


@contextmanager
def kernel_threads(count: int) -> Iterator[None]:
    """Run the parallel kernels on at most ``count`` threads inside the block.

    Numba's thread count is a per-thread setting, so this affects only the calling thread (a
    Dask worker thread, say), and the previous count is restored on leaving.
    """
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


def kernels_may_run_at_once() -> bool:
    """Whether two threads may each start parallel kernels at the same time: numba's OpenMP
    and TBB threading layers allow it, its fallback layer (workqueue, where neither library
    is installed) aborts the process when it happens."""
    try:
        return numba.threading_layer() in ("omp", "tbb")
    except ValueError:  # no parallel kernel has run yet: the layer is not chosen
        return False


def run_beside[T](main: Callable[[], None], side: Callable[[], T]) -> T:
    """Run ``main`` here and ``side`` at the same time on another thread, whose parallel
    kernels use one thread; return what ``side`` returns (or raise what either raised).

    For two kernels that touch disjoint data: a serial kernel (here) and a pass another core
    would otherwise not help with. Kernels release the GIL (``nogil``), so the two run on two
    cores; ``side`` stays on one so that the two do not ask for three. Either may start
    parallel kernels: call it only where :func:`kernels_may_run_at_once`.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def on_the_side() -> None:
        try:
            with kernel_threads(1):
                result.append(side())
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=on_the_side, name="kernel beside")
    thread.start()
    try:
        main()
    finally:
        thread.join()
    if errors:
        raise errors[0]
    return result[0]


def njit(*args: Any, **kwargs: Any) -> Callable[..., Any]:
    """``numba.njit`` with the project's defaults; usable bare or with options."""
    options = {**KERNEL_OPTIONS, **kwargs}
    if args and callable(args[0]) and len(args) == 1:
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)
