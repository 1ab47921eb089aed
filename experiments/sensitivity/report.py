"""The sensitivity section of the HTML report: which mechanisms drive which outcomes, in words.

:func:`sensitivity_section` returns the section as an HTML fragment (figures embedded), so
any report can include it; :func:`write_report` writes it as a page of its own
(``report.html``) with the figures as PNG files beside it.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sensitivity.figures import CAPTIONS, draw_figures
from experiments.sensitivity.outcomes import label
from simulator.tables import write_file

#: A factor *drives* an outcome when its total index is above this share of the variance with
#: its whole interval (and above the outcome's replication-noise share).
DRIVER_SHARE = 0.05


def _name(factor: str) -> str:
    return str(factor).replace("_", " ")


def _noise_share(result: Any, outcome: str) -> float:
    row = result.noise[result.noise["outcome"] == outcome]
    share = float(row["noise_share"].iloc[0]) if len(row) else float("nan")
    return share if np.isfinite(share) else 0.0


def classify(result: Any, outcome: str) -> dict[str, list[str]]:
    """Factors of an outcome sorted into ``drivers``, ``minor`` and ``none``.

    Sobol': a driver's total index exceeds max(5 %, the noise share) over its whole interval;
    minor: its interval excludes zero but not that floor; none: the rest. Morris: drivers have
    at least half the largest μ*, minor at least a tenth.
    """
    groups: dict[str, list[str]] = {"drivers": [], "minor": [], "none": []}
    if not result.indices.empty:
        floor = max(DRIVER_SHARE, _noise_share(result, outcome))
        t = result.indices[result.indices["outcome"] == outcome].sort_values("ST", ascending=False)
        for r in t.itertuples():
            low = r.ST - r.ST_conf
            key = "drivers" if low > floor else "minor" if low > 0 else "none"
            groups[key].append(r.factor)
        return groups
    t = result.morris[result.morris["outcome"] == outcome].sort_values("mu_star", ascending=False)
    top = float(t["mu_star"].max()) or 1.0
    for r in t.itertuples():
        rel = r.mu_star / top
        groups["drivers" if rel >= 0.5 else "minor" if rel >= 0.1 else "none"].append(r.factor)
    return groups


def _list(names: list[str]) -> str:
    names = [f"<b>{html.escape(_name(n))}</b>" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(result: Any, outcome: str) -> str:
    g = classify(result, outcome)
    what = html.escape(label(outcome))
    parts = []
    if not result.indices.empty:
        t = result.indices[result.indices["outcome"] == outcome].set_index("factor")
        detail = ", ".join(
            f"{html.escape(_name(f))} ST {t.loc[f, 'ST']:.2f} ± {t.loc[f, 'ST_conf']:.2f}"
            for f in g["drivers"]
        )
        if g["drivers"]:
            parts.append(f"The {what} is driven by {_list(g['drivers'])} ({detail}).")
        else:
            parts.append(f"No mechanism clearly drives the {what} at this sample size.")
    elif g["drivers"]:
        parts.append(f"Screening puts {_list(g['drivers'])} first for the {what}.")
    if g["minor"]:
        parts.append(f"{_list(g['minor'])} matter less.")
    if g["none"]:
        parts.append(f"{_list(g['none'])} cannot be told apart from no influence.")
    share = _noise_share(result, outcome)
    if share > 0:
        parts.append(f"Replication noise is {100 * share:.0f}% of this outcome's variance.")
    return "<li>" + " ".join(parts) + "</li>"


def _by_mechanism(result: Any) -> str:
    """Plain words from the mechanism side: which outcomes each driver drives."""
    drives: dict[str, list[str]] = {}
    for outcome in result.outcomes:
        for factor in classify(result, outcome)["drivers"]:
            drives.setdefault(factor, []).append(label(outcome))
    if not drives:
        return "<p>No mechanism stands out for any outcome at this sample size.</p>"
    items = "".join(
        f"<li><b>{html.escape(_name(f))}</b> drives the {html.escape('; the '.join(o))}.</li>"
        for f, o in sorted(drives.items(), key=lambda kv: -len(kv[1]))
    )
    return f"<ul>{items}</ul>"


def _png(fig: Any) -> bytes:
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return ""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    return shown.to_html(index=False, escape=True, border=0, classes="sa")


def sensitivity_section(result: Any, images: dict[str, bytes] | None = None) -> str:
    """The report section as HTML (``<section>``), figures embedded as base64 PNG."""

    meta = result.meta
    if images is None:
        images = {name: _png(fig) for name, fig in draw_figures(result).items()}
    figs = "".join(
        f"<figure><img alt='{html.escape(CAPTIONS[n])}' src='data:image/png;base64,"
        f"{base64.b64encode(png).decode()}'/><figcaption>{html.escape(CAPTIONS[n])}"
        "</figcaption></figure>"
        for n, png in images.items()
    )
    problem = meta["problem"]
    n_params = len(problem["parameters"])
    factors = "mechanisms" if problem["grouped"] else "parameters"
    method = (
        f"Sobol' first-order and total indices, base sample N = {meta['samples']}"
        if meta["method"] == "sobol"
        else f"Morris screening, {meta['samples']} trajectories on {meta['levels']} levels"
    )
    sentences = "".join(_sentence(result, o) for o in result.outcomes)
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    params = pd.DataFrame(problem["parameters"])[["path", "mechanism", "kind", "low", "high"]]
    indices = result.indices if not result.indices.empty else result.morris
    return f"""<section id="sensitivity">
