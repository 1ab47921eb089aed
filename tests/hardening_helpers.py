"""Helpers of the hardening tests: the command line as a user meets it, and small inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main

SYNTHETIC = Path(__file__).resolve().parents[1] / "calibration" / "data" / "synthetic"
#: The quickest ``synclusive run``.
RUN = ["run", "--persons", "200", "--months", "2", "--quiet", "--no-figures"]


def cli(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """Exit code and error output of ``synclusive ARGS`` (an exception fails the test)."""
    try:
        code = main(args)
    except SystemExit as stop:  # argparse rejects a flag
        code = stop.code
    return code, capsys.readouterr().err


def files(folder: Path) -> set[Path]:
    """Every file and folder under ``folder``, relative to it."""
    return {p.relative_to(folder) for p in folder.rglob("*")}


def small_calibration(tmp_path: Path) -> Path:
    """The synthetic calibration with the smallest fit the settings allow."""
    text = (SYNTHETIC / "calibration.toml").read_text()
    for name in ("aggregate.csv", "panel.csv", "public.csv", "base_params.json"):
        text = text.replace(f'"{name}"', f'"{SYNTHETIC / name}"')
    text = text.replace("persons = 2000", "persons = 100")
    for key, value in (
        ("replications = 4", "replications = 1"),
        ("popsize = 6", "popsize = 3"),
        ("maxiter = 15", "maxiter = 0"),
        ("se_replications = 16", "se_replications = 2"),
        ("bootstrap = 200", "bootstrap = 20"),
    ):
        text = text.replace(key, value)
    path = tmp_path / "cal.toml"
    path.write_text(text)
    return path
