"""Interventions as data.

An intervention is a record: what type it is, whom it targets, who is eligible, how many can
start each month, how long it lasts, what it costs and what it does to skills, mechanism states
and behaviour. The engine applies any such record with the same mechanics, so a scenario's
package is nothing but a list of these records.

:func:`compile_interventions` turns the records into the numeric arrays the kernels read.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Target-group bits, shared by eligibility rules and the indicators.
GROUP_BITS: dict[str, int] = {
    "long_term_unemployed": 1,
    "young": 2,
    "women_55plus": 4,
    "migrant": 8,
    "partial_ability": 16,
}
GroupName = Literal["long_term_unemployed", "young", "women_55plus", "migrant", "partial_ability"]

InterventionKind = Literal[
    "job_search_coaching",
    "upskilling",
    "employee_development",
    "hiring_subsidy",
    "employer_services",
    "inclusive_culture",
    "recruitment_event",
    "job_carving",
    "ips",
    "individual_guidance",
    "vocational_training",
]
Target = Literal["jobseekers", "employees", "employers"]

#: Per-month effects on a participating person, in the order of the kernel's effect columns.
PERSON_EFFECTS: tuple[str, ...] = (
    "skill",
    "self_efficacy",
    "trust",
    "search_skill",
    "search_effort",
    "motivation",
    "awareness",
    "successes",
)
#: Per-participation effects on a participating employer.
EMPLOYER_EFFECTS: tuple[str, ...] = (
    "bias_reduction",
    "development",
    "awareness",
    "hiring_standard",
    "job_carving",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Eligibility(_Strict):
    """Who may be enrolled."""

    groups: list[GroupName] = Field(
        default_factory=list,
        description="Target groups eligible (any of them); empty means everyone in the target.",
    )
    min_unemployment_months: int = Field(
        0, ge=0, le=600, description="Jobseekers only: minimum unemployment spell, months."
    )
    max_skill: float = Field(
        1.0, ge=0.0, le=1.0, description="Only persons at or below this skill."
    )
    max_level: int = Field(
        7, ge=0, le=7, description="Employees only: highest ladder level (0 = entry) eligible."
    )
    coalition_employers_only: bool = Field(
        True,
        description="Employees and employers: only those of coalition employers take part.",
    )


class PersonEffects(_Strict):
    """Monthly change of a participant's states while enrolled (0-1 scores are clipped)."""

    skill: float = Field(0.0, ge=-0.5, le=0.5, description="Skill gained per month (skill).")
    self_efficacy: float = Field(0.0, ge=-0.5, le=0.5, description="Self-efficacy per month.")
    trust: float = Field(0.0, ge=-0.5, le=0.5, description="Trust in services per month.")
    search_skill: float = Field(0.0, ge=-0.5, le=0.5, description="Job-search skill per month.")
    search_effort: float = Field(0.0, ge=-0.5, le=0.5, description="Search effort per month.")
    motivation: float = Field(0.0, ge=-0.5, le=0.5, description="Motivation to develop per month.")
    awareness: float = Field(0.0, ge=-0.5, le=0.5, description="Awareness of support per month.")
    successes: float = Field(
        0.0, ge=0.0, le=5.0, description="Experiences of success per month (count)."
    )


class EmployerEffects(_Strict):
    """Lasting change of a participating employer, applied once on enrolment."""

    bias_reduction: float = Field(
        0.0, ge=0.0, le=1.0, description="Share of the employer's bias removed (decays)."
    )
    development: float = Field(
        0.0, ge=0.0, le=1.0, description="Increase in willingness to develop staff."
    )
    awareness: float = Field(0.0, ge=0.0, le=1.0, description="Increase in awareness of services.")
    hiring_standard: float = Field(
        0.0, ge=0.0, le=1.0, description="Relaxation of the hiring standard (skill units)."
    )
    job_carving: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Probability that tasks freed by a promotion become a tailored entry job.",
    )