<h2>Which mechanisms drive the outcomes ({html.escape(str(meta["scenario"]))})</h2>
<p>{method}, over {n_params} uncertain parameters grouped into {
        len(indices["factor"].unique()) if not indices.empty else 0
    } {factors}; {meta["points"]} parameter sets, each run
{meta["replications"]} times with common random numbers ({meta["runs"]} runs). Every outcome
is the package's effect against the baseline with the same random numbers.</p>
<ul>{sentences}</ul>
<h3>From the mechanisms' side</h3>
{_by_mechanism(result)}
<p class="note">A total index is the share of the outcome's variance across the sampled
parameter ranges that disappears when that {factors[:-1]} is known, interactions included.
Replication noise is the share of that variance due to chance (the jackknife over
replications, an upper bound under common random numbers); an index below it says nothing.</p>
{"<h3>Warnings</h3><ul>" + warnings + "</ul>" if warnings else ""}
{figs}
<h3>Indices</h3>
{_table(indices)}
<h3>Replication noise</h3>
{_table(result.noise)}
<h3>Uncertain parameters</h3>
{_table(params)}
</section>"""


def write_report(result: Any, directory: str | Path, figures: bool = True) -> list[Path]:
    """Write ``report.html`` (and ``figures/*.png``) into ``directory``."""

    directory = Path(directory)
    written = []
    images = {name: _png(fig) for name, fig in draw_figures(result).items()} if figures else {}
    if images:
        (directory / "figures").mkdir(parents=True, exist_ok=True)
    for name, png in images.items():
        path = directory / "figures" / f"sensitivity_{name}.png"
        path.write_bytes(png)
        written.append(path)
    title = f"Sensitivity analysis: {result.meta['scenario']}"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }}
h1 {{ color: #1f4e79; }} h2 {{ border-bottom: 2px solid #1f4e79; padding-bottom: .2em; }}
table {{ border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: .25em .5em; }} th {{ background: #eef3f8; }}
img {{ max-width: 100%; }} figcaption {{ font-size: .9em; color: #555; }}
.note {{ background: #f6f6f6; padding: .6em 1em; border-left: 4px solid #999; }}
</style></head><body><h1>{html.escape(title)}</h1>
{sensitivity_section(result, images)}
</body></html>
"""
    written.append(write_file(directory / "report.html", page))
    return written
