"""Figures and a self-contained HTML report of a comparison, for readers without the code.

Everything is drawn from the saved tables of a :class:`~experiments.comparison.study.Comparison`;
figures are embedded as base64 PNG, so the report is one file that opens in any browser. The
page opens with the verdict (:mod:`experiments.comparison.verdict`); the rest is the list of
:class:`~experiments.comparison.layout.Section` that :func:`report_sections` returns, rendered
by the shared layout, so a further analysis adds its section to that list.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from markupsafe import Markup

from experiments.comparison.layout import (
    Section,
    figure,
    fmt,
    interval,
    page,
    table,
    template_module,
)
from experiments.comparison.names import mechanism, plain
from experiments.comparison.report_dynamics import (
    dynamics_section,
    event_study_figure,
    labour_force_section,
    notes_section,
)
from experiments.comparison.study import Comparison
from experiments.comparison.verdict import package_titles, verdict_html
from simulator.snapshot import SIZE_CLASSES
from simulator.survey import STATISTICS
from simulator.tables import write_file

#: Figures are drawn at the width they are shown (the report's column at 110 dpi), so their
#: text is as large on screen as the numbers here say.
WIDTH = 10.5
FONT = 10


def _style(ax, title: str, ylabel: str, wrap: int = 48) -> None:
    # Long plain names wrap rather than run past the panel.
    ax.set_title(textwrap.fill(title, wrap), loc="left", fontsize=FONT + 1, fontweight="bold")
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _grid(n: int, height: float = 3.2, cols: int = 3) -> tuple[plt.Figure, list]:
    cols = min(n, cols)
    rows = -(-n // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(WIDTH, height * rows), squeeze=False, constrained_layout=True
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _packages(c: Comparison, frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["package"])) if len(frame) else []


def _distinguishable(r: pd.Series) -> bool:
    return bool(r["ci_low"] > 0 or r["ci_high"] < 0)


def effect_over_time_figure(c: Comparison) -> plt.Figure:
    """Monthly effect on people in work, one panel per target group, with confidence bands."""
    groups = c.meta["target_groups"]
    d = c.over_time[c.over_time["indicator"] == "employed"]
    packages = _packages(c, d)
    titles = package_titles(c)
    fig, axes = _grid(len(groups))
    for ax, group in zip(axes, groups, strict=True):
        for i, package in enumerate(packages):
            g = d[(d["package"] == package) & (d["group"] == group)].sort_values("month")
            ax.plot(g["month"], g["estimate"], color=f"C{i}", lw=1.6, label=titles.get(package))
            ax.fill_between(g["month"], g["ci_low"], g["ci_high"], color=f"C{i}", alpha=0.18)
        ax.axhline(0, color="black", lw=0.8)
        _style(ax, plain(group), "extra people in work")
        ax.set_xlabel("month", fontsize=FONT)
    if len(packages) > 1:
        fig.legend(
            *axes[0].get_legend_handles_labels(),
            loc="outside lower center",
            ncol=min(len(packages), 3),
            fontsize=FONT - 1,
            frameon=False,
        )
    return fig


#: Metrics of the forest plot: people in work, the employment rate by its definition, flows.
FOREST_METRICS = ("employed", "employment_to_population", "inflow", "self_efficacy")


def forest_figure(c: Comparison) -> plt.Figure:
    """Effects on headline metrics by target group, with confidence intervals."""
    groups = c.meta["target_groups"]
    d = c.effects("effect")
    packages = _packages(c, d)
    titles = package_titles(c)
    rows = len(groups) * len(packages)
    fig, axes = plt.subplots(
        2,
        2,
        figsize=(WIDTH, 1.4 + 0.62 * rows),
        squeeze=False,
        constrained_layout=True,
        sharey=True,
    )
    for ax, metric in zip(axes.flat, FOREST_METRICS, strict=True):
        y = 0.0
        ticks, labels = [], []
        for group in groups:
            for p_i, package in enumerate(packages):
                row = d[(d["metric"] == metric) & (d["group"] == group) & (d["package"] == package)]
                if row.empty:
                    continue
                r = row.iloc[0]
                ax.errorbar(
                    r["estimate"],
                    y,
                    xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                    fmt="o",
                    mfc=f"C{p_i}" if _distinguishable(r) else "white",
                    color=f"C{p_i}",
                    capsize=3,
                    label=titles.get(package) if group == groups[0] else None,
                )
                ticks.append(y)
                labels.append(plain(group) if p_i == 0 else "")
                y -= 1
            y -= 0.5
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(ticks, labels)
        unit = d[d["metric"] == metric]["unit"].iloc[0] if (d["metric"] == metric).any() else ""
        _style(ax, plain(metric), "")
        ax.set_xlabel(f"effect ({plain_unit(unit)})", fontsize=FONT)
    if len(packages) > 1:
        fig.legend(
            *axes[0][0].get_legend_handles_labels(),
            loc="outside lower center",
            ncol=min(len(packages), 3),
            fontsize=FONT - 1,
            frameon=False,
        )
    return fig


def displacement_figure(c: Comparison) -> plt.Figure:
    """Extra people in work among would-be participants and everyone else."""
    d = c.effects("participation", metric="extra_employed", group="all")
    packages = _packages(c, d)
    titles = package_titles(c)
    fig, ax = plt.subplots(figsize=(WIDTH, 1.2 + 0.9 * len(packages)), constrained_layout=True)
    for i, package in enumerate(packages):
        for j, (context, color) in enumerate(
            (
                ("participants", "#2e86ab"),
                ("participants_one_world", "#999999"),
                ("non_participants", "#c73e1d"),
            )
        ):
            r = d[(d["package"] == package) & (d["context"] == context)]
            if r.empty:
                continue
            r = r.iloc[0]
            y = i + 0.27 * j
            ax.barh(
                y, r["estimate"], height=0.3, color=color, label=plain(context) if i == 0 else None
            )
            ax.errorbar(
                r["estimate"],
                y,
                xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                fmt="none",
                color="black",
                capsize=3,
            )
    ax.set_yticks([i + 0.17 for i in range(len(packages))], [titles.get(p, p) for p in packages])
    ax.axvline(0, color="black", lw=0.8)
    _style(ax, "Who gains: participants and everyone else", "")
    ax.set_xlabel("extra people in work (mean over the evaluation window)", fontsize=FONT)
    ax.legend(fontsize=FONT - 1, frameon=False, loc="best")
    return fig


def context_figure(c: Comparison) -> plt.Figure:
    """Effect on people in work by target group × employer size, with intervals.

    A cell is coloured only when its interval excludes zero; the others are grey, so colour
    never shows an effect that could be chance.
    """
    d = c.effects("context", context_type="employer_size")
    packages = _packages(c, d)
    titles = package_titles(c)
    # Groups without any estimate (e.g. a union of groups not tracked by context) are left out.
    groups = [g for g in c.meta["target_groups"] if (d["group"] == g).any()]
    order = [name for name, _ in SIZE_CLASSES]
    sizes = sorted(dict.fromkeys(d["context"]), key=lambda s: order.index(s) if s in order else 99)
    fig, axes = plt.subplots(
        len(packages),
        1,
        figsize=(WIDTH, (1.3 + 0.75 * len(groups)) * max(len(packages), 1)),
        squeeze=False,
        constrained_layout=True,
    )
    for ax, package in zip(axes[:, 0], packages, strict=True):
        est = np.full((len(groups), len(sizes)), np.nan)
        text = np.full((len(groups), len(sizes)), "–", dtype=object)
        for i, g in enumerate(groups):
            for j, s in enumerate(sizes):
                r = d[(d["package"] == package) & (d["group"] == g) & (d["context"] == s)]
                if r.empty:
                    continue
                r = r.iloc[0]
                text[i, j] = (
                    f"{fmt(r['estimate'], 'persons', True)}\n"
                    f"({interval(r['ci_low'], r['ci_high'], 'persons', True)})"
                )
                if _distinguishable(r):
                    est[i, j] = r["estimate"]
        lim = np.nanmax(np.abs(est)) if np.isfinite(est).any() else 1.0
        cmap = plt.get_cmap("RdBu").copy()
        cmap.set_bad("#eeeeee")
        im = ax.imshow(np.ma.masked_invalid(est), cmap=cmap, vmin=-lim, vmax=lim, aspect="auto")
        for (i, j), t in np.ndenumerate(text):
            dark = np.isfinite(est[i, j]) and abs(est[i, j]) > 0.6 * lim
            color = "white" if dark else "black"
            ax.text(j, i, t, ha="center", va="center", fontsize=FONT - 1, color=color)
        ax.set_xticks(range(len(sizes)), sizes, fontsize=FONT - 1)
        ax.set_yticks(range(len(groups)), [plain(g) for g in groups], fontsize=FONT - 1)
        _style(ax, titles.get(package, package), "", wrap=90)
        ax.grid(False)
        fig.colorbar(im, ax=ax, label="extra people in work")
    return fig


def ablation_figure(c: Comparison) -> plt.Figure | None:
    """People in work lost when one mechanism is switched off, with confidence intervals."""
    d = c.effects("ablation_lost", metric="employed")
    if d.empty:
        return None
    groups = c.meta["target_groups"]
    packages = _packages(c, d)
    titles = package_titles(c)
    mechs = list(dict.fromkeys(d["ablation"]))
    fig, axes = plt.subplots(
        len(packages),
        1,
        figsize=(WIDTH, 3.8 * len(packages)),
        squeeze=False,
        constrained_layout=True,
    )
    width = 0.8 / len(groups)
    for ax, package in zip(axes[:, 0], packages, strict=True):
        for gi, group in enumerate(groups):
            r = d[(d["package"] == package) & (d["group"] == group)].set_index("ablation")
            x = np.arange(len(mechs)) + gi * width
            get = lambda col, r=r: np.array(  # noqa: E731
                [r.loc[m, col] if m in r.index else np.nan for m in mechs], dtype=float
            )
            est = get("estimate")
            ax.bar(x, est, width=width, color=f"C{gi}", label=plain(group))
            ax.errorbar(
                x,
                est,
                yerr=[est - get("ci_low"), get("ci_high") - est],
                fmt="none",
                color="black",
                capsize=2,
                lw=0.9,
            )
        ax.set_xticks(np.arange(len(mechs)) + 0.4 - width / 2, [mechanism(m) for m in mechs])
        ax.axhline(0, color="black", lw=0.8)
        _style(
            ax,
            f"{titles.get(package, package)}: effect lost without each mechanism",
            "people in work",
        )
        ax.legend(fontsize=FONT - 1, frameon=False, ncol=min(len(groups), 3), loc="best")
    return fig


MECHANISM_INDICATORS = ("mean_self_efficacy", "mean_trust", "mean_experiences_of_success")


def mechanisms_figure(c: Comparison) -> plt.Figure:
    """Effect on the mechanism states of the target groups over time, with confidence bands."""
    groups = [g for g in c.meta["target_groups"] if g != "all"][:3] or ["all"]
    packages = list(dict.fromkeys(c.over_time["package"]))
    titles = package_titles(c)
    fig, axes = plt.subplots(
        len(packages),
        3,
        figsize=(WIDTH, 0.6 + 3.0 * len(packages)),
        squeeze=False,
        constrained_layout=True,
    )
    for row, package in zip(axes, packages, strict=True):
        for ax, ind in zip(row, MECHANISM_INDICATORS, strict=True):
            for gi, g in enumerate(groups):
                d = c.over_time[
                    (c.over_time["package"] == package)
                    & (c.over_time["indicator"] == ind)
                    & (c.over_time["group"] == g)
                ].sort_values("month")
                ax.plot(d["month"], d["estimate"], color=f"C{gi}", lw=1.5, label=plain(g))
                ax.fill_between(d["month"], d["ci_low"], d["ci_high"], color=f"C{gi}", alpha=0.15)
            ax.axhline(0, color="black", lw=0.8)
            title = plain(ind) if len(packages) == 1 else f"{plain(ind)}\n{titles.get(package)}"
            _style(ax, title, "effect (package − baseline)" if ax is row[0] else "")
            ax.set_xlabel("month", fontsize=FONT)
    fig.legend(
        *axes[0][0].get_legend_handles_labels(),
        loc="outside lower center",
        ncol=len(groups),
        fontsize=FONT - 1,
        frameon=False,
    )
    return fig


FIGURES = {
    "effect_over_time": (effect_over_time_figure, "Extra people in work over time, by group"),
    "effects": (forest_figure, "Effects by target group (hollow: interval includes zero)"),
    "event_study": (event_study_figure, "Participants by months since their programme start"),
    "displacement": (displacement_figure, "Participants, non-participants and displacement"),
    "context": (
        context_figure,
        "For whom and where: extra people in work by employer size, with 95% intervals "
        "(grey: the interval includes zero)",
    ),
    "ablation": (ablation_figure, "Mechanism ablation: effect lost, with intervals"),
    "mechanisms": (mechanisms_figure, "Effect on the mechanism states over time"),
}


def draw_figures(c: Comparison) -> dict[str, plt.Figure]:
    """Every figure that has data, by name."""
    out = {}
    for name, (draw, _) in FIGURES.items():
        fig = draw(c)
        if fig is not None:
            out[name] = fig
    return out


def png_bytes(fig: plt.Figure) -> bytes:
    """A figure as PNG bytes (closed afterwards), as the reports embed it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _macro(name: str) -> Any:
    """A section macro of ``templates/comparison.html.j2``."""
    return getattr(template_module("comparison.html.j2"), name)


