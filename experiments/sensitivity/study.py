"""A sensitivity study: problem + method + sample size + outcomes, run by the experiments runner.

>>> from experiments.sensitivity.study import scenario_study, run_study, analyse_study
>>> study = scenario_study("kokkola_engine", samples=64, replications=2, months=36)
>>> run_study(study, "outputs/sa", executor="processes", workers=2)   # resumable
>>> result = analyse_study("outputs/sa")
>>> result.save("outputs/sa")            # tables, figures, report.html

The sample becomes a ``points`` design (duplicate rows, which Morris grids can produce, run
once), replicated with common random numbers: every point of replication ``r`` shares its
seed, and the package arm and baseline of a run share it too. The study's definition is
written to ``study.json`` next to the runner's folder (``runs/``); rerunning the same study
resumes, a different one in the same folder is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.errors import DesignError, StoreError
from experiments.runner.batch import Summary, run_experiment
from experiments.runner.design import Design
from experiments.runner.keys import SAMPLER_SPAWN_KEY, canonical_json
from experiments.runner.renames import current_name
from experiments.runner.store import ResultStore
from experiments.sensitivity import morris, sobol
from experiments.sensitivity.analysis import analyse
from experiments.sensitivity.effect_run import scenario_bundle
from experiments.sensitivity.outcomes import default_outcomes
from experiments.sensitivity.problem import SAProblem, build_problem
from scenarios import load_scenario, scenario_from_names
from simulator.tables import write_file

#: Study methods: each has its sample and analysis module (sobol.py, morris.py).
METHODS = ("sobol", "morris")
EFFECT_MODEL = "experiments.sensitivity.effect_run:PackageEffectRun"
STUDY_FILE = "study.json"
RUNS_DIR = "runs"


@dataclass(frozen=True)
class Study:
    """Everything that decides a sensitivity study's runs and analysis.

    Attributes
    ----------
    problem : SAProblem
        Uncertain parameters, ranges and mechanism groups.
    method : str
        ``"sobol"`` (first-order and total indices) or ``"morris"`` (screening).
    samples : int
        Sobol' base sample N (a power of two) or Morris trajectories.
    replications : int
        Runs per point, with common random numbers (2 or more to measure noise).
    root_seed : int
        Seeds the sampler and every run.
    outcomes : tuple of str
        Stored columns (``metric/group``) or ratio outcomes to analyse; empty: every column.
    model : str
        The runner's model (default: the package's effect against the baseline).
    base_params : dict or None
        Passed to the model (a scenario bundle for the default model).
    name, scenario : str
        Labels for the manifest and report.
    levels : int
        Morris grid levels.
    confidence : float
        Level of the bootstrap intervals.
    resamples : int
        Bootstrap resamples.
    """

    problem: SAProblem
    method: str = "sobol"
    samples: int = 64
    replications: int = 2
    root_seed: int = 0
    outcomes: tuple[str, ...] = ()
    model: str = EFFECT_MODEL
    base_params: dict[str, Any] | None = field(default=None, repr=False)
    name: str = "sensitivity"
    scenario: str = "default"
    levels: int = 4
    confidence: float = 0.95
    resamples: int = 200

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise DesignError(f"unknown method {self.method!r}; choose from {', '.join(METHODS)}")
        if self.replications < 1:
            raise DesignError("replications must be at least 1")

    @property
    def sampler_seed(self) -> int:
        """Seed of the SALib sampler, derived from the root seed (as design samplers are)."""
        seq = np.random.SeedSequence(self.root_seed, spawn_key=SAMPLER_SPAWN_KEY)
        return int(seq.generate_state(1)[0] % (2**31))

    def matrix(self) -> np.ndarray:
        """The sample: one row of parameter values per model evaluation."""
        if self.method == "morris":
            return morris.sample(self.problem, self.samples, self.sampler_seed, self.levels)
        return sobol.sample(self.problem, self.samples, self.sampler_seed)

    def design(self) -> tuple[Design, np.ndarray]:
        """The runner's design and, for each sample row, the index of its design point."""
        x = self.matrix()
        names = self.problem.names
        points: list[dict[str, float]] = []
        index: dict[str, int] = {}
        row_point = np.empty(len(x), dtype=np.int64)
        for i, row in enumerate(x):
            point = {n: float(v) for n, v in zip(names, row, strict=True)}
            key = canonical_json(point)
            if key not in index:
                index[key] = len(points)
                points.append(point)
            row_point[i] = index[key]
        design = Design(
            name=self.name,
            kind="points",
            point_list=tuple(points),
            replications=self.replications,
            root_seed=self.root_seed,
            seeds="common",
            base_params=self.base_params,
            scenario=self.scenario,
            model=self.model,
            source=f"sensitivity study {self.name}",
        )
        return design, row_point

    def to_dict(self) -> dict[str, Any]:
        """Plain data (``study.json``)."""
        data = asdict(self)
        data["problem"] = self.problem.to_dict()
        data["outcomes"] = list(self.outcomes)
        data.pop("base_params")  # the runner's manifest records it
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base_params: Any = None) -> Study:
        """Inverse of :meth:`to_dict`."""
        fields = dict(data)
        fields["problem"] = SAProblem.from_dict(data["problem"])
        fields["outcomes"] = tuple(data["outcomes"])
        return cls(**fields, base_params=base_params)


