"""Which parameters a sensitivity analysis varies, over which ranges, grouped by mechanism.

Two kinds of uncertain parameters exist:

* **mechanism parameters** of the model, with the range and mechanism the parameter catalogue
  declares (``simulator.parameter_table.iter_parameters``);
* **intervention-effect parameters** of a package, addressed by dotted path through the
  scenario override machinery (``interventions.taite_coaching.effects.self_efficacy``). Each
  non-zero effect is varied over the range the intervention catalogue declares for it
  (``[<kind>.uncertain]``) when the package's value lies inside it, else over
  ``±relative_range`` of its value (clipped to the allowed bounds), and grouped with the
  mechanism it acts through (see :func:`intervention_parameters`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from SALib import ProblemSpec

from experiments.errors import DesignError
from experiments.runner.design import Design, ParameterSpec, catalogue_entry
from experiments.runner.sampling import salib_problem
from scenarios.catalogue import load_catalogue
from simulator.interventions import EFFECT_FIELDS, effect_bounds, effect_value
from simulator.parameter_table import iter_parameters

#: Mechanism of each intervention effect, by field (``effects.*`` on persons,
#: ``employer_effects.*`` on employers, and the intervention's own delivery settings).
EFFECT_MECHANISMS: dict[str, str] = {
    "effects.self_efficacy": "self_efficacy",
    "effects.trust": "trust",
    "effects.successes": "experiences_of_success",
    "effects.search_skill": "job_search",
    "effects.search_effort": "job_search",
    "effects.skill": "skills",
    "effects.motivation": "employee_development",
    "effects.awareness": "awareness",
    "employer_effects.bias_reduction": "discrimination",
    "employer_effects.development": "employee_development",
    "employer_effects.awareness": "awareness",
    "employer_effects.hiring_standard": "hiring_support",
    "employer_effects.job_carving": "job_carving",
    "extra_applications": "job_search",
    "hiring_support": "hiring_support",
    "lock_in": "job_search",
}
assert set(EFFECT_MECHANISMS) == set(EFFECT_FIELDS), "every effect field needs a mechanism"
#: Parameter sets a study can draw from.
SETS = ("mechanisms", "interventions", "all_uncertain")
OTHER = "other"


@dataclass(frozen=True)
class SAParameter:
    """One uncertain parameter.

    Attributes
    ----------
    path : str
        Dotted parameter path (intervention items by name).
    low, high : float
        Range sampled uniformly.
    mechanism : str
        Group for grouped indices.
    kind : str
        ``"mechanism"``, ``"intervention"``, ``"other"`` (catalogue without mechanism) or
        ``"custom"`` (given by the caller).
    default : float or None
        The scenario's value, if known.
    """

    path: str
    low: float
    high: float
    mechanism: str
    kind: str = "custom"
    default: float | None = None


@dataclass(frozen=True)
class SAProblem:
    """Parameters of a study and the SALib problem they define.

    Attributes
    ----------
    parameters : tuple of SAParameter
        In sampling order.
    grouped : bool
        Whether indices are computed per mechanism rather than per parameter.
    """

    parameters: tuple[SAParameter, ...]
    grouped: bool = True

    def __post_init__(self) -> None:
        if len(self.parameters) < 2:
            raise DesignError("a sensitivity analysis needs at least two uncertain parameters")
        paths = [p.path for p in self.parameters]
        dupes = sorted({p for p in paths if paths.count(p) > 1})
        if dupes:
            raise DesignError(f"parameters listed twice: {', '.join(dupes)}")
        for p in self.parameters:
            if not p.low < p.high:
                raise DesignError(f"{p.path}: range [{p.low}, {p.high}] must have low < high")
        if self.grouped and len(self.groups) < 2:
            raise DesignError(
                f"grouping by mechanism needs at least two mechanisms, got {self.groups}; "
                "use grouped=False to rank single parameters"
            )

    @property
    def names(self) -> list[str]:
        """Parameter paths."""
        return [p.path for p in self.parameters]

    @property
    def groups(self) -> list[str]:
        """Distinct mechanisms, in order of first appearance (SALib's order)."""
        return list(dict.fromkeys(p.mechanism for p in self.parameters))

    @property
    def factors(self) -> list[str]:
        """What indices are reported for: mechanisms if grouped, else parameters."""
        return self.groups if self.grouped else self.names

    def salib(self, grouped: bool | None = None) -> dict[str, Any]:
        """The SALib problem dictionary (with ``groups`` when grouped)."""
        grouped = self.grouped if grouped is None else grouped
        groups = [p.mechanism for p in self.parameters] if grouped else None
        return salib_problem(self.names, [[p.low, p.high] for p in self.parameters], groups)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for the study's manifest)."""
        return {
            "grouped": self.grouped,
            "parameters": [vars(p) for p in self.parameters],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SAProblem:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(SAParameter(**p) for p in data["parameters"]), data["grouped"])


def catalogue_parameters(which: str = "mechanisms") -> list[SAParameter]:
    """Scalar catalogue parameters with an uncertainty range.

    Parameters
    ----------
    which
        ``"mechanisms"`` (only those the catalogue assigns a mechanism) or ``"all_uncertain"``.
    """

    out = []
    for row in iter_parameters():
        if which == "mechanisms" and not row["mechanism"]:
            continue
        parameter = _from_catalogue(row["parameter"], row)
        if parameter is not None:
            out.append(parameter)
    return out


def parameter_ranges(parameters: Sequence[str] | None = None) -> list[tuple[str, float, float]]:
    """``(path, low, high)`` of each parameter from the catalogue's uncertainty ranges
    (default: every scalar parameter with one)."""
    if parameters is None:
        return [(p.path, p.low, p.high) for p in catalogue_parameters("all_uncertain")]
    ranges = []
    for path in parameters:
        parameter = _from_catalogue(path, catalogue_entry(path))
        if parameter is None:
            raise DesignError(f"parameter {path!r} has no uncertainty range in the catalogue")
        ranges.append((path, parameter.low, parameter.high))
    return ranges


def problem_spec(
    parameters: Sequence[str] | None = None, group_by_mechanism: bool = False
) -> ProblemSpec:
    """A SALib ``ProblemSpec`` over uncertain catalogue parameters (default: all of them).

    Parameters
    ----------
    parameters
        Dotted parameter paths (list items as ``path.index``).
    group_by_mechanism
        Set ``groups`` to each parameter's mechanism (``"other"`` if none), for grouped indices.
    """
    ranges = parameter_ranges(parameters)
    names = [p for p, _, _ in ranges]
    groups = None
    if group_by_mechanism:
        groups = [(catalogue_entry(p) or {}).get("mechanism") or OTHER for p in names]
    return ProblemSpec(salib_problem(names, [[lo, hi] for _, lo, hi in ranges], groups))


def sampled_design(
    kind: str,
    samples: int,
    parameters: Sequence[str] | None = None,
    **experiment: Any,
) -> Design:
    """A ``lhs`` or ``sobol`` design over catalogue uncertainty ranges.

    Parameters
    ----------
    kind
        ``"lhs"`` or ``"sobol"``.
    samples
        LHS points, or the Sobol base sample size (a power of two).
    parameters
        Parameters to vary (default: all uncertain scalar parameters).
    **experiment
        Other :class:`Design` fields (``replications``, ``root_seed``, ``base``, ...).
    """
    specs = tuple(
        ParameterSpec(path, low=lo, high=hi) for path, lo, hi in parameter_ranges(parameters)
    )
    return Design(kind=kind, samples=samples, parameters=specs, **experiment)


def _from_catalogue(path: str, row: Mapping[str, Any] | None) -> SAParameter | None:
    """A catalogue row as an uncertain parameter; None without a range or for a list value."""
    if row is None or row["uncertain_low"] is None or isinstance(row["default"], list):
        return None
    return SAParameter(
        path,
        float(row["uncertain_low"]),
        float(row["uncertain_high"]),
        row["mechanism"] or OTHER,
        "mechanism" if row["mechanism"] else OTHER,
        float(row["default"]),
    )


def intervention_parameters(
    interventions: Iterable[Any],
    relative_range: float = 0.5,
    catalogue: Mapping[str, Any] | None = None,
) -> list[SAParameter]:
    """Non-zero effect parameters of a package's interventions.

    Each non-zero effect (a path of :data:`EFFECT_MECHANISMS`) is varied over the range the
    intervention catalogue declares for it (``[<kind>.uncertain]``, looked up by the
    intervention's catalogue type ``spec.kind``) **if** the package's value lies inside that
    range. Otherwise — no range declared, or the package overrode the value to lie outside
    it — the effect varies over ``value × (1 ± relative_range)``, clipped to the field's
    bounds, so the range always contains the value the package runs with.

    Parameters
    ----------
    interventions
        Resolved ``InterventionSpec`` objects (``arm.params.interventions``).
    relative_range
        Relative half-width of the fallback range (see above).
    catalogue
        Catalogue entries by intervention type (default: the shipped catalogue).
    """
    if not 0.0 < relative_range < 1.0:
        raise DesignError(f"relative_range must be in (0, 1), got {relative_range}")
    if catalogue is None:
        catalogue = load_catalogue()
    out = []
    for spec in interventions:
        entry = catalogue.get(spec.kind)
        declared = entry.uncertain if entry is not None else {}
        for field_path, mechanism in EFFECT_MECHANISMS.items():
            value = effect_value(spec, field_path)
            if value == 0.0:
                continue  # an effect the package does not use stays off
            if (
                field_path in declared
                and declared[field_path][0] <= value <= declared[field_path][1]
            ):
                low, high = (float(v) for v in declared[field_path])
            else:
                lo, hi = effect_bounds(field_path)
                low = max(lo, value * (1.0 - relative_range))
                high = min(hi, value * (1.0 + relative_range))
            out.append(
                SAParameter(
                    f"interventions.{spec.name}.{field_path}",
                    low,
                    high,
                    mechanism,
                    "intervention",
                    value,
                )
            )
    return out


def build_problem(
    interventions: Iterable[Any] = (),
    sets: Sequence[str] = ("mechanisms", "interventions"),
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    ranges: Mapping[str, tuple[float, float]] | None = None,
    mechanisms: Mapping[str, str] | None = None,
    relative_range: float = 0.5,
    grouped: bool = True,
) -> SAProblem:
    """The uncertain parameters of a study.

    Parameters
    ----------
    interventions
        The package's resolved interventions (for the ``interventions`` set).
    sets
        Parameter sets to start from (see :data:`SETS`).
    include
        If given, keep only these paths (any path of the sets, or a catalogue path).
    exclude
        Paths to leave out.
    ranges
        ``path -> (low, high)``: override a range or add a parameter not in the sets.
    mechanisms
        ``path -> mechanism``: override a parameter's group.
    relative_range
        Range of intervention effects around their value.
    grouped
        Report indices per mechanism.

    Raises
    ------
    DesignError
        For an unknown set, a path without a range, or fewer than two parameters.
    """
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        raise DesignError(f"unknown parameter set(s) {unknown}; choose from {', '.join(SETS)}")
    pool: dict[str, SAParameter] = {}
    if "all_uncertain" in sets:
        pool.update((p.path, p) for p in catalogue_parameters("all_uncertain"))
    elif "mechanisms" in sets:
        pool.update((p.path, p) for p in catalogue_parameters("mechanisms"))
    if "interventions" in sets:
        pool.update((p.path, p) for p in intervention_parameters(interventions, relative_range))
    ranges = dict(ranges or {})
    mechanisms = dict(mechanisms or {})
    paths = list(include) if include is not None else list(pool)
    paths += [p for p in ranges if p not in paths]
    chosen = []
    for path in paths:
        if path in exclude:
            continue
        base = pool.get(path) or _from_catalogue(path, catalogue_entry(path))
        if path in ranges:
            low, high = (float(v) for v in ranges[path])
            base = (
                SAParameter(path, low, high, OTHER, "custom")
                if base is None
                else SAParameter(path, low, high, base.mechanism, base.kind, base.default)
            )
        if base is None:
            raise DesignError(
                f"parameter {path!r} has no uncertainty range (not in the catalogue's uncertain "
                "parameters nor among the package's intervention effects); give one as "
                "PATH=LOW:HIGH"
            )
        if path in mechanisms:
            base = SAParameter(
                base.path, base.low, base.high, mechanisms[path], base.kind, base.default
            )
        chosen.append(base)
    return SAProblem(tuple(chosen), grouped)