def _effect_text(r: pd.Series) -> str:
    sig = r["ci_low"] > 0 or r["ci_high"] < 0
    unit = str(r["unit"])
    return (
        f"{fmt(r['estimate'], unit, True)} {plain_unit(unit)} (CI "
        f"{interval(r['ci_low'], r['ci_high'], unit, True)})"
        + ("" if sig else ", not distinguishable from zero")
    )


def plain_unit(unit: str) -> str:
    """A unit as running text says it."""
    return {"pp": "percentage points", "persons": "people"}.get(unit, unit)


#: Columns of the effect tables, by raw key, with the plain name of each key's values.
NAMED = {"group": plain, "metric": plain, "context": plain, "ablation": mechanism}


def contrast_section(c: Comparison) -> Section | None:
    """Packages against each other and interaction terms, in plain words (several packages)."""
    con = c.effects("contrast")
    if con.empty:
        return None
    titles = package_titles(c)
    size = {
        p["package"]["name"]: len(p["resolved_interventions"])
        for p in c.meta["scenario"]["packages"]
    }
    packages = list(dict.fromkeys(con["package"]))
    groups = c.meta["target_groups"]
    # One order per pair: the package with more interventions minus the one with fewer.
    pairs = [
        (a, b) if size.get(a, 0) > size.get(b, 0) else (b, a)
        for i, a in enumerate(packages)
        for b in packages[i + 1 :]
    ]
    items = []
    for a, b in pairs:
        r = con[(con["package"] == a) & (con["context"] == b) & (con["metric"] == "employed")]
        r = r[r["group"] == "all"]
        if not r.empty:
            items.append(
                Markup("<b>{}</b> against <b>{}</b>, people in work: {}").format(
                    titles.get(a, a), titles.get(b, b), _effect_text(r.iloc[0])
                )
            )
    inter = c.effects("interaction", metric="employed")
    items += _interaction_items(inter, titles)
    # People in work for every target group; flows and cost for everyone.
    keep = con[
        con.apply(lambda r: (r["package"], r["context"]) in pairs, axis=1)
        & (
            ((con["metric"] == "employed") & con["group"].isin(groups))
            | (con["metric"].isin(["inflow", "mobility", "cost"]) & (con["group"] == "all"))
        )
    ]
    frame = pd.concat([keep, inter[inter["group"].isin(groups)]])
    body = _macro("contrasts")(
        items,
        Markup(
            table(
                frame,
                {
                    "package": "Package",
                    "context": "Compared with",
                    "metric": "Outcome",
                    "group": "Group",
                    "unit": "Unit",
                    "estimate": "Difference",
                    "ci_low": "CI low",
                    "ci_high": "CI high",
                },
                names={**NAMED, "package": titles.get, "context": lambda k: _parts(k, titles)},
            )
        ),
    )
    return Section("Packages compared with each other", body, "contrasts")


