"""Model parameters: typed, validated, documented.

Every parameter carries a default, a unit, an allowed range and, where the value comes from
published evidence, a reference. Parameters whose value is uncertain also carry an
``uncertain`` range: sensitivity analysis and calibration sample from it.

The parameter tree is plain data (pydantic models), so it can be written to and read from
scenario files, exported as JSON Schema and compared between runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticUndefined

from simulator.chain_stats import check_fill_matrix
from simulator.interventions import InterventionSpec

#: Ladder levels are indexed 0 (entry) .. n_levels-1 (senior).
MAX_LEVELS = 8
#: Employer participation is tracked in a 63-bit mask, one bit per intervention.
MAX_INTERVENTIONS = 63
#: Mechanisms of the realist evaluation that ablation can switch off.
Mechanism = Literal["self_efficacy", "trust", "experiences_of_success", "peer_learning"]
#: Kinds of service provider (a lab's providers, a catalogue entry's usual provider).
ProviderKind = Literal[
    "public_employment_service",
    "training_provider",
    "third_sector",
    "job_coach_ips",
    "occupational_health",
    "employer_services",
]


def param(
    default: Any = PydanticUndefined,
    *,
    default_factory: Callable[[], Any] | None = None,
    ge: float | None = None,
    le: float | None = None,
    unit: str,
    description: str,
    reference: str | None = None,
    uncertain: tuple[float, float] | None = None,
    mechanism: str | None = None,
) -> Any:
    """Declare a model parameter with its metadata.

    Parameters
    ----------
    default
        Default value.
    default_factory
        Instead of ``default``: makes the default of a list-valued parameter.
    ge, le
        Inclusive bounds enforced on validation.
    unit
        Unit of measurement (``"1/month"``, ``"share"``, ``"months"`` ...).
    description
        One sentence saying what the parameter does in the model.
    reference
        Published source of the default, if any; ``None`` marks an assumption.
    uncertain
        Plausible range used by sensitivity analysis and calibration.
    mechanism
        The mechanism this parameter belongs to (for grouped sensitivity indices).
    """
    extra: dict[str, Any] = {"unit": unit, "reference": reference or "assumption"}
    if uncertain is not None:
        extra["uncertain"] = list(uncertain)
    if mechanism is not None:
        extra["mechanism"] = mechanism
    return Field(
        default,
        default_factory=default_factory,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra=extra,
    )


class Strict(BaseModel):
    """Base for parameter groups: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class SectorSpec(Strict):
    """One economic sector of the region."""

    name: str = Field(description="Sector name, unique within the lab.")
    employment_share: float = param(
        0.2, ge=0.0, le=1.0, unit="share", description="Share of positions in this sector."
    )
    job_destruction: float = param(
        0.0035,
        ge=0.0,
        le=0.2,
        unit="1/month",
        description="Monthly probability that a position is destroyed.",
        reference="OECD job-flow statistics: annual job destruction of 4-8% of jobs",
        uncertain=(0.002, 0.006),
    )
    skill_intensity: float = param(
        0.0,
        ge=-0.3,
        le=0.3,
        unit="skill",
        description="Shift of this sector's skill requirements relative to the ladder default.",
    )


def _default_sectors() -> list[SectorSpec]:
    return [
        SectorSpec(
            name="industry", employment_share=0.22, job_destruction=0.0035, skill_intensity=0.05
        ),
        SectorSpec(
            name="trade_services",
            employment_share=0.30,
            job_destruction=0.004,
            skill_intensity=-0.05,
        ),
        SectorSpec(name="public_admin", employment_share=0.15, job_destruction=0.002),
        SectorSpec(name="care_education", employment_share=0.20, job_destruction=0.0025),
        SectorSpec(
            name="construction_logistics",
            employment_share=0.13,
            job_destruction=0.0055,
            skill_intensity=-0.03,
        ),
    ]


