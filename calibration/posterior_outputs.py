"""The posterior route end to end: prepare, weight, ABC-SMC, and write what it found.

Outputs (in ``<out>/``): ``posterior_samples.parquet`` (final population with weights),
``tables/credible_intervals``, ``tables/posterior_predictive``, ``tables/abc_generations``
(CSV and Parquet), ``posterior_marginals.png`` and ``posterior_pairs.png``,
``posterior_report.html`` and, with a lab or scenario base, the calibrated scenario at the
posterior median carrying ``posterior.scenario_draws`` draws, so that ``synclusive compare``
runs each replication with its own draw.
"""

from __future__ import annotations

import html
import json
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration.config import CalibrationConfig
from calibration.evaluate import Evaluator
from calibration.export import calibrated_file_text, export_name, load_text
from calibration.journal import Journal
from calibration.outputs import write_table, write_text
from calibration.posterior import Posterior, run_posterior
from experiments.comparison.report import png_bytes

if TYPE_CHECKING:
    from calibration.fit import Problem

NO_FILE = (
    "none (a parameter-file base names no lab or scenario); the samples are in "
    "posterior_samples.parquet"
)


@dataclass
class PosteriorResult:
    """A posterior calibration: the prepared problem and the posterior."""

    problem: Problem
    posterior: Posterior


def calibrate_posterior(
    config: CalibrationConfig,
    out: str | Path,
    executor: Executor,
    jobs: int = 1,
    restart: bool = False,
) -> PosteriorResult:
    """Prepare the data and weighting as the MSM fit does, run ABC-SMC, write the outputs.

    The weighting pilot's runs are journalled in ``<out>/posterior/pilot.jsonl`` and the
    generations in ``<out>/posterior/abc.db``, so rerunning resumes.
    """
    from calibration.fit import model_weighting, prepare

    out = Path(out)
    problem = prepare(config)
    journal_path = out / "posterior" / "pilot.jsonl"
    if restart:
        journal_path.unlink(missing_ok=True)
    journal = Journal(journal_path, problem.fingerprint())
    f = config.fit
    if f.aggregate_covariance == "model":
        evaluator = Evaluator(
            problem.space, problem.specs, f.seed, problem.burn_in, executor, journal
        )
        model_weighting(problem, evaluator)
    posterior = run_posterior(problem, executor, out, jobs, restart)
    posterior.files = write_posterior(problem, posterior, out)
    return PosteriorResult(problem, posterior)


def marginal_figure(samples: pd.DataFrame, names: list[str], intervals: pd.DataFrame):
    """Weighted histogram of each parameter with its 90% credible interval (and truth)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 2.6), squeeze=False)
    w = samples["weight"].to_numpy()
    for ax, name in zip(axes[0], names, strict=True):
        row = intervals.set_index("parameter").loc[name]
        ax.hist(
            samples[name],
            bins=20,
            weights=w,
            range=(row["lower_bound"], row["upper_bound"]),
            color="tab:blue",
            alpha=0.7,
        )
        ax.axvspan(row["ci90_low"], row["ci90_high"], color="tab:blue", alpha=0.12)
        ax.axvline(row["posterior_median"], color="tab:blue")
        if "true_value" in row and np.isfinite(row["true_value"]):
            ax.axvline(row["true_value"], color="black", ls="--", label="true value")
            ax.legend(fontsize=7)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def pairs_figure(samples: pd.DataFrame, names: list[str], intervals: pd.DataFrame):
    """Pairwise scatter of the weighted population (marker area by weight)."""
    import matplotlib.pyplot as plt

    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.6 * k, 2.6 * k), squeeze=False)
    w = samples["weight"].to_numpy()
    bounds = intervals.set_index("parameter")
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(samples[xj], bins=20, weights=w, color="tab:blue", alpha=0.7)
            else:
                ax.scatter(samples[xj], samples[yi], s=400 * w / w.max() * 0.1 + 1, alpha=0.5)
                ax.set_ylim(bounds.loc[yi, "lower_bound"], bounds.loc[yi, "upper_bound"])
            ax.set_xlim(bounds.loc[xj, "lower_bound"], bounds.loc[xj, "upper_bound"])
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(xj, fontsize=7)
            if j == 0:
                ax.set_ylabel(yi, fontsize=7)
    fig.tight_layout()
    return fig


def write_posterior(problem: Problem, posterior: Posterior, out: Path) -> dict[str, Path]:
    """Write samples, tables, figures, report and (lab or scenario base) calibrated scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    tables = out / "tables"
    tables.mkdir(exist_ok=True)
    files: dict[str, Path] = {}
    samples = out / "posterior_samples.parquet"
    tmp = samples.with_name(samples.name + ".tmp")
    posterior.samples.to_parquet(tmp, index=False)
    tmp.replace(samples)
    files["samples"] = samples
    for name, table in (
        ("credible_intervals", posterior.intervals),
        ("posterior_predictive", posterior.predictive),
        ("abc_generations", posterior.generations),
    ):
        for path in write_table(table, tables, name):
            files[f"{name}.{path.suffix[1:]}"] = path
    names = problem.space.names
    figures = {}
    for key, fig in (
        ("marginals", marginal_figure(posterior.samples, names, posterior.intervals)),
        ("pairs", pairs_figure(posterior.samples, names, posterior.intervals)),
    ):
        data = png_bytes(fig)
        plt.close(fig)
        path = out / f"posterior_{key}.png"
        path.write_bytes(data)
        files[key] = path
        figures[key] = data
    calibrated = _calibrated_scenario(problem, posterior, out)
    if calibrated is not None:
        files["calibrated_file"] = calibrated
    files["summary"] = write_text(
        out / "posterior.json",
        json.dumps(
            {
                "parameters": names,
                "posterior_median": posterior.intervals["posterior_median"].tolist(),
                "ci90_low": posterior.intervals["ci90_low"].tolist(),
                "ci90_high": posterior.intervals["ci90_high"].tolist(),
                "generations": len(posterior.generations),
                "simulations": posterior.simulations,
                "seconds": round(posterior.seconds, 1),
                "resumed_from_generation": posterior.resumed_from,
                "predictive_inside_90": (
                    int(posterior.predictive["inside_90"].sum())
                    if len(posterior.predictive)
                    else None
                ),
                "calibrated_file": calibrated.name if calibrated is not None else None,
                "settings": problem.config.posterior.model_dump(),
            },
            indent=2,
        ),
    )
    report = out / "posterior_report.html"
    files["report"] = _report(problem, posterior, figures, calibrated, report)
    return files


