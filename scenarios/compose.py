"""Composition: a package applied on top of a lab, with run settings and overrides.

The result, a :class:`Scenario`, holds validated model parameters for the baseline (the lab
as it is) and for each package arm (the lab with the package's coalition set-up,
partner commitments and interventions). Every problem is found here, before anything runs.

Overrides apply to every arm, except overrides of interventions and of coalition or partner
settings that a package itself sets: those belong to the package and change its arm only.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from scenarios.catalogue import deep_merge, load_catalogue, resolve_intervention
from scenarios.errors import ScenarioError, suggestion, validated
from scenarios.files import (
    LAB_DIR,
    PACKAGE_DIR,
    STUDY_DIR,
    load_file,
    resolve,
    shipped,
)
from scenarios.locate import locate
from scenarios.overrides import apply_override, parse_assignment
from scenarios.schema import (
    AdaptationRule,
    CatalogueEntry,
    LabFile,
    PackageFile,
    RunSettings,
    ScenarioFile,
)
from simulator.params import ModelParams, ProviderSpec

#: How far the sectors' employment shares may be from summing to 1 (rounding in a lab file).
SHARE_TOLERANCE = 0.01


@dataclass
class Lab:
    """A validated lab file."""

    file: LabFile
    source: Path
    text: str

    @property
    def name(self) -> str:
        """The lab's identifier."""
        return self.file.lab.name


@dataclass
class Package:
    """A validated package file."""

    file: PackageFile
    source: Path | None
    text: str | None

    @property
    def name(self) -> str:
        """The package's identifier."""
        return self.file.package.name


@dataclass
class Arm:
    """One package on one lab: the parameters of its runs."""

    package: Package
    params: ModelParams
    adaptation: AdaptationRule | None

    @property
    def name(self) -> str:
        """The package's identifier."""
        return self.package.name


@dataclass
class Scenario:
    """A composed, validated scenario: the baseline and one arm per package."""

    name: str
    title: str
    lab: Lab
    baseline: ModelParams
    arms: list[Arm]
    run: RunSettings
    overrides: list[str] = field(default_factory=list)
    source: Path | None = None
    #: Declared interaction terms ``(combined, parts)``; ``None``: inferred, see
    #: :meth:`interaction_terms`.
    interactions: list[tuple[str, tuple[str, ...]]] | None = None
    #: Posterior draws of calibrated parameters: per draw, the baseline and each arm's
    #: parameters (empty: every replication runs ``baseline`` and the arms' parameters).
    draws: list[tuple[ModelParams, list[ModelParams]]] = field(default_factory=list)

    def replication_params(self, replication: int) -> tuple[ModelParams, list[ModelParams]]:
        """The baseline and arms' parameters of a replication: draw ``replication`` modulo
        the number of draws, so the effects' spread carries the parameters' uncertainty."""
        if not self.draws:
            return self.baseline, [arm.params for arm in self.arms]
        return self.draws[replication % len(self.draws)]

    def interaction_terms(self) -> list[tuple[str, tuple[str, ...]]]:
        """Interaction terms to estimate: ``(combined package, its part packages)``.

        Declared ones (a scenario file's ``[[scenario.interactions]]``), else each
        mobility-and-inflow arm against the one mobility-only and the one inflow-only arm,
        when the scenario has exactly one of each.
        """
        if self.interactions is not None:
            return list(self.interactions)
        sides = {arm.name: arm.package.file.package.engine for arm in self.arms}
        mobility = [n for n, e in sides.items() if e == "mobility"]
        inflow = [n for n, e in sides.items() if e == "inflow"]
        if len(mobility) != 1 or len(inflow) != 1:
            return []
        both = [n for n, e in sides.items() if e == "mobility_and_inflow"]
        return [(n, (mobility[0], inflow[0])) for n in both]

    def describe(self) -> dict[str, Any]:
        """Plain-data description (for the results folder and the report)."""
        return {
            "name": self.name,
            "title": self.title,
            "source": str(self.source) if self.source else None,
            "lab": self.lab.file.model_dump(mode="json", exclude_none=True),
            "lab_source": str(self.lab.source),
            "packages": [
                {
                    **arm.package.file.model_dump(mode="json", exclude_none=True),
                    "source": str(arm.package.source) if arm.package.source else None,
                    "resolved_interventions": [
                        s.model_dump(mode="json") for s in arm.params.interventions
                    ],
                }
                for arm in self.arms
            ],
            "run": self.run.model_dump(mode="json"),
            "overrides": list(self.overrides),
            "parameter_draws": len(self.draws),
            "interactions": [
                {"combined": c, "parts": list(parts)} for c, parts in self.interaction_terms()
            ],
        }


