"""Stock–flow consistency of a lab's published figures: the E→U rate the other figures imply.

    python -m calibration.consistency [LAB ...]    # default: every shipped lab

In a stationary market of three states, employed (E), unemployed (U) and inactive (I), with
quarterly transition probabilities p(X→Y) measured on the same persons three months apart, each
stock's inflows balance its outflows. For U and E, as shares of the working-age population::

    E·p(E→U) + I·p(I→U) = U·(p(U→E) + p(U→I)) − d_U          (U balance)
    U·p(U→E) + I·p(I→E) = E·(p(E→U) + p(E→I)) − d_E          (E balance)

(the I balance is their sum with the sign changed, so it adds nothing). ``d_X`` is the quarter's
net change of stock X from the population's own turnover: entrants who are in X at the quarter
end, less the retirees' share that the stayers' rates would have put in X. In a labour-force
survey of ages 15-74 it is negligible (people enter at 15 inactive, in school, and leave at 75
inactive); in the model, whose entrants arrive 70% unemployed and whose retirees leave from
work at the retirement age, it is not, so :func:`main` also reports the model's own gap.

Solving either balance for p(E→U) gives the value the stocks (the unemployment rate and the
employment rate, giving E, U, I) and the other four flows imply. Its uncertainty comes from the
figures' own: each is drawn from a normal distribution with its standard error (the calibration
data's ``se = tolerance × value / 1.96``, :mod:`calibration.labs`) and the implied value's
2.5th-97.5th percentiles are its 95% band. The gap is ``z = (published − implied) /
sqrt(se_published² + sd_implied²)``. A model that met every other figure's central value
exactly would miss the published E→U by at least |z| standard errors; the least sum of squared
standardised misses that any model obeying the balance can reach is about z². So |z| ≤ 2: the
figures are consistent (one model can meet them all within two standard errors); |z| > 2: they
do not describe one stationary market at the 95% level (a fit may still share the gap so that
no single figure is missed by two).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from simulator.demography import yearly_retirement_share
from simulator.params import ModelParams

#: The figures the balances use: the two stock rates and the six quarterly flows.
STOCKS = ("unemployment_rate", "employment_to_population")
FLOWS = tuple(f"quarterly_{a}_to_{b}" for a in "eui" for b in "eui" if a != b)
NEEDED = STOCKS + FLOWS
#: The two independent balances, by the stock they balance.
BALANCES = ("u", "e")
#: |z| above which the published figure and the implied one disagree.
Z_LIMIT = 2.0

Balance = Literal["u", "e"]
Figures = Mapping[str, float | np.ndarray]


def stock_shares(
    unemployment_rate: float | np.ndarray, employment_to_population: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares of the working-age population employed, unemployed and inactive.

    Parameters
    ----------
    unemployment_rate : float or ndarray
        Unemployed / (employed + unemployed).
    employment_to_population : float or ndarray
        Employed / working-age population.

    Returns
    -------
    tuple of ndarray
        ``(E, U, I)``, each broadcast to the inputs' shape; they add up to 1.
    """
    u_rate = np.asarray(unemployment_rate, dtype=float)
    e = np.asarray(employment_to_population, dtype=float)
    # U / E = u / (1 - u) by the definition of the unemployment rate.
    u = e * u_rate / (1.0 - u_rate)
    return e, u, 1.0 - e - u


def implied_e_to_u(figures: Figures, balance: Balance = "u", turnover: float = 0.0) -> np.ndarray:
    """The quarterly E→U probability that a stationary market with these figures must have.

    Parameters
    ----------
    figures : mapping of str to float or ndarray
        ``unemployment_rate``, ``employment_to_population`` and the quarterly flows the balance
        uses (``quarterly_u_to_e``, ``quarterly_u_to_i``, ``quarterly_i_to_u`` for the U
        balance; ``quarterly_u_to_e``, ``quarterly_i_to_e``, ``quarterly_e_to_i`` for the E
        balance); arrays of one shape give one implied value per element (Monte Carlo draws).
    balance : {"u", "e"}
        The stock whose balance is solved for p(E→U).
    turnover : float
        ``d_X`` of the balance: the quarter's net change of the balanced stock from entrants
        and retirements, as a share of the working-age population (0: a closed population, as
        a labour-force survey of ages 15-74 nearly is).

    Returns
    -------
    ndarray of float64
        The implied p(E→U), shaped like the inputs (0-d for scalars). It can fall outside
        [0, 1] when the figures contradict each other.

    Raises
    ------
    KeyError
        If a figure the balance needs is missing (the message names it).
    ValueError
        If ``balance`` is not "u" or "e".
    """
    if balance not in BALANCES:
        raise ValueError(f"balance must be one of {', '.join(BALANCES)} (given: {balance!r})")
    used = {"u": ("u_to_e", "u_to_i", "i_to_u"), "e": ("u_to_e", "i_to_e", "e_to_i")}[balance]
    missing = [n for n in STOCKS + tuple(f"quarterly_{x}" for x in used) if n not in figures]
    if missing:
        raise KeyError(f"the {balance.upper()} balance needs {', '.join(missing)}")
    e, u, i = stock_shares(figures["unemployment_rate"], figures["employment_to_population"])
    flow = {x: np.asarray(figures[f"quarterly_{x}"], dtype=float) for x in used}
    if balance == "u":
        return (u * (flow["u_to_e"] + flow["u_to_i"]) - i * flow["i_to_u"] - turnover) / e
    return (u * flow["u_to_e"] + i * flow["i_to_e"] + turnover) / e - flow["e_to_i"]


