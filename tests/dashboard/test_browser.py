"""The dashboard end to end in headless Chromium (Debian's, driven by Playwright).

A fixture serves ``synclusive dashboard`` on a free localhost port. The tests load the page,
run two packages and check that the charts change, download the results table and compare it
with ``synclusive compare`` run with the same settings and seed and with the downloaded
scenario file, check that the downloaded report holds the page's charts and table, check that
partial results show while a run goes on, check that invalid input is shown as a message, and
cancel a run. Screenshots of the page go to ``test-output/`` (gitignored; the CI artifact):
``dashboard.png`` with results, and one per test (``dashboard-TEST.png``) taken as the test
ends, whether it passed or not.

Without Chromium or Playwright the tests are skipped, except under CI (the environment
variable ``CI`` set, as ``.ci/run`` does), where a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

from experiments.comparison.study import MIN_PARTIAL_REPLICATIONS

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SYNCLUSIVE = Path(sys.executable).with_name("synclusive")
# Without the background-networking flags Chromium floods a closed network with requests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTINGS = {"persons": 2000, "months": 24, "replications": 2, "seed": 7}

try:
    from playwright import sync_api
except ImportError:
    sync_api = None
expect = sync_api.expect if sync_api is not None else None

if not CHROMIUM.exists():
    MISSING = "needs Debian's chromium (.ci/install-browser.sh)"
elif sync_api is None:
    MISSING = "needs Playwright (pip install -e '.[test]')"
else:
    MISSING = None
# On CI the browser is installed by .ci/run: its absence is a failure, not a reason to skip.
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")

pytestmark = [
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(MISSING is not None and not IN_CI, reason=str(MISSING)),
]


@pytest.fixture(scope="module", autouse=True)
def browser_installed():
    """Fail (CI) when the browser is missing; elsewhere the tests were skipped already."""
    if MISSING is not None:
        pytest.fail(f"CI is set and the browser test {MISSING}", pytrace=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard served on a free localhost port for this module's tests."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log_path.open("w") as log:
        yield from _serve(port, log, log_path)


def _serve(port: int, log, log_path: Path):
    proc = subprocess.Popen(
        [str(SYNCLUSIVE), "dashboard", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.flush()
            pytest.fail(f"dashboard did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """Chromium with a fresh profile."""
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": 1500, "height": 1000},
        )
        yield context
        context.close()


@pytest.fixture
def page(server, browser_context, request):
    """A freshly loaded dashboard (a new session: default settings).

    As the test ends, passed or failed (or the page failed to load), a screenshot of the page
    goes to ``test-output/dashboard-TEST.png``.
    """
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server)
        page.get_by_role("button", name="Run comparison").wait_for(timeout=60_000)
        yield page
    finally:
        screenshot(page, OUTPUT / f"dashboard-{request.node.name}.png")
        page.close()
    assert not errors, errors


def screenshot(page, path: Path) -> None:
    """The whole page as PNG; a failure here is a warning, never the test's result."""
    try:
        path.parent.mkdir(exist_ok=True)
        # The page scrolls inside its own layout: a tall viewport shows all of it.
        page.set_viewport_size({"width": 1500, "height": 3600})
        page.screenshot(path=str(path), full_page=True, timeout=30_000)
        page.set_viewport_size({"width": 1500, "height": 1000})
    except Exception as err:
        warnings.warn(f"no screenshot {path.name}: {err}", stacklevel=2)


# ------------------------------------------------------------------ page helpers
def choose(page, label: str, value: str) -> None:
    """Pick ``value`` in the drop-down labelled ``label``."""
    page.locator(".v-select", has_text=label).click()
    page.locator(".menuable__content__active .v-list-item", has_text=value).first.click()
    page.locator(".v-select", has_text=label).get_by_text(value, exact=True).wait_for()


def slide(page, label: str, steps_from_min: int) -> None:
    """Move a slider to its minimum, then ``steps_from_min`` steps up, with the keyboard."""
    thumb = page.locator(".v-input__slider", has_text=label).locator("[role=slider]")
    thumb.focus()
    thumb.press("Home")
    for _ in range(steps_from_min):
        thumb.press("ArrowRight")


