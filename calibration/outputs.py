"""Write a calibration's outputs: calibrated parameters, tables, summary and report.

Everything written is aggregate: panel cells below the threshold, and the cells hidden with
them so that they cannot be worked out by subtraction, appear by name only; exact participant
counts are left out wherever a cell of the same intervention and outcome is hidden; no
participant-level value is ever written. Each file is written to a temporary name and then
renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration.export import calibrated_file_text, export_name
from calibration.moments import disclosive_families
from calibration.report import write_report

if TYPE_CHECKING:
    from calibration.fit import CalibrationResult


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary name, then rename it (a reader never sees half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def write_table(table: pd.DataFrame, directory: Path, name: str) -> list[Path]:
    """Write a table as ``<name>.csv`` and ``<name>.parquet`` in ``directory``."""
    written = []
    for suffix in ("csv", "parquet"):
        path = directory / f"{name}.{suffix}"
        tmp = path.with_name(path.name + ".tmp")
        if suffix == "csv":
            table.to_csv(tmp, index=False)
        else:
            table.to_parquet(tmp, index=False)
        tmp.replace(path)
        written.append(path)
    return written


def moment_table(result: CalibrationResult) -> pd.DataFrame:
    """Observed against simulated moments at the estimate, with 95% bands."""

    p, u = result.problem, result.uncertainty
    reps = u.reps_at_optimum
    # With exact counts, the cells shown would give the pooled mean of the hidden ones.
    hidden = disclosive_families(p.suppressed)
    counted = np.array(
        [s.source == "panel" and (s.intervention, s.indicator) not in hidden for s in p.specs]
    )
    fitted = u.fitted
    obs_se = np.sqrt(np.diag(u.data_covariance))
    with np.errstate(invalid="ignore"):
        run_low = np.nanpercentile(reps, 2.5, axis=0)
        run_high = np.nanpercentile(reps, 97.5, axis=0)
    return pd.DataFrame(
        {
            "moment": [s.name for s in p.specs],
            "source": [s.source for s in p.specs],
            "indicator": [s.indicator for s in p.specs],
            "group": [s.group for s in p.specs],
            "intervention": [s.intervention or "" for s in p.specs],
            "window_first": [s.window[0] for s in p.specs],
            "window_last": [s.window[1] for s in p.specs],
            "participants": np.where(counted, p.cell_sizes, np.nan),
            "observed": p.observed,
            "bootstrap_se": np.sqrt(np.diag(p.data_cov)),
            "observed_se": obs_se,
            "observed_low": p.observed - 1.96 * obs_se,
            "observed_high": p.observed + 1.96 * obs_se,
            "simulated": fitted,
            "run_low": run_low,
            "run_high": run_high,
            "std_residual": (p.observed - fitted) / np.sqrt(np.diag(u.omega)),
        }
    )


def summary(result: CalibrationResult) -> dict:
    """Machine-readable summary of the calibration."""
    p, s, u, i = result.problem, result.search, result.uncertainty, result.identification
    return {
        "data_label": p.config.data.label,
        "data_months": p.data.horizon,
        "burn_in": p.burn_in,
        "simulated_persons": p.space.base.population.n_persons,
        "moments": len(p.specs),
        "suppressed_cells": len(p.suppressed),
        "minimum_cell": p.config.moments.min_cell,
        "parameters": p.space.names,
        "estimate": s.x.tolist(),
        "se": u.se.tolist(),
        "covariance": u.covariance.tolist(),
        "loss": s.loss,
        "generations": s.generations,
        "evaluations": s.evaluations,
        "optimiser_message": s.message,
        "degrees_of_freedom": p.degrees_of_freedom,
        "j_statistic": u.j_statistic,
        "j_df": u.j_df,
        "j_pvalue": u.j_pvalue,
        "jacobian_noise_share": u.jacobian_noise.tolist(),
        "identified_directions": i.rank,
        "not_identified_reason": i.reason,
        "not_pinned_down": list(i.unidentified),
        "calibrated_model_written": not result.withheld,
        "information_condition": i.condition,
        "singular_values": i.singular_values.tolist(),
        "calibrated_file": export_name(p.base),
        "fit_settings": p.config.fit.model_dump(),
    }


def write_outputs(result: CalibrationResult, out: Path) -> dict[str, Path]:
    """Write all outputs; returns them by name."""

    out.mkdir(parents=True, exist_ok=True)
    tables = out / "tables"
    tables.mkdir(exist_ok=True)
    files: dict[str, Path] = {}
    name = export_name(result.problem.base)
    for stale in ("calibrated_params.json", name):
        # a rerun that withholds the calibrated model must not leave an earlier one behind
        if stale and result.withheld and (out / stale).exists():
            (out / stale).unlink()
    if not result.withheld:
        files["calibrated_params"] = write_text(
            out / "calibrated_params.json",
            json.dumps(result.calibrated.model_dump(mode="json"), indent=2),
        )
    if name is not None and not result.withheld:
        sp = result.problem.space
        # the file names parameters as scenario files do (list items by name)
        named = dict(zip(sp.names, sp.named_paths(), strict=True))
        u = result.uncertainty
        p_value = "n/a" if np.isnan(u.j_pvalue) else f"{u.j_pvalue:.3g}"
        text = calibrated_file_text(
            result.problem,
            result.search.x,
            u.se,
            result.identification.table["verdict"].tolist(),
            f"Over-identification: J = {u.j_statistic:.3g} on {u.j_df} degrees of freedom "
            f"(p = {p_value})."
            + (
                "\nWARNING: written with --allow-unidentified; not pinned down: "
                + ", ".join(named[n] for n in result.identification.unidentified)
                if result.identification.unidentified
                else ""
            ),
            out / name,
        )
        assert text is not None
        files["calibrated_file"] = write_text(out / name, text)
    files["summary"] = write_text(
        out / "calibration.json", json.dumps(summary(result), indent=2, default=float)
    )
    moments = moment_table(result)
    suppressed = pd.DataFrame(
        {
            "moment": [c.spec.name for c in result.problem.suppressed],
            "reason": [c.reason for c in result.problem.suppressed],
        }
    )
    identification = result.identification.table
    for name, table in (
        ("moments", moments),
        ("suppressed_cells", suppressed),
        ("estimates", result.estimates),
        ("loss_history", result.search.history),
        ("identification", identification),
    ):
        for path in write_table(table, tables, name):
            files[f"{name}.{path.suffix[1:]}"] = path
    files["report"] = write_report(result, moments, out / "fit_report.html")
    return files
