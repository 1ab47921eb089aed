"""The dashboard's figures, drawn from a :class:`~experiments.comparison.study.Comparison`.

Every figure compares one package with the baseline run on the same random numbers. Bands
are the comparison's confidence intervals of the difference, drawn around the baseline
(baseline + interval), so a band that leaves the baseline line marks a clear effect.

Figures use matplotlib's object API (no pyplot state), so pages of several analysts can draw
at the same time.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.comparison.layout import fmt
from experiments.comparison.study import Comparison
from simulator.plots import GROUP_LABELS

BASELINE_COLOUR = "#8a8f98"
POLICY_COLOUR = "#0b6e99"
GAIN_COLOUR = "#2e7d32"
LOSS_COLOUR = "#c62828"
SIDE_COLOURS = {"inflow": "#0b6e99", "mobility": "#e07a1f", "employers": "#6a4c93"}
#: Mechanism indicators, their titles and the comparison metric of each.
MECHANISMS = {
    "mean_self_efficacy": ("Self-efficacy", "self_efficacy"),
    "mean_trust": ("Trust in services", "trust"),
    "mean_experiences_of_success": ("Experiences of success", "experiences_of_success"),
}


def label(group: str) -> str:
    """Plain-language name of a target group."""
    return GROUP_LABELS.get(group, group.replace("_", " ").capitalize())


def _figure(
    panels: int, height: float = 3.1, width: float = 12.0, per_row: int = 3
) -> tuple[Figure, list]:
    """A figure with ``panels`` axes, at most ``per_row`` to a row (spare axes removed)."""
    ncols = min(panels, per_row)
    nrows = -(-panels // ncols)
    fig = Figure(figsize=(width, height * nrows), dpi=100, layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[panels:]:
        ax.remove()
    return fig, axes[:panels]


def _style(ax, title: str, ylabel: str = "", xlabel: str = "month") -> None:
    ax.set_title(title, loc="left", fontsize=10.5, fontweight="bold", color="#1d2b36")
    ax.set_ylabel(ylabel, fontsize=9, color="#44505c")
    ax.set_xlabel(xlabel, fontsize=9, color="#44505c")
    ax.tick_params(labelsize=8.5, colors="#44505c")
    ax.grid(alpha=0.25)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#b8c0c8")


def series(c: Comparison, package: str, indicator: str, group: str = "all") -> pd.DataFrame:
    """Monthly baseline, policy and effect interval of one indicator, sorted by month."""
    d = c.over_time
    if d.empty:
        return d
    d = d[(d["package"] == package) & (d["indicator"] == indicator) & (d["group"] == group)]
    return d.sort_values("month")


def _against_baseline(ax, d: pd.DataFrame, scale: float = 1.0, name: str = "with package") -> None:
    """Baseline (dashed grey), policy (solid) and the interval band around the baseline."""
    month = d["month"].to_numpy()
    base = d["baseline"].to_numpy(dtype=float) * scale
    ax.plot(month, base, color=BASELINE_COLOUR, ls="--", lw=1.4, label="baseline")
    ax.fill_between(
        month,
        base + d["ci_low"].to_numpy(dtype=float) * scale,
        base + d["ci_high"].to_numpy(dtype=float) * scale,
        color=POLICY_COLOUR,
        alpha=0.18,
        lw=0,
        label="95% interval of the effect",
    )
    ax.plot(
        month, d["policy"].to_numpy(dtype=float) * scale, color=POLICY_COLOUR, lw=1.8, label=name
    )


def _legend(fig: Figure, ax) -> None:
    """One legend for the whole figure, under the panels (clear of the data)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=len(handles),
            frameon=False,
            fontsize=8.5,
        )


def _effect_note(
    ax, c: Comparison, package: str, metric: str, group: str, total: bool = False
) -> None:
    """The effect (window mean, or total over the run) as the panel's right-hand title.

    Green or red when the interval excludes zero, grey otherwise.
    """
    r = c.effects("effect", package=package, metric=metric, group=group)
    if r.empty or not np.isfinite(r.iloc[0]["estimate"]):
        return
    r = r.iloc[0]
    clear = r["ci_low"] > 0 or r["ci_high"] < 0
    colour = (GAIN_COLOUR if r["estimate"] > 0 else LOSS_COLOUR) if clear else "#6b7680"
    unit = str(r["unit"])
    span = f"[{fmt(r['ci_low'], unit, True)}, {fmt(r['ci_high'], unit, True)}]"
    if total:
        text = f"run total {fmt(r['estimate'], unit, True)} {span}"
    else:
        text = f"{fmt(r['estimate'], unit, True)} {unit} {span}"
    # On its own line under the title, so a long group name and the effect never overlap.
    ax.set_title(
        ax.get_title(loc="left"),
        loc="left",
        fontsize=10.5,
        fontweight="bold",
        color="#1d2b36",
        pad=15,
    )
    ax.annotate(
        text,
        (0, 1),
        xycoords="axes fraction",
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=8.5,
        color=colour,
        va="bottom",
    )


