"""Monthly monitoring: raw counters recorded during a run, turned into tidy tables.

The recorder keeps, for every month, the flow counters, the census by target group, vacancy
and chain statistics and intervention costs. :meth:`IndicatorRecorder.arrays` derives rates and
means from them as arrays (what code that only needs a few numbers of a run reads, fast);
:meth:`IndicatorRecorder.tables` returns them as tidy tables (one row per month × indicator ×
group).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numba import prange

from simulator import chain_stats, state, tallies
from simulator.jit import parallel
from simulator.tables import write_table

# Position statistics recorded each month (group "all" only).
V_ACTIVE = 0
V_FILLED = 1
V_OPEN = 2
V_OPEN_AGE_SUM = 3
V_CARVED = 4
N_VSTATS = 5


@parallel
def position_stats(qi: np.ndarray, month: int) -> np.ndarray:
    """Active, filled and open positions, summed age of open vacancies, active carved jobs
    (blocks of slots in parallel; whole-number sums, so exact in any order)."""
    rows = qi.shape[0]
    blocks = np.zeros((tallies.n_blocks(rows), 1, N_VSTATS))
    for b in prange(blocks.shape[0]):
        out = blocks[b, 0]
        first, last = tallies.block_range(b, rows)
        for q in range(first, last):
            if qi[q, state.Q_ACTIVE] != 1:
                continue
            out[V_ACTIVE] += 1.0
            if qi[q, state.Q_HOLDER] >= 0:
                out[V_FILLED] += 1.0
            else:
                out[V_OPEN] += 1.0
                out[V_OPEN_AGE_SUM] += month - qi[q, state.Q_VACANT_SINCE]
            if qi[q, state.Q_CARVED] == 1:
                out[V_CARVED] += 1.0
    total = np.zeros((1, N_VSTATS))
    tallies.add_blocks(blocks, total)
    return total[0]


#: The labour-market statuses of the survey transitions, in census order.
SURVEY_STATUSES = ("e", "u", "i")


def quarterly_transitions(census: np.ndarray) -> dict[str, np.ndarray]:
    """Quarterly transition probabilities as labour-force surveys measure them.

    The share of people in status X at the month end three months ago (and in the population
    now) who are in status Y now: the same person's status three months apart, as EU-LFS
    longitudinal flow statistics (Eurostat ``lfsi_long_q``) are built, not a compounded monthly
    hazard. People who entered or retired in between are left out, as in a survey's matched
    sample. Undefined (NaN) in the first two months of a run without a spin-up (month 0's
    statuses are known, earlier ones are not).

    Parameters
    ----------
    census : ndarray, shape (T, N_CENSUS, N_GROUPS)

    Returns
    -------
    dict
        ``quarterly_x_to_y`` for x, y in e, u, i: arrays of shape (T, N_GROUPS).
    """
    out = {}
    first = tallies.C_TRANSITIONS
    for a, then in enumerate(SURVEY_STATUSES):
        block = census[:, first + 3 * a : first + 3 * a + 3]
        at_risk = block.sum(axis=1)
        for b, now in enumerate(SURVEY_STATUSES):
            out[f"quarterly_{then}_to_{now}"] = _ratio(block[:, b], at_risk)
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class IndicatorArrays:
    """The monthly indicators of one run as arrays: the tidy indicator table, before it is made
    tidy.

    Attributes
    ----------
    months : ndarray of int64, shape (T,)
    by_group : dict of str to ndarray, shape (T, N_GROUPS)
        Indicators kept for every indicator group (columns in ``tallies.GROUP_NAMES`` order).
    overall : dict of str to ndarray, shape (T,)
        Indicators kept for everyone only (group ``"all"``).
    """

    months: np.ndarray
    by_group: dict[str, np.ndarray]
    overall: dict[str, np.ndarray]

    def series(self, indicator: str, group: str = "all") -> np.ndarray | None:
        """Monthly values of ``indicator`` for ``group``, or None if it is not recorded."""
        if indicator in self.by_group and group in _GROUP_COLUMN:
            return self.by_group[indicator][:, _GROUP_COLUMN[group]]
        if indicator in self.overall and group == "all":
            return self.overall[indicator]
        return None

    def table(self) -> pd.DataFrame:
        """The tidy table: columns ``month, indicator, group, value`` (categorical names)."""
        months, T = self.months, len(self.months)
        frames = [
            (name, gname, values[:, g])
            for name, values in self.by_group.items()
            for g, gname in enumerate(tallies.GROUP_NAMES)
        ]
        frames += [(name, "all", values) for name, values in self.overall.items()]
        table = pd.DataFrame(
            {
                "month": np.concatenate([months for _ in frames]).astype(np.int64),
                "indicator": np.repeat([fr[0] for fr in frames], T),
                "group": np.repeat([fr[1] for fr in frames], T),
                "value": np.concatenate([np.asarray(fr[2], dtype=np.float64) for fr in frames])
                if frames
                else np.zeros(0),
            }
        )
        table["indicator"] = table["indicator"].astype("category")
        table["group"] = table["group"].astype("category")
        return table

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> IndicatorArrays:
        """Arrays of a tidy indicator table (as :meth:`table` or a stored run writes it).

        An indicator recorded for group ``"all"`` only is an overall one; groups missing from
        a by-group indicator are NaN.
        """
        wide = table.pivot_table(
            index="month",
            columns=["indicator", "group"],
            values="value",
            aggfunc="first",
            observed=True,
            dropna=False,
        )
        months = wide.index.to_numpy(dtype=np.int64)
        by_group: dict[str, np.ndarray] = {}
        overall: dict[str, np.ndarray] = {}
        for indicator in wide.columns.get_level_values(0).unique():
            block = wide[indicator]
            groups = [str(g) for g in block.columns]
            if groups == ["all"]:
                overall[str(indicator)] = block["all"].to_numpy(dtype=np.float64)
                continue
            values = np.full((len(months), len(tallies.GROUP_NAMES)), np.nan)
            for g in groups:
                if g in _GROUP_COLUMN:
                    values[:, _GROUP_COLUMN[g]] = block[g].to_numpy(dtype=np.float64)
            by_group[str(indicator)] = values
        return cls(months=months, by_group=by_group, overall=overall)


_GROUP_COLUMN = {name: g for g, name in enumerate(tallies.GROUP_NAMES)}


@dataclass
class ModelResults:
    """Tidy outputs of one run.

    Attributes
    ----------
    indicators : DataFrame
        Columns ``month, indicator, group, value``.
    chains : DataFrame
        Columns ``month, start_level, chains, mean_length``: vacancy chains ended each month.
    interventions : DataFrame
        Columns ``month, intervention, starts, cost``.
    fills : DataFrame
        Columns ``month, level, source, vacancies``: the realised fill matrix month by month
        (how the vacancies decided at each level were filled; see
        :mod:`simulator.chain_stats`).
    """

    indicators: pd.DataFrame
    chains: pd.DataFrame
    interventions: pd.DataFrame
    fills: pd.DataFrame = field(default_factory=pd.DataFrame)

    def realised_fill_matrix(self, first_month: int = 1, counts: bool = False) -> pd.DataFrame:
        """The fill matrix this run realised, as shares or counts per level
        (see :func:`simulator.chain_stats.realised_fill_matrix`)."""
        return chain_stats.realised_fill_matrix(self.fills, first_month, counts)

    def chain_summary(self, first_month: int = 1) -> pd.DataFrame:
        """Chains, mean length, moves and share filled from employment by start level and
        overall; the overall mean length is the vacancy multiplier
        (see :func:`simulator.chain_stats.chain_summary`)."""
        return chain_stats.chain_summary(self.chains, first_month)

    def wide(self, group: str = "all") -> pd.DataFrame:
        """Indicators of one group as a month × indicator table."""
        d = self.indicators[self.indicators["group"] == group]
        return d.pivot(index="month", columns="indicator", values="value")

    def save(
        self, directory: str | Path, formats: tuple[str, ...] = ("parquet", "csv")
    ) -> list[Path]:
        """Write every table, and the run's chain summary (``chain_summary``), in the given
        formats; files are written atomically.

        Returns
        -------
        list of Path
            Files written.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name in ("indicators", "chains", "interventions", "fills"):
            written += write_table(getattr(self, name), directory / name, formats)
        summary = self.chain_summary().reset_index()
        written += write_table(summary, directory / "chain_summary", formats)
        return written