def small_run_settings(page, replications: int = SETTINGS["replications"]) -> None:
    seed = page.get_by_label("Seed")
    seed.fill(str(SETTINGS["seed"]))
    seed.press("Enter")
    slide(page, "Population (persons)", 1)  # 1,000 + 1 × 1,000
    slide(page, "Months simulated", 2)  # 12 + 2 × 6
    slide(page, "Replications", replications - 2)
    # The labels are drawn by the server: once they show the last values, the server has
    # handled every earlier event, the seed included.
    for label in (
        f"Population (persons): {SETTINGS['persons']:,}",
        f"Months simulated: {SETTINGS['months']}",
        f"Replications: {replications}",
    ):
        page.get_by_text(label).wait_for(timeout=30_000)


CHARTS = ("employment", "flows", "chains", "mechanisms", "costs")


def run_and_wait(page, package: str) -> None:
    """Run, then wait until every chart shows the package's final figure and nothing else.

    While the page redraws, a chart may briefly hold the new image beside the old one, so
    waiting for one chart's new image is not enough.
    """
    page.get_by_role("button", name="Run comparison").click()
    for name in CHARTS:
        final = f".chart-{name} img[data-package='{package}'][data-partial='false']"
        page.locator(final).wait_for(timeout=120_000)
        expect(page.locator(f".chart-{name} img")).to_have_count(1, timeout=30_000)


def chart_sources(page) -> dict[str, str]:
    return {name: page.locator(f".chart-{name} img").get_attribute("src") for name in CHARTS}


