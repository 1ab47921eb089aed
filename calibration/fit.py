"""A whole calibration: data -> moments -> weighting -> search -> uncertainty -> outputs.

>>> from calibration import calibrate, load_config
>>> result = calibrate(load_config("calibration/data/synthetic/calibration.toml"),
...                    "outputs/calibration")                      # doctest: +SKIP

Running the same call again after an interruption resumes from the journal in
``<out>/checkpoint/`` and ends with the same result as an uninterrupted fit.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from calibration import formats
from calibration.base import ModelBase
from calibration.bootstrap import moment_covariance, weighting_matrix
from calibration.config import CalibrationConfig
from calibration.errors import CalibrationError
from calibration.evaluate import WEIGHTING, Evaluator
from calibration.export import check_export
from calibration.journal import Journal
from calibration.moments import (
    MomentSpec,
    ObservedData,
    Suppressed,
    build_moments,
    data_horizon,
    observed_moments,
)
from calibration.optimise import SearchResult, SearchSettings, population_size, search
from calibration.outputs import write_outputs
from calibration.space import ParameterSpace
from calibration.uncertainty import (
    SHRINKAGE,
    Identification,
    Uncertainty,
    bounded_interval,
    estimate_uncertainty,
    identification,
    model_covariance,
    parametric_covariance,
)
from experiments.runner.executors import SerialExecutor
from simulator.errors import format_validation_error
from simulator.params import ModelParams


@dataclass
class Problem:
    """Everything fixed before the search: data moments, weighting, parameters."""

    config: CalibrationConfig
    data: ObservedData
    specs: list[MomentSpec]
    suppressed: list[Suppressed]
    observed: np.ndarray
    cell_sizes: np.ndarray
    data_cov: np.ndarray
    weight: np.ndarray
    space: ParameterSpace
    lab_params: ModelParams
    burn_in: int
    base: ModelBase | None = None
    truth: dict[str, float] | None = None

    @property
    def degrees_of_freedom(self) -> int:
        """Moments minus free parameters (0: exactly identified, no over-identification test)."""
        return len(self.specs) - len(self.space.names)

    def fingerprint(self) -> str:
        """Hash of everything that determines the fit's evaluations and result."""
        blob = json.dumps(
            {
                "moments": [s.name for s in self.specs],
                "observed": self.observed.tolist(),
                "weight": np.round(self.weight, 12).tolist(),
                "parameters": [(p.path, p.lower, p.upper) for p in self.space.parameters],
                "base": self.space.base.model_dump(mode="json"),
                "fit": self.config.fit.model_dump(),
                "burn_in": self.burn_in,
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def load_data(config: CalibrationConfig) -> ObservedData:
    """Read the configured files (each checked against its format)."""
    d = config.data
    data = ObservedData(labour_force=d.labour_force)
    for name, loader in (
        ("aggregate", formats.load_aggregate),
        ("panel", formats.load_panel),
        ("public", formats.load_public),
    ):
        path = config.path(getattr(d, name))
        if path is not None:
            setattr(data, name, loader(path))
            data.sources[name] = str(path)
    data.horizon = config.model.months or data_horizon(data)
    if data.horizon < 1:
        raise CalibrationError(
            f"{', '.join(data.sources.values())}: the data cover no month; give rows with a "
            "month >= 1 (or set model.months)"
        )
    return data


def load_truth(config: CalibrationConfig, names: list[str]) -> dict[str, float] | None:
    """Known true values of synthetic data (``data.truth``), keyed by parameter path."""
    path = config.path(config.data.truth)
    if path is None:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalibrationError(f"{config.source}: data.truth: {path} not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CalibrationError(f"{config.source}: data.truth: {path} is not JSON ({err})") from None
    values = raw.get("truth", raw) if isinstance(raw, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()
    ):
        raise CalibrationError(
            f'{path}: expected {{"truth": {{parameter path: number}}}} as make_synthetic writes it'
        )
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise CalibrationError(
            f"{path}: truth: {unknown} are not estimated; estimated parameters: {names}"
        )
    return {k: float(v) for k, v in values.items()}


def check_counts(config: CalibrationConfig, n_moments: int, n_parameters: int) -> None:
    """Refuse more free parameters than moments: such a fit cannot be identified."""
    if n_parameters > n_moments:
        raise CalibrationError(
            f"{config.source}: [[parameters]]: {n_parameters} free parameters but the data "
            f"give only {n_moments} moments: more parameters than moments cannot be "
            f"identified (degrees of freedom {n_moments - n_parameters}); estimate at most "
            f"{n_moments} parameters or add data"
        )


def _check_interventions(data: ObservedData, params: ModelParams) -> None:
    known = [s.name for s in params.interventions]
    for name, table in (("panel", data.panel), ("aggregate", data.aggregate)):
        if table is None or "intervention" not in table:
            continue
        used = set(table["intervention"].dropna()) - {""}
        unknown = sorted(used - set(known))
        if unknown:
            raise CalibrationError(
                f"{data.sources[name]}: intervention(s) {unknown} are not in the base parameters; "
                f"interventions in force: {known or 'none'}"
            )


def prepare(config: CalibrationConfig) -> Problem:
    """Load data, build moments and their covariance, and set up the parameter space."""
    data = load_data(config)
    base = config.model_base()
    lab = base.params
    _check_interventions(data, lab)
    values = lab.model_dump()
    values["months"] = config.model.burn_in + data.horizon
    if config.model.persons is not None:
        values["population"]["n_persons"] = config.model.persons
    try:
        run = ModelParams.model_validate(values)
    except ValidationError as err:
        where = f"{config.source}: [model] persons and burn_in (with the data's months)"
        raise CalibrationError(format_validation_error(err, ModelParams, where)) from None
    specs, suppressed = build_moments(data, config.moments.window_months, config.moments.min_cell)
    check_counts(config, len(specs), len(config.parameters))
    observed, sizes = observed_moments(specs, data)
    f = config.fit
    cov = moment_covariance(specs, data, observed, f.bootstrap, f.block_months, f.seed)
    weight = weighting_matrix(cov, f.weighting)
    # Unset bounds must be absent, not None, so the space falls back to the uncertainty range.
    try:
        space = ParameterSpace(run, [p.model_dump(exclude_none=True) for p in config.parameters])
    except CalibrationError as err:  # named with the file the parameters come from
        raise CalibrationError(f"{config.source}: [[parameters]]: {err}") from None
    problem = Problem(
        config,
        data,
        specs,
        suppressed,
        observed,
        sizes,
        cov,
        weight,
        space,
        lab,
        config.model.burn_in,
        base,
        load_truth(config, space.names),
    )
    # A calibrated scenario that would not compose must fail now, not after the search.
    check_export(problem)
    return problem


def published(problem: Problem) -> np.ndarray:
    """Moments with a published standard error (public statistics)."""
    return np.array([s.source == "public" for s in problem.specs])


def model_weighting(problem: Problem, evaluator: Evaluator) -> None:
    """Parametric bootstrap: the weighting matrix from the model's run-to-run covariance.

    A block bootstrap of one monitored time series sees its persistent swings as trends and
    understates how much window means vary, and resampling participants misses the market
    swings all participants share. The model's run-to-run covariance at the base parameters
    (clipped into the bounds), scaled to the lab's size, stands in for both; public
    statistics add their published variance to it (see
    :func:`~calibration.uncertainty.parametric_covariance`). The pilot runs have their own
    seeds, independent of the search's and the standard errors'.
    """
    sp = problem.space
    pilot = np.clip(sp.defaults, sp.lower, sp.upper)
    runs = evaluator.on_stream(WEIGHTING)
    reps = runs.moments([pilot], problem.config.fit.se_replications)[0]
    problem.data_cov = parametric_covariance(
        problem.data_cov, model_covariance(reps), published(problem), size_ratio(problem), SHRINKAGE
    )
    problem.weight = weighting_matrix(problem.data_cov, problem.config.fit.weighting)


def size_ratio(problem: Problem) -> float:
    """Simulated labour force over the lab's (1 when the data do not say how big the lab is).

    Moments' run-to-run variance falls with the labour force they are counted over, so the
    model's is scaled by this ratio to stand for the lab's. The simulated labour force is the
    population times its activity at set-up (``1 - initial_inactive_share``), which the spin-up
    keeps within a few per cent; the whole population would overstate it by the inactive
    share.
    """
    data = problem.data
    lab = data.labour_force
    a = data.aggregate
    if a is not None:
        rows = a[(a["indicator"] == "labour_force") & (a["group"] == "all")]
        if len(rows):
            lab = float(rows["value"].mean())
    if not lab:
        return 1.0
    population = problem.space.base.population
    return population.n_persons * (1.0 - population.initial_inactive_share) / lab


@dataclass
class CalibrationResult:
    """Outcome of a calibration."""

    problem: Problem
    search: SearchResult
    uncertainty: Uncertainty
    identification: Identification
    calibrated: ModelParams
    outputs: dict[str, Path]
    allow_unidentified: bool = False

    @property
    def withheld(self) -> bool:
        """Whether the calibrated model is not written: some estimates are not pinned down
        and the calibration was not told to write it anyway."""
        return bool(self.identification.unidentified) and not self.allow_unidentified

    @property
    def estimates(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals."""
        sp = self.problem.space
        se = self.uncertainty.se
        x = self.search.x
        low, high = x - 1.96 * se, x + 1.96 * se
        b_low, b_high = bounded_interval(x, se, sp.lower, sp.upper)
        table = pd.DataFrame(
            {
                "parameter": sp.names,
                "estimate": x,
                "se": se,
                "ci_low": low,
                "ci_high": high,
                # the interval runs past a bound: read the logit-scale one instead
                "crosses_bound": (low < sp.lower) | (high > sp.upper),
                "ci_low_bounded": b_low,
                "ci_high_bounded": b_high,
                "lower_bound": sp.lower,
                "upper_bound": sp.upper,
                "base_value": sp.defaults,
            }
        )
        truth = self.problem.truth
        if truth:
            table.insert(1, "true_value", [truth.get(n, np.nan) for n in sp.names])
        return table


def calibrate(
    config: CalibrationConfig,
    out: str | Path | None,
    executor: Executor | None = None,
    progress: bool = False,
    restart: bool = False,
    allow_unidentified: bool = False,
) -> CalibrationResult:
    """Fit the model to the configured data and write the outputs to ``out``.

    Parameters
    ----------
    config
        Validated settings.
    out
        Output folder; its ``checkpoint/`` makes a rerun resume. ``None``: nothing is written
        (no outputs, no checkpoint).
    executor
        Where simulations run (any ``concurrent.futures.Executor``); default: this process.
    progress
        Show a progress bar.
    restart
        Discard an existing checkpoint.
    allow_unidentified
        Write the calibrated model (parameters and scenario) even when some estimates are
        not pinned down; otherwise only the report, tables and summary are written then.
    """
    # Imported here: tqdm.auto probes for a notebook: only a progress bar needs it.
    from tqdm.auto import tqdm

    problem = prepare(config)
    journal = None
    if out is not None:
        out = Path(out)
        journal_path = out / "checkpoint" / "evaluations.jsonl"
        if restart and journal_path.exists():
            journal_path.unlink()
        journal = Journal(journal_path, problem.fingerprint())
    f = config.fit
    settings = SearchSettings(
        popsize=f.popsize,
        maxiter=f.maxiter,
        tol=f.tol,
        seed=f.seed,
        replications=f.replications,
    )
    n_par = len(problem.space.names)
    # candidates: the weighting pilot, the search's, then the Jacobian's points, the runs at
    # the estimate and the estimate itself
    after = 2 * n_par + 2
    pilot = int(f.aggregate_covariance == "model")
    total = pilot + population_size(settings, n_par) * (f.maxiter + 1) + after
    bar = tqdm(total=total, desc="calibration", unit="candidate", disable=not progress)
    evaluator = Evaluator(
        problem.space,
        problem.specs,
        f.seed,
        problem.burn_in,
        executor if executor is not None else SerialExecutor(),
        journal,
        on_done=bar.update,
    )
    try:
        if f.aggregate_covariance == "model":
            model_weighting(problem, evaluator)
        found = search(evaluator, problem.observed, problem.weight, settings)
        bar.total = bar.n + after
        unc = estimate_uncertainty(
            evaluator,
            found.x,
            problem.observed,
            problem.data_cov,
            problem.weight,
            f.replications,
            f.se_replications,
            f.jacobian_step,
            published=published(problem) if f.aggregate_covariance == "model" else None,
            scale=size_ratio(problem),
        )
    finally:
        bar.close()
    ident = identification(
        problem.specs,
        problem.space.names,
        problem.space.lower,
        problem.space.upper,
        unc.jacobian,
        unc.data_covariance,
        unc.se,
        unc.information,
        unc.covariance,
        unc.jacobian_noise,
    )
    calibrated = problem.space.candidate(found.x, base=problem.lab_params)
    result = CalibrationResult(problem, found, unc, ident, calibrated, {}, allow_unidentified)
    if out is not None:
        result.outputs = write_outputs(result, out)
    return result