class PopulationParams(Strict):
    """Who lives and works in the region."""

    n_persons: int = param(
        10_000,
        ge=20,
        le=50_000_000,
        unit="persons",
        description="Working-age population at the start: employed, unemployed and inactive.",
    )
    initial_inactive_share: float = param(
        0.2,
        ge=0.0,
        le=0.8,
        unit="share",
        description="Share of the working-age population outside the labour force at the "
        "start (1 - activity rate); who is inactive leans to the young, the older and people "
        "with partial work ability.",
        reference="Eurostat lfsi_emp_a: activity rates of 70-85% at 15-64 in the EU",
    )
    persons_per_employer: float = param(
        20.0,
        ge=2.0,
        le=10_000.0,
        unit="persons",
        description="Average labour-force members per employer (sets the employer count).",
    )
    employer_size_shape: float = param(
        1.1,
        ge=0.5,
        le=5.0,
        unit="1",
        description="Pareto shape of the employer size distribution (smaller: more large firms).",
        reference="Firm-size distributions are close to Pareto with shape ~1 (Axtell 2001)",
    )
    initial_unemployment_rate: float = param(
        0.08,
        ge=0.0,
        le=0.6,
        unit="share",
        description="Unemployment rate (unemployed / labour force) at set-up, before the spin-up.",
    )
    share_female: float = param(
        0.48,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Share of women in the working-age population.",
    )
    share_migrant: float = param(
        0.08,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Share of migrants in the working-age population.",
    )
    share_partial_ability: float = param(
        0.07,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Share with partial work ability (limited capacity for some tasks).",
    )
    partial_work_ability_min: float = param(
        0.4,
        ge=0.0,
        le=1.0,
        unit="share of full work ability",
        description="Lowest work ability of a person with partial work ability (drawn "
        "uniformly up to partial_work_ability_max, at set-up and for entrants).",
        reference="assumption (partial work ability: 40-80% of full capacity)",
    )
    partial_work_ability_max: float = param(
        0.8,
        ge=0.0,
        le=1.0,
        unit="share of full work ability",
        description="Highest work ability of a person with partial work ability.",
        reference="assumption (partial work ability: 40-80% of full capacity)",
    )
    young_skill_gap: float = param(
        0.05,
        ge=0.0,
        le=0.5,
        unit="skill",
        description="How much lower the skills of people under 25 are at set-up (less time "
        "to learn).",
    )
    migrant_skill_gap: float = param(
        0.05,
        ge=0.0,
        le=0.5,
        unit="skill",
        description="How much lower migrants' recognised skills are at set-up.",
        reference="assumption (OECD Skills Outlook: foreign qualifications are often not "
        "recognised)",
    )
    sectors: list[SectorSpec] = Field(
        default_factory=_default_sectors, description="Sectors of the regional economy."
    )

    @model_validator(mode="after")
    def _check(self) -> PopulationParams:
        if self.partial_work_ability_min > self.partial_work_ability_max:
            raise ValueError("partial_work_ability_min must not exceed partial_work_ability_max")
        if not self.sectors:
            raise ValueError("at least one sector is required")
        total = sum(s.employment_share for s in self.sectors)
        if total <= 0:
            raise ValueError("sector employment shares must sum to a positive number")
        names = [s.name for s in self.sectors]
        if len(set(names)) != len(names):
            raise ValueError(f"sector names must be unique, got {names}")
        return self


class LadderParams(Strict):
    """The job ladder inside every employer."""

    skill_requirements: list[float] = param(
        default_factory=lambda: [0.15, 0.40, 0.60, 0.75],
        unit="skill",
        description="Skill (0-1) required at each level, entry first; its length sets the "
        "number of levels (2-8).",
    )
    level_shares: list[float] = param(
        default_factory=lambda: [0.50, 0.27, 0.15, 0.08],
        unit="share",
        description="Share of positions at each level, entry first.",
    )
    slack: float = param(
        0.3,
        ge=0.0,
        le=3.0,
        unit="share",
        description="Extra position slots per employer that job creation can activate.",
    )

    @model_validator(mode="after")
    def _check(self) -> LadderParams:
        n = len(self.skill_requirements)
        if not 2 <= n <= MAX_LEVELS:
            raise ValueError(f"the ladder needs 2-{MAX_LEVELS} levels, got {n}")
        if len(self.level_shares) != n:
            raise ValueError(
                f"level_shares has {len(self.level_shares)} entries, skill_requirements has {n}"
            )
        if any(not 0.0 <= r <= 1.0 for r in self.skill_requirements):
            raise ValueError("skill_requirements must lie in [0, 1]")
        if any(
            b < a
            for a, b in zip(self.skill_requirements[:-1], self.skill_requirements[1:], strict=True)
        ):
            raise ValueError("skill_requirements must not decrease up the ladder")
        if any(s < 0 for s in self.level_shares) or sum(self.level_shares) <= 0:
            raise ValueError("level_shares must be non-negative with a positive sum")
        return self

    @property
    def n_levels(self) -> int:
        """Number of ladder levels."""
        return len(self.skill_requirements)


