"""The fit report: one self-contained HTML page (figures embedded as PNG).

It shows what was fitted and how well: estimates with standard errors, observed against
simulated moments with 95% bands, standardised residuals, the loss history and the
identification diagnostics. Only aggregate moments appear; small panel cells are listed by
name only.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration.export import LAB_FILE, export_name
from calibration.uncertainty import PINNED_SINGULAR_VALUE

if TYPE_CHECKING:
    from calibration.fit import CalibrationResult


def _png(fig) -> str:
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def fit_figure(moments: pd.DataFrame):
    """Small multiples: one panel per moment family, observed vs simulated by window."""
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    keys = ["source", "indicator", "group", "intervention"]
    families = list(moments.groupby(keys, sort=False))
    cols = min(4, len(families))
    rows = math.ceil(len(families) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, (key, fam) in zip(axes.ravel(), families, strict=False):
        x = np.arange(len(fam))
        ax.errorbar(
            x - 0.08,
            fam["observed"],
            yerr=1.96 * fam["observed_se"],
            fmt="o",
            color="black",
            label="observed ±95%",
            ms=4,
        )
        ax.errorbar(
            x + 0.08,
            fam["simulated"],
            yerr=[
                np.clip(fam["simulated"] - fam["run_low"], 0, None),
                np.clip(fam["run_high"] - fam["simulated"], 0, None),
            ],
            fmt="s",
            color="tab:blue",
            label="simulated (runs 95%)",
            ms=4,
        )
        ax.set_xticks(
            x,
            [f"{a}-{b}" for a, b in zip(fam["window_first"], fam["window_last"], strict=True)],
            fontsize=7,
        )
        title = " · ".join(str(k) for k in key if k)
        ax.set_title(title, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(families) :]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def residual_figure(moments: pd.DataFrame):
    """Standardised residuals of every moment with the ±2 band."""
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.22 * len(moments) + 1.2))
    y = np.arange(len(moments))
    ax.barh(y, moments["std_residual"], color="tab:blue")
    ax.axvline(-2, color="grey", ls="--")
    ax.axvline(2, color="grey", ls="--")
    ax.set_yticks(y, moments["moment"], fontsize=6)
    ax.invert_yaxis()
    ax.set_xlabel("(observed − simulated) / sd")
    fig.tight_layout()
    return fig


def loss_figure(history: pd.DataFrame):
    """Best and median loss per generation."""
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(history["generation"], history["best_loss"], label="best so far")
    ax.plot(
        history["generation"], history["generation_median"], label="generation median", alpha=0.7
    )
    ax.set_yscale("log")
    ax.set_xlabel("generation")
    ax.set_ylabel("MSM loss")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def singular_figure(singular_values: np.ndarray):
    """Noise-corrected singular values of the standardised Jacobian, with the line above which
    a direction is pinned down."""
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.6))
    # a direction with no information left after the noise is taken out is drawn at the floor
    floor = PINNED_SINGULAR_VALUE / 100
    ax.bar(np.arange(1, singular_values.size + 1), np.maximum(singular_values, floor))
    ax.axhline(PINNED_SINGULAR_VALUE, color="grey", ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("direction")
    ax.set_ylabel("singular value")
    fig.tight_layout()
    return fig


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="t")


def write_report(result: CalibrationResult, moments: pd.DataFrame, path: Path) -> Path:
    """Write the HTML report."""
    # Imported here: matplotlib is slow to load: only figures need it.
    import matplotlib

    matplotlib.use("Agg")
    p, s, u, ident = result.problem, result.search, result.uncertainty, result.identification
    label = p.config.data.label
    sources = ", ".join(f"{k}: {Path(v).name}" for k, v in p.data.sources.items())
    figs = {
        "fit": _png(fit_figure(moments)),
        "residuals": _png(residual_figure(moments)),
        "loss": _png(loss_figure(s.history)) if len(s.history) else "",
        "singular": _png(singular_figure(ident.singular_values)),
    }
    suppressed = (
        "<ul>"
        + "".join(
            f"<li>{html.escape(c.spec.name)}: {html.escape(c.reason)}</li>" for c in p.suppressed
        )
        + "</ul>"
        if p.suppressed
        else "<p>None.</p>"
    )
    jp = "n/a" if math.isnan(u.j_pvalue) else f"{u.j_pvalue:.3f}"
    name = export_name(p.base)
    calibrated = (
        f"{name} (run it with synclusive compare"
        + (" PACKAGE --lab" if name == LAB_FILE else "")
        + f" {name}) and calibrated_params.json"
        if name
        else "calibrated_params.json (run it with synclusive run --params)"
    )
    over = (
        f"Over-identification J = {u.j_statistic:.3g} on {u.j_df} degrees of freedom (p = {jp})."
        if p.degrees_of_freedom > 0
        else "Exactly identified: as many moments as parameters, so no over-identification test."
    )
    written = "not written (see below)" if result.withheld else html.escape(calibrated)
    withheld = (
        '<p class="banner">The calibrated model was <strong>not written</strong>: some '
        "estimates are not pinned down (see Identification). Rerun with "
        "<code>--allow-unidentified</code> to write it anyway.</p>"
        if result.withheld
        else ""
    )
    est = result.estimates
    crosses = est[est["crosses_bound"]]
    crossing = (
        '<p class="banner">The 95% interval of '
        + ", ".join(html.escape(n) for n in crosses["parameter"])
        + " runs past the search range, which the parameter cannot leave; read the interval "
        "on the logit scale of the range (<code>ci_low_bounded</code> to "
        "<code>ci_high_bounded</code>), which stays inside it.</p>"
        if len(crosses)
        else ""
    )
    truth = ""
    if "true_value" in est:
        inside = (est["true_value"] >= est["ci_low_bounded"]) & (
            est["true_value"] <= est["ci_high_bounded"]
        )
        truth = (
            "<p>Synthetic data: the true values (from "
            f"{html.escape(str(p.config.data.truth))}) lie inside the 95% interval for "
            f"{int(inside.sum())} of {int(est['true_value'].notna().sum())} parameters.</p>"
        )
    shown = moments.drop(
        columns=["source", "indicator", "group", "intervention", "window_first", "window_last"]
    )
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table.t{border-collapse:collapse;font-size:13px}"
        "table.t td,table.t th{padding:3px 8px;border-bottom:1px solid #ddd}"
        ".banner{background:#fff3cd;padding:8px;border:1px solid #e0c060} img{max-width:100%}"
    )
    fit = p.config.fit
    covariance = (
        "from the model's run-to-run variation at the estimate, scaled to the lab's size"
        if fit.aggregate_covariance == "model"
        else "by bootstrap of the data"
    )
    body = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Calibration fit report</title>
<style>{style}</style></head><body>
<h1>Calibration fit report</h1>
{f'<p class="banner">Data: {html.escape(label)}</p>' if label else ""}
<p>Data ({html.escape(sources)}), {p.data.horizon} months after a burn-in of {p.burn_in};
{len(p.specs)} moments fitted, {len(p.suppressed)} panel cells suppressed (fewer than
{p.config.moments.min_cell} participants, or hidden with such a cell so that it cannot be
worked out by subtraction). Simulated labour force
{p.space.base.population.n_persons:,}; {fit.replications} replications per candidate with
the same seeds for every candidate (common random numbers).</p>
<h2>Estimates</h2>
{_table(result.estimates)}
{crossing}
{truth}
<p>Base model: {html.escape(p.base.describe() if p.base else "model defaults")}.
The calibrated model: {written}.</p>
<p>Standard errors: MSM sandwich with a central-difference Jacobian (step {fit.jacobian_step:g}
of each range, {fit.se_replications} runs per point, its simulation noise taken out), data
covariance {covariance}, plus the simulation noise of the mean of {fit.replications}
replications; all from runs independent of the search's. Loss {s.loss:.4g} after
{s.generations} generations ({s.evaluations} candidates; {html.escape(s.message)}).
{len(p.specs)} moments and {len(p.space.names)} free parameters: {p.degrees_of_freedom} degrees
of freedom. {over}</p>
{withheld}
<h2>Observed and simulated moments</h2>
<p>Black: observed with 95% interval; blue: simulated mean at the estimate with the 95% range
of single runs.</p>
<img src="data:image/png;base64,{figs["fit"]}">
<img src="data:image/png;base64,{figs["residuals"]}">
<h2>Loss history</h2>
{f'<img src="data:image/png;base64,{figs["loss"]}">' if figs["loss"] else "<p>No generations.</p>"}
<h2>Identification</h2>
<p class="{"banner" if ident.reason or ident.unidentified else ""}">
{html.escape(ident.statement())}</p>
<p>Rank {ident.rank} of {len(p.space.names)}; condition number {ident.condition:.3g}. Both
come from the precision of the estimates in
units of the search ranges (the inverse of the sandwich covariance, whose Jacobian has its
simulation noise taken out): a direction counts when its singular value exceeds 2 × 1.96
(dashed line), that is when its 95% interval is narrower than the search range. A parameter
whose interval is wider than its range therefore lowers the rank. Sensitivity: change of
the weighted moments (in standard deviations) across a parameter's search range, noise taken
out. A parameter is <em>pinned down</em> when its 95% interval covers less than half its
search range.</p>
{_table(ident.table)}
<img src="data:image/png;base64,{figs["singular"]}">
<h2>Moments</h2>
{_table(shown)}
<h2>Suppressed panel cells</h2>
{suppressed}
</body></html>"""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(body)
    tmp.replace(path)
    return path
