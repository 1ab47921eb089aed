"""Calibration settings: a TOML file, validated, with paths relative to the file.

See ``docs/calibration.md`` for an annotated example.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from calibration.base import load_base
from calibration.errors import CalibrationError
from simulator.errors import format_validation_error
from simulator.params import ModelParams

if TYPE_CHECKING:
    from calibration.base import ModelBase


class _Strict(BaseModel):
    # Strict: `lower = true` or `seed = "1"` is a mistake to report, not a value to convert.
    model_config = ConfigDict(extra="forbid", strict=True)


class DataConfig(_Strict):
    """Input files (CSV or Parquet); at least one is needed."""

    aggregate: str | None = Field(None, description="Aggregate monitoring data.")
    panel: str | None = Field(None, description="Pseudonymised participant panel.")
    public: str | None = Field(None, description="Public statistics with standard errors.")
    labour_force: float | None = Field(
        None, gt=0, description="Labour force of the lab, when the data give no labour_force rows."
    )
    label: str = Field("", description="Shown on the report (e.g. 'synthetic example data').")
    truth: str | None = Field(
        None,
        description="Synthetic data only: the JSON file of the values the data were generated "
        "with (``true_params.json``); the report shows them beside the estimates.",
    )

    @model_validator(mode="after")
    def _any(self) -> DataConfig:
        if not (self.aggregate or self.panel or self.public):
            raise ValueError("give at least one of aggregate, panel, public")
        return self


class ModelConfig(_Strict):
    """The model the data are fitted with."""

    base: str | None = Field(
        None,
        description="Where the model starts: a JSON parameter file (as `synclusive run` "
        "writes it), a lab or a scenario (a shipped name or a TOML file); default: the model "
        "defaults. A lab or scenario base makes the calibration write a calibrated scenario "
        "(or lab) file.",
    )
    package: str | None = Field(
        None,
        description="Package in force while the data were collected (a name or a file): "
        "applied to a lab base, or chosen among a scenario's packages.",
    )
    persons: int | None = Field(
        None, ge=20, description="Simulated labour force (default: the base's)."
    )
    months: int | None = Field(None, ge=1, description="Data months (default: from the data).")
    burn_in: int = Field(0, ge=0, le=600, description="Months simulated before data month 1.")


class ParameterConfig(_Strict):
    """One estimated parameter; bounds default to its uncertainty range."""

    path: str
    lower: float | None = None
    upper: float | None = None


class MomentConfig(_Strict):
    """How data become moments."""

    window_months: int = Field(12, ge=1, le=600)
    min_cell: int = Field(
        10,
        ge=5,
        description="Smallest panel cell fitted and reported (at least 5: smaller cells would "
        "describe a handful of identifiable participants).",
    )


class FitConfig(_Strict):
    """Search, weighting and uncertainty settings."""

    seed: int = Field(1, ge=0)
    replications: int = Field(4, ge=1, le=1000)
    popsize: int = Field(8, ge=3, le=200)
    maxiter: int = Field(20, ge=0, le=10_000)
    tol: float = Field(0.01, ge=0)
    bootstrap: int = Field(200, ge=20, le=100_000)
    block_months: int = Field(3, ge=1, le=120)
    weighting: Literal["full", "diagonal"] = "full"
    se_replications: int = Field(
        16,
        ge=2,
        le=1000,
        description="Runs of the weighting pilot, at the estimate, and at each Jacobian point.",
    )
    aggregate_covariance: Literal["model", "bootstrap"] = Field(
        "model",
        description="Covariance of the observed moments in the weighting matrix and standard "
        "errors: the model's run-to-run covariance scaled to the lab's size (parametric "
        "bootstrap; public statistics add their published variance), or the nonparametric "
        "bootstrap of the data.",
    )
    jacobian_step: float = Field(
        0.2,
        gt=0,
        le=0.5,
        description="Half-width of the Jacobian's central differences, as a share of each "
        "search range; small steps are lost in the simulation noise.",
    )


class PosteriorConfig(_Strict):
    """The ABC-SMC posterior (``synclusive calibrate --method abc``)."""

    population_size: int = Field(
        200, ge=10, le=100_000, description="Accepted particles per generation."
    )
    generations: int = Field(
        8, ge=1, le=1000, description="Generations at most (a resumed run counts those stored)."
    )
    min_epsilon: float = Field(
        0.0, ge=0, description="Stop once the distance threshold falls to this value."
    )
    min_acceptance_rate: float = Field(
        0.02,
        ge=0,
        le=1,
        description="Stop once a generation accepts fewer than this share of its simulations.",
    )
    predictive_draws: int = Field(
        50, ge=0, le=100_000, description="Posterior draws simulated for the predictive check."
    )
    scenario_draws: int = Field(
        20,
        ge=0,
        le=10_000,
        description="Posterior draws the calibrated scenario carries (synclusive compare runs "
        "each with its own replications); 0: the posterior median only.",
    )
    seed: int = Field(1, ge=0, description="Seed of the predictive runs and the draws.")


class CalibrationConfig(_Strict):
    """A whole calibration."""

    data: DataConfig
    model: ModelConfig = Field(default_factory=ModelConfig)
    parameters: list[ParameterConfig] = Field(min_length=1)
    moments: MomentConfig = Field(default_factory=MomentConfig)
    fit: FitConfig = Field(default_factory=FitConfig)
    posterior: PosteriorConfig = Field(default_factory=PosteriorConfig)
    root: str = Field(".", description="Folder relative paths are read from (set by the loader).")
    source: str = Field("calibration settings", description="Where the settings came from.")

    def path(self, name: str | None) -> Path | None:
        """A configured path, resolved against the config's folder."""
        if name is None:
            return None
        p = Path(name)
        return p if p.is_absolute() else Path(self.root) / p

    def base_params(self) -> ModelParams:
        """The base parameters (see :meth:`model_base`)."""
        return self.model_base().params

    def model_base(self) -> ModelBase:
        """The base model: defaults, a JSON parameter file, a lab or a scenario."""

        return load_base(self.model.base, self.model.package, Path(self.root), self.source)


def config_from_dict(
    data: dict, root: str | Path = ".", source: str = "calibration"
) -> CalibrationConfig:
    """Validate a configuration dictionary."""
    try:
        return CalibrationConfig.model_validate({**data, "root": str(root), "source": source})
    except ValidationError as err:
        raise CalibrationError(format_validation_error(err, CalibrationConfig, source)) from None


def load_config(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalibrationError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CalibrationError(f"{path}: is a folder, expected a TOML settings file") from None
    except UnicodeDecodeError as err:
        raise CalibrationError(
            f"{path}: not a text file (byte {err.start} is not UTF-8); expected TOML settings"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise CalibrationError(f"{path}: not valid TOML ({err})") from None
    return config_from_dict(data, path.parent, str(path))
