"""Per-person and per-context observations of a run, for counterfactual comparisons.

:class:`Tracker` is a read-only month hook: it never draws random numbers nor changes state,
so a tracked run is identical to an untracked one. It records, per person row, months in
work and the target groups the person belonged to, and, over the evaluation window at the
end of the run, how many people of each target group work at employers of each context
(size class, sector, coalition membership). Because a policy arm and its baseline share
random numbers and person rows, the same row is the same person in both arms: comparing a
row across arms gives the person's own counterfactual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator import state

#: Employer size classes by positions (EU definitions by employees).
SIZE_CLASSES: tuple[tuple[str, int], ...] = (
    ("micro (<10)", 0),
    ("small (10-49)", 10),
    ("medium (50-249)", 50),
    ("large (250+)", 250),
)
#: Cohort groups used for person-level comparisons, with their bit masks.
COHORT_GROUPS: tuple[tuple[str, int], ...] = (
    ("all", 0),
    ("long_term_unemployed", state.G_LTU),
    ("young", state.G_YOUNG),
    ("women_55plus", state.G_WOMEN55),
    ("migrant", state.G_MIGRANT),
    ("partial_ability", state.G_PARTIAL),
)


def group_bits(pi: np.ndarray) -> np.ndarray:
    """Target-group bits of every person row, as the model's census counts them.

    Employees hired out of long-term unemployment keep the long-term unemployed bit.
    """
    status = pi[:, state.P_STATUS]
    bits = pi[:, state.P_TRAIT_GROUPS].copy()
    bits |= np.where(
        (status == state.UNEMPLOYED) & (pi[:, state.P_UNEMPLOYMENT_DURATION] >= state.LTU_MONTHS),
        state.G_LTU,
        0,
    )
    bits |= np.where(status == state.EMPLOYED, pi[:, state.P_HIRE_GROUPS] & state.G_LTU, 0)
    return bits


def size_class(sizes: np.ndarray) -> np.ndarray:
    """Index into :data:`SIZE_CLASSES` of each employer size."""
    bounds = np.array([lo for _, lo in SIZE_CLASSES[1:]])
    return np.searchsorted(bounds, sizes, side="right")


@dataclass
class PersonOutcomes:
    """Per-person-row outcomes of one run (rows align across arms with common random numbers).

    Attributes
    ----------
    months_employed : ndarray of int64
        Month-ends in work over the whole run.
    window_employed : ndarray of float64
        Share of the evaluation window's month-ends in work.
    groups : ndarray of int64
        Target-group bits: groups at first observation, plus long-term unemployed if the
        person was long-term unemployed at any month-end.
    last_intervention : ndarray of int32
        Last intervention taken part in (-1: none).
    in_labour_force : ndarray of bool
        Whether the person was in the labour force at any month-end of the window.
    """

    months_employed: np.ndarray
    window_employed: np.ndarray
    groups: np.ndarray
    last_intervention: np.ndarray
    in_labour_force: np.ndarray


class Tracker:
    """Read-only month hook recording person outcomes and employment by context.

    Parameters
    ----------
    window
        Months at the end of the run over which window outcomes are measured.
    sector_names
        Sector names, in the order of the lab's sectors.
    """

    def __init__(self, window: int, sector_names: list[str]) -> None:
        self.window = window
        self.sector_names = sector_names
        self._months = 0
        self._employed = np.zeros(0, dtype=np.int64)
        self._window_employed = np.zeros(0, dtype=np.int64)
        self._window_lf = np.zeros(0, dtype=bool)
        self._groups = np.zeros(0, dtype=np.int64)
        self._seen = np.zeros(0, dtype=bool)
        self._context: dict[tuple[str, str, str], float] = {}
        self._window_months = 0

    def _grow(self, n: int) -> None:
        old = len(self._employed)
        if n <= old:
            return
        pad = n - old
        self._employed = np.concatenate([self._employed, np.zeros(pad, np.int64)])
        self._window_employed = np.concatenate([self._window_employed, np.zeros(pad, np.int64)])
        self._window_lf = np.concatenate([self._window_lf, np.zeros(pad, bool)])
        self._groups = np.concatenate([self._groups, np.zeros(pad, np.int64)])
        self._seen = np.concatenate([self._seen, np.zeros(pad, bool)])

    def __call__(self, model, month: int) -> None:
        """Observe the state at the end of month ``month - 1``."""
        if month > 1:
            self.observe(model, month - 1)

    def observe(self, model, month: int) -> None:
        """Record the state at the end of ``month``."""
        w = model.world
        n = w.persons.n
        self._grow(n)
        pi = w.persons.i[:n]
        status = pi[:, state.P_STATUS]
        employed = status == state.EMPLOYED
        bits = group_bits(pi)
        new = ~self._seen[:n] & (status != state.GONE)
        self._groups[:n][new] = bits[new]
        self._seen[:n] |= new
        self._groups[:n] |= bits & state.G_LTU
        self._employed[:n] += employed
        self._months = month
        if month > model.params.months - self.window:
            self._window_months += 1
            self._window_employed[:n] += employed
            self._window_lf[:n] |= (status == state.EMPLOYED) | (status == state.UNEMPLOYED)
            self._count_contexts(model, pi, employed, bits)

    def _count_contexts(self, model, pi, employed, bits) -> None:
        w = model.world
        rows = np.flatnonzero(employed)
        employer = w.positions.i[pi[rows, state.P_POSITION], state.Q_EMPLOYER]
        ei = w.employers.i
        contexts = {
            "employer_size": np.array([c for c, _ in SIZE_CLASSES])[
                size_class(ei[employer, state.E_SIZE])
            ],
            "sector": np.asarray(self.sector_names, dtype=object)[ei[employer, state.E_SECTOR]],
            "coalition_employer": np.where(ei[employer, state.E_COALITION] == 1, "member", "other"),
        }
        g = bits[rows]
        for gname, mask in COHORT_GROUPS:
            sel = np.ones(len(rows), bool) if mask == 0 else (g & mask) != 0
            for ctype, values in contexts.items():
                labels, counts = np.unique(values[sel], return_counts=True)
                for label, count in zip(labels, counts, strict=True):
                    key = (gname, ctype, str(label))
                    self._context[key] = self._context.get(key, 0.0) + float(count)

    def finish(self, model) -> None:
        """Observe the final month (hooks only see the start of each month)."""
        if self._months < model.world.month:
            self.observe(model, model.world.month)

    def persons(self, model) -> PersonOutcomes:
        """Per-person outcomes (call after :meth:`finish`)."""
        n = model.world.persons.n
        self._grow(n)
        months = max(self._window_months, 1)
        return PersonOutcomes(
            months_employed=self._employed[:n].copy(),
            window_employed=self._window_employed[:n] / months,
            groups=self._groups[:n].copy(),
            last_intervention=model.world.persons.i[:n, state.P_LAST_INTERVENTION].copy(),
            in_labour_force=self._window_lf[:n].copy(),
        )

    def contexts(self) -> pd.DataFrame:
        """Mean employed per month of the window by group × context (columns ``group,
        context_type, context, employed``)."""
        months = max(self._window_months, 1)
        rows = [
            {"group": g, "context_type": t, "context": c, "employed": v / months}
            for (g, t, c), v in sorted(self._context.items())
        ]
        return pd.DataFrame(rows, columns=["group", "context_type", "context", "employed"])
