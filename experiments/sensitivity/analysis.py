"""Indices, convergence, replication noise and warnings of a stored sensitivity study."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.errors import DesignError
from experiments.sensitivity.given_data import given_data_table
from experiments.sensitivity.morris import morris_table
from experiments.sensitivity.outcomes import noise_summary, point_values, run_matrix
from experiments.sensitivity.report import write_report
from experiments.sensitivity.sobol import sobol_convergence, sobol_table, sobol_warnings
from simulator.tables import write_table

TABLES = ("indices", "convergence", "morris", "given_data", "noise")
#: Given-data indices need enough points to condition on.
MIN_GIVEN_DATA_POINTS = 40


@dataclass
class SensitivityResult:
    """The analysis of a study.

    Attributes
    ----------
    meta : dict
        The study (``study.json``) plus the runs used.
    indices : DataFrame
        Sobol': ``outcome, factor, S1, S1_conf, ST, ST_conf`` at the full sample size.
    convergence : DataFrame
        Sobol' indices at ``n = 2^k`` base samples (``n`` column added).
    morris : DataFrame
        Morris: ``outcome, factor, mu, mu_star, mu_star_conf, sigma``.
    given_data : DataFrame
        PAWN on the study's own points, per parameter (``outcome, parameter, mechanism,
        index``).
    noise : DataFrame
        Replication noise of each outcome (see
        :func:`experiments.sensitivity.outcomes.noise_summary`).
    warnings : list of str
        Outcomes skipped, negative indices, intervals too wide to rank, noisy outcomes.
    """

    meta: dict[str, Any]
    indices: pd.DataFrame = field(default_factory=pd.DataFrame)
    convergence: pd.DataFrame = field(default_factory=pd.DataFrame)
    morris: pd.DataFrame = field(default_factory=pd.DataFrame)
    given_data: pd.DataFrame = field(default_factory=pd.DataFrame)
    noise: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)

    @property
    def outcomes(self) -> list[str]:
        """Outcomes that were analysed."""
        table = self.indices if not self.indices.empty else self.morris
        return list(dict.fromkeys(table["outcome"])) if not table.empty else []

    def ranking(self, outcome: str) -> list[str]:
        """Factors of an outcome, most influential first (total index, or Morris mu*)."""
        if not self.indices.empty:
            t = self.indices[self.indices["outcome"] == outcome]
            return list(t.sort_values("ST", ascending=False)["factor"])
        t = self.morris[self.morris["outcome"] == outcome]
        return list(t.sort_values("mu_star", ascending=False)["factor"])

    def save(self, directory: str | Path, figures: bool = True) -> list[Path]:
        """Write the tables (Parquet and CSV), the figures and ``report.html``."""

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name in TABLES:
            table = getattr(self, name)
            if table.empty:
                continue
            written += write_table(table, directory / f"sensitivity_{name}")
        written += write_report(self, directory, figures=figures)
        return written


def analyse(study: Any, runs: pd.DataFrame, outcomes: Sequence[str] | None = None) -> Any:
    """Analyse the stored runs of a study.

    Parameters
    ----------
    study
        The :class:`~experiments.sensitivity.study.Study`.
    runs
        One row per stored run (``point, replication`` and outcome columns).
    outcomes
        Outcomes to analyse (default: the study's, else every stored column).

    Raises
    ------
    DesignError
        If runs are missing (the study has not finished).
    """
    design, row_point = study.design()
    n_points = len(design.points)
    expected = n_points * study.replications
    if len(runs) < expected:
        raise DesignError(
            f"{expected - len(runs)} of {expected} runs have no results yet; run the study "
            "again to finish them (it resumes)"
        )
    chosen = list(outcomes or study.outcomes) or [
        c for c in runs.columns if c not in ("run_key", "point", "replication")
    ]
    meta = {**study.to_dict(), "points": n_points, "rows": len(row_point), "runs": len(runs)}
    result = SensitivityResult(meta)
    x_points = np.array([[p[n] for n in study.problem.names] for p in design.points])
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLES if k != "noise"}
    noise_rows = []
    for outcome in chosen:
        values, den = run_matrix(runs, outcome, n_points, study.replications)
        y_points = point_values(values, den)
        noise_rows.append(noise_summary(outcome, values, den))
        if not np.isfinite(y_points).all():
            bad = int((~np.isfinite(y_points)).sum())
            why = "the extra employment is not positive" if den is not None else "missing values"
            result.warnings.append(
                f"{outcome}: skipped, {bad} of {n_points} points have no value ({why})"
            )
            continue
        if np.ptp(y_points) == 0.0:
            result.warnings.append(f"{outcome}: skipped, the same at every point")
            continue
        y = y_points[row_point]
        seed = study.sampler_seed
        args = (study.confidence, study.resamples, seed)
        if study.method == "sobol":
            t = sobol_table(study.problem, y, *args)
            result.warnings += sobol_warnings(t, study.samples, outcome)
            conv = sobol_convergence(study.problem, y, *args)
            for part, table in (("indices", t), ("convergence", conv)):
                table.insert(0, "outcome", outcome)
                parts[part].append(table)
        else:
            t = morris_table(study.problem, study.matrix(), y, study.levels, *args)
            t.insert(0, "outcome", outcome)
            parts["morris"].append(t)
        if n_points >= MIN_GIVEN_DATA_POINTS:
            g = given_data_table(study.problem, x_points, y_points, "pawn", *args)
            g.insert(0, "outcome", outcome)
            parts["given_data"].append(g)
    for name, frames in parts.items():
        if frames:
            setattr(result, name, pd.concat(frames, ignore_index=True))
    result.noise = pd.DataFrame(noise_rows)
    result.warnings += _noise_warnings(result.noise)
    return result


def _noise_warnings(noise: pd.DataFrame) -> list[str]:
    out = []
    for r in noise.itertuples():
        if r.replications < 2:
            out.append(
                f"{r.outcome}: one replication per point, so replication noise is not measured; "
                "indices may partly be noise"
            )
        elif np.isfinite(r.noise_share) and r.noise_share > 0.2:
            out.append(
                f"{r.outcome}: {100 * r.noise_share:.0f}% of the variance across points is "
                "replication noise; indices below that share cannot be told from noise "
                "(add replications)"
            )
    return out
