"""Scalar behavioural rules shared by the numba kernels and the plain-Python reference.

These are the model's formulas, one small function each. The kernels call the compiled
versions; the reference engine calls the same functions' ``py_func``, so the two engines can
differ only in how they organise the work (queues, sorting, grouping), which is what the
equivalence tests check.
"""

from __future__ import annotations

import math

from simulator.jit import njit
from simulator.state import (
    G_BIAS_MASK,
    G_LTU,
    G_MIGRANT,
    G_PARTIAL,
    G_WOMEN55,
    G_YOUNG,
    LTU_MONTHS,
    OLDER_MIN_MONTHS,
    UNEMPLOYED,
    YOUNG_MAX_MONTHS,
)

#: Scale of the training probability: ``training_rate`` is the monthly probability of an
#: employee whose employer's development, own motivation and awareness term are each about one
#: half (their product, 1/4, times this scale is 1).
TRAINING_SCALE = 4.0


@njit(inline="always")
def clip01(x: float) -> float:
    """Clip to [0, 1]."""
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@njit(inline="always")
def group_bits(status: int, udur: int, traits: int) -> int:
    """Target-group bit mask of a person: their traits plus long-term unemployment."""
    if status == UNEMPLOYED and udur >= LTU_MONTHS:
        return traits | G_LTU
    return traits


@njit(inline="always")
def trait_bits(age: int, female: int, migrant: int, partial: int) -> int:
    """Target-group bits that do not depend on the unemployment spell."""
    g = 0
    if age < YOUNG_MAX_MONTHS:
        g |= G_YOUNG
    if female != 0 and age >= OLDER_MIN_MONTHS:
        g |= G_WOMEN55
    if migrant != 0:
        g |= G_MIGRANT
    if partial != 0:
        g |= G_PARTIAL
    return g


@njit(inline="always")
def may_hold(carved: int, partial: int) -> bool:
    """Whether a person may take a position: a carved job stays reserved for people with
    partial work ability (``partial``) however it falls vacant, whoever fills it."""
    return carved == 0 or partial == 1


@njit(inline="always")
def is_vulnerable(groups: int) -> bool:
    """Whether a person belongs to any target group."""
    return groups != 0


@njit(inline="always")
def count_draw(rate: float, u: float) -> int:
    """An integer count with mean ``rate``: its floor plus one with the fractional probability."""
    base = math.floor(rate)
    frac = rate - base
    return int(base) + (1 if u < frac else 0)


@njit(inline="always")
def noise(u1: float, u2: float, sd: float) -> float:
    """Zero-mean triangular noise with standard deviation ``sd`` from two uniforms."""
    return sd * math.sqrt(6.0) * (u1 + u2 - 1.0)


@njit(inline="always")
def screening_score(
    skill: float,
    requirement: float,
    skill_weight: float,
    employer_bias: float,
    groups: int,
    udur: int,
    stigma: float,
    stigma_cap: float,
    support: float,
    support_bonus: float,
    work_ability: float,
    work_ability_penalty: float,
    carved: int,
    eps: float,
) -> float:
    """The employer's assessment of an applicant (skill units; higher is better).

    Skill fit, minus the employer's bias against target groups, minus the stigma of long
    unemployment, minus the mismatch of a limited work ability with an ordinary job (a carved
    job is tailored to it), plus any hiring support the applicant brings, plus noise.
    """
    score = skill_weight * (skill - requirement)
    if (groups & G_BIAS_MASK) != 0:
        score -= employer_bias
    months = udur if udur < stigma_cap else stigma_cap
    score -= stigma * months
    if carved == 0:
        score -= work_ability_penalty * (1.0 - work_ability)
    score += support_bonus * support
    return score + eps


@njit(inline="always")
def application_rate(
    base: float,
    effort: float,
    efficacy: float,
    link: float,
    lock_in: float,
    extra: float,
) -> float:
    """Expected applications per month: effort and self-efficacy drive search."""
    drive = effort * ((1.0 - link) + link * efficacy)
    return base * drive * (1.0 - lock_in) + extra


