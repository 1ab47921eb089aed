"""Numeric layouts shared by kernels: packed scalar parameters and monthly flow counters.

Kernels take the model's scalar parameters as one ``float64`` vector indexed by the ``K_*``
constants, and add the month's events to a ``(N_FLOWS, N_GROUPS)`` counter matrix indexed by
the ``F_*`` constants and the indicator groups of :mod:`simulator.state`.
"""

from __future__ import annotations

import numpy as np

from simulator.jit import helper
from simulator.params import ModelParams
from simulator.state import EMPLOYED, INDICATOR_GROUPS, UNEMPLOYED

_NAMES = (
    # demand
    "quit_rate",
    "dismissal_rate",
    "vulnerable_multiplier",
    "probation_separation",
    "retirement_months",
    "inactivity_exit",
    "reentry_rate",
    "entry_rate",
    "migrant_entry_rate",
    "employment_exit",
    "inactive_search",
    "young_exit_multiplier",
    "older_exit_multiplier",
    "older_return_multiplier",
    "recent_return_multiplier",
    "partial_exit_multiplier",
    "entrant_inactive_share",
    # mobility
    "training_rate",
    "skill_gain",
    "learning_on_job",
    "development_effect",
    "requires_skill",
    # matching
    "applications",
    "aim",
    "screening_noise",
    "stigma",
    "support_bonus",
    "skill_weight",
    "level_strictness",
    "screening_rate",
    # mechanisms
    "efficacy_link",
    "efficacy_gain_hire",
    "efficacy_loss_rejection",
    "effort_loss_rejection",
    "effort_recovery",
    "efficacy_recovery_at_work",
    "discouragement_threshold",
    "discouraged_exit",
    "skill_depreciation",
    "success_to_efficacy",
    "trust_decay",
    "trust_weight",
    "peer_learning",
    "supported_retention",
    "bias_relapse",
    # coalition
    "referral_base",
    # initial means for entrants
    "init_efficacy",
    "init_trust",
    "init_awareness",
    "init_motivation",
    "init_search_skill",
    "share_female",
    "share_partial",
    # mechanism switches (1 on, 0 off)
    "on_self_efficacy",
    "on_trust",
    "on_success",
    "on_peer",
)
K_QUIT_RATE = 0
K_DISMISSAL_RATE = 1
K_VULNERABLE_MULTIPLIER = 2
K_PROBATION_SEPARATION = 3
K_RETIREMENT_MONTHS = 4
K_INACTIVITY_EXIT = 5
K_REENTRY_RATE = 6
K_ENTRY_RATE = 7
K_MIGRANT_ENTRY_RATE = 8
K_EMPLOYMENT_EXIT = 9
K_INACTIVE_SEARCH = 10
K_YOUNG_EXIT_MULTIPLIER = 11
K_OLDER_EXIT_MULTIPLIER = 12
K_OLDER_RETURN_MULTIPLIER = 13
K_RECENT_RETURN_MULTIPLIER = 14
K_PARTIAL_EXIT_MULTIPLIER = 15
K_ENTRANT_INACTIVE_SHARE = 16
K_TRAINING_RATE = 17
K_SKILL_GAIN = 18
K_LEARNING_ON_JOB = 19
K_DEVELOPMENT_EFFECT = 20
K_REQUIRES_SKILL = 21
K_APPLICATIONS = 22
K_AIM = 23
K_SCREENING_NOISE = 24
K_STIGMA = 25
K_SUPPORT_BONUS = 26
K_SKILL_WEIGHT = 27
K_LEVEL_STRICTNESS = 28
K_SCREENING_RATE = 29
K_EFFICACY_LINK = 30
K_EFFICACY_GAIN_HIRE = 31
K_EFFICACY_LOSS_REJECTION = 32
K_EFFORT_LOSS_REJECTION = 33
K_EFFORT_RECOVERY = 34
K_EFFICACY_RECOVERY_AT_WORK = 35
K_DISCOURAGEMENT_THRESHOLD = 36
K_DISCOURAGED_EXIT = 37
K_SKILL_DEPRECIATION = 38
K_SUCCESS_TO_EFFICACY = 39
K_TRUST_DECAY = 40
K_TRUST_WEIGHT = 41
K_PEER_LEARNING = 42
K_SUPPORTED_RETENTION = 43
K_BIAS_RELAPSE = 44
K_REFERRAL_BASE = 45
K_INIT_EFFICACY = 46
K_INIT_TRUST = 47
K_INIT_AWARENESS = 48
K_INIT_MOTIVATION = 49
K_INIT_SEARCH_SKILL = 50
K_SHARE_FEMALE = 51
K_SHARE_PARTIAL = 52
K_ON_SELF_EFFICACY = 53
K_ON_TRUST = 54
K_ON_SUCCESS = 55
K_ON_PEER = 56
N_PARAMS = len(_NAMES)
PARAM_NAMES = _NAMES
assert N_PARAMS == K_ON_PEER + 1


