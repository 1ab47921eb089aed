"""Figures and a self-contained HTML report of a comparison, for readers without the code.

Everything is drawn from the saved tables of a :class:`~experiments.comparison.study.Comparison`;
figures are embedded as base64 PNG, so the report is one file that opens in any browser.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.comparison.report_dynamics import (
    dynamics_section,
    event_study_figure,
    labour_force_section,
    notes_section,
)
from experiments.comparison.study import Comparison
from simulator.plots import GROUP_LABELS
from simulator.snapshot import SIZE_CLASSES
from simulator.survey import STATISTICS
from simulator.tables import write_file

#: The report's style sheet; other self-contained reports (the dashboard's) reuse it.
REPORT_CSS = """\
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { color: #1f4e79; } h2 { border-bottom: 2px solid #1f4e79; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; } th { background: #eef3f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } img { max-width: 100%; }
figcaption { font-size: .9em; color: #555; }
.note { background: #f6f6f6; padding: .6em 1em; border-left: 4px solid #999; }
"""


def _label(group: str) -> str:
    return GROUP_LABELS.get(group, group.replace("_", " "))


def _style(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def effect_over_time_figure(c: Comparison) -> plt.Figure:
    """Monthly effect on the employment rate of each target group, with confidence bands."""
    groups = c.meta["target_groups"]
    packages = list(dict.fromkeys(c.over_time["package"]))
    fig, axes = plt.subplots(
        1, len(packages), figsize=(6.5 * len(packages), 4.2), squeeze=False, constrained_layout=True
    )
    for ax, package in zip(axes[0], packages, strict=True):
        d = c.over_time[
            (c.over_time["package"] == package) & (c.over_time["indicator"] == "employment_rate")
        ]
        for group in groups:
            g = d[d["group"] == group].sort_values("month")
            ax.plot(g["month"], 100 * g["estimate"], label=_label(group), lw=1.8)
            ax.fill_between(g["month"], 100 * g["ci_low"], 100 * g["ci_high"], alpha=0.15)
        ax.axhline(0, color="black", lw=0.8)
        _style(ax, f"{package}: effect on employment rate", "percentage points")
        ax.set_xlabel("month")
        ax.legend(fontsize=8, frameon=False)
    return fig


def forest_figure(c: Comparison) -> plt.Figure:
    """Effects on headline metrics by target group, with confidence intervals."""
    metrics = ["employment_rate", "inflow", "mobility", "self_efficacy"]
    groups = c.meta["target_groups"]
    d = c.effects("effect")
    packages = list(dict.fromkeys(d["package"]))
    fig, axes = plt.subplots(
        1,
        len(metrics),
        figsize=(4.2 * len(metrics), 0.5 + 0.45 * len(groups) * len(packages)),
        squeeze=False,
        constrained_layout=True,
    )
    for ax, metric in zip(axes[0], metrics, strict=True):
        y = 0
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
                    color=f"C{p_i}",
                    capsize=3,
                    label=package if group == groups[0] else None,
                )
                ticks.append(y)
                labels.append(_label(group) if p_i == 0 else "")
                y -= 1
            y -= 0.5
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(ticks, labels, fontsize=8)
        unit = d[d["metric"] == metric]["unit"].iloc[0] if (d["metric"] == metric).any() else ""
        _style(ax, c.meta["metrics"][metric]["label"], "")
        ax.set_xlabel(f"effect ({unit})")
    if len(packages) > 1:
        axes[0][0].legend(fontsize=8, frameon=False)
    return fig


def displacement_figure(c: Comparison) -> plt.Figure:
    """Extra people in work among would-be participants and everyone else."""
    d = c.effects("participation", metric="extra_employed", group="all")
    packages = list(dict.fromkeys(d["package"]))
    fig, ax = plt.subplots(figsize=(7, 0.8 + 0.9 * len(packages)), constrained_layout=True)
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
                y,
                r["estimate"],
                height=0.24,
                color=color,
                label=context.replace("_", "-") if i == 0 else None,
            )
            ax.errorbar(
                r["estimate"],
                y,
                xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                fmt="none",
                color="black",
                capsize=3,
            )
    ax.set_yticks([i + 0.27 for i in range(len(packages))], packages)
    ax.axvline(0, color="black", lw=0.8)
    _style(ax, "Who gains: participants and everyone else", "")
    ax.set_xlabel("extra people in work (mean over the evaluation window)")
    ax.legend(fontsize=8, frameon=False)
    return fig


def context_figure(c: Comparison) -> plt.Figure:
    """Effect on people in work by target group × employer size class."""
    d = c.effects("context", context_type="employer_size")
    packages = list(dict.fromkeys(d["package"]))
    # Groups without any estimate (e.g. a union of groups not tracked by context) are left out.
    groups = [g for g in c.meta["target_groups"] if (d["group"] == g).any()]
    order = [name for name, _ in SIZE_CLASSES]
    sizes = sorted(dict.fromkeys(d["context"]), key=lambda s: order.index(s) if s in order else 99)
    fig, axes = plt.subplots(
        1, len(packages), figsize=(5.5 * len(packages), 3.8), squeeze=False, constrained_layout=True
    )
    for ax, package in zip(axes[0], packages, strict=True):
        m = np.full((len(groups), len(sizes)), np.nan)
        for i, g in enumerate(groups):
            for j, s in enumerate(sizes):
                r = d[(d["package"] == package) & (d["group"] == g) & (d["context"] == s)]
                if not r.empty:
                    m[i, j] = r.iloc[0]["estimate"]
        lim = np.nanmax(np.abs(m)) if np.isfinite(m).any() else 1.0
        im = ax.imshow(m, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
        for i in range(len(groups)):
            for j in range(len(sizes)):
                text = "–" if np.isnan(m[i, j]) else f"{m[i, j]:+.1f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(sizes)), sizes, fontsize=8, rotation=20)
        ax.set_yticks(range(len(groups)), [_label(g) for g in groups], fontsize=8)
        ax.set_title(
            f"{package}: extra people in work\nby employer size",
            loc="left",
            fontsize=11,
            fontweight="bold",
        )
        fig.colorbar(im, ax=ax, label="persons")
    return fig


def ablation_figure(c: Comparison) -> plt.Figure | None:
    """Share of the effect on employment lost when one mechanism is switched off."""
    d = c.effects("ablation_lost", metric="employed")
    if d.empty:
        return None
    groups = c.meta["target_groups"]
    packages = list(dict.fromkeys(d["package"]))
    mechs = list(dict.fromkeys(d["ablation"]))
    fig, axes = plt.subplots(
        1, len(packages), figsize=(6.5 * len(packages), 4), squeeze=False, constrained_layout=True
    )
    width = 0.8 / len(groups)
    for ax, package in zip(axes[0], packages, strict=True):
        for gi, group in enumerate(groups):
            r = d[(d["package"] == package) & (d["group"] == group)].set_index("ablation")
            x = np.arange(len(mechs)) + gi * width
            ax.bar(
                x,
                [r.loc[m, "estimate"] if m in r.index else np.nan for m in mechs],
                width=width,
                label=_label(group),
            )
        ax.set_xticks(
            np.arange(len(mechs)) + 0.4 - width / 2,
            [m.replace("_", " ") for m in mechs],
            fontsize=8,
        )
        ax.axhline(0, color="black", lw=0.8)
        _style(ax, f"{package}: effect lost without each mechanism", "people in work")
        ax.legend(fontsize=8, frameon=False)
    return fig


def mechanisms_figure(c: Comparison) -> plt.Figure:
    """Mechanism states of the target groups over time: policy against baseline."""
    indicators = ["mean_self_efficacy", "mean_trust", "mean_experiences_of_success"]
    groups = [g for g in c.meta["target_groups"] if g != "all"][:2] or ["all"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), constrained_layout=True)
    for ax, ind in zip(axes, indicators, strict=True):
        for package_i, package in enumerate(dict.fromkeys(c.over_time["package"])):
            for gi, g in enumerate(groups):
                d = c.over_time[
                    (c.over_time["package"] == package)
                    & (c.over_time["indicator"] == ind)
                    & (c.over_time["group"] == g)
                ].sort_values("month")
                if package_i == 0:
                    ax.plot(
                        d["month"],
                        d["baseline"],
                        color=f"C{gi}",
                        ls="--",
                        lw=1,
                        label=f"{_label(g)}, baseline",
                    )
                ax.plot(
                    d["month"], d["policy"], color=f"C{gi}", lw=1.6, label=f"{_label(g)}, {package}"
                )
        _style(ax, ind.replace("mean_", "").replace("_", " ").capitalize(), "mean")
        ax.set_xlabel("month")
    axes[0].legend(fontsize=7, frameon=False)
    return fig


FIGURES = {
    "effect_over_time": (effect_over_time_figure, "Effect on the employment rate over time"),
    "event_study": (event_study_figure, "Participants by months since their programme start"),
    "effects": (forest_figure, "Effects by target group"),
    "displacement": (displacement_figure, "Participants, non-participants and displacement"),
    "context": (context_figure, "For whom and where: effects by employer size"),
    "ablation": (ablation_figure, "Mechanism ablation"),
    "mechanisms": (mechanisms_figure, "Mechanism states over time"),
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


def _fmt(value: float, unit: str = "") -> str:
    if value is None or not np.isfinite(value):
        return "–"
    if unit.startswith("EUR"):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}"


def _table(d: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(v)}</th>" for v in columns.values())
    body = []
    for _, r in d.iterrows():
        cells = []
        for col in columns:
            v = r[col]
            if isinstance(v, float):
                cells.append(f"<td class='num'>{_fmt(v, str(r.get('unit', '')))}</td>")
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _effect_text(r: pd.Series) -> str:
    sig = r["ci_low"] > 0 or r["ci_high"] < 0
    return (
        f"{_fmt(r['estimate'])} {html.escape(r['unit'])} (95% CI {_fmt(r['ci_low'])} to "
        f"{_fmt(r['ci_high'])}){'' if sig else ', not distinguishable from zero'}"
    )


def _summary(c: Comparison) -> str:
    items = []
    for package in dict.fromkeys(c.results["package"]):
        parts = []
        for g in c.meta["target_groups"]:
            r = c.effects("effect", package=package, metric="employed", group=g)
            if not r.empty:
                parts.append(f"{_label(g).lower()}: {_effect_text(r.iloc[0])}")
        cost = c.effects(
            "cost", package=package, metric="cost_per_extra_person_employed", group="all"
        )
        cost_text = ""
        if not cost.empty and np.isfinite(cost.iloc[0]["estimate"]):
            cr = cost.iloc[0]
            caveat = (
                ""
                if np.isfinite(cr["ci_low"])
                else " (uncertain: the effect is not distinguishable from zero)"
            )
            cost_text = (
                f" Cost per extra person in work: EUR {_fmt(cr['estimate'], 'EUR')}{caveat}."
            )
        disp = c.effects("participation", package=package, metric="extra_employed", group="all")
        disp_text = ""
        by_who = disp.set_index("context")["estimate"]
        if {"participants", "non_participants"} <= set(by_who.index):
            one = by_who.get("participants_one_world", np.nan)
            disp_text = (
                f" Participants gain {_fmt(by_who['participants'])} people in work, people "
                f"taking part in one world only {_fmt(one)}; everyone else "
                f"{_fmt(by_who['non_participants'])} (displacement when negative)."
            )
        items.append(
            f"<li><b>{html.escape(package)}</b> — extra people in work "
            f"(mean of the last months): {'; '.join(parts)}.{cost_text}{disp_text}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def _contrast_section(c: Comparison) -> str:
    """Packages against each other and interaction terms, in plain words (several packages)."""
    con = c.effects("contrast")
    if con.empty:
        return ""
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
                f"<li><b>{html.escape(a)}</b> against <b>{html.escape(b)}</b>, people in work: "
                f"{_effect_text(r.iloc[0])}</li>"
            )
    inter = c.effects("interaction", metric="employed")
    for _, r in inter[inter["group"].isin(["all", "any_target_group"])].iterrows():
        parts = r["context"].replace(" + ", " and ")
        if r["ci_low"] > 0:
            verdict = "more than its parts together: they reinforce each other"
        elif r["ci_high"] < 0:
            verdict = "less than its parts together: they overlap or compete"
        else:
            verdict = "about as much as its parts together (the difference could be chance)"
        items.append(
            f"<li><b>{html.escape(r['package'])}</b> does {verdict} — "
            f"{_label(r['group']).lower()}, its effect on people in work minus those of "
            f"{html.escape(parts)}: "
            f"{_effect_text(r)}</li>"
        )
    # People in work for every target group; flows and cost for everyone.
    keep = con[
        con.apply(lambda r: (r["package"], r["context"]) in pairs, axis=1)
        & (
            ((con["metric"] == "employed") & con["group"].isin(groups))
            | (con["metric"].isin(["inflow", "mobility", "cost"]) & (con["group"] == "all"))
        )
    ]
    table = pd.concat([keep, inter[inter["group"].isin(groups)]])
    return f"""<h2>Packages compared with each other</h2>
<p>Each package against each other package, in the same replications with the same random
numbers, so the difference between two packages is measured directly (its interval comes from
the per-replication differences). An interaction compares a package combining mobility and
inflow with its two halves: its effect minus the sum of their effects. Positive means the two
sides do more together than apart, as the engine approach claims.</p>
<ul>{"".join(items)}</ul>
{
        _table(
            table,
            {
                "package": "Package",
                "context": "Compared with",
                "label": "Outcome",
                "group": "Group",
                "unit": "Unit",
                "estimate": "Difference",
                "ci_low": "CI low",
                "ci_high": "CI high",
            },
        )
    }"""


def _adaptation_section(c: Comparison) -> str:
    """Capacity changes the adaptation rule made (engine step 5), when a rule was in force."""
    ruled = [
        p["package"]["name"]
        for p in c.meta["scenario"]["packages"]
        if p.get("adaptation") and p["adaptation"].get("enabled", True)
    ]
    log = c.adaptation
    if not ruled and (log is None or log.empty):
        return ""
    if log is None or log.empty:
        return (
            "<h2>Adaptation</h2><p>The adaptation rule of "
            f"{html.escape(', '.join(ruled))} was in force but made no changes.</p>"
        )
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
            f"{html.escape(str(package))}: {len(d)} changes over {runs} replications "
            f"({len(d) / runs:.1f} per replication); the table shows replication "
            f"{int(first['replication'].iloc[0]) + 1}"
            + (f", first 20 of {len(first)} changes" if len(first) > 20 else "")
        )
    return f"""<h2>Adaptation: how the coalition moved capacity</h2>
<p>Every review the coalition moved places (and their budget) from interventions with unused
places or the weakest outcomes to those with a full intake or the best outcomes; the monthly
budget stayed the same. Capacity is new participants per month. {"; ".join(notes)}.</p>
{
        _table(
            pd.DataFrame(rows),
            {
                "package": "Package",
                "quarter": "Review",
                "intervention": "Intervention",
                "capacity": "Capacity (old → new)",
                "reason": "Driven by",
            },
        )
    }"""


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


def _baseline_section(c: Comparison) -> str:
    table = baseline_figures(c)
    if table.empty:
        return (
            "<h2>The baseline</h2><p>The lab carries no published figures; its baseline is not "
            "validated.</p>"
        )
    off = int((table["verdict"] != "reproduced").sum())
    verdict = (
        "The baseline reproduces every published figure of the lab within its tolerance."
        if off == 0
        else f"{off} of {len(table)} published figures are outside their tolerance in this "
        "baseline: read the effects with that in mind."
    )
    rows = "".join(
        f"<tr><td>{html.escape(r.statistic)}</td><td>{r.published:.3f}</td>"
        f"<td>{r.baseline:.3f}</td><td>{r.ratio:.2f}</td><td>{r.verdict}</td>"
        f"<td>{html.escape(r.source)}</td></tr>"
        for r in table.itertuples()
    )
    return (
        "<h2>The baseline: the published figures it rests on</h2>"
        f"<p>{html.escape(verdict)} Statistics are computed by the published definitions "
        "(survey rates; quarterly transitions of the same person three months apart).</p>"
        "<table><tr><th>Statistic</th><th>Published</th><th>Baseline</th><th>Ratio</th>"
        f"<th>Verdict</th><th>Source</th></tr>{rows}</table>"
    )


def render_html(c: Comparison) -> str:
    """The report as one HTML string (figures embedded)."""
    s = c.meta["scenario"]
    lab = s["lab"]["lab"]
    run = s["run"]
    figs = draw_figures(c)
    fig_html = "".join(
        f"<figure><img alt='{html.escape(FIGURES[n][1])}' src='data:image/png;base64,"
        f"{base64.b64encode(png_bytes(f)).decode()}'/><figcaption>{html.escape(FIGURES[n][1])}"
        "</figcaption></figure>"
        for n, f in figs.items()
    )
    effects = c.effects("effect")
    effects = effects[effects["group"].isin(c.meta["target_groups"])]
    cols = {
        "package": "Package",
        "label": "Outcome",
        "group": "Group",
        "unit": "Unit",
        "baseline": "Baseline",
        "policy": "With package",
        "estimate": "Effect",
        "ci_low": "CI low",
        "ci_high": "CI high",
    }
    part = c.results[
        c.results["analysis"].isin(["participation", "evidence"]) & (c.results["group"] == "all")
    ]
    cost = c.results[c.results["analysis"].isin(["cost", "intervention"])]
    ctx = c.effects("context")
    ctx = ctx[ctx["group"].isin(c.meta["target_groups"]) & ~ctx["suppressed"]]
    abl = c.effects("ablation_lost")
    barriers = "".join(
        f"<li><b>{html.escape(b['name'])}</b> ({html.escape(b['applies_to'])}): "
        f"{html.escape(b.get('description', ''))} <i>Model: "
        f"{html.escape(', '.join(b['parameters']))}</i></li>"
        for b in lab.get("barriers", [])
    )
    packages_html = ""
    for p in s["packages"]:
        rows = pd.DataFrame(p["resolved_interventions"])
        if not rows.empty:
            rows = rows[
                [
                    "name",
                    "kind",
                    "target",
                    "provider",
                    "capacity",
                    "duration_months",
                    "cost_per_participant",
                ]
            ].astype(str)
        packages_html += (
            f"<h3>{html.escape(p['package']['title'])}</h3><p>"
            f"{html.escape(p['package'].get('description', ''))}</p>"
            + (
                _table(rows, {k: k.replace("_", " ") for k in rows.columns})
                if not rows.empty
                else "<p>No interventions.</p>"
            )
        )
    suppressed = int(c.results["suppressed"].sum())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<title>{html.escape(s["title"] or s["name"])}</title>
<style>
{REPORT_CSS}</style></head><body>
<h1>{html.escape(s["title"] or s["name"])}</h1>
<p>{html.escape(s.get("description") or "")}</p>
<h2>Summary</h2>
{_summary(c)}
<p class="note">Every effect is the difference between the package and the baseline (the lab
without it), run {run["replications"]} times with the same random numbers in both arms, so the
difference is the package's effect rather than chance. Intervals are {int(run["confidence"] * 100)}%
confidence intervals over replications. Stocks and rates are averaged over the last
{run["evaluation_months"]} of {run["months"]} months; flows are totals over the run.</p>
<h2>Figures</h2>
{fig_html}
<h2>Effects by target group</h2>
{_table(effects, cols)}
<h2>Participants, non-participants and displacement</h2>
<p>Participants are the people who take part in an intervention both with the package and in
a run of the package's enrolment without its effects (the baseline's world), compared with
themselves in the baseline; people who take part in only one of the two worlds are shown
apart, and everyone else (in neither) are the non-participants. Defining each class alike in
both worlds keeps out the selection that defining it in one world brings (in one world only,
participants are chosen by that world's path: for example, still unemployed, or still in a job
at the start). A negative effect on the non-participants is displacement: jobs the
participants took that others would have had.
The relative risk of being in work for each intervention's participants is shown next to the
published benchmark where one exists.</p>
{
        _table(
            part,
            {
                "package": "Package",
                "analysis": "Analysis",
                "context": "Who",
                "label": "Outcome",
                "unit": "Unit",
                "n": "People",
                "estimate": "Effect",
                "ci_low": "CI low",
                "ci_high": "CI high",
            },
        )
    }
{dynamics_section(c, _table)}
{labour_force_section(c, _table)}
<h2>Costs</h2>
{
        _table(
            cost,
            {
                "package": "Package",
                "label": "Measure",
                "context": "Intervention",
                "group": "Group",
                "unit": "Unit",
                "estimate": "Value",
                "ci_low": "CI low",
                "ci_high": "CI high",
            },
        )
    }
<h2>For whom and where (target group × context)</h2>
<p>Extra people in work by the kind of employer they work for. Cells with fewer than
{run["min_cell"]} people are suppressed ({suppressed} suppressed estimates in all).</p>
{
        _table(
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
        )
    }
<h2>Mechanism ablation</h2>
<p>How much of the effect disappears when one mechanism is switched off in both arms.</p>
{
        _table(
            abl,
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
                "relative": "Share lost",
            },
        )
        if not abl.empty
        else "<p>Not run.</p>"
    }
{_contrast_section(c)}
{_adaptation_section(c)}
{notes_section(c)}
{_baseline_section(c)}
<h2>The living lab: {html.escape(lab["title"])}</h2>
<p>{html.escape(lab.get("description", ""))}</p>
<h3>Barriers</h3><ul>{barriers}</ul>
<h3>Sources</h3><ul>{"".join(f"<li>{html.escape(x)}</li>" for x in lab.get("sources", []))}</ul>
<h3>Assumptions</h3><ul>{
        "".join(f"<li>{html.escape(x)}</li>" for x in lab.get("assumptions", []))
    }</ul>
<h2>The packages</h2>
{packages_html}
<h2>Reproducing these results</h2>
<p>Command: <code>{html.escape(str(c.meta.get("command") or ""))}</code><br/>
Seed {run["seed"]}, {run["replications"]} replications, {run["months"]} months.
Software: {html.escape(", ".join(f"{k} {v}" for k, v in c.meta.get("versions", {}).items()))}.
The tables behind this report are in the same folder (results, over_time, replications,
adaptation; Parquet and CSV).</p>
</body></html>
"""


def write_report(c: Comparison, directory: str | Path) -> list[Path]:
    """Write ``report.html`` and the figures (PNG) into ``directory``, each atomically."""
    directory = Path(directory)
    (directory / "figures").mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in draw_figures(c).items():
        written.append(write_file(directory / "figures" / f"{name}.png", png_bytes(fig)))
    written.append(write_file(directory / "report.html", render_html(c)))
    return written