def _parts(key: str, titles: dict[str, str]) -> str:
    return " + ".join(titles.get(k, k) for k in str(key).split(" + "))


def _interaction_items(inter: pd.DataFrame, titles: dict[str, str]) -> list[Markup]:
    """The interaction terms in words: more, less or as much as the parts together."""
    items = []
    for _, r in inter[inter["group"].isin(["all", "any_target_group"])].iterrows():
        if r["ci_low"] > 0:
            verdict = "more than its parts together: they reinforce each other"
        elif r["ci_high"] < 0:
            verdict = "less than its parts together: they overlap or compete"
        else:
            verdict = "about as much as its parts together (the difference could be chance)"
        items.append(
            Markup(
                "<b>{}</b> does {} — {}, its effect on people in work minus those of {}: {}"
            ).format(
                titles.get(r["package"], r["package"]),
                verdict,
                plain(r["group"]).lower(),
                _parts(r["context"], titles).replace(" + ", " and "),
                _effect_text(r),
            )
        )
    return items


def _adaptation_section(c: Comparison) -> Section | None:
    """Capacity changes the adaptation rule made (engine step 5), when a rule was in force."""
    ruled = [
        p["package"]["name"]
        for p in c.meta["scenario"]["packages"]
        if p.get("adaptation") and p["adaptation"].get("enabled", True)
    ]
    log = c.adaptation
    if not ruled and (log is None or log.empty):
        return None
    if log is None or log.empty:
        return Section("Adaptation", _macro("adaptation_none")(", ".join(ruled)), "adaptation")
    runs = c.meta["scenario"]["run"]["replications"]
    rows, notes = [], []
    for package, d in log.groupby("package", sort=False):
        first = d[d["replication"] == d["replication"].min()].sort_values("month")
        for _, r in first.head(20).iterrows():
            m = int(r["month"])
            reason = r.get("reason")
            if not isinstance(reason, str) or not reason:
                # Saved before reasons were logged: show the indicators read instead.
                reason = f"uptake {r['uptake']:.0%}, past participants in work " + (
                    "–"
                    if pd.isna(r["participants_in_work"])
                    else f"{r['participants_in_work']:.0%}"
                )
            rows.append(
                {
                    "package": package,
                    "quarter": f"year {(m - 1) // 12 + 1}, Q{(m - 1) % 12 // 3 + 1} (month {m})",
                    "intervention": r["intervention"],
                    "capacity": f"{int(r['old_capacity'])} → {int(r['new_capacity'])}",
                    "reason": reason,
                }
            )
        notes.append(
            f"{package}: {len(d)} changes over {runs} replications "
            f"({len(d) / runs:.1f} per replication); the table shows replication "
            f"{int(first['replication'].iloc[0]) + 1}"
            + (f", first 20 of {len(first)} changes" if len(first) > 20 else "")
        )
    body = _macro("adaptation")(
        "; ".join(notes),
        Markup(
            table(
                pd.DataFrame(rows),
                {
                    "package": "Package",
                    "quarter": "Review",
                    "intervention": "Intervention",
                    "capacity": "Capacity (old → new)",
                    "reason": "Driven by",
                },
            )
        ),
    )
    return Section("Adaptation: how the coalition moved capacity", body, "adaptation")


