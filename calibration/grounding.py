"""Grounding a living lab: set its flow parameters so that its baseline reproduces the
published statistics it carries.

A weighted nonlinear least-squares fit (``scipy.optimize.least_squares``) of the parameters
that move the published statistics most — job creation, applications, recruitment time, the
hazards of every flow between employment, unemployment and inactivity, the return of the
recently inactive, the stigma of long spells and the strictness of hiring up the ladder — on
the log scale. Each residual is log(model / published) divided by the figure's tolerance, so a
figure counts in proportion to how closely it must be met, and where the published figures are
not quite consistent with one another (different years, ages, proxies) the fit spreads the gap
over the looser ones, keeping a margin inside each tolerance where it can. Each evaluation is the
mean over replications of baseline runs with fixed seeds (common random numbers), so finite
differences compare like with like.

Usage: ``python -m calibration.grounding LAB [--write] [--replications R] [--months M]``. It
prints the values (and with ``--write`` sets them in the lab file, marked ``# grounded``); the
result is then checked by ``synclusive validate``.
"""

from __future__ import annotations

import argparse
import copy
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from experiments.comparison.validation import baseline_params, replication_statistics
from experiments.runner.executors import submit_run
from scenarios.compose import Lab, load_lab
from simulator.options import apply_override
from simulator.params import ModelParams
from simulator.tables import write_file

#: Parameters fitted, each on the log scale within these bounds.
FITTED: dict[str, tuple[float, float]] = {
    "demand.job_creation_multiplier": (0.5, 2.0),
    "matching.applications": (0.5, 20.0),
    "matching.screening_rate": (0.2, 1.0),
    "matching.level_strictness": (0.005, 0.3),
    "demand.quit_rate": (0.0005, 0.05),
    "demand.employment_exit_rate": (0.0005, 0.05),
    "demand.inactivity_exit_rate": (0.005, 0.3),
    "demand.reentry_rate": (0.0005, 0.2),
    "demand.recent_return_multiplier": (1.0, 50.0),
    "demand.inactive_search_rate": (0.0005, 0.5),
    "matching.stigma_per_month": (0.0005, 0.1),
}
#: Tied to a fitted parameter in the lab's own proportion (dismissals scale with quits).
TIED = {"demand.dismissal_rate": "demand.quit_rate"}
GROUNDED = "# grounded: python -m calibration.grounding"
#: Share of a figure's tolerance beyond which its residual grows faster, and how much faster.
EDGE, EDGE_PENALTY = 0.75, 4.0


def _get(data: dict, path: str) -> float:
    node = data
    for part in path.split("."):
        node = node[part]
    return float(node)


class Grounding:
    """The fit of one lab: residuals of a parameter vector, evaluated on fixed seeds."""

    def __init__(self, lab: Lab, replications: int, months: int, executor: Executor) -> None:
        self.figures = [f for f in lab.file.published]
        self.names = sorted({f.statistic for f in self.figures})
        self.base = baseline_params(lab, months).model_dump()
        self.ratios = {t: _get(self.base, t) / _get(self.base, s) for t, s in TIED.items()}
        self.replications = replications
        self.executor = executor
        self.evaluations = 0

    def params(self, x: np.ndarray) -> ModelParams:
        data = copy.deepcopy(self.base)
        for path, value in zip(FITTED, np.exp(x), strict=True):
            apply_override(data, path, float(value), "grounding")
        for tied, source in TIED.items():
            apply_override(data, tied, _get(data, source) * self.ratios[tied], "grounding")
        return ModelParams.model_validate(data)

    def statistics(self, x: np.ndarray) -> dict[str, float]:
        params = self.params(x)
        futures = [
            submit_run(
                self.executor,
                replication_statistics,
                params,
                np.random.SeedSequence(1000 + r),
                self.names,
                13,
            )
            for r in range(self.replications)
        ]
        runs = [f.result() for f in futures]
        self.evaluations += 1
        return {k: float(np.nanmean([r[k] for r in runs])) for k in self.names}

    def residuals(self, x: np.ndarray) -> np.ndarray:
        stats = self.statistics(x)
        r = np.array(
            [np.log(max(stats[f.statistic], 1e-6) / f.value) / f.accepted_gap for f in self.figures]
        )
        # Steeper beyond three quarters of a tolerance: a figure at the edge of its tolerance
        # would fall out of it with other seeds, so the fit keeps a margin where it can.
        return r + EDGE_PENALTY * np.sign(r) * np.maximum(0.0, np.abs(r) - EDGE)

    def start(self) -> np.ndarray:
        low, high = self.bounds()
        x = np.log([_get(self.base, p) for p in FITTED])
        return np.clip(x, low + 1e-9, high - 1e-9)

    @staticmethod
    def bounds() -> tuple[np.ndarray, np.ndarray]:
        return (
            np.log([b[0] for b in FITTED.values()]),
            np.log([b[1] for b in FITTED.values()]),
        )


def ground(lab_name: str, replications: int, months: int, workers: int, evaluations: int):
    """Fit a lab; returns the fitted values (fitted and tied parameters) and the fit's report."""
    lab = load_lab(lab_name)
    with ProcessPoolExecutor(workers) as pool:
        problem = Grounding(lab, replications, months, pool)
        fit = least_squares(
            problem.residuals,
            problem.start(),
            bounds=problem.bounds(),
            diff_step=0.08,
            max_nfev=evaluations,
            x_scale=1.0,
        )
        params = problem.params(fit.x)
        final = problem.statistics(fit.x)
    data = params.model_dump()
    values = {p: _get(data, p) for p in [*FITTED, *TIED]}
    report = [
        f"{f.statistic:28s} published {f.value:.4f} model {final[f.statistic]:.4f} "
        f"ratio {final[f.statistic] / f.value:.2f} (tolerance {f.accepted_gap:.0%})"
        for f in problem.figures
    ]
    return values, report


def write_values(path: Path, values: dict[str, float]) -> None:
    """Set ``section.key = value`` lines in a lab file, keeping everything else as it is.

    A key already in its section is replaced in place; a missing key goes at the top of its
    section; a missing section goes before the published figures.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    for dotted, value in values.items():
        section, key = dotted.split(".")
        text = f"{key} = {value:.4g}".ljust(34) + GROUNDED
        header = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), None)
        if header is None:
            at = next((i for i, line in enumerate(lines) if line.startswith("# ------")), None)
            at = len(lines) if at is None else at
            lines[at:at] = [f"[{section}]", text, ""]
            continue
        end = next(
            (i for i in range(header + 1, len(lines)) if lines[i].startswith("[")), len(lines)
        )
        found = next(
            (i for i in range(header + 1, end) if lines[i].split("=")[0].strip() == key), None
        )
        if found is None:
            lines.insert(header + 1, text)
        else:
            lines[found] = text
    write_file(path, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lab")
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--evaluations", type=int, default=80, help="model evaluations at most")
    parser.add_argument("--write", action="store_true", help="write the values into the lab file")
    args = parser.parse_args(argv)
    values, report = ground(
        args.lab, args.replications, args.months, args.workers, args.evaluations
    )
    print("\n".join(report))
    for path, value in values.items():
        print(f"{path} = {value:.5g}")
    if args.write:
        write_values(load_lab(args.lab).source, values)
        print(f"wrote {load_lab(args.lab).source}")


if __name__ == "__main__":
    main()