class DemandParams(Strict):
    """Labour demand, separations and labour-force flows (monthly rates)."""

    job_creation_multiplier: float = param(
        1.0,
        ge=0.0,
        le=5.0,
        unit="1",
        description="Job creation relative to the rate that keeps employment steady.",
        uncertain=(0.9, 1.1),
    )
    demand_shock: float = param(
        0.0,
        ge=-0.9,
        le=0.9,
        unit="share",
        description="Change in job creation during the shock window (negative: recession).",
    )
    shock_start: int = param(
        0, ge=0, le=10_000, unit="month", description="First month of the demand shock."
    )
    shock_length: int = param(
        0, ge=0, le=10_000, unit="months", description="Length of the demand shock."
    )
    quit_rate: float = param(
        0.003,
        ge=0.0,
        le=0.2,
        unit="1/month",
        description="Monthly probability that an employee quits into unemployment.",
        reference="EU-LFS: quarterly E->U transition 1.5-3% (Eurostat lfsi_long_q)",
        uncertain=(0.002, 0.008),
    )
    dismissal_rate: float = param(
        0.0015,
        ge=0.0,
        le=0.2,
        unit="1/month",
        description="Monthly probability of dismissal for a settled employee.",
        uncertain=(0.001, 0.004),
    )
    vulnerable_separation_multiplier: float = param(
        1.8,
        ge=1.0,
        le=10.0,
        unit="1",
        description="Separation risk of vulnerable employees (target groups) relative to others.",
        reference="Higher job-loss risk of vulnerable employees (source documents; OECD 2019)",
        uncertain=(1.2, 2.5),
    )
    probation_separation: float = param(
        0.015,
        ge=0.0,
        le=0.5,
        unit="1/month",
        description="Extra monthly separation risk during the probation period after a hire.",
        uncertain=(0.01, 0.04),
    )
    probation_months: int = param(
        6,
        ge=0,
        le=24,
        unit="months",
        description="Length of the probation period after a hire (extra separation risk).",
        reference="Finland's Employment Contracts Act (55/2001) ch. 1 s. 4: a trial period of "
        "at most six months",
    )
    retirement_age: int = param(
        65, ge=55, le=75, unit="years", description="Age at which people retire."
    )
    entry_rate: float = param(
        0.0016,
        ge=0.0,
        le=0.05,
        unit="1/month",
        description=(
            "School leavers entering the working-age population, per member of it at the "
            "start. With the migrant entry rate, the default replaces retirements (about 2.4% "
            "of the population a year), so the population neither grows nor shrinks."
        ),
    )
    entrants_replace_retirements: bool = Field(
        True,
        description="Entrants replace the month's retirements one for one (school leavers and "
        "migrants in the proportion of their entry rates), so the working-age population stays "
        "level whatever its age structure; false: entrants arrive at the entry rates (a "
        "growing or shrinking population).",
    )
    migrant_entry_rate: float = param(
        0.0004,
        ge=0.0,
        le=0.05,
        unit="1/month",
        description="Migrants entering the working-age population, per member of it at the start.",
    )
    inactivity_exit_rate: float = param(
        0.04,
        ge=0.0,
        le=0.3,
        unit="1/month",
        description="Monthly probability that an unemployed person leaves the labour force "
        "(U->I), before the multipliers for the young, the older and people with partial work "
        "ability (the discouraged leave more often still).",
        reference="EU-LFS: quarterly U->I transitions of 10-25% (Eurostat lfsi_long_q)",
        uncertain=(0.015, 0.08),
    )
    reentry_rate: float = param(
        0.015,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly probability that an inactive person returns to job search "
        "(I->U), before the age multiplier.",
        reference="EU-LFS: quarterly I->U transitions of 3-8% of the inactive aged 15-64 "
        "(Eurostat lfsi_long_q)",
        uncertain=(0.005, 0.04),
    )
    employment_exit_rate: float = param(
        0.004,
        ge=0.0,
        le=0.2,
        unit="1/month",
        description="Monthly probability that an employee leaves the labour force (E->I: care, "
        "study, illness, early exit), before the multipliers for the young, the older and "
        "people with partial work ability; the position falls vacant.",
        reference="EU-LFS: quarterly E->I transitions of 1-3% (Eurostat lfsi_long_q)",
        uncertain=(0.002, 0.008),
    )
    inactive_search_rate: float = param(
        0.08,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly probability that an inactive person applies for jobs without "
        "searching actively in the survey's sense (returners, direct hires: the I->E flow), "
        "before the age multiplier; they apply and are screened like jobseekers.",
        reference="EU-LFS: quarterly I->E transitions of 2-6% (Eurostat lfsi_long_q)",
        uncertain=(0.03, 0.2),
    )
    young_exit_multiplier: float = param(
        1.5,
        ge=0.0,
        le=10.0,
        unit="1",
        description="E->I and U->I risk of people under 30 relative to others (study).",
        reference="EU-LFS flows by age: the young move to and from inactivity most "
        "(Eurostat lfsi_long_a)",
        uncertain=(1.0, 3.0),
    )
    older_exit_multiplier: float = param(
        2.0,
        ge=0.0,
        le=10.0,
        unit="1",
        description="E->I and U->I risk of people aged 55 and over relative to others "
        "(early exit, ill health).",
        reference="EU-LFS flows by age: exits to inactivity rise after 55 (Eurostat lfsi_long_a)",
        uncertain=(1.0, 4.0),
    )
    older_return_multiplier: float = param(
        0.4,
        ge=0.0,
        le=1.0,
        unit="1",
        description="I->U and I->E chances of inactive people aged 55 and over relative to "
        "others (few return once out).",
        reference="EU-LFS flows by age (Eurostat lfsi_long_a)",
        uncertain=(0.2, 0.8),
    )
    recent_return_multiplier: float = param(
        4.0,
        ge=1.0,
        le=50.0,
        unit="1",
        description="I->U and I->E chances of people out of the labour force for under 12 "
        "months (the marginally attached) relative to those out for longer.",
        reference="Jones & Riddell (1999, Econometrica): the marginally attached move into "
        "employment at rates closer to the unemployed's than to other non-participants'",
        uncertain=(2.0, 10.0),
    )
    recent_inactive_months: int = param(
        12,
        ge=1,
        le=120,
        unit="months",
        description="Months out of the labour force within which a person counts as recently "
        "inactive (marginally attached) and returns recent_return_multiplier times as often.",
        reference="assumption (Eurostat's flow statistics show returns concentrated in the "
        "first year out of the labour force)",
    )
    partial_exit_multiplier: float = param(
        2.0,
        ge=0.0,
        le=10.0,
        unit="1",
        description="E->I and U->I risk of people with partial work ability relative to others "
        "(illness, disability).",
        reference="OECD (2010) Sickness, Disability and Work: lower attachment of people with "
        "health limitations",
        uncertain=(1.0, 4.0),
    )
    entrant_inactive_share: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Share of entrants (school leavers, migrants) who enter inactive "
        "(still studying, not yet searching) rather than unemployed.",
    )