class InterventionSpec(_Strict):
    """One intervention of a package.

    Parameters are validated on construction; see the field descriptions for units.
    """

    name: str = Field(description="Unique name within the package.")
    kind: InterventionKind = Field(description="Type from the intervention catalogue.")
    target: Target = Field(description="Who takes part: jobseekers, employees or employers.")
    provider: str | None = Field(
        None, description="Provider delivering it (must exist in the lab); None: the coalition."
    )
    eligibility: Eligibility = Field(default_factory=Eligibility)
    capacity: int = Field(
        20, ge=0, le=10_000_000, description="New participants per month (persons or employers)."
    )
    duration_months: int = Field(3, ge=1, le=120, description="Months a participation lasts.")
    cost_per_participant: float = Field(
        1000.0, ge=0.0, le=1e7, description="Cost per participant over the whole duration, EUR."
    )
    start_month: int = Field(0, ge=0, le=10_000, description="First month of enrolment.")
    end_month: int | None = Field(
        None, ge=0, le=10_000, description="Last month of enrolment (None: to the end)."
    )
    effects: PersonEffects = Field(default_factory=PersonEffects)
    employer_effects: EmployerEffects = Field(default_factory=EmployerEffects)
    peer_group: bool = Field(
        False, description="Participants learn from each other (peer-group format)."
    )
    lock_in: float = Field(
        0.0, ge=0.0, le=1.0, description="Share of job applications lost while enrolled."
    )
    extra_applications: float = Field(
        0.0, ge=0.0, le=20.0, description="Extra well-aimed applications per month while enrolled."
    )
    hiring_support: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Strength (0-1) of hiring support the participant brings to screening.",
    )
    in_work_support_months: int = Field(
        0, ge=0, le=60, description="Months of support after a hire (lowers early exits)."
    )
    subsidy_per_month: float = Field(
        0.0, ge=0.0, le=1e5, description="Hiring subsidy paid per month of supported work, EUR."
    )
    gain_half_life_months: float = Field(
        0.0,
        ge=0.0,
        le=600.0,
        description=(
            "Half-life, in months after the participation ends, of the skill and job-search "
            "skill the intervention gave (0: they stay, changed only by the general dynamics)."
        ),
    )
    aftercare_months: int = Field(
        0,
        ge=0,
        le=60,
        description="Months after the participation ends in which search assistance goes on.",
    )
    aftercare_share: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Share of the extra applications and hiring support kept in the aftercare months."
        ),
    )
    end_of_support_separation: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Extra probability of separation in the first month after the in-work support "
            "(and subsidy) of a hire ends."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> InterventionSpec:
        if self.end_month is not None and self.end_month < self.start_month:
            raise ValueError("end_month must not be before start_month")
        if self.target == "employers" and self.effects != PersonEffects():
            raise ValueError("an intervention targeting employers has employer_effects only")
        return self


#: Numeric effect settings of an intervention, by dotted field path: what sensitivity analysis
#: varies and what a catalogue entry may declare an uncertainty range for.
EFFECT_FIELDS: tuple[str, ...] = (
    *(f"effects.{name}" for name in PERSON_EFFECTS),
    *(f"employer_effects.{name}" for name in EMPLOYER_EFFECTS),
    "extra_applications",
    "hiring_support",
    "lock_in",
)


def effect_bounds(path: str) -> tuple[float, float]:
    """Allowed ``(low, high)`` of an effect field of :class:`InterventionSpec`.

    Parameters
    ----------
    path
        One of :data:`EFFECT_FIELDS` (e.g. ``"effects.search_skill"``).
    """
    model: type[BaseModel] = InterventionSpec
    *owners, name = path.split(".")
    for part in owners:
        model = model.model_fields[part].annotation  # type: ignore[assignment]
    lo, hi = float("-inf"), float("inf")
    for meta in model.model_fields[name].metadata:
        if getattr(meta, "ge", None) is not None:
            lo = float(meta.ge)
        if getattr(meta, "le", None) is not None:
            hi = float(meta.le)
    return lo, hi


def effect_value(spec: InterventionSpec, path: str) -> float:
    """The value of an effect field (one of :data:`EFFECT_FIELDS`) of an intervention."""
    owner: BaseModel = spec
    *owners, name = path.split(".")
    for part in owners:
        owner = getattr(owner, part)
    return float(getattr(owner, name))


