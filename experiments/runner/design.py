"""Experiment designs: which parameter values to run, how often, with which seeds.

A design is plain data, read from a TOML file or built in Python:

.. code-block:: toml

    [experiment]
    name = "quit-rate"
    root_seed = 2024
    replications = 5
    seeds = "common"            # or "independent" (see experiments.runner.keys)

    [base]                      # applied to every run (dotted paths or nested tables)
    months = 36
    "population.n_persons" = 2000

    [design]
    kind = "grid"               # single | grid | points | lhs | sobol
    [design.parameters]
    "demand.quit_rate" = [0.002, 0.004, 0.008]

For ``lhs`` and ``sobol`` a parameter is ``{range = [lo, hi]}`` or ``"uncertain"`` (the
uncertainty range of the parameter catalogue), and ``samples`` sets the sample size. Sobol
designs use SALib's Saltelli scheme, so their points can be passed to ``SALib.analyze.sobol``.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from experiments.errors import DesignError
from experiments.runner.keys import (
    SAMPLER_SPAWN_KEY,
    SEED_MODES,
    Run,
    canonical_json,
    run_key,
    spawn_key,
)
from experiments.runner.models_registry import resolve_model_name
from experiments.runner.sampling import salib_problem, unit_sample
from simulator.errors import ParameterError
from simulator.options import read_parameters_file

KINDS = ("single", "grid", "points", "lhs", "sobol")
SAMPLED_KINDS = ("lhs", "sobol")
#: The most runs a design may have: far beyond any real study, short of exhausting memory.
MAX_RUNS = 10_000_000
DEFAULT_MODEL = "experiments.runner.simulation:LabourMarketRun"

_SECTIONS = {
    "experiment": {
        "name",
        "root_seed",
        "replications",
        "seeds",
        "model",
        "scenario",
        "arm",
        "params",
    },
    "base": None,  # any parameter paths
    "design": {"kind", "parameters", "points", "samples", "second_order"},
    "outputs": {"indicators", "groups"},
}


@dataclass(frozen=True)
class ParameterSpec:
    """One varied parameter: a list of values (grid) or a range (samples).

    Attributes
    ----------
    path : str
        Dotted parameter path, e.g. ``"demand.quit_rate"`` or ``"mobility.internal_fill.1"``.
    values : tuple, optional
        Grid values.
    low, high : float, optional
        Sampling range.
    integer : bool
        Round sampled values to whole numbers (integer parameters).
    """

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False


@dataclass(frozen=True)
class Design:
    """An experiment design: design points × replications, with a root seed.

    Attributes
    ----------
    name : str
        Experiment name (recorded in the manifest).
    kind : str
        ``single`` (base values only), ``grid`` (full factorial), ``points`` (an explicit list),
        ``lhs`` (Latin hypercube) or ``sobol`` (Saltelli-Sobol sample for SALib).
    parameters : tuple of ParameterSpec
        Varied parameters (grid, lhs, sobol).
    point_list : tuple of dict
        Explicit design points (``points``).
    samples : int
        Sample size: points for ``lhs``; the base sample N for ``sobol`` (a power of two).
    second_order : bool
        Sobol designs: also sample for second-order indices.
    replications : int
        Runs per design point, each with its own seed.
    root_seed : int
        The experiment's root seed; every run's seed derives from it and the run's key.
    seeds : str
        ``common`` or ``independent`` (see :mod:`experiments.runner.keys`).
    base : dict
        Dotted parameter overrides applied to every run.
    base_params : dict, optional
        A full parameter set (as written by ``synclusive run``) to start from.
    scenario : str
        Label of the scenario the base values describe (recorded in the manifest).
    model : str
        ``module:name`` of the model callable or class (see :mod:`experiments.runner.simulation`).
    indicators, groups : tuple of str
        Keep only these indicators / groups in the results (empty: keep all).
    source : str
        Where the design came from, used in error messages.
    """

    name: str = "experiment"
    kind: str = "single"
    parameters: tuple[ParameterSpec, ...] = ()
    point_list: tuple[dict[str, Any], ...] = ()
    samples: int = 0
    second_order: bool = False
    replications: int = 1
    root_seed: int = 0
    seeds: str = "common"
    base: dict[str, Any] = field(default_factory=dict)
    base_params: dict[str, Any] | None = None
    scenario: str = "default"
    model: str = DEFAULT_MODEL
    indicators: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    source: str = "design"

    def __post_init__(self) -> None:
        _check_design(self)

    # -- the runs --------------------------------------------------------------------------

    @cached_property
    def points(self) -> list[dict[str, Any]]:
        """The design points, each a dict of dotted path → value, in design order."""
        points = _make_points(self)
        seen: dict[str, int] = {}
        for i, p in enumerate(points):
            text = canonical_json(p)
            if text in seen:
                raise DesignError(
                    f"{self.source}: design points {seen[text]} and {i} are identical ({text}); "
                    "each point must differ"
                )
            seen[text] = i
        return points

    @cached_property
    def runs(self) -> list[Run]:
        """Every run: each design point × each replication, point by point."""
        runs = []
        for p, point in enumerate(self.points):
            for r in range(self.replications):
                runs.append(
                    Run(
                        index=len(runs),
                        key=run_key(point, r),
                        point=p,
                        replication=r,
                        overrides={**self.base, **point},
                        root_seed=self.root_seed,
                        spawn_key=spawn_key(self.seeds, point, r),
                    )
                )
        return runs

    def varied(self) -> list[str]:
        """Paths of the parameters that differ between design points."""
        if self.kind == "points":
            return list(dict.fromkeys(k for p in self.point_list for k in p))
        return [s.path for s in self.parameters]

    def problem(self) -> dict[str, Any]:
        """The SALib problem (``num_vars``, ``names``, ``bounds``) of a sampled design."""
        if self.kind not in SAMPLED_KINDS:
            raise DesignError(f"{self.source}: only lhs and sobol designs define a SALib problem")
        return salib_problem(
            [s.path for s in self.parameters], [[s.low, s.high] for s in self.parameters]
        )

    def to_dict(self) -> dict[str, Any]:
        """The design as TOML-shaped plain data (what the manifest records)."""
        params: dict[str, Any] = {}
        for s in self.parameters:
            params[s.path] = list(s.values) if s.values is not None else {"range": [s.low, s.high]}
        design: dict[str, Any] = {"kind": self.kind}
        if params:
            design["parameters"] = params
        if self.point_list:
            design["points"] = [dict(p) for p in self.point_list]
        if self.kind in SAMPLED_KINDS:
            design["samples"] = self.samples
        if self.kind == "sobol":
            design["second_order"] = self.second_order
        experiment = {
            "name": self.name,
            "root_seed": self.root_seed,
            "replications": self.replications,
            "seeds": self.seeds,
            "model": self.model,
            "scenario": self.scenario,
        }
        out: dict[str, Any] = {"experiment": experiment, "base": dict(self.base), "design": design}
        if self.base_params is not None:
            out["base_params"] = self.base_params
        if self.indicators or self.groups:
            out["outputs"] = {"indicators": list(self.indicators), "groups": list(self.groups)}
        return out

    def fingerprint(self) -> str:
        """Canonical text of everything that decides the runs' results."""
        return canonical_json(self.to_dict())


