"""The scalar parameters the kernels read, as one named tuple.

Kernels and their plain-Python references take a :class:`KernelParams` and read its fields by
the names users see in scenario files (``par.stigma_per_month`` is ``matching.stigma_per_month``).
Numba compiles field access on a named tuple of floats to a constant offset, so naming costs
nothing at run time. Every field is filled from the parameter of the same name in one of the
sections of :class:`~simulator.params.ModelParams`; only the few values derived from several
parameters are spelled out in :func:`_derived`.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from simulator.params import ModelParams

#: Sections of :class:`ModelParams` whose parameters the kernels read under their own names.
_SECTIONS = (
    "demand",
    "mobility",
    "matching",
    "mechanisms",
    "coalition",
    "population",
    "entrants",
)
#: Prefix of the fields taken from ``initial`` (entrants' mean states).
_INITIAL = "initial_"
#: Suffix of the mechanism switches (1 on, 0 switched off by ablation).
_SWITCH = "_on"


class KernelParams(NamedTuple):
    """Scalar parameters of the monthly step (all ``float``; switches are 1.0 or 0.0)."""

    # demand: separations, flows between labour-market states, entrants
    quit_rate: float
    dismissal_rate: float
    vulnerable_separation_multiplier: float
    probation_separation: float
    probation_months: float
    retirement_age_months: float
    inactivity_exit_rate: float
    reentry_rate: float
    entry_rate: float
    migrant_entry_rate: float
    employment_exit_rate: float
    inactive_search_rate: float
    young_exit_multiplier: float
    older_exit_multiplier: float
    older_return_multiplier: float
    recent_return_multiplier: float
    recent_inactive_months: float
    partial_exit_multiplier: float
    entrant_inactive_share: float
    # mobility: training and development inside workplaces
    training_rate: float
    skill_gain: float
    learning_on_job: float
    development_effect: float
    promotion_requires_skill: float
    awareness_training_share: float
    resources_development_share: float
    # matching: applications and screening
    applications: float
    aim: float
    unaimed_fit: float
    aim_margin: float
    max_applications: float
    screening_noise: float
    stigma_per_month: float
    stigma_cap_months: float
    work_ability_penalty: float
    support_bonus: float
    external_skill_weight: float
    level_strictness: float
    screening_rate: float
    # mechanisms of the realist evaluation
    efficacy_effort_link: float
    efficacy_gain_hire: float
    efficacy_loss_rejection: float
    effort_loss_rejection: float
    effort_recovery: float
    efficacy_recovery_at_work: float
    discouragement_threshold: float
    discouraged_exit: float
    skill_depreciation: float
    depreciation_after_months: float
    success_to_efficacy: float
    trust_decay: float
    trust_referral_weight: float
    peer_learning: float
    supported_retention: float
    bias_relapse: float
    lasting_bias_reduction: float
    # coalition
    referral_base: float
    unaware_referral_share: float
    # entrants' mean states and shares
    initial_self_efficacy: float
    initial_trust: float
    initial_awareness: float
    initial_motivation: float
    initial_search_skill: float
    initial_search_effort: float
    share_female: float
    share_partial_ability: float
    partial_work_ability_min: float
    partial_work_ability_max: float
    # entrants: school leavers and migrants
    school_leaver_age_min: float
    school_leaver_age_max: float
    migrant_age_min: float
    migrant_age_max: float
    school_leaver_skill: float
    school_leaver_skill_spread: float
    migrant_skill: float
    migrant_skill_spread: float
    state_spread: float
    search_skill_gap: float
    awareness_gap: float
    awareness_spread: float
    # mechanism switches
    self_efficacy_on: float
    trust_on: float
    experiences_of_success_on: float
    peer_learning_on: float


def _derived(p: ModelParams) -> dict[str, float]:
    """Fields that are not one parameter under its own name."""
    off = set(p.disabled_mechanisms)
    mob = p.mobility
    return {
        "retirement_age_months": p.demand.retirement_age * 12.0,
        # Without employer heterogeneity every employer realises Q's internal fills in full.
        "development_effect": mob.development_effect if mob.employer_heterogeneity else 0.0,
        **{
            f"{mechanism}{_SWITCH}": 0.0 if mechanism in off else 1.0
            for mechanism in ("self_efficacy", "trust", "experiences_of_success", "peer_learning")
        },
    }


@cache
def parameter_path(field: str) -> str:
    """The parameter path (``"matching.stigma_per_month"``) a field of :class:`KernelParams`
    is read from; raises ``KeyError`` for derived fields and unknown names."""
    if field.startswith(_INITIAL):
        name = field[len(_INITIAL) :]
        if name in ModelParams.model_fields["initial"].annotation.model_fields:
            return f"initial.{name}"
    owners = [s for s in _SECTIONS if field in ModelParams.model_fields[s].annotation.model_fields]
    if len(owners) != 1:
        raise KeyError(f"kernel parameter {field!r} is in {len(owners)} sections: {owners}")
    return f"{owners[0]}.{field}"


def kernel_params(p: ModelParams) -> KernelParams:
    """The kernels' parameters for model parameters ``p``."""
    derived = _derived(p)
    values = {}
    for field in KernelParams._fields:
        if field in derived:
            values[field] = float(derived[field])
            continue
        section, name = parameter_path(field).split(".")
        values[field] = float(getattr(getattr(p, section), name))
    return KernelParams(**values)