# Column indices of the compiled person-intervention table.
(
    IV_TARGET,
    IV_GROUPS,
    IV_MIN_U,
    IV_MAX_SKILL,
    IV_MAX_LEVEL,
    IV_COALITION_ONLY,
    IV_CAPACITY,
    IV_DURATION,
    IV_COST,
    IV_START,
    IV_END,
    IV_PEER,
    IV_LOCK_IN,
    IV_EXTRA_APPS,
    IV_SUPPORT,
    IV_INWORK,
    IV_SUBSIDY,
    IV_PROVIDER,
    IV_GAIN_DECAY,
    IV_AFTERCARE_MONTHS,
    IV_AFTERCARE_SHARE,
    IV_END_SEPARATION,
) = range(22)
IV_N_COLUMNS = 22
TARGET_CODES = {"jobseekers": 0, "employees": 1, "employers": 2}


def group_mask(groups: list[str]) -> int:
    """Bit mask of target groups (0 means: everyone)."""
    mask = 0
    for g in groups:
        mask |= GROUP_BITS[g]
    return mask


def gain_decay(half_life_months: float) -> float:
    """Monthly share of a programme's remaining gain lost after the programme, for a
    half-life in months (0: no decay)."""
    if half_life_months <= 0.0:
        return 0.0
    return 1.0 - 0.5 ** (1.0 / half_life_months)


def compile_interventions(
    specs: list[InterventionSpec], provider_names: list[str], months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn intervention records into kernel arrays.

    Parameters
    ----------
    specs
        Interventions in force.
    provider_names
        Providers of the lab, in order; an intervention's provider becomes its index.
    months
        Run length, used for open-ended interventions.

    Returns
    -------
    table : ndarray of float64, shape (K, IV_N_COLUMNS)
        Rules and parameters of each intervention.
    person_effects : ndarray of float64, shape (K, len(PERSON_EFFECTS))
        Monthly effects on participants.
    employer_effects : ndarray of float64, shape (K, len(EMPLOYER_EFFECTS))
        One-off effects on participating employers.
    """
    k = len(specs)
    table = np.zeros((k, IV_N_COLUMNS), dtype=np.float64)
    person = np.zeros((k, len(PERSON_EFFECTS)), dtype=np.float64)
    employer = np.zeros((k, len(EMPLOYER_EFFECTS)), dtype=np.float64)
    for i, s in enumerate(specs):
        e = s.eligibility
        table[i, IV_TARGET] = TARGET_CODES[s.target]
        table[i, IV_GROUPS] = group_mask(list(e.groups))
        table[i, IV_MIN_U] = e.min_unemployment_months
        table[i, IV_MAX_SKILL] = e.max_skill
        table[i, IV_MAX_LEVEL] = e.max_level
        table[i, IV_COALITION_ONLY] = float(e.coalition_employers_only)
        table[i, IV_CAPACITY] = s.capacity
        table[i, IV_DURATION] = s.duration_months
        table[i, IV_COST] = s.cost_per_participant
        table[i, IV_START] = s.start_month
        table[i, IV_END] = months if s.end_month is None else s.end_month
        table[i, IV_PEER] = float(s.peer_group)
        table[i, IV_LOCK_IN] = s.lock_in
        table[i, IV_EXTRA_APPS] = s.extra_applications
        table[i, IV_SUPPORT] = s.hiring_support
        table[i, IV_INWORK] = s.in_work_support_months
        table[i, IV_SUBSIDY] = s.subsidy_per_month
        table[i, IV_PROVIDER] = provider_names.index(s.provider) if s.provider else -1
        table[i, IV_GAIN_DECAY] = gain_decay(s.gain_half_life_months)
        table[i, IV_AFTERCARE_MONTHS] = s.aftercare_months
        table[i, IV_AFTERCARE_SHARE] = s.aftercare_share
        table[i, IV_END_SEPARATION] = s.end_of_support_separation
        person[i] = [getattr(s.effects, f) for f in PERSON_EFFECTS]
        employer[i] = [getattr(s.employer_effects, f) for f in EMPLOYER_EFFECTS]
    return table, person, employer
