"""The numba kernels and the plain-Python reference give identical results on the same seed."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from helpers import small_params, worlds
from hypothesis import HealthCheck, given, settings

from simulator import state
from simulator.engines import NUMBA, PYTHON, Engine
from simulator.kernels.mobility import holder_skills
from simulator.model import LabourMarketModel
from simulator.params import ModelParams
from simulator.setup import trait_bits
from simulator.tallies import BLOCK_ROWS, new_flows


def _assert_same_world(a: LabourMarketModel, b: LabourMarketModel) -> None:
    wa, wb = a.world, b.world
    assert wa.persons.n == wb.persons.n
    n = wa.persons.n
    np.testing.assert_array_equal(wa.persons.i[:n], wb.persons.i[:n])
    np.testing.assert_array_equal(wa.persons.f[:n], wb.persons.f[:n])
    np.testing.assert_array_equal(wa.positions.i, wb.positions.i)
    np.testing.assert_array_equal(wa.employers.f, wb.employers.f)
    np.testing.assert_array_equal(wa.employers.i, wb.employers.i)
    assert wa.integration == wb.integration


@pytest.mark.parametrize(
    ("seed", "persons_per_employer"),
    # Small employers exercise the scanned blocks, large ones the buffered candidate queues.
    [(3, 12.0), (11, 12.0), (5, 250.0)],
)
def test_whole_run_identical(seed: int, persons_per_employer: float) -> None:
    params = small_params(n_persons=800, months=14)
    params.population.persons_per_employer = persons_per_employer
    fast = LabourMarketModel(params, rng=seed, engine="numba")
    slow = LabourMarketModel(params, rng=seed, engine="python")
    for _ in range(params.months):
        fast.step()
        slow.step()
        _assert_same_world(fast, slow)
    ra, rb = fast.results(), slow.results()
    np.testing.assert_array_equal(
        ra.indicators["value"].to_numpy(), rb.indicators["value"].to_numpy()
    )
    # The run did exercise the mechanics being compared.
    w = ra.wide()
    assert w["promotions"].sum() > 0 and w["job_to_job_moves"].sum() > 0
    assert w["hires_from_unemployment"].sum() > 0 and w["intervention_starts"].sum() > 0
    assert (fast.world.employers.i[:, state.E_TREATED] != 0).any()


def _mid_run(seed: int = 5, months: int = 6) -> LabourMarketModel:
    # The run is planned longer than the steps taken, so interventions are still in force.
    model = LabourMarketModel(small_params(n_persons=700, months=4 * months), rng=seed)
    for _ in range(months):
        model.step()
    return model


def _copies(model: LabourMarketModel):
    w = model.world
    return (
        w.persons.f.copy(order="F"),
        w.persons.i.copy(order="F"),
        w.positions.i.copy(order="F"),
        w.employers.f.copy(order="F"),
        w.employers.i.copy(order="F"),
    )


@pytest.mark.parametrize("kernel", ["vacancy_chains", "matching_step", "enrolment_step"])
def test_single_kernel_identical(kernel: str) -> None:
    """Each kernel on its own, from a mid-run state, against its reference."""
    model = _mid_run()
    w, pos, t = model.world, model.world.positions, model.world.month + 1
    # Make work for the kernels: vacate a tenth of positions so chains and matching run.
    rng = np.random.default_rng(0)
    held = np.flatnonzero(pos.i[:, state.Q_HOLDER] >= 0)
    for q in rng.choice(held, size=len(held) // 10, replace=False):
        h = pos.i[q, state.Q_HOLDER]
        w.persons.i[h, state.P_STATUS] = state.UNEMPLOYED
        w.persons.i[h, state.P_POSITION] = -1
        w.persons.i[h, state.P_EMPLOYER] = -1
        pos.i[q, state.Q_HOLDER] = -1
        pos.i[q, state.Q_STATE] = state.PENDING
    outputs = []
    for engine in (NUMBA, PYTHON):
        pf, pi, qi, ef, ei = _copies(model)
        flows = new_flows()
        n = w.persons.n
        extra: tuple = ()
        if kernel == "vacancy_chains":
            cc, cs, fills = np.zeros(4), np.zeros(4), np.zeros((4, 6))
            engine.vacancy_chains(
                pf,
                pi,
                qi,
                pos.requirement,
                pos.level_start,
                pos.level_slots,
                pos.level_slots_start,
                ef,
                model._fill,
                model._par,
                model.key,
                t,
                flows,
                cc,
                cs,
                fills,
                holder_skills(pf, qi),
            )
            extra = (cc, cs, fills)
        elif kernel == "matching_step":
            # Open every pending vacancy so that matching has work.
            qi[qi[:, state.Q_STATE] == state.PENDING, state.Q_STATE] = state.OPEN
            seekers = engine.gather_seekers(pf, pi, n, model._iv, model._par, model.key, t)
            engine.matching_step(
                pf, pi, qi, pos.requirement, ef, model._iv, model._par, model.key, t, flows, seekers
            )
        else:
            starts, cost = np.zeros(len(model._iv)), np.zeros(len(model._iv))
            left = model._provider_capacity.copy()
            engine.enrolment_step(
                pf,
                pi,
                n,
                qi,
                ef,
                ei,
                model._iv,
                model._iv_employer,
                model._coordination,
                w.provider_in_coalition,
                left,
                w.integration,
                model._par,
                model.key,
                t,
                flows,
                starts,
                cost,
            )
            extra = (starts, cost, left)
        outputs.append((pf, pi, qi, ef, ei, flows, *extra))
    for a, b in zip(*outputs, strict=True):
        np.testing.assert_array_equal(a, b)
    # The kernel changed something (the comparison is not vacuous).
    before = _copies(model)
    assert any(not np.array_equal(x, y) for x, y in zip(before, outputs[0][:5], strict=False))


#: Per-agent kernels whose reference is written from the rules (``simulator.reference``).
PER_AGENT_KERNELS = (
    "demand_step",
    "add_entrants",
    "training_step",
    "participation_step",
    "consequences_step",
    "census",
)
#: Entrants written by the ``add_entrants`` comparison (school leavers, migrants).
_ENTRANTS = (7, 5)


def _run_per_agent_kernel(kernel: str, engine: Engine, model: LabourMarketModel) -> tuple:
    """Run one per-agent kernel of ``engine`` on copies of the model's state for the next
    month; return everything it may write."""
    w, pos, t = model.world, model.world.positions, model.world.month + 1
    pf, pi, qi, ef, ei = _copies(model)
    flows = new_flows()
    n = w.persons.n
    extra: tuple = ()
    if kernel == "demand_step":
        # Above-steady creation, so that both destruction and creation happen.
        engine.demand_step(
            pf,
            pi,
            n,
            qi,
            pos.level_start,
            pos.target,
            ei,
            w.sector_destruction,
            1.5,
            model._iv,
            model._par,
            model.key,
            t,
            flows,
        )
    elif kernel == "add_entrants":
        n_school, n_migrant = _ENTRANTS
        assert pf.shape[0] >= n + n_school + n_migrant  # tables grown by the caller
        engine.add_entrants(pf, pi, n, n_school, n_migrant, model._par, model.key, t, flows)
    elif kernel == "training_step":
        holder_skill = np.zeros(qi.shape[0])
        engine.training_step(pf, pi, n, qi, ef, model._par, model.key, t, flows, holder_skill)
        # Every employee's new skill is at their position, as the chains read it.
        np.testing.assert_array_equal(holder_skill, holder_skills(pf, qi))
        extra = (holder_skill,)
    elif kernel == "participation_step":
        engine.participation_step(pf, pi, n, model._iv, model._iv_person, model._par)
    elif kernel == "consequences_step":
        cost = np.zeros(len(model._iv))
        out = np.full_like(model._census, np.nan)  # overwritten entirely
        engine.consequences_step(pf, pi, n, ef, model._iv, model._par, cost, t, out)
        extra = (cost, out)
    else:
        out = np.full_like(model._census, np.nan)
        engine.census(pf, pi, n, t, out)
        extra = (out,)
    return (pf, pi, qi, ef, ei, flows, *extra)


def _compare_per_agent_kernel(kernel: str, model: LabourMarketModel) -> tuple:
    if kernel == "add_entrants":
        model.world.persons.grow(model.world.persons.n + sum(_ENTRANTS))
    fast = _run_per_agent_kernel(kernel, NUMBA, model)
    slow = _run_per_agent_kernel(kernel, PYTHON, model)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
    return fast


@pytest.mark.parametrize("kernel", PER_AGENT_KERNELS)
def test_per_agent_kernel_identical(kernel: str) -> None:
    """Each per-agent kernel on its own, from a mid-run state, against its reference."""
    model = _mid_run()
    # Some people reach retirement age this month, so the demand step retires them.
    pi = model.world.persons.i
    alive = np.flatnonzero(pi[: model.world.persons.n, state.P_STATUS] != state.GONE)
    pi[alive[::40], state.P_AGE_MONTHS] = int(model._par.retirement_age_months)
    pi[: model.world.persons.n, state.P_TRAIT_GROUPS] = trait_bits(pi[: model.world.persons.n])
    out = _compare_per_agent_kernel(kernel, model)
    # The kernel did something (the comparison is not vacuous).
    before = _copies(model)
    changed = any(not np.array_equal(x, y) for x, y in zip(before, out[:5], strict=False))
    assert changed or out[5].any() or (kernel == "census" and out[6].any())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_per_agent_kernels_identical_on_random_worlds(world) -> None:
    """Every per-agent kernel against its reference on random small worlds, mid-run."""
    params, seed = world
    params = params.model_copy(update={"months": 12})
    model = LabourMarketModel(params, rng=seed)
    for _ in range(3):
        model.step()
    for kernel in PER_AGENT_KERNELS:
        _compare_per_agent_kernel(kernel, model)


def _several_blocks(months: int) -> ModelParams:
    """A world of several blocks of rows of the parallel passes, the last one partial."""
    return small_params(n_persons=2 * BLOCK_ROWS + 321, months=months, spin_up_months=0)


def test_whole_run_identical_over_several_blocks() -> None:
    """Sums over blocks of rows round as the reference's sums per block do."""
    params = _several_blocks(months=3)
    fast = LabourMarketModel(params, rng=2, engine="numba")
    slow = LabourMarketModel(params, rng=2, engine="python")
    for _ in range(params.months):
        fast.step()
        slow.step()
        _assert_same_world(fast, slow)
    np.testing.assert_array_equal(
        fast.results().indicators["value"].to_numpy(),
        slow.results().indicators["value"].to_numpy(),
    )


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one thread on this machine")
def test_results_do_not_depend_on_the_number_of_threads() -> None:
    """The parallel passes run fixed blocks of rows: 1 and 2 threads give the same run."""
    params = _several_blocks(months=8)
    before = numba.get_num_threads()
    runs = []
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            model = LabourMarketModel(params, rng=11)
            runs.append((model, model.run()))
    finally:
        numba.set_num_threads(before)
    (one, one_results), (two, two_results) = runs
    _assert_same_world(one, two)
    np.testing.assert_array_equal(
        one_results.indicators["value"].to_numpy(), two_results.indicators["value"].to_numpy()
    )