def baseline_figures(c: Comparison) -> pd.DataFrame:
    """The lab's published figures beside the comparison's own baseline runs.

    Each statistic is the baseline's mean over the evaluation window (as the results table's
    metric of the same name, computed by the published definition), averaged over
    replications; the verdict uses the figure's tolerance, as ``synclusive validate`` does.
    """
    figures = c.meta["scenario"]["lab"].get("published", [])
    reps = c.replications
    base = reps[(reps["arm"] == "baseline") & (reps["group"] == "all")]
    rows = []
    for fig in figures:
        name = fig["statistic"]
        values = base.loc[base["metric"] == name, "value"].to_numpy(dtype=float) / 100.0
        model = float(np.nanmean(values)) if len(values) else float("nan")
        tolerance = fig.get("tolerance") or STATISTICS[name].tolerance
        ratio = model / fig["value"] if fig["value"] else float("nan")
        rows.append(
            {
                "statistic": STATISTICS[name].label,
                "published": fig["value"],
                "baseline": model,
                "ratio": ratio,
                "verdict": "reproduced"
                if np.isfinite(ratio) and abs(ratio - 1) <= tolerance
                else "off",
                "source": f"{fig['source']} ({fig['year']}, {fig['geography']})",
            }
        )
    return pd.DataFrame(rows)


