"""The sensitivity section of the HTML report: which mechanisms drive which outcomes, in words.

:func:`sensitivity_section` returns the section (figures embedded), so any report built
on :mod:`experiments.comparison.layout` can include it; :func:`write_report` writes it as a
page of its own (``report.html``) with the figures as PNG files beside it. Nothing is said to
drive an outcome, and no order is given, where intervals overlap or noise dominates.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from experiments.comparison.layout import Section, figure, page, table, template_module
from experiments.comparison.names import mechanism, plain
from experiments.sensitivity.figures import caption, draw_figures
from experiments.sensitivity.outcomes import label
from simulator.tables import write_file

#: A factor *drives* an outcome when its total index is above this share of the variance with
#: its whole interval (and above the outcome's replication-noise share).
DRIVER_SHARE = 0.05


def _noise_share(result: Any, outcome: str) -> float:
    row = result.noise[result.noise["outcome"] == outcome]
    share = float(row["noise_share"].iloc[0]) if len(row) else float("nan")
    return share if np.isfinite(share) else 0.0


#: Replication noise at or above this share of an outcome's variance: no factor can be told
#: apart from another (nothing is said to drive the outcome).
NOISE_DOMINATES = 0.5


def classify(result: Any, outcome: str) -> dict[str, list[str]]:
    """Factors of an outcome sorted into ``drivers``, ``minor``, ``none`` and ``indistinct``.

    When replication noise is at least :data:`NOISE_DOMINATES` of the outcome's variance,
    every factor is ``indistinct``. Otherwise, Sobol': a driver's total index exceeds
    max(5 %, the noise share) over its whole interval; minor: its interval excludes zero but
    not that floor; none: the rest. Morris: a driver has at least half the largest μ* and its
    μ* interval lies above the intervals of every factor with less than half; factors with
    at least half whose intervals overlap those are ``indistinct``; minor: at least a tenth
    of the largest μ* with an interval above zero; none: the rest.
    """
    groups: dict[str, list[str]] = {"drivers": [], "minor": [], "none": [], "indistinct": []}
    share = _noise_share(result, outcome)
    if not result.indices.empty:
        t = result.indices[result.indices["outcome"] == outcome].sort_values("ST", ascending=False)
        if share >= NOISE_DOMINATES:
            groups["indistinct"] = list(t["factor"])
            return groups
        floor = max(DRIVER_SHARE, share)
        for r in t.itertuples():
            low = r.ST - r.ST_conf
            key = "drivers" if low > floor else "minor" if low > 0 else "none"
            groups[key].append(r.factor)
        return groups
    t = result.morris[result.morris["outcome"] == outcome].sort_values("mu_star", ascending=False)
    if share >= NOISE_DOMINATES:
        groups["indistinct"] = list(t["factor"])
        return groups
    top = float(t["mu_star"].max()) or 1.0
    conf = t["mu_star_conf"].fillna(0.0)
    rel = t["mu_star"] / top
    low, high = t["mu_star"] - conf, t["mu_star"] + conf
    rest_high = float(high[rel < 0.5].max()) if (rel < 0.5).any() else 0.0
    for factor, r, lo in zip(t["factor"], rel, low, strict=True):
        if r >= 0.5:
            groups["drivers" if lo > rest_high else "indistinct"].append(factor)
        else:
            groups["minor" if r >= 0.1 and lo > 0 else "none"].append(factor)
    return groups


def _list(names: list[str]) -> Markup:
    names = [Markup("<b>{}</b>").format(mechanism(n)) for n in names]
    return names[0] if len(names) == 1 else Markup(", ").join(names[:-1]) + " and " + names[-1]


def _sentence(result: Any, outcome: str) -> Markup:
    g = classify(result, outcome)
    what = label(outcome)
    parts = []
    if not result.indices.empty:
        t = result.indices[result.indices["outcome"] == outcome].set_index("factor")
        detail = ", ".join(
            f"{mechanism(f)} ST {t.loc[f, 'ST']:.2f} ± {t.loc[f, 'ST_conf']:.2f}"
            for f in g["drivers"]
        )
        if g["drivers"]:
            parts.append(
                Markup("The {} is driven by {} ({}).").format(what, _list(g["drivers"]), detail)
            )
        elif not g["indistinct"]:
            parts.append(
                Markup("No mechanism clearly drives the {} at this sample size.").format(what)
            )
    elif g["drivers"]:
        parts.append(
            Markup("Screening puts {} first for the {}.").format(_list(g["drivers"]), what)
        )
    if g["indistinct"]:
        parts.append(
            Markup("For the {}, {} are not distinguishable: {}.").format(
                what,
                _list(g["indistinct"]),
                "replication noise dominates its variance"
                if _noise_share(result, outcome) >= NOISE_DOMINATES
                else "their intervals overlap",
            )
        )
    if g["minor"]:
        parts.append(Markup("{} matter less.").format(_list(g["minor"])))
    if g["none"]:
        parts.append(Markup("{} cannot be told apart from no influence.").format(_list(g["none"])))
    share = _noise_share(result, outcome)
    if share > 0:
        parts.append(f"Replication noise is {100 * share:.0f}% of this outcome's variance.")
    return Markup(" ").join(parts)


def _by_mechanism(result: Any) -> dict[str, list[str]]:
    """From the mechanism side: the outcomes each driver drives (drivers only)."""
    drives: dict[str, list[str]] = {}
    for outcome in result.outcomes:
        for factor in classify(result, outcome)["drivers"]:
            drives.setdefault(mechanism(factor), []).append(label(outcome))
    return dict(sorted(drives.items(), key=lambda kv: -len(kv[1])))


def summary_lines(result: Any) -> list[str]:
    """One plain line per outcome for the command line: drivers, then what cannot be ranked."""
    lines = []
    for outcome in result.outcomes:
        g = classify(result, outcome)
        parts = []
        if g["drivers"]:
            parts.append("driven by " + ", ".join(mechanism(f) for f in g["drivers"]))
        if g["indistinct"]:
            parts.append("not distinguishable: " + ", ".join(mechanism(f) for f in g["indistinct"]))
        if g["minor"]:
            parts.append("minor: " + ", ".join(mechanism(f) for f in g["minor"]))
        lines.append(f"{outcome}: " + ("; ".join(parts) or "no mechanism stands out"))
    return lines


def _png(fig: Any) -> bytes:
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _table(frame: pd.DataFrame) -> Markup:
    if frame.empty:
        return Markup("")
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    return Markup(table(shown, {c: plain(c) for c in shown.columns}, unit_column=""))


def sensitivity_section(result: Any, images: dict[str, bytes] | None = None) -> Section:
    """The report section, figures embedded as base64 PNG."""
    meta = result.meta
    if images is None:
        images = {name: _png(fig) for name, fig in draw_figures(result).items()}
    problem = meta["problem"]
    indices = result.indices if not result.indices.empty else result.morris
    params = pd.DataFrame(problem["parameters"])[["path", "mechanism", "kind", "low", "high"]]
    body = template_module("sensitivity.html.j2").section(
        meta=meta,
        n_params=len(problem["parameters"]),
        n_factors=len(indices["factor"].unique()) if not indices.empty else 0,
        factors="mechanisms" if problem["grouped"] else "parameters",
        sentences=[_sentence(result, o) for o in result.outcomes],
        drives=_by_mechanism(result),
        warnings=result.warnings,
        figures=Markup("".join(figure(png, caption(n, result), n) for n, png in images.items())),
        indices=_table(indices),
        noise=_table(result.noise),
        params=_table(params),
    )
    return Section(f"Which mechanisms drive the outcomes ({meta['scenario']})", body, "sensitivity")


def write_report(
    result: Any, directory: str | Path, figures: bool = True, name: str = "report.html"
) -> list[Path]:
    """Write the report (``name``) and ``figures/*.png`` into ``directory``."""
    directory = Path(directory)
    written = []
    images = {n: _png(fig) for n, fig in draw_figures(result).items()} if figures else {}
    if images:
        (directory / "figures").mkdir(parents=True, exist_ok=True)
    stem = Path(name).stem
    prefix = "sensitivity" if stem == "report" else f"sensitivity_{stem}"
    for n, png in images.items():
        written.append(write_file(directory / "figures" / f"{prefix}_{n}.png", png))
    title = f"Sensitivity analysis: {result.meta['scenario']}"
    written.append(write_file(directory / name, page(title, [sensitivity_section(result, images)])))
    return written
