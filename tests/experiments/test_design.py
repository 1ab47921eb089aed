"""Designs, run keys and seeds, SALib problems, and clear errors before anything runs."""

from __future__ import annotations

import numpy as np
import pytest
from experiments_helpers import design_toml, small_design

from cli import main
from experiments import Design, DesignError, Shard, design_from_dict, load_design, problem_spec
from experiments.runner.batch import prepare
from experiments.runner.design import ParameterSpec
from experiments.runner.simulation import simulate


def test_grid_is_full_factorial_times_replications():
    d = small_design()
    assert len(d.points) == 6
    assert len(d.runs) == 12
    assert [r.index for r in d.runs] == list(range(12))
    assert len({r.key for r in d.runs}) == 12
    assert {(p["demand.quit_rate"], p["matching.applications"]) for p in d.points} == {
        (q, a) for q in (0.002, 0.004, 0.008) for a in (2.0, 4.0)
    }
    # Base values reach every run.
    assert all(r.overrides["population.n_persons"] == 200 for r in d.runs)


def test_run_keys_and_seeds_are_stable_across_designs():
    a = small_design()
    b = design_from_dict(
        {
            "experiment": {"root_seed": 11, "replications": 3},
            "design": {
                "parameters": {"matching.applications": [4.0, 2.0], "demand.quit_rate": [0.008]}
            },
        }
    )
    run_a = {r.key: r for r in a.runs}
    shared = [r for r in b.runs if r.key in run_a]
    assert len(shared) == 4  # two points in both designs, replications 0 and 1
    for r in shared:
        assert r.seed.generate_state(4).tolist() == run_a[r.key].seed.generate_state(4).tolist()


def test_common_seeds_share_replication_streams_independent_do_not():
    common = small_design()
    state = {(r.point, r.replication): tuple(r.seed.generate_state(2)) for r in common.runs}
    assert state[(0, 0)] == state[(5, 0)]
    assert state[(0, 0)] != state[(0, 1)]
    indep = small_design(seeds="independent")
    state = {(r.point, r.replication): tuple(r.seed.generate_state(2)) for r in indep.runs}
    assert len(set(state.values())) == len(state)
    other_root = small_design(root_seed=12)
    assert other_root.runs[0].seed.generate_state(1)[0] != common.runs[0].seed.generate_state(1)[0]


def test_latin_hypercube_is_stratified_and_reproducible():
    spec = {
        "experiment": {"root_seed": 3},
        "design": {
            "kind": "lhs",
            "samples": 20,
            "parameters": {
                "demand.quit_rate": {"range": [0.002, 0.008]},
                "mechanisms.peer_learning": "uncertain",
            },
        },
    }
    d = design_from_dict(spec)
    values = np.array([[p["demand.quit_rate"], p["mechanisms.peer_learning"]] for p in d.points])
    lows, highs = np.array([0.002, 0.05]), np.array([0.008, 0.5])  # 0.05-0.5 from the catalogue
    unit = (values - lows) / (highs - lows)
    for column in unit.T:  # one sample in each of the 20 strata of every parameter
        assert sorted(np.floor(column * 20).astype(int)) == list(range(20))
    assert design_from_dict(spec).points == d.points
    spec["experiment"]["root_seed"] = 4
    assert design_from_dict(spec).points != d.points


def test_integer_parameters_are_rounded_in_samples():
    d = Design(
        kind="lhs",
        samples=8,
        parameters=(ParameterSpec("months", low=6, high=30, integer=True),),
    )
    assert all(isinstance(p["months"], int) and 6 <= p["months"] <= 30 for p in d.points)
    loaded = design_from_dict(
        {"design": {"kind": "lhs", "samples": 4, "parameters": {"months": {"range": [6, 30]}}}}
    )
    assert loaded.parameters[0].integer


