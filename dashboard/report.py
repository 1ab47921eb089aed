"""The dashboard's HTML report: what the page shows, as one self-contained file.

The report holds the page's own figures (the very ``data:`` URLs of
:meth:`~dashboard.jobs.Outcome.charts`, so they cannot differ from what is on screen), their
titles and captions, the headline figures, the table of effects with confidence intervals and
the settings that produced them (lab, package, every intervention on or off with its places,
budget, run settings, further overrides) with the scenario file that reruns them. It is laid
out as every report is (:mod:`experiments.comparison.layout`: the verdict first) and adds the
page's own style sheet (``style.css``), so tiles and the effects table look as they do on the
page.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from dashboard.charts import CAPTIONS, FIGURES, focus_group, label
from dashboard.settings import (
    Settings,
    budget_max,
    default_budget,
    monthly_budget,
    overrides,
    scenario_name,
)
from dashboard.tables import EFFECTS_CAPTION, effects_html, effects_table, headlines_html
from experiments.comparison.layout import Section, page, template_module
from experiments.comparison.report import contrast_section
from experiments.comparison.verdict import package_titles, verdict_html
from scenarios import ScenarioError

if TYPE_CHECKING:
    from dashboard.jobs import Outcome

PAGE_CSS = Path(__file__).with_name("style.css").read_text(encoding="utf-8")
#: A few rules for parts only the report has (its style sheets cover the rest).
REPORT_EXTRA_CSS = """\
.settings td.off { color: #8a8f98; } pre.scenario { background: #f6f6f6; padding: .6em 1em;
  font-size: .8em; overflow-x: auto; } .chart-figure img { width: 100%; }
table.effects-table { margin: 0; } .tiles { margin: .5em 0 1em; }
"""


def settings_html(s: Settings) -> str:
    """The settings as two tables: the run, and the interventions with places and budget."""
    run = [
        ("Living lab", s.lab),
        ("Package", s.package),
        *(("Compared with", p) for p in s.packages[1:]),
        ("Replications", f"{s.replications}"),
        ("Population (persons)", f"{s.persons:,}"),
        ("Months simulated", f"{s.months}"),
        ("Seed", f"{s.seed}"),
        ("Mechanism ablation", "on" if s.ablation else "off"),
        (
            "Budget",
            f"EUR {monthly_budget(s):,.0f} / month (the package as published: "
            f"EUR {default_budget(s):,.0f}; at most EUR {budget_max(s):,.0f} with the "
            "places' limits)",
        ),
    ]
    interventions = [
        {
            **dataclasses.asdict(i),
            "state": "on" if i.enabled else "off",
            "places": i.capacity if i.enabled else 0,
        }
        for i in s.interventions
    ]
    try:
        table = overrides(s)
    except ScenarioError:  # cannot happen for settings that ran; shown as typed if it does
        table = {}
    lines = [f"{k} = {v!r}" for k, v in table.items()]
    return str(template_module("dashboard.html.j2").settings(run, interventions, lines))


def figures_html(o: Outcome) -> str:
    """The page's figures, with the page's titles and captions, in the page's order."""
    urls = o.charts()
    group = label(focus_group(o.comparison)).lower()
    items = [
        {
            "name": name,
            "title": title,
            "src": urls[name],
            "caption": CAPTIONS[name].format(group=group),
        }
        for name, (_, title) in FIGURES.items()
        if name in urls
    ]
    return str(template_module("dashboard.html.j2").figures(items))


def render_page_report(o: Outcome) -> str:
    """The report of an outcome as one HTML string (figures embedded).

    The reports' shared layout (:func:`experiments.comparison.layout.page`): the verdict
    first, then the settings, headline figures, charts, effects and how to rerun them.

    Parameters
    ----------
    o
        The outcome the page shows.

    Returns
    -------
    str
        A complete HTML document with no external references.
    """
    c = o.comparison
    meta = c.meta["scenario"]
    lab = meta["lab"]["lab"]
    titles = package_titles(c)
    package = next(
        (p["package"] for p in meta["packages"] if p["package"].get("name") == o.package),
        meta["packages"][0]["package"] if meta["packages"] else {},
    )
    title = f"{lab['title']} · " + " and ".join(titles.get(p, p) for p in o.settings.packages)
    targets = ", ".join(label(g).lower() for g in lab.get("target_groups", []))
    m = template_module("dashboard.html.j2")
    versions = ", ".join(f"{k} {v}" for k, v in c.meta.get("versions", {}).items())
    sections = [
        Section("How the effects are measured", m.note(o, meta["run"])),
        Section("Settings", settings_html(o.settings), "settings"),
        Section("Headline figures", headlines_html(c, o.package), "headlines"),
        Section("Figures", figures_html(o), "figures"),
        Section(
            "Effects with 95% confidence intervals",
            m.effects(EFFECTS_CAPTION, Markup(effects_html(effects_table(c, o.package)))),
            "effects",
        ),
        Section(
            "Reproducing these results",
            m.reproduce(
                scenario_name(o.settings),
                str(c.meta.get("command") or ""),
                o.scenario_toml,
                versions,
            ),
            "reproduce",
        ),
    ]
    contrasts = contrast_section(c) if len(o.settings.packages) > 1 else None
    if contrasts is not None:
        sections.insert(1, contrasts)
    intro = f"Target groups: {targets}. {package.get('description', '')}"
    return page(
        f"{title} — dashboard report",
        sections,
        intro=intro,
        top=m.heading(o.heading(), o) + Markup(verdict_html(c)),
        css=PAGE_CSS + REPORT_EXTRA_CSS,
    )