# ------------------------------------------------------------------ loading by name
def load_lab(reference: str | Path, base: Path | None = None, where: str = "lab") -> Lab:
    """Load a lab by name (a shipped lab) or path.

    Raises
    ------
    ScenarioError
        When there is no such lab (listing the shipped ones) or the file is invalid.
    """
    path = resolve(str(reference), LAB_DIR, base)
    if path is None:
        raise ScenarioError(
            f"{where}: no lab {str(reference)!r}{suggestion(str(reference), shipped(LAB_DIR))}; "
            f"shipped labs: {', '.join(shipped(LAB_DIR))} (or give the path of a lab file)"
        )
    file, text = load_file(LabFile, path)
    population = file.population
    if population is not None and "sectors" in population.model_fields_set:
        line = locate(text, ("population", "sectors", 0))
        check_sector_shares(
            [s.model_dump() for s in population.sectors],
            f"{path}:{line}: population.sectors" if line else f"{path}: population.sectors",
        )
    return Lab(file, path, text)


def check_sector_shares(sectors: Sequence[dict[str, Any]], where: str) -> None:
    """Check that the sectors' employment shares sum to 1 (within :data:`SHARE_TOLERANCE`).

    The model itself rescales shares that do not sum to 1, which would silently change a
    lab's economy (a typo of 0.5 for 0.05 shrinks every other sector); so a lab or an
    override is rejected here instead.

    Raises
    ------
    ScenarioError
        Naming ``where``, the sum and each sector's share.
    """
    total = sum(float(s["employment_share"]) for s in sectors)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        listing = ", ".join(f"{s['name']} {s['employment_share']:g}" for s in sectors)
        raise ScenarioError(
            f"{where}: the sectors' employment shares sum to {total:.3f} ({listing}); they "
            f"must sum to 1 (within {SHARE_TOLERANCE:g})"
        )


def load_package(
    reference: str | Path, base: Path | None = None, where: str = "package"
) -> Package:
    """Load a package by name (a shipped package) or path."""
    path = resolve(str(reference), PACKAGE_DIR, base)
    if path is None:
        names = shipped(PACKAGE_DIR)
        raise ScenarioError(
            f"{where}: no package {str(reference)!r}{suggestion(str(reference), names)}; "
            f"shipped packages: {', '.join(names)} (or give the path of a package file)"
        )
    file, text = load_file(PackageFile, path)
    return Package(file, path, text)


def _package_lab(package: Package) -> Lab:
    """The lab a package names, with the error pointing at the package's ``lab`` key."""
    ref = package.file.package.lab
    if ref is None:
        raise ScenarioError(
            f"{package.source}: package {package.name!r} names no lab; choose one with --lab "
            f"(shipped labs: {', '.join(shipped(LAB_DIR))})"
        )
    line = locate(package.text, ("package", "lab")) if package.text else None
    where = f"{package.source}:{line}: package.lab" if line else f"{package.source}: package.lab"
    base = package.source.parent if package.source else None
    return load_lab(ref, base, where)


# ------------------------------------------------------------------ composition
#: An override as applied: the key path it set (list items as indices) and where it came from.
Applied = tuple[tuple[str | int, ...], str]


def _origin(applied: Sequence[Applied]) -> Callable[[tuple[Any, ...], str], str | None]:
    """``where(key_path, message)``: the override that set the value at (or around) a path.

    An error at a path inside an override's value, or at a group holding it (a check of a
    whole section), is traced to that override; the most specific, then the latest, wins.
    """

    def where(loc: tuple[Any, ...], message: str = "") -> str | None:
        hits = [
            (resolved, label)
            for resolved, label in applied
            if (n := min(len(resolved), len(loc))) and tuple(resolved[:n]) == tuple(loc[:n])
        ]
        if message and len(hits) > 1 and all(len(r) > len(loc) for r, _ in hits):
            # A check of a whole section blames the overrides whose key its message names
            # (``months (6)``), not merely the latest one inside the section.
            named = [h for h in hits if re.search(rf"\b{re.escape(str(h[0][-1]))}\b", message)]
            hits = named or hits
        best, best_len = None, 0
        for resolved, label in hits:
            if len(resolved) >= best_len:
                best, best_len = label, len(resolved)
        return best

    return where


