"""Schema of the scenario files: living labs, intervention packages, scenarios, the catalogue.

Four kinds of TOML file, each validated by a pydantic model (unknown keys are errors, values
are checked in strict mode so a quoted number is a wrong type, not silently converted):

* a **lab** file (:class:`LabFile`) describes a region: who lives and works there, its
  employers, service providers, coalition and barriers. Its parameter sections are the
  sections of :class:`~simulator.params.ModelParams`; whatever a lab leaves out keeps the
  model default.
* a **package** file (:class:`PackageFile`) combines interventions from the catalogue with the
  coalition's set-up (which partners join, and when) and an optional adaptation rule.
* a **scenario** file (:class:`ScenarioFile`) names a lab and a package and adds run settings
  and parameter overrides.
* the **catalogue** (:class:`CatalogueEntry` per intervention type) holds the evidence-based
  defaults every package entry starts from.

Scenario files are data: they are parsed with ``tomllib`` and nothing in them is executed.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from simulator.interventions import EFFECT_FIELDS, GroupName, InterventionKind, InterventionSpec
from simulator.params import (
    CoalitionParams,
    DemandParams,
    LadderParams,
    MatchingParams,
    Mechanism,
    MechanismParams,
    MobilityParams,
    PersonStateParams,
    PopulationParams,
    ProviderKind,
    ProviderSpec,
)
from simulator.survey import STATISTICS

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
MECHANISMS: tuple[str, ...] = typing.get_args(Mechanism)
#: The sections of ModelParams a lab file may set (everything but the package).
LAB_PARAMETER_SECTIONS: tuple[str, ...] = (
    "population",
    "ladder",
    "demand",
    "mobility",
    "matching",
    "mechanisms",
    "coalition",
    "initial",
    "providers",
)


class Strict(BaseModel):
    """Base of every file model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ run settings
class RunSettings(Strict):
    """How a comparison is run: horizon, replications, seed and reporting choices."""

    months: int = Field(120, ge=6, le=1200, description="Months simulated (unit: months).")
    replications: int = Field(
        20, ge=1, le=100_000, description="Replications of each arm (common random numbers)."
    )
    seed: int = Field(
        20240601, ge=0, le=2**63 - 1, description="Root seed; each replication derives its own."
    )
    persons: int | None = Field(
        None,
        ge=200,
        le=50_000_000,
        description="Simulated labour force; default: the lab's population.n_persons.",
    )
    evaluation_months: int = Field(
        12,
        ge=1,
        le=600,
        description="Length of the window at the end of the run over which stocks and rates "
        "are averaged (unit: months).",
    )
    confidence: float = Field(
        0.95, gt=0.5, lt=1.0, description="Confidence level of the intervals (share)."
    )
    min_cell: int = Field(
        10,
        ge=0,
        le=10_000,
        description="Cells with fewer persons (mean per replication) are suppressed in "
        "breakdowns (unit: persons).",
    )
    ablation: bool = Field(
        True, description="Also run mechanism ablation (one mechanism off at a time)."
    )

    @model_validator(mode="after")
    def _check(self) -> RunSettings:
        if self.evaluation_months > self.months:
            raise ValueError(
                f"evaluation_months ({self.evaluation_months}) must not exceed months "
                f"({self.months})"
            )
        return self


# ------------------------------------------------------------------ labs
class Barrier(Strict):
    """A barrier named for the lab, and the model parameters that express it."""

    name: str = Field(description="Short name of the barrier.")
    applies_to: Literal["jobseekers", "employees", "employers", "services"] = Field(
        description="Level of the engine the barrier acts on."
    )
    description: str = Field("", description="What the barrier is, in the lab's own words.")
    parameters: list[str] = Field(
        min_length=1,
        description="Dotted paths of the model parameters that express the barrier "
        "(e.g. matching.bias_mean).",
    )


class LabInfo(Strict):
    """Who and where: the living lab's identity, target groups and barriers."""

    name: str = Field(pattern=NAME_PATTERN, description="Identifier (lower case, underscores).")
    title: str = Field(description="Human-readable name.")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 country code.")
    description: str = Field("", description="A paragraph on the region and its labour market.")
    target_groups: list[GroupName] = Field(
        min_length=1, description="Jobseeker groups the lab targets (reported first)."
    )
    employee_targets: list[str] = Field(
        default_factory=list, description="Employee groups the lab targets (mobility side)."
    )
    barriers: list[Barrier] = Field(default_factory=list, description="Barriers identified.")
    sources: list[str] = Field(
        default_factory=list, description="Published sources of the figures used."
    )
    assumptions: list[str] = Field(
        default_factory=list, description="Figures that are assumptions, not published numbers."
    )


