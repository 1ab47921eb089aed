"""The calibrated model as a file the rest of the tool runs directly.

* **Scenario base** (or a lab base with ``model.package``): ``calibrated_scenario.toml``, a
  scenario file. ``[scenario]`` names the same lab and packages, ``[run]`` and the other
  overrides are carried over, and ``[set]`` holds the estimates by the paths scenario files
  use (list items by name: ``interventions.taite_coaching.capacity``). Run it with
  ``synclusive compare outputs/calibration/calibrated_scenario.toml``.
* **Lab base without a package**: ``calibrated_lab.toml``, a lab file with the estimates
  written into its sections (a scenario file needs a package), for
  ``synclusive compare PACKAGE --lab outputs/calibration/calibrated_lab.toml``.
* **Parameter file or model defaults**: no scenario or lab to name; ``calibrated_params.json``
  (written for every base) runs with ``synclusive run --params``.

Each file starts with a comment saying it was calibrated, from which data, and the estimates
with their standard errors.
"""

from __future__ import annotations

import copy
import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import tomli_w

from calibration.errors import CalibrationError
from calibration.space import index_path, named_path
from calibration.uncertainty import bounded_interval
from scenarios import ScenarioError, compose, load_lab, load_scenario
from scenarios.files import HERE, LAB_DIR, PACKAGE_DIR, read_toml, validate
from scenarios.schema import LAB_PARAMETER_SECTIONS, LabFile, ScenarioFile

if TYPE_CHECKING:
    from calibration.base import ModelBase
    from calibration.fit import Problem

#: File names by base kind.
SCENARIO_FILE = "calibrated_scenario.toml"
LAB_FILE = "calibrated_lab.toml"


def export_name(base: ModelBase | None) -> str | None:
    """The calibrated file written for a base (``None``: only ``calibrated_params.json``)."""
    if base is None or base.kind in ("defaults", "params"):
        return None
    return LAB_FILE if base.kind == "lab" and base.arm is None else SCENARIO_FILE


def _reference(source: Path | None, name: str, folder: Path) -> str:
    """A lab or package as a scenario file names it: shipped ones by name, others by path."""
    if source is None:
        return name
    if source.parent.resolve() == folder.resolve():
        return source.stem
    return str(source.resolve())


def _fmt(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.4g}"


def header(
    problem: Problem,
    kind: str,
    theta: np.ndarray,
    se: np.ndarray,
    verdicts: list[str] | None = None,
    j_test: str = "",
    method: str = "method of simulated moments",
) -> list[str]:
    """Comment lines: what was calibrated, from which data, the estimates ± SE."""
    base = problem.base
    assert base is not None
    data = problem.data
    label = problem.config.data.label
    lines = [
        f"Calibrated {kind}, written by `synclusive calibrate` ({method}).",
        f"Base: {base.describe()}.",
        "Data: "
        + (f"{label}; " if label else "")
        + "; ".join(f"{k}: {Path(v).resolve()}" for k, v in data.sources.items())
        + ".",
        f"Calibration settings: {problem.config.source}.",
        "Estimates ± standard error (95% interval; search range; identification):",
    ]
    sp = problem.space
    written = sp.values(theta)
    for i, (path, value) in enumerate(zip(sp.named_paths(), theta, strict=True)):
        e, s = float(value), float(se[i])
        interval = f"{_fmt(e - 1.96 * s)} to {_fmt(e + 1.96 * s)}" if math.isfinite(s) else "n/a"
        if math.isfinite(s) and not sp.lower[i] <= e - 1.96 * s <= e + 1.96 * s <= sp.upper[i]:
            low, high = bounded_interval(
                np.array([e]), np.array([s]), sp.lower[i : i + 1], sp.upper[i : i + 1]
            )
            interval += f", past the range; on its logit scale {_fmt(low[0])} to {_fmt(high[0])}"
        verdict = f"; {verdicts[i]}" if verdicts else ""
        # whole-number parameters are written rounded; the estimate itself is shown too
        shown = f"{written[i]} (estimate {_fmt(e)})" if isinstance(written[i], int) else _fmt(e)
        lines.append(
            f"  {path} = {shown} ± {_fmt(s)} ({interval}; range {sp.lower[i]:g} to "
            f"{sp.upper[i]:g}{verdict})"
        )
    lines.extend(j_test.splitlines())
    lines.append("Every other value is the base's. The fit report: fit_report.html.")
    return ["# " + line if line else "#" for line in lines]


def _set_table(problem: Problem, theta: np.ndarray) -> dict[str, Any]:
    """``[set]``: the base scenario's own overrides, then the estimates by named path."""
    base = problem.base
    assert base is not None
    full = problem.lab_params.model_dump()
    out: dict[str, Any] = {}
    if base.scenario_file is not None:
        for key, value in base.scenario_file.set.items():
            try:
                out[_named(full, key)] = value
            except (KeyError, IndexError, TypeError):
                out[key] = value  # a run.* setting or another package's intervention
    for path, value in zip(problem.space.named_paths(), problem.space.values(theta), strict=True):
        out[path] = value
    return out


def _named(full: dict[str, Any], key: str) -> str:

    return named_path(full, key)


