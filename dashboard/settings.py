"""What the analyst has chosen on the page, and the scenario file it amounts to.

:class:`Settings` is plain, immutable data. :func:`scenario_toml` writes it as a scenario file
(``[scenario]``, ``[run]``, ``[set]``) that ``synclusive compare FILE`` runs unchanged, and
:func:`load_settings` composes the page's scenario from that very text, so the page, the
saved file and the command line always describe the same runs.

An intervention switched off keeps its place in the package but enrols nobody: capacity 0
and an enrolment window closed after month 0 (the adaptation rule may move capacity to it,
but nobody can start).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from scenarios import Scenario, ScenarioError, load_lab, load_package, scenario_from_names
from scenarios.adaptation import unit_cost
from scenarios.catalogue import load_catalogue
from scenarios.files import LAB_DIR, PACKAGE_DIR, shipped
from scenarios.overrides import parse_assignment
from scenarios.schema import RunSettings

#: Run settings the page starts with: small enough to answer in seconds.
DEFAULT_RUN = {"replications": 5, "persons": 5000, "months": 60, "ablation": False}


@dataclass(frozen=True)
class InterventionChoice:
    """One intervention of the chosen package, as the analyst has set it.

    Attributes
    ----------
    name, kind, title, side : str
        Name in the package, catalogue type, catalogue title, engine side
        (``inflow``, ``mobility`` or ``employers``).
    default_capacity : int
        The package's own monthly intake (participants or employers per month).
    unit_cost : float
        Expected cost of one participant, EUR (fee plus any subsidy).
    capacity : int
        Monthly intake chosen on the page.
    enabled : bool
        Whether the intervention is switched on.
    """

    name: str
    kind: str
    title: str
    side: str
    default_capacity: int
    unit_cost: float
    capacity: int
    enabled: bool = True


@dataclass(frozen=True)
class Settings:
    """Everything the page lets the analyst set.

    Attributes
    ----------
    lab, package : str
        Names of a shipped living lab and package.
    interventions : tuple of InterventionChoice
        The package's interventions with the chosen capacities and switches.
    replications, persons, months, seed : int
        Run settings (see :class:`scenarios.schema.RunSettings`).
    ablation : bool
        Also run mechanism ablation (five times the runs).
    extra : str
        Further ``PATH=VALUE`` overrides, one per line (as ``--set`` on the command line).
    compare : tuple of str
        Further packages of the same lab run beside ``package`` against the same baseline
        (side by side, with contrasts and the interaction term); the switches and places of
        ``interventions`` apply to every package that has the intervention.
    """

    lab: str
    package: str
    interventions: tuple[InterventionChoice, ...] = ()
    replications: int = DEFAULT_RUN["replications"]
    persons: int = DEFAULT_RUN["persons"]
    months: int = DEFAULT_RUN["months"]
    seed: int = RunSettings().seed
    ablation: bool = DEFAULT_RUN["ablation"]
    extra: str = ""
    compare: tuple[str, ...] = ()

    @property
    def packages(self) -> list[str]:
        """Every package run: the chosen one, then those compared with it."""
        return [self.package, *(p for p in self.compare if p != self.package)]

    def replace(self, **changes) -> Settings:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def with_intervention(self, name: str, **changes) -> Settings:
        """A copy with one intervention's capacity or switch changed."""
        items = tuple(
            dataclasses.replace(i, **changes) if i.name == name else i for i in self.interventions
        )
        return self.replace(interventions=items)


def labs() -> list[str]:
    """Names of the shipped living labs."""
    return shipped(LAB_DIR)


def packages() -> list[str]:
    """Names of the shipped packages."""
    return shipped(PACKAGE_DIR)


def lab_title(lab: str) -> str:
    """A shipped lab's title."""
    return load_lab(lab).file.lab.title


def package_title(package: str) -> str:
    """A shipped package's title."""
    return load_package(package).file.package.title


def packages_for(lab: str) -> list[str]:
    """The shipped packages written for ``lab`` (those that name no lab fit any)."""
    return [p for p in packages() if load_package(p).file.package.lab in (None, lab)]