class IndicatorRecorder:
    """Collects the monthly counters of one run."""

    def __init__(self, n_levels: int, intervention_names: list[str]) -> None:
        self.n_levels = n_levels
        self.intervention_names = intervention_names
        self.months: list[int] = []
        self.flows: list[np.ndarray] = []
        self.census: list[np.ndarray] = []
        self.vstats: list[np.ndarray] = []
        self.chains: list[np.ndarray] = []
        self.starts: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.integration: list[float] = []
        self.fills: list[np.ndarray] = []

    def record(
        self,
        month: int,
        flows: np.ndarray,
        census: np.ndarray,
        vstats: np.ndarray,
        chain_count: np.ndarray,
        chain_sum: np.ndarray,
        starts: np.ndarray,
        cost: np.ndarray,
        integration: float,
    ) -> None:
        """Store one month's counters (copies)."""
        self.months.append(month)
        self.flows.append(flows.copy())
        self.census.append(census.copy())
        self.vstats.append(vstats.copy())
        self.chains.append(np.stack([chain_count, chain_sum]).copy())
        self.starts.append(starts.copy())
        self.cost.append(cost.copy())
        self.integration.append(float(integration))

    def record_fills(self, fills: np.ndarray) -> None:
        """Store one month's realised fill counts, shape (n_levels, n_levels + 2) (a copy)."""
        self.fills.append(fills.copy())

    def arrays(self, initial_census: np.ndarray) -> IndicatorArrays:
        """Derive the monthly indicators from the counters.

        Parameters
        ----------
        initial_census : ndarray, shape (N_CENSUS, N_GROUPS)
            Census at month 0 (the denominators of the first month's rates).
        """
        months = np.asarray(self.months)
        T = len(months)
        flows = np.stack(self.flows) if T else np.zeros((0, tallies.N_FLOWS, tallies.N_GROUPS))
        cen = np.stack(self.census) if T else np.zeros((0, tallies.N_CENSUS, tallies.N_GROUPS))
        prev = np.concatenate([initial_census[None], cen[:-1]]) if T else cen
        f = {name: flows[:, i, :] for i, name in enumerate(tallies.FLOW_NAMES)}
        E, U, N = (
            cen[:, tallies.C_EMPLOYED],
            cen[:, tallies.C_UNEMPLOYED],
            cen[:, tallies.C_INACTIVE],
        )
        LF = E + U
        population = LF + N
        per_group: dict[str, np.ndarray] = {
            "population": population,
            "labour_force": LF,
            "employed": E,
            "unemployed": U,
            "inactive": N,
            "long_term_unemployed": cen[:, tallies.C_LONG_TERM],
            # Labour-force-survey rates (Eurostat une_rt, une_ltu, lfsi_emp: unemployed and
            # long-term unemployed per labour force, employed and active per population).
            "employment_rate": _ratio(E, LF),
            "employment_to_population": _ratio(E, population),
            "activity_rate": _ratio(LF, population),
            "unemployment_rate": _ratio(U, LF),
            "long_term_unemployment_rate": _ratio(cen[:, tallies.C_LONG_TERM], LF),
            "long_term_share": _ratio(cen[:, tallies.C_LONG_TERM], U),
            # Everyone unemployed at some point of the month was at risk of being hired.
            "job_finding_rate": _ratio(
                f["hires_from_unemployment"],
                prev[:, tallies.C_UNEMPLOYED] + f["separations"] + f["entrants"] + f["reentries"],
            ),
            "job_loss_rate": _ratio(f["separations"], prev[:, tallies.C_EMPLOYED]),
            # Monthly hazards of the flows with inactivity (last month-end stock at risk).
            "employment_exit_hazard": _ratio(
                f["employment_exits_to_inactivity"], prev[:, tallies.C_EMPLOYED]
            ),
            "unemployment_exit_hazard": _ratio(
                f["exits_to_inactivity"], prev[:, tallies.C_UNEMPLOYED]
            ),
            "return_to_search_hazard": _ratio(f["reentries"], prev[:, tallies.C_INACTIVE]),
            "inactive_hiring_hazard": _ratio(
                f["hires_from_inactivity"], prev[:, tallies.C_INACTIVE]
            ),
            "mean_unemployment_duration": _ratio(cen[:, tallies.C_SUM_UNEMPLOYMENT_DURATION], U),
            "mean_completed_spell": _ratio(
                f["completed_spell_months"], f["hires_from_unemployment"]
            ),
            "mean_self_efficacy": _ratio(cen[:, tallies.C_SUM_SELF_EFFICACY], LF),
            "mean_trust": _ratio(cen[:, tallies.C_SUM_TRUST], LF),
            "mean_skill": _ratio(cen[:, tallies.C_SUM_SKILL], LF),
            "mean_experiences_of_success": _ratio(cen[:, tallies.C_SUM_EXPERIENCES_OF_SUCCESS], LF),
            "participants": cen[:, tallies.C_PARTICIPANTS],
        }
        for name in tallies.FLOW_NAMES:
            if name not in (
                "completed_spell_months",
                "filled_vacancy_months",
                "jobs_destroyed",
                "jobs_created",
                "carved_jobs",
            ):
                per_group[name] = f[name]
        per_group.update(quarterly_transitions(cen))
        hires = f["hires_from_unemployment"]
        for lag, col in ((6, tallies.C_RETAINED_6M), (12, tallies.C_RETAINED_12M)):
            cohort = np.full_like(hires, np.nan)
            if lag < T:
                cohort[lag:] = hires[:-lag]
            per_group[f"retention_{lag}m"] = _ratio(cen[:, col], cohort)

        vs = np.stack(self.vstats) if T else np.zeros((0, N_VSTATS))
        ch = self._chain_counts()
        total_cost = np.array([c.sum() for c in self.cost]) if T else np.zeros(0)
        moves = f["promotions"][:, 0] + f["job_to_job_moves"][:, 0]
        overall = {
            "vacancies": vs[:, V_OPEN],
            "vacancy_rate": _ratio(vs[:, V_OPEN], vs[:, V_ACTIVE]),
            "mean_vacancy_age": _ratio(vs[:, V_OPEN_AGE_SUM], vs[:, V_OPEN]),
            "vacancy_duration_at_fill": _ratio(
                f["filled_vacancy_months"][:, 0], hires[:, 0] + f["hires_from_inactivity"][:, 0]
            ),
            "chains_ended": ch[:, 0].sum(axis=1),
            "chain_length": _ratio(ch[:, 1].sum(axis=1), ch[:, 0].sum(axis=1)),
            # Outside hires come from unemployment and, directly, from inactivity.
            "share_filled_from_employment": _ratio(
                moves, moves + hires[:, 0] + f["hires_from_inactivity"][:, 0]
            ),
            "jobs_created": f["jobs_created"][:, 0],
            "jobs_destroyed": f["jobs_destroyed"][:, 0],
            "carved_jobs": f["carved_jobs"][:, 0],
            "carved_jobs_active": vs[:, V_CARVED],
            "coalition_integration": np.asarray(self.integration),
            "cost": total_cost,
        }

        return IndicatorArrays(months=months.astype(np.int64), by_group=per_group, overall=overall)

    def _chain_counts(self) -> np.ndarray:
        """Chains ended and their summed length by start level: shape (T, 2, n_levels)."""
        return np.stack(self.chains) if self.months else np.zeros((0, 2, self.n_levels))

    def tables(self, initial_census: np.ndarray) -> ModelResults:
        """The tidy tables of everything recorded (see :meth:`arrays` for the arguments)."""
        indicators = self.arrays(initial_census).table()
        months = np.asarray(self.months)
        T = len(months)
        ch = self._chain_counts()
        lv = np.arange(self.n_levels)
        chains = pd.DataFrame(
            {
                "month": np.repeat(months, self.n_levels),
                "start_level": np.tile(lv, T),
                "chains": ch[:, 0, :].ravel() if T else np.zeros(0),
                "mean_length": _ratio(ch[:, 1, :], ch[:, 0, :]).ravel() if T else np.zeros(0),
            }
        )
        names = self.intervention_names
        interventions = pd.DataFrame(
            {
                "month": np.repeat(months, len(names)),
                "intervention": np.tile(np.asarray(names, dtype=object), T),
                "starts": np.concatenate(self.starts) if T and names else np.zeros(0),
                "cost": np.concatenate(self.cost) if T and names else np.zeros(0),
            }
        )
        n = self.n_levels
        fills = np.stack(self.fills) if self.fills else np.zeros((0, n, n + 2))
        return ModelResults(
            indicators=indicators,
            chains=chains,
            interventions=interventions,
            fills=chain_stats.fills_table(months, fills),
        )