@dataclass(frozen=True)
class Check:
    """The published E→U beside the value one balance implies.

    Attributes
    ----------
    balance
        The stock balanced ("u" or "e").
    published, published_se
        The published quarterly E→U and its standard error.
    implied
        The value the other figures' central values imply.
    implied_sd, implied_low, implied_high
        Standard deviation and 95% band of the implied value over the figures' uncertainty.
    z
        ``(published − implied) / sqrt(published_se² + implied_sd²)``.
    """

    balance: str
    published: float
    published_se: float
    implied: float
    implied_sd: float
    implied_low: float
    implied_high: float
    z: float

    @property
    def consistent(self) -> bool:
        """Whether the published figure lies within :data:`Z_LIMIT` of the implied one."""
        return bool(abs(self.z) <= Z_LIMIT)


def draw_figures(
    values: Mapping[str, float],
    ses: Mapping[str, float],
    draws: int = 20_000,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Monte Carlo draws of each figure from a normal with its standard error.

    Parameters
    ----------
    values, ses : mapping of str to float
        Each figure's value and standard error (same keys).
    draws : int
        Draws per figure.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same draws.

    Returns
    -------
    dict of str to ndarray, shape (draws,)
        Draws clipped to the open interval (0, 1), where every rate and probability lies.
    """
    rng = np.random.default_rng(seed)
    # Sorted names, so the draws do not depend on the mapping's order.
    return {
        name: np.clip(rng.normal(values[name], ses[name], draws), 1e-9, 1.0 - 1e-9)
        for name in sorted(values)
    }


def check_e_to_u(
    values: Mapping[str, float],
    ses: Mapping[str, float],
    balance: Balance = "u",
    draws: int = 20_000,
    seed: int = 0,
) -> Check:
    """Compare a published E→U with the value the other figures imply through one balance.

    Parameters
    ----------
    values, ses : mapping of str to float
        Value and standard error of every figure in :data:`NEEDED`.
    balance : {"u", "e"}
        The stock balanced.
    draws, seed
        Monte Carlo draws over the figures' standard errors, and their seed.

    Returns
    -------
    Check

    Raises
    ------
    KeyError
        If a figure in :data:`NEEDED` is missing from ``values`` or ``ses``.
    """
    missing = [n for n in NEEDED if n not in values or n not in ses]
    if missing:
        raise KeyError(f"the consistency check needs {', '.join(missing)}")
    sample = implied_e_to_u(draw_figures(values, ses, draws, seed), balance)
    implied = float(implied_e_to_u(values, balance))
    published, se = float(values["quarterly_e_to_u"]), float(ses["quarterly_e_to_u"])
    sd = float(sample.std(ddof=1))
    low, high = np.percentile(sample, [2.5, 97.5])
    return Check(
        balance=balance,
        published=published,
        published_se=se,
        implied=implied,
        implied_sd=sd,
        implied_low=float(low),
        implied_high=float(high),
        z=(published - implied) / float(np.hypot(se, sd)),
    )


def model_gap(simulated: Mapping[str, float], balance: Balance = "u") -> float:
    """A run's own E→U less the value its other simulated figures imply with no turnover.

    The model's population turns over (entrants, retirements), so its balances carry a ``d_X``
    the survey's barely do; this gap, in E→U units, is that turnover as the model realises it
    (``−d_U / E`` for the U balance, ``d_E / E`` for the E balance): how far the model's E→U
    sits from the closed-population value at the same stocks and flows.
    """
    return float(simulated["quarterly_e_to_u"] - implied_e_to_u(simulated, balance))


def quarterly_retirement_share(params: ModelParams) -> float:
    """The model's retirements per quarter as a share of its working-age population.

    The population is drawn from its demography's steady state and stays in it, so a constant
    ``1 / (R − E[x])`` of it retires each year (``E[x]``: the mean entry age; see
    :func:`simulator.demography.yearly_retirement_share`); as many enter.
    """
    return yearly_retirement_share(params) / 4.0


# ---------------------------------------------------------------- tables
def figure_table(
    public: pd.DataFrame,
    moments: pd.DataFrame | None = None,
    draws: int = 20_000,
    seed: int = 0,
) -> pd.DataFrame | None:
    """The check of both balances on public statistics, beside a fit's E→U when given.

    Parameters
    ----------
    public : DataFrame
        Public statistics as :func:`calibration.formats.load_public` reads them (``statistic,
        group, value, se``); the whole area's figures (group ``all``) are used.
    moments : DataFrame, optional
        A fit's moments table (``source, indicator, group, simulated, std_residual``, as
        ``moments.csv``): adds the fitted E→U, its standardised residual and the model's
        turnover gap (:func:`model_gap` on the simulated figures).
    draws, seed
        Monte Carlo draws and their seed.

    Returns
    -------
    DataFrame or None
        One row per balance: ``balance, published, published_se, implied, implied_low,
        implied_high, z, consistent`` and, with ``moments``, ``fitted, fitted_std_residual,
        model_gap``. None when the statistics lack a figure of :data:`NEEDED` or give one twice
        for the whole area (no single value to check).
    """
    whole = public[public["group"] == "all"]
    counts = whole["statistic"].value_counts()
    if any(counts.get(name, 0) != 1 for name in NEEDED):
        return None
    whole = whole.set_index("statistic")
    values, ses = whole["value"].to_dict(), whole["se"].to_dict()
    fit = None
    if moments is not None:
        rows = moments[(moments["source"] == "public") & (moments["group"] == "all")]
        fit = rows.drop_duplicates("indicator").set_index("indicator")
        if any(name not in fit.index for name in NEEDED):
            fit = None
    out = []
    for balance in BALANCES:
        check = check_e_to_u(values, ses, balance, draws, seed)
        row = {**vars(check), "consistent": check.consistent}
        if fit is not None:
            row["fitted"] = float(fit.loc["quarterly_e_to_u", "simulated"])
            row["fitted_std_residual"] = float(fit.loc["quarterly_e_to_u", "std_residual"])
            row["model_gap"] = model_gap(fit["simulated"].to_dict(), balance)
        out.append(row)
    return pd.DataFrame(out).drop(columns="implied_sd")


def lab_table(names: Sequence[str], draws: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """The consistency table of shipped labs, one row per lab and balance.

    Reads each lab's published figures and standard errors as the calibration data carries them
    (:func:`calibration.labs.public_table`), its demography from its parameters, and the model's
    fitted figures from ``calibration/data/labs/<lab>/fit/moments.csv`` when that file exists.

    Returns
    -------
    DataFrame
        :func:`figure_table`'s columns after ``lab``, and ``retirements_per_quarter``
        (:func:`quarterly_retirement_share` of the lab's parameters).

    Raises
    ------
    SystemExit
        If a lab lacks a figure the check needs (the message names the lab file and figures).
    """
    from calibration.labs import DATA, MONTHS, public_table
    from experiments.comparison.validation import baseline_params
    from scenarios.compose import load_lab

    frames = []
    for name in names:
        lab = load_lab(name)
        public = public_table(lab)
        moments = DATA / lab.name / "fit" / "moments.csv"
        table = figure_table(
            public, pd.read_csv(moments) if moments.exists() else None, draws, seed
        )
        if table is None:
            missing = sorted(set(NEEDED) - set(public["statistic"]))
            raise SystemExit(
                f"{lab.source}: [[published]] needs exactly one figure each of "
                f"{', '.join(NEEDED)}; missing: {', '.join(missing) or 'none (one is repeated)'}"
            )
        table.insert(0, "lab", lab.name)
        table["retirements_per_quarter"] = quarterly_retirement_share(baseline_params(lab, MONTHS))
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: published, implied (95% band) and fitted quarterly E→U."""
    lines = [
        "| lab | balance | published E→U ± SE | implied by the other figures (95% band) | z "
        "| fitted (residual / SE) | model's turnover gap | retirements / quarter |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        fit = getattr(r, "fitted", float("nan"))
        fitted = f"{fit:.4f} ({r.fitted_std_residual:+.2f})" if pd.notna(fit) else "no fit"
        gap = f"{r.model_gap:+.4f}" if pd.notna(fit) else ""
        flag = "" if r.consistent else " **inconsistent**"
        lines.append(
            f"| {r.lab} | {r.balance.upper()} | {r.published:.4f} ± {r.published_se:.4f} "
            f"| {r.implied:.4f} ({r.implied_low:.4f} to {r.implied_high:.4f}) "
            f"| {r.z:+.2f}{flag} | {fitted} | {gap} | {r.retirements_per_quarter:.4f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from scenarios.files import LAB_DIR, shipped

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="lab names (default: every shipped lab)")
    parser.add_argument("--draws", type=int, default=20_000, help="Monte Carlo draws")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws")
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    table = lab_table(args.labs or shipped(LAB_DIR), args.draws, args.seed)
    print(markdown(table))
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
