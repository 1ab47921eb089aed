"""The one reader of ``PATH=VALUE`` overrides and of parameter files (simulator.options)."""

from __future__ import annotations

import pytest

from simulator.errors import ParameterError
from simulator.options import (
    apply_override,
    build_params,
    parse_assignment,
    read_parameters_file,
    write_parameters_file,
)
from simulator.params import ModelParams


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a.b=0.3", 0.3),
        ("a.b=30", 30),
        ("a.b=true", True),
        ('a.b="text"', "text"),
        ("a.b=plain words", "plain words"),
        ("a.b=[0.1, 0.2]", [0.1, 0.2]),
        ("a.b=[[0.5, 0.6], [0, 0]]", [[0.5, 0.6], [0, 0]]),
    ],
)
def test_values_are_read_as_toml_values_else_as_text(text: str, value: object) -> None:
    assert parse_assignment(text) == ("a.b", value)


def test_named_list_items_and_indices() -> None:
    data = {"items": [{"name": "x", "n": 1}, {"name": "y", "n": 2}]}
    assert apply_override(data, "items.y.n", 5) == ("items", 1, "n")
    assert apply_override(data, "items.0.n", 7) == ("items", 0, "n")
    assert data["items"] == [{"name": "x", "n": 7}, {"name": "y", "n": 5}]
    with pytest.raises(ParameterError, match=r"has no item 'z'.*items: x, y"):
        apply_override(data, "items.z.n", 1)
    with pytest.raises(ParameterError, match="index 5 is out of range"):
        apply_override(data, "items.5.n", 1)


def test_an_unknown_key_is_refused_before_validation() -> None:
    with pytest.raises(ParameterError, match=r"unknown parameter.*did you mean 'quit_rate'"):
        build_params(None, ["demand.quitrate=0.1"])


def test_parameter_file_round_trip(tmp_path) -> None:
    params = build_params(None, ["demand.quit_rate=0.004", "months=7"])
    path = write_parameters_file(tmp_path / "parameters.json", params, seed=3, engine="python")
    data = read_parameters_file(path)
    assert "seed" not in data and "engine" not in data
    assert build_params(data) == params
    assert ModelParams.model_validate(data) == params


def test_run_metadata_is_checked_and_old_files_read(tmp_path) -> None:
    with pytest.raises(ValueError, match="not run metadata"):
        write_parameters_file(tmp_path / "p.json", ModelParams(), seeds=1)
    old = tmp_path / "old.json"  # as synclusive run wrote it before the engine flag
    old.write_text('{"seed": 1, "backend": "numba", "months": 5}')
    assert read_parameters_file(old) == {"months": 5}
    with pytest.raises(ParameterError, match="parameter file not found"):
        read_parameters_file(tmp_path / "missing.json")
    (tmp_path / "list.json").write_text("[1]")
    with pytest.raises(ParameterError, match="holds a JSON object, got list"):
        read_parameters_file(tmp_path / "list.json")
