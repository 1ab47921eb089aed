"""The HTML report renders, is self-contained and contains the figures."""

from __future__ import annotations

import base64
import re

import pytest

from cli import main
from experiments.comparison.report import FIGURES, render_html, write_report
from experiments.comparison.study import run_comparison
from scenarios.compose import scenario_from_names


@pytest.fixture(scope="module")
def comparison():
    scenario = scenario_from_names(
        "kokkola_engine",
        overrides=[
            "run.persons=2500",
            "run.months=24",
            "run.evaluation_months=6",
            "run.replications=2",
            "run.ablation=true",
        ],
    )
    return run_comparison(scenario, progress=False, command="synclusive compare (test)")


def test_report_contains_every_figure_embedded(comparison):
    page = render_html(comparison)
    images = re.findall(r"src=[\"']data:image/png;base64,([A-Za-z0-9+/=]+)[\"']", page)
    assert len(images) == len(FIGURES)
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in page.replace("https://", "") or "src='http" not in page
    for heading in (
        "Verdict",
        "Effects by target group",
        "displacement",
        "Costs",
        "Mechanism ablation",
        "Kokkola",
        "Assumptions",
    ):
        assert heading in page


def test_write_report_files(comparison, tmp_path):
    files = write_report(comparison, tmp_path)
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert {p.stem for p in files if p.suffix == ".png"} == set(FIGURES)


def test_cli_compare_writes_folder_and_report(tmp_path):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            "inflow_only",
            "--persons",
            "2000",
            "--months",
            "24",
            "--replications",
            "1",
            "--no-ablation",
            "--set",
            "run.evaluation_months=6",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert (out / "report.html").exists() and (out / "results.parquet").exists()
    assert not list(tmp_path.glob(".*partial"))
    assert main(["report", str(out)]) == 0
