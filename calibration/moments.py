"""Moments: the numbers a fit compares, computed the same way from data and from simulations.

A :class:`MomentSpec` says what a moment is (source, indicator or outcome, group,
intervention, months). :func:`build_moments` derives the specs from the observed data;
:func:`observed_moments` evaluates them on the data and :func:`simulated_moments` on a
simulated run. Both go through the same normalisation (:func:`normalise`) and the same panel
cell means (:func:`panel_cell`), so a moment means the same thing on either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration import catalogue as cat
from calibration.errors import CalibrationError
from simulator.survey import STATISTICS, window_mean

if TYPE_CHECKING:  # the indicators load the compiled kernels: data checks need none
    from simulator.indicators import IndicatorArrays


@dataclass(frozen=True)
class MomentSpec:
    """One moment.

    Attributes
    ----------
    source
        ``"aggregate"``, ``"panel"`` or ``"public"``.
    indicator
        Aggregate indicator, panel outcome column or public statistic.
    group
        Target group (panel: ``"all"`` or a panel group).
    intervention
        Intervention name (panel moments, intervention starts), else ``None``.
    window
        Months (first, last), data months: aggregate periods starting in it; panel
        participants starting in it; public statistics' reference months.
    periods
        Aggregate moments: the (first month, length) of every data row averaged.
    """

    source: str
    indicator: str
    group: str = "all"
    intervention: str | None = None
    window: tuple[int, int] = (1, 1)
    periods: tuple[tuple[int, int], ...] = ()

    @property
    def name(self) -> str:
        """Readable unique name."""
        parts = [self.source, self.indicator, self.group]
        if self.intervention:
            parts.append(self.intervention)
        label = "starts" if self.source == "panel" else "months"
        parts.append(f"{label} {self.window[0]}-{self.window[1]}")
        return " | ".join(parts)


@dataclass
class ObservedData:
    """Everything observed: any of the three tables may be ``None``.

    Attributes
    ----------
    horizon
        Months covered by the data (the simulation runs this long after burn-in).
    labour_force
        Labour force of the lab, used to scale counts when the data give no
        ``labour_force`` rows.
    """

    aggregate: pd.DataFrame | None = None
    panel: pd.DataFrame | None = None
    public: pd.DataFrame | None = None
    labour_force: float | None = None
    horizon: int = 0
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class Suppressed:
    """A panel cell left out because fewer than the threshold of participants were observed."""

    spec: MomentSpec
    reason: str


def data_horizon(data: ObservedData) -> int:
    """Months the data cover: last aggregate period, public month or panel start."""
    last = 0
    if data.aggregate is not None and len(data.aggregate):
        a = data.aggregate
        last = max(last, int((a["month"] + a["period_months"] - 1).max()))
    if data.public is not None and len(data.public):
        last = max(last, int(data.public["month_to"].max()))
    if data.panel is not None and len(data.panel):
        last = max(last, int(data.panel["start_month"].max()))
    return last


# ---------------------------------------------------------------- shared arithmetic
def normalise(kind: str, value: float, period_months: int, labour_force: float) -> float:
    """Make a data or simulated period value scale-free (see :mod:`calibration.catalogue`)."""
    if kind == "rate":
        return value
    if not labour_force > 0:
        return float("nan")
    if kind == "stock":
        return 1000.0 * value / labour_force
    return 1000.0 * value / period_months / labour_force


def panel_cell(panel: pd.DataFrame, spec: MomentSpec) -> tuple[float, int]:
    """Mean outcome and number of observed participants of a panel cell."""
    mask = cell_mask(panel, spec)
    values = panel[spec.indicator].to_numpy(dtype=float)[mask]
    n = int(values.size)
    return (float(values.mean()) if n else float("nan")), n


def cell_mask(panel: pd.DataFrame, spec: MomentSpec) -> np.ndarray:
    """Participants of a panel cell whose outcome is observed."""
    start = panel["start_month"].to_numpy()
    mask = (panel["intervention"].to_numpy() == spec.intervention) & (
        (start >= spec.window[0]) & (start <= spec.window[1])
    )
    if spec.group != "all":
        mask &= panel["group"].to_numpy() == spec.group
    return mask & ~np.isnan(panel[spec.indicator].to_numpy(dtype=float))


# ---------------------------------------------------------------- specs from data
def build_moments(
    data: ObservedData, window_months: int = 12, min_cell: int = 10
) -> tuple[list[MomentSpec], list[Suppressed]]:
    """Moment specs from the observed data, and the panel cells suppressed as too small.

    Parameters
    ----------
    window_months
        Aggregate rows are averaged over windows of this many months (by period start).
    min_cell
        Panel cells with fewer observed participants are neither fitted nor reported.
    """
    specs: list[MomentSpec] = []
    suppressed: list[Suppressed] = []
    horizon = data.horizon or data_horizon(data)
    if data.aggregate is not None:
        a = data.aggregate.fillna({"intervention": ""})
        a = a.assign(window=(a["month"] - 1) // window_months)
        for (ind, grp, iv, w), rows in a.groupby(
            ["indicator", "group", "intervention", "window"], sort=True, observed=True
        ):
            if ind == "labour_force" and grp == "all":
                continue  # the scale of the counts, not a target
            rows = rows.sort_values("month")
            first = int(w) * window_months + 1
            specs.append(
                MomentSpec(
                    "aggregate",
                    str(ind),
                    str(grp),
                    str(iv) or None,
                    (first, first + window_months - 1),
                    tuple(zip(rows["month"].tolist(), rows["period_months"].tolist(), strict=True)),
                )
            )
    if data.panel is not None:
        p = data.panel
        outcomes = [c for c in cat.PANEL_OUTCOMES if c in p and p[c].notna().any()]
        for iv in sorted(p["intervention"].unique()):
            groups = ["all", *sorted(p.loc[p["intervention"] == iv, "group"].unique())]
            hidden: dict[tuple[str, str], str] = {}
            sizes: dict[tuple[str, str], int] = {}
            for outcome in outcomes:
                last = horizon - cat.PANEL_OUTCOMES[outcome]
                if last < 1:
                    continue
                family = {
                    grp: panel_cell(p, MomentSpec("panel", outcome, grp, iv, (1, last)))[1]
                    for grp in groups
                }
                for grp, n in family.items():
                    sizes[(grp, outcome)] = n
                for grp, reason in suppress_cells(family, min_cell).items():
                    hidden[(grp, outcome)] = reason
            for grp in groups:
                for outcome in outcomes:
                    if sizes.get((grp, outcome), 0) == 0:
                        continue
                    last = horizon - cat.PANEL_OUTCOMES[outcome]
                    spec = MomentSpec("panel", outcome, grp, iv, (1, last))
                    if (grp, outcome) in hidden:
                        suppressed.append(Suppressed(spec, hidden[(grp, outcome)]))
                    else:
                        specs.append(spec)
    if data.public is not None:
        for row in data.public.itertuples(index=False):
            specs.append(
                MomentSpec("public", row.statistic, row.group, None, (row.month_from, row.month_to))
            )
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise CalibrationError(f"the data define the same moment twice: {dup[:3]}")
    if not specs:
        raise CalibrationError("the data give no moments to fit")
    return specs, suppressed


def suppress_cells(sizes: dict[str, int], min_cell: int) -> dict[str, str]:
    """Cells of one intervention and outcome to hide, with the reason for each.

    The ``"all"`` cell is the participant-weighted mean of the group cells (each participant
    is in exactly one panel group). Hiding only the small group cells is not enough: with the
    ``"all"`` cell and every other group cell shown, a single hidden cell is their
    difference, ``(n_all·p_all − Σ n_g·p_g) / n_hidden``. So when the hidden group cells
    hold fewer than ``min_cell`` participants together, the smallest shown group cells are
    hidden as well until they hold at least that many; what can then be worked out is the
    mean of at least ``min_cell`` participants, like any cell shown. The ``"all"`` cell, the
    most informative, is kept whenever it is large enough itself.

    Parameters
    ----------
    sizes
        Observed participants per cell: ``"all"`` and each panel group (0: empty cell).
    min_cell
        Smallest number of participants a shown cell (or what can be derived) may describe.

    Returns
    -------
    dict of str to str
        Hidden cells (``"all"`` or a group) and why.
    """
    small = f"fewer than {min_cell} participants"
    hidden = {g: small for g, n in sizes.items() if 0 < n < min_cell}
    groups = {g: n for g, n in sizes.items() if g != "all" and n > 0}
    if "all" in hidden or not any(g in hidden for g in groups):
        return hidden
    hidden_total = sum(groups[g] for g in groups if g in hidden)
    for g in sorted((g for g in groups if g not in hidden), key=lambda g: (groups[g], g)):
        if hidden_total >= min_cell:
            break
        hidden[g] = (
            "hidden with a smaller cell of the same intervention and outcome, which could "
            "otherwise be worked out from the cell of all participants"
        )
        hidden_total += groups[g]
    return hidden


def disclosive_families(suppressed: list[Suppressed]) -> set[tuple[str | None, str]]:
    """(intervention, outcome) of the panel cells with a hidden cell.

    Exact participant counts of the cells shown in such a family are not written: with the
    cell means they would let a reader work out the pooled mean of the hidden cells.
    """
    return {(c.spec.intervention, c.spec.indicator) for c in suppressed}


# ---------------------------------------------------------------- observed side
def _lookup(data: ObservedData) -> tuple[dict, np.ndarray]:
    """Aggregate values by (indicator, group, intervention, month, length), and the
    labour-force rows as an array of (first month, length, value); built once per data set."""
    cached = getattr(data, "_lookup_cache", None)
    if cached is not None:
        return cached
    a = data.aggregate
    assert a is not None
    iv = a["intervention"].fillna("").tolist()
    values = {
        (ind, grp, i, m, n): v
        for ind, grp, i, m, n, v in zip(
            a["indicator"].tolist(),
            a["group"].tolist(),
            iv,
            a["month"].tolist(),
            a["period_months"].tolist(),
            a["value"].tolist(),
            strict=True,
        )
    }
    lf = a[(a["indicator"] == "labour_force") & (a["group"] == "all")]
    lf_rows = lf[["month", "period_months", "value"]].to_numpy(dtype=float).reshape(-1, 3)
    data._lookup_cache = (values, lf_rows)  # type: ignore[attr-defined]
    return values, lf_rows


def _labour_force(lf_rows: np.ndarray, month: int, length: int, fallback: float | None) -> float:
    """Mean labour force of the data rows within a period, else the configured constant."""
    inside = (lf_rows[:, 0] >= month) & (lf_rows[:, 0] + lf_rows[:, 1] <= month + length)
    if inside.any():
        return float(lf_rows[inside, 2].mean())
    return float("nan") if fallback is None else float(fallback)


def aggregate_rows(data: ObservedData, spec: MomentSpec) -> np.ndarray:
    """Normalised data values of an aggregate moment's rows, in month order."""
    values, lf_rows = _lookup(data)
    kind = cat.AGGREGATE_INDICATORS[spec.indicator][0]
    out = []
    for month, length in spec.periods:
        lf = _labour_force(lf_rows, month, length, data.labour_force)
        if kind != "rate" and not lf > 0:
            raise CalibrationError(
                f"{data.sources.get('aggregate', 'aggregate data')}: {spec.indicator} is a count "
                f"and needs the labour force of month {month} to be scaled; add a "
                "labour_force row (group all) for that period or set data.labour_force"
            )
        value = values[(spec.indicator, spec.group, spec.intervention or "", month, length)]
        out.append(normalise(kind, float(value), length, lf))
    return np.asarray(out)