def _baseline_section(c: Comparison) -> Section:
    frame = baseline_figures(c)
    if frame.empty:
        return Section(
            "The baseline",
            "<p>The lab carries no published figures; its baseline is not validated.</p>",
            "baseline",
        )
    off = int((frame["verdict"] != "reproduced").sum())
    verdict = (
        "The baseline reproduces every published figure of the lab within its tolerance."
        if off == 0
        else f"{off} of {len(frame)} published figures are outside their tolerance in this "
        "baseline: read the effects with that in mind."
    )
    # Shares as published (0-1), three decimals; the ratio two.
    frame = frame.assign(unit="score")
    frame["ratio"] = frame["ratio"].map(lambda v: fmt(v, "ratio"))
    body = _macro("baseline")(
        verdict,
        Markup(
            table(
                frame,
                {
                    "statistic": "Statistic",
                    "published": "Published",
                    "baseline": "Baseline",
                    "ratio": "Ratio",
                    "verdict": "Verdict",
                    "source": "Source",
                },
            )
        ),
    )
    return Section("The baseline: the published figures it rests on", body, "baseline")


#: The metrics of the short effects table, in order (the full table is in the download).
SHORT_METRICS = (
    "employed",
    "employment_to_population",
    "unemployed",
    "inactive",
    "long_term_unemployed",
    "inflow",
    "engine_hires",
    "mobility",
    "retention_12m",
    "self_efficacy",
)


