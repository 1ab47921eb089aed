"""Participant-level and spell-length observations of a simulated run.

The simulator's monthly indicators are aggregates; a participant panel needs each
participant's start month and status at follow-up points. :class:`RunTracker` reads the
person table between months (through ``model.month_hooks``, which run before a month's work,
so they see the state at the end of the previous month) and never writes to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calibration import catalogue as cat
from simulator import state

# Panel group of a person: the first group bit that applies, in PANEL_GROUPS order.
_PANEL_BITS = (
    ("long_term_unemployed", state.G_LTU),
    ("partial_ability", state.G_PARTIAL),
    ("women_55plus", state.G_WOMEN55),
    ("migrant", state.G_MIGRANT),
    ("young", state.G_YOUNG),
)


def group_bits(pi: np.ndarray) -> np.ndarray:
    """Target-group bits of every row of an integer person table (vectorised)."""
    bits = np.zeros(pi.shape[0], dtype=np.int64)
    status, age = pi[:, state.P_STATUS], pi[:, state.P_AGE_MONTHS]
    bits |= np.where(
        (status == state.UNEMPLOYED) & (pi[:, state.P_UNEMPLOYMENT_DURATION] >= state.LTU_MONTHS),
        state.G_LTU,
        0,
    )
    bits |= np.where(age < state.YOUNG_MAX_MONTHS, state.G_YOUNG, 0)
    bits |= np.where(
        (pi[:, state.P_FEMALE] == 1) & (age >= state.OLDER_MIN_MONTHS), state.G_WOMEN55, 0
    )
    bits |= np.where(pi[:, state.P_MIGRANT] == 1, state.G_MIGRANT, 0)
    bits |= np.where(pi[:, state.P_PARTIAL_ABILITY] == 1, state.G_PARTIAL, 0)
    return bits


def panel_group(bits: np.ndarray) -> np.ndarray:
    """Panel group names (first match in :data:`~calibration.catalogue.PANEL_GROUPS`)."""
    out = np.full(bits.shape[0], "other", dtype=object)
    for name, bit in reversed(_PANEL_BITS):
        out[(bits & bit) != 0] = name
    return out


class RunTracker:
    """Record first intervention starts, follow-up outcomes and spell lengths of one run.

    Parameters
    ----------
    model
        A :class:`~simulator.model.LabourMarketModel` before its first step; the tracker
        registers itself as a month hook.
    """

    def __init__(self, model) -> None:
        self.model = model
        self.intervention_names = [s.name for s in model.params.interventions]
        size = model.world.persons.n
        self.start = np.full(size, -1, dtype=np.int64)
        self.iv = np.full(size, -1, dtype=np.int64)
        self.group = np.zeros(size, dtype=np.int64)
        self.efficacy0 = np.full(size, np.nan)
        self.outcome = {name: np.full(size, np.nan) for name in cat.PANEL_OUTCOMES}
        self.duration_shares: list[np.ndarray] = []
        self._prev_last = np.full(size, -1, dtype=np.int64)
        self._prev_bits = np.zeros(size, dtype=np.int64)
        self._prev_efficacy = np.zeros(size)
        self._observed_month = -1
        model.month_hooks.append(lambda m, month: self.observe())

    def _grow(self, n: int) -> None:
        extra = n - self.start.shape[0]
        if extra <= 0:
            return
        self.start = np.concatenate([self.start, np.full(extra, -1, dtype=np.int64)])
        self.iv = np.concatenate([self.iv, np.full(extra, -1, dtype=np.int64)])
        self.group = np.concatenate([self.group, np.zeros(extra, dtype=np.int64)])
        self.efficacy0 = np.concatenate([self.efficacy0, np.full(extra, np.nan)])
        for name in self.outcome:
            self.outcome[name] = np.concatenate([self.outcome[name], np.full(extra, np.nan)])

    def observe(self) -> None:
        """Take the observations of the month that just ended (idempotent per month)."""
        w = self.model.world
        month = w.month
        if month == self._observed_month:
            return
        self._observed_month = month
        n = w.persons.n
        self._grow(n)
        pi, pf = w.persons.i[:n], w.persons.f[:n]
        status = pi[:, state.P_STATUS]
        if month > 0:
            prev_n = self._prev_last.shape[0]
            prev_last = np.full(n, -1, dtype=np.int64)
            prev_last[:prev_n] = self._prev_last
            last = pi[:, state.P_LAST_INTERVENTION]
            # A first start: the last intervention taken part in changes from "never".
            new = np.flatnonzero((last >= 0) & (prev_last < 0) & (self.start[:n] < 0))
            old = new[new < prev_n]
            self.start[new] = month
            self.iv[new] = last[new]
            # Group and baseline score as they were before the start.
            self.group[new] = group_bits(pi[new])
            self.group[old] = self._prev_bits[old]
            self.efficacy0[new] = pf[new, state.P_SELF_EFFICACY]
            self.efficacy0[old] = self._prev_efficacy[old]
            alive = status != state.GONE
            for name, h in cat.PANEL_OUTCOMES.items():
                if month - h < 1:
                    continue
                due = np.flatnonzero((self.start[:n] == month - h) & alive)
                if name.startswith("employed_"):
                    self.outcome[name][due] = (status[due] == state.EMPLOYED).astype(float)
                else:
                    self.outcome[name][due] = pf[due, state.P_SELF_EFFICACY] - self.efficacy0[due]
            self.duration_shares.append(self._duration_shares(pi))
        self._prev_last = pi[:, state.P_LAST_INTERVENTION].copy()
        self._prev_bits = group_bits(pi)
        self._prev_efficacy = pf[:, state.P_SELF_EFFICACY].copy()

    @staticmethod
    def _duration_shares(pi: np.ndarray) -> np.ndarray:
        udur = pi[pi[:, state.P_STATUS] == state.UNEMPLOYED, state.P_UNEMPLOYMENT_DURATION]
        if udur.size == 0:
            return np.full(len(cat.DURATION_BANDS), np.nan)
        return np.array(
            [((udur >= lo) & (udur < hi)).mean() for lo, hi in cat.DURATION_BANDS.values()]
        )

    def panel(self) -> pd.DataFrame:
        """Simulated participants in the panel format (no identifier), one row each."""
        rows = np.flatnonzero(self.start >= 0)
        names = np.asarray(self.intervention_names, dtype=object)
        table = pd.DataFrame(
            {
                "group": panel_group(self.group[rows]),
                "intervention": names[self.iv[rows]] if rows.size else np.array([], object),
                "start_month": self.start[rows],
                "self_efficacy_baseline": self.efficacy0[rows],
            }
        )
        for name, values in self.outcome.items():
            table[name] = values[rows]
        return table

    def durations(self) -> pd.DataFrame:
        """Monthly shares of the unemployed by spell length (indicator columns)."""
        values = np.array(self.duration_shares).reshape(-1, len(cat.DURATION_BANDS))
        return pd.DataFrame(
            values, columns=list(cat.DURATION_BANDS), index=np.arange(1, values.shape[0] + 1)
        )
