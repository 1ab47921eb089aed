"""Grounding a living lab: set its flow parameters so the baseline reproduces its published
statistics, by a damped fixed-point iteration.

Each published statistic below has one parameter that moves it most, and moves it in
proportion; the iteration scales that parameter by (published / model) ** power, runs the
baseline again and repeats. The unemployment rate is matched through the job-finding side
(applications) rather than the U->E transition itself, so that the rate, which the published
figures fix most firmly, holds even where the lab's transition figures are proxies. It prints
the values to write into the lab file; the lab files' values were set this way and then checked
by ``synclusive validate``.

Usage: ``python -m calibration.grounding LAB [--rounds N] [--replications R] [--months M]``.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from experiments.validation import baseline_params, replication_statistics
from scenarios.compose import load_lab
from simulator.tables import write_file

#: statistic -> (parameter paths it scales, power): the parameters that move it most. Jobs are
#: set by labour demand, so employment follows job creation; the vacancy rate follows how fast
#: vacancies are screened; the unemployed are the non-employed who search, so the unemployment
#: rate follows how often the recently inactive return to search, and each flow out of a
#: status follows its own hazard.
LEVERS: dict[str, tuple[tuple[str, ...], float]] = {
    "employment_to_population": (("demand.job_creation_multiplier",), 1.0),
    "vacancy_rate": (("matching.screening_rate",), -1.0),
    "unemployment_rate": (("demand.recent_return_multiplier",), 1.0),
    "quarterly_i_to_u": (("demand.reentry_rate",), 1.0),
    "quarterly_e_to_u": (("demand.quit_rate", "demand.dismissal_rate"), 1.0),
    "quarterly_e_to_i": (("demand.employment_exit_rate",), 1.0),
    "quarterly_u_to_i": (("demand.inactivity_exit_rate",), 1.0),
    "quarterly_i_to_e": (("demand.inactive_search_rate",), 1.0),
    "long_term_share": (("matching.stigma_per_month",), 1.5),
}
#: Bounds the iteration respects (the parameters' own).
CEILINGS = {"matching.screening_rate": 1.0, "demand.recent_return_multiplier": 50.0}
FLOORS = {"demand.recent_return_multiplier": 1.0}


def _get(data: dict, path: str) -> float:
    node = data
    for part in path.split("."):
        node = node[part]
    return float(node)


def _set(data: dict, path: str, value: float) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def ground(lab_name: str, rounds: int, replications: int, months: int, workers: int) -> dict:
    """Iterate and return the parameter values reached."""
    lab = load_lab(lab_name)
    targets = {f.statistic: f.value for f in lab.file.published if f.statistic in LEVERS}
    params = baseline_params(lab, months)
    data = params.model_dump()
    fields = {type(params).model_validate(data).__class__}  # validated each round below
    del fields
    with ProcessPoolExecutor(workers) as pool:
        for round_ in range(rounds):
            current = type(params).model_validate(data)
            futures = [
                pool.submit(
                    replication_statistics,
                    current,
                    np.random.SeedSequence(1000 + r),
                    sorted(targets),
                    13,
                )
                for r in range(replications)
            ]
            results = [f.result() for f in futures]
            model = {k: float(np.nanmean([r[k] for r in results])) for k in targets}
            print(
                f"round {round_}: "
                + ", ".join(f"{k} {model[k]:.4f}/{targets[k]:.4f}" for k in sorted(targets))
            )
            for stat, target in targets.items():
                paths, power = LEVERS[stat]
                if not np.isfinite(model[stat]) or model[stat] <= 0:
                    continue
                factor = float(np.clip((target / model[stat]) ** (0.6 * power), 0.6, 1.6))
                for path in paths:
                    value = _get(data, path) * factor
                    value = min(max(value, FLOORS.get(path, 0.0)), CEILINGS.get(path, np.inf))
                    _set(data, path, value)
    return {path: _get(data, path) for paths, _ in LEVERS.values() for path in paths}


GROUNDED = "# grounded: python -m calibration.grounding"


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
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write the values into the lab file")
    args = parser.parse_args(argv)
    values = ground(args.lab, args.rounds, args.replications, args.months, args.workers)
    for path, value in values.items():
        print(f"{path} = {value:.5g}")
    if args.write:
        write_values(load_lab(args.lab).source, values)
        print(f"wrote {load_lab(args.lab).source}")


if __name__ == "__main__":
    main()