def short_effects(c: Comparison) -> pd.DataFrame:
    """The effects that matter: headline metrics for the target groups, rows that moved.

    A row is left out when its estimate and whole interval are zero at the table's
    decimals (nothing moved, e.g. a group no intervention reaches).
    """
    e = c.effects("effect")
    e = e[e["group"].isin(c.meta["target_groups"]) & e["metric"].isin(SHORT_METRICS)]
    moved = e.apply(
        lambda r: any(
            fmt(r[k], str(r["unit"])).strip("+-0.,") != ""
            for k in ("estimate", "ci_low", "ci_high")
        ),
        axis=1,
    )
    e = e[moved] if len(e) else e
    order = {m: i for i, m in enumerate(SHORT_METRICS)}
    groups = {g: i for i, g in enumerate(c.meta["target_groups"])}
    return e.sort_values(
        ["package", "metric", "group"],
        key=lambda s: (
            s.map(order) if s.name == "metric" else s.map(groups) if s.name == "group" else s
        ),
        kind="stable",
    )


def report_sections(c: Comparison, images: dict[str, bytes]) -> list[Section]:
    """The report's sections after the verdict, in order; each analysis appends its own."""
    s = c.meta["scenario"]
    run = s["run"]
    titles = package_titles(c)
    names = {**NAMED, "package": lambda k: titles.get(k, k)}
    sections: list[Section] = [Section("How the effects are measured", _macro("method_note")(run))]
    contrast = contrast_section(c)
    if contrast is not None:
        sections.append(contrast)
    sections.append(
        Section(
            "Figures",
            "".join(figure(png, FIGURES[n][1], n) for n, png in images.items()),
            "figures",
        )
    )
    effects = short_effects(c)
    sections.append(
        Section(
            "Effects by target group",
            _macro("effects")(
                Markup(
                    table(
                        effects,
                        {
                            "package": "Package",
                            "metric": "Outcome",
                            "group": "Group",
                            "unit": "Unit",
                            "baseline": "Baseline",
                            "policy": "With package",
                            "estimate": "Effect",
                            "ci_low": "CI low",
                            "ci_high": "CI high",
                        },
                        names=names,
                    )
                ),
                len(effects),
                len(c.effects("effect")),
            ),
            "effects",
        )
    )
    for extra in (dynamics_section(c, table), labour_force_section(c, table)):
        if extra is not None:
            sections.append(extra)
    part = c.results[
        c.results["analysis"].isin(["participation", "evidence"]) & (c.results["group"] == "all")
    ]
    sections.append(
        Section(
            "Participants, non-participants and displacement",
            _macro("displacement")(
                Markup(
                    table(
                        part,
                        {
                            "package": "Package",
                            "context": "Who",
                            "label": "Outcome",
                            "unit": "Unit",
                            "n": "People",
                            "estimate": "Effect",
                            "ci_low": "CI low",
                            "ci_high": "CI high",
                        },
                        names={"package": names["package"], "context": plain},
                    )
                )
            ),
            "displacement",
        )
    )
    cost = c.results[c.results["analysis"].isin(["cost", "intervention"])]
    sections.append(
        Section(
            "Costs",
            table(
                cost,
                {
                    "package": "Package",
                    "metric": "Measure",
                    "context": "Intervention",
                    "group": "Group",
                    "unit": "Unit",
                    "estimate": "Value",
                    "ci_low": "CI low",
                    "ci_high": "CI high",
                },
                names=names,
            ),
            "costs",
        )
    )
    ctx = c.effects("context")
    ctx = ctx[ctx["group"].isin(c.meta["target_groups"]) & ~ctx["suppressed"]]
    sections.append(
        Section(
            "For whom and where (target group × context)",
            _macro("context")(
                Markup(
                    table(
                        ctx,
                        {
                            "package": "Package",
                            "group": "Group",
                            "context_type": "Context",
                            "context": "Kind",
                            "baseline": "Baseline",
                            "estimate": "Effect",
                            "ci_low": "CI low",
                            "ci_high": "CI high",
                        },
                        names={**names, "context_type": plain, "context": str},
                    )
                ),
                run["min_cell"],
                int(c.results["suppressed"].sum()),
            ),
            "context",
        )
    )
    abl = c.effects("ablation_lost")
    abl_body = (
        _macro("ablation")(
            Markup(
                table(
                    abl.assign(share=abl["relative"].map(lambda v: fmt(100 * v, "%"))),
                    {
                        "package": "Package",
                        "ablation": "Mechanism off",
                        "metric": "Outcome",
                        "group": "Group",
                        "unit": "Unit",
                        "baseline": "Full effect",
                        "estimate": "Effect lost",
                        "ci_low": "CI low",
                        "ci_high": "CI high",
                        "share": "Share lost (%)",
                    },
                    names=names,
                )
            )
        )
        if not abl.empty
        else "<p>Not run.</p>"
    )
    sections.append(Section("Mechanism ablation", abl_body, "ablation"))
    adaptation = _adaptation_section(c)
    if adaptation is not None:
        sections.append(adaptation)
    sections.append(notes_section(c))
    sections.append(_baseline_section(c))
    lab = s["lab"]["lab"]
    sections.append(
        Section(
            f"The living lab: {lab['title']}",
            _macro("lab")(
                {
                    "description": lab.get("description", ""),
                    "barriers": [
                        {**b, "description": b.get("description", "")}
                        for b in lab.get("barriers", [])
                    ],
                    "sources": lab.get("sources", []),
                    "assumptions": lab.get("assumptions", []),
                }
            ),
            "lab",
        )
    )
    sections.append(Section("The packages", _macro("packages")(_package_items(s)), "packages"))
    sections.append(
        Section(
            "Reproducing these results",
            _macro("reproduce")(
                str(c.meta.get("command") or ""),
                run,
                ", ".join(f"{k} {v}" for k, v in c.meta.get("versions", {}).items()),
            ),
            "reproduce",
        )
    )
    return sections