def test_sobol_design_has_saltelli_shape_and_problem():
    d = design_from_dict(
        {
            "design": {
                "kind": "sobol",
                "samples": 8,
                "parameters": {"demand.quit_rate": "uncertain", "matching.bias_mean": "uncertain"},
            }
        }
    )
    assert len(d.points) == 8 * (2 + 2)  # N (D + 2) without second-order indices
    assert d.problem()["names"] == ["demand.quit_rate", "matching.bias_mean"]
    assert d.problem()["bounds"] == [[0.002, 0.008], [0.02, 0.12]]


def test_problem_spec_from_catalogue():
    sp = problem_spec(["demand.quit_rate", "mechanisms.peer_learning"], group_by_mechanism=True)
    assert sp["names"] == ["demand.quit_rate", "mechanisms.peer_learning"]
    assert sp["bounds"] == [[0.002, 0.008], [0.05, 0.5]]
    assert sp["groups"] == ["other", "peer_learning"]
    everything = problem_spec()
    assert len(everything["names"]) > 20
    with pytest.raises(DesignError, match="no uncertainty range"):
        problem_spec(["population.n_persons"])


def test_simulate_is_a_plain_function_of_parameters():
    a = simulate(seed=5, months=4, population__n_persons=150)
    b = simulate(seed=5, **{"months": 4, "population.n_persons": 150})
    assert set(a) >= {"unemployment_rate", "employed"}
    assert a["employed"].shape == (4,)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"experimnt": {}}, r"unknown section \[experimnt\]"),
        ({"experiment": {"replicatons": 2}}, r"\[experiment\] replicatons: unknown field"),
        ({"experiment": {"replications": 0}}, "replications must be at least 1"),
        ({"experiment": {"replications": "3"}}, "replications must be a int"),
        ({"experiment": {"seeds": "random"}}, "seeds must be one of common, independent"),
        ({"design": {"kind": "factorial"}}, "kind 'factorial' is not one of"),
        ({"design": {"kind": "grid"}}, r"needs \[design.parameters\]"),
        ({"design": {"parameters": {"demand.quit_rate": 0.1}}}, "non-empty list of values"),
        ({"design": {"parameters": {"demand.quit_rate": [0.1, 0.1]}}}, "values repeat"),
        (
            {
                "design": {
                    "kind": "sobol",
                    "samples": 10,
                    "parameters": {"demand.quit_rate": "uncertain"},
                }
            },
            "power of two",
        ),
        (
            {
                "design": {
                    "kind": "lhs",
                    "samples": 4,
                    "parameters": {"demand.quit_rate": {"range": [2, 1]}},
                }
            },
            "low < high",
        ),
        (
            {"design": {"kind": "lhs", "samples": 4, "parameters": {"months": "uncertain"}}},
            "no uncertainty range",
        ),
        (
            {"design": {"kind": "lhs", "parameters": {"demand.quit_rate": "uncertain"}}},
            "samples = N",
        ),
        ({"design": {"kind": "points", "points": [{"months": 3}, {"months": 3}]}}, "identical"),
    ],
)
def test_bad_designs_are_rejected_with_the_field_named(spec, message):
    with pytest.raises(DesignError, match=message):
        d = design_from_dict(spec, source="x.toml")
        d.points  # noqa: B018 - points are built lazily


def test_bad_parameter_values_are_rejected_before_running():
    d = design_from_dict({"design": {"parameters": {"demand.quit_rate": [0.002, 0.5]}}}, "d.toml")
    with pytest.raises(DesignError, match=r"(?s)d.toml: design point 1 .*demand.quit_rate.*0.2"):
        prepare(d)
    d = design_from_dict({"design": {"parameters": {"demand.quit_rat": [0.002]}}}, "d.toml")
    with pytest.raises(DesignError, match="quit_rat: unknown parameter"):
        prepare(d)
    d = design_from_dict({"outputs": {"indicators": ["unemployment"]}}, "d.toml")
    with pytest.raises(DesignError, match="unknown unemployment"):
        prepare(d)
    d = design_from_dict({"experiment": {"model": "experiments.runner.simulation:Nope"}}, "d.toml")
    with pytest.raises(DesignError, match=r"model 'experiments\.runner\.simulation:Nope'"):
        prepare(d)


