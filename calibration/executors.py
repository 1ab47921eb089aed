"""Executors for calibration when none is given: in-process, or a local process pool."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any


class SerialExecutor(Executor):
    """Run each submitted call at once, in this process."""

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        if self._shutdown:
            raise RuntimeError("cannot submit after shutdown")
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # the caller sees it through future.result()
            future.set_exception(err)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True


def make_executor(workers: int) -> Executor:
    """A serial executor for one worker, else a pool of fresh (spawned) processes."""
    if workers <= 1:
        return SerialExecutor()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
