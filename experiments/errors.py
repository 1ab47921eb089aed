"""Errors raised before an experiment starts, worded for the person who wrote the design."""

from __future__ import annotations

from simulator.errors import ParameterError


class DesignError(ParameterError):
    """An invalid design file, design value or command-line flag.

    A subclass of :class:`simulator.errors.ParameterError`, so the ``synclusive`` command reports
    it on one line and exits with status 2 before anything runs or is written.
    """


class StoreError(DesignError):
    """A results folder that cannot be used for this experiment (e.g. holds another design)."""


class ExecutorError(RuntimeError):
    """An executor that cannot start: no scheduler at the address, no worker job started."""


#: The former name, for code written against it.
BackendError = ExecutorError
