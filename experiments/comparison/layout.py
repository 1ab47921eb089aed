"""One layout for every HTML report: Jinja2 templates, the style sheet, numbers and tables.

The comparison report, the sensitivity and calibration reports and the dashboard's download
are all rendered from ``templates/page.html.j2``: a title, an optional verdict at the top and
a list of :class:`Section` objects, each a heading with its body. A report adds a section by
appending to that list, so new analyses slot in without touching the page. Numbers are
formatted by :func:`fmt` (decimals by unit, the same everywhere) and tables by
``templates/table.html.j2``.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

_TEMPLATES = Path(__file__).parent / "templates"
#: The verdict block's style (the reports and the dashboard page).
VERDICT_CSS = (_TEMPLATES / "verdict.css").read_text(encoding="utf-8")
#: The reports' style sheet.
REPORT_CSS = (_TEMPLATES / "report.css").read_text(encoding="utf-8") + VERDICT_CSS

#: Decimals by unit: counts of people to one decimal, percentage points to two, money whole.
DECIMALS = {
    "pp": 2,
    "%": 1,
    "persons": 1,
    "hires": 1,
    "promotions": 1,
    "moves": 1,
    "participants": 1,
    "person-months": 1,
    "person-years": 1,
    "months": 1,
    "score": 3,
    "count": 2,
    "ratio": 2,
}


def fmt(value: Any, unit: str = "", signed: bool = False) -> str:
    """A number as the reports print it: decimals by ``unit``, "–" when not a number.

    Money (any unit starting with EUR) is whole euros with thousands separators; other units
    use :data:`DECIMALS` (two decimals when the unit is not listed). ``signed`` prints a plus
    sign on positive values (effects).
    """
    if value is None or isinstance(value, str):
        return "–" if not value else str(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "–"
    decimals = 0 if str(unit).startswith("EUR") else DECIMALS.get(str(unit), 2)
    if round(v, decimals) == 0:
        v = 0.0  # no "-0.00" or "+0.00"
        signed = False
    return f"{v:{'+' if signed else ''},.{decimals}f}"


def interval(low: Any, high: Any, unit: str = "", signed: bool = False) -> str:
    """``low to high`` formatted by :func:`fmt`, or "unbounded" when either end is missing."""
    lo, hi = fmt(low, unit, signed), fmt(high, unit, signed)
    return "unbounded" if "–" in (lo, hi) else f"{lo} to {hi}"


@dataclass
class Section:
    """One section of a report: a heading and its body (trusted HTML)."""

    title: str
    body: str
    id: str = ""
    level: int = 2
    children: list[Section] = field(default_factory=list)

    @property
    def html(self) -> Markup:
        """The body as markup for the template."""
        return Markup(self.body)


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    autoescape=jinja2.select_autoescape(["j2", "html"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_ENV.filters["fmt"] = fmt
_ENV.globals["interval"] = interval


def render(template: str, **context: Any) -> str:
    """Render one of the templates with ``context``."""
    return _ENV.get_template(template).render(**context)


def page(
    title: str,
    sections: Iterable[Section],
    *,
    intro: str = "",
    top: str = "",
    css: str = "",
    banner: str = "",
) -> str:
    """A complete, self-contained HTML page in the reports' one layout.

    Parameters
    ----------
    title
        The page's heading and title.
    sections
        The sections, in order.
    intro
        A paragraph of plain text under the heading.
    top
        Trusted HTML shown before the sections (the verdict).
    css
        Style rules added after the reports' style sheet.
    banner
        A highlighted line of plain text (e.g. what data a report is about).
    """
    return render(
        "page.html.j2",
        title=title,
        intro=intro,
        banner=banner,
        top=Markup(top),
        css=Markup(REPORT_CSS + css),
        sections=list(sections),
    )


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    unit_column: str = "unit",
    names: Mapping[str, Any] | None = None,
    classes: str = "",
) -> str:
    """A table of ``frame``'s ``columns`` (key → heading), numbers formatted by unit.

    ``names`` maps a column to a function giving the plain name of its raw keys.
    """
    names = names or {}
    rows = []
    for _, r in frame.iterrows():
        unit = str(r.get(unit_column, "") or "")
        cells = []
        for col in columns:
            v = r.get(col)
            if col in names:
                cells.append((False, names[col](v)))
            elif isinstance(v, float) or (hasattr(v, "dtype") and v.dtype.kind == "f"):
                cells.append((True, fmt(v, unit)))
            else:
                cells.append((False, "" if v is None else str(v)))
        rows.append(cells)
    return render("table.html.j2", headings=list(columns.values()), rows=rows, classes=classes)


def figure(png: bytes | str, caption: str, name: str = "") -> str:
    """A figure with its caption; ``png`` is PNG bytes or a ``data:`` URL."""
    src = png if isinstance(png, str) else "data:image/png;base64," + base64.b64encode(png).decode()
    return render("figure.html.j2", src=src, caption=caption, name=name)


def template_module(template: str) -> Any:
    """A template's macros, as attributes (each returns markup)."""
    return _ENV.get_template(template).module