def _validate_params(
    data: dict[str, Any], source: str, applied: Sequence[Applied] = ()
) -> ModelParams:
    """Validate composed parameters; errors name the override that caused them, if any."""
    where = _origin(applied)
    params = validated(ModelParams, data, f"parameters ({source})", source, where=where)
    if applied and any(r[:2] == ("population", "sectors") for r, _ in applied):
        # The lab's own sectors were checked on loading; an override may have changed them.
        check_sector_shares(
            data["population"]["sectors"],
            f"{where(('population', 'sectors')) or source}: population.sectors",
        )
    return params


def lab_parameters(lab: Lab, run: RunSettings) -> dict[str, Any]:
    """The lab's full parameter dictionary (model defaults + the lab's values + run length)."""
    data = deep_merge(ModelParams().model_dump(), lab.file.parameters())
    data["months"] = run.months
    if run.persons is not None:
        data["population"]["n_persons"] = run.persons
    for i, barrier in enumerate(lab.file.lab.barriers):
        for j, path in enumerate(barrier.parameters):
            node: Any = data
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                line = locate(lab.text, ("lab", "barriers", i, "parameters"))
                raise ScenarioError(
                    f"{lab.source}:{line}: lab.barriers.{i}.parameters.{j}: {path!r} is not a "
                    "model parameter (`synclusive params` lists them)"
                )
    # The lab's own values are checked here, so errors point at the lab file.
    validated(ModelParams, data, "lab file", lab.source, lab.text)
    return data


def _package_paths(package: Package) -> set[str]:
    """Dotted paths of the lab settings a package sets itself."""
    paths = set()
    if package.file.coalition is not None:
        for key in package.file.coalition.model_dump(exclude_unset=True):
            paths.add(f"coalition.{key}")
    for name, commitment in package.file.partners.items():
        for key in commitment.model_dump(exclude_none=True):
            paths.add(f"providers.{name}.{key}")
    return paths


def apply_package(
    data: dict[str, Any], package: Package, catalogue: dict[str, CatalogueEntry]
) -> dict[str, Any]:
    """The lab's parameters with a package applied (a new dictionary)."""
    out = copy.deepcopy(data)
    src = package.source or package.name
    if package.file.coalition is not None:
        out["coalition"].update(package.file.coalition.model_dump(exclude_unset=True))
    providers = out["providers"]
    names = [p["name"] for p in providers]
    for name, commitment in package.file.partners.items():
        if name not in names:
            line = locate(package.text, ("partners", name)) if package.text else None
            where = f"{src}:{line}" if line else str(src)
            raise ScenarioError(
                f"{where}: partners.{name}: the lab has no provider {name!r}"
                f"{suggestion(name, names)}; its providers are: {', '.join(names)}"
            )
        providers[names.index(name)].update(commitment.model_dump(exclude_none=True))

    specs = [ProviderSpec.model_validate(p) for p in providers]
    seen: dict[str, int] = {}
    interventions = []
    for index, entry in enumerate(package.file.interventions):
        spec = resolve_intervention(entry, specs, catalogue, src, package.text, index)
        if spec.name in seen:
            line = locate(package.text, ("interventions", index)) if package.text else None
            where = f"{src}:{line}" if line else str(src)
            raise ScenarioError(
                f"{where}: interventions.{index}: the name {spec.name!r} is already used by "
                f"interventions.{seen[spec.name]}; give each intervention a unique name"
            )
        seen[spec.name] = index
        interventions.append(spec.model_dump())
    out["interventions"] = interventions
    return out