# -- reading designs ---------------------------------------------------------------------------


def load_design(path: str | Path, allow_imports: bool = False) -> Design:
    """Read and check a TOML design file.

    Parameters
    ----------
    path
        The design file.
    allow_imports
        Let ``[experiment] model`` name any importable ``module:name``; by default only the
        registered models are allowed (see :mod:`experiments.runner.models_registry`).

    Raises
    ------
    DesignError
        Naming the file, the field and what is allowed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DesignError(f"design file not found: {path}") from None
    except IsADirectoryError:
        raise DesignError(f"{path}: is a folder, expected a TOML design file") from None
    except UnicodeDecodeError as err:
        raise DesignError(
            f"{path}: not a text file (byte {err.start} is not UTF-8); expected a TOML design"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DesignError(f"{path}: not valid TOML ({err})") from None
    if not data:
        raise DesignError(
            f"{path}: the design file is empty; a design has at least an [experiment] table "
            "(see docs/experiments.md)"
        )
    exp = data.get("experiment")
    if isinstance(exp, dict) and isinstance(exp.get("model"), str):
        exp["model"] = resolve_model_name(exp["model"], str(path), allow_imports)
    return design_from_dict(data, source=str(path), root=path.parent)


def design_from_dict(
    data: dict[str, Any], source: str = "design", root: Path | None = None
) -> Design:
    """Build a :class:`Design` from TOML-shaped data (see the module notes for the layout)."""
    if not isinstance(data, dict):
        raise DesignError(f"{source}: a design is a table of sections")
    for section, value in data.items():
        if section == "base_params":
            continue
        if section not in _SECTIONS:
            raise DesignError(
                f"{source}: unknown section [{section}]; allowed: {', '.join(_SECTIONS)}"
            )
        if not isinstance(value, dict):
            raise DesignError(f"{source}: [{section}] must be a table")
        allowed = _SECTIONS[section]
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise DesignError(
                        f"{source}: [{section}] {key}: unknown field; allowed: "
                        + ", ".join(sorted(allowed))
                    )
    exp = data.get("experiment", {})
    des = data.get("design", {})
    out = data.get("outputs", {})
    base_params = data.get("base_params")
    if "params" in exp:
        base_params = _read_params_file(exp["params"], source, root)
    elif exp.get("scenario", "default") != "default" and base_params is None:
        base_params = scenario_params(exp["scenario"], exp.get("arm", "package"), source)
    _check_value_types(flatten(data.get("base", {})), source, "[base]")
    kind = des.get("kind", "grid" if des.get("parameters") else "single")
    if "points" in des and "kind" not in des:
        kind = "points"
    return Design(
        name=_typed(exp, "name", str, "experiment", source, "experiment"),
        kind=kind,
        parameters=_parameter_specs(des.get("parameters", {}), kind, source),
        point_list=tuple(_points(des.get("points", []), source)),
        samples=_typed(des, "samples", int, 0, source, "design"),
        second_order=_typed(des, "second_order", bool, False, source, "design"),
        replications=_typed(exp, "replications", int, 1, source, "experiment"),
        root_seed=_typed(exp, "root_seed", int, 0, source, "experiment"),
        seeds=_typed(exp, "seeds", str, "common", source, "experiment"),
        base=flatten(data.get("base", {})),
        base_params=base_params,
        scenario=_typed(exp, "scenario", str, "default", source, "experiment"),
        model=_typed(exp, "model", str, DEFAULT_MODEL, source, "experiment"),
        indicators=tuple(_str_list(out, "indicators", source)),
        groups=tuple(_str_list(out, "groups", source)),
        source=source,
    )


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted paths: ``{"a": {"b": 1}}`` → ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def scenario_params(reference: Any, arm: Any, source: str) -> dict[str, Any]:
    """Base parameters from a scenario: a scenario file or name, or a package name (on its own
    lab). ``arm`` is ``"package"`` (the first package) or ``"baseline"`` (the lab alone).

    The package's quarterly adaptation rule, if any, is a monthly hook of the comparison and is
    not applied in batch runs: capacities stay as declared.
    """
    from scenarios import load_scenario, scenario_from_names
    from scenarios.errors import ScenarioError
    from scenarios.files import STUDY_DIR, resolve

    if not isinstance(reference, str):
        raise DesignError(f"{source}: [experiment] scenario must be a name or file")
    if arm not in ("package", "baseline"):
        raise DesignError(
            f"{source}: [experiment] arm: {arm!r} is not allowed; allowed: package, baseline"
        )
    try:
        if resolve(reference, STUDY_DIR) is not None:
            scenario = load_scenario(reference)
        else:
            scenario = scenario_from_names(reference)
    except ScenarioError as err:
        raise DesignError(f"{source}: [experiment] scenario: {err}") from None
    params = scenario.baseline if arm == "baseline" else scenario.arms[0].params
    return params.model_dump(mode="json")


def _read_params_file(name: Any, source: str, root: Path | None) -> dict[str, Any]:
    if not isinstance(name, str):
        raise DesignError(f"{source}: [experiment] params must be a file name")
    path = Path(name) if root is None or Path(name).is_absolute() else root / name
    try:
        return read_parameters_file(path)
    except ParameterError as err:
        raise DesignError(f"{source}: [experiment] params: {err}") from None


def _typed(table: dict, key: str, kind: type, default: Any, source: str, section: str) -> Any:
    value = table.get(key, default)
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        raise DesignError(f"{source}: [{section}] {key} must be a {kind.__name__}, got {value!r}")
    return value


def _str_list(table: dict, key: str, source: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DesignError(f"{source}: [outputs] {key} must be a list of names, got {value!r}")
    return value


def _points(value: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        raise DesignError(f"{source}: [design] points must be a list of tables ([[design.points]])")
    points = [flatten(p) for p in value]
    for i, point in enumerate(points):
        _check_value_types(point, source, f"[[design.points]] {i}:")
    return points


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_value_types(values: dict[str, Any], source: str, section: str) -> None:
    """Numbers must be given as numbers: ``months = "3"`` (text) is refused, as scenario
    files refuse it, instead of being read as 3 by lenient validation."""
    for path, value in values.items():
        info = catalogue_entry(path)
        if info is None:
            continue
        default = info["default"]
        if isinstance(default, list) and not path[-1].isdigit():
            ok = isinstance(value, list) and all(_is_number(v) for v in value)
            wanted = "a list of numbers"
        elif _is_number(default) or isinstance(default, list):
            ok, wanted = _is_number(value), "a number"
        else:
            continue
        if not ok:
            raise DesignError(
                f"{source}: {section} {path} must be {wanted} (unquoted), got {value!r}"
                f" ({type(value).__name__})"
            )


def _parameter_specs(table: Any, kind: str, source: str) -> tuple[ParameterSpec, ...]:
    if not isinstance(table, dict):
        raise DesignError(f"{source}: [design.parameters] must be a table of parameter paths")
    specs = []
    for path, spec in flatten_params(table).items():
        where = f"{source}: [design.parameters] {path}"
        if kind in SAMPLED_KINDS:
            low, high = _sample_range(path, spec, where)
            specs.append(ParameterSpec(path, low=low, high=high, integer=_is_integer(path)))
        else:
            if not isinstance(spec, list) or not spec:
                raise DesignError(f"{where}: a {kind} design needs a non-empty list of values")
            for value in spec:
                _check_value_types({path: value}, source, "[design.parameters]")
            specs.append(ParameterSpec(path, values=tuple(spec)))
    return tuple(specs)


def flatten_params(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Like :func:`flatten`, but a table with a ``range`` key is a value, not a group."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and "range" not in value:
            flat.update(flatten_params(value, path + "."))
        else:
            flat[path] = value
    return flat


def _sample_range(path: str, spec: Any, where: str) -> tuple[float, float]:
    if spec == "uncertain":
        info = catalogue_entry(path)
        if info is None or info["uncertain_low"] is None:
            raise DesignError(
                f"{where}: the parameter catalogue gives no uncertainty range for it; "
                "give one as {range = [low, high]} (see `synclusive params --uncertain`)"
            )
        return float(info["uncertain_low"]), float(info["uncertain_high"])
    if isinstance(spec, dict) and set(spec) == {"range"}:
        rng = spec["range"]
        if (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
            and rng[0] < rng[1]
        ):
            return float(rng[0]), float(rng[1])
        raise DesignError(f"{where}: range must be [low, high] numbers with low < high, got {rng}")
    raise DesignError(
        f'{where}: a sampled design needs {{range = [low, high]}} or "uncertain", got {spec!r}'
    )


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    from simulator.parameter_table import iter_parameters

    return {row["parameter"]: row for row in iter_parameters()}


def catalogue_entry(path: str) -> dict[str, Any] | None:
    """The parameter catalogue row of a dotted path (a list item ``a.b.1`` uses ``a.b``)."""
    rows = _catalogue()
    if path in rows:
        return rows[path]
    head, _, last = path.rpartition(".")
    return rows.get(head) if last.isdigit() else None


def _is_integer(path: str) -> bool:
    info = catalogue_entry(path)
    return info is not None and isinstance(info["default"], int) and not path[-1].isdigit()


#: An experiment name is a folder name: letters, digits, ``.``, ``_``, ``-``; no separators.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _check_design(d: Design) -> None:
    src = d.source
    if not isinstance(d.name, str) or not _NAME.fullmatch(d.name) or ".." in d.name:
        raise DesignError(
            f"{src}: [experiment] name {d.name!r} is not allowed: it names the experiment's "
            "folder, so it must be 1-100 letters, digits, '.', '_' or '-', start with a letter "
            "or digit, and hold no '/', '\\' or '..'"
        )
    if d.kind not in KINDS:
        raise DesignError(f"{src}: [design] kind {d.kind!r} is not one of {', '.join(KINDS)}")
    if d.seeds not in SEED_MODES:
        raise DesignError(f"{src}: [experiment] seeds must be one of {', '.join(SEED_MODES)}")
    if d.replications < 1:
        raise DesignError(f"{src}: [experiment] replications must be at least 1")
    if not 0 <= d.root_seed < 2**63:
        raise DesignError(f"{src}: [experiment] root_seed must be in [0, 2**63)")
    if ":" not in d.model:
        raise DesignError(f"{src}: [experiment] model must be 'module:name', got {d.model!r}")
    needs_params = d.kind in ("grid", *SAMPLED_KINDS)
    if needs_params and not d.parameters:
        raise DesignError(f"{src}: a {d.kind} design needs [design.parameters]")
    if not needs_params and d.parameters:
        raise DesignError(f"{src}: [design.parameters] is not used by a {d.kind} design")
    if d.kind == "points" and not d.point_list:
        raise DesignError(f"{src}: a points design needs [[design.points]] tables")
    if d.kind != "points" and d.point_list:
        raise DesignError(f'{src}: [[design.points]] needs kind = "points"')
    if d.kind in SAMPLED_KINDS and d.samples < 1:
        raise DesignError(f"{src}: a {d.kind} design needs samples = N (at least 1)")
    if _run_count(d) > MAX_RUNS:
        raise DesignError(
            f"{src}: the design has {_run_count(d):,} runs (points x replications); at most "
            f"{MAX_RUNS:,} are allowed: lower replications, samples or the number of values"
        )
    if d.kind == "sobol" and d.samples & (d.samples - 1):
        raise DesignError(
            f"{src}: a sobol design needs samples = a power of two (got {d.samples}); "
            "Sobol' sequences keep their balance properties only then"
        )
    if d.kind not in SAMPLED_KINDS and d.samples:
        raise DesignError(f"{src}: samples is only used by lhs and sobol designs")
    paths = [s.path for s in d.parameters]
    dupes = {p for p in paths if paths.count(p) > 1}
    if dupes:
        raise DesignError(f"{src}: parameters listed twice: {', '.join(sorted(dupes))}")
    for s in d.parameters:
        if s.values is not None and len({canonical_json(v) for v in s.values}) < len(s.values):
            raise DesignError(f"{src}: [design.parameters] {s.path}: values repeat")


def _run_count(d: Design) -> int:
    """Runs of a design, counted without making its points (a typo may ask for 10**15)."""
    if d.kind == "grid":
        points = math.prod(len(s.values or ()) for s in d.parameters)
    elif d.kind == "points":
        points = len(d.point_list)
    elif d.kind == "sobol":
        points = d.samples * (
            2 * len(d.parameters) + 2 if d.second_order else len(d.parameters) + 2
        )
    else:
        points = max(d.samples, 1)
    return points * d.replications


def _make_points(d: Design) -> list[dict[str, Any]]:
    if d.kind == "single":
        return [{}]
    if d.kind == "points":
        return [dict(p) for p in d.point_list]
    if d.kind == "grid":
        paths = [s.path for s in d.parameters]
        combos = itertools.product(*(s.values or () for s in d.parameters))
        return [dict(zip(paths, combo, strict=True)) for combo in combos]
    unit = _unit_sample(d)
    lows = np.array([s.low for s in d.parameters])
    highs = np.array([s.high for s in d.parameters])
    values = lows + unit * (highs - lows)
    points = []
    for row in values:
        point: dict[str, Any] = {}
        for s, v in zip(d.parameters, row, strict=True):
            point[s.path] = round(float(v)) if s.integer else float(v)
        points.append(point)
    return points


def _unit_sample(d: Design) -> np.ndarray:
    """Sample points in the unit hypercube, seeded from the root seed."""
    seq = np.random.SeedSequence(d.root_seed, spawn_key=SAMPLER_SPAWN_KEY)
    names = [s.path for s in d.parameters]
    return unit_sample(d.kind, names, d.samples, d.second_order, seq)


__all__ = [
    "DEFAULT_MODEL",
    "KINDS",
    "Design",
    "ParameterSpec",
    "catalogue_entry",
    "design_from_dict",
    "flatten",
    "load_design",
]