class MobilityParams(Strict):
    """Training, promotion, vacancy chains and job carving."""

    training_rate: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly training probability of a fully motivated, aware employee at an "
        "employer that fully develops staff.",
        uncertain=(0.01, 0.06),
        mechanism="employee_development",
    )
    skill_gain: float = param(
        0.02,
        ge=0.0,
        le=0.5,
        unit="skill",
        description="Skill gained per month of training.",
        uncertain=(0.01, 0.04),
        mechanism="employee_development",
    )
    learning_on_job: float = param(
        0.0006,
        ge=0.0,
        le=0.05,
        unit="skill/month",
        description="Skill gained per month of work without training.",
    )
    awareness_training_share: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Part of the training probability that depends on the employee's "
        "awareness of development paths (the rest does not).",
    )
    resources_development_share: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Part of an employer's development culture that reaches training only "
        "with the resources of a large employer (the rest reaches it at any size).",
    )
    internal_fill: list[float] = param(
        default_factory=lambda: [0.0, 0.55, 0.6, 0.65],
        unit="share",
        description="Probability that a vacancy at each level is offered to the level below "
        "inside the same employer (scaled by the employer's willingness to develop staff).",
        reference="Internal labour markets fill most upper-level jobs from inside "
        "(Doeringer & Piore 1971)",
        uncertain=(0.3, 0.8),
        mechanism="employee_development",
    )
    job_to_job_fill: list[float] = param(
        default_factory=lambda: [0.12, 0.2, 0.2, 0.2],
        unit="share",
        description="Probability that a vacancy at each level is filled by an employee of "
        "another employer at the same level (job-to-job move).",
        uncertain=(0.05, 0.3),
    )
    fill_matrix: list[list[float]] | None = param(
        None,
        unit="share",
        description="Expert override: Q[i][j], probability that a vacancy at level i is filled "
        "by moving someone from level j: j < i a promotion inside the employer, j == i a "
        "job-to-job move from another employer at the same level, j > i a move down the "
        "ladder by an employee of another employer (the vacancy moves to level j there); the "
        "rest of each row is filled from outside. Any substochastic matrix whose chains end "
        "(entries >= 0, row sums <= 1, outside reachable from every level). When set, "
        "replaces internal_fill and job_to_job_fill.",
        reference="White (1970) Chains of Opportunity",
    )
    employer_heterogeneity: bool = param(
        True,
        unit="switch",
        description="Employers realise the internal (upward) part of Q in proportion to their "
        "willingness to develop staff (see development_effect). Off: every employer fills "
        "vacancies with the probabilities of Q as entered.",
    )
    development_effect: float = param(
        0.6,
        ge=0.0,
        le=1.0,
        unit="1",
        description="How much an employer's unwillingness to develop staff cuts internal "
        "promotion (0: not at all, 1: an employer with no willingness promotes no one); "
        "used only with employer_heterogeneity.",
        mechanism="employee_development",
        uncertain=(0.3, 0.9),
    )
    promotion_requires_skill: bool = param(
        True,
        unit="switch",
        description="Only employees meeting the level's skill requirement can move up.",
    )
    job_carving: float = param(
        0.0,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Probability that tasks freed by a promotion become a tailored entry position "
        "for a person with partial work ability (baseline: none).",
        mechanism="job_carving",
    )