def synclusive_compare(*args: str) -> None:
    """Run ``synclusive compare`` (tables only, quietly) and fail with its error output."""
    cli = subprocess.run(
        [str(SYNCLUSIVE), "compare", *args, "--no-report", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr


def download(page, label: str, folder: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


# ------------------------------------------------------------------ tests
def test_page_loads(page):
    # Drop-downs show titles, never keys.
    lab = page.locator(".v-select", has_text="Living lab")
    assert lab.get_by_text("Kokkola (Finland)").is_visible()
    package = page.locator(".v-select", has_text="Package")
    assert package.get_by_text("Synclusive engine package (Kokkola)").count()
    assert package.get_by_text("kokkola_engine", exact=True).count() == 0
    expect(page.locator(".intervention")).to_have_count(6)
    expect(page.get_by_role("button", name="Run comparison")).to_be_enabled()
    assert page.locator(".invalid-settings").count() == 0


def test_changing_package_updates_charts_and_table_matches_cli(page, tmp_path):
    small_run_settings(page)
    run_and_wait(page, "kokkola_engine")
    first = chart_sources(page)
    assert all(src.startswith("data:image/png;base64,") for src in first.values())

    choose(page, "Package", "Inflow only")
    expect(page.locator(".intervention")).to_have_count(3)
    expect(page.locator(".stale-note")).to_be_visible()  # old results, new settings
    # One intervention switched off: the scenario file and the CLI must carry the switch.
    page.locator(".iv-pay_subsidy .v-input--switch .v-input--selection-controls__ripple").click()
    page.locator(".iv-pay_subsidy .v-slider--disabled").wait_for(timeout=30_000)
    run_and_wait(page, "inflow_only")
    second = chart_sources(page)
    assert all(second[name] != first[name] for name in first)
    heading = page.locator(".results-heading").inner_text()
    assert "Inflow only" in heading and "inflow_only" not in heading
    assert "2 replications × 24 months, 2,000 persons, seed 7" in heading
    assert page.locator(".effects-table tbody tr").count() > 20

    screenshot(page, OUTPUT / "dashboard.png")  # the page with results: the CI artifact

    table = download(page, "Results table (CSV)", tmp_path)
    report = download(page, "HTML report of this page", tmp_path)
    scenario = download(page, "Save settings as scenario file", tmp_path)

    # The report holds what the page shows: the same chart images, titles and effects table.
    html_text = report.read_text()
    assert html_text.startswith("<!DOCTYPE html>")
    assert re.findall(r"<img alt='[^']*' src='([^']*)'", html_text) == list(second.values())
    titles = page.locator(".chart-card .v-card__title").all_inner_texts()
    assert len(titles) == len(second)
    for title in titles:
        assert f"<h3>{title.strip()}</h3>" in html_text
    effects = re.search(r"<table class='effects-table'>.*?</table>", html_text).group(0)
    assert effects.count("<tr>") == 1 + page.locator(".effects-table tbody tr").count()
    assert "<th>Seed</th><td>7</td>" in html_text
    assert "<tr class='iv-pay_subsidy'>" in html_text and "<td class='off'>off</td>" in html_text

    # The table equals the command line's with the same settings and seed ...
    off = "interventions.pay_subsidy"
    synclusive_compare(
        "inflow_only",
        "--lab",
        "kokkola",
        "--persons",
        str(SETTINGS["persons"]),
        "--months",
        str(SETTINGS["months"]),
        "--replications",
        str(SETTINGS["replications"]),
        "--seed",
        str(SETTINGS["seed"]),
        "--set",
        f"{off}.capacity=0",
        "--set",
        f"{off}.start_month=0",
        "--set",
        f"{off}.end_month=0",
        "--no-ablation",
        "--out",
        str(tmp_path / "cli"),
    )
    assert table.read_bytes() == (tmp_path / "cli" / "results.csv").read_bytes()
    # The command line's own report of the same results opens with the verdict.
    report_cli = subprocess.run(
        [str(SYNCLUSIVE), "report", str(tmp_path / "cli")], capture_output=True, timeout=300
    )
    assert report_cli.returncode == 0, report_cli.stderr
    shown = page.context.new_page()
    try:
        shown.goto((tmp_path / "cli" / "report.html").as_uri())
        shown.set_viewport_size({"width": 1280, "height": 1000})
        expect(shown.locator("#verdict")).to_be_in_viewport()
        shown.screenshot(path=str(OUTPUT / "report-cli-verdict.png"))
    finally:
        shown.close()

    # ... and with the saved scenario file, run unchanged (it carries every setting).
    text = scenario.read_text()
    assert 'lab = "kokkola"' in text and '"inflow_only"' in text
    assert "seed = 7" in text and "persons = 2000" in text and "ablation = false" in text
    assert "replications = 2" in text and "months = 24" in text
    assert f'"{off}.capacity" = 0' in text
    synclusive_compare(str(scenario), "--out", str(tmp_path / "from-file"))
    assert table.read_bytes() == (tmp_path / "from-file" / "results.csv").read_bytes()


def test_results_update_while_a_run_goes_on(page):
    # Many replications, so that the run is still going when the first partial results show.
    small_run_settings(page, replications=20)
    page.get_by_role("button", name="Run comparison").click()
    note = page.locator(".partial-note")
    note.wait_for(timeout=120_000)
    shown = re.search(r"(\d+) of 20 replications — updating", note.inner_text())
    # Not before the minimum number of replications (fewer give unreadable intervals).
    assert shown and MIN_PARTIAL_REPLICATIONS <= int(shown.group(1)) < 20, note.inner_text()
    assert page.locator(".run-progress").count() == 1  # the run is still going
    assert "of 20 replications" in page.locator(".results-heading").inner_text()
    for name in ("employment", "flows", "chains", "mechanisms", "costs"):
        img = page.locator(f".chart-{name} img[data-partial='true']")
        assert img.get_attribute("src").startswith("data:image/png;base64,")
    assert page.locator(".effects-table tbody tr").count() > 20
    assert page.get_by_role("button", name="Results table (CSV)").count() == 0

    # Stopped before the end, the partial results stay, labelled as such.
    page.get_by_role("button", name="Cancel").click()
    page.locator(".run-cancelled").wait_for(timeout=60_000)
    expect(note).to_contain_text("the run stopped before the end")


def test_lab_choice_filters_packages(page):
    choose(page, "Living lab", "Dutch living lab (illustrative municipality)")
    dutch = "Engine package for the Dutch lab (long-term unemployed and migrant women)"
    # The lab's own package replaces one written for another lab: no error, no file paths.
    page.locator(".package-select", has_text=dutch).wait_for(timeout=30_000)
    assert page.locator(".invalid-settings").count() == 0
    expect(page.get_by_role("button", name="Run comparison")).to_be_enabled()
    page.locator(".package-select").click()
    items = page.locator(".menuable__content__active .v-list-item")
    expect(items).to_have_count(1)
    assert items.inner_text().strip() == dutch
    page.keyboard.press("Escape")
    expect(page.locator(".compare-select")).to_have_count(0)  # nothing else to compare with

    choose(page, "Living lab", "Kokkola (Finland)")
    page.locator(".package-select", has_text="Synclusive engine package (Kokkola)").wait_for()
    page.locator(".package-select").click()
    expect(page.locator(".menuable__content__active .v-list-item")).to_have_count(4)
    page.keyboard.press("Escape")


def test_invalid_input_shows_a_message(page):
    message = page.locator(".invalid-settings")
    page.get_by_text("More settings").click()
    box = page.locator(".extra-settings textarea")
    box.fill("interventions.taite_coaching.capacity=-3")
    page.get_by_text("Command line:").click()  # the box commits when it loses focus
    message.wait_for(timeout=30_000)
    assert "greater than or equal to 0" in message.inner_text()
    assert "Traceback" not in page.locator("body").inner_text()


def test_a_long_run_shows_progress_and_can_be_cancelled(page):
    slide(page, "Replications", 48)  # 50 replications of the default 5,000 × 60 months
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".run-progress").wait_for(timeout=30_000)
    assert "simulation runs" in page.locator(".progress-text").inner_text()
    page.get_by_role("button", name="Cancel").click()
    notice = page.locator(".run-cancelled")
    notice.wait_for(timeout=60_000)
    assert "Run cancelled after" in notice.inner_text()
    expect(page.get_by_role("button", name="Run comparison")).to_be_enabled()


def test_several_packages_side_by_side_with_the_verdict_on_top(page, tmp_path):
    small_run_settings(page)
    expect(page.locator(".time-estimate")).to_contain_text("simulation runs", timeout=60_000)
    select = page.locator(".compare-select")
    select.click()
    for title in ("Mobility only", "Inflow only"):
        page.locator(".menuable__content__active .v-list-item", has_text=title).first.click()
    page.keyboard.press("Escape")
    page.get_by_text("Compared side by side with: Mobility only; Inflow only").wait_for()
    run_and_wait(page, "kokkola_engine")
    verdict = page.locator(".verdict-block")
    # One line per package, and rows for every package and group, each with a verdict.
    expect(verdict.locator(".verdict-line")).to_have_count(3)
    rows = verdict.locator(".verdict-row")
    assert rows.count() >= 9
    for cell in verdict.locator("td.works, td.unclear, td.harms").all_inner_texts():
        assert cell in ("works", "unclear", "harms")
    contrasts = page.locator(".contrast-card")
    expect(contrasts).to_contain_text("Mobility only")
    expect(contrasts).to_contain_text("its parts together")  # the interaction term
    screenshot(page, OUTPUT / "dashboard-verdict.png")

    report = download(page, "HTML report of this page", tmp_path)
    text = report.read_text()
    assert text.index('class="verdict"') < text.index("<h2>Settings</h2>")
    assert "Packages compared with each other" in text
    shown = page.context.new_page()
    try:
        shown.goto(report.as_uri())
        shown.set_viewport_size({"width": 1280, "height": 1000})
        shown.screenshot(path=str(OUTPUT / "report-verdict.png"))
    finally:
        shown.close()


def test_a_saved_scenario_file_loads_back(page):
    from dashboard.settings import default_settings, scenario_toml

    saved = (
        default_settings("inflow_only")
        .replace(seed=23, replications=4, compare=("mobility_only",))
        .with_intervention("pay_subsidy", enabled=False)
    )
    page.get_by_text("Load a saved scenario file").click()
    page.locator(".load-scenario textarea").fill(scenario_toml(saved))
    page.locator(".load-button").click()
    page.locator(".package-select", has_text="Inflow only").wait_for(timeout=30_000)
    expect(page.get_by_label("Seed")).to_have_value("23")
    page.get_by_text("Replications: 4").wait_for()
    page.locator(".iv-pay_subsidy .v-slider--disabled").wait_for(timeout=30_000)
    page.get_by_text("Compared side by side with: Mobility only").wait_for()
    # A file that is not one the page saved is refused with the reason.
    page.locator(".load-scenario textarea").fill("[scenario\n")
    page.locator(".load-button").click()
    expect(page.locator(".load-error")).to_contain_text("not a TOML file")
