"""Validation of a living lab against the published statistics it carries.

A lab file's ``[[published]]`` figures name a statistic of :mod:`simulator.survey`, its
published value, source, year and definition. :func:`validate_lab` runs the lab's baseline
(every run after the spin-up, so from the lab's own steady state) over replications, takes each
statistic's mean over the evaluation window in each replication, and compares the mean over
replications (with a t interval) with the published value: the ratio model / published and the
verdict "reproduced" when the gap is within the figure's tolerance. :func:`write_validation`
writes the table (Parquet, CSV), a figure and a self-contained HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from experiments.comparison.layout import Section, figure, page, template_module
from experiments.comparison.report import png_bytes
from experiments.runner.executors import SerialExecutor, submit_run
from scenarios.compose import Lab, lab_parameters, load_lab
from scenarios.schema import RunSettings
from simulator.model import LabourMarketModel
from simulator.params import ModelParams
from simulator.survey import STATISTICS, window_mean
from simulator.tables import write_file, write_table

#: Columns of the validation table.
COLUMNS = (
    "lab",
    "statistic",
    "label",
    "published",
    "model",
    "low",
    "high",
    "ratio",
    "tolerance",
    "verdict",
    "year",
    "geography",
    "source",
    "definition",
    "note",
)


def baseline_params(lab: Lab, months: int, persons: int | None = None) -> ModelParams:
    """The lab's baseline parameters for a run of ``months`` (optionally ``persons``)."""
    run = RunSettings(months=months, persons=persons)
    return ModelParams.model_validate(lab_parameters(lab, run))


def replication_statistics(
    params: ModelParams, seed: np.random.SeedSequence, statistics: Sequence[str], first_month: int
) -> dict[str, float]:
    """One baseline replication: each statistic's mean from ``first_month`` to the end."""
    model = LabourMarketModel(params, rng=seed)
    model.advance()
    arrays = model.indicator_arrays()
    return {name: window_mean(arrays, name, first_month) for name in statistics}


def validate_lab(
    lab: str | Path | Lab,
    replications: int = 4,
    months: int = 120,
    seed: int = 0,
    first_month: int = 1,
    persons: int | None = None,
    executor: Executor | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare a lab's baseline with its published figures.

    Parameters
    ----------
    lab
        A shipped lab's name, a lab file, or a loaded lab.
    replications
        Baseline runs, each from its own seed (``SeedSequence(seed, spawn_key=(r,))``).
    months, first_month
        Months simulated after the spin-up, and the first month of the evaluation window.
    persons
        Working-age population (default: the lab's own).
    executor
        Where the replications run (default: in this process).
    confidence
        Level of the t interval of the model's mean.

    Returns
    -------
    DataFrame
        One row per published figure, columns :data:`COLUMNS`.
    """
    if replications < 2:
        raise ValueError(f"replications must be at least 2 for an interval, got {replications}")
    lab = lab if isinstance(lab, Lab) else load_lab(lab)
    figures = lab.file.published
    if not figures:
        raise ValueError(f"{lab.source}: the lab carries no [[published]] figures to validate")
    params = baseline_params(lab, months, persons)
    names = sorted({f.statistic for f in figures})
    executor = executor or SerialExecutor()
    futures = [
        submit_run(
            executor,
            replication_statistics,
            params,
            np.random.SeedSequence(seed, spawn_key=(r,)),
            names,
            first_month,
        )
        for r in range(replications)
    ]
    per_run = pd.DataFrame([f.result() for f in futures])
    rows = []
    for fig in figures:
        values = per_run[fig.statistic].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        mean = float(values.mean()) if len(values) else float("nan")
        half = (
            float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1))
            / np.sqrt(len(values))
            if len(values) > 1
            else float("nan")
        )
        ratio = mean / fig.value if fig.value > 0 else float("nan")
        ok = np.isfinite(ratio) and abs(ratio - 1.0) <= fig.accepted_gap
        rows.append(
            {
                "lab": lab.name,
                "statistic": fig.statistic,
                "label": STATISTICS[fig.statistic].label,
                "published": fig.value,
                "model": mean,
                "low": mean - half,
                "high": mean + half,
                "ratio": ratio,
                "tolerance": fig.accepted_gap,
                "verdict": "reproduced" if ok else "off",
                "year": fig.year,
                "geography": fig.geography,
                "source": fig.source,
                "definition": fig.definition,
                "note": fig.note,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def validation_figure(table: pd.DataFrame) -> plt.Figure:
    """Model / published for every figure, with the model's interval and the tolerance band."""
    labs = list(dict.fromkeys(table["lab"]))
    fig, axes = plt.subplots(
        1,
        len(labs),
        figsize=(4.2 * len(labs) + 1.5, 0.42 * table.groupby("lab").size().max() + 1.4),
        sharey=False,
        squeeze=False,
    )
    for ax, lab in zip(axes[0], labs, strict=True):
        rows = table[table["lab"] == lab].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
            ax.fill_betweenx(
                [yi - 0.35, yi + 0.35], 1 - r["tolerance"], 1 + r["tolerance"], color="#e3eef7"
            )
            colour = "#1b7837" if r["verdict"] == "reproduced" else "#b2182b"
            lo, hi = r["low"] / r["published"], r["high"] / r["published"]
            ax.plot([lo, hi], [yi, yi], color=colour, lw=2)
            ax.plot(r["ratio"], yi, "o", color=colour, ms=6)
        ax.axvline(1.0, color="#444", lw=1)
        ax.set_yticks(y, rows["label"])
        ax.set_xlabel("model / published")
        ax.set_title(lab)
        ax.set_xlim(0, max(2.0, float(np.nanmax(rows["high"] / rows["published"])) + 0.1))
    fig.suptitle("Baseline against published statistics (band: tolerance; line: 95% interval)")
    fig.tight_layout()
    return fig


def validation_html(table: pd.DataFrame, png: bytes) -> str:
    """A self-contained HTML page (the reports' layout): verdict first, then the figure and
    the table with sources."""
    n_off = int((table["verdict"] != "reproduced").sum())
    verdict = (
        f"All {len(table)} published figures reproduced within their tolerances."
        if n_off == 0
        else f"{n_off} of {len(table)} published figures are outside their tolerances."
    )
    rows = [r._asdict() for r in table.itertuples(index=False)]
    body = template_module("comparison.html.j2").validation(verdict, rows)
    css = ".reproduced { color: #1b7837; } .off { color: #b2182b; font-weight: bold; }"
    return page(
        "Validation against published statistics",
        [
            Section("Verdict and sources", body, "validation"),
            Section(
                "Model against published statistics",
                figure(
                    png, "Model against published statistics (band: tolerance; line: 95% interval)"
                ),
                "figure",
            ),
        ],
        css=css,
    )


def write_validation(table: pd.DataFrame, out: str | Path) -> list[Path]:
    """Write the table (Parquet, CSV), the figure (PNG) and the HTML page into ``out``."""
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    png = png_bytes(validation_figure(table))
    written = write_table(table, out / "validation")
    written.append(write_file(out / "figures" / "validation.png", png))
    written.append(write_file(out / "validation.html", validation_html(table, png)))
    return written
