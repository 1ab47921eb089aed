"""Shared set-up: a cached market gives exactly the world and the run that drawing again gives."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from helpers import small_params, worlds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.sensitivity.effect_run import PackageEffectRun
from experiments.sensitivity.study import scenario_study
from simulator.lru import LRUCache
from simulator.model import LabourMarketModel, child_seed
from simulator.params import ModelParams
from simulator.setup import build_world, largest
from simulator.spin_up import baseline_dynamics
from simulator.world_cache import WorldCache, world_bytes


def assert_same_world(a, b) -> None:
    for name in ("f", "i"):
        np.testing.assert_array_equal(getattr(a.persons, name), getattr(b.persons, name))
        np.testing.assert_array_equal(getattr(a.employers, name), getattr(b.employers, name))
    for name, value in vars(a.positions).items():
        np.testing.assert_array_equal(value, getattr(b.positions, name))
    assert a.persons.n == b.persons.n
    assert a.integration == b.integration
    np.testing.assert_array_equal(a.provider_in_coalition, b.provider_in_coalition)
    np.testing.assert_array_equal(a.sector_destruction, b.sector_destruction)


def _changed(params: ModelParams, bias: float, standard: float, share: float) -> ModelParams:
    """The same market inputs with settings that set-up applies without drawing."""
    data = params.model_dump()
    data["matching"].update(bias_mean=bias, hiring_standard=standard)
    data["coalition"]["employer_share"] = share
    data["mechanisms"]["efficacy_gain_hire"] = 0.05
    return ModelParams.model_validate(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    worlds(),
    st.floats(0.0, 0.5),
    st.floats(-0.5, 0.2),
    st.floats(0.0, 1.0),
)
def test_cached_market_gives_the_world_drawing_gives(world, bias, standard, share) -> None:
    params, seed = world
    other = _changed(params, bias, standard, share)
    cache = WorldCache()
    setup = np.random.SeedSequence(seed)
    first = cache.world(params, setup)
    second = cache.world(other, setup)  # a hit: the market inputs and seed agree
    assert (cache.markets.hits, cache.markets.misses) == (1, 1)
    assert_same_world(first, build_world(params, setup))
    assert_same_world(second, build_world(other, setup))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_runs_from_a_cached_market_equal_runs_without(world) -> None:
    params, seed = world
    cache = WorldCache()
    LabourMarketModel(params, rng=seed, worlds=cache).run()  # fills the cache (and is changed)
    again = LabourMarketModel(params, rng=seed, worlds=cache).run().indicators
    plain = LabourMarketModel(params, rng=seed).run().indicators
    # One hit: the spun-up world when there is a spin-up, else the drawn market.
    assert cache.markets.hits + cache.spun.hits == 1
    assert again.equals(plain)


def test_market_inputs_and_seed_decide_a_hit() -> None:
    params = small_params(n_persons=200)
    cache = WorldCache()
    seed = child_seed(np.random.SeedSequence(4), 0)
    cache.world(params, seed)
    cache.world(params, child_seed(np.random.SeedSequence(4), 1))  # another seed
    cache.world(small_params(n_persons=200, initial={"trust": 0.7}), seed)  # drawn from trust
    cache.world(small_params(n_persons=200, months=40), seed)  # more rows for entrants
    assert (cache.markets.hits, cache.markets.misses) == (0, 4)
    cache.world(small_params(n_persons=200, matching={"bias_mean": 0.3}), seed)
    assert cache.markets.hits == 1


def test_budget_bounds_what_is_kept_and_copies_are_independent() -> None:
    params = small_params(n_persons=200)
    seeds = [np.random.SeedSequence(s) for s in range(3)]
    # Worlds of different seeds differ a little in size (their drawn positions): room for
    # the two largest.
    size = max(world_bytes(build_world(params, s)) for s in seeds)
    cache = WorldCache(max_bytes=2 * size)
    for s in seeds:
        cache.world(params, s)
    assert len(cache.markets) == 2  # the oldest was dropped
    changed = cache.world(params, seeds[2])
    changed.persons.f[:] = -1.0
    assert_same_world(cache.world(params, seeds[2]), build_world(params, seeds[2]))
    small = WorldCache(max_bytes=size // 2)
    small.world(params, seeds[0])
    assert len(small.markets) == 0


def test_lru_cache_keeps_the_recently_used_and_arrives_empty_when_pickled() -> None:
    cache = LRUCache(2)
    assert cache.put("a", 1) and cache.put("b", 2)
    assert cache.get("a") == 1  # now b is the least recently used
    assert cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert not cache.put("c", 4)  # already kept
    copy = pickle.loads(pickle.dumps(cache))
    assert len(copy) == 0 and copy.budget == 2


@pytest.fixture(scope="module")
def tiny_kokkola_bundle() -> dict:
    study = scenario_study("kokkola_engine", months=8, persons=500, evaluation_months=4)
    return study.base_params


def test_package_effect_runs_give_the_same_effects_with_shared_work(tiny_kokkola_bundle) -> None:
    """A design whose points share baselines and markets: effects as from fresh callables."""
    points = [
        {},
        {"interventions.taite_coaching.effects.trust": 0.05},  # package only: same baseline
        {"mechanisms.efficacy_gain_hire": 0.08},  # both arms, same market
        {"initial.trust": 0.7},  # a new market
        {},
    ]
    shared = PackageEffectRun(tiny_kokkola_bundle)
    seed = np.random.SeedSequence(21, spawn_key=(0,))
    for overrides in points:
        expected = PackageEffectRun(tiny_kokkola_bundle)(overrides, seed)
        np.testing.assert_equal(shared(overrides, seed), expected)  # NaN equals NaN here
    assert shared.baselines.hits == 2
    # Package arms reuse their baseline's spun-up world, new baselines a drawn market.
    assert shared.worlds.markets.hits + shared.worlds.spun.hits >= 6


@pytest.mark.parametrize(
    "package", ["kokkola_engine", "netherlands_engine", "portugal_youth", "bulgaria_women55"]
)
def test_every_shipped_package_shares_its_baselines_spin_up(package) -> None:
    """The spin-up of a package arm is its baseline's, so one spin-up serves both arms."""
    bundle = scenario_study(package, months=6, persons=300, evaluation_months=3).base_params
    baseline, policy = PackageEffectRun(bundle).arms({})
    assert baseline_dynamics(policy) == baseline_dynamics(baseline)
    # A design point that varies only the coalition's growth shares it too.
    grown, _ = PackageEffectRun(bundle).arms({"coalition.integration_growth": 0.07})
    assert baseline_dynamics(grown) == baseline_dynamics(baseline)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(0.0, 1.0),
    st.floats(0.0, 0.5),
    st.floats(0.0, 0.5),
    st.floats(0.0, 1.0),
    st.lists(st.tuples(st.booleans(), st.integers(0, 12)), min_size=3, max_size=3),
    st.integers(0, 2**20),
)
def test_the_coalition_settings_the_spin_up_drops_do_not_change_its_world(
    integration, growth, decay, referral, partners, seed
) -> None:
    """Without interventions the coalition and the providers' partnership act on nobody: the
    spin-up run with them as a package sets them ends where the one with them dropped ends."""
    params = small_params(n_persons=400, months=10)
    data = params.model_dump()
    data["coalition"].update(
        integration=integration,
        integration_growth=growth,
        integration_decay=decay,
        referral_base=referral,
        employers_join_month=partners[0][1],
    )
    for provider, (member, month) in zip(data["providers"], partners, strict=False):
        provider.update(in_coalition=member, joins_month=month)
    given_params = ModelParams.model_validate(data)
    dropped = baseline_dynamics(given_params.model_copy(update={"spin_up_months": 10}))
    as_given = dropped.model_copy(
        update={
            # Coalition employers never join a spin-up (they are set at month 0 of the run).
            "coalition": given_params.coalition.model_copy(update={"employer_share": 0.0}),
            "providers": given_params.providers,
        }
    )
    assert as_given != dropped
    runs = []
    for p in (as_given, dropped):
        model = LabourMarketModel(p, rng=np.random.SeedSequence(seed))
        model.advance()
        runs.append(model.world)
    for name in ("f", "i"):
        np.testing.assert_array_equal(
            getattr(runs[0].persons, name), getattr(runs[1].persons, name)
        )
        np.testing.assert_array_equal(
            getattr(runs[0].employers, name), getattr(runs[1].employers, name)
        )
    for name, value in vars(runs[0].positions).items():
        np.testing.assert_array_equal(value, getattr(runs[1].positions, name))


@pytest.mark.parametrize(("months", "spin_up"), [(100, 12), (30, 60)])
def test_the_person_table_has_room_for_the_whole_run(months, spin_up) -> None:
    """The spin-up draws its tables with room for its entrants and the run's: the table is
    never grown (every person copied) in the middle of a run."""
    params = ModelParams.model_validate(
        {"months": months, "spin_up_months": spin_up, "population": {"n_persons": 3000}}
    )
    model = LabourMarketModel(params, rng=5)
    table = model.world.persons.f
    model.advance()
    assert model.world.persons.f is table
    assert model.world.persons.n <= table.shape[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-3, 3), min_size=0, max_size=60).map(
        lambda v: np.array(v, dtype=np.float64)
    ),
    st.integers(-1, 70),
)
def test_largest_chooses_as_a_stable_sort_does(values, k) -> None:
    """The linear-time choice of the k largest draws of set-up equals the sort it replaces,
    ties (frequent here: few distinct values) included."""
    expected = np.zeros(values.shape[0], dtype=bool)
    expected[np.argsort(-values, kind="stable")[: max(k, 0)]] = True
    np.testing.assert_array_equal(largest(values, k), expected)
