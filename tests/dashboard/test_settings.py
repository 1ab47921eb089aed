"""Dashboard settings, scenario files and background jobs, without a browser."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from dashboard.jobs import ComparisonJob
from dashboard.settings import (
    budget_max,
    capacity_max,
    default_budget,
    default_settings,
    load_settings,
    monthly_budget,
    run_settings,
    scenario_toml,
    with_budget,
    with_package,
)
from experiments.comparison.arms import Cancelled, run_task
from experiments.comparison.study import MIN_PARTIAL_REPLICATIONS, plan, run_comparison
from scenarios import ScenarioError, load_scenario, scenario_from_names

SMALL = {"persons": 2000, "months": 24, "replications": 2, "seed": 7}


def small(package: str = "inflow_only", lab: str | None = None):
    return default_settings(package, lab).replace(**SMALL)


def test_saved_scenario_file_is_the_cli_scenario(tmp_path):
    s = small()
    path = tmp_path / "saved.toml"
    path.write_text(scenario_toml(s))
    from_file = load_scenario(path)
    from_flags = scenario_from_names(
        "inflow_only",
        lab="kokkola",
        overrides=[
            "run.persons=2000",
            "run.months=24",
            "run.replications=2",
            "run.seed=7",
            "run.ablation=false",
        ],
    )
    page = load_settings(s)
    for scenario in (from_file, page):
        assert scenario.run == from_flags.run
        assert scenario.baseline == from_flags.baseline
        assert [a.params for a in scenario.arms] == [a.params for a in from_flags.arms]


def test_capacities_and_switches_reach_the_model():
    s = small().with_intervention("taite_coaching", capacity=30)
    s = s.with_intervention("pay_subsidy", enabled=False)
    arm = load_settings(s).arms[0]
    specs = {i.name: i for i in arm.params.interventions}
    assert specs["taite_coaching"].capacity == 30
    assert specs["pay_subsidy"].capacity == 0
    tasks = [t for t in plan(load_settings(s)) if t.arm == arm.name and t.variant == "none"]
    out = run_task(tasks[0])
    starts = out.interventions.set_index("intervention")["starts"]
    assert starts["pay_subsidy"] == 0
    assert starts["taite_coaching"] > 0 and starts["iisirekry"] > 0


def test_budget_scales_places_and_keeps_the_mix():
    s = small("kokkola_engine")
    assert monthly_budget(s) == pytest.approx(default_budget(s))
    half = with_budget(s, default_budget(s) / 2)
    assert monthly_budget(half) == pytest.approx(default_budget(s) / 2, rel=0.1)
    for before, after in zip(s.interventions, half.interventions, strict=True):
        assert after.capacity == round(before.capacity / 2)
    off = half.with_intervention("valo_upskilling", enabled=False)
    assert monthly_budget(off) < monthly_budget(half)
    again = with_budget(off, monthly_budget(half))
    assert again.interventions[4].capacity == off.interventions[4].capacity  # stays off, as set
    assert monthly_budget(again) == pytest.approx(monthly_budget(half), rel=0.1)


def test_switching_package_keeps_lab_and_run_settings():
    s = with_package(small("kokkola_engine"), "mobility_only")
    assert (s.lab, s.persons, s.seed) == ("kokkola", 2000, 7)
    assert [i.name for i in s.interventions] == [
        "career_guidance",
        "valo_upskilling",
        "employer_services",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"lab": "netherlands", "package": "kokkola_engine"}, "no provider 'business_services'"),
        ({"extra": "interventions.taite_coaching.capacity=-3"}, "greater than or equal to 0"),
        ({"extra": "demand.quit_rat=0.01"}, "no key 'quit_rat'"),
        ({"extra": "just words"}, "expected PATH=VALUE"),
        ({"months": 6}, "evaluation_months (12) must not exceed months (6)"),
    ],
)
def test_invalid_settings_raise_clear_messages(change, expected):
    s = small("kokkola_engine")
    if "package" in change:
        s = with_package(s, change.pop("package"))
    with pytest.raises(ScenarioError) as err:
        load_settings(s.replace(**change))
    assert expected in str(err.value)
    assert "synclusive-dashboard-" not in str(err.value)  # no temporary paths


def test_progress_is_reported_for_every_run():
    scenario = load_settings(small())
    seen = []
    run_comparison(scenario, progress=False, on_progress=lambda d, t: seen.append((d, t)))
    total = len(plan(scenario))
    assert seen == [(k, total) for k in range(1, total + 1)]


def test_cancelled_comparison_stops_early():
    scenario = load_settings(small())
    seen = []
    with pytest.raises(Cancelled):
        run_comparison(
            scenario,
            progress=False,
            on_progress=lambda d, t: seen.append(d),
            cancel=lambda: len(seen) >= 2,
        )
    assert seen == [1, 2]


def test_job_runs_in_background_and_can_be_cancelled():
    s = small()
    scenario = load_settings(s)
    changes = threading.Event()
    job = ComparisonJob(scenario, s, scenario_toml(s), on_change=changes.set).start()
    job.join(120)
    assert job.status == "done" and changes.is_set()
    assert job.done == job.total == len(plan(scenario))
    assert job.outcome is not None
    assert set(job.outcome.charts()) == {"employment", "flows", "chains", "mechanisms", "costs"}
    assert job.outcome.results_csv().startswith(b"package,analysis,metric")

    big = s.replace(persons=20000, months=120, replications=10)
    job = ComparisonJob(load_settings(big), big, scenario_toml(big))
    job.cancel()  # before the first month: nothing runs
    job.start().join(60)
    assert job.status == "cancelled"
    assert job.outcome is None and "cancelled" in job.message


def test_job_shows_partial_results_before_the_final_ones():
    planned = MIN_PARTIAL_REPLICATIONS + 1
    s = small().replace(replications=planned)
    scenario = load_settings(s)
    shown = []  # partial outcomes, in the order the page would see them

    def changed() -> None:
        if job.partial is not None and (not shown or shown[-1] is not job.partial):
            shown.append(job.partial)

    job = ComparisonJob(scenario, s, scenario_toml(s), on_change=changed)
    job.start().join(180)
    assert job.status == "done" and job.outcome is not None
    assert shown, "no partial results while the job ran"
    first = shown[0]
    # Not before the minimum: fewer replications give intervals too wide to read.
    assert first.partial and first.replications == MIN_PARTIAL_REPLICATIONS
    assert first.planned == planned
    assert set(first.charts()) == set(job.outcome.charts())
    assert first.comparison.results["replications"].max() == MIN_PARTIAL_REPLICATIONS
    assert all(p.replications < planned for p in shown)

    final = job.outcome.comparison
    assert not job.outcome.partial and job.outcome.replications == planned
    plain = run_comparison(scenario, progress=False)
    for table in ("results", "over_time", "replications", "adaptation"):
        pd.testing.assert_frame_equal(getattr(final, table), getattr(plain, table))
    assert final.meta["scenario"] == plain.meta["scenario"]


def _only(package: str, name: str):
    s = small(package)
    for i in s.interventions:
        if i.name != name:
            s = s.with_intervention(i.name, enabled=False)
    return s


def test_budget_slider_top_puts_each_place_at_its_slider_top():
    # The audit's case: only TAITE coaching on, the budget slider at its top.
    s = _only("kokkola_engine", "taite_coaching")
    top = with_budget(s, budget_max(s))
    taite = top.interventions[0]
    assert taite.capacity == capacity_max(taite) == 36
    assert monthly_budget(top) == pytest.approx(budget_max(s))
    assert with_budget(s, 10 * budget_max(s)) == top  # beyond the top: still the top

    every = small("kokkola_engine")
    full = with_budget(every, budget_max(every))
    assert [i.capacity for i in full.interventions] == [capacity_max(i) for i in full.interventions]
    assert budget_max(every) >= 3 * default_budget(every)


@pytest.mark.parametrize("package", ["full", "inflow_only", "kokkola_engine", "mobility_only"])
def test_budget_never_sets_a_capacity_beyond_its_slider(package):
    base = small(package)
    cases = [base] + [_only(package, i.name) for i in base.interventions]
    for s in cases:
        top = budget_max(s)
        step = max(int(top) // 200, 1)  # the budget slider's step
        tolerance = sum(i.unit_cost for i in s.interventions if i.enabled)  # rounding
        for budget in range(0, int(top) + step, step):
            moved = with_budget(s, budget)
            for i in moved.interventions:
                assert 0 <= i.capacity <= capacity_max(i), (budget, i)
            assert monthly_budget(moved) <= top + 1e-6
            assert monthly_budget(moved) == pytest.approx(min(budget, top), abs=tolerance)


def test_invalid_run_settings_name_the_field_once():
    with pytest.raises(ScenarioError) as err:
        run_settings(default_settings().replace(seed=-3))
    message = str(err.value)
    assert "page settings: run.seed:" in message and "run: run" not in message


# ------------------------------------------------------------------ labs, several packages, loading
def test_packages_follow_the_lab_and_show_titles():
    from dashboard.settings import choices, package_title, packages_for, with_lab

    assert set(packages_for("kokkola")) == {
        "kokkola_engine",
        "mobility_only",
        "inflow_only",
        "full",
    }
    assert packages_for("netherlands") == ["netherlands_engine"]
    s = with_lab(small("kokkola_engine").replace(compare=("inflow_only",)), "netherlands")
    assert s.lab == "netherlands" and s.package == "netherlands_engine" and s.compare == ()
    assert {i.name for i in s.interventions} == {
        i.name for i in default_settings("netherlands_engine").interventions
    }
    items = choices(packages_for("netherlands"), package_title)
    assert items == [{"text": package_title("netherlands_engine"), "value": "netherlands_engine"}]
    assert "_" not in items[0]["text"]


def test_several_packages_run_side_by_side_with_the_interaction_term():
    s = small("kokkola_engine").replace(compare=("mobility_only", "inflow_only"))
    text = scenario_toml(s)
    assert (
        'packages = [\n    "kokkola_engine",\n    "mobility_only",\n    "inflow_only",\n]' in text
    )
    scenario = load_settings(s)
    assert [a.name for a in scenario.arms] == ["kokkola_engine", "mobility_only", "inflow_only"]
    assert scenario.interaction_terms() == [("kokkola_engine", ("mobility_only", "inflow_only"))]


def test_a_saved_scenario_file_loads_back_into_the_page():
    from dashboard.settings import settings_from_toml

    s = small("kokkola_engine").replace(
        compare=("full",), seed=11, replications=3, extra="demand.quit_rate=0.004"
    )
    s = s.with_intervention("pay_subsidy", enabled=False).with_intervention(
        "taite_coaching", capacity=33
    )
    back = settings_from_toml(scenario_toml(s))
    assert back == s
    with pytest.raises(ScenarioError, match="not a TOML file"):
        settings_from_toml("[scenario\n", "x.toml")
    with pytest.raises(ScenarioError, match="is not available here"):
        settings_from_toml('[scenario]\nlab = "kokkola"\npackages = ["../../etc/passwd"]\n')


def test_time_estimate_is_the_plan_times_the_probe():
    from dashboard.estimate import Probe, estimate, estimate_text, record_overhead

    s = small("kokkola_engine")
    scenario = load_settings(s)
    runs = len(plan(scenario))
    record_overhead(0.0)
    got = estimate(scenario, Probe(spin_up=2.0, setup=0.5, per_month=0.01))
    assert got == (runs, s.replications * 2.0 + runs * (0.5 + s.months * 0.01))
    assert estimate_text(scenario, Probe(0.0, 1.0, 0.0)).startswith(f"About {runs}.0 s for {runs}")
    record_overhead(3.0)  # summarising and drawing, as the last run on the server took
    assert estimate(scenario, Probe(0.0, 1.0, 0.0)) == (runs, runs + 3.0)
    record_overhead(0.0)
