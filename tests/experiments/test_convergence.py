"""The spin-up convergence check: each shorter spin-up against the longest, paired by seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.comparison.convergence import (
    COLUMNS,
    DISTINGUISHABLE,
    SHARE_OF_TOLERANCE,
    lab_settled,
    main,
    markdown,
    spin_up_convergence,
)
from experiments.comparison.validation import baseline_params, replication_statistics
from scenarios.compose import load_lab
from simulator.survey import STATISTICS


@pytest.fixture(scope="module")
def table():
    return spin_up_convergence("kokkola", spin_ups=(12, 0, 6), seeds=2, window=12, persons=400)


def test_one_row_per_shorter_spin_up_and_statistic(table) -> None:
    assert list(table.columns) == list(COLUMNS)
    assert sorted(set(table["spin_up"])) == [0, 6]
    assert set(table["reference_spin_up"]) == {12}
    assert len(table) == 2 * len(STATISTICS)


def test_values_are_the_runs_means_and_differences_are_paired(table) -> None:
    """Each value is the mean over seeds of the statistic a plain baseline run gives; the
    relative difference is that of the means (paired differences average to it)."""
    lab = load_lab("kokkola")
    runs = {
        length: [
            replication_statistics(
                baseline_params(lab, 12, 400).model_copy(update={"spin_up_months": length}),
                np.random.SeedSequence(s, spawn_key=(0,)),
                list(STATISTICS),
                1,
            )
            for s in (1, 2)
        ]
        for length in (6, 12)
    }
    row = table[(table["spin_up"] == 6) & (table["statistic"] == "unemployment_rate")].iloc[0]
    value = np.mean([r["unemployment_rate"] for r in runs[6]])
    reference = np.mean([r["unemployment_rate"] for r in runs[12]])
    assert row["value"] == pytest.approx(value, rel=1e-12)
    assert row["reference"] == pytest.approx(reference, rel=1e-12)
    assert row["relative_difference"] == pytest.approx((value - reference) / reference)
    assert "| kokkola | 6 | 12 |" in markdown(table)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"spin_ups": (60,)}, "at least two spin-up lengths"),
        ({"seeds": 1}, "seeds must be at least 2"),
        ({"window": 11}, "window must be at least 12"),
    ],
)
def test_bad_settings_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        spin_up_convergence("kokkola", **kwargs)


def test_command_prints_the_table_and_refuses_bad_settings(tmp_path, capsys) -> None:
    csv = tmp_path / "convergence.csv"
    common = ["kokkola", "--seeds", "2", "--persons", "300", "--workers", "1"]
    assert main([*common, "--spin-ups", "0", "6", "--csv", str(csv)]) == 0
    assert "| kokkola | 0 | 6 |" in capsys.readouterr().out
    assert len(pd.read_csv(csv)) == len(STATISTICS)
    assert main([*common, "--spin-ups", "6"]) == 2
    assert "at least two spin-up lengths" in capsys.readouterr().err
    assert main(["atlantis", "--spin-ups", "0", "6"]) == 2


def test_default_is_the_labs_own_spin_up_against_twice_that(tmp_path) -> None:
    """Without lengths, a lab is checked at its ``[spin_up]`` against double it; ``settled``
    holds where the change is within a third of the statistic's tolerance (the lab's published
    figure's where it has one) or not distinguishable from the seeds' noise."""
    from helpers import lab_text

    path = tmp_path / "lab.toml"
    published = (
        '[[published]]\nstatistic = "vacancy_rate"\nvalue = 0.02\nyear = 2023\n'
        'geography = "here"\nsource = "test"\ndefinition = "test"\ntolerance = 0.6\n'
    )
    path.write_text(lab_text("[spin_up]\nmonths = 6\n\n" + published))
    table = spin_up_convergence(path, seeds=3, window=12, persons=400)
    assert set(table["spin_up"]) == {6}
    assert set(table["reference_spin_up"]) == {12}
    threshold = table.set_index("statistic")["threshold"]
    assert threshold["vacancy_rate"] == pytest.approx(0.6 * SHARE_OF_TOLERANCE)
    assert threshold["unemployment_rate"] == pytest.approx(
        STATISTICS["unemployment_rate"].tolerance * SHARE_OF_TOLERANCE
    )
    rel, z = table["relative_difference"].abs(), table["z"].abs()
    expected = (rel <= table["threshold"]) | (z < DISTINGUISHABLE)
    assert (table["settled"] == expected).all()
    # Only what the lab publishes decides: here the vacancy rate alone.
    assert list(table.loc[table["published"], "statistic"]) == ["vacancy_rate"]
    assert lab_settled(table) == bool(table.set_index("statistic").loc["vacancy_rate", "settled"])
    assert "| test_lab | 6 | 12 |" in markdown(table)
