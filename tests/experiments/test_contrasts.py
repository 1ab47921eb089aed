"""Packages compared with each other: paired contrasts and interaction terms, and the report
sections on contrasts and on the adaptation rule's capacity changes."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from experiments.comparison.report import render_html
from experiments.comparison.statistics import mean_ci
from experiments.comparison.study import Comparison, run_comparison
from experiments.comparison.verdict import package_titles
from scenarios import ScenarioError, load_scenario
from scenarios.compose import scenario_from_names

TINY = [
    "run.persons=2000",
    "run.months=24",
    "run.evaluation_months=6",
    "run.replications=3",
    "run.ablation=false",
]


@pytest.fixture(scope="module")
def three_arms() -> Comparison:
    scenario = scenario_from_names(
        "kokkola_engine", packages=["mobility_only", "inflow_only"], overrides=TINY
    )
    return run_comparison(scenario, progress=False)


def per_replication(c: Comparison, arm: str, metric: str, group: str) -> np.ndarray:
    r = c.replications
    d = r[(r["arm"] == arm) & (r["metric"] == metric) & (r["group"] == group)]
    return d.sort_values("replication")["value"].to_numpy()


def one(c: Comparison, analysis: str, **where: str) -> pd.Series:
    rows = c.effects(analysis, **where)
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.parametrize("metric", ["employed", "inflow", "mobility"])
def test_contrast_is_the_difference_of_effects_with_a_paired_interval(three_arms, metric):
    c = three_arms
    conf = c.meta["scenario"]["run"]["confidence"]
    contrast = one(
        c, "contrast", package="kokkola_engine", context="inflow_only", metric=metric, group="all"
    )
    engine = one(c, "effect", package="kokkola_engine", metric=metric, group="all")
    inflow = one(c, "effect", package="inflow_only", metric=metric, group="all")
    assert contrast["estimate"] == pytest.approx(engine["estimate"] - inflow["estimate"])
    # The interval comes from the per-replication differences (common random numbers).
    diff = per_replication(c, "kokkola_engine", metric, "all") - per_replication(
        c, "inflow_only", metric, "all"
    )
    est, se, lo, hi = mean_ci(diff, conf)
    assert (contrast["estimate"], contrast["std_error"]) == pytest.approx((est, se))
    assert (contrast["ci_low"], contrast["ci_high"]) == pytest.approx((lo, hi))
    # Both orders are listed, with opposite signs.
    back = one(
        c, "contrast", package="inflow_only", context="kokkola_engine", metric=metric, group="all"
    )
    assert back["estimate"] == pytest.approx(-contrast["estimate"])
    assert back["ci_low"] == pytest.approx(-contrast["ci_high"])


def test_interaction_is_combined_minus_the_parts(three_arms):
    c = three_arms
    conf = c.meta["scenario"]["run"]["confidence"]
    row = one(
        c,
        "interaction",
        package="kokkola_engine",
        context="mobility_only + inflow_only",
        metric="employed",
        group="all",
    )
    effect = {
        p: one(c, "effect", package=p, metric="employed", group="all")["estimate"]
        for p in ("kokkola_engine", "mobility_only", "inflow_only")
    }
    expected = effect["kokkola_engine"] - effect["mobility_only"] - effect["inflow_only"]
    assert row["estimate"] == pytest.approx(expected)

    def values(arm: str) -> np.ndarray:
        return per_replication(c, arm, "employed", "all")

    base = values("baseline")
    paired = (
        (values("kokkola_engine") - base)
        - (values("mobility_only") - base)
        - (values("inflow_only") - base)
    )
    _, _, lo, hi = mean_ci(paired, conf)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))
    assert c.meta["scenario"]["interactions"] == [
        {"combined": "kokkola_engine", "parts": ["mobility_only", "inflow_only"]}
    ]


def test_contrasts_leave_the_effect_rows_alone(three_arms):
    r = three_arms.results
    assert {"contrast", "interaction"} <= set(r["analysis"])
    assert (r.loc[r["analysis"] == "contrast", "context_type"] == "versus").all()
    assert not r.duplicated(
        ["package", "analysis", "metric", "group", "context_type", "context", "ablation"]
    ).any()
    effects = three_arms.effects("effect")
    assert (effects["context"] == "").all()


def test_one_package_has_no_contrasts():
    scenario = scenario_from_names(
        "inflow_only", overrides=[*TINY[:-2], "run.replications=1", "run.ablation=false"]
    )
    c = run_comparison(scenario, progress=False)
    assert not c.results["analysis"].isin(["contrast", "interaction"]).any()


def test_declared_interactions_must_name_the_scenario_packages(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        """[scenario]
name = "s"
lab = "kokkola"
packages = ["mobility_only", "inflow_only", "kokkola_engine"]

[[scenario.interactions]]
combined = "kokkola_engine"
parts = ["mobility_only", "inflow_onli"]
"""
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert f"{path}:8: scenario.interactions.0.parts.1: 'inflow_onli'" in message
    assert "did you mean 'inflow_only'" in message
    assert load_scenario("engine_claim").interaction_terms() == [
        ("kokkola_engine", ("mobility_only", "inflow_only"))
    ]


# ------------------------------------------------------------------ report sections
def test_report_compares_packages_in_plain_words(three_arms):
    page = render_html(three_arms)
    assert "Packages compared with each other" in page
    titles = {k: html.escape(v) for k, v in package_titles(three_arms).items()}
    engine, mobility = titles["kokkola_engine"], titles["mobility_only"]
    assert f"<b>{engine}</b> against <b>{mobility}</b>, people in work:" in page
    assert "its parts together" in page
    # Packages go by their titles in the verdict and the comparison, never by their keys.
    assert "<b>kokkola_engine</b>" not in page and engine in page


def test_report_shows_adaptation_changes(three_arms):
    log = three_arms.adaptation
    assert not log.empty and log["reason"].str.len().gt(0).all()
    page = render_html(three_arms)
    assert "Adaptation: how the coalition moved capacity" in page
    first = log[log["replication"] == 0].sort_values("month").iloc[0]
    m = int(first["month"])
    assert f"year {(m - 1) // 12 + 1}, Q{(m - 1) % 12 // 3 + 1} (month {m})" in page
    assert f"{int(first['old_capacity'])} → {int(first['new_capacity'])}" in page
    assert first["reason"] in page


def test_report_adaptation_section_reads_tables_saved_without_reasons(three_arms, tmp_path):
    three_arms.save(tmp_path)
    old = Comparison.load(tmp_path)
    old.adaptation = old.adaptation.drop(columns="reason")
    page = render_html(old)
    assert "Adaptation: how the coalition moved capacity" in page
    assert "past participants in work" in page


def test_report_says_when_the_rule_changed_nothing(three_arms):
    quiet = Comparison(
        meta=three_arms.meta,
        results=three_arms.results,
        over_time=three_arms.over_time,
        replications=three_arms.replications,
        adaptation=three_arms.adaptation.iloc[0:0],
    )
    assert "was in force but made no changes" in render_html(quiet)