class MatchingParams(Strict):
    """Applications, screening and hiring."""

    applications: float = param(
        2.0,
        ge=0.0,
        le=50.0,
        unit="applications/month",
        description="Applications per month of a jobseeker with full search effort and skill.",
        uncertain=(1.5, 6.0),
        mechanism="job_search",
    )
    aim: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Weight of search skill in aiming applications at suitable vacancies.",
        mechanism="job_search",
    )
    unaimed_fit: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="probability",
        description="Chance that an application not aimed at a suitable vacancy still meets "
        "its requirement.",
    )
    aim_margin: float = param(
        0.05,
        ge=0.0,
        le=0.5,
        unit="skill",
        description="How far above their own skill jobseekers still aim an application.",
    )
    max_applications: int = param(
        40,
        ge=1,
        le=1000,
        unit="applications/month",
        description="Most applications one jobseeker can send in a month.",
    )
    screening_noise: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="skill",
        description="Noise in the employer's assessment of an applicant.",
    )
    work_ability_penalty: float = param(
        0.3,
        ge=0.0,
        le=2.0,
        unit="skill per unit of work ability",
        description="How much a limited work ability lowers an applicant's screening score for "
        "an ordinary job (a carved job is tailored to it).",
    )
    stigma_per_month: float = param(
        0.003,
        ge=0.0,
        le=0.1,
        unit="skill/month",
        description="Penalty in screening for each month of unemployment (up to "
        "stigma_cap_months).",
        reference="Duration dependence in callbacks (Kroft, Lange & Notowidigdo 2013)",
        uncertain=(0.002, 0.012),
        mechanism="discrimination",
    )
    stigma_cap_months: int = param(
        24,
        ge=0,
        le=240,
        unit="months",
        description="Months of unemployment beyond which the stigma no longer grows.",
        reference="Kroft, Lange & Notowidigdo (2013): callbacks fall over the first eight "
        "months of unemployment and flatten after; the cap of 24 months is an assumption",
    )
    bias_mean: float = param(
        0.06,
        ge=0.0,
        le=1.0,
        unit="skill",
        description="Mean penalty employers apply to target-group applicants.",
        reference="Field experiments on hiring discrimination (Quillian et al. 2017)",
        uncertain=(0.02, 0.12),
        mechanism="discrimination",
    )
    hiring_standard: float = param(
        -0.15,
        ge=-1.0,
        le=1.0,
        unit="skill",
        description="Lowest screening score (skill fit minus penalties) an employer accepts.",
        uncertain=(-0.2, -0.05),
    )
    level_strictness: float = param(
        0.06,
        ge=0.0,
        le=0.5,
        unit="skill/level",
        description="How much stricter the hiring standard is for outsiders at each level up the "
        "ladder (upper jobs are hard to fill from outside: skill shortages).",
        uncertain=(0.0, 0.12),
    )
    screening_rate: float = param(
        0.7,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Probability that an open vacancy is screened and can hire in a month "
        "(recruitment takes time).",
        uncertain=(0.5, 0.9),
    )
    support_bonus: float = param(
        0.08,
        ge=0.0,
        le=1.0,
        unit="skill",
        description="Screening bonus for applicants who bring hiring support (subsidy, coach).",
        mechanism="hiring_support",
    )
    external_skill_weight: float = param(
        1.0,
        ge=0.0,
        le=5.0,
        unit="1",
        description="Weight of skill fit (skill minus requirement) in the screening score.",
    )


