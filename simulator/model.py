"""The Mesa model of one regional labour market (a living lab), stepped monthly.

The model orchestrates; the work is done by pure kernels over the columnar state
(:mod:`simulator.kernels`), run either compiled (numba) or as their plain-Python reference
(:mod:`simulator.reference`, one module per phase below).
Each month:

1. labour demand and labour-force flows (job destruction and creation, separations,
   retirements, exits to and returns from inactivity, entrants);
2. mobility (training, promotions, job-to-job moves, vacancy chains, job carving);
3. services (enrolment, effects of interventions in progress, peer learning, coalition);
4. matching (applications, screening, hiring);
5. consequences (experiences of success, discouragement, depreciation, drift of states);
6. monitoring (the month's indicators).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable

import mesa
import numba
import numpy as np

from simulator import demography, interventions, rules, state, streams, tallies
from simulator.agents import (
    Coalition,
    Column,
    Employee,
    Employer,
    Jobseeker,
    Person,
    ServiceProvider,
    TableAgent,
)
from simulator.agentset import TableAgentSet
from simulator.engines import Engine, get_engine
from simulator.errors import check_seed
from simulator.indicators import (
    IndicatorArrays,
    IndicatorRecorder,
    ModelResults,
    position_stats,
)
from simulator.interventions import compile_interventions
from simulator.jit import kernels_may_run_at_once, run_beside
from simulator.kernel_params import kernel_params
from simulator.mesa_compat import AllAgents, default_datacollector
from simulator.params import ModelParams
from simulator.setup import build_world, coalition_employers, start_run
from simulator.spin_up import baseline_dynamics, shift_months
from simulator.world_cache import WorldCache


def child_seed(seq: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """The ``i``-th child of a SeedSequence, as ``spawn`` would give it, without mutating it."""
    return np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, i))


def _seed_sequence(rng: object, model_rng: np.random.Generator) -> np.random.SeedSequence:
    """The run's SeedSequence: from an integer or SeedSequence, else drawn from Mesa's rng."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, (int, np.integer)):
        return np.random.SeedSequence(int(rng))
    return np.random.SeedSequence(int(model_rng.integers(2**63)))


#: Phases of the monthly step, in order (``LabourMarketModel.phase_seconds``). The census of
#: stocks is taken in the consequences pass; monitoring is the recording of the month.
PHASES = ("demand", "mobility", "services", "matching", "consequences", "monitoring")


#: Person rows from which a month's jobseekers are gathered beside the vacancy chains (see
#: :meth:`LabourMarketModel._seekers_beside_chains`). Measured on two cores, months stepped
#: alternately both ways: 0.92 of the step at 1,000,000 persons, 0.95 at 500,000, even at
#: 300,000, 1.08 at 100,000 and 1.25 at 28,000 (a thread's start and a one-thread gathering
#: cost more than the chains leave room for).
BESIDE_MIN_ROWS = 400_000


def _lap(seconds: dict[str, float], phase: str, start: float, tick) -> float:
    """Add the time since ``start`` to ``phase``; returns now."""
    now = tick()
    seconds[phase] += now - start
    return now