def observed_moments(specs: list[MomentSpec], data: ObservedData) -> tuple[np.ndarray, np.ndarray]:
    """Observed moment values and cell sizes (panel; 0 for other sources)."""
    values = np.empty(len(specs))
    sizes = np.zeros(len(specs), dtype=np.int64)
    public = data.public
    for j, spec in enumerate(specs):
        if spec.source == "aggregate":
            values[j] = aggregate_rows(data, spec).mean()
        elif spec.source == "panel":
            assert data.panel is not None
            values[j], sizes[j] = panel_cell(data.panel, spec)
        else:
            assert public is not None
            row = public[
                (public["statistic"] == spec.indicator)
                & (public["group"] == spec.group)
                & (public["month_from"] == spec.window[0])
                & (public["month_to"] == spec.window[1])
            ]
            values[j] = float(row["value"].iloc[0])
    return values, sizes


# ---------------------------------------------------------------- simulated side
@dataclass
class SimulatedData:
    """One simulated run in data terms (months 1..T after burn-in).

    Attributes
    ----------
    arrays
        The run's monthly indicators, months renumbered so that data month 1 is 1.
    extra
        Series the indicators do not hold: ``(indicator, "all")`` for the duration shares,
        ``("intervention_starts", "all", name)`` for intervention starts.
    panel
        Simulated participants in the panel format.
    """

    arrays: IndicatorArrays
    extra: dict[tuple, np.ndarray]
    panel: pd.DataFrame

    def monthly(self, indicator: str, group: str = "all", intervention: str | None = None):
        """Monthly series of an indicator (data months 1..T)."""
        key = (indicator, group, intervention) if intervention else (indicator, group)
        if key in self.extra:
            return self.extra[key]
        series = None if intervention else self.arrays.series(indicator, group)
        if series is None:
            raise CalibrationError(
                f"the simulation has no indicator {indicator!r} for group {group!r}"
                + (f" and intervention {intervention!r}" if intervention else "")
            )
        return series[self.arrays.months >= 1]


