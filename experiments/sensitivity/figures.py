"""Figures of a sensitivity study: index bars, Morris μ*–σ, convergence, mechanism heat map."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from experiments.comparison.names import mechanism
from experiments.sensitivity.outcomes import label

#: Figure name -> caption.
CAPTIONS = {
    "sobol_indices": "First-order (S1) and total (ST) Sobol' indices with their intervals",
    "morris": "Morris screening: mean absolute elementary effect μ* against its spread σ",
    "convergence": "Total indices and their intervals as the base sample grows (N = 2^k)",
    "heatmap": "Total index ST of each mechanism (rows) for each outcome (columns), with its "
    "interval",
}
#: Captions of figures drawn differently for a Morris study of mechanisms (groups).
MORRIS_CAPTIONS = {
    "morris_grouped": "Morris screening of mechanisms: μ* of each with its interval (σ is not "
    "defined for groups of parameters)",
    "heatmap": "μ* of each mechanism (rows) for each outcome (columns), as a share of the "
    "outcome's largest μ*",
}


def _grouped_morris(result: Any) -> bool:
    return not result.morris.empty and bool(result.morris["sigma"].isna().all())


def caption(name: str, result: Any) -> str:
    """The caption of a figure of ``result``, saying what its colours and axes show."""
    if name == "morris" and _grouped_morris(result):
        return MORRIS_CAPTIONS["morris_grouped"]
    if name == "heatmap" and result.indices.empty:
        return MORRIS_CAPTIONS["heatmap"]
    return CAPTIONS[name]


def _grid(n: int) -> tuple[plt.Figure, np.ndarray]:
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 0.5 + 3.6 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def index_bars(result: Any) -> plt.Figure:
    """S1 and ST bars with interval whiskers, one panel per outcome."""
    outcomes = result.outcomes
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        t = result.indices[result.indices["outcome"] == outcome].sort_values("ST")
        y = np.arange(len(t))
        ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="ST (total)", color="#1f4e79")
        ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="S1 (first order)", color="#9dc3e6")
        ax.set_yticks(y, [mechanism(f) for f in t["factor"]], fontsize=8)
        ax.axvline(0, color="#444", lw=0.8)
        ax.set_title(label(outcome), fontsize=10)
        ax.set_xlabel("share of output variance")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def morris_plot(result: Any) -> plt.Figure:
    """μ* against σ; for mechanisms (groups, σ undefined) μ* of every factor with its interval."""
    outcomes = list(dict.fromkeys(result.morris["outcome"]))
    fig, axes = _grid(len(outcomes))
    grouped = _grouped_morris(result)
    for ax, outcome in zip(axes, outcomes, strict=False):
        t = result.morris[result.morris["outcome"] == outcome]
        conf = t["mu_star_conf"].to_numpy(float)
        conf = np.where(np.isfinite(conf), conf, 0.0)
        if grouped:
            # Every factor on its own row, so none is hidden by a missing σ.
            t = t.assign(conf=conf).sort_values("mu_star")
            y = np.arange(len(t))
            ax.errorbar(t["mu_star"], y, xerr=t["conf"], fmt="o", color="#1f4e79", capsize=3)
            ax.set_yticks(y, [mechanism(f) for f in t["factor"]], fontsize=8)
            ax.axvline(0, color="#444", lw=0.8)
        else:
            sigma = t["sigma"].to_numpy(float)
            ax.errorbar(t["mu_star"], sigma, xerr=conf, fmt="o", color="#1f4e79")
            for x, s, name in zip(t["mu_star"], sigma, t["factor"], strict=True):
                ax.annotate(
                    str(name).split(".")[-1],
                    (x, s),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
            ax.set_ylabel("σ (interactions, non-linearity)")
        ax.set_xlabel("μ* (overall influence)")
        ax.set_title(label(outcome), fontsize=10)
    fig.tight_layout()
    return fig


def convergence_plot(result: Any) -> plt.Figure:
    """ST ± interval against N (log scale), one line per factor and panel per outcome."""
    outcomes = result.outcomes
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        t = result.convergence[result.convergence["outcome"] == outcome]
        for factor, part in t.groupby("factor", sort=False):
            line = ax.plot(part["n"], part["ST"], marker="o", ms=3, label=str(factor))[0]
            ax.fill_between(
                part["n"],
                part["ST"] - part["ST_conf"],
                part["ST"] + part["ST_conf"],
                color=line.get_color(),
                alpha=0.12,
            )
        ax.set_xscale("log", base=2)
        ax.axhline(0, color="#444", lw=0.8)
        ax.set_xlabel("base sample N")
        ax.set_ylabel("total index ST")
        ax.set_title(label(outcome), fontsize=10)
    axes[0].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def heatmap(result: Any) -> plt.Figure:
    """Mechanism × outcome matrix of total indices (Morris μ* scaled per outcome if no Sobol')."""
    conf = None
    if not result.indices.empty:
        wide = result.indices.pivot(index="factor", columns="outcome", values="ST")
        conf = result.indices.pivot(index="factor", columns="outcome", values="ST_conf")
        what = "total index ST"
    else:
        m = result.morris.copy()
        m["scaled"] = m["mu_star"] / m.groupby("outcome")["mu_star"].transform("max")
        wide = m.pivot(index="factor", columns="outcome", values="scaled")
        what = "μ* / largest μ* of the outcome"
    wide = wide[result.outcomes]
    wide = wide.loc[wide.max(axis=1).sort_values(ascending=False).index]
    if conf is not None:
        conf = conf.loc[wide.index, wide.columns]
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * wide.shape[1], 1.2 + 0.42 * wide.shape[0]))
    im = ax.imshow(wide.to_numpy(float).clip(0, 1), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(
        range(wide.shape[1]), [label(c) for c in wide.columns], rotation=30, ha="right", fontsize=8
    )
    ax.set_yticks(range(wide.shape[0]), [mechanism(f) for f in wide.index], fontsize=8)
    for (i, j), v in np.ndenumerate(wide.to_numpy(float)):
        ax.text(
            j,
            i,
            f"{v:.2f}" if conf is None else f"{v:.2f}\n±{conf.iat[i, j]:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v > 0.5 else "black",
        )
    fig.colorbar(im, ax=ax, label=what)
    fig.tight_layout()
    return fig


def draw_figures(result: Any) -> dict[str, plt.Figure]:
    """Every figure the result supports, by name (see :data:`CAPTIONS`)."""
    figs: dict[str, plt.Figure] = {}
    if not result.indices.empty:
        figs["sobol_indices"] = index_bars(result)
        figs["convergence"] = convergence_plot(result)
    if not result.morris.empty:
        figs["morris"] = morris_plot(result)
    if result.outcomes:
        figs["heatmap"] = heatmap(result)
    return figs