def scenario_study(
    package: str | None = None,
    *,
    lab: str | None = None,
    scenario: str | None = None,
    months: int | None = None,
    persons: int | None = None,
    evaluation_months: int | None = None,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = ("mechanisms", "interventions"),
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    ranges: Mapping[str, tuple[float, float]] | None = None,
    mechanisms: Mapping[str, str] | None = None,
    relative_range: float = 0.5,
    grouped: bool = True,
    outcomes: Sequence[str] | None = None,
    **study: Any,
) -> Study:
    """A study of a package's effect in a living lab.

    Parameters
    ----------
    package, lab
        A package (on its own lab unless ``lab`` is given), as ``synclusive compare``.
    scenario
        Or a scenario file / shipped scenario name (its first package is studied).
    months, persons, evaluation_months
        Run settings (default: the scenario's).
    overrides
        ``PATH=VALUE`` fixed overrides (``--set``).
    sets, include, exclude, ranges, mechanisms, relative_range, grouped
        Parameter selection, see :func:`experiments.sensitivity.problem.build_problem`.
    outcomes
        Outcomes to analyse (default:
        :func:`experiments.sensitivity.outcomes.default_outcomes` for the lab's target groups).
    **study
        Other :class:`Study` fields (``method``, ``samples``, ``replications``, ...).
    """

    if scenario is not None:
        composed = load_scenario(scenario, list(overrides))
    else:
        composed = scenario_from_names(package, lab=lab, overrides=list(overrides))
    if not composed.arms:
        raise DesignError("the scenario has no package: there is no effect to analyse")
    changes = {
        k: v
        for k, v in {
            "months": months,
            "persons": persons,
            "evaluation_months": evaluation_months,
        }.items()
        if v is not None
    }
    if changes:
        run = composed.run.model_copy(update=changes)
        if scenario is not None:
            composed = load_scenario(scenario, list(overrides), run=run)
        else:
            composed = scenario_from_names(package, lab=lab, overrides=list(overrides), run=run)
    problem = build_problem(
        composed.arms[0].params.interventions,
        sets,
        include,
        exclude,
        ranges,
        mechanisms,
        relative_range,
        grouped,
    )
    targets = composed.lab.file.lab.target_groups
    chosen = tuple(outcomes) if outcomes else tuple(default_outcomes(targets))
    study.setdefault("root_seed", composed.run.seed)
    return Study(
        problem=problem,
        outcomes=chosen,
        base_params=scenario_bundle(composed),
        name=f"sensitivity-{composed.name}",
        scenario=composed.name,
        **study,
    )


def run_study(
    study: Study,
    out: str | Path,
    *,
    executor: Any = "processes",
    workers: int | None = None,
    backend: Any = None,
    progress: bool = True,
    chunk_size: int | None = None,
    shard: Any = None,
) -> Summary:
    """Run every missing run of a study through the experiments runner (resumable).

    ``executor``, ``workers`` and ``backend`` (the former name of ``executor``) are those of
    :func:`experiments.runner.batch.run_experiment`.

    Raises
    ------
    StoreError
        If ``out`` holds a different study.
    """
    out = Path(out)
    design, _ = study.design()
    text = json.dumps(study.to_dict(), indent=2, sort_keys=True)
    path = out / STUDY_FILE
    if path.exists() and _stored_form(json.loads(path.read_text())) != _stored_form(
        json.loads(text)
    ):
        raise StoreError(
            f"{out} holds a different sensitivity study; rerun the same study or choose "
            "another folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_file(path, text)
    return run_experiment(
        design,
        out / RUNS_DIR,
        backend=backend,
        workers=workers,
        executor=executor,
        progress=progress,
        chunk_size=chunk_size,
        shard=shard,
    )


def _stored_form(data: dict[str, Any]) -> str:
    """Canonical text of a study definition, its model read under its current name."""
    return canonical_json({**data, "model": current_name(data.get("model", EFFECT_MODEL))})


def load_study(out: str | Path) -> Study:
    """The study stored in a folder (its model bundle read back from the runner's manifest)."""

    out = Path(out)
    path = out / STUDY_FILE
    if not path.exists():
        raise StoreError(f"{out} is not a sensitivity study folder (no {STUDY_FILE})")
    manifest = ResultStore.open(out / RUNS_DIR).manifest
    return Study.from_dict(json.loads(path.read_text()), manifest["design"].get("base_params"))


def stored_runs(out: str | Path) -> pd.DataFrame:
    """One row per stored run: ``run_key, point, replication`` and the outcome columns."""

    store = ResultStore.open(Path(out) / RUNS_DIR)
    data = store.load(parameters=False)
    runs = store.experiments()[["run_key", "point", "replication"]]
    return runs.merge(data, on="run_key", how="inner")


def analyse_study(out: str | Path, outcomes: Sequence[str] | None = None) -> Any:
    """Analyse a stored study (see :func:`experiments.sensitivity.analysis.analyse`)."""

    study = load_study(out)
    return analyse(study, stored_runs(out), outcomes)