def choices(names: list[str], title: Callable[[str], str]) -> list[dict[str, str]]:
    """Drop-down items: each name shown by its title."""
    return [{"text": title(n), "value": n} for n in names]


def with_lab(settings: Settings, lab: str) -> Settings:
    """Switch to another lab: its own first package unless the current one was written for it."""
    if settings.package in packages_for(lab):
        return settings.replace(
            lab=lab, compare=tuple(p for p in settings.compare if p in packages_for(lab))
        )
    fitting = sorted(packages_for(lab), key=lambda p: (not p.startswith(f"{lab}_"), p))
    changed = settings.replace(lab=lab, compare=())
    # The lab's own package (named after it) first, else the first in order.
    return with_package(changed, fitting[0]) if fitting else changed


def package_interventions(package: str) -> tuple[InterventionChoice, ...]:
    """The package's interventions with their defaults (resolved on the package's own lab).

    Capacities and costs come from the package and the catalogue, not from the lab, so they
    are known even when the chosen lab cannot run the package.
    """
    spec_list = scenario_from_names(package).arms[0].params.interventions
    catalogue = load_catalogue()
    return tuple(
        InterventionChoice(
            name=s.name,
            kind=s.kind,
            title=catalogue[s.kind].title,
            side=catalogue[s.kind].engine_side,
            default_capacity=s.capacity,
            unit_cost=unit_cost(s),
            capacity=s.capacity,
        )
        for s in spec_list
    )


def default_settings(package: str = "kokkola_engine", lab: str | None = None) -> Settings:
    """Settings for a package on a lab (default: the package's own lab)."""
    chosen = lab or load_package(package).file.package.lab or labs()[0]
    return Settings(lab=chosen, package=package, interventions=package_interventions(package))


def with_package(settings: Settings, package: str) -> Settings:
    """Switch to another package, keeping the lab and run settings."""
    compare = tuple(p for p in settings.compare if p != package)
    return settings.replace(
        package=package, interventions=package_interventions(package), compare=compare
    )


# ------------------------------------------------------------------ budget
def monthly_budget(settings: Settings) -> float:
    """EUR committed per month: intake × unit cost, summed over the switched-on interventions.

    This is the budget the package's adaptation rule keeps constant.
    """
    return float(sum(i.capacity * i.unit_cost for i in settings.interventions if i.enabled))


def default_budget(settings: Settings) -> float:
    """The monthly budget of the package as published, every intervention switched on."""
    return float(sum(i.default_capacity * i.unit_cost for i in settings.interventions))


def capacity_max(choice: InterventionChoice) -> int:
    """Top of an intervention's capacity slider: three times the package's intake, 30 at least."""
    return max(3 * choice.default_capacity, 30)


def _budget_start(settings: Settings) -> dict[str, int]:
    """Capacities the budget scales, by name: the switched-on interventions' own, or the
    package's when every one of them is at zero (so the budget can start from nothing)."""
    on = [i for i in settings.interventions if i.enabled]
    use_default = sum(i.capacity * i.unit_cost for i in on) <= 0
    return {i.name: i.default_capacity if use_default else i.capacity for i in on}


def budget_max(settings: Settings) -> float:
    """The largest monthly budget :func:`with_budget` can reach: every place it scales at the
    top of its slider (:func:`capacity_max`); the top of the budget slider.

    Interventions switched off, or at zero while others are not, are not scaled and add nothing.
    """
    start = _budget_start(settings)
    return float(
        sum(
            capacity_max(i) * i.unit_cost
            for i in settings.interventions
            if start.get(i.name, 0) > 0
        )
    )


