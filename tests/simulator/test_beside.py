"""Jobseekers gathered beside the vacancy chains: the same world as one after the other, and
``run_beside`` runs its side on one kernel thread and passes results and errors through."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from helpers import small_params

import simulator.model as model_module
from simulator.jit import kernel_threads, run_beside
from simulator.model import LabourMarketModel


def test_run_beside_returns_the_side_and_runs_it_on_one_kernel_thread() -> None:
    seen: dict[str, int] = {}

    def main() -> None:
        seen["main"] = numba.get_num_threads()

    def side() -> int:
        seen["side"] = numba.get_num_threads()
        return 42

    with kernel_threads(2):
        assert run_beside(main, side) == 42
        assert seen["side"] == 1
        assert seen["main"] == numba.get_num_threads()  # the caller's own setting is kept


@pytest.mark.parametrize("failing", ["main", "side"])
def test_run_beside_raises_what_either_raised(failing: str) -> None:
    def fail() -> int:
        raise ValueError(failing)

    main = fail if failing == "main" else (lambda: None)
    side = fail if failing == "side" else (lambda: 1)
    with pytest.raises(ValueError, match=failing):
        run_beside(main, side)


def _world(model: LabourMarketModel) -> tuple[np.ndarray, ...]:
    w = model.world
    return (w.persons.f[: w.persons.n], w.persons.i[: w.persons.n], w.positions.i)


@pytest.mark.parametrize("interventions", [False, True])
def test_gathering_beside_the_chains_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, interventions: bool
) -> None:
    """Month by month the same world and indicators whether the seekers are gathered beside
    the chains (every month of a baseline, forced here at a small size) or after them; with
    interventions in force they are always gathered after (enrolment changes what is read)."""
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one core: the seekers are never gathered beside the chains")
    params = small_params(n_persons=3000, months=10, package=interventions, spin_up_months=12)
    beside_months: list[int] = []
    original = LabourMarketModel._seekers_beside_chains

    def counted(self: LabourMarketModel, rows: int) -> bool:
        beside = original(self, rows)
        if beside and self.recording:
            beside_months.append(self.world.month)
        return beside

    monkeypatch.setattr(LabourMarketModel, "_seekers_beside_chains", counted)
    with kernel_threads(2):
        monkeypatch.setattr(model_module, "BESIDE_MIN_ROWS", 10**12)
        after = LabourMarketModel(params, rng=5)
        monkeypatch.setattr(model_module, "BESIDE_MIN_ROWS", 0)
        beside = LabourMarketModel(params, rng=5)
        for _ in range(params.months):
            monkeypatch.setattr(model_module, "BESIDE_MIN_ROWS", 10**12)
            after.step()
            monkeypatch.setattr(model_module, "BESIDE_MIN_ROWS", 0)
            beside.step()
            for a, b in zip(_world(after), _world(beside), strict=True):
                np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        after.results().indicators["value"].to_numpy(),
        beside.results().indicators["value"].to_numpy(),
    )
    assert len(beside_months) == (0 if interventions else params.months)


def test_not_beside_where_the_threading_layer_forbids_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Numba's fallback threading layer aborts when two threads start kernels at once, so the
    jobseekers are gathered after the chains there."""
    import simulator.jit as jit

    model = LabourMarketModel(small_params(n_persons=600, months=2, package=False), rng=1)
    monkeypatch.setattr(model_module, "BESIDE_MIN_ROWS", 0)
    with kernel_threads(2):
        if numba.get_num_threads() < 2:
            pytest.skip("one core: never beside")
        assert jit.kernels_may_run_at_once()  # the suite runs on OpenMP or TBB
        assert model._seekers_beside_chains(model.world.persons.n)
        monkeypatch.setattr(numba, "threading_layer", lambda: "workqueue")
        assert not jit.kernels_may_run_at_once()
        assert not model._seekers_beside_chains(model.world.persons.n)