def test_design_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[experiment\nname = 1")
    with pytest.raises(DesignError, match=r"bad\.toml: not valid TOML"):
        load_design(bad)
    with pytest.raises(DesignError, match="design file not found"):
        load_design(tmp_path / "missing.toml")
    good = tmp_path / "good.toml"
    good.write_text(design_toml())
    assert [r.key for r in load_design(good).runs] == [r.key for r in small_design().runs]


@pytest.mark.parametrize("text", ["3/3", "1", "a/b", "-1/2", "0/0"])
def test_bad_shards_are_rejected(text):
    with pytest.raises(DesignError, match="shard"):
        Shard.parse(text)


def test_shard_from_slurm_environment(monkeypatch):
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "3")
    monkeypatch.setenv("SLURM_ARRAY_TASK_COUNT", "3")
    monkeypatch.setenv("SLURM_ARRAY_TASK_MIN", "1")
    assert Shard.parse("slurm") == Shard(2, 3)
    monkeypatch.delenv("SLURM_ARRAY_TASK_ID")
    with pytest.raises(DesignError, match="sbatch --array"):
        Shard.parse("slurm")


def _cli(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse rejects a flag
        code = exit_.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--shard", "5/3"], "shard must be i/N"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--backend", "mpi"], "invalid choice: 'mpi'"),
        (["--queue", "short"], "--queue: only used with --executor dask-slurm"),
        (["--address", "tcp://127.0.0.1:1"], "--address needs --executor dask"),
        (["--chunk-size", "x"], "--chunk-size must be a whole number"),
    ],
)
def test_bad_flags_fail_before_anything_is_written(tmp_path, flags, message, capsys):
    design = tmp_path / "d.toml"
    design.write_text(design_toml())
    out = tmp_path / "out"
    code, err = _cli(["experiment", "run", str(design), "--out", str(out), *flags], capsys)
    assert code == 2
    assert message in err
    assert not out.exists()


def test_invalid_design_value_fails_before_anything_is_written(tmp_path, capsys):
    design = tmp_path / "d.toml"
    design.write_text(design_toml().replace("0.008]", "0.9]"))
    out = tmp_path / "out"
    code, err = _cli(["experiment", "run", str(design), "--out", str(out)], capsys)
    assert code == 2
    assert "d.toml: design point 4" in err and "allowed range [0.0, 0.2]" in err
    assert not out.exists()


def test_a_scenario_gives_the_base_parameters(tmp_path):
    from scenarios.compose import scenario_from_names

    design = design_from_dict(
        {
            "experiment": {"name": "engine", "scenario": "kokkola_engine"},
            "base": {"months": 6, "population": {"n_persons": 500}},
        }
    )
    expected = scenario_from_names("kokkola_engine")
    names = [i["name"] for i in design.base_params["interventions"]]
    assert names == [s.name for s in expected.arms[0].params.interventions]
    assert design.base_params["population"]["n_persons"] == (
        expected.arms[0].params.population.n_persons
    )
    baseline = design_from_dict({"experiment": {"scenario": "kokkola_engine", "arm": "baseline"}})
    assert baseline.base_params["interventions"] == []
    # The design runs, with its [base] values on top of the scenario's.
    from experiments import load_results, run_experiment

    run_experiment(design, tmp_path / "out", executor="serial", progress=False)
    table = load_results(tmp_path / "out")
    assert table["month"].max() == 6
    starts = table[(table["indicator"] == "intervention_starts") & (table["group"] == "all")]
    assert starts["value"].sum() > 0
    with pytest.raises(DesignError, match="scenario"):
        design_from_dict({"experiment": {"scenario": "kokola_engine"}})
    with pytest.raises(DesignError, match="allowed: package, baseline"):
        design_from_dict({"experiment": {"scenario": "kokkola_engine", "arm": "policy"}})
