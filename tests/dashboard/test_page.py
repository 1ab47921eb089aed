"""The dashboard page's own logic without a browser: its HTML report, a Run click on settings
that cannot run, and the end of a session cancelling its run."""

from __future__ import annotations

import html
import re
import time

import markupsafe
import pytest
import solara.server.app  # noqa: F401  (applies Solara's per-session widget patches)
from solara.server import kernel, kernel_context

from dashboard import app
from dashboard.charts import CAPTIONS, FIGURES, focus_group, label
from dashboard.jobs import ComparisonJob
from dashboard.settings import default_settings, load_settings, monthly_budget, scenario_toml
from dashboard.tables import effects_html, effects_table, headlines_html

SMALL = {"persons": 2000, "months": 24, "replications": 2, "seed": 7}


@pytest.fixture(scope="module")
def outcome():
    """A finished small run with one intervention switched off and one extra override."""
    s = (
        default_settings("inflow_only")
        .replace(**SMALL, extra="demand.quit_rate=0.004")
        .with_intervention("pay_subsidy", enabled=False)
        .with_intervention("taite_coaching", capacity=20)
    )
    job = ComparisonJob(load_settings(s), s, scenario_toml(s)).start()
    job.join(180)
    assert job.status == "done", job.message
    return job.outcome


def test_report_holds_what_the_page_shows(outcome):
    report = outcome.report_html().decode("utf-8")
    assert report.startswith("<!DOCTYPE html>")
    # Every chart of the page, the very same image, with its title and caption.
    urls = outcome.charts()
    images = re.findall(r"<img alt='([^']*)' src='([^']*)'", report)
    assert [src for _, src in images] == [urls[name] for name in FIGURES]
    assert [alt for alt, _ in images] == [html.escape(title) for _, title in FIGURES.values()]
    group = label(focus_group(outcome.comparison)).lower()
    for name, (_, title) in FIGURES.items():
        assert f"<h3>{html.escape(title)}</h3>" in report
        assert html.escape(CAPTIONS[name].format(group=group)) in report
    # The effects table with its intervals, and the headline tiles, as on the page.
    c = outcome.comparison
    assert effects_html(effects_table(c, "inflow_only")) in report
    assert headlines_html(c, "inflow_only") in report
    assert "95% interval" in report
    # Where the extra people in work came from (labour-force accounting).
    assert "Extra in work came from" in headlines_html(c, "inflow_only")
    # Self-contained: nothing fetched from elsewhere.
    assert not re.search(r"(src|href)=['\"](?!data:)", report)
    assert "<script" not in report and "<link" not in report


def test_report_states_the_settings(outcome):
    report = outcome.report_html().decode("utf-8")
    s = outcome.settings
    for text in (
        "<th>Living lab</th><td>kokkola</td>",
        "<th>Package</th><td>inflow_only</td>",
        "<th>Replications</th><td>2</td>",
        "<th>Population (persons)</th><td>2,000</td>",
        "<th>Months simulated</th><td>24</td>",
        "<th>Seed</th><td>7</td>",
        "<th>Mechanism ablation</th><td>off</td>",
        f"EUR {monthly_budget(s):,.0f} / month",
        "demand.quit_rate = 0.004",
        "interventions.taite_coaching.capacity = 20",
    ):
        assert text in report, text
    row = re.search(r"<tr class='iv-pay_subsidy'>.*?</tr>", report).group(0)
    assert "<td class='off'>off</td>" in row and "<td class='num'>0</td>" in row
    row = re.search(r"<tr class='iv-taite_coaching'>.*?</tr>", report).group(0)
    assert "<td class='on'>on</td>" in row and "<td class='num'>20</td>" in row
    # The file that reruns it (escaped as the report's templates escape text).
    assert str(markupsafe.escape(outcome.scenario_toml)) in report


def _session(name: str) -> kernel_context.VirtualKernelContext:
    """A Solara session (virtual kernel) as the server makes one per browser tab."""
    return kernel_context.VirtualKernelContext(id=name, kernel=kernel.Kernel(), session_id=name)


def test_a_run_click_on_settings_that_cannot_run_shows_a_message():
    session = _session("invalid-run-click")
    with session:
        bad = default_settings("kokkola_engine").replace(months=6)
        app.settings.set(bad)
        app.start_run(bad)  # must not raise: the page would show a traceback
        assert app.job.value is None
        shown, message = app.start_error.value
        assert shown == bad
        assert message.startswith("The run could not start:")
        assert "evaluation_months (12) must not exceed months (6)" in message
    session.close()


def test_closing_the_session_cancels_its_run():
    session = _session("closed-tab")
    with session:
        big = default_settings("kokkola_engine").replace(persons=20000, months=120, replications=10)
        app.settings.set(big)
        app.start_run(big)
        job = app.job.value
        assert job is not None and job.active
    time.sleep(0.5)
    session.close(reason="page-close")  # what Solara does when the tab closes
    job.join(60)
    assert job.status == "cancelled"
