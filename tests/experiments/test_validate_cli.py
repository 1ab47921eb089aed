"""``synclusive validate``: outputs, exit status and clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from helpers import lab_text

from cli import main


def test_validate_writes_table_figure_and_page(tmp_path: Path, capsys) -> None:
    out = tmp_path / "v"
    code = main(["validate", "kokkola", "--replications", "2", "--months", "13", "--out", str(out)])
    table = pd.read_parquet(out / "validation.parquet")
    # Exit status 0 exactly when every figure is reproduced.
    assert code == (0 if (table["verdict"] == "reproduced").all() else 1)
    assert set(table["lab"]) == {"kokkola"}
    assert {"unemployment_rate", "long_term_share", "quarterly_u_to_e"} <= set(table["statistic"])
    assert (table["low"] <= table["model"]).all() and (table["model"] <= table["high"]).all()
    assert (out / "validation.csv").exists() and (out / "figures" / "validation.png").exists()
    page = (out / "validation.html").read_text()
    assert "published figures" in page and "data:image/png;base64," in page
    assert "Unemployment rate" in capsys.readouterr().out


def test_validate_a_lab_without_published_figures_is_a_clear_error(tmp_path: Path, capsys) -> None:
    lab = tmp_path / "bare.toml"
    lab.write_text(lab_text())
    out = tmp_path / "v"
    code = main(["validate", str(lab), "--replications", "2", "--months", "13", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "bare.toml" in err and "no [[published]] figures" in err
    assert not out.exists()


def test_validate_rejects_a_single_replication(capsys) -> None:
    try:
        main(["validate", "kokkola", "--replications", "1"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "--replications must be at least 2" in capsys.readouterr().err