class PublishedFigure(Strict):
    """A published statistic the lab's baseline must reproduce (``[[published]]``)."""

    statistic: Literal[tuple(STATISTICS)] = Field(  # type: ignore[valid-type]
        description="The statistic, computed in the model by the same definition: "
        + "; ".join(f"{s.name}: {s.definition}" for s in STATISTICS.values())
    )
    value: float = Field(ge=0.0, le=1.0, description="Published value (a share, 0-1).")
    year: int = Field(ge=1990, le=2100, description="Reference year.")
    geography: str = Field(
        description="Where the figure is for (the lab's own area, or the "
        "country when only the national figure exists)."
    )
    source: str = Field(description="Publisher and table or publication.")
    definition: str = Field(
        description="The definition as the source states it (ages, period, seasonal adjustment)."
    )
    tolerance: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="Largest relative gap |model / published - 1| accepted (default: the "
        "statistic's own, see simulator.survey).",
    )
    note: str = Field("", description="Caveats: proxies, other years or age ranges.")

    @property
    def accepted_gap(self) -> float:
        """The tolerance in force."""
        return (
            self.tolerance if self.tolerance is not None else STATISTICS[self.statistic].tolerance
        )


class SpinUp(Strict):
    """How long the lab's own baseline runs before month 0 (``[spin_up]``)."""

    months: int = Field(
        ge=0,
        le=1200,
        description="Months of the lab's baseline dynamics run before month 0, so that a run "
        "starts from the lab's steady state (unit: months; model default 60). Choose the "
        "shortest of 60, 120, 240 for which doubling it moves none of the lab's published "
        "first-year figures by more than a third of the figure's tolerance beyond the seeds' "
        "noise: `python -m experiments.comparison.convergence LAB`.",
    )
    reason: str = Field("", description="Why this length: the convergence measured for it.")


class LabFile(Strict):
    """A living-lab file: ``[lab]`` plus any parameter sections of the model."""

    model_config = ConfigDict(extra="forbid", title="Synclusive living lab")

    lab: LabInfo
    run: RunSettings | None = Field(None, description="Default run settings for this lab.")
    population: PopulationParams | None = None
    ladder: LadderParams | None = None
    demand: DemandParams | None = None
    mobility: MobilityParams | None = None
    matching: MatchingParams | None = None
    mechanisms: MechanismParams | None = None
    coalition: CoalitionParams | None = None
    initial: PersonStateParams | None = None
    providers: list[ProviderSpec] | None = None
    spin_up: SpinUp | None = Field(
        None, description="The lab's spin-up length (default: the model's spin_up_months)."
    )
    published: list[PublishedFigure] = Field(
        default_factory=list,
        description="Published statistics the baseline reproduces (`synclusive validate`).",
    )

    def parameters(self) -> dict[str, Any]:
        """The parameter values the file sets (sections left out keep model defaults)."""
        out: dict[str, Any] = {}
        for name in LAB_PARAMETER_SECTIONS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, list):
                out[name] = [v.model_dump() for v in value]
            else:
                out[name] = value.model_dump(exclude_unset=True)
        if self.spin_up is not None:
            out["spin_up_months"] = self.spin_up.months
        return out


# ------------------------------------------------------------------ interventions in packages
def _optional_fields(model: type[BaseModel], skip: tuple[str, ...]) -> dict[str, Any]:
    """Fields of ``model`` made optional (default ``None``), keeping bounds and descriptions."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        bounds: dict[str, Any] = {}
        for meta in info.metadata:
            for attr in ("ge", "le", "gt", "lt"):
                if getattr(meta, attr, None) is not None:
                    bounds[attr] = getattr(meta, attr)
        fields[name] = (info.annotation | None, Field(None, description=info.description, **bounds))
    return fields


#: Settings of an intervention that a catalogue entry or a package may give (all optional).
InterventionSettings = create_model(
    "InterventionSettings",
    __config__=ConfigDict(extra="forbid"),
    __doc__="Settings of an intervention; whatever is left out comes from the catalogue.",
    **_optional_fields(InterventionSpec, ("name", "kind")),
)


class PackageIntervention(InterventionSettings):  # type: ignore[misc, valid-type]
    """One intervention of a package: a catalogue type plus the package's own settings."""

    kind: InterventionKind = Field(description="Intervention type from the catalogue.")
    name: str | None = Field(
        None,
        pattern=NAME_PATTERN,
        description="Unique name within the package (default: the type).",
    )

    def settings(self) -> dict[str, Any]:
        """The settings given in the file (unset ones are left to the catalogue)."""
        return self.model_dump(exclude_unset=True, exclude={"kind", "name"})