def with_budget(settings: Settings, budget: float) -> Settings:
    """Scale the capacities of the switched-on interventions to spend ``budget`` per month.

    The mix between interventions stays as set (the package's own mix if every capacity is
    zero) until a capacity reaches the top of its slider (:func:`capacity_max`); it stays
    there and the rest of the budget goes to the others, so at :func:`budget_max` every
    scaled place is at its maximum. Capacities are rounded to whole participants, so the
    result is near, not at, ``budget``.
    """
    start = _budget_start(settings)
    moved = [i for i in settings.interventions if start.get(i.name, 0) > 0]
    if not any(start[i.name] * i.unit_cost > 0 for i in moved):
        return settings
    target = min(max(budget, 0.0), budget_max(settings))
    # Water-filling: scale the free capacities together, pin each one that would pass its
    # slider's top, and spread what is left over the rest (at most one pass per intervention).
    full: set[str] = set()
    factor = 0.0
    for _ in range(len(moved) + 1):
        pinned = sum(capacity_max(i) * i.unit_cost for i in moved if i.name in full)
        free = sum(start[i.name] * i.unit_cost for i in moved if i.name not in full)
        if free <= 0:
            break
        factor = max(target - pinned, 0.0) / free
        over = {
            i.name for i in moved if i.name not in full and start[i.name] * factor > capacity_max(i)
        }
        if not over:
            break
        full |= over
    items = []
    for i in settings.interventions:
        if start.get(i.name, 0) > 0:
            top = capacity_max(i)
            capacity = top if i.name in full else min(round(start[i.name] * factor), top)
            i = dataclasses.replace(i, capacity=capacity)
        items.append(i)
    return settings.replace(interventions=tuple(items))


# ------------------------------------------------------------------ scenario file
def overrides(settings: Settings) -> dict[str, object]:
    """The ``[set]`` table: capacities and switches, then the analyst's own overrides.

    Raises
    ------
    ScenarioError
        When an extra override line is not ``PATH=VALUE``.
    """
    out: dict[str, object] = {}
    for i in settings.interventions:
        prefix = f"interventions.{i.name}"
        if not i.enabled:
            out[f"{prefix}.capacity"] = 0
            out[f"{prefix}.start_month"] = 0
            out[f"{prefix}.end_month"] = 0
        elif i.capacity != i.default_capacity:
            out[f"{prefix}.capacity"] = int(i.capacity)
    for number, line in enumerate(settings.extra.splitlines(), start=1):
        text = line.strip()
        if text and not text.startswith("#"):
            path, value = parse_assignment(text, f"extra settings, line {number}:")
            out[path] = value
    return out


def run_settings(settings: Settings) -> RunSettings:
    """The lab's run settings with the page's replications, persons, months, seed, ablation.

    Raises
    ------
    ScenarioError
        When the lab is unknown or the combination is invalid.
    """
    lab = load_lab(settings.lab, where="living lab")
    base = (lab.file.run or RunSettings()).model_dump()
    base.update(
        replications=settings.replications,
        persons=settings.persons,
        months=settings.months,
        seed=settings.seed,
        ablation=settings.ablation,
    )
    from pydantic import ValidationError

    from scenarios.errors import format_errors

    try:
        return RunSettings.model_validate(base, strict=True)
    except ValidationError as err:
        raise ScenarioError(
            "invalid run settings:\n"
            + format_errors(err, RunSettings, "page settings", prefix=("run",))
        ) from None


def check_choices(settings: Settings) -> None:
    """Refuse a lab or package that is not one of the server's shipped names.

    The page's selectors offer only those names, but the value a browser sends back is not
    to be trusted: it becomes part of a file name and is loaded as a lab or package, and a
    path there would read or write files anywhere on the server. Checked before anything is
    composed or written; the message shows the allowed names, never a server path.

    Raises
    ------
    ScenarioError
        When the lab or the package is not a shipped name.
    """
    for what, value, allowed in (
        ("living lab", settings.lab, labs()),
        *(("package", p, packages()) for p in settings.packages),
    ):
        if value not in allowed:
            shown = value if isinstance(value, str) and value.isidentifier() else "(not a name)"
            raise ScenarioError(
                f"{what} {shown!s} is not available here; choose one of: {', '.join(allowed)}"
            )


def scenario_name(settings: Settings) -> str:
    """Identifier of the scenario the settings describe."""
    check_choices(settings)
    more = f"_and_{len(settings.packages) - 1}_more" if len(settings.packages) > 1 else ""
    return f"{settings.lab}_{settings.package}{more}_dashboard"


