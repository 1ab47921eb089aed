"""A package's effect against its baseline as one model run for the experiments runner.

:class:`PackageEffectRun` is a model callable (``model(overrides, seed) -> outcomes``) that
runs the baseline and the package arm of a scenario with the *same* seed (common random
numbers) and returns the difference of every comparison metric
(:func:`experiments.comparison.metrics.metric_values`) for every group. So each run of a
sensitivity design measures the package's effect, not a level, and the effect carries far less
noise than either arm.

Runs of a design share work where the result is certain to be the same: the baseline of a
point whose overrides touch only the package is the baseline already run for that seed, and
every arm whose set-up draws agree starts from one drawn market
(:mod:`simulator.world_cache`). Both caches are keyed by everything the result depends on, so
they change the time a design takes, never its numbers.

The scenario travels as the design's ``base_params`` (a *bundle*, see :func:`scenario_bundle`),
so it is recorded in the experiment's manifest and a changed scenario is refused on resume.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import ValidationError

from experiments.comparison.metrics import metric_values
from scenarios.adaptation import Adaptation
from scenarios.compose import _package_paths
from scenarios.errors import ScenarioError
from scenarios.overrides import apply_override
from scenarios.schema import AdaptationRule
from simulator.errors import ParameterError
from simulator.lru import LRUCache
from simulator.params import ModelParams
from simulator.world_cache import WorldCache

#: Baseline results kept per model callable: enough for the points of a few Sobol' rows.
BASELINES_KEPT = 64

#: Separator of metric and group in outcome names (``employment_rate/long_term_unemployed``).
SEP = "/"


def scenario_bundle(scenario: Any, arm: int = 0) -> dict[str, Any]:
    """What :class:`PackageEffectRun` needs of a composed scenario, as plain data.

    Parameters
    ----------
    scenario
        A :class:`scenarios.Scenario` (its run settings fix months, persons and the window).
    arm
        Which package arm to measure.
    """

    chosen = scenario.arms[arm]
    adaptation = chosen.adaptation.model_dump(mode="json") if chosen.adaptation else None
    return {
        "scenario": scenario.name,
        "package": chosen.name,
        "baseline": scenario.baseline.model_dump(mode="json"),
        "policy": chosen.params.model_dump(mode="json"),
        "package_paths": sorted(_package_paths(chosen.package)),
        "window": scenario.run.evaluation_months,
        "adaptation": adaptation,
    }


class PackageEffectRun:
    """Run baseline and package with common random numbers; return their differences.

    Parameters
    ----------
    base_params
        A bundle from :func:`scenario_bundle`.
    indicators, groups
        Accepted for the runner's interface; every metric and group is returned.
    engine
        ``"numba"`` or ``"python"`` (the reference implementation).
    """

    def __init__(
        self,
        base_params: Mapping[str, Any] | None = None,
        indicators: Sequence[str] = (),
        groups: Sequence[str] = (),
        engine: str = "numba",
    ) -> None:
        if not base_params or "policy" not in base_params:
            raise TypeError("PackageEffectRun needs a scenario bundle as base_params")
        self.bundle = dict(base_params)
        self.engine = engine
        self.worlds = WorldCache()
        self.baselines = LRUCache(BASELINES_KEPT)

    def arms(self, overrides: Mapping[str, Any]) -> tuple[ModelParams, ModelParams]:
        """Validated baseline and package parameters with the overrides applied.

        Overrides of interventions and of settings the package sets itself change the package
        arm only (as in scenario composition); all others change both arms.

        Raises
        ------
        simulator.errors.ParameterError
            Naming the path and the problem.
        """

        baseline = copy.deepcopy(self.bundle["baseline"])
        policy = copy.deepcopy(self.bundle["policy"])
        own = set(self.bundle["package_paths"])
        try:
            for path, value in overrides.items():
                apply_override(policy, path, value, "sensitivity design")
                if not (path.startswith("interventions.") or path in own):
                    apply_override(baseline, path, value, "sensitivity design")
        except ScenarioError as err:
            raise ParameterError(str(err)) from None
        out = []
        for name, data in (("baseline", baseline), ("package", policy)):
            try:
                out.append(ModelParams.model_validate(data))
            except ValidationError as err:
                raise ParameterError(f"{name} arm: {err}") from None
        return out[0], out[1]

    def validate(self, overrides: Mapping[str, Any]) -> None:
        """Check a design point before anything runs (raises ``ParameterError``)."""
        self.arms(overrides)

    def __call__(
        self, overrides: Mapping[str, Any], seed: np.random.SeedSequence
    ) -> dict[str, float]:
        """Effects (package − baseline) of every metric, keyed ``metric/group``."""
        baseline, policy = self.arms(overrides)
        key = (baseline.model_dump_json(), repr(seed.entropy), tuple(seed.spawn_key))
        base = self.baselines.get(key)
        if base is None:
            base = self._metrics(baseline, None, seed)
            self.baselines.put(key, base)
        pol = self._metrics(policy, self.bundle.get("adaptation"), seed)
        effect = pol - base
        return {f"{m}{SEP}{g}": float(v) for (m, g), v in effect.items()}

    def _metrics(self, params: ModelParams, adaptation: Any, seed: np.random.SeedSequence):
        # Imported here: the model loads the compiled kernels: only a run needs them.
        from simulator.model import LabourMarketModel

        # A fresh copy per arm: both arms must start from the same, unspent seed state.
        rng = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
        model = LabourMarketModel(params, rng=rng, engine=self.engine, worlds=self.worlds)
        if adaptation is not None:
            model.month_hooks.append(Adaptation(AdaptationRule.model_validate(adaptation)))
        model.advance()
        table = metric_values(model.indicator_arrays(), int(self.bundle["window"]))
        return table.set_index(["metric", "group"])["value"]