def scenario_data(
    problem: Problem, theta: np.ndarray, draws: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The calibrated scenario file's tables (``scenario``, ``run``, ``set``)."""

    base = problem.base
    assert base is not None and base.scenario is not None
    scenario = base.scenario
    label = problem.config.data.label or "the configured data"
    if base.scenario_file is not None:
        info = base.scenario_file.scenario.model_dump(mode="json", exclude_none=True)
        arms = scenario.arms
    else:
        assert base.arm is not None
        arm = scenario.arms[base.arm]
        info = {
            "name": f"{scenario.lab.name}_{arm.name}",
            "title": scenario.title,
            "description": "",
        }
        arms = [arm]
    info["name"] = f"{info['name']}_calibrated"
    info["title"] = f"{info.get('title') or info['name']} (calibrated)"
    described = info.get("description") or ""
    info["description"] = f"Calibrated to {label}." + (f" {described}" if described else "")
    info["lab"] = _reference(scenario.lab.source, scenario.lab.name, LAB_DIR)
    info["packages"] = [_reference(a.package.source, a.name, PACKAGE_DIR) for a in arms]
    tables: dict[str, Any] = {"scenario": info}
    if base.scenario_file is not None and base.scenario_file.run is not None:
        tables["run"] = base.scenario_file.run.model_dump(mode="json", exclude_unset=True)
    tables["set"] = _set_table(problem, theta)
    if draws:
        # every draw runs at least once: replications rounded up to a multiple of the draws
        run = tables.setdefault("run", {})
        reps = int(run.get("replications", scenario.run.replications))
        run["replications"] = len(draws) * -(-reps // len(draws))
        tables["posterior"] = {
            "description": f"{len(draws)} draws from the ABC-SMC posterior of the calibrated "
            "parameters; replication r runs draw r modulo their number",
            "draws": draws,
        }
    return tables


def _set_in(data: dict[str, Any], full: dict[str, Any], path: str, value: Any) -> None:
    """Set a value at a named path in a lab file's data, filling absent sections from ``full``
    (the lab's complete parameters)."""

    parts = index_path(full, path).split(".")
    node: Any = data
    whole: Any = full
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        key: Any = int(part) if isinstance(whole, list) else part
        if last:
            node[key] = value
            return
        if isinstance(node, dict) and key not in node:
            # a section or list the lab file leaves to the defaults: copy it in whole for a
            # list (its items are addressed by position), start an empty table otherwise
            node[key] = copy.deepcopy(whole[key]) if isinstance(whole[key], list) else {}
        node, whole = node[key], whole[key]


def lab_data(problem: Problem, theta: np.ndarray) -> dict[str, Any]:
    """The calibrated lab file's tables: the lab file with the estimates written in."""

    base = problem.base
    assert base is not None and base.scenario is not None
    lab = base.scenario.lab
    data, _ = read_toml(lab.source)
    full = problem.lab_params.model_dump()
    for path, value in zip(problem.space.named_paths(), problem.space.values(theta), strict=True):
        if path.split(".")[0] not in LAB_PARAMETER_SECTIONS:
            raise CalibrationError(
                f"{problem.config.source}: parameters: {path!r} cannot be written into a lab "
                f"file (its sections: {', '.join(LAB_PARAMETER_SECTIONS)}); use a scenario "
                "base or model.package"
            )
        _set_in(data, full, path, value)
    info = data["lab"]
    info["name"] = f"{info['name']}_calibrated"
    info["title"] = f"{info['title']} (calibrated)"
    label = problem.config.data.label or "the configured data"
    info["description"] = f"Calibrated to {label}. " + info.get("description", "")
    return data


def calibrated_file_text(
    problem: Problem,
    theta: np.ndarray,
    se: np.ndarray,
    verdicts: list[str] | None = None,
    j_test: str = "",
    path: Path | None = None,
    draws: list[dict[str, Any]] | None = None,
    method: str = "method of simulated moments",
) -> str | None:
    """Text of the calibrated scenario or lab file (``None`` for a parameter-file base).

    The file is validated as the tool will read it: a scenario is composed, a lab checked
    against the lab format.

    Raises
    ------
    CalibrationError
        When the estimates cannot be written as a valid file.
    """

    name = export_name(problem.base)
    if name is None:
        return None
    is_lab = name == LAB_FILE
    tables = lab_data(problem, theta) if is_lab else scenario_data(problem, theta, draws)
    where = path or Path(name)
    try:
        validate(LabFile if is_lab else ScenarioFile, tables, where, None)
    except ScenarioError as err:
        raise CalibrationError(str(err)) from None

    kind = "living lab" if is_lab else "scenario"
    schema = HERE / "schema" / ("lab" if is_lab else "scenario")
    # an editor checks the file against its schema as the shipped files are checked
    lines = [
        f"#:schema {schema}.schema.json",
        *header(problem, kind, theta, se, verdicts, j_test, method),
    ]
    if is_lab:
        lines.append(
            "# Comments of the original lab file are not repeated; see it for the sources and "
            "assumptions of every value."
        )
        lines.append(f"# Run: synclusive compare PACKAGE --lab {where}")
    else:
        lines.append(f"# Run: synclusive compare {where}")
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(tables)


def check_export(problem: Problem) -> None:
    """Fail before the search when the calibrated file could not be written at the end."""
    sp = problem.space
    text = calibrated_file_text(
        problem, np.clip(sp.defaults, sp.lower, sp.upper), np.full(len(sp.names), np.nan)
    )
    if text is None:
        return
    load_text(problem, text)


def load_text(problem: Problem, text: str) -> None:
    """Compose a calibrated file's text as ``synclusive compare`` would (errors as calibration
    errors)."""

    name = export_name(problem.base)
    assert name is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text)
        try:
            if name == LAB_FILE:
                compose(load_lab(path), [])
            else:
                load_scenario(path)
        except ScenarioError as err:
            raise CalibrationError(
                f"{problem.config.source}: the calibrated {name} would not run: {err}"
            ) from None