def pack_params(p: ModelParams) -> np.ndarray:
    """Pack the scalar parameters the kernels read into a float64 vector."""
    d, mob, m, mech = p.demand, p.mobility, p.matching, p.mechanisms
    off = set(p.disabled_mechanisms)
    values = {
        "quit_rate": d.quit_rate,
        "dismissal_rate": d.dismissal_rate,
        "vulnerable_multiplier": d.vulnerable_separation_multiplier,
        "probation_separation": d.probation_separation,
        "retirement_months": d.retirement_age * 12,
        "inactivity_exit": d.inactivity_exit_rate,
        "reentry_rate": d.reentry_rate,
        "entry_rate": d.entry_rate,
        "migrant_entry_rate": d.migrant_entry_rate,
        "employment_exit": d.employment_exit_rate,
        "inactive_search": d.inactive_search_rate,
        "young_exit_multiplier": d.young_exit_multiplier,
        "older_exit_multiplier": d.older_exit_multiplier,
        "older_return_multiplier": d.older_return_multiplier,
        "recent_return_multiplier": d.recent_return_multiplier,
        "partial_exit_multiplier": d.partial_exit_multiplier,
        "entrant_inactive_share": d.entrant_inactive_share,
        "training_rate": mob.training_rate,
        "skill_gain": mob.skill_gain,
        "learning_on_job": mob.learning_on_job,
        # Without employer heterogeneity every employer realises Q's internal fills in full.
        "development_effect": mob.development_effect if mob.employer_heterogeneity else 0.0,
        "requires_skill": float(mob.promotion_requires_skill),
        "applications": m.applications,
        "aim": m.aim,
        "screening_noise": m.screening_noise,
        "stigma": m.stigma_per_month,
        "support_bonus": m.support_bonus,
        "skill_weight": m.external_skill_weight,
        "level_strictness": m.level_strictness,
        "screening_rate": m.screening_rate,
        "efficacy_link": mech.efficacy_effort_link,
        "efficacy_gain_hire": mech.efficacy_gain_hire,
        "efficacy_loss_rejection": mech.efficacy_loss_rejection,
        "effort_loss_rejection": mech.effort_loss_rejection,
        "effort_recovery": mech.effort_recovery,
        "efficacy_recovery_at_work": mech.efficacy_recovery_at_work,
        "discouragement_threshold": mech.discouragement_threshold,
        "discouraged_exit": mech.discouraged_exit,
        "skill_depreciation": mech.skill_depreciation,
        "success_to_efficacy": mech.success_to_efficacy,
        "trust_decay": mech.trust_decay,
        "trust_weight": mech.trust_referral_weight,
        "peer_learning": mech.peer_learning,
        "supported_retention": mech.supported_retention,
        "bias_relapse": mech.bias_relapse,
        "referral_base": p.coalition.referral_base,
        "init_efficacy": p.initial.self_efficacy,
        "init_trust": p.initial.trust,
        "init_awareness": p.initial.awareness,
        "init_motivation": p.initial.motivation,
        "init_search_skill": p.initial.search_skill,
        "share_female": p.population.share_female,
        "share_partial": p.population.share_partial_ability,
        "on_self_efficacy": 0.0 if "self_efficacy" in off else 1.0,
        "on_trust": 0.0 if "trust" in off else 1.0,
        "on_success": 0.0 if "experiences_of_success" in off else 1.0,
        "on_peer": 0.0 if "peer_learning" in off else 1.0,
    }
    return np.array([float(values[name]) for name in _NAMES], dtype=np.float64)


