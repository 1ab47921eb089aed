"""A person panel of a run: everyone's labour-force status at every month end, programme starts
and target groups fixed before treatment.

:class:`Panel` is a read-only month hook (it never draws random numbers nor changes state, so
a run with it is identical to one without). What it records is what an evaluation of a
programme over time needs and what the monthly indicators cannot give:

* the status (employed, unemployed, inactive, not in the population) of every person row at
  every month end from month 0 (the start of the run, before any package acts);
* each person's first programme start: the month and the (person-targeted) intervention;
* each person's *reference* target groups, fixed before any treatment: for the population of
  month 0, the groups they were in at month 0 (long-term unemployment included); for an
  entrant, the groups at entry (traits only: nobody enters long-term unemployed).

Person rows identify persons across the arms of a comparison: the population of month 0 is
the same (the same set-up and spin-up seeds), retirements follow age alone, and entrants are
as many as retire, written into the next rows with attributes drawn from their number within
the month, so row r is the same person, with the same reference groups, in every arm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator import state

#: Status codes of :attr:`PersonPanel.statuses` (the model's own; 3: not in the population).
EMPLOYED, UNEMPLOYED, INACTIVE, ABSENT = state.EMPLOYED, state.UNEMPLOYED, state.INACTIVE, 3
#: First-start month of a person who never started a programme.
NO_START = -1
# Person columns read here, looked up by the table's own column names.
_STATUS, _UNEMPLOYMENT_DURATION, _TRAIT_GROUPS, _LAST_INTERVENTION = (
    state.PERSON_INT_COLUMNS.index(name)
    for name in ("status", "unemployment_duration", "trait_groups", "last_intervention")
)


def pack_statuses(codes: np.ndarray) -> np.ndarray:
    """Pack a (months, persons) array of 2-bit status codes into two bit planes.

    Returns an array of shape (2, ceil(months / 8), persons) of uint8: a quarter of the
    memory of one byte per status, for outputs held in memory across many runs.
    """
    codes = np.asarray(codes, dtype=np.uint8)
    return np.stack([np.packbits(codes & 1, axis=0), np.packbits(codes >> 1, axis=0)])


def unpack_statuses(packed: np.ndarray, months: int) -> np.ndarray:
    """Inverse of :func:`pack_statuses` for ``months`` month ends."""
    low = np.unpackbits(packed[0], axis=0, count=months)
    high = np.unpackbits(packed[1], axis=0, count=months)
    return low | (high << 1)


@dataclass
class PersonPanel:
    """What :class:`Panel` recorded over one run (rows align across arms).

    Attributes
    ----------
    packed_statuses : ndarray of uint8 or None
        Statuses at month ends 0..T, packed by :func:`pack_statuses` (None: not kept).
    months : int
        Number of month ends recorded (T + 1).
    first_start : ndarray of int32
        Month of each person's first programme start (:data:`NO_START`: none).
    first_programme : ndarray of int8
        Intervention index of that start (-1: none).
    reference_groups : ndarray of int8
        Target-group bits fixed before treatment (month 0, or at entry).
    entry_month : ndarray of int16
        Month end at which the person was first observed (0: the population of month 0).
    """

    packed_statuses: np.ndarray | None
    months: int
    first_start: np.ndarray
    first_programme: np.ndarray
    reference_groups: np.ndarray
    entry_month: np.ndarray

    @property
    def n(self) -> int:
        """Person rows."""
        return len(self.first_start)

    def statuses(self) -> np.ndarray:
        """Status codes, shape (months, persons), uint8."""
        if self.packed_statuses is None:
            raise ValueError("this panel kept no statuses (a placebo run keeps only starts)")
        return unpack_statuses(self.packed_statuses, self.months)

    def without_statuses(self) -> PersonPanel:
        """The same panel without its status matrix (starts and groups only)."""
        return PersonPanel(
            None,
            self.months,
            self.first_start,
            self.first_programme,
            self.reference_groups,
            self.entry_month,
        )


def reference_bits(pi: np.ndarray) -> np.ndarray:
    """Target groups of person rows now, as a cohort is defined: the traits (young, women 55+,
    migrant, partial work ability) and long-term unemployment for the unemployed of 12 months
    or more (not, as the census counts it, for someone once hired out of it)."""
    ltu = (pi[:, _STATUS] == state.UNEMPLOYED) & (pi[:, _UNEMPLOYMENT_DURATION] >= state.LTU_MONTHS)
    return pi[:, _TRAIT_GROUPS] | np.where(ltu, state.G_LTU, 0)


class Panel:
    """Read-only month hook recording a :class:`PersonPanel`."""

    def __init__(self) -> None:
        self._codes: list[np.ndarray] = []
        self._first_start = np.zeros(0, np.int32)
        self._first_programme = np.zeros(0, np.int8)
        self._groups = np.zeros(0, np.int8)
        self._entry = np.zeros(0, np.int16)
        self._last_month = -1

    def __call__(self, model, month: int) -> None:
        """Observe the state at the end of month ``month - 1`` (hooks run before a step)."""
        self.observe(model, month - 1)

    def observe(self, model, month: int) -> None:
        """Record the state at the end of ``month`` (each month once)."""
        if month <= self._last_month:
            return
        persons = model.world.persons
        n = persons.n
        pi = persons.i[:n]
        old = len(self._first_start)
        if n > old:
            # Rows first seen now: month 0's population or this month's entrants.
            bits = reference_bits(pi[old:])
            self._first_start = np.concatenate([self._first_start, np.full(n - old, NO_START)])
            self._first_programme = np.concatenate(
                [self._first_programme, np.full(n - old, -1, np.int8)]
            )
            self._groups = np.concatenate([self._groups, bits.astype(np.int8)])
            self._entry = np.concatenate([self._entry, np.full(n - old, month, np.int16)])
        self._codes.append(pi[:, _STATUS].astype(np.uint8))
        # A start shows as the first month end with a last intervention (a one-month
        # participation has already ended by then, but its trace stays).
        last = pi[:, _LAST_INTERVENTION]
        new = (self._first_start[:n] == NO_START) & (last >= 0)
        self._first_start[:n][new] = month
        self._first_programme[:n][new] = last[new]
        self._last_month = month

    def finish(self, model) -> None:
        """Observe the final month (hooks only see the start of each month)."""
        self.observe(model, model.world.month)

    def result(self, keep_statuses: bool = True) -> PersonPanel:
        """The recorded panel (call after :meth:`finish`)."""
        n = len(self._first_start)
        packed = None
        if keep_statuses:
            codes = np.full((len(self._codes), n), ABSENT, dtype=np.uint8)
            for t, c in enumerate(self._codes):
                codes[t, : len(c)] = c
            packed = pack_statuses(codes)
        return PersonPanel(
            packed,
            len(self._codes),
            self._first_start.copy(),
            self._first_programme.copy(),
            self._groups.copy(),
            self._entry.copy(),
        )