def _period_value(sim: SimulatedData, spec: MomentSpec, month: int, length: int) -> float:
    kind = cat.AGGREGATE_INDICATORS[spec.indicator][0]
    if spec.indicator in STATISTICS:
        # a survey statistic: the one computation validation and grounding use too
        return window_mean(sim.arrays, spec.indicator, month, month + length - 1, spec.group)
    values = sim.monthly(spec.indicator, spec.group, spec.intervention)[
        month - 1 : month - 1 + length
    ]
    lf = sim.monthly("labour_force")[month - 1 : month - 1 + length]
    if values.size < length or np.isnan(values).all():
        return float("nan")
    raw = float(np.nansum(values)) if kind == "flow" else float(np.nanmean(values))
    return normalise(kind, raw, length, float(lf.mean()))


def simulated_moments(specs: list[MomentSpec], sim: SimulatedData) -> np.ndarray:
    """The moments of a simulated run (NaN where the run has no observation)."""
    out = np.empty(len(specs))
    for j, spec in enumerate(specs):
        if spec.source == "aggregate":
            out[j] = np.mean([_period_value(sim, spec, m, n) for m, n in spec.periods])
        elif spec.source == "panel":
            out[j] = panel_cell(sim.panel, spec)[0]
        else:
            out[j] = window_mean(sim.arrays, spec.indicator, *spec.window, spec.group)
    return out