def employment_figure(c: Comparison, package: str) -> Figure:
    """Employment rate of each target group: the package against the baseline, with bands."""
    groups = list(c.meta["target_groups"])
    fig, axes = _figure(len(groups), height=2.9)
    for ax, group in zip(axes, groups, strict=True):
        d = series(c, package, "employment_rate", group)
        if not d.empty:
            _against_baseline(ax, d, 100.0)
        _style(ax, label(group), "employed ÷ labour force, %")
        _effect_note(ax, c, package, "employment_rate", group)
    _legend(fig, axes[0])
    return fig


def flows_figure(c: Comparison, package: str) -> Figure:
    """Inflow (hires from unemployment) and mobility (promotions) per month."""
    panels = [
        ("hires_from_unemployment", "all", "Inflow: everyone", "inflow"),
        ("hires_from_unemployment", "any_target_group", "Inflow: target groups", "inflow"),
        ("promotions", "all", "Mobility: promotions", "mobility"),
    ]
    fig, axes = _figure(len(panels))
    for ax, (indicator, group, title, metric) in zip(axes, panels, strict=True):
        d = series(c, package, indicator, group)
        if not d.empty:
            _against_baseline(ax, d)
        _style(ax, title, "per month")
        _effect_note(ax, c, package, metric, group, total=True)
    _legend(fig, axes[0])
    return fig


FILL_ROUTES = (
    ("inflow", "Hires from unemployment"),
    ("engine_hires", "… into jobs freed by mobility"),
    ("mobility", "Promotions"),
    ("job_to_job_moves", "Job-to-job moves"),
)


def chains_figure(c: Comparison, package: str) -> Figure:
    """Vacancy chains: how far a vacancy travels, and how vacancies were filled."""
    fig, axes = _figure(3)
    d = series(c, package, "chain_length")
    if not d.empty:
        _against_baseline(axes[0], d)
    _style(axes[0], "Mean length of vacancy chains ended", "jobs filled per chain")
    _legend(fig, axes[0])
    d = series(c, package, "share_filled_from_employment")
    if not d.empty:
        _against_baseline(axes[1], d, 100.0)
    _style(axes[1], "Vacancies filled from within employment", "% of fills")

    ax = axes[2]
    e = c.effects("effect", package=package, group="all").set_index("metric")
    names = [m for m, _ in FILL_ROUTES if m in e.index]
    y = np.arange(len(names))[::-1]
    base = np.array([e.loc[m, "baseline"] for m in names], dtype=float)
    pol = np.array([e.loc[m, "policy"] for m in names], dtype=float)
    ax.barh(y + 0.19, base, height=0.36, color=BASELINE_COLOUR, label="baseline")
    ax.barh(y - 0.19, pol, height=0.36, color=POLICY_COLOUR, label="with package")
    for yi, m in zip(y, names, strict=True):
        r = e.loc[m]
        clear = r["ci_low"] > 0 or r["ci_high"] < 0
        colour = (GAIN_COLOUR if r["estimate"] > 0 else LOSS_COLOUR) if clear else "#44505c"
        ax.text(
            max(r["policy"], r["baseline"]),
            yi,
            f"  {r['estimate']:+,.0f}",
            va="center",
            fontsize=8.5,
            color=colour,
        )
    ax.set_yticks(y, [dict(FILL_ROUTES)[m] for m in names], fontsize=8.5)
    ax.set_xlim(0, max(1.0, float(np.nanmax([*base, *pol, 1.0]))) * 1.25)
    _style(ax, "Vacancy fills over the run", "", "count over the run")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return fig


def mechanisms_figure(c: Comparison, package: str) -> Figure:
    """Mechanism states of the target groups: the package against the baseline."""
    group = focus_group(c)
    fig, axes = _figure(len(MECHANISMS))
    for ax, (indicator, (title, metric)) in zip(axes, MECHANISMS.items(), strict=True):
        d = series(c, package, indicator, group)
        if not d.empty:
            _against_baseline(ax, d)
        _style(ax, title, f"mean, {label(group).lower()}")
        _effect_note(ax, c, package, metric, group)
    _legend(fig, axes[0])
    return fig