class MechanismParams(Strict):
    """Realist-evaluation mechanisms: self-efficacy, trust, successes, peer learning."""

    efficacy_gain_hire: float = param(
        0.12,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Self-efficacy gained from a hire (an experience of success).",
        mechanism="self_efficacy",
        uncertain=(0.05, 0.2),
    )
    efficacy_loss_rejection: float = param(
        0.012,
        ge=0.0,
        le=0.5,
        unit="score/month",
        description="Self-efficacy lost in a month of applications that all fail.",
        mechanism="self_efficacy",
        uncertain=(0.005, 0.025),
    )
    effort_loss_rejection: float = param(
        0.01,
        ge=0.0,
        le=0.5,
        unit="score/month",
        description="Search effort lost in a month of failed applications.",
        mechanism="self_efficacy",
    )
    efficacy_effort_link: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="1",
        description="How strongly self-efficacy drives the number and aim of applications.",
        reference="Liu, Huang & Wang (2014): self-efficacy is an active ingredient of coaching",
        mechanism="self_efficacy",
        uncertain=(0.2, 0.8),
    )
    efficacy_recovery_at_work: float = param(
        0.02,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly pull of an employee's self-efficacy towards the population's usual "
        "level (work as an ongoing experience of success).",
        mechanism="self_efficacy",
    )
    discouragement_threshold: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Self-efficacy below which a jobseeker may give up and leave the labour force.",
        mechanism="self_efficacy",
    )
    discouraged_exit: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly exit probability of a discouraged jobseeker.",
        mechanism="self_efficacy",
    )
    skill_depreciation: float = param(
        0.001,
        ge=0.0,
        le=0.1,
        unit="skill/month",
        description="Skill lost per month of unemployment beyond depreciation_after_months.",
        reference="Human-capital depreciation in unemployment (Edin & Gustavsson 2008)",
        uncertain=(0.0005, 0.004),
    )
    depreciation_after_months: int = param(
        6,
        ge=0,
        le=120,
        unit="months",
        description="Months of unemployment after which skills start to depreciate.",
    )
    success_to_efficacy: float = param(
        0.03,
        ge=0.0,
        le=0.5,
        unit="score/success",
        description="Self-efficacy gained per experience of success in an intervention.",
        mechanism="experiences_of_success",
        uncertain=(0.01, 0.06),
    )
    effort_recovery: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly pull of search effort back towards the person's usual level.",
        mechanism="self_efficacy",
    )
    bias_relapse: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly return of an employer's bias towards its level before training.",
        reference="Bezrukova et al. (2016): diversity-training effects decay over months",
        mechanism="discrimination",
    )
    lasting_bias_reduction: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Share of an employer intervention's bias reduction that lasts (lowers the "
        "level the bias relapses to); the rest fades at bias_relapse.",
        reference="assumption (Bezrukova et al. 2016: knowledge gains from diversity training "
        "persist while attitude changes decay)",
        mechanism="discrimination",
    )
    trust_decay: float = param(
        0.01,
        ge=0.0,
        le=0.5,
        unit="1/month",
        description="Monthly pull of trust in services back towards its starting level.",
        mechanism="trust",
    )
    trust_referral_weight: float = param(
        0.6,
        ge=0.0,
        le=1.0,
        unit="1",
        description="Weight of trust in whether a referred person takes up a service.",
        mechanism="trust",
        uncertain=(0.3, 0.9),
    )
    peer_learning: float = param(
        0.25,
        ge=0.0,
        le=1.0,
        unit="1",
        description="Share of the gap to the peer group's mean self-efficacy and search skill "
        "closed per month by participants of the same group intervention.",
        mechanism="peer_learning",
        uncertain=(0.05, 0.5),
    )
    supported_retention: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Reduction of early separation risk for hires with in-work support.",
        mechanism="hiring_support",
    )