class ProviderCommitment(Strict):
    """Partner commitment of one provider (engine step 1)."""

    in_coalition: bool | None = Field(None, description="Whether the provider takes part.")
    joins_month: int | None = Field(None, ge=0, le=10_000, description="Month it joins.")


class AdaptationRule(Strict):
    """Engine step 5: the coalition reallocates intake capacity from monitored indicators.

    Every ``every_months`` months from ``start_month`` on, the coalition looks at each
    intervention's uptake (starts against capacity) and, for person-targeted interventions,
    the share of its past participants in work. Budget (capacity × unit cost) moves from
    interventions with unused places or weak outcomes to those with full intake and strong
    outcomes; the package's monthly budget stays the same.
    """

    enabled: bool = Field(True, description="Whether the rule is applied.")
    every_months: int = Field(3, ge=1, le=60, description="Review interval (months).")
    start_month: int = Field(6, ge=1, le=10_000, description="First review (month).")
    rule: Literal["uptake", "outcomes", "uptake_and_outcomes"] = Field(
        "uptake_and_outcomes",
        description="What the reviews look at: unused places, participants' outcomes, or both.",
    )
    max_shift: float = Field(
        0.25,
        gt=0.0,
        le=1.0,
        description="Largest share of one intervention's budget moved at a review (share).",
    )
    full_uptake: float = Field(
        0.9, gt=0.0, le=1.0, description="Uptake (starts / capacity) counted as a full intake."
    )
    min_capacity: int = Field(
        1, ge=0, le=10_000, description="No intervention's capacity falls below this."
    )


class PackageInfo(Strict):
    """What the package is and which lab it was designed for."""

    name: str = Field(pattern=NAME_PATTERN, description="Identifier (lower case, underscores).")
    title: str = Field(description="Human-readable name.")
    description: str = Field("", description="What the package does and why.")
    lab: str | None = Field(
        None, description="The lab the package was designed for (used when none is given)."
    )
    engine: Literal["none", "mobility", "inflow", "mobility_and_inflow"] = Field(
        description="Which side of the engine the package works on."
    )


class PackageFile(Strict):
    """An intervention package: interventions, coalition set-up and adaptation."""

    model_config = ConfigDict(extra="forbid", title="Synclusive intervention package")

    package: PackageInfo
    coalition: CoalitionParams | None = Field(
        None, description="Coalition set-up of the package (overrides the lab's)."
    )
    partners: dict[str, ProviderCommitment] = Field(
        default_factory=dict, description="Provider commitment by provider name."
    )
    interventions: list[PackageIntervention] = Field(
        default_factory=list, description="Interventions of the package."
    )
    adaptation: AdaptationRule | None = Field(None, description="Quarterly adaptation rule.")


# ------------------------------------------------------------------ scenarios
class Interaction(Strict):
    """An interaction term: does a combined package do more than its parts together?

    Estimated as effect(combined) − Σ effect(part), each effect against the shared baseline;
    positive means the parts reinforce each other (the engine's claim for mobility and inflow).
    """

    combined: str = Field(
        pattern=NAME_PATTERN, description="Package with both sides (e.g. the engine package)."
    )
    parts: list[str] = Field(
        min_length=2,
        description="Packages whose effects are summed (e.g. mobility only and inflow only).",
    )


class ScenarioInfo(Strict):
    """A named combination of a lab and a package."""

    name: str = Field(pattern=NAME_PATTERN, description="Identifier (lower case, underscores).")
    title: str = Field("", description="Human-readable name.")
    description: str = Field("", description="What the scenario examines.")
    lab: str = Field(description="Lab name (or path of a lab file).")
    packages: list[str] = Field(
        min_length=1,
        description="Packages compared with the baseline (names or paths of package files).",
    )
    interactions: list[Interaction] | None = Field(
        None,
        description="Interaction terms to estimate, by package name. Default: each "
        "mobility-and-inflow package against the scenario's one mobility-only and one "
        "inflow-only package, when it has them; an empty list estimates none.",
    )


TomlScalar = bool | int | float | str
TomlValue = TomlScalar | list[TomlScalar]


class ParameterDraws(Strict):
    """Draws from the posterior of calibrated parameters (``synclusive calibrate --method
    abc`` writes them): replication ``r`` of a comparison runs draw ``r`` modulo their
    number, so the effects' intervals carry the parameters' uncertainty."""

    description: str = Field("", description="Where the draws come from.")
    draws: list[dict[str, float | int]] = Field(
        min_length=1,
        description="Each draw: parameter path (as in [set]) to value, applied after [set].",
    )


