"""Numeric layouts shared by kernels: packed scalar parameters and monthly flow counters.

Kernels take the model's scalar parameters as one ``float64`` vector indexed by the ``K_*``
constants, and add the month's events to a ``(N_FLOWS, N_GROUPS)`` counter matrix indexed by
the ``F_*`` constants and the indicator groups of :mod:`simulator.state`.
"""

from __future__ import annotations

import numpy as np

from simulator.jit import njit
from simulator.params import ModelParams
from simulator.state import INDICATOR_GROUPS

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
    # mechanisms
    "efficacy_link",
    "efficacy_gain_hire",
    "efficacy_loss_rejection",
    "effort_loss_rejection",
    "effort_recovery",
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
for _i, _n in enumerate(_NAMES):
    globals()["K_" + _n.upper()] = _i
N_PARAMS = len(_NAMES)
PARAM_NAMES = _NAMES

K_QUIT_RATE: int
K_DISMISSAL_RATE: int
K_VULNERABLE_MULTIPLIER: int
K_PROBATION_SEPARATION: int
K_RETIREMENT_MONTHS: int
K_INACTIVITY_EXIT: int
K_REENTRY_RATE: int
K_ENTRY_RATE: int
K_MIGRANT_ENTRY_RATE: int
K_TRAINING_RATE: int
K_SKILL_GAIN: int
K_LEARNING_ON_JOB: int
K_DEVELOPMENT_EFFECT: int
K_REQUIRES_SKILL: int
K_APPLICATIONS: int
K_AIM: int
K_SCREENING_NOISE: int
K_STIGMA: int
K_SUPPORT_BONUS: int
K_SKILL_WEIGHT: int
K_EFFICACY_LINK: int
K_EFFICACY_GAIN_HIRE: int
K_EFFICACY_LOSS_REJECTION: int
K_EFFORT_LOSS_REJECTION: int
K_EFFORT_RECOVERY: int
K_DISCOURAGEMENT_THRESHOLD: int
K_DISCOURAGED_EXIT: int
K_SKILL_DEPRECIATION: int
K_SUCCESS_TO_EFFICACY: int
K_TRUST_DECAY: int
K_TRUST_WEIGHT: int
K_PEER_LEARNING: int
K_SUPPORTED_RETENTION: int
K_BIAS_RELAPSE: int
K_REFERRAL_BASE: int
K_INIT_EFFICACY: int
K_INIT_TRUST: int
K_INIT_AWARENESS: int
K_INIT_MOTIVATION: int
K_INIT_SEARCH_SKILL: int
K_SHARE_FEMALE: int
K_SHARE_PARTIAL: int
K_ON_SELF_EFFICACY: int
K_ON_TRUST: int
K_ON_SUCCESS: int
K_ON_PEER: int


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
        "training_rate": mob.training_rate,
        "skill_gain": mob.skill_gain,
        "learning_on_job": mob.learning_on_job,
        "development_effect": mob.development_effect,
        "requires_skill": float(mob.promotion_requires_skill),
        "applications": m.applications,
        "aim": m.aim,
        "screening_noise": m.screening_noise,
        "stigma": m.stigma_per_month,
        "support_bonus": m.support_bonus,
        "skill_weight": m.external_skill_weight,
        "efficacy_link": mech.efficacy_effort_link,
        "efficacy_gain_hire": mech.efficacy_gain_hire,
        "efficacy_loss_rejection": mech.efficacy_loss_rejection,
        "effort_loss_rejection": mech.effort_loss_rejection,
        "effort_recovery": mech.effort_recovery,
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
)
for _i, _n in enumerate(FLOW_NAMES):
    globals()["F_" + _n.upper()] = _i
N_FLOWS = len(FLOW_NAMES)
F_HIRES_FROM_UNEMPLOYMENT: int
F_SEPARATIONS: int
F_EXITS_TO_INACTIVITY: int
F_REENTRIES: int
F_ENTRANTS: int
F_RETIREMENTS: int
F_PROMOTIONS: int
F_JOB_TO_JOB_MOVES: int
F_TRAINED: int
F_ENGINE_HIRES: int
F_COMPLETED_SPELL_MONTHS: int
F_INTERVENTION_STARTS: int
F_JOBS_DESTROYED: int
F_JOBS_CREATED: int
F_CARVED_JOBS: int
F_FILLED_VACANCY_MONTHS: int
F_LOST_WITHIN_6M: int
F_LOST_WITHIN_12M: int

GROUP_MASKS = np.array([mask for _, mask in INDICATOR_GROUPS], dtype=np.int64)
GROUP_NAMES = tuple(name for name, _ in INDICATOR_GROUPS)
N_GROUPS = len(GROUP_MASKS)


@njit(inline="always")
def add_flow(flows: np.ndarray, code: int, groups: int, amount: float) -> None:
    """Add ``amount`` to flow ``code`` for every indicator group the person belongs to."""
    flows[code, 0] += amount
    for g in range(1, flows.shape[1]):
        if (groups & GROUP_MASKS[g]) != 0:
            flows[code, g] += amount


def new_flows() -> np.ndarray:
    """A zeroed flow-counter matrix for one month."""
    return np.zeros((N_FLOWS, N_GROUPS), dtype=np.float64)
