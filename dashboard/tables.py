"""The table of effects and the headline figures shown on the page.

Both are selections from the comparison's tidy results table; nothing is re-estimated here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.charts import label
from experiments.comparison.study import Comparison
from experiments.comparison.verdict import verdicts

#: Outcomes shown in the on-screen table (the download holds every row).
TABLE_METRICS = (
    "employment_rate",
    "employed",
    "long_term_unemployed",
    "inflow",
    "engine_hires",
    "mobility",
    "job_to_job_moves",
    "retention_12m",
    "unemployment_duration",
    "self_efficacy",
    "trust",
    "experiences_of_success",
)

#: What the effects table shows (the page and the report put it above the table).
EFFECTS_CAPTION = (
    "Package minus baseline over the last months of the run (stocks, rates) or the whole run "
    "(flows, costs). Green or red: the interval excludes zero."
)


def number(value: float, unit: str = "") -> str:
    """A value formatted for reading (thousands separators, sensible digits)."""
    if value is None or not np.isfinite(value):
        return "–"
    if unit.startswith("EUR") or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.2f}"


def clear_effect(row: pd.Series) -> bool:
    """Whether the interval excludes zero."""
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


def effects_table(c: Comparison, package: str) -> pd.DataFrame:
    """Effects on the main outcomes for every target group, then the costs.

    Returns
    -------
    DataFrame
        Columns ``outcome, group, unit, baseline, policy, estimate, ci_low, ci_high, clear``.
    """
    res = c.results[c.results["package"] == package]
    groups = list(c.meta["target_groups"])
    eff = res[(res["analysis"] == "effect") & res["group"].isin(groups)]
    eff = eff[eff["metric"].isin(TABLE_METRICS)].copy()
    eff["order"] = eff["metric"].map({m: i for i, m in enumerate(TABLE_METRICS)}) * 10 + eff[
        "group"
    ].map({g: i for i, g in enumerate(groups)})
    eff = eff.sort_values("order")
    cost = res[(res["analysis"] == "cost") & res["group"].isin(groups)]
    rows = pd.concat([eff, cost], ignore_index=True)
    out = pd.DataFrame(
        {
            "outcome": rows["label"],
            "group": rows["group"].map(label),
            "unit": rows["unit"],
            "baseline": rows["baseline"],
            "policy": rows["policy"],
            "estimate": rows["estimate"],
            "ci_low": rows["ci_low"],
            "ci_high": rows["ci_high"],
        }
    )
    out["clear"] = [clear_effect(r) for _, r in rows.iterrows()]
    # Cost rows are levels, not differences: "clear" means nothing there.
    out.loc[rows["analysis"].to_numpy() == "cost", "clear"] = False
    return out


def effects_html(table: pd.DataFrame) -> str:
    """The effects table as an HTML table (the page's CSS styles it)."""
    head = (
        "<tr><th>Outcome</th><th>Group</th><th>Unit</th><th>Baseline</th>"
        "<th>With package</th><th>Effect</th><th>95% interval</th></tr>"
    )
    body = []
    for _, r in table.iterrows():
        unit = str(r["unit"])
        tone = ""
        if r["clear"]:
            tone = " gain" if r["estimate"] > 0 else " loss"
        body.append(
            "<tr>"
            f"<td>{html.escape(str(r['outcome']))}</td>"
            f"<td>{html.escape(str(r['group']))}</td>"
            f"<td>{html.escape(unit)}</td>"
            f"<td class='num'>{number(r['baseline'], unit)}</td>"
            f"<td class='num'>{number(r['policy'], unit)}</td>"
            f"<td class='num effect{tone}'>{number(r['estimate'], unit)}</td>"
            f"<td class='num ci'>{number(r['ci_low'], unit)} to {number(r['ci_high'], unit)}</td>"
            "</tr>"
        )
    return (
        "<table class='effects-table'><thead>"
        + head
        + "</thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


@dataclass(frozen=True)
class Headline:
    """One figure at the top of the results: a value, what it is and how sure it is."""

    title: str
    value: str
    detail: str
    tone: str  # "gain", "loss" or "neutral"


def _effect_headline(c: Comparison, package: str, metric: str, group: str, title: str):
    r = c.effects("effect", package=package, metric=metric, group=group)
    if r.empty:
        return None
    r = r.iloc[0]
    tone = ("gain" if r["estimate"] > 0 else "loss") if clear_effect(r) else "neutral"
    return Headline(
        title,
        f"{r['estimate']:+,.1f}",
        f"95% interval {r['ci_low']:+,.1f} to {r['ci_high']:+,.1f}",
        tone,
    )


def headlines(c: Comparison, package: str) -> list[Headline]:
    """Extra people in work (everyone, target groups), cost per extra job, displacement."""
    groups = [g for g in c.meta["target_groups"] if g not in ("all", "any_target_group")]
    out = [
        _effect_headline(c, package, "employed", "all", "Extra people in work"),
        _effect_headline(
            c,
            package,
            "employed",
            groups[0] if groups else "any_target_group",
            f"Extra in work: {label(groups[0]).lower() if groups else 'target groups'}",
        ),
    ]
    # The verdict's rule: a cost per extra person has an interval only when the effect has.
    row = next(
        (r for v in verdicts(c) if v.package == package for r in v.rows if r.group == "all"),
        None,
    )
    if row is not None and row.cost_per_extra.known:
        cost = row.cost_per_extra
        bounded = row.verdict == "works"
        out.append(
            Headline(
                "Cost per extra person in work",
                f"EUR {cost.value:,.0f}" if bounded else row.cost_text,
                f"95% interval {cost.low:,.0f} to {cost.high:,.0f}"
                if bounded
                else "the effect cannot be told from zero"
                if row.verdict == "unclear"
                else "the package lowers employment",
                "neutral",
            )
        )
    r = c.effects("cost", package=package, metric="cost_total", group="all")
    if not r.empty:
        out.append(
            Headline("Total cost", f"EUR {r.iloc[0]['estimate']:,.0f}", "over the run", "neutral")
        )
    r = c.effects(
        "participation",
        package=package,
        metric="extra_employed",
        group="all",
        context="non_participants",
    )
    if not r.empty and np.isfinite(r.iloc[0]["estimate"]):
        r = r.iloc[0]
        tone = ("gain" if r["estimate"] > 0 else "loss") if clear_effect(r) else "neutral"
        out.append(
            Headline(
                "Non-participants (displacement if negative)",
                f"{r['estimate']:+,.1f}",
                f"95% interval {r['ci_low']:+,.1f} to {r['ci_high']:+,.1f}",
                tone,
            )
        )
    out.append(_labour_force_headline(c, package))
    return [h for h in out if h is not None]


def _labour_force_headline(c: Comparison, package: str) -> Headline | None:
    """Where the extra people in work came from: fewer unemployed, fewer inactive."""
    d = c.effects("labour_force", package=package, group="all", context="cohort")
    terms = d.set_index("metric")["estimate"]
    if not {"fewer_unemployed", "fewer_inactive", "population_change"} <= set(terms.index):
        return None
    return Headline(
        "Extra in work came from",
        f"{terms['fewer_unemployed']:+,.1f} / {terms['fewer_inactive']:+,.1f}",
        "fewer unemployed / fewer inactive (population change "
        f"{terms['population_change'] + 0.0:+,.1f})",
        "neutral",
    )


def headlines_html(c: Comparison, package: str) -> str:
    """The headline figures as tiles (``div.tile`` in ``div.tiles``, styled by the page's CSS)."""
    tiles = "".join(
        f"<div class='tile {h.tone}'><div class='tile-title'>{html.escape(h.title)}</div>"
        f"<div class='tile-value'>{html.escape(h.value)}</div>"
        f"<div class='tile-detail'>{html.escape(h.detail)}</div></div>"
        for h in headlines(c, package)
    )
    return f"<div class='tiles'>{tiles}</div>"