class ScenarioFile(Strict):
    """A scenario: lab + packages + run settings + overrides."""

    model_config = ConfigDict(extra="forbid", title="Synclusive scenario")

    scenario: ScenarioInfo
    run: RunSettings | None = None
    set: dict[str, TomlValue] = Field(
        default_factory=dict,
        description="Parameter overrides by dotted path, e.g. 'demand.quit_rate' = 0.004 or "
        "'interventions.taite_coaching.capacity' = 30.",
    )
    posterior: ParameterDraws | None = Field(
        None, description="Posterior draws of calibrated parameters, one per replication."
    )


# ------------------------------------------------------------------ the catalogue
class Benchmark(Strict):
    """A published effect size the intervention type should be judged against."""

    measure: Literal["relative_risk", "odds_ratio", "percentage_points", "hedges_g"]
    low: float
    high: float
    source: str


class PublishedProfile(Strict):
    """Published effects on participants' employment by horizon, with what they measure.

    A bin without a published figure is left out. ``basis`` says how close the figures are
    to the type: ``type`` (an estimate for this programme type), ``all_programmes`` (the
    average over all programme types, used where no figure for the type was found) or
    ``related_measure`` (a figure for the type on another outcome, e.g. ever in work during
    the follow-up rather than in work at a month).
    """

    year_1: float | None = Field(
        None, description="Effect within a year (after the programme in the source), pp."
    )
    year_2: float | None = Field(None, description="Effect one to two years after, pp.")
    after_2_years: float | None = Field(None, description="Effect beyond two years, pp.")
    unit: Literal["percentage_points"] = "percentage_points"
    basis: Literal["type", "all_programmes", "related_measure"]
    definition: str = Field(description="What the published figure measures, and on whom.")
    source: str = Field(description="Publication, table or figure, and where the numbers are.")
    mapping: str = Field(
        description=(
            "How the type's monthly parameters map onto these figures, and how the published "
            "horizons (often from the programme's end) relate to the simulated bins (from "
            "its start)."
        )
    )

    def by_bin(self) -> dict[str, float | None]:
        """The figures keyed by the event study's bin names."""
        return {"year_1": self.year_1, "year_2": self.year_2, "after_2_years": self.after_2_years}


class Profile(Strict):
    """The published time profile of an intervention type's effect on participants' employment,
    by time since the start: the shape its simulated event study should have."""

    pattern: Literal["rising", "early"] = Field(
        description=(
            "rising: small or negative within a year of the start (lock-in), larger one to two "
            "years and beyond two years after it; early: largest within a year, then constant "
            "or falling."
        )
    )
    published: PublishedProfile | None = Field(
        None,
        description=(
            "Published effects on the employment rate (percentage points) by horizon, where a "
            "source gives figures; absent where none was found."
        ),
    )
    source: str = Field(description="Where the pattern comes from.")
    note: str = Field("", description="How the published horizons map onto the simulated bins.")


class CatalogueEntry(Strict):
    """An intervention type: what it is, its evidence and its default settings."""

    title: str
    summary: str
    engine_side: Literal["inflow", "mobility", "employers"]
    provider_kind: ProviderKind | None = Field(
        None, description="Kind of provider that usually delivers it (first such provider)."
    )
    mechanisms: list[
        Literal[
            "self_efficacy",
            "trust",
            "experiences_of_success",
            "peer_learning",
            "hiring_support",
            "discrimination",
            "employee_development",
            "job_carving",
            "job_search",
        ]
    ] = Field(default_factory=list)
    evidence: list[str] = Field(min_length=1, description="Published sources of the defaults.")
    assumptions: list[str] = Field(
        default_factory=list, description="Defaults that are assumptions."
    )
    benchmark: Benchmark | None = None
    profile: Profile | None = None
    defaults: InterventionSettings  # type: ignore[valid-type]
    uncertain: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        default_factory=dict,
        description=(
            "Uncertainty range [low, high] of effect settings, by dotted path (e.g. "
            "'effects.search_skill'), in the setting's own unit; sensitivity analysis samples "
            "it while a package's value lies inside it."
        ),
        # Editors list the allowed paths; parse_catalogue checks paths, order and bounds.
        json_schema_extra={"propertyNames": {"enum": list(EFFECT_FIELDS)}},
    )


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "lab": LabFile,
    "package": PackageFile,
    "scenario": ScenarioFile,
}
