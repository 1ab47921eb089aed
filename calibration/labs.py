"""Calibration data of each shipped lab, from the published figures its lab file carries.

    python -m calibration.labs [LAB ...]        # default: every shipped lab

For each lab, writes ``calibration/data/labs/<lab>/public.csv`` (its ``[[published]]``
figures in the public-statistics format, definition ``survey``) and ``calibration.toml``
(the lab as ``model.base``, four flow parameters searched around the lab's grounded values).
Then ``synclusive calibrate calibration/data/labs/<lab>/calibration.toml --workers 2``
reproduces the shipped fit report and ``calibrated_lab.toml``.

The figures carry no published standard errors. Each figure's tolerance (its largest accepted
relative gap, which already allows for another year, age range or geography) is taken as the
half-width of a 95% interval: ``se = tolerance × value / 1.96``. A figure is a steady-state
level, so it is compared with the mean over the data window (months 1-24 after the lab's
spin-up), computed by :func:`simulator.survey.window_mean` as validation and grounding do.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from calibration.grounding import FITTED
from experiments.comparison.validation import baseline_params
from scenarios.compose import Lab, load_lab
from scenarios.files import LAB_DIR, shipped
from simulator.tables import write_file

DATA = Path(__file__).parent / "data" / "labs"
#: Parameters searched: the flow hazards the quarterly transitions react to most.
PARAMETERS = (
    "demand.quit_rate",
    "matching.applications",
    "demand.inactivity_exit_rate",
    "demand.employment_exit_rate",
)
#: Months of the data window, and the simulated labour force.
MONTHS, PERSONS = 24, 4000


def _value(lab: Lab, path: str) -> float:
    node = baseline_params(lab, MONTHS).model_dump()
    for part in path.split("."):
        node = node[part]
    return float(node)


def public_table(lab: Lab) -> pd.DataFrame:
    """The lab's published figures as public statistics with standard errors."""
    rows = [
        {
            "statistic": f.statistic,
            "group": "all",
            "month_from": 1,
            "month_to": MONTHS,
            "value": f.value,
            "se": round(f.accepted_gap * f.value / 1.96, 6),
            "source": f"{f.source} ({f.year}, {f.geography})",
            "definition": "survey",
        }
        for f in lab.file.published
    ]
    return pd.DataFrame(rows)


def bounds(lab: Lab, path: str) -> tuple[float, float]:
    """Half to twice the lab's grounded value, inside the grounding's own range."""
    value = _value(lab, path)
    low, high = FITTED[path]
    return max(low, value / 2), min(high, value * 2)


def config_text(lab: Lab) -> str:
    """Calibration settings of a lab's published figures."""
    params = "\n".join(
        f'[[parameters]]\npath = "{p}"\nlower = {lo:.6g}\nupper = {hi:.6g}\n'
        for p in PARAMETERS
        for lo, hi in [bounds(lab, p)]
    )
    # the lab's own labour force: the model's run-to-run spread is scaled to it
    persons = _value(lab, "population.n_persons")
    labour_force = round(persons * (1 - _value(lab, "population.initial_inactive_share")))
    return f"""# Calibration of the {lab.name} lab to its published figures (calibration/labs.py).
# Run: synclusive calibrate calibration/data/labs/{lab.name}/calibration.toml --workers 2
[data]
public = "public.csv"
labour_force = {labour_force}
label = "{lab.file.lab.title}: published survey figures (se from each figure's tolerance)"

[model]
base = "{lab.name}"
persons = {PERSONS}

{params}
[fit]
seed = 1
replications = 3
popsize = 6
maxiter = 30
se_replications = 32
"""


def write_lab(name: str, root: Path = DATA) -> list[Path]:
    """Write a lab's public data and calibration settings."""
    lab = load_lab(name)
    if not lab.file.published:
        raise SystemExit(f"{lab.source}: the lab carries no [[published]] figures")
    folder = root / lab.name
    folder.mkdir(parents=True, exist_ok=True)
    table = public_table(lab)
    csv = folder / "public.csv"
    table.to_csv(csv, index=False)
    config = write_file(folder / "calibration.toml", config_text(lab))
    return [csv, config]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="lab names (default: every shipped lab)")
    args = parser.parse_args(argv)
    for name in args.labs or shipped(LAB_DIR):
        for path in write_lab(name):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
