"""The dashboard page (a Solara app; ``synclusive dashboard`` serves it).

State lives in Solara reactive variables, which Solara keeps per browser session: two
analysts on one server do not see each other's settings or runs. A run is a
:class:`~dashboard.jobs.ComparisonJob` in a background thread that bumps ``tick`` whenever it
progresses, which redraws the parts of the page that show it, and sets ``outcome`` to the
partial results of the replications complete so far, then to the final results. When the
session ends (its tab closed, or its kernel culled after losing its connection), its running
job is cancelled.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path

import solara
import solara.lab
from mesa.visualization import Slider
from mesa.visualization.solara_viz import UserInputs
from solara.server.kernel_context import get_current_context, set_context_for_thread

from dashboard.charts import CAPTIONS, FIGURES, SIDE_COLOURS, focus_group, label
from dashboard.estimate import estimate_text, failed, measured, probe_in_background
from dashboard.jobs import ComparisonJob, Outcome
from dashboard.settings import (
    Settings,
    budget_max,
    capacity_max,
    check_choices,
    choices,
    cli_command,
    default_budget,
    default_settings,
    lab_title,
    labs,
    load_settings,
    monthly_budget,
    package_title,
    packages,
    packages_for,
    scenario_name,
    scenario_toml,
    settings_from_toml,
    with_budget,
    with_lab,
    with_package,
)
from dashboard.tables import EFFECTS_CAPTION, effects_html, effects_table, headlines_html
from experiments.comparison.layout import VERDICT_CSS
from experiments.comparison.report import contrast_section
from experiments.comparison.verdict import verdict_html
from scenarios import ScenarioError, load_lab, load_package

CSS = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")
REPO = str(Path(__file__).resolve().parent.parent) + "/"

settings = solara.reactive(default_settings())
job: solara.Reactive[ComparisonJob | None] = solara.reactive(None)
outcome: solara.Reactive[Outcome | None] = solara.reactive(None)
tick = solara.reactive(0)
#: Settings a Run click could not start, and why (shown until the settings change).
start_error: solara.Reactive[tuple[Settings, str] | None] = solara.reactive(None)

log = logging.getLogger(__name__)


#: The folders of an absolute path in a message (``/srv/app/scenarios/labs/``).
_FOLDERS = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[/\\](?:[^\s/\\:'\"]+[/\\])+")


def _plain(message: str) -> str:
    """An error message without server paths: the install location of the shipped files
    and the folders of any other absolute path are removed (file names stay)."""
    return _FOLDERS.sub("", message.replace(REPO, ""))


def validate(s: Settings) -> tuple[object | None, str | None]:
    """The composed scenario of the settings, or the message saying what is wrong."""
    try:
        scenario = load_settings(s)
    except ScenarioError as err:
        own_lab = load_package(s.package).file.package.lab if s.package in packages() else None
        hint = ""
        if own_lab and own_lab != s.lab:
            hint = (
                f"The package {s.package!r} was written for the {own_lab} lab and does not fit "
                f"the {s.lab} lab as it is.\n"
            )
        return None, hint + _plain(str(err))
    if not any(i.enabled for i in s.interventions):
        return scenario, "Every intervention is switched off: the package equals the baseline."
    return scenario, None


# ------------------------------------------------------------------ controls
@solara.component
def InterventionControls(s: Settings):
    """A switch and a capacity slider per intervention, and the budget slider."""
    solara.HTML("div", "Interventions", classes=["section-title"])
    for i in s.interventions:

        def toggle(on: bool, name: str = i.name) -> None:
            settings.set(settings.value.with_intervention(name, enabled=on))

        def capacity(value: int, name: str = i.name) -> None:
            settings.set(settings.value.with_intervention(name, capacity=int(value)))

        with solara.Column(gap="0px", classes=["intervention", f"iv-{i.name}"]):
            with solara.Row(gap="6px", style={"align-items": "center"}):
                solara.HTML(
                    "span",
                    i.side,
                    classes=["side-chip"],
                    style=f"background:{SIDE_COLOURS.get(i.side, '#777')}",
                )
                solara.Switch(label=i.name.replace("_", " "), value=i.enabled, on_value=toggle)
            solara.HTML(
                "div",
                html.escape(f"{i.title} · EUR {i.unit_cost:,.0f} per participant"),
                classes=["iv-title"],
            )
            solara.SliderInt(
                f"{i.capacity} places / month",
                value=i.capacity,
                min=0,
                max=capacity_max(i),
                on_value=capacity,
                disabled=not i.enabled,
            )
    budget = monthly_budget(s)
    published = default_budget(s)
    # The top is what the budget can buy with every place it scales at its own slider's top,
    # so moving the budget never sets a capacity its slider cannot show.
    top = int(budget_max(s))
    with solara.Column(gap="0px", classes=["budget-slider"]):
        solara.SliderInt(
            f"Budget EUR {budget:,.0f} / month",
            value=min(round(budget), top),
            min=0,
            max=max(top, 1),
            step=max(top // 200, 1),
            on_value=lambda b: settings.set(with_budget(settings.value, b)),
            disabled=top <= 0,
        )
    solara.HTML(
        "div",
        f"Places × cost per participant, summed; the package as published: "
        f"EUR {published:,.0f} / month. Moving the budget scales every place, each up to the "
        f"top of its own slider (EUR {top:,.0f} / month in all).",
        classes=["hint"],
    )


@solara.component
def RunControls(s: Settings):
    """Replications, population, months (Mesa's user inputs), seed, ablation, extras."""
    solara.HTML("div", "Runs", classes=["section-title"])
    params = {
        "replications": Slider(
            f"Replications: {s.replications}", value=s.replications, min=2, max=50, step=1
        ),
        "persons": Slider(
            f"Population (persons): {s.persons:,}", value=s.persons, min=1000, max=50000, step=1000
        ),
        "months": Slider(f"Months simulated: {s.months}", value=s.months, min=12, max=240, step=6),
    }

    def changed(name: str, value) -> None:
        settings.set(settings.value.replace(**{name: int(value)}))

    UserInputs(params, on_change=changed)
    solara.InputInt(
        "Seed",
        value=s.seed,
        on_value=lambda v: settings.set(settings.value.replace(seed=int(v or 0))),
        # Committed as typed: a Run click right after typing must not race the blur event.
        continuous_update=True,
    )
    solara.Checkbox(
        label="Mechanism ablation (5× the runs)",
        value=s.ablation,
        on_value=lambda v: settings.set(settings.value.replace(ablation=bool(v))),
    )
    with solara.Details("More settings"):
        with solara.Column(gap="0px", classes=["extra-settings"]):
            solara.InputTextArea(
                "PATH=VALUE, one per line",
                value=s.extra,
                on_value=lambda v: settings.set(settings.value.replace(extra=v or "")),
                rows=3,
            )
        solara.HTML(
            "div",
            "Any model parameter, as <code>--set</code> on the command line, e.g. "
            "<code>demand.quit_rate=0.004</code>.",
            classes=["hint"],
        )


@solara.component
def Controls():
    """The sidebar: lab, package (of that lab), packages compared beside it, the rest."""
    s = settings.value
    fitting = packages_for(s.lab)
    solara.Select(
        "Living lab",
        values=choices(labs(), lab_title),
        value=s.lab,
        on_value=lambda v: v in labs() and settings.set(with_lab(settings.value, v)),
        classes=["lab-select"],
    )
    solara.Select(
        "Package",
        values=choices(fitting, package_title),
        value=s.package,
        on_value=lambda v: v in packages() and settings.set(with_package(settings.value, v)),
        classes=["package-select"],
    )
    others = [p for p in fitting if p != s.package]
    if others:
        solara.SelectMultiple(
            "Compare side by side with",
            values=[p for p in s.compare if p in others],
            all_values=choices(others, package_title),
            on_value=lambda v: settings.set(
                settings.value.replace(compare=tuple(p for p in v if p in packages()))
            ),
            classes=["compare-select"],
        )
    LoadScenario()
    InterventionControls(s)
    RunControls(s)


#: Why the last scenario file could not be loaded (None: it was, or none was tried).
load_error: solara.Reactive[str | None] = solara.reactive(None)


def load_scenario_text(text: str, name: str = "scenario file") -> None:
    """Set the page from a saved scenario file's text, or say why it cannot be read."""
    try:
        loaded = settings_from_toml(text, name)
    except ScenarioError as err:
        load_error.set(_plain(str(err)))
        return
    load_error.set(None)
    settings.set(loaded)


@solara.component
def LoadScenario():
    """Load a scenario file saved from this page: dropped, or pasted."""
    text, set_text = solara.use_state("")
    with (
        solara.Details("Load a saved scenario file"),
        solara.Column(gap="4px", classes=["load-scenario"]),
    ):
        solara.FileDrop(
            label="Drop a scenario file (.toml) here",
            on_file=lambda f: load_scenario_text(
                (f["data"] or b"").decode("utf-8", "replace"), f["name"]
            ),
            lazy=False,
        )
        solara.InputTextArea(
            "…or paste its text",
            value=text,
            on_value=set_text,
            rows=3,
            # Committed as typed: Load right after pasting must not race the blur event.
            continuous_update=True,
        )
        solara.Button(
            "Load",
            on_click=lambda: load_scenario_text(text),
            disabled=not text.strip(),
            classes=["load-button"],
        )
        if load_error.value:
            solara.Error(load_error.value, classes=["load-error"])


# ------------------------------------------------------------------ running
def start_run(s: Settings) -> None:
    """Compose the settings and start a comparison in a background thread.

    Settings that cannot run (they may have changed just before the click, after the page
    last checked them) are shown as a message instead (:data:`start_error`), never raised.
    """
    try:
        scenario = load_settings(s)
    except ScenarioError as err:
        start_error.set((s, "The run could not start: " + _plain(str(err))))
        return
    except Exception as err:  # the analyst sees a message; the traceback goes to the log
        log.exception("dashboard: could not start the comparison")
        start_error.set((s, f"The run could not start: {type(err).__name__}: {_plain(str(err))}"))
        return
    start_error.set(None)
    context = get_current_context()
    holder: dict[str, ComparisonJob] = {}

    def changed() -> None:
        current = holder["job"]
        if job.value is current:
            shown = current.outcome if current.status == "done" else current.partial
            if shown is not None and outcome.value is not shown:
                outcome.set(shown)
        tick.set(tick.value + 1)

    holder["job"] = new = ComparisonJob(scenario, s, scenario_toml(s), on_change=changed)
    # The worker sets reactive variables of this page's session.
    set_context_for_thread(context, new.thread)
    job.set(new)
    new.start()


def cancel_run_on_close() -> Callable[[], None]:
    """Called as a session starts: returns what cancels its running job when it ends.

    Solara calls the returned function when the session's virtual kernel shuts down (its tab
    closed, or its connection lost for longer than the cull timeout), with that session's
    reactive variables current; without it a run outlives its tab.
    """

    def cleanup() -> None:
        current = job.value
        if current is not None and current.active:
            log.info("dashboard: session closed, cancelling its run")
            current.cancel()

    return cleanup


solara.lab.on_kernel_start(cancel_run_on_close)


#: Bumped when a timing probe of this session finishes (redraws the estimate).
probe_done = solara.reactive(0)


@solara.component
def TimeEstimate(scenario):
    """How long Run will take, from a timing probe (measured in the background, once per lab
    and population: other settings change only the arithmetic)."""
    _ = probe_done.value
    key = (scenario.lab.name, scenario.baseline.population.n_persons)

    def start() -> None:
        if measured(scenario) is None and not failed(scenario):
            thread = probe_in_background(scenario, lambda: probe_done.set(probe_done.value + 1))
            set_context_for_thread(get_current_context(), thread)
            thread.start()

    solara.use_effect(start, [key])
    timing = measured(scenario)
    if timing is not None:
        text = estimate_text(scenario, timing)
    elif failed(scenario):
        text = "No time estimate (the timing probe failed)"
    else:
        text = "Estimating the run time…"
    solara.HTML("div", html.escape(text), classes=["time-estimate"])


@solara.component
def RunBar(scenario):
    """Run and cancel buttons, the time estimate, progress and the run's messages."""
    _ = tick.value  # redraw on progress
    current = job.value
    running = current is not None and current.active
    valid = scenario is not None
    with solara.Row(style={"align-items": "center"}, classes=["run-bar"]):
        solara.Button(
            "Run comparison",
            icon_name="mdi-play",
            color="primary",
            on_click=lambda: start_run(settings.value),
            disabled=running or not valid,
            classes=["run-button"],
        )
        if running:
            solara.Button(
                "Cancel",
                icon_name="mdi-stop",
                outlined=True,
                color="error",
                on_click=current.cancel,
                classes=["cancel-button"],
            )
        if valid:
            solara.FileDownload(
                lambda: scenario_toml(settings.value).encode("utf-8"),
                filename=f"{scenario_name(settings.value)}.toml",
                label="Save settings as scenario file",
                icon_name="mdi-content-save-outline",
                mime_type="application/toml",
            )
    if valid and not running:
        TimeEstimate(scenario)
    if running:
        share = current.done / current.total if current.total else 0.0
        solara.ProgressLinear(value=100 * share, classes=["run-progress"])
        left = current.remaining()
        text = (
            "Drawing the charts…"
            if current.status == "drawing"
            else f"{current.done} of {current.total} simulation runs · "
            f"{current.elapsed:.0f} s elapsed"
            + (f" · about {left:.0f} s left" if left is not None else "")
        )
        solara.HTML("div", text, classes=["progress-text"])
    elif current is not None and current.status == "cancelled":
        solara.Warning(current.message, classes=["run-cancelled"])
    elif current is not None and current.status == "failed":
        solara.Error(_plain(current.message or "The run failed."), classes=["run-failed"])
    failed = start_error.value
    if failed is not None and failed[0] == settings.value:
        solara.Error(failed[1], classes=["run-not-started"])


# ------------------------------------------------------------------ results
@solara.component
def Headlines(o: Outcome):
    """Tiles with the main numbers."""
    solara.HTML("div", headlines_html(o.comparison, o.package), classes=["headlines"])


@solara.component
def PartialNote(o: Outcome):
    """Says that results cover only the replications complete so far."""
    _ = tick.value  # the wording follows the run's status
    current = job.value
    if current is not None and current.active and current.partial is o:
        text = (
            f"{o.replications} of {o.planned} replications — updating. The charts and the "
            "table are redrawn as more replications finish; downloads follow at the end."
        )
    else:
        text = (
            f"{o.replications} of {o.planned} replications — the run stopped before the end, "
            "so these results are partial."
        )
    solara.Info(text, dense=True, classes=["partial-note"])


@solara.component
def Results(o: Outcome):
    """Headline numbers, downloads, charts and the table of effects."""
    c = o.comparison
    stale = o.settings != settings.value
    solara.HTML("div", html.escape(o.heading()), classes=["results-heading"])
    if o.partial:
        PartialNote(o)
    if stale:
        solara.Info(
            "The settings have changed since this run; press Run comparison to update.",
            dense=True,
            classes=["stale-note"],
        )
    solara.HTML("div", verdict_html(c), classes=["verdict-block"])
    if len(o.settings.packages) > 1:
        contrasts = contrast_section(c)
        if contrasts is not None:
            with solara.Card(contrasts.title, margin=0, classes=["contrast-card"]):
                solara.HTML("div", contrasts.body, classes=["contrasts"])
    Headlines(o)
    if not o.partial:  # downloads must equal the command line's files: final results only
        with solara.Row(classes=["downloads"]):
            solara.FileDownload(
                o.results_csv,
                filename=f"{o.settings.lab}_{o.package}_results.csv",
                label="Results table (CSV)",
                mime_type="text/csv",
            )
            solara.FileDownload(
                o.report_html,
                filename=f"{o.settings.lab}_{o.package}_report.html",
                label="HTML report of this page",
                mime_type="text/html",
            )
    urls = o.charts()
    group = label(focus_group(c)).lower()
    for name, (_, title) in FIGURES.items():
        with solara.Card(title, margin=0, classes=["chart-card", f"chart-{name}"]):
            solara.HTML("div", html.escape(CAPTIONS[name].format(group=group)), classes=["caption"])
            solara.HTML(
                "div",
                f"<img alt='{html.escape(title)}' src='{urls[name]}' data-package='{o.package}' "
                f"data-replications='{o.replications}' data-partial='{str(o.partial).lower()}'/>",
                classes=["chart"],
            )
    with solara.Card("Effects with 95% confidence intervals", margin=0, classes=["table-card"]):
        solara.HTML(
            "div",
            EFFECTS_CAPTION + " The download holds every estimate (participants, employer "
            "contexts, evidence, ablation).",
            classes=["caption"],
        )
        solara.HTML("div", effects_html(effects_table(c, o.package)), classes=["effects"])


@solara.component
def Intro():
    """What the page does, before the first run."""
    solara.HTML(
        "div",
        "<b>How to use this page.</b> Choose a living lab and a package on the left; switch "
        "single interventions on or off, set their places per month or the whole monthly "
        "budget; choose how many replications to run; press <b>Run comparison</b>. Every "
        "package is compared with the baseline — the same lab without it, run on the same "
        "random numbers — so differences are the package's effect. The results table, the "
        "HTML report and a scenario file for <code>synclusive compare</code> can be "
        "downloaded.",
        classes=["intro"],
    )


@solara.component
def Header(s: Settings):
    """Lab and package in a sentence."""
    try:
        check_choices(s)  # a lab or package sent by the browser is loaded only if shipped
        lab = load_lab(s.lab).file.lab
        package = load_package(s.package).file.package
        others = [load_package(p).file.package.title for p in s.packages[1:]]
    except ScenarioError:
        return
    targets = ", ".join(label(g).lower() for g in lab.target_groups)
    beside = f" Compared side by side with: {'; '.join(others)}." if others else ""
    solara.HTML(
        "div",
        f"<div class='lab-title'>{html.escape(lab.title)} · {html.escape(package.title)}</div>"
        f"<div class='lab-detail'>Target groups: {html.escape(targets)}. "
        f"{html.escape(package.description)}{html.escape(beside)}</div>",
        classes=["header"],
    )


@solara.component
def Page():
    """The dashboard."""
    solara.Title("Synclusive dashboard")
    solara.Style(CSS + VERDICT_CSS)
    s = settings.value
    scenario, message = solara.use_memo(lambda: validate(s), [s])
    with solara.AppBarTitle():
        solara.Text("Synclusive engine simulator · policy dashboard")
    with solara.Sidebar():
        Controls()
    with solara.Column(classes=["main"]):
        Header(s)
        if message:
            if scenario is None:
                solara.Error(message, classes=["invalid-settings"])
            else:
                solara.Warning(message, classes=["settings-warning"])
        else:
            solara.HTML("div", html.escape("Command line: " + cli_command(s)), classes=["cli"])
        RunBar(scenario)
        if outcome.value is not None:
            Results(outcome.value)
        else:
            Intro()