class CoalitionParams(Strict):
    """The local partnership network and its integration."""

    integration: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Initial integration of the coalition's work (referrals, shared contacts).",
        mechanism="coalition",
    )
    integration_growth: float = param(
        0.04,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly integration growth at full joint work and trust.",
        mechanism="coalition",
        uncertain=(0.01, 0.08),
    )
    integration_decay: float = param(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly erosion of integration without joint work.",
        mechanism="coalition",
    )
    employer_share: float = param(
        0.0,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Share of employers taking part in the coalition (largest first).",
        mechanism="coalition",
    )
    employers_join_month: int = param(
        0,
        ge=0,
        le=10_000,
        unit="month",
        description="Month the coalition's employers join (partner commitment, engine step 1).",
        mechanism="coalition",
    )
    referral_base: float = param(
        0.08,
        ge=0.0,
        le=1.0,
        unit="1/month",
        description="Monthly probability that an eligible, fully aware person is referred "
        "to a service when integration is zero.",
        mechanism="coalition",
    )
    unaware_referral_share: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        description="Part of the referral reach that also reaches people unaware of services "
        "(the rest grows with awareness).",
    )


class ProviderSpec(Strict):
    """A service provider of the region."""

    name: str = Field(description="Provider name, unique within the lab.")
    kind: ProviderKind = Field(description="Type of provider.")
    capacity: int = param(
        50, ge=0, le=10_000_000, unit="participants/month", description="Monthly intake capacity."
    )
    coordination: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="score",
        description="How well this provider's work is coordinated with the others.",
    )
    in_coalition: bool = Field(True, description="Whether the provider is a coalition partner.")
    joins_month: int = param(
        0, ge=0, le=10_000, unit="month", description="Month the provider joins the coalition."
    )


def _default_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(name="public_employment_service", kind="public_employment_service"),
        ProviderSpec(name="training_provider", kind="training_provider", capacity=30),
        ProviderSpec(name="third_sector", kind="third_sector", capacity=20),
    ]


class PersonStateParams(Strict):
    """Starting distributions of the mechanism states (0-1 scores)."""

    self_efficacy: float = param(
        0.6, ge=0.0, le=1.0, unit="score", description="Mean initial self-efficacy."
    )
    trust: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Mean initial trust in services.",
        mechanism="trust",
        uncertain=(0.3, 0.7),
    )
    awareness: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Mean initial awareness of support services.",
        uncertain=(0.1, 0.5),
    )
    motivation: float = param(
        0.45,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Mean initial motivation to develop at work.",
        mechanism="employee_development",
    )
    search_skill: float = param(
        0.5, ge=0.0, le=1.0, unit="score", description="Mean initial job-search skill."
    )
    search_effort: float = param(
        0.7, ge=0.0, le=1.0, unit="score", description="Mean initial job-search effort."
    )
    employer_development: float = param(
        0.35,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Mean willingness of employers to develop staff.",
        mechanism="employee_development",
        uncertain=(0.2, 0.5),
    )
    employer_awareness: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="score",
        description="Mean awareness of employers of support services.",
    )


class EntrantParams(Strict):
    """Who enters the working-age population: school leavers and migrants."""

    school_leaver_age_min: float = param(
        18.0,
        ge=15.0,
        le=40.0,
        unit="years",
        description="Youngest school leaver entering the population (ages drawn uniformly up "
        "to school_leaver_age_max).",
        reference="assumption (end of upper-secondary to first-degree education)",
    )
    school_leaver_age_max: float = param(
        24.0, ge=15.0, le=40.0, unit="years", description="Oldest school leaver entering."
    )
    migrant_age_min: float = param(
        20.0,
        ge=15.0,
        le=64.0,
        unit="years",
        description="Youngest migrant entering the population (ages drawn uniformly up to "
        "migrant_age_max).",
    )
    migrant_age_max: float = param(
        50.0, ge=15.0, le=64.0, unit="years", description="Oldest migrant entering."
    )

    @model_validator(mode="after")
    def _check(self) -> EntrantParams:
        for what in ("school_leaver_age", "migrant_age"):
            if getattr(self, f"{what}_min") > getattr(self, f"{what}_max"):
                raise ValueError(f"{what}_min must not exceed {what}_max")
        return self

    school_leaver_skill: float = param(
        0.40, ge=0.0, le=1.0, unit="skill", description="Mean skill of school leavers."
    )
    school_leaver_skill_spread: float = param(
        0.12,
        ge=0.0,
        le=0.5,
        unit="skill",
        description="Standard deviation of school leavers' skills.",
    )
    migrant_skill: float = param(
        0.42, ge=0.0, le=1.0, unit="skill", description="Mean recognised skill of migrants."
    )
    migrant_skill_spread: float = param(
        0.15,
        ge=0.0,
        le=0.5,
        unit="skill",
        description="Standard deviation of migrants' recognised skills.",
    )
    state_spread: float = param(
        0.15,
        ge=0.0,
        le=0.5,
        unit="score",
        description="Standard deviation of entrants' states (self-efficacy, trust, search skill "
        "and effort, motivation) around the initial means.",
    )
    search_skill_gap: float = param(
        0.1,
        ge=0.0,
        le=0.5,
        unit="score",
        description="How much lower entrants' job-search skill is than the initial mean (no "
        "search experience yet).",
    )
    awareness_gap: float = param(
        0.1,
        ge=0.0,
        le=0.5,
        unit="score",
        description="How much lower entrants' awareness of services is than the initial mean.",
    )
    awareness_spread: float = param(
        0.1,
        ge=0.0,
        le=0.5,
        unit="score",
        description="Standard deviation of entrants' awareness of services.",
    )


