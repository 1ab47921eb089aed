"""Comparison with the baseline: common random numbers, identities, expected signs, outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.comparison.arms import BASELINE, Task, replication_seed, run_task
from experiments.comparison.study import Comparison, placebo, plan, run_comparison
from scenarios import compose, load_lab
from scenarios.compose import Package, scenario_from_names
from scenarios.schema import PackageFile
from simulator.model import LabourMarketModel

SMALL = ["run.persons=3000", "run.months=30", "run.evaluation_months=6"]


def empty_package() -> Package:
    data = {"package": {"name": "empty", "title": "Nothing", "engine": "none"}}
    return Package(PackageFile.model_validate(data), None, None)


@pytest.fixture(scope="module")
def engine() -> Comparison:
    scenario = scenario_from_names(
        "kokkola_engine", overrides=[*SMALL, "run.replications=2", "run.ablation=true"]
    )
    return run_comparison(scenario, progress=False)


@pytest.fixture(scope="module")
def inflow_and_mobility() -> Comparison:
    scenario = scenario_from_names(
        "inflow_only",
        packages=["mobility_only"],
        overrides=[
            # The grounded Kokkola lab has a long-term share of about a fifth: 8,000 persons
            # give enough long-term unemployed for the group's effects to show.
            "run.persons=8000",
            "run.months=48",
            "run.evaluation_months=12",
            "run.replications=8",
            "run.ablation=false",
        ],
    )
    return run_comparison(scenario, progress=False)


def test_baseline_run_is_the_plain_model():
    scenario = compose(load_lab("kokkola"), [empty_package()], overrides=SMALL)
    task = Task(BASELINE, "none", 0, scenario.baseline, root_seed=7, window=6)
    out = run_task(task)
    plain = LabourMarketModel(scenario.baseline, rng=replication_seed(7, 0)).run()
    from experiments.comparison.metrics import metric_values

    stock = out.metrics[~out.metrics["metric"].str.startswith("cohort_")]
    pd.testing.assert_frame_equal(stock.reset_index(drop=True), metric_values(plain.indicators, 6))
    assert out.series["value"].notna().any()
    # The cohort of everyone is everyone: its counts are the stock counts.
    m = out.metrics.set_index(["metric", "group"])["value"]
    for name in ("employed", "unemployed", "inactive", "population"):
        assert m[(f"cohort_{name}", "all")] == pytest.approx(m[(name, "all")], rel=1e-12)


def test_empty_package_and_crn_give_exactly_zero_effects():
    scenario = compose(
        load_lab("kokkola"), [empty_package()], overrides=[*SMALL, "run.replications=2"]
    )
    c = run_comparison(scenario, progress=False)
    effects = c.effects("effect")
    assert len(effects) > 50
    assert (effects["estimate"].fillna(0.0) == 0.0).all()
    assert (c.over_time["estimate"].fillna(0.0) == 0.0).all()
    ctx = c.effects("context")
    assert (ctx["estimate"].dropna() == 0.0).all()


def test_placebo_changes_nothing_but_enrolment():
    scenario = scenario_from_names("kokkola_engine", overrides=[*SMALL, "run.replications=1"])
    arm = scenario.arms[0]
    base = run_task(
        Task(
            BASELINE,
            "none",
            0,
            arm.params.model_copy(update={"interventions": []}),
            root_seed=3,
            window=6,
        )
    )
    shadow = run_task(Task("x", "placebo", 0, placebo(arm.params), root_seed=3, window=6))
    b = base.metrics.set_index(["metric", "group"])["value"]
    s = shadow.metrics.set_index(["metric", "group"])["value"]
    for metric in ("employed", "inflow", "mobility", "self_efficacy", "unemployment_duration"):
        np.testing.assert_array_equal(s.loc[metric].to_numpy(), b.loc[metric].to_numpy())
    assert (shadow.persons.last_intervention >= 0).sum() > 0


def test_plan_shares_seeds_between_arms():
    scenario = scenario_from_names("kokkola_engine", overrides=[*SMALL, "run.replications=2"])
    tasks = plan(scenario)
    seeds = {(t.arm, t.variant, t.replication): t.root_seed for t in tasks}
    assert len(set(seeds.values())) == 1
    arms = {(t.arm, t.variant) for t in tasks}
    assert ("baseline", "self_efficacy") in arms and ("kokkola_engine", "placebo") in arms


def test_inflow_package_raises_employment_of_long_term_unemployed(inflow_and_mobility):
    c = inflow_and_mobility
    inflow = c.effects(
        "effect", package="inflow_only", metric="inflow", group="long_term_unemployed"
    ).iloc[0]
    assert inflow["ci_low"] > 0, inflow
    years = c.effects(
        "effect", package="inflow_only", metric="employment_years", group="long_term_unemployed"
    ).iloc[0]
    assert years["estimate"] > 0, years
    part = c.effects(
        "participation",
        package="inflow_only",
        metric="extra_employed",
        group="all",
        context="participants",
    ).iloc[0]
    assert part["ci_low"] > 0, part


def test_mobility_package_raises_promotions(inflow_and_mobility):
    c = inflow_and_mobility
    mob = c.effects("effect", package="mobility_only", metric="mobility", group="all").iloc[0]
    assert mob["ci_low"] > 0, mob
    trained = c.effects("effect", package="mobility_only", metric="trained", group="all").iloc[0]
    assert trained["ci_low"] > 0, trained


def test_results_table_is_tidy_and_complete(engine):
    r = engine.results
    assert {
        "effect",
        "participation",
        "evidence",
        "context",
        "cost",
        "intervention",
        "ablation",
        "ablation_lost",
    } <= set(r["analysis"])
    assert not r.duplicated(
        ["package", "analysis", "metric", "group", "context_type", "context", "ablation"]
    ).any()
    cost = engine.effects("cost", metric="cost_total").iloc[0]
    spent = engine.effects("intervention", metric="cost")["estimate"].sum()
    assert cost["estimate"] == pytest.approx(spent)
    assert set(engine.effects("ablation")["ablation"]) == {
        "self_efficacy",
        "trust",
        "experiences_of_success",
        "peer_learning",
    }


def test_small_cells_are_suppressed(engine):
    ctx = engine.effects("context")
    assert ctx["suppressed"].any()
    assert ctx.loc[ctx["suppressed"], "estimate"].isna().all()
    assert not ctx.loc[ctx["n"] >= 10, "suppressed"].any()


def test_adaptation_moves_capacity(engine):
    log = engine.adaptation
    assert not log.empty
    assert (log["new_capacity"] != log["old_capacity"]).all()
    assert (log["new_capacity"] >= 1).all()


def test_save_and_load_round_trip(engine, tmp_path):
    files = engine.save(tmp_path)
    assert {p.name for p in files} >= {"results.parquet", "results.csv", "comparison.json"}
    again = Comparison.load(tmp_path)
    pd.testing.assert_frame_equal(again.results, engine.results, check_dtype=False)
    assert not list(tmp_path.glob(".*.tmp"))
