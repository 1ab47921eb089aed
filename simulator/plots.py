"""Figures of one run: indicators over time, flows, vacancy chains and the Beveridge curve."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from simulator.indicators import ModelResults

GROUP_LABELS = {
    "all": "Everyone",
    "long_term_unemployed": "Long-term unemployed",
    "young": "Young (<30)",
    "women_55plus": "Women 55+",
    "migrant": "Migrants",
    "partial_ability": "Partial work ability",
    "any_target_group": "Any target group",
}


def _style(ax: plt.Axes, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _series(results: ModelResults, indicator: str, group: str = "all"):
    d = results.indicators
    d = d[(d["indicator"] == indicator) & (d["group"] == group)]
    return d["month"].to_numpy(), d["value"].to_numpy()


def _smooth(y: np.ndarray, window: int = 3) -> np.ndarray:
    if len(y) < window:
        return y
    kernel = np.ones(window) / window
    padded = np.concatenate([np.full(window - 1, y[0]), y])
    return np.convolve(padded, kernel, mode="valid")


def indicators_figure(results: ModelResults) -> plt.Figure:
    """Unemployment, long-term share and employment rate of each target group over time."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), constrained_layout=True)
    m, u = _series(results, "unemployment_rate")
    axes[0].plot(m, 100 * u, color="#1f4e79", lw=2)
    _style(axes[0], "Unemployment rate", "% of labour force")
    m, s = _series(results, "long_term_share")
    axes[1].plot(m, 100 * s, color="#a23b72", lw=2)
    _style(axes[1], "Long-term unemployed (12+ months)", "% of unemployed")
    for group, label in GROUP_LABELS.items():
        m, e = _series(results, "employment_rate", group)
        axes[2].plot(m, 100 * e, lw=2 if group == "all" else 1.2, label=label)
    _style(axes[2], "Employment rate by group", "% of group in labour force")
    axes[2].legend(fontsize=8, frameon=False)
    return fig


def flows_figure(results: ModelResults) -> plt.Figure:
    """Monthly flows: hires, separations, promotions, job-to-job moves and engine hires."""
    fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
    for name, label, color in (
        ("hires_from_unemployment", "Hires from unemployment", "#2e86ab"),
        ("separations", "Separations to unemployment", "#c73e1d"),
        ("promotions", "Promotions", "#3b8b3b"),
        ("job_to_job_moves", "Job-to-job moves", "#f18f01"),
        ("engine_hires", "Hires into jobs freed by mobility", "#6a4c93"),
    ):
        m, y = _series(results, name)
        ax.plot(m, _smooth(y), label=label, color=color, lw=1.8)
    _style(ax, "Flows per month (3-month average)", "persons")
    ax.legend(fontsize=8, frameon=False, ncol=2)
    return fig


def chains_figure(results: ModelResults) -> plt.Figure:
    """Mean vacancy-chain length by the level where the chain started."""
    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
    summary = results.chain_summary().drop(index="all")
    levels = summary.index.astype(int)
    bars = ax.bar(levels, summary["mean_length"], color="#1f4e79")
    for bar, n in zip(bars, summary["chains"], strict=True):
        ax.annotate(
            f"{int(n)} chains",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(levels, [f"level {i}" for i in levels])
    _style(
        ax, "Vacancy-chain length by starting level", "jobs filled per vacancy (incl. outside hire)"
    )
    ax.set_xlabel("ladder level where the vacancy arose (0 = entry)")
    return fig


def beveridge_figure(results: ModelResults) -> plt.Figure:
    """Vacancy rate against unemployment rate, month by month."""
    fig, ax = plt.subplots(figsize=(6, 5), constrained_layout=True)
    m, u = _series(results, "unemployment_rate")
    _, v = _series(results, "vacancy_rate")
    sc = ax.scatter(100 * u, 100 * v, c=m, cmap="viridis", s=14)
    ax.plot(100 * _smooth(u, 6), 100 * _smooth(v, 6), color="grey", lw=0.8)
    fig.colorbar(sc, ax=ax, label="month")
    _style(ax, "Beveridge curve", "vacancy rate, %")
    ax.set_xlabel("unemployment rate, %")
    return fig


FIGURES = {
    "indicators": indicators_figure,
    "flows": flows_figure,
    "chains": chains_figure,
    "beveridge": beveridge_figure,
}


def save_figures(
    results: ModelResults, directory: str | Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Draw every figure and save it in each format; returns the files written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        fig = draw(results)
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            fig.savefig(path, dpi=130)
            written.append(path)
            # The first save laid the figure out; the other formats keep that layout rather
            # than measure every text again (a fifth of the drawing time).
            fig.set_layout_engine("none")
        plt.close(fig)
    return written
