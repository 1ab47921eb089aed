"""One output-folder policy for every command: a folder of other files is refused before any
run unless --overwrite; the command's own earlier output is reused; unwritable is said so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from experiments_helpers import design_toml
from hardening_helpers import cli, files, small_calibration

from simulator.output_folder import (
    MARKER,
    OutputFolderError,
    check_output_folder,
    folder_command,
    mark_output_folder,
)

SMALL_COMPARE = ["--replications", "2", "--months", "12", "--persons", "300", "--no-ablation"]


def test_what_the_policy_accepts_and_refuses(tmp_path):
    new = tmp_path / "a" / "b"
    assert check_output_folder(new, "run") == new
    assert not (tmp_path / "a").exists()  # checking creates nothing
    empty = tmp_path / "empty"
    empty.mkdir()
    check_output_folder(empty, "run")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x")
    with pytest.raises(OutputFolderError, match=r"holds other files.*--overwrite"):
        check_output_folder(mine, "run")
    check_output_folder(mine, "run", overwrite=True)
    check_output_folder(mine, "compare", own_files=("notes.txt",))
    mark_output_folder(mine, "run")
    assert folder_command(mine) == "run"
    check_output_folder(mine, "run")
    with pytest.raises(OutputFolderError, match="holds the output of `synclusive run`"):
        check_output_folder(mine, "compare")
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(OutputFolderError, match="is a file, not a folder"):
        check_output_folder(file, "run")
    with pytest.raises(OutputFolderError, match="is a file, so no folder can be made"):
        check_output_folder(file / "sub" / "deeper", "run")
    (mine / MARKER).write_bytes(b"\xff\xfe not json")
    assert folder_command(mine) is None


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="no /sys here")
def test_an_unwritable_place_is_named_as_such():
    with pytest.raises(OutputFolderError, match="cannot write there"):
        check_output_folder("/sys/synclusive-out", "run")


def _foreign(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("my work")
    return folder


def test_compare_refuses_a_folder_of_other_files_before_running(tmp_path, capsys):
    out = _foreign(tmp_path)
    code, err = cli(["compare", "kokkola_engine", *SMALL_COMPARE, "--out", str(out)], capsys)
    assert code == 2 and "--overwrite" in err
    assert files(out) == {Path("thesis.txt")}
    assert not list(tmp_path.glob(".*partial"))


def test_experiment_run_refuses_a_folder_of_otherfiles(tmp_path, capsys):
    out = _foreign(tmp_path)
    design = tmp_path / "d.toml"
    design.write_text(design_toml(replications=1))
    code, err = cli(["experiment", "run", str(design), "--out", str(out), "--quiet"], capsys)
    assert code == 2 and "--overwrite" in err
    assert files(out) == {Path("thesis.txt")}
    args = ["experiment", "run", str(design), "--out", str(out), "--quiet", "--executor", "serial"]
    assert cli([*args, "--overwrite"], capsys)[0] == 0
    assert cli(args, capsys)[0] == 0  # its own folder resumes without --overwrite


def test_calibrate_refuses_a_folder_of_otherfiles(tmp_path, capsys):
    out = _foreign(tmp_path)
    code, err = cli(["calibrate", str(small_calibration(tmp_path)), "--out", str(out)], capsys)
    assert code == 2 and "--overwrite" in err
    assert files(out) == {Path("thesis.txt")}


def test_sensitivity_run_refuses_a_folder_of_otherfiles(tmp_path, capsys):
    out = _foreign(tmp_path)
    args = ["sensitivity", "run", "kokkola_engine", "--method", "morris", "--samples", "2"]
    args += ["--months", "12", "--persons", "300", "--replications", "1", "--quiet"]
    code, err = cli([*args, "--out", str(out)], capsys)
    assert code == 2 and "--overwrite" in err
    assert files(out) == {Path("thesis.txt")}


def test_write_schemas_refuses_a_folder_of_otherfiles(tmp_path, capsys):
    out = _foreign(tmp_path)
    code, err = cli(["scenarios", "--write-schemas", str(out)], capsys)
    assert code == 2 and "--write-schemas" in err and "--overwrite" in err
    assert files(out) == {Path("thesis.txt")}
    fresh = tmp_path / "schemas"
    assert cli(["scenarios", "--write-schemas", str(fresh)], capsys)[0] == 0
    assert cli(["scenarios", "--write-schemas", str(fresh)], capsys)[0] == 0
    assert json.loads((fresh / "lab.schema.json").read_text())


def test_run_marks_its_folder_as_its_own(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", "--persons", "200", "--months", "2", "--quiet", "--no-figures"]
    assert cli([*args, "--out", str(out)], capsys)[0] == 0
    assert folder_command(out) == "run"
    code, err = cli(["compare", "kokkola_engine", *SMALL_COMPARE, "--out", str(out)], capsys)
    assert code == 2 and "holds the output of `synclusive run`" in err
