"""Synthesis of the initial population, employers and job ladders from parameters.

Set-up is vectorised numpy drawing from its own ``numpy.random.Generator`` (a child of the run's
``SeedSequence``), so a policy arm and its baseline start from the same world.

It has two stages. :func:`build_market` draws the persons, employers and job ladders from
:class:`MarketInputs` alone, the few parameter sections the draws depend on; :func:`finish_world`
then applies the settings that need no random numbers (employers' bias level and hiring
standard, job carving, coalition partners). So every run whose market inputs and seed agree
starts from the same market, which :class:`simulator.world_cache.WorldCache` exploits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator import demography, state
from simulator.kernels.sorting import stable_argsort
from simulator.params import LadderParams, ModelParams, PersonStateParams, PopulationParams

#: Share of active positions vacant at set-up.
INITIAL_VACANCY_RATE = 0.02


def _beta_with_mean(rng: np.random.Generator, mean: float, n: int, strength: float = 6.0):
    """Beta draws with the given mean; ``strength`` is alpha + beta."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    return rng.beta(mean * strength, (1 - mean) * strength, size=n)


def largest(values: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` largest ``values``, ties going to the lower index: the same choice as
    ``np.argsort(-values, kind="stable")[:k]``, found by a partial sort in linear time."""
    chosen = np.zeros(values.shape[0], dtype=bool)
    if k <= 0:
        return chosen
    if k >= values.shape[0]:
        chosen[:] = True
        return chosen
    kth = np.partition(values, values.shape[0] - k)[values.shape[0] - k]  # k-th largest
    chosen[values > kth] = True
    tied = np.flatnonzero(values == kth)
    chosen[tied[: k - int(chosen.sum())]] = True
    return chosen


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Split an integer total by shares, preserving the sum."""
    raw = total * shares / shares.sum()
    out = np.floor(raw).astype(np.int64)
    rest = total - out.sum()
    if rest > 0:
        out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def trait_bits(pi: np.ndarray) -> np.ndarray:
    """Target-group traits (young, women 55+, migrant, partial ability) of person rows."""
    age = pi[:, state.P_AGE_MONTHS]
    bits = np.where(age < state.YOUNG_MAX_MONTHS, state.G_YOUNG, 0)
    bits |= np.where(
        (pi[:, state.P_FEMALE] == 1) & (age >= state.OLDER_MIN_MONTHS), state.G_WOMEN55, 0
    )
    bits |= np.where(pi[:, state.P_MIGRANT] == 1, state.G_MIGRANT, 0)
    bits |= np.where(pi[:, state.P_PARTIAL_ABILITY] == 1, state.G_PARTIAL, 0)
    return bits


def coalition_employers(sizes: np.ndarray, count: int) -> np.ndarray:
    """The employers that join the coalition: the largest first (they have most to offer)."""
    return np.argsort(-sizes, kind="stable")[:count]


@dataclass(frozen=True)
class MarketInputs:
    """Everything the random draws of the market at month 0 depend on, and nothing else.

    Attributes
    ----------
    population, ladder, initial
        The parameter sections of those names.
    retirement_age
        Age (years) at which people retire.
    entry_groups
        Entrants' groups, shares and entry ages: with the retirement age they set the
        steady-state age structure the persons are drawn from.
    recent_inactive_months
        Months out of the labour force of those inactive at set-up (they count as long out).
    person_rows
        Rows reserved in the person table, entrants over the run included.
    """

    population: PopulationParams
    ladder: LadderParams
    initial: PersonStateParams
    retirement_age: int
    entry_groups: tuple[demography.EntryGroup, ...]
    recent_inactive_months: int
    person_rows: int

    @classmethod
    def of(cls, params: ModelParams) -> MarketInputs:
        """The market inputs of a parameter set."""
        n = params.population.n_persons
        entry_per_month = params.demand.entry_rate + params.demand.migrant_entry_rate
        return cls(
            population=params.population,
            ladder=params.ladder,
            initial=params.initial,
            retirement_age=params.demand.retirement_age,
            entry_groups=demography.entry_groups(params),
            recent_inactive_months=params.demand.recent_inactive_months,
            person_rows=int(n * (1.0 + 1.3 * entry_per_month * params.months)) + 64,
        )

    def key(self) -> str:
        """Equal for equal inputs (JSON of the values)."""
        parts = [m.model_dump_json() for m in (self.population, self.ladder, self.initial)]
        scalars = (
            self.retirement_age,
            self.entry_groups,
            self.recent_inactive_months,
            self.person_rows,
        )
        return "|".join([*parts, *map(str, scalars)])


def build_world(params: ModelParams, seed_seq: np.random.SeedSequence) -> state.WorldState:
    """Create the world at month 0.

    Parameters
    ----------
    params
        Validated model parameters.
    seed_seq
        The run's set-up seed sequence.

    Returns
    -------
    WorldState
        Persons (employed and unemployed), employers with job ladders, positions with holders.
    """
    return finish_world(build_market(MarketInputs.of(params), seed_seq), params)


def finish_world(world: state.WorldState, params: ModelParams) -> state.WorldState:
    """Apply the set-up settings that draw no random numbers to a market from :func:`build_market`.

    Sets each employer's bias (its drawn relative bias times the mean), then the settings of
    :func:`start_run`. Modifies and returns ``world``.
    """
    ef = world.employers.f
    # Written as (mean * 2) * draw, the same arithmetic as drawing the bias in one go.
    bias = params.matching.bias_mean * 2.0 * ef[:, state.E_INITIAL_BIAS]
    ef[:, state.E_BIAS] = bias
    ef[:, state.E_INITIAL_BIAS] = bias
    return start_run(world, params)


def start_run(world: state.WorldState, params: ModelParams) -> state.WorldState:
    """Settings a run starts from at month 0, whatever came before (set-up or a spin-up).

    Sets each employer's hiring standard and job carving, the employers and providers in the
    coalition at month 0 and the coalition's integration. Modifies and returns ``world``.
    """
    ef, ei = world.employers.f, world.employers.i
    ef[:, state.E_HIRING_STANDARD] = params.matching.hiring_standard
    ef[:, state.E_JOB_CARVING] = params.mobility.job_carving
    ei[:, state.E_COALITION] = 0
    n_coalition = round(params.coalition.employer_share * world.employers.n)
    if n_coalition > 0 and params.coalition.employers_join_month <= 0:
        ei[coalition_employers(ei[:, state.E_SIZE], n_coalition), state.E_COALITION] = 1
    world.provider_in_coalition = np.array(
        [1 if (p.in_coalition and p.joins_month <= 0) else 0 for p in params.providers],
        dtype=np.int64,
    )
    world.integration = params.coalition.integration
    return world


def build_market(inputs: MarketInputs, seed_seq: np.random.SeedSequence) -> state.WorldState:
    """Draw persons, employers and job ladders at month 0, before :func:`finish_world`.

    The employers' bias column ``E_INITIAL_BIAS`` holds each employer's Beta(2, 2) draw until
    :func:`finish_world` scales it by the mean bias; no coalition partners are set.
    """
    rng = np.random.default_rng(seed_seq)
    pop = inputs.population
    n = pop.n_persons
    n_levels = inputs.ladder.n_levels

    # ---------------------------------------------------------------- persons
    capacity = inputs.person_rows
    pf = state.new_float_table(capacity, len(state.PERSON_FLOAT_COLUMNS))
    pi = state.new_int_table(capacity, len(state.PERSON_INT_COLUMNS))

    # Ages from the demography's own steady state: any other age structure echoes for ever.
    age_years = demography.draw_ages(rng, n, inputs.entry_groups, inputs.retirement_age)
    pi[:n, state.P_AGE_MONTHS] = (age_years * 12).astype(np.int64)
    pi[:n, state.P_FEMALE] = rng.random(n) < pop.share_female
    pi[:n, state.P_MIGRANT] = rng.random(n) < pop.share_migrant
    pi[:n, state.P_PARTIAL_ABILITY] = rng.random(n) < pop.share_partial_ability
    pi[:n, state.P_POSITION] = -1
    pi[:n, state.P_EMPLOYER] = -1
    pi[:n, state.P_ENROLLED] = -1
    pi[:n, state.P_SUPPORT_INTERVENTION] = -1
    pi[:n, state.P_HIRE_MONTH] = state.NEVER
    pi[:n, state.P_MOVED_MONTH] = -1
    pi[:n, state.P_ENTRY_MONTH] = 0
    pi[:n, state.P_LAST_INTERVENTION] = -1
    pi[:n, state.P_TRAIT_GROUPS] = trait_bits(pi[:n])

    skill = rng.beta(2.5, 2.5, n)
    # Migrants' skills are often not recognised; the young have had less time to learn.
    skill -= pop.migrant_skill_gap * pi[:n, state.P_MIGRANT] + pop.young_skill_gap * (
        age_years < 25
    )
    ini = inputs.initial
    pf[:n, state.P_SKILL] = np.clip(skill, 0.0, 1.0)
    pf[:n, state.P_WORK_ABILITY] = np.where(
        pi[:n, state.P_PARTIAL_ABILITY] == 1,
        rng.uniform(pop.partial_work_ability_min, pop.partial_work_ability_max, n),
        1.0,
    )
    pf[:n, state.P_SELF_EFFICACY] = _beta_with_mean(rng, ini.self_efficacy, n)
    pf[:n, state.P_TRUST] = _beta_with_mean(rng, ini.trust, n)
    pf[:n, state.P_INITIAL_TRUST] = pf[:n, state.P_TRUST]
    pf[:n, state.P_SEARCH_SKILL] = _beta_with_mean(rng, ini.search_skill, n)
    pf[:n, state.P_SEARCH_EFFORT] = _beta_with_mean(rng, ini.search_effort, n)
    pf[:n, state.P_INITIAL_SEARCH_EFFORT] = pf[:n, state.P_SEARCH_EFFORT]
    pf[:n, state.P_MOTIVATION] = _beta_with_mean(rng, ini.motivation, n)
    pf[:n, state.P_AWARENESS] = _beta_with_mean(rng, ini.awareness, n)

    # Who is inactive at the start: the young (study), the older and people with partial work
    # ability more often; a weighted draw without replacement (Efraimidis & Spirakis 2006).
    weight = (
        1.0
        + (age_years < state.YOUNG_MAX_MONTHS / 12)
        + (age_years >= state.OLDER_MIN_MONTHS / 12)
        + pi[:n, state.P_PARTIAL_ABILITY]
    )
    n_inactive = min(n - 1, round(pop.initial_inactive_share * n))
    inactive = largest(rng.random(n) ** (1.0 / weight), n_inactive)
    # Who is unemployed: lower skill raises the risk.
    risk = rng.random(n) + 0.6 * (0.5 - pf[:n, state.P_SKILL])
    risk[inactive] = -np.inf
    n_labour_force = n - n_inactive
    n_unemployed = round(pop.initial_unemployment_rate * n_labour_force)
    unemployed = largest(risk, n_unemployed)
    pi[:n, state.P_STATUS] = np.where(
        inactive, state.INACTIVE, np.where(unemployed, state.UNEMPLOYED, state.EMPLOYED)
    )
    # Spell lengths: geometric, so about two in five of the unemployed are long-term unemployed
    # (the spin-up replaces them by the lab's own).
    pi[:n, state.P_UNEMPLOYMENT_DURATION] = np.where(unemployed, rng.geometric(0.075, n) - 1, 0)
    # Those inactive at set-up count as long out of the labour force (the spin-up mixes in the
    # recently inactive).
    pi[:n, state.P_INACTIVE_MONTHS] = np.where(inactive, inputs.recent_inactive_months, 0)
    # The status history holds month 0's status; earlier month ends are unknown.
    pi[:n, state.P_STATUS_HISTORY] = pi[:n, state.P_STATUS] | (state.HISTORY_ABSENT << 2) & 63

    # ---------------------------------------------------------------- employers
    n_employed = n_labour_force - n_unemployed
    n_active = max(n_levels, round(n_employed / (1.0 - INITIAL_VACANCY_RATE)))
    n_emp = max(1, round(n_labour_force / pop.persons_per_employer))
    sizes_raw = rng.pareto(pop.employer_size_shape, n_emp) + 1.0
    sizes_raw = np.minimum(sizes_raw, 0.15 * n_active + 1)  # no employer above 15% of jobs
    sizes = np.maximum(1, _largest_remainder(n_active, sizes_raw))
    # Rounding up tiny employers can overshoot; trim from the largest.
    excess = int(sizes.sum() - n_active)
    if excess > 0:
        order = np.argsort(-sizes, kind="stable")
        k = 0
        while excess > 0:
            e = order[k % len(order)]
            if sizes[e] > 1:
                sizes[e] -= 1
                excess -= 1
            k += 1
    shares = np.array([s.employment_share for s in pop.sectors])
    sector = rng.choice(len(shares), size=n_emp, p=shares / shares.sum())

    ef = state.new_float_table(n_emp, len(state.EMPLOYER_FLOAT_COLUMNS))
    ei = state.new_int_table(n_emp, len(state.EMPLOYER_INT_COLUMNS))
    ei[:, state.E_SECTOR] = sector
    ei[:, state.E_SIZE] = sizes
    ef[:, state.E_DEVELOPMENT] = _beta_with_mean(rng, ini.employer_development, n_emp)
    ef[:, state.E_INITIAL_BIAS] = rng.beta(2.0, 2.0, n_emp)  # scaled by the mean in finish_world
    ef[:, state.E_AWARENESS] = _beta_with_mean(rng, ini.employer_awareness, n_emp)
    # Training resources grow with size: micro firms have least.
    ef[:, state.E_RESOURCES] = np.clip(np.log1p(sizes) / np.log(500.0), 0.05, 1.0)

    # ---------------------------------------------------------------- job ladders
    level_shares = np.asarray(inputs.ladder.level_shares, dtype=np.float64)
    cum = np.cumsum(level_shares) / level_shares.sum()
    # Active positions per employer and level: each employer's size split by the shares,
    # rounding so that small employers still have an entry level.
    bounds = np.floor(np.outer(sizes, np.concatenate(([0.0], cum))) + 0.5).astype(np.int64)
    bounds[:, -1] = sizes
    per_level = np.diff(bounds, axis=1)
    empty_entry = per_level[:, 0] == 0
    top = np.argmax(per_level, axis=1)
    per_level[empty_entry, top[empty_entry]] -= 1
    per_level[empty_entry, 0] += 1
    slots = per_level + np.ceil(inputs.ladder.slack * per_level).astype(np.int64)
    slots[:, 0] = np.maximum(slots[:, 0], per_level[:, 0] + 1)  # room for a carved job

    flat_slots = slots.ravel()
    level_start = np.zeros((n_emp, n_levels + 1), dtype=np.int64)
    level_start[:, 1:] = np.cumsum(slots, axis=1)
    offsets = np.concatenate(([0], np.cumsum(slots.sum(axis=1))[:-1]))
    level_start += offsets[:, None]
    n_slots = int(flat_slots.sum())

    qi = state.new_int_table(n_slots, len(state.POSITION_INT_COLUMNS))
    emp_of_block = np.repeat(np.arange(n_emp), n_levels)
    lvl_of_block = np.tile(np.arange(n_levels), n_emp)
    qi[:, state.Q_EMPLOYER] = np.repeat(emp_of_block, flat_slots)
    qi[:, state.Q_LEVEL] = np.repeat(lvl_of_block, flat_slots)
    qi[:, state.Q_HOLDER] = -1
    qi[:, state.Q_VACANT_SINCE] = 0
    block_start = level_start[:, :n_levels].ravel()
    rank_in_block = np.arange(n_slots) - np.repeat(block_start, flat_slots)
    qi[:, state.Q_ACTIVE] = rank_in_block < np.repeat(per_level.ravel(), flat_slots)

    req = np.asarray(inputs.ladder.skill_requirements, dtype=np.float64)
    intensity = np.array([s.skill_intensity for s in pop.sectors])
    requirement = np.clip(
        req[qi[:, state.Q_LEVEL]] + intensity[sector[qi[:, state.Q_EMPLOYER]]], 0, 1
    )

    # ---------------------------------------------------------------- fill positions
    active_idx = np.flatnonzero(qi[:, state.Q_ACTIVE])
    employed_idx = np.flatnonzero(pi[:n, state.P_STATUS] == state.EMPLOYED)
    # The most skilled take the most demanding jobs, with noise so that ladders are mixed.
    # (stable_argsort: the permutation of np.argsort(kind="stable"), by radix.)
    person_order = employed_idx[
        stable_argsort(-(pf[employed_idx, state.P_SKILL] + rng.normal(0, 0.05, len(employed_idx))))
    ]
    pos_order = active_idx[
        stable_argsort(-(requirement[active_idx] + rng.normal(0, 0.02, len(active_idx))))
    ]
    # Vacancies at the start are spread over the ladder at random.
    n_fill = len(person_order)
    vacant_at_start = rng.choice(len(pos_order), size=len(pos_order) - n_fill, replace=False)
    keep = np.ones(len(pos_order), dtype=bool)
    keep[vacant_at_start] = False
    filled_pos = pos_order[keep]
    qi[filled_pos, state.Q_HOLDER] = person_order
    pi[person_order, state.P_POSITION] = filled_pos
    pi[person_order, state.P_TENURE] = rng.geometric(1 / 60, n_fill)
    vacant = pos_order[~keep]
    qi[vacant, state.Q_STATE] = state.PENDING
    qi[vacant, state.Q_CHAIN_START_LEVEL] = qi[vacant, state.Q_LEVEL]
    # Skill at least the requirement minus a margin: people grew into their jobs.
    held = pf[person_order, state.P_SKILL]
    pf[person_order, state.P_SKILL] = np.maximum(held, requirement[filled_pos] - 0.05)

    # Number persons in position order (the unemployed and inactive after), so that kernels
    # walking the persons touch positions and employers nearly in order: a large speed-up for
    # big worlds. Row r of the new table is row perm[r] of the drawn one: the holders in slot
    # order, then everyone else in drawn order.
    holders = qi[:, state.Q_HOLDER]
    perm = np.concatenate((holders[holders >= 0], np.flatnonzero(pi[:n, state.P_POSITION] < 0)))
    for table in (pf, pi):
        for c in range(table.shape[1]):  # column by column: gathers on contiguous columns
            column = table[:n, c]
            if column.any():  # columns not drawn yet are zero in any order
                column[:] = column.take(perm)
    employed_rows = np.flatnonzero(pi[:n, state.P_POSITION] >= 0)
    qi[pi[employed_rows, state.P_POSITION], state.Q_HOLDER] = employed_rows
    pi[employed_rows, state.P_EMPLOYER] = qi[pi[employed_rows, state.P_POSITION], state.Q_EMPLOYER]

    # Slots grouped by level (each level's in slot order), for drawing job-to-job movers.
    slot_level = qi[:, state.Q_LEVEL]
    by_level = np.concatenate([np.flatnonzero(slot_level == lv) for lv in range(n_levels)])
    level_counts = np.bincount(slot_level, minlength=n_levels)
    level_slots_start = np.concatenate(([0], np.cumsum(level_counts))).astype(np.int64)

    positions = state.PositionTable(
        i=qi,
        requirement=np.ascontiguousarray(requirement),
        level_start=level_start,
        level_slots=by_level.astype(np.int64),
        level_slots_start=level_slots_start,
        target=per_level.astype(np.float64),
    )
    persons = state.PersonTable(f=pf, i=pi, n=n)
    employers = state.EmployerTable(f=ef, i=ei)
    destruction = np.array([s.job_destruction for s in pop.sectors], dtype=np.float64)
    return state.WorldState(
        persons=persons,
        positions=positions,
        employers=employers,
        sector_destruction=destruction,
        labour_force0=n_labour_force,
        month=0,
    )
