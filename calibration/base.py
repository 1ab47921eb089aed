"""The model a calibration starts from: model defaults, a parameter file, a lab or a scenario.

``model.base`` in the settings names one of

* nothing: the model defaults;
* a parameter file (``.json``, as ``synclusive run`` writes it);
* a living lab: a shipped lab's name (``kokkola``) or a lab file (``[lab]``); with
  ``model.package`` the lab runs that package, as it did while the data were collected;
* a scenario: a shipped scenario's name (``kokkola_engine``) or a scenario file
  (``[scenario]``); the model is the scenario's package arm (``model.package`` chooses one
  when the scenario compares several).

A lab or scenario base is what lets the calibration write a calibrated scenario (or lab)
file that ``synclusive compare`` runs directly (:mod:`calibration.export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from calibration.errors import CalibrationError
from scenarios import ScenarioError, compose, load_lab, load_package, load_scenario
from scenarios.files import LAB_DIR, STUDY_DIR, file_kind, load_file, read_toml, resolve, shipped
from scenarios.schema import ScenarioFile
from simulator.errors import ParameterError, format_validation_error
from simulator.options import read_parameters_file
from simulator.params import ModelParams

if TYPE_CHECKING:
    from scenarios.compose import Scenario

BaseKind = Literal["defaults", "params", "lab", "scenario"]


@dataclass
class ModelBase:
    """The base model of a calibration and where it came from.

    Attributes
    ----------
    kind
        ``"defaults"``, ``"params"`` (a JSON file), ``"lab"`` or ``"scenario"``.
    params
        The full model parameters the calibration starts from.
    source
        The file named by ``model.base`` (``None`` for the defaults).
    scenario
        Lab and scenario bases: the composed scenario (a lab base composes the lab with the
        configured package, if any).
    scenario_file
        Scenario bases: the validated scenario file (its run settings, overrides and
        interactions are carried over to the calibrated scenario).
    arm
        Index of the package arm whose parameters are fitted (``None``: the lab's baseline).
    """

    kind: BaseKind
    params: ModelParams
    source: Path | None = None
    scenario: Scenario | None = None
    scenario_file: ScenarioFile | None = None
    arm: int | None = None

    def describe(self) -> str:
        """One line naming the base (for file headers and the report)."""
        if self.kind == "defaults":
            return "model defaults"
        if self.kind == "params":
            return f"parameter file {self.source}"
        scenario = self.scenario
        assert scenario is not None
        package = (
            f", package {scenario.arms[self.arm].name} in force"
            if self.arm is not None
            else ", no package"
        )
        lab = f"lab {scenario.lab.name} ({scenario.lab.source})"
        if self.kind == "scenario":
            return f"scenario {scenario.name} ({self.source}): {lab}{package}"
        return lab + package


def _json_params(source: Path) -> ModelParams:
    try:
        data = read_parameters_file(source)
    except ParameterError as err:
        raise CalibrationError(f"base parameters: {err}") from None
    try:
        return ModelParams.model_validate(data)
    except ValidationError as err:
        raise CalibrationError(format_validation_error(err, ModelParams, str(source))) from None


def _locate(reference: str, root: Path, where: str) -> tuple[Literal["lab", "scenario"], Path]:
    """Whether ``reference`` is a lab or a scenario, and its file."""

    is_path = reference.endswith(".toml") or "/" in reference or "\\" in reference
    if not is_path:
        for kind, folder in (("scenario", STUDY_DIR), ("lab", LAB_DIR)):
            path = resolve(reference, folder)
            if path is not None:
                return kind, path  # type: ignore[return-value]
        raise CalibrationError(
            f"{where}: {reference!r} is no shipped lab or scenario; shipped labs: "
            f"{', '.join(shipped(LAB_DIR))}; scenarios: {', '.join(shipped(STUDY_DIR))} "
            "(or give a .json parameter file, or the path of a lab or scenario file)"
        )
    path = resolve(reference, LAB_DIR, root)
    if path is None:
        raise CalibrationError(f"{where}: file {reference!r} not found (relative to {root})")
    data, _ = read_toml(path)
    try:
        kind = file_kind(data, path)
    except ScenarioError as err:
        raise CalibrationError(f"{where}: {err}") from None
    if kind == "package":
        raise CalibrationError(
            f"{where}: {path} is a package file; give the lab it runs on as model.base and "
            "the package as model.package, or a scenario file"
        )
    return kind, path  # type: ignore[return-value]


def _choose_arm(scenario: Scenario, package: str | None, where: str) -> int:
    """Index of the package arm the data were collected under."""
    names = [arm.name for arm in scenario.arms]
    if package is None:
        if len(names) == 1:
            return 0
        raise CalibrationError(
            f"{where}: scenario {scenario.name} compares packages {', '.join(names)}; set "
            "model.package to the one in force while the data were collected"
        )
    for i, arm in enumerate(scenario.arms):
        source = arm.package.source
        if package in (arm.name, str(source)) or (source and Path(package).stem == source.stem):
            return i
    raise CalibrationError(
        f"{where}: model.package {package!r} is not a package of scenario {scenario.name}; "
        f"allowed: {', '.join(names)}"
    )


def load_base(base: str | None, package: str | None, root: Path, where: str) -> ModelBase:
    """Read the base model named by ``model.base`` (and ``model.package``).

    Parameters
    ----------
    base, package
        The settings' ``model.base`` and ``model.package``.
    root
        Folder relative paths are read from (the settings file's).
    where
        How the settings are named in errors.

    Raises
    ------
    CalibrationError
        When the base cannot be found or read, or the package does not fit it; scenario
        errors keep their file, line and key.
    """

    if base is None or base.lower().endswith(".json"):
        if package is not None:
            raise CalibrationError(
                f"{where}: model.package needs model.base to be a lab or a scenario (a name or "
                "a TOML file); a parameter file already holds its interventions"
            )
        if base is None:
            return ModelBase("defaults", ModelParams())
        source = Path(base) if Path(base).is_absolute() else root / base
        return ModelBase("params", _json_params(source), source)
    kind, path = _locate(base, root, f"{where}: model.base")
    try:
        if kind == "scenario":
            scenario = load_scenario(path)
            arm = _choose_arm(scenario, package, where)
            file = _scenario_file(path)
            return ModelBase(kind, scenario.arms[arm].params, path, scenario, file, arm)
        lab = load_lab(path, where=f"{where}: model.base")
        packages = [] if package is None else [load_package(package, root, "model.package")]
        scenario = compose(lab, packages)
        arm = 0 if packages else None
        params = scenario.baseline if arm is None else scenario.arms[arm].params
        return ModelBase(kind, params, path, scenario, None, arm)
    except ScenarioError as err:
        raise CalibrationError(str(err)) from None


def _scenario_file(path: Path) -> ScenarioFile:

    return load_file(ScenarioFile, path)[0]