# ---------------------------------------------------------------- monthly flow counters
FLOW_NAMES = (
    "hires_from_unemployment",
    "separations",
    "exits_to_inactivity",
    "reentries",
    "entrants",
    "retirements",
    "promotions",
    "job_to_job_moves",
    "trained",
    "engine_hires",
    "completed_spell_months",
    "intervention_starts",
    "jobs_destroyed",
    "jobs_created",
    "carved_jobs",
    "filled_vacancy_months",
    "lost_within_6m",
    "lost_within_12m",
    # Retirements by the status they leave (they add up to ``retirements``), so each status
    # stock reconciles with the flows month by month.
    "retirements_from_employment",
    "retirements_from_unemployment",
    "retirements_from_inactivity",
    # The flows between employment and inactivity (``exits_to_inactivity`` is U->I and
    # ``reentries`` I->U).
    "employment_exits_to_inactivity",
    "hires_from_inactivity",
    # Entrants who enter inactive (part of ``entrants``; the rest enter unemployed).
    "inactive_entrants",
)
F_HIRES_FROM_UNEMPLOYMENT = 0
F_SEPARATIONS = 1
F_EXITS_TO_INACTIVITY = 2
F_REENTRIES = 3
F_ENTRANTS = 4
F_RETIREMENTS = 5
F_PROMOTIONS = 6
F_JOB_TO_JOB_MOVES = 7
F_TRAINED = 8
F_ENGINE_HIRES = 9
F_COMPLETED_SPELL_MONTHS = 10
F_INTERVENTION_STARTS = 11
F_JOBS_DESTROYED = 12
F_JOBS_CREATED = 13
F_CARVED_JOBS = 14
F_FILLED_VACANCY_MONTHS = 15
F_LOST_WITHIN_6M = 16
F_LOST_WITHIN_12M = 17
F_RETIREMENTS_FROM_EMPLOYMENT = 18
F_RETIREMENTS_FROM_UNEMPLOYMENT = 19
F_RETIREMENTS_FROM_INACTIVITY = 20
F_EMPLOYMENT_EXITS_TO_INACTIVITY = 21
F_HIRES_FROM_INACTIVITY = 22
F_INACTIVE_ENTRANTS = 23
N_FLOWS = len(FLOW_NAMES)
assert N_FLOWS == F_INACTIVE_ENTRANTS + 1

GROUP_MASKS = np.array([mask for _, mask in INDICATOR_GROUPS], dtype=np.int64)
GROUP_NAMES = tuple(name for name, _ in INDICATOR_GROUPS)
N_GROUPS = len(GROUP_MASKS)


@helper
def add_flow(flows: np.ndarray, code: int, groups: int, amount: float) -> None:
    """Add ``amount`` to flow ``code`` for every indicator group the person belongs to."""
    flows[code, 0] += amount
    for g in range(1, flows.shape[1]):
        if (groups & GROUP_MASKS[g]) != 0:
            flows[code, g] += amount


@helper
def add_retirement(flows: np.ndarray, status: int, groups: int) -> None:
    """Count a retirement, in total and by the status ``status`` the person retires from."""
    add_flow(flows, F_RETIREMENTS, groups, 1.0)
    if status == EMPLOYED:
        add_flow(flows, F_RETIREMENTS_FROM_EMPLOYMENT, groups, 1.0)
    elif status == UNEMPLOYED:
        add_flow(flows, F_RETIREMENTS_FROM_UNEMPLOYMENT, groups, 1.0)
    else:
        add_flow(flows, F_RETIREMENTS_FROM_INACTIVITY, groups, 1.0)


def new_flows() -> np.ndarray:
    """A zeroed flow-counter matrix for one month."""
    return np.zeros((N_FLOWS, N_GROUPS), dtype=np.float64)