def scenario_toml(settings: Settings) -> str:
    """The settings as a scenario file for ``synclusive compare FILE``.

    Raises
    ------
    ScenarioError
        When the settings cannot be written as a valid run (e.g. bad run settings).
    """
    check_choices(settings)
    lab = load_lab(settings.lab, where="living lab")
    titles = ", ".join(package_title(p) for p in settings.packages)
    off = [i.name for i in settings.interventions if not i.enabled]
    data = {
        "scenario": {
            "name": scenario_name(settings),
            "title": f"{lab.file.lab.title}: {titles} (dashboard settings)",
            "description": "Saved from the dashboard"
            + (f"; switched off: {', '.join(off)}" if off else "")
            + ".",
            "lab": settings.lab,
            "packages": settings.packages,
        },
        "run": run_settings(settings).model_dump(exclude_none=True),
    }
    table = overrides(settings)
    if table:
        data["set"] = table
    header = (
        "# Settings saved from the Synclusive dashboard. Run them with:\n"
        f"#   synclusive compare {scenario_name(settings)}.toml\n"
        "# A switched-off intervention has capacity 0 and an enrolment window closed after\n"
        "# month 0 (interventions.NAME.capacity / start_month / end_month below).\n\n"
    )
    return header + tomli_w.dumps(data)


def cli_command(settings: Settings) -> str:
    """The command line that runs the saved scenario file."""
    return f"synclusive compare {scenario_name(settings)}.toml"


def load_settings(settings: Settings) -> Scenario:
    """Compose the scenario of the settings from their scenario file, as the CLI would.

    Raises
    ------
    ScenarioError
        On any invalid choice, with the message the command line would print (the temporary
        file's path replaced by "dashboard settings").
    """
    from scenarios import load_scenario

    check_choices(settings)  # before any file is written
    text = scenario_toml(settings)
    with tempfile.TemporaryDirectory(prefix="synclusive-dashboard-") as folder:
        path = Path(folder) / f"{scenario_name(settings)}.toml"
        path.write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            message = str(err).replace(str(path.resolve()), "dashboard settings")
            raise ScenarioError(message.replace(str(path), "dashboard settings")) from None
    # Recorded as the file the analyst downloads, not the temporary copy.
    return dataclasses.replace(scenario, source=Path(path.name))


def settings_from_toml(text: str, source: str = "scenario file") -> Settings:
    """The page's settings from a scenario file it saved (or any file of the same shape).

    The lab, the packages (the first is the one whose interventions the page shows), the run
    settings and the ``[set]`` table come back: switches (capacity 0 with the enrolment
    window closed) and places of the first package's interventions, and every other line as
    a *More settings* line.

    Raises
    ------
    ScenarioError
        When the text is not TOML, names no shipped lab or package, or its run settings are
        invalid; the message names ``source``, never a server path.
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not a TOML file ({err})") from None
    info = data.get("scenario") or {}
    lab, names = info.get("lab"), info.get("packages") or []
    if not isinstance(lab, str) or not names or not all(isinstance(n, str) for n in names):
        raise ScenarioError(
            f"{source}: [scenario] needs lab and packages (as the dashboard saves them)"
        )
    base = Settings(lab=lab, package=names[0], compare=tuple(names[1:]))
    check_choices(base)
    settings = with_package(base, names[0]).replace(compare=tuple(names[1:]))
    run = data.get("run") or {}
    changes = {
        k: run[k] for k in ("replications", "persons", "months", "seed", "ablation") if k in run
    }
    settings = settings.replace(**changes)
    table = dict(data.get("set") or {})
    items = []
    for i in settings.interventions:
        prefix = f"interventions.{i.name}"
        capacity = table.pop(f"{prefix}.capacity", None)
        start, end = table.get(f"{prefix}.start_month"), table.get(f"{prefix}.end_month")
        if capacity == 0 and start == 0 and end == 0:
            table.pop(f"{prefix}.start_month")
            table.pop(f"{prefix}.end_month")
            i = dataclasses.replace(i, enabled=False)
        elif capacity is not None:
            i = dataclasses.replace(i, capacity=int(capacity))
        items.append(i)
    extra = "\n".join(f"{k}={tomli_w.dumps({'v': v})[4:].strip()}" for k, v in table.items())
    settings = settings.replace(interventions=tuple(items), extra=extra)
    run_settings(settings)  # invalid run settings are named now, not at Run
    return settings