def compose(
    lab: Lab,
    packages: list[Package],
    run: RunSettings | None = None,
    overrides: list[str] | None = None,
    *,
    name: str | None = None,
    title: str | None = None,
    source: Path | None = None,
    override_source: str = "--set",
    override_sources: Sequence[str] | None = None,
    interactions: list[tuple[str, tuple[str, ...]]] | None = None,
) -> Scenario:
    """Compose and validate a scenario.

    Parameters
    ----------
    lab
        The living lab.
    packages
        Packages to compare with the baseline (each becomes an arm).
    run
        Run settings (default: the lab's, else the defaults).
    overrides
        ``PATH=VALUE`` strings; ``run.*`` paths change the run settings.
    name, title, source
        Identity of the scenario (default: from the lab and packages).
    override_source
        How overrides are named in error messages.
    override_sources
        Per override, where it came from (e.g. ``"s.toml:12: [set]"``); default:
        ``override_source`` for all.
    interactions
        Interaction terms ``(combined, parts)`` to estimate (default: inferred, see
        :meth:`Scenario.interaction_terms`).

    Raises
    ------
    ScenarioError
        On any invalid input, before anything runs.
    """
    overrides = list(overrides or [])
    sources = list(override_sources or [override_source] * len(overrides))
    if len(sources) != len(overrides):
        raise ValueError("override_sources must give one source per override")
    run = run or lab.file.run or RunSettings()
    run_data = run.model_dump()
    # (path, value, where it came from, the label errors about it carry)
    param_overrides: list[tuple[str, Any, str, str]] = []
    run_applied: list[Applied] = []
    for text, src in zip(overrides, sources, strict=True):
        path, value = parse_assignment(text, src)
        if path.startswith("run."):
            resolved = apply_override(run_data, path[4:], value, src)
            run_applied.append((("run", *resolved), f"{src} {text}"))
        else:
            param_overrides.append((path, value, src, f"{src} {text}"))
    run = validated(
        RunSettings,
        run_data,
        "run settings",
        override_source,
        prefix=("run",),
        where=_origin(run_applied),
    )

    catalogue = load_catalogue()
    lab_data = lab_parameters(lab, run)
    package_paths = set().union(*(_package_paths(p) for p in packages)) if packages else set()

    baseline_data = copy.deepcopy(lab_data)
    applied: list[Applied] = []
    for path, value, src, label in param_overrides:
        if path.startswith("interventions.") or path in package_paths:
            continue
        applied.append((apply_override(baseline_data, path, value, src), label))
    baseline = _validate_params(baseline_data, f"lab {lab.name} with overrides", applied)

    arms = []
    names = [p.name for p in packages]
    if len(set(names)) != len(names):
        raise ScenarioError(f"each package may be compared once; got {names}")
    for package in packages:
        try:
            data = apply_package(lab_data, package, catalogue)
        except ScenarioError as err:
            # The package may be right and the lab file wrong: name the lab's file too.
            raise ScenarioError(f"{err} (lab {lab.name}: {lab.source})") from None
        applied = []
        for path, value, src, label in param_overrides:
            if path.startswith("interventions.") and not _has_intervention(data, path):
                if not any(_has_intervention(a.params.model_dump(), path) for a in arms) and (
                    package is packages[-1]
                ):
                    apply_override(data, path, value, src)  # raises, listing names
                continue
            applied.append((apply_override(data, path, value, src), label))
        params = _validate_params(
            data, f"lab {lab.name} + package {package.name} + overrides", applied
        )
        arms.append(Arm(package, params, package.file.adaptation))
    label = "_".join([lab.name, *names]) if names else lab.name
    return Scenario(
        name=name or label,
        title=title
        or f"{lab.file.lab.title}: " + ", ".join(p.file.package.title for p in packages),
        lab=lab,
        baseline=baseline,
        arms=arms,
        run=run,
        overrides=overrides,
        source=source,
        interactions=interactions,
    )


