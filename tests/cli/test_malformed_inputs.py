"""Generated malformed inputs: every input file kind, mutated at random, gets a clear error.

Hypothesis mutates a valid lab, package, scenario (study), design and calibration settings
file: a value of the wrong type, a value far out of range, an unknown key, bytes that are
not UTF-8 text, or the file cut short. Each mutant goes through the real command line
(``synclusive compare``, ``experiment run --dry-run``, ``calibrate --check``) with the
simulation itself replaced by a stub, and the test asserts what a user is promised: no
traceback, a non-zero exit whose message names the file (and the field, for a bad value),
and nothing written. A mutant that is still a valid file may pass (a cut after a complete
line, a large value where none is too large); it then reaches the stubbed run.
"""

from __future__ import annotations

import contextlib
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from experiments_helpers import design_toml
from hardening_helpers import SYNTHETIC, files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import experiments.comparison.study
from cli import main
from scenarios.files import LAB_DIR, PACKAGE_DIR, STUDY_DIR

UNKNOWN_KEY = "zz_unknown_key"
#: A value of another type for each kind of value a file holds.
OTHER_TYPES: list[Any] = ["some text", 12345, True, [1, "a"], {"k": 1}]
FAR_OUT: list[Any] = [-1_000_000_000, 10**15, -0.5e9]


class Accepted(Exception):
    """Raised by the stubbed simulation: the mutant passed every check."""


def _calibration_text() -> str:
    text = (SYNTHETIC / "calibration.toml").read_text()
    for name in (
        "aggregate.csv",
        "panel.csv",
        "public.csv",
        "base_params.json",
        "true_params.json",
    ):
        text = text.replace(f'"{name}"', f'"{SYNTHETIC / name}"')
    return text


#: kind -> (file name, valid text, the command, given the file and an output folder).
KINDS: dict[str, tuple[str, str, Any]] = {
    "lab": (
        "lab.toml",
        (LAB_DIR / "kokkola.toml").read_text(),
        lambda f, out: ["compare", "kokkola_engine", "--lab", str(f), "--out", str(out)],
    ),
    "package": (
        "package.toml",
        (PACKAGE_DIR / "kokkola_engine.toml").read_text(),
        lambda f, out: ["compare", str(f), "--out", str(out)],
    ),
    "study": (
        "study.toml",
        (STUDY_DIR / "kokkola_engine.toml").read_text(),
        lambda f, out: ["compare", str(f), "--out", str(out)],
    ),
    "design": (
        "design.toml",
        design_toml(),
        lambda f, out: ["experiment", "run", str(f), "--out", str(out), "--dry-run"],
    ),
    "calibration": (
        "calibration.toml",
        _calibration_text(),
        lambda f, out: ["calibrate", str(f), "--check", "--out", str(out)],
    ),
}


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every location in parsed TOML: tables, list items and values."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from _paths(value, (*prefix, i))


def _tables(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every table in parsed TOML (the top level included)."""
    if isinstance(node, dict):
        yield prefix
        for key, value in node.items():
            yield from _tables(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _tables(value, (*prefix, i))


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _same_type(a: Any, b: Any) -> bool:
    numeric = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b)
    if isinstance(a, numeric) and isinstance(b, numeric):
        return True  # 3 for 3.0 is no type error
    return type(a) is type(b)


@st.composite
def mutants(draw: st.DrawFn, kind: str) -> tuple[bytes, str, str | None]:
    """A mutated file of ``kind``: its bytes, the mutation, and the field it touched."""
    _, text, _ = KINDS[kind]
    data = tomllib.loads(text)
    how = draw(st.sampled_from(["type", "range", "unknown", "binary", "truncate"]))
    if how == "type":
        path = draw(st.sampled_from(list(_paths(data))))
        old = _get(data, path)
        new = draw(st.sampled_from([v for v in OTHER_TYPES if not _same_type(v, old)]))
        _set(data, path, new)
        return tomli_w.dumps(data).encode(), how, str(path[-1])
    if how == "range":
        numbers = [
            p
            for p in _paths(data)
            if isinstance(_get(data, p), (int, float)) and not isinstance(_get(data, p), bool)
        ]
        path = draw(st.sampled_from(numbers))
        _set(data, path, draw(st.sampled_from(FAR_OUT)))
        return tomli_w.dumps(data).encode(), how, str(path[-1])
    if how == "unknown":
        table = draw(st.sampled_from(list(_tables(data))))
        _get(data, table)[UNKNOWN_KEY] = 1
        return tomli_w.dumps(data).encode(), how, UNKNOWN_KEY
    raw = text.encode()
    at = draw(st.integers(0, len(raw)))
    if how == "binary":
        junk = b"\xff" + draw(st.binary(max_size=16))  # 0xff never occurs in UTF-8
        return raw[:at] + junk + raw[at:], how, None
    return raw[:at], how, None


@contextlib.contextmanager
def _simulation_stubbed() -> Iterator[None]:
    """Replace the comparison's simulation by :class:`Accepted` (checks run as usual)."""

    def accepted(*args: Any, **kwargs: Any) -> None:
        raise Accepted

    real = experiments.comparison.study.run_comparison
    experiments.comparison.study.run_comparison = accepted
    try:
        yield
    finally:
        experiments.comparison.study.run_comparison = real


def _outcome(kind: str, content: bytes, how: str, capsys: Any) -> tuple[int | None, str]:
    """Exit code (None: the stubbed simulation was reached) and error output of a file."""
    name, _, command = KINDS[kind]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / name
        path.write_bytes(content)
        out = work / "out"
        capsys.readouterr()
        with _simulation_stubbed():
            try:
                code = main(command(path, out))
            except Accepted:
                code = None
            except SystemExit as stop:
                code = stop.code
        err = capsys.readouterr().err
        assert files(work) == {Path(name)}, f"{how}: something was written"
    assert "Traceback" not in err
    return code, err


def _check(kind: str, mutant: tuple[bytes, str, str | None], capsys: Any) -> None:
    content, how, field = mutant
    name = KINDS[kind][0]
    code, err = _outcome(kind, content, how, capsys)
    if code is None or code == 0:
        # Still a valid file: a cut after a complete entry, a value without an upper bound.
        assert how in ("truncate", "range"), f"{how} of {field!r} was accepted"
        return
    assert code == 2, err
    assert name in err, f"the message does not name the file: {err}"
    if field is not None:
        assert field in err, f"the message does not name the field {field!r}: {err}"


PROFILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("kind", list(KINDS))
def test_valid_files_reach_the_simulation(kind, capsys):
    """The unmutated files pass every check (so a rejection below is the mutation's)."""
    code, err = _outcome(kind, KINDS[kind][1].encode(), "none", capsys)
    assert code in (None, 0), err


@PROFILE
@given(mutant=mutants("lab"))
def test_malformed_lab_files(mutant, capsys):
    _check("lab", mutant, capsys)


@PROFILE
@given(mutant=mutants("package"))
def test_malformed_package_files(mutant, capsys):
    _check("package", mutant, capsys)


@PROFILE
@given(mutant=mutants("study"))
def test_malformed_scenario_files(mutant, capsys):
    _check("study", mutant, capsys)


@PROFILE
@given(mutant=mutants("design"))
def test_malformed_design_files(mutant, capsys):
    _check("design", mutant, capsys)


@PROFILE
@given(mutant=mutants("calibration"))
def test_malformed_calibration_settings(mutant, capsys):
    _check("calibration", mutant, capsys)
