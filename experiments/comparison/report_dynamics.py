"""Report sections on effects over time and on who gained: the participants' event study,
groups fixed before treatment and the labour-force accounting.

Self-contained: each function reads a :class:`~experiments.comparison.study.Comparison` and
returns a figure or a report :class:`~experiments.comparison.layout.Section` (None when the
comparison has nothing to show); the report places them (a table renderer is passed in, so
the sections look like the rest of the report).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from experiments.comparison.event_study import ALL_PROGRAMMES, PROFILE_BINS
from experiments.comparison.labour_force import DEFINITION_TEXT
from experiments.comparison.layout import Section
from experiments.comparison.study import Comparison

#: Event months shown in the figure after the start.
FIGURE_MONTHS = 60
TableRenderer = Callable[[pd.DataFrame, dict[str, str]], str]


def event_study_figure(c: Comparison) -> plt.Figure | None:
    """Effect on participants' share in work by months since their start, per package."""
    e = c.event_study
    if e is None or e.empty:
        return None
    e = e[(e["event_month"] <= FIGURE_MONTHS) & ~e["suppressed"].astype(bool)]
    packages = list(dict.fromkeys(e["package"]))
    if not packages:
        return None
    fig, axes = plt.subplots(
        1, len(packages), figsize=(6.5 * len(packages), 4.2), squeeze=False, constrained_layout=True
    )
    for ax, package in zip(axes[0], packages, strict=True):
        d = e[e["package"] == package]
        for programme in dict.fromkeys(d["programme"]):
            g = d[d["programme"] == programme].sort_values("event_month")
            whole = programme == ALL_PROGRAMMES
            ax.plot(
                g["event_month"],
                g["estimate"],
                label=programme,
                lw=2.4 if whole else 1.2,
                color="black" if whole else None,
            )
            if whole:
                ax.fill_between(g["event_month"], g["ci_low"], g["ci_high"], alpha=0.2)
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(f"{package}: participants by months since start", loc="left", fontsize=11)
        ax.set_xlabel("months since the programme start (negative: before)")
        ax.set_ylabel("percentage points in work")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=8, frameon=False)
    return fig


def dynamics_section(c: Comparison, table: TableRenderer) -> Section | None:
    """The participants' profile by years since start, with how it is measured."""
    profile = c.effects("participant_profile")
    if profile.empty:
        return None
    order = {f"employment_share_{name}": i for i, (name, *_) in enumerate(PROFILE_BINS)}
    profile = profile.assign(_o=profile["metric"].map(order)).sort_values(
        ["package", "context", "_o"]
    )
    body = f"""
<p>The share of participants in work, against the same people in the baseline, by months since
their programme start (the figure <i>Participants by months since start</i>). The people are
those who take part both with the package and in a run of the package's enrolment without its
effects (the baseline's world), with the same first programme; each side is aligned on the
month the person started in that world. Selected the same way in both worlds, the selection
puts no difference into the months before the start; what shows there (first below, about
zero) is what the package did to these people before they enrolled, mostly the displacement
of jobseekers by earlier participants, of the same sign as the effect on non-participants.
The effect from the start on, less that, is what taking part does. People who would take part
in only one of the two worlds are left out. Published meta-analyses of active labour-market
programmes (Card, Kluve &amp; Weber 2018) find effects close to zero in the short run that
grow two to three years after the programme, a rise driven almost entirely by training (after
lock-in while in training); job-search assistance and private-sector subsidies have relatively
constant or declining effects.</p>
{
        table(
            profile,
            {
                "package": "Package",
                "context": "Programme",
                "label": "Share in work",
                "n": "People",
                "baseline": "Counterfactual (%)",
                "policy": "With package (%)",
                "estimate": "Effect (pp)",
                "ci_low": "CI low",
                "ci_high": "CI high",
            },
        )
    }"""
    return Section("Effects on participants over time (event study)", body, "event-study")


def labour_force_section(c: Comparison, table: TableRenderer) -> Section | None:
    """Where the extra people in work came from, for stocks and for fixed cohorts."""
    lf = c.effects("labour_force")
    if lf.empty:
        return None
    lf = lf[lf["group"].isin(c.meta["target_groups"])]
    definitions = "; ".join(f"<b>{k}</b>: {html.escape(v)}" for k, v in DEFINITION_TEXT.items())
    body = f"""
<p>Everyone of working age is employed, unemployed or inactive, so the extra people in work
are exactly the fewer unemployed plus the fewer inactive plus the change in the group's
population. Each group is counted two ways ({definitions}). A stock can change because
the package changes who belongs to it (a long-term unemployed person hired stays in the
stock; one who finds work before 12 months never enters it), so its rates can fall while more
of its people work; a cohort holds the same people in both arms and its population does not
change. The effects table above gives both: the cohort measures are the rows labelled
<i>cohort fixed at the start</i>.</p>
{
        table(
            lf,
            {
                "package": "Package",
                "group": "Group",
                "context": "Counted as",
                "label": "Measure",
                "unit": "Unit",
                "baseline": "Baseline",
                "estimate": "Effect",
                "ci_low": "CI low",
                "ci_high": "CI high",
            },
        )
    }"""
    return Section(
        "Where the extra people in work came from (labour-force accounting)", body, "labour-force"
    )


def notes_section(c: Comparison) -> Section:
    """Notes on reading the comparison: what differs between packages besides their
    interventions (the adaptation rule's capacity changes), and how groups are counted."""
    notes = [
        "Target groups are counted two ways: as stocks (the group as it stands each month, "
        "rows without a note) and as cohorts fixed at the package start (rows labelled "
        "'cohort fixed at the start'; entrants join at entry). Participants, non-participants "
        "and displacement use the cohorts.",
    ]
    log = c.adaptation
    if log is not None and not log.empty:
        for package, d in log.groupby("package", sort=False):
            d = d[d["replication"] == d["replication"].min()]
            first = d.sort_values("month").groupby("intervention")["old_capacity"].first()
            last = d.sort_values("month").groupby("intervention")["new_capacity"].last()
            changes = ", ".join(
                f"{name} {int(first[name])} to {int(last[name])}"
                for name in first.index
                if int(first[name]) != int(last[name])
            )
            if changes:
                notes.append(
                    f"{package} adapts its capacities during the run (engine step 5; by the "
                    f"end of the first replication, places a month: {changes}). Its effects "
                    "and its contrasts with packages that do not adapt include that "
                    "reallocation, not only its interventions."
                )
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return Section("Notes on reading these results", f"<ul>{items}</ul>", "notes")