class LabourMarketModel(mesa.Model):
    """A regional labour market with employers, persons, service providers and a coalition.

    Parameters
    ----------
    params
        Model parameters (defaults: :class:`~simulator.params.ModelParams`).
    rng
        Seed as in Mesa: an int (0 or more), a ``numpy.random.SeedSequence`` or a Generator.
        Everything random derives from it; the same seed gives the same run on either engine.
    engine
        ``"numba"`` (compiled kernels, default) or ``"python"`` (the plain-Python reference).
    worlds
        A cache of set-up markets shared by runs of many parameter sets with common seeds
        (see :mod:`simulator.world_cache`); the world is the same with or without it.

    Raises
    ------
    ValueError
        If ``rng`` is a negative integer (a :class:`~simulator.errors.ParameterError`).

    Notes
    -----
    Persons and employers are table rows; ``model.agents_by_type[Person]`` (and
    ``Employee``, ``Jobseeker``, ``Employer``) are live agent sets over them, and
    ``model.agents`` joins them with the providers and the coalition (lazily). The model has a
    Mesa ``datacollector`` (the population's labour-market stocks, collected every month; replace
    it to add agent reporters), so ``mesa.batch_run`` runs it; ``running`` turns false after
    the last month of ``params.months``. Random draws come
    from a counter-based generator keyed by (run key, purpose, month, agent), so two runs that
    differ only in an intervention share the random numbers of everything it does not touch.
    """

    def __init__(
        self,
        params: ModelParams | None = None,
        *,
        rng: int | np.random.SeedSequence | np.random.Generator | None = None,
        engine: str | Engine = "numba",
        worlds: WorldCache | None = None,
    ) -> None:
        if isinstance(rng, (int, np.integer)):
            rng = check_seed(rng, "rng")  # numpy's SeedSequence takes only seeds >= 0
        # Mesa's own generators (model.random, model.rng) derive from the same seed.
        mesa_rng = child_seed(rng, 2) if isinstance(rng, np.random.SeedSequence) else rng
        super().__init__(rng=mesa_rng)
        self.params = params if params is not None else ModelParams()
        self.engine = engine if isinstance(engine, Engine) else get_engine(engine)
        seq = _seed_sequence(rng, self.rng)
        self.seed_sequence = seq
        setup_seq, run_seq = child_seed(seq, 0), child_seed(seq, 1)
        self.key = streams.run_key(run_seq)

        p = self.params
        self.world = self._initial_world(setup_seq, worlds)
        self._par = kernel_params(p)
        self._fill = np.asarray(p.fill_matrix(), dtype=np.float64)
        # Each position's holder's skill, written by training and read by the chains in the
        # same month (work space, not state: the position table never changes size).
        self._holder_skill = np.zeros(self.world.positions.i.shape[0])
        provider_names = [pr.name for pr in p.providers]
        self._iv, self._iv_person, self._iv_employer = compile_interventions(
            list(p.interventions), provider_names, p.months
        )
        self._coordination = np.array([pr.coordination for pr in p.providers], dtype=np.float64)
        self._provider_capacity = np.array([pr.capacity for pr in p.providers], dtype=np.int64)
        # Labour demand and entrants scale with the lab's population, the same in every arm.
        self.population0 = p.population.n_persons
        self.recorder = IndicatorRecorder(p.ladder.n_levels, [s.name for s in p.interventions])
        self._census = np.zeros((tallies.N_CENSUS, tallies.N_GROUPS))
        self.engine.census(
            self.world.persons.f, self.world.persons.i, self.world.persons.n, 0, self._census
        )
        self.initial_census = self._census.copy()
        self._register_agents()
        self.datacollector = default_datacollector()
        self.datacollector.collect(self)
        #: Called at the start of every month as ``hook(model, month)``, before the step's
        #: work: the place for rules that adapt the package from monitored indicators (engine
        #: step 5), e.g. with :meth:`set_capacity`.
        self.month_hooks: list = []
        #: Whether each month's indicators and the Mesa data collector are recorded (the
        #: spin-up, whose months nobody reads, turns it off).
        self.recording = True
        #: Seconds spent in each phase of the monthly step so far (for profiling).
        self.phase_seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        #: Whether the last month's jobseekers were gathered beside the vacancy chains, so that
        #: the mobility phase's seconds include them (for profiling).
        self.gathered_beside_chains = False

    def _initial_world(
        self, setup_seq: np.random.SeedSequence, worlds: WorldCache | None
    ) -> state.WorldState:
        """The world at month 0: the drawn market, after the spin-up if there is one."""
        p = self.params
        if p.spin_up_months == 0:
            return worlds.world(p, setup_seq) if worlds else build_world(p, setup_seq)
        base = baseline_dynamics(p)

        def spun_up() -> state.WorldState:
            warm = LabourMarketModel(base, rng=setup_seq, engine=self.engine, worlds=worlds)
            warm.recording = False
            warm.advance(p.spin_up_months)
            shift_months(warm.world, p.spin_up_months)
            return warm.world

        world = worlds.spun_up(base, setup_seq, spun_up) if worlds else spun_up()
        return start_run(world, p)

    # ------------------------------------------------------------------ agents
    def _register_agents(self) -> None:
        def person(row: int) -> Person:
            status = self.world.persons.i[row, state.P_STATUS]
            cls = (
                Employee
                if status == state.EMPLOYED
                else Jobseeker
                if status == state.UNEMPLOYED
                else Person
            )
            return cls(self, row)

        def rows_with(*statuses: int):
            def rows() -> np.ndarray:
                w = self.world.persons
                return np.flatnonzero(np.isin(w.i[: w.n, state.P_STATUS], statuses))

            return rows

        def column_of(cls: type[TableAgent]):
            def column(name: str, rows: np.ndarray) -> np.ndarray | None:
                col = cls.columns.get(name)
                if not isinstance(col, Column):
                    return None
                values = col.array(self)[rows]
                return values.astype(bool) if col.cast is bool else values

            return column

        people = column_of(Person)
        alive = rows_with(state.EMPLOYED, state.UNEMPLOYED, state.INACTIVE)
        self._agents_by_type[Person] = TableAgentSet(self, person, alive, self.random, people)
        self._agents_by_type[Employee] = TableAgentSet(
            self, person, rows_with(state.EMPLOYED), self.random, people
        )
        self._agents_by_type[Jobseeker] = TableAgentSet(
            self, person, rows_with(state.UNEMPLOYED), self.random, people
        )
        self._agents_by_type[Employer] = TableAgentSet(
            self,
            lambda row: Employer(self, row),
            np.arange(self.world.employers.n, dtype=np.int64),
            self.random,
            column_of(Employer),
        )
        for index in range(len(self.params.providers)):
            ServiceProvider(self, index)
        self.coalition = Coalition(self)

    @property
    def agents(self) -> AllAgents:
        """Every agent: persons and employers (table-backed, lazy), providers, the coalition."""
        people, employers = self._agents_by_type[Person], self._agents_by_type[Employer]
        return AllAgents([people, employers, self._all_agents], self.random, self._agents_by_type)

    @property
    def census(self) -> np.ndarray:
        """This month's census (``consequences.C_*`` rows × target groups), read-only."""
        view = self._census.view()
        view.flags.writeable = False
        return view

    def employer(self, row: int) -> Employer:
        """The employer handle of a row."""
        return Employer(self, row)

    def person(self, row: int) -> Person:
        """The person handle of a row."""
        return self._agents_by_type[Person]._handle(row)

    @property
    def persons(self) -> TableAgentSet:
        """Everyone in the population (employed, unemployed, inactive)."""
        return self._agents_by_type[Person]

    @property
    def employees(self) -> TableAgentSet:
        """Everyone in work."""
        return self._agents_by_type[Employee]

    @property
    def jobseekers(self) -> TableAgentSet:
        """Everyone unemployed and looking for work."""
        return self._agents_by_type[Jobseeker]

    @property
    def employers(self) -> TableAgentSet:
        """All employers."""
        return self._agents_by_type[Employer]

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.world.month

    # ------------------------------------------------------------------ the monthly step
    def _creation_multiplier(self, month: int, population: float) -> float:
        d = self.params.demand
        shock = d.demand_shock if d.shock_start <= month < d.shock_start + d.shock_length else 0.0
        # Labour demand follows the population in the long run (population is the same in a
        # policy arm and its baseline, so this keeps common random numbers intact).
        return d.job_creation_multiplier * (1.0 + shock) * population / self.population0

    def _entrant_counts(self, month: int, retirements: int) -> tuple[int, int]:
        """School leavers and migrants entering this month.

        With ``entrants_replace_retirements`` as many enter as retired this month (split in
        the proportion of the two entry rates), so the population stays level whatever its
        age structure; otherwise each count is drawn from its rate. Retirements follow age
        alone, so both arms of a comparison get the same entrants either way.
        """
        school_rate = self._par.entry_rate
        migrant_rate = self._par.migrant_entry_rate
        u_school = streams.uniform(self.key, streams.STREAM_ENTRY_COUNT, month, 0, 0)
        u_migrant = streams.uniform(self.key, streams.STREAM_ENTRY_COUNT, month, 1, 0)
        if self.params.demand.entrants_replace_retirements:
            share = demography.migrant_share(self.params)
            n_migrant = rules.count_draw.py_func(retirements * share, u_migrant)
            return retirements - n_migrant, n_migrant
        base = self.population0
        n_school = rules.count_draw.py_func(school_rate * base, u_school)
        n_migrant = rules.count_draw.py_func(migrant_rate * base, u_migrant)
        return n_school, n_migrant

    def step(self) -> None:
        """Advance the labour market by one month."""
        w, b, par, key = self.world, self.engine, self._par, self.key
        seconds, tick = self.phase_seconds, time.perf_counter
        start = tick()
        t = w.month + 1
        for hook in self.month_hooks:
            hook(self, t)
        self._join_coalition(t)
        flows = tallies.new_flows()
        c = self._census
        population = (
            c[tallies.C_EMPLOYED, 0] + c[tallies.C_UNEMPLOYED, 0] + c[tallies.C_INACTIVE, 0]
        )

        # 1. Labour demand and labour-force flows.
        pos = w.positions
        b.demand_step(
            w.persons.f,
            w.persons.i,
            w.persons.n,
            pos.i,
            pos.level_start,
            pos.target,
            w.employers.i,
            w.sector_destruction,
            self._creation_multiplier(t, population),
            self._iv,
            par,
            key,
            t,
            flows,
        )
        n_school, n_migrant = self._entrant_counts(t, int(flows[tallies.F_RETIREMENTS, 0]))
        if n_school + n_migrant:
            w.persons.grow(w.persons.n + n_school + n_migrant)
            b.add_entrants(
                w.persons.f, w.persons.i, w.persons.n, n_school, n_migrant, par, key, t, flows
            )
            w.persons.n += n_school + n_migrant
        pf, pi, n = w.persons.f, w.persons.i, w.persons.n
        start = _lap(seconds, "demand", start, tick)

        # 2. Mobility: training, then vacancy chains.
        b.training_step(pf, pi, n, pos.i, w.employers.f, par, key, t, flows, self._holder_skill)
        n_levels = self.params.ladder.n_levels
        chain_count = np.zeros(n_levels)
        chain_sum = np.zeros(n_levels)
        fills = np.zeros((n_levels, n_levels + 2))
        chains = functools.partial(
            b.vacancy_chains,
            pf,
            pi,
            pos.i,
            pos.requirement,
            pos.level_start,
            pos.level_slots,
            pos.level_slots_start,
            w.employers.f,
            self._fill,
            par,
            key,
            t,
            flows,
            chain_count,
            chain_sum,
            fills,
            self._holder_skill,
        )
        gather_seekers = functools.partial(b.gather_seekers, pf, pi, n, self._iv, par, key, t)
        seekers = None
        self.gathered_beside_chains = self._seekers_beside_chains(n)
        if self.gathered_beside_chains:
            seekers = run_beside(chains, gather_seekers)
        else:
            chains()
        start = _lap(seconds, "mobility", start, tick)

        # 3. Services and the coalition.
        n_iv = self._iv.shape[0]
        starts = np.zeros(n_iv)
        cost = np.zeros(n_iv)
        provider_left = self._provider_capacity.copy()
        b.enrolment_step(
            pf,
            pi,
            n,
            pos.i,
            w.employers.f,
            w.employers.i,
            self._iv,
            self._iv_employer,
            self._coordination,
            w.provider_in_coalition,
            provider_left,
            w.integration,
            par,
            key,
            t,
            flows,
            starts,
            cost,
        )
        b.participation_step(pf, pi, n, self._iv, self._iv_person, par)
        self._update_integration(provider_left)
        start = _lap(seconds, "services", start, tick)

        # 4. Matching.
        if seekers is None:
            seekers = gather_seekers()
        b.matching_step(
            pf, pi, pos.i, pos.requirement, w.employers.f, self._iv, par, key, t, flows, seekers
        )

        # 5. Consequences, and 6. monitoring: the census is taken in the same pass.
        start = _lap(seconds, "matching", start, tick)
        b.consequences_step(pf, pi, n, w.employers.f, self._iv, par, cost, t, c)
        start = _lap(seconds, "consequences", start, tick)
        w.month = t
        if self.recording:
            self.recorder.record(
                t,
                flows,
                c,
                position_stats(pos.i, t),
                chain_count,
                chain_sum,
                starts,
                cost,
                w.integration,
            )
            self.recorder.record_fills(fills)
            self.datacollector.collect(self)
        self.running = t < self.params.months
        _lap(seconds, "monitoring", start, tick)

    def _seekers_beside_chains(self, rows: int) -> bool:
        """Whether this month's jobseekers are gathered while the vacancy chains run.

        The chains run on one thread, and gathering reads none of what they change (they move
        employees; gathering reads the unemployed and inactive). What runs between them in
        the month, enrolment and participation, changes what gathering reads, but only for
        people in programmes: without interventions (a baseline, a spin-up) the two may run
        at once, on two cores. Small worlds gain less than a thread's start costs, and
        numba's fallback threading layer does not allow two threads to start kernels at once
        (the chains find their vacancies with a parallel kernel).
        """
        return (
            self._iv.shape[0] == 0
            and rows >= BESIDE_MIN_ROWS
            and numba.get_num_threads() > 1
            and kernels_may_run_at_once()
        )

    def _join_coalition(self, month: int) -> None:
        """Partner commitment: providers and employers join in their declared months."""
        w = self.world
        for index, spec in enumerate(self.params.providers):
            w.provider_in_coalition[index] = int(spec.in_coalition and spec.joins_month <= month)
        cp = self.params.coalition
        if cp.employers_join_month == month and cp.employer_share > 0:
            count = round(cp.employer_share * w.employers.n)
            chosen = coalition_employers(w.employers.i[:, state.E_SIZE], count)
            w.employers.i[chosen, state.E_COALITION] = 1

    # ------------------------------------------------------------------ package adaptation
    def intervention_index(self, name: str) -> int:
        """Index of an intervention in force, by name."""
        names = [s.name for s in self.params.interventions]
        if name not in names:
            raise KeyError(f"no intervention {name!r}; in force: {names}")
        return names.index(name)

    def capacity(self, name: str) -> int:
        """Current monthly intake capacity of an intervention."""
        return int(self._iv[self.intervention_index(name), interventions.IV_CAPACITY])

    def set_capacity(self, name: str, capacity: int) -> None:
        """Change an intervention's monthly intake capacity from the next enrolment on."""
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity}")
        self._iv[self.intervention_index(name), interventions.IV_CAPACITY] = float(capacity)

    def _update_integration(self, provider_left: np.ndarray) -> None:
        """Integration grows with joint work and trust and erodes without them."""
        w, cp = self.world, self.params.coalition
        members = w.provider_in_coalition == 1
        capacity = self._provider_capacity[members].sum()
        if capacity == 0 and not self.params.interventions:
            joint = 0.0
        else:
            used = (self._provider_capacity - provider_left)[members].sum()
            joint = float(used) / float(capacity) if capacity > 0 else 0.0
        c = self._census
        lf = c[tallies.C_EMPLOYED, 0] + c[tallies.C_UNEMPLOYED, 0]
        trust = c[tallies.C_SUM_TRUST, 0] / lf if lf > 0 else 0.0
        i = w.integration
        i += cp.integration_growth * joint * trust * (1.0 - i)
        i -= cp.integration_decay * (1.0 - joint) * i
        w.integration = min(max(i, 0.0), 1.0)

    # ------------------------------------------------------------------ running
    def run(self, months: int | None = None, progress: bool = False) -> ModelResults:
        """Run for ``months`` (default: ``params.months``) and return the tidy results.

        Parameters
        ----------
        months
            Months to simulate from the current month.
        progress
            Show a progress bar (tqdm).
        """
        self.advance(months, progress)
        return self.results()

    def advance(self, months: int | None = None, progress: bool = False) -> None:
        """Step ``months`` months (default: ``params.months``) without building result tables.

        For code that reads a few numbers of a run through :meth:`indicator_arrays`; the
        arguments are those of :meth:`run`.
        """
        months = self.params.months if months is None else months
        steps: Iterable[int] = range(months)
        if progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc="months", unit="month")
        for _ in steps:
            self.step()

    def indicator_arrays(self) -> IndicatorArrays:
        """The monthly indicators recorded so far, as arrays (no tidy tables are built)."""
        return self.recorder.arrays(self.initial_census)

    def results(self) -> ModelResults:
        """Tidy tables of everything recorded so far."""
        return self.recorder.tables(self.initial_census)
