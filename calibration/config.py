"""Calibration settings: a TOML file, validated, with paths relative to the file.

See ``docs/calibration.md`` for an annotated example.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from calibration.errors import CalibrationError
from simulator.errors import format_validation_error
from simulator.params import ModelParams


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Strict):
    """Input files (CSV or Parquet); at least one is needed."""

    aggregate: str | None = Field(None, description="Aggregate monitoring data.")
    panel: str | None = Field(None, description="Pseudonymised participant panel.")
    public: str | None = Field(None, description="Public statistics with standard errors.")
    labour_force: float | None = Field(
        None, gt=0, description="Labour force of the lab, when the data give no labour_force rows."
    )
    label: str = Field("", description="Shown on the report (e.g. 'synthetic example data').")

    @model_validator(mode="after")
    def _any(self) -> DataConfig:
        if not (self.aggregate or self.panel or self.public):
            raise ValueError("give at least one of aggregate, panel, public")
        return self


class ModelConfig(_Strict):
    """The model the data are fitted with."""

    base: str | None = Field(None, description="JSON parameter file (default: model defaults).")
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
    min_cell: int = Field(10, ge=1, description="Smallest panel cell fitted and reported.")


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


class CalibrationConfig(_Strict):
    """A whole calibration."""

    data: DataConfig
    model: ModelConfig = Field(default_factory=ModelConfig)
    parameters: list[ParameterConfig] = Field(min_length=1)
    moments: MomentConfig = Field(default_factory=MomentConfig)
    fit: FitConfig = Field(default_factory=FitConfig)
    root: str = Field(".", description="Folder relative paths are read from (set by the loader).")

    def path(self, name: str | None) -> Path | None:
        """A configured path, resolved against the config's folder."""
        if name is None:
            return None
        p = Path(name)
        return p if p.is_absolute() else Path(self.root) / p

    def base_params(self) -> ModelParams:
        """The base parameters (defaults, or the JSON file, as ``synclusive run`` writes)."""
        source = self.path(self.model.base)
        if source is None:
            return ModelParams()
        try:
            data = json.loads(source.read_text())
        except FileNotFoundError:
            raise CalibrationError(f"{source}: base parameter file not found") from None
        except json.JSONDecodeError as err:
            raise CalibrationError(f"{source}: not valid JSON ({err})") from None
        for key in ("seed", "backend"):  # run metadata written beside the parameters
            data.pop(key, None)
        try:
            return ModelParams.model_validate(data)
        except ValidationError as err:
            raise CalibrationError(format_validation_error(err, ModelParams, str(source))) from None


def config_from_dict(
    data: dict, root: str | Path = ".", source: str = "calibration"
) -> CalibrationConfig:
    """Validate a configuration dictionary."""
    try:
        return CalibrationConfig.model_validate({**data, "root": str(root)})
    except ValidationError as err:
        raise CalibrationError(format_validation_error(err, CalibrationConfig, source)) from None


def load_config(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise CalibrationError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as err:
        raise CalibrationError(f"{path}: not valid TOML ({err})") from None
    return config_from_dict(data, path.parent, str(path))
