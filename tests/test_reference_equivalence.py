"""The numba kernels and the plain-Python reference give identical results on the same seed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small_params

from simulator import state as S
from simulator.backends import NUMBA, PYTHON
from simulator.model import LabourMarketModel
from simulator.packed import new_flows


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
    fast = LabourMarketModel(params, rng=seed, backend="numba")
    slow = LabourMarketModel(params, rng=seed, backend="python")
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
    assert (fast.world.employers.i[:, S.E_TREATED] != 0).any()


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
    held = np.flatnonzero(pos.i[:, S.Q_HOLDER] >= 0)
    for q in rng.choice(held, size=len(held) // 10, replace=False):
        h = pos.i[q, S.Q_HOLDER]
        w.persons.i[h, S.P_STATUS] = S.UNEMPLOYED
        w.persons.i[h, S.P_POSITION] = -1
        w.persons.i[h, S.P_EMPLOYER] = -1
        pos.i[q, S.Q_HOLDER] = -1
        pos.i[q, S.Q_STATE] = S.PENDING
    outputs = []
    for backend in (NUMBA, PYTHON):
        pf, pi, qi, ef, ei = _copies(model)
        flows = new_flows()
        n = w.persons.n
        extra: tuple = ()
        if kernel == "vacancy_chains":
            cc, cs = np.zeros(4), np.zeros(4)
            backend.vacancy_chains(
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
            )
            extra = (cc, cs)
        elif kernel == "matching_step":
            # Open every pending vacancy so that matching has work.
            qi[qi[:, S.Q_STATE] == S.PENDING, S.Q_STATE] = S.OPEN
            backend.matching_step(
                pf, pi, n, qi, pos.requirement, ef, model._iv, model._par, model.key, t, flows
            )
        else:
            starts, cost = np.zeros(len(model._iv)), np.zeros(len(model._iv))
            left = model._provider_capacity.copy()
            backend.enrolment_step(
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