def _calibrated_scenario(problem: Problem, posterior: Posterior, out: Path) -> Path | None:
    """The calibrated scenario at the posterior median, carrying posterior draws."""
    name = export_name(problem.base)
    if name is None:
        return None
    settings = problem.config.posterior
    space = problem.space
    median = posterior.intervals["posterior_median"].to_numpy()
    sd = posterior.intervals["posterior_sd"].to_numpy()
    draws = None
    if settings.scenario_draws and not name.endswith("lab.toml"):
        sample = posterior.draws(settings.scenario_draws, settings.seed)
        paths = space.named_paths()
        draws = [
            dict(zip(paths, space.values(row.to_numpy(dtype=float)), strict=True))
            for _, row in sample[space.names].iterrows()
        ]
    intervals = "; ".join(
        f"{r.parameter}: 90% credible {r.ci90_low:.4g} to {r.ci90_high:.4g}"
        for r in posterior.intervals.itertuples(index=False)
    )
    text = calibrated_file_text(
        problem,
        median,
        sd,
        None,
        f"Posterior medians ± posterior sd above. {intervals}.",
        out / name,
        draws,
        method="ABC-SMC posterior, pyabc",
    )
    assert text is not None
    load_text(problem, text)  # composes as synclusive compare will, draws included
    return write_text(out / name, text)


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="t")


def _report(
    problem: Problem, posterior: Posterior, figures: dict, calibrated: Path | None, path: Path
):
    import base64

    img = {k: base64.b64encode(v).decode("ascii") for k, v in figures.items()}
    settings = problem.config.posterior
    gens = posterior.generations
    ppc = posterior.predictive
    truth = ""
    if "true_value" in posterior.intervals:
        inside = int(posterior.intervals["truth_in_ci90"].sum())
        truth = (
            f"<p>Synthetic data: the true value lies inside the 90% credible interval for "
            f"{inside} of {len(posterior.intervals)} parameters.</p>"
        )
    check = (
        f"<p>{int(ppc['inside_90'].sum())} of {len(ppc)} observed moments lie inside the 90% "
        "band of the posterior predictive distribution (model runs at posterior draws, each "
        "with its own seed, plus the published error of public statistics). "
        "<code>share_below_observed</code> near 0 or 1 marks a moment the posterior cannot "
        "reproduce.</p>" + _table(ppc)
        if len(ppc)
        else "<p>No predictive check (posterior.predictive_draws = 0).</p>"
    )
    label = problem.config.data.label
    body = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Posterior of the calibrated parameters</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table.t{{border-collapse:collapse;font-size:13px}}
table.t td,table.t th{{padding:3px 8px;border-bottom:1px solid #ddd}} img{{max-width:100%}}
.banner{{background:#fff3cd;padding:8px;border:1px solid #e0c060}}</style></head><body>
<h1>Posterior of the calibrated parameters (ABC-SMC)</h1>
{f'<p class="banner">Data: {html.escape(label)}</p>' if label else ""}
<p>{len(problem.specs)} moments, {len(problem.space.names)} parameters; uniform priors over the
search ranges; distance sqrt(g'Wg) with the weighting matrix of the simulated-moments fit;
{settings.population_size} particles per generation, {len(gens)} generations,
{posterior.simulations} simulations in {posterior.seconds:.0f} s (pyabc
{_pyabc_version()}).</p>
<h2>Credible intervals</h2>
{_table(posterior.intervals)}
{truth}
<img src="data:image/png;base64,{img["marginals"]}">
<img src="data:image/png;base64,{img["pairs"]}">
<h2>Generations</h2>
{_table(gens)}
<h2>Posterior predictive check</h2>
{check}
<p>The calibrated model: {html.escape(calibrated.name) if calibrated else NO_FILE}.</p>
</body></html>"""
    return write_text(path, body)


def _pyabc_version() -> str:
    import pyabc

    return pyabc.__version__
