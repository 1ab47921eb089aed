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
from markupsafe import Markup

from calibration.export import LAB_FILE, export_name
from calibration.uncertainty import PINNED_SINGULAR_VALUE
from experiments.comparison.layout import Section, figure, page, template_module

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


def _table(df: pd.DataFrame) -> Markup:
    return Markup(df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="t"))


def _img(png: str, caption: str) -> Markup:
    return Markup(figure("data:image/png;base64," + png, caption)) if png else Markup("")


#: Column headings of the stock–flow check in the report.
CONSISTENCY_HEADINGS = {
    "balance": "balance",
    "published": "published E→U",
    "published_se": "SE",
    "implied": "implied by the other figures",
    "implied_low": "95% band from",
    "implied_high": "95% band to",
    "z": "z",
    "consistent": "consistent (|z| ≤ 2)",
    "fitted": "fitted E→U",
    "fitted_std_residual": "fitted residual / SE",
    "model_gap": "model's turnover gap",
}


def consistency_notes(table: pd.DataFrame) -> str:
    """What the stock–flow check says about a missed E→U (empty when the fit meets it)."""
    if "fitted_std_residual" not in table or abs(table["fitted_std_residual"].iloc[0]) <= 2:
        return ""
    miss = f"The fitted E→U misses its figure by {table['fitted_std_residual'].iloc[0]:+.2f} SE. "
    if table["consistent"].all():
        return (
            miss + "The published figures are consistent with each other (|z| ≤ 2 in both "
            "balances), so the data do not rule the figure out: the miss is the model's, a "
            "trade-off with the other moments through the estimated parameters."
        )
    bad = ", ".join(
        f"{r.balance.upper()} balance: implied {r.implied:.4f}, z = {r.z:+.2f}"
        for r in table.itertuples()
        if not r.consistent
    )
    return (
        miss + f"The published E→U disagrees with what the other figures imply ({bad}): a "
        "model that matched the rest exactly would miss it by more than two standard errors."
    )


def write_report(result: CalibrationResult, moments: pd.DataFrame, path: Path) -> Path:
    """Write the HTML report (the reports' shared layout, figures embedded)."""
    # Imported here: matplotlib is slow to load: only figures need it. The consistency check
    # too, so that `python -m calibration.consistency` runs the module it imports only once.
    import matplotlib

    from calibration.consistency import figure_table

    matplotlib.use("Agg")
    p, s, u, ident = result.problem, result.search, result.uncertainty, result.identification
    sources = ", ".join(f"{k}: {Path(v).name}" for k, v in p.data.sources.items())
    figs = {
        "fit": _png(fit_figure(moments)),
        "residuals": _png(residual_figure(moments)),
        "loss": _png(loss_figure(s.history)) if len(s.history) else "",
        "singular": _png(singular_figure(ident.singular_values)),
    }
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
    fit = p.config.fit
    covariance = (
        "from the model's run-to-run variation at the estimate, scaled to the lab's size"
        if fit.aggregate_covariance == "model"
        else "by bootstrap of the data"
    )
    m = template_module("calibration.html.j2")
    check = figure_table(p.data.public, moments) if p.data.public is not None else None
    sections = [
        Section("Data", m.data(p, sources, fit), "data"),
        Section(
            "Estimates",
            m.estimates(
                _table(result.estimates),
                p.base.describe() if p.base else "model defaults",
                "not written (see below)" if result.withheld else calibrated,
                fit,
                covariance,
                s,
                over,
                Markup(crossing + truth + withheld),
            ),
            "estimates",
        ),
        Section(
            "Observed and simulated moments",
            m.moments_fit(
                _img(figs["fit"], "Observed and simulated moments")
                + _img(figs["residuals"], "Standardised residuals")
            ),
            "moments-fit",
        ),
        *(
            [
                Section(
                    "Stock–flow consistency of the published figures",
                    m.consistency(
                        _table(check.rename(columns=CONSISTENCY_HEADINGS)),
                        Markup(html.escape(consistency_notes(check))),
                    ),
                    "consistency",
                )
            ]
            if check is not None
            else []
        ),
        Section(
            "Loss history",
            _img(figs["loss"], "Loss by generation") or "<p>No generations.</p>",
            "loss",
        ),
        Section(
            "Identification",
            m.identification(
                ident,
                len(p.space.names),
                _table(ident.table),
                _img(figs["singular"], "Singular values of the scaled precision"),
            ),
            "identification",
        ),
        Section("Moments", _table(shown), "moments"),
        Section("Suppressed panel cells", m.suppressed(p.suppressed), "suppressed"),
    ]
    css = "table.t td, table.t th { padding: 3px 8px; border: 1px solid #ddd; }"
    label = p.config.data.label
    body = page(
        "Calibration fit report", sections, css=css, banner=f"Data: {label}" if label else ""
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(body)
    tmp.replace(path)
    return path