class ModelParams(Strict):
    """All parameters of one simulation."""

    months: int = param(120, ge=1, le=10_000, unit="months", description="Months to simulate.")
    spin_up_months: int = param(
        60,
        ge=0,
        le=1_200,
        unit="months",
        description="Months of the lab's own baseline dynamics run before month 0 (no "
        "interventions, no coalition employers, no demand shock, every mechanism on), so the "
        "run starts from the lab's steady state: spell lengths, tenures, the inactive pool and "
        "mechanism states. A package arm and its baseline share it.",
    )
    population: PopulationParams = Field(default_factory=PopulationParams)
    ladder: LadderParams = Field(default_factory=LadderParams)
    demand: DemandParams = Field(default_factory=DemandParams)
    mobility: MobilityParams = Field(default_factory=MobilityParams)
    matching: MatchingParams = Field(default_factory=MatchingParams)
    mechanisms: MechanismParams = Field(default_factory=MechanismParams)
    coalition: CoalitionParams = Field(default_factory=CoalitionParams)
    initial: PersonStateParams = Field(default_factory=PersonStateParams)
    entrants: EntrantParams = Field(default_factory=EntrantParams)
    providers: list[ProviderSpec] = Field(default_factory=_default_providers)
    interventions: list[InterventionSpec] = Field(
        default_factory=list, description="Interventions in force (empty: the baseline)."
    )
    disabled_mechanisms: list[Mechanism] = Field(
        default_factory=list, description="Mechanisms switched off (for ablation)."
    )

    @model_validator(mode="after")
    def _check(self) -> ModelParams:
        n = self.ladder.n_levels
        mob = self.mobility
        for name in ("internal_fill", "job_to_job_fill"):
            values = getattr(mob, name)
            if len(values) != n:
                raise ValueError(f"mobility.{name} needs {n} entries (one per ladder level)")
            if any(not 0.0 <= v <= 1.0 for v in values):
                raise ValueError(f"mobility.{name} entries must lie in [0, 1]")
        if mob.fill_matrix is not None:
            check_fill_matrix(mob.fill_matrix, n)
        else:
            check_fill_matrix(self.fill_matrix(), n, "mobility.internal_fill/job_to_job_fill")
        names = [p.name for p in self.providers]
        if len(set(names)) != len(names):
            raise ValueError(f"provider names must be unique, got {names}")
        for spec in self.interventions:
            if spec.provider is not None and spec.provider not in names:
                raise ValueError(
                    f"intervention {spec.name!r} names provider {spec.provider!r}, "
                    f"which is not one of {names}"
                )
        if len(self.interventions) > MAX_INTERVENTIONS:
            raise ValueError(f"at most {MAX_INTERVENTIONS} interventions can be in force")
        inames = [s.name for s in self.interventions]
        if len(set(inames)) != len(inames):
            raise ValueError(f"intervention names must be unique, got {inames}")
        return self

    def fill_matrix(self) -> list[list[float]]:
        """The vacancy-fill matrix Q for an employer that fully develops staff.

        Returns
        -------
        list of list of float
            ``Q[i][j]``: probability that a vacancy at level ``i`` is filled by a move from
            level ``j``; the rest of each row is filled from outside (jobseekers).
        """
        n = self.ladder.n_levels
        if self.mobility.fill_matrix is not None:
            return [list(r) for r in self.mobility.fill_matrix]
        q = [[0.0] * n for _ in range(n)]
        for i in range(n):
            j2j = self.mobility.job_to_job_fill[i]
            internal = self.mobility.internal_fill[i] if i > 0 else 0.0
            internal = min(internal, 1.0 - j2j)
            q[i][i] = j2j
            if i > 0:
                q[i][i - 1] = internal
        return q