@njit(inline="always")
def aim_probability(
    aim: float, search_skill: float, efficacy: float, link: float, unaimed_fit: float
) -> float:
    """Probability that an application is aimed at a vacancy the applicant qualifies for."""
    return clip01(aim * search_skill * ((1.0 - link) + link * efficacy) + (1.0 - aim) * unaimed_fit)


@njit(inline="always")
def referral_probability(
    base: float, integration: float, coordination: float, awareness: float, unaware: float
) -> float:
    """Monthly probability that an eligible person is referred to a service: the reach of
    services, of which the share ``unaware`` reaches people regardless of their awareness."""
    reach = base + (1.0 - base) * integration * coordination
    return clip01(reach * (unaware + (1.0 - unaware) * awareness))


@njit(inline="always")
def takeup_probability(trust: float, trust_weight: float) -> float:
    """Probability that a referred person takes the service up."""
    return clip01((1.0 - trust_weight) + trust_weight * trust)


@njit(inline="always")
def training_probability(
    rate: float, development: float, motivation: float, awareness: float, awareness_share: float
) -> float:
    """Monthly probability that an employee trains at work: the share ``awareness_share`` of
    it depends on the employee's awareness of development paths."""
    reach = (1.0 - awareness_share) + awareness_share * awareness
    return clip01(rate * development * motivation * reach * TRAINING_SCALE)


@njit(inline="always")
def development_reach(development: float, resources: float, resources_share: float) -> float:
    """How much of an employer's development culture reaches training: the share
    ``resources_share`` of it needs the resources of a large employer."""
    return development * ((1.0 - resources_share) + resources_share * resources)


@njit(inline="always")
def internal_fill_scale(development: float, effect: float) -> float:
    """How much of the ladder's internal-fill propensity an employer realises."""
    return 1.0 - effect * (1.0 - development)


@njit(inline="always")
def exit_multiplier(
    age: int,
    partial: int,
    young_multiplier: float,
    older_multiplier: float,
    partial_multiplier: float,
) -> float:
    """Risk of leaving the labour force (E->I, U->I) relative to a prime-age person in good
    health: the young leave to study, the older for early exit, people with partial work
    ability for illness."""
    m = 1.0
    if age < YOUNG_MAX_MONTHS:
        m *= young_multiplier
    elif age >= OLDER_MIN_MONTHS:
        m *= older_multiplier
    if partial != 0:
        m *= partial_multiplier
    return m


@njit(inline="always")
def return_multiplier(
    age: int,
    inactive_months: int,
    older_multiplier: float,
    recent_multiplier: float,
    recent_months: float,
) -> float:
    """Chance of an inactive person returning (I->U, I->E) relative to one under 55 who has
    been out of the labour force for a year or more: the recently inactive (marginally
    attached) return far more often, the older less."""
    m = older_multiplier if age >= OLDER_MIN_MONTHS else 1.0
    if inactive_months < recent_months:
        m *= recent_multiplier
    return m


@njit(inline="always")
def push_status(history: int, status: int) -> int:
    """A status history (three month ends, two bits each, newest lowest) after a month end at
    which the person's status is ``status``."""
    return ((history << 2) | status) & 63


@njit(inline="always")
def status_months_ago(history: int, months: int) -> int:
    """The status ``months`` (1-3) month ends ago in a history kept by :func:`push_status`."""
    return (history >> (2 * (months - 1))) & 3


@njit(inline="always")
def creation_probability(destruction: float, target: float, slots: int) -> float:
    """Monthly probability that an unused slot of a block becomes an active position.

    Each slot of a block alternates between active (destroyed at rate ``destruction``) and
    unused (created with this probability), so the block's stationary number of active
    positions is ``slots * p / (destruction + p)``; this ``p`` makes it ``target``. A block
    whose target fills every slot creates at once.
    """
    unused = slots - target
    if unused <= 0.0:
        return 1.0
    return destruction * target / unused


# ---------------------------------------------------------------- limits of search

#: Draws a vacancy makes to find a mover from another employer before it is opened to
#: outsiders.
J2J_TRIES = 8