def _package_items(s: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for p in s["packages"]:
        rows = pd.DataFrame(p["resolved_interventions"])
        body = ""
        if not rows.empty:
            columns = [
                "name",
                "kind",
                "target",
                "provider",
                "capacity",
                "duration_months",
                "cost_per_participant",
            ]
            body = Markup(
                table(rows[columns].astype(str), {k: plain(k) for k in columns}, unit_column="")
            )
        items.append(
            {
                "title": p["package"]["title"],
                "description": p["package"].get("description", ""),
                "table": body,
            }
        )
    return items


def render_html(c: Comparison, images: dict[str, bytes] | None = None) -> str:
    """The report as one HTML string (figures embedded): the verdict first, then sections."""
    s = c.meta["scenario"]
    if images is None:
        images = {n: png_bytes(f) for n, f in draw_figures(c).items()}
    return page(
        s["title"] or s["name"],
        report_sections(c, images),
        intro=s.get("description") or "",
        top=verdict_html(c),
    )


def write_report(c: Comparison, directory: str | Path) -> list[Path]:
    """Write ``report.html`` and the figures (PNG) into ``directory``, each atomically."""
    directory = Path(directory)
    (directory / "figures").mkdir(parents=True, exist_ok=True)
    images = {n: png_bytes(f) for n, f in draw_figures(c).items()}
    written = [write_file(directory / "figures" / f"{n}.png", png) for n, png in images.items()]
    written.append(write_file(directory / "report.html", render_html(c, images)))
    return written
