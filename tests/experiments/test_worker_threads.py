"""Runs beside other runs use one kernel thread each; a run on its own keeps every core."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numba

from experiments.runner.executors import SerialExecutor, submit_run


def test_a_worker_process_runs_its_kernels_on_one_thread():
    spawn = multiprocessing.get_context("spawn")  # as the processes executor starts them
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        assert submit_run(pool, numba.get_num_threads).result() == 1
        assert pool.submit(numba.get_num_threads).result() == numba.config.NUMBA_NUM_THREADS


def test_a_worker_thread_runs_its_kernels_on_one_thread_and_the_caller_is_untouched():
    before = numba.get_num_threads()
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert submit_run(pool, numba.get_num_threads).result() == 1
    assert numba.get_num_threads() == before


def test_the_serial_executor_keeps_every_thread():
    assert submit_run(SerialExecutor(), numba.get_num_threads).result() == numba.get_num_threads()


def test_arguments_and_errors_pass_through():
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert submit_run(pool, divmod, 7, 2).result() == (3, 1)
        error = submit_run(pool, divmod, 1, 0).exception()
    assert isinstance(error, ZeroDivisionError)