def load_scenario(
    reference: str | Path,
    overrides: list[str] | None = None,
    run: RunSettings | None = None,
) -> Scenario:
    """Load a scenario file (by name or path) and compose it.

    ``overrides`` from the command line come after the file's own ``[set]`` table.
    """
    path = resolve(str(reference), STUDY_DIR)
    if path is None:
        raise ScenarioError(
            f"no scenario {str(reference)!r}{suggestion(str(reference), shipped(STUDY_DIR))}; "
            f"shipped scenarios: {', '.join(shipped(STUDY_DIR))} (or give a file path)"
        )
    file, text = load_file(ScenarioFile, path)
    info = file.scenario
    line = locate(text, ("scenario", "lab"))
    lab = load_lab(info.lab, path.parent, f"{path}:{line}: scenario.lab")
    packages = []
    for i, ref in enumerate(info.packages):
        line = locate(text, ("scenario", "packages"))
        packages.append(load_package(ref, path.parent, f"{path}:{line}: scenario.packages.{i}"))
    file_overrides = [f"{k}={_toml_literal(v)}" for k, v in file.set.items()]
    # Each [set] entry is named by its own line, so a bad value points at the file.
    file_sources = [
        f"{path}:{locate(text, ('set', *k.split('.'))) or locate(text, ('set',))}: [set]"
        for k in file.set
    ]
    cli_overrides = list(overrides or [])

    def composed(draw: dict[str, Any], where: str) -> Scenario:
        extra = [f"{k}={_toml_literal(v)}" for k, v in draw.items()]
        return compose(
            lab,
            packages,
            run or file.run,
            [*file_overrides, *extra, *cli_overrides],
            name=info.name,
            title=info.title or None,
            source=path,
            override_sources=[
                *file_sources,
                *[where] * len(extra),
                *["--set"] * len(cli_overrides),
            ],
            interactions=_declared_interactions(file, text, path, packages),
        )

    scenario = composed({}, "")
    if file.posterior is not None:
        for i, draw in enumerate(file.posterior.draws):
            line = locate(text, ("posterior", "draws", i)) or locate(text, ("posterior",))
            one = composed(draw, f"{path}:{line}: posterior.draws.{i}")
            scenario.draws.append((one.baseline, [arm.params for arm in one.arms]))
    return scenario


def _declared_interactions(
    file: ScenarioFile, text: str, path: Path, packages: list[Package]
) -> list[tuple[str, tuple[str, ...]]] | None:
    """The scenario file's interaction terms, checked against its packages."""
    declared = file.scenario.interactions
    if declared is None:
        return None
    names = [p.name for p in packages]
    terms = []
    for i, term in enumerate(declared):
        named = [
            ("combined", term.combined),
            *((f"parts.{j}", p) for j, p in enumerate(term.parts)),
        ]
        for key, ref in named:
            if ref not in names:
                line = locate(text, ("scenario", "interactions", i, key.split(".")[0]))
                raise ScenarioError(
                    f"{path}:{line}: scenario.interactions.{i}.{key}: {ref!r} is not one of "
                    f"the scenario's packages{suggestion(ref, names)}; they are: "
                    f"{', '.join(names)}"
                )
        if term.combined in term.parts or len(set(term.parts)) != len(term.parts):
            line = locate(text, ("scenario", "interactions", i))
            raise ScenarioError(
                f"{path}:{line}: scenario.interactions.{i}: the parts must be distinct "
                f"packages other than the combined one ({term.combined!r})"
            )
        terms.append((term.combined, tuple(term.parts)))
    return terms


def _has_intervention(data: dict[str, Any], path: str) -> bool:
    """Whether an ``interventions.NAME...`` override names an intervention of this arm."""
    part = path.split(".")[1] if "." in path else ""
    names = [iv["name"] for iv in data["interventions"]]
    return part in names or (part.isdigit() and int(part) < len(names))


def _toml_literal(value: Any) -> str:
    """A value written back as a TOML literal (for file overrides)."""

    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def scenario_from_names(
    package: str | None = None,
    lab: str | None = None,
    packages: list[str] | None = None,
    overrides: list[str] | None = None,
    run: RunSettings | None = None,
) -> Scenario:
    """Compose a scenario from a package name (its own lab unless ``lab`` is given).

    Parameters
    ----------
    package
        First package; its ``lab`` is used when ``lab`` is not given.
    lab
        Lab name or path.
    packages
        Further packages, compared with the same baseline.
    """
    refs = [p for p in [package, *(packages or [])] if p]
    loaded = [load_package(ref) for ref in refs]
    if lab is not None:
        chosen = load_lab(lab, where="--lab")
    elif loaded:
        chosen = _package_lab(loaded[0])
    else:
        raise ScenarioError(
            "give a package or a lab (shipped packages: "
            f"{', '.join(shipped(PACKAGE_DIR))}; labs: {', '.join(shipped(LAB_DIR))})"
        )
    return compose(chosen, loaded, run, overrides)