def costs_figure(c: Comparison, package: str, sides: dict[str, str] | None = None) -> Figure:
    """Cost of each intervention over the run, and cost per extra person in work."""
    fig, axes = _figure(2, height=3.2)
    ax = axes[0]
    cost = c.effects("intervention", package=package, metric="cost")
    starts = c.effects("intervention", package=package, metric="starts").set_index("context")
    cost = cost.sort_values("estimate")
    y = np.arange(len(cost))
    colours = [SIDE_COLOURS.get((sides or {}).get(n, ""), POLICY_COLOUR) for n in cost["context"]]
    ax.barh(y, cost["estimate"] / 1000.0, color=colours, height=0.6)
    for yi, (_, r) in zip(y, cost.iterrows(), strict=True):
        n = starts.loc[r["context"], "estimate"] if r["context"] in starts.index else np.nan
        ax.text(
            r["estimate"] / 1000.0,
            yi,
            f"  {n:,.0f} starts" if np.isfinite(n) else "",
            va="center",
            fontsize=8,
            color="#44505c",
        )
    ax.set_yticks(y, [n.replace("_", " ") for n in cost["context"]], fontsize=8.5)
    top = float(cost["estimate"].max() / 1000.0) if len(cost) else 1.0
    ax.set_xlim(0, max(top, 1.0) * 1.35)
    _style(ax, "Cost of each intervention over the run", "", "thousand EUR")

    ax = axes[1]
    rows = []
    for group in ("all", "any_target_group"):
        r = c.effects("cost", package=package, metric="cost_per_extra_person_employed", group=group)
        if not r.empty:
            rows.append((group, r.iloc[0]))
    for yi, (_, r) in enumerate(rows[::-1]):
        undetermined = "not distinguishable" in str(r["label"])
        colour = BASELINE_COLOUR if undetermined else POLICY_COLOUR
        if np.isfinite(r["estimate"]):
            lo = r["estimate"] - r["ci_low"] if np.isfinite(r["ci_low"]) else 0.0
            hi = r["ci_high"] - r["estimate"] if np.isfinite(r["ci_high"]) else 0.0
            ax.errorbar(
                r["estimate"] / 1000.0,
                yi,
                xerr=[[max(lo, 0.0) / 1000.0], [max(hi, 0.0) / 1000.0]],
                fmt="o",
                color=colour,
                capsize=4,
                ms=7,
            )
            note = "  effect unclear" if undetermined else ""
            ax.text(
                r["estimate"] / 1000.0,
                yi + 0.18,
                f"EUR {r['estimate']:,.0f}{note}",
                ha="center",
                fontsize=8.5,
                color=colour,
            )
    ax.set_yticks(range(len(rows)), [label(g) for g, _ in rows[::-1]], fontsize=8.5)
    ax.set_ylim(-0.6, len(rows) - 0.3)
    ax.axvline(0, color="#b8c0c8", lw=0.8)
    _style(ax, "Cost per extra person in work (95% interval)", "", "thousand EUR")
    return fig


FIGURES = {
    "employment": (employment_figure, "Employment of each target group against the baseline"),
    "flows": (flows_figure, "Inflow and mobility over time"),
    "chains": (chains_figure, "Vacancy chains"),
    "mechanisms": (mechanisms_figure, "Mechanism states"),
    "costs": (costs_figure, "Costs and cost per extra job"),
}


#: What each figure shows, under its title (``{group}``: the mechanism panels' group).
CAPTIONS = {
    "employment": "Employment rate of each target group with the package (blue) and in the "
    "baseline (grey, dashed); the band is the 95% interval of the difference. The effect over "
    "the evaluation window is top right (green or red when the interval excludes zero).",
    "flows": "Inflow (hires from unemployment) and mobility (promotions) per month.",
    "chains": "A promotion leaves a vacancy that is filled by another move or from outside: "
    "the chain. Left: mean jobs filled per chain, the last from outside (the vacancy "
    "multiplier); middle: share of vacancies filled from within "
    "employment; right: how vacancies were filled over the whole run.",
    "mechanisms": "Mechanism states (realist evaluation) of the {group}.",
    "costs": "Spending by intervention (blue inflow, orange mobility, purple employers) and "
    "the cost per extra person in work, with its 95% interval.",
}


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white")
    return buf.getvalue()


def data_url(fig: Figure) -> str:
    """The figure as a ``data:`` URL for an ``<img>`` tag."""
    return "data:image/png;base64," + base64.b64encode(png(fig)).decode()


def draw_all(c: Comparison, package: str, sides: dict[str, str] | None = None) -> dict[str, str]:
    """Every figure of :data:`FIGURES` as a ``data:`` URL, by name.

    ``sides`` maps intervention names to their engine side (colours of the cost bars).
    """
    out = {}
    for name, (draw, _) in FIGURES.items():
        fig = draw(c, package, sides) if draw is costs_figure else draw(c, package)
        out[name] = data_url(fig)
    return out


def focus_group(c: Comparison) -> str:
    """The target group the mechanism panels follow: the lab's first, else everyone."""
    groups = [g for g in c.meta["target_groups"] if g not in ("all", "any_target_group")]
    return groups[0] if groups else "all"
