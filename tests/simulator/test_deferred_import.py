"""Deferred modules: Mesa's spaces cost nothing until used, and work as before when used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from simulator.deferred_import import defer_modules


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_run_imports_neither_mesas_spaces_nor_scipys_linear_algebra_and_both_work():
    out = run_python(
        """
        import sys
        from simulator.model import LabourMarketModel
        from simulator.params import ModelParams
        p = ModelParams(months=2, spin_up_months=1, population={"n_persons": 200})
        LabourMarketModel(p, rng=1).run()
        heavy = ("networkx", "scipy.spatial", "mesa.discrete_space.grid", "scipy.linalg._basic")
        print([m for m in heavy if m in sys.modules])
        from scipy.linalg import solve
        print(solve([[2.0]], [4.0])[0])
        import mesa
        from mesa.discrete_space import OrthogonalMooreGrid
        grid = OrthogonalMooreGrid((3, 3), random=mesa.Model().random)
        print(len(grid.all_cells), "networkx" in sys.modules)
        from mesa.space import MultiGrid
        print(MultiGrid(2, 2, torus=False).width)
        from mesa.experimental.continuous_space import ContinuousSpace
        print(ContinuousSpace.__name__)
        """
    )
    assert out.split("\n")[:5] == ["[]", "2.0", "9 True", "2", "ContinuousSpace"]


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``deferpkg`` whose modules count how often their code runs."""
    root = tmp_path / "deferpkg"
    root.mkdir()
    (root / "__init__.py").write_text("RUNS = {}\n")
    body = (
        "import time\nimport deferpkg\n"
        "deferpkg.RUNS[__name__] = deferpkg.RUNS.get(__name__, 0) + 1\n"
    )
    (root / "plain.py").write_text(body + "time.sleep(0.05)\nVALUE = 42\n__all__ = ['VALUE']\n")
    (root / "broken.py").write_text(body + "raise ValueError('broken on purpose')\n")
    (root / "other.py").write_text(body + "VALUE = 1\n")
    (root / "circular.py").write_text(
        body + "A = 1\nimport deferpkg.circular as me\nB = me.A + 1\n"
        "try:\n    me.C\nexcept AttributeError:\n    C = 'not yet'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [m for m in sys.modules if m == "deferpkg" or m.startswith("deferpkg.")]:
        del sys.modules[name]


def test_a_deferred_module_runs_once_on_its_first_name(package: Path):
    defer_modules(["deferpkg.plain"])
    import deferpkg
    import deferpkg.plain as plain

    assert deferpkg.RUNS == {}
    assert plain.__name__ == "deferpkg.plain"  # set from its spec, without running it
    assert plain.__file__.endswith("plain.py")
    assert deferpkg.RUNS == {}
    assert plain.VALUE == 42
    assert deferpkg.RUNS == {"deferpkg.plain": 1}
    assert plain.VALUE == 42 and type(plain) is type(deferpkg)
    with pytest.raises(AttributeError):
        _ = plain.MISSING
    assert deferpkg.RUNS == {"deferpkg.plain": 1}


def test_a_module_reading_itself_while_it_runs_sees_the_names_made_so_far(package: Path):
    defer_modules(["deferpkg.circular"])
    import deferpkg.circular as circular

    assert (circular.A, circular.B, circular.C) == (1, 2, "not yet")
    assert sys.modules["deferpkg"].RUNS == {"deferpkg.circular": 1}


def test_star_imports_and_dir_run_it(package: Path):
    defer_modules(["deferpkg.plain"])
    import deferpkg.plain  # noqa: F401

    namespace: dict = {}
    exec("from deferpkg.plain import *", namespace)
    assert namespace["VALUE"] == 42
    assert sys.modules["deferpkg"].RUNS == {"deferpkg.plain": 1}


def test_threads_reading_at_once_run_it_once(package: Path):
    defer_modules(["deferpkg.plain"])
    import deferpkg
    import deferpkg.plain as plain

    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.append(plain.VALUE)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [42] * 8
    assert deferpkg.RUNS == {"deferpkg.plain": 1}


def test_a_failing_module_fails_when_used_and_is_not_left_half_made(package: Path):
    defer_modules(["deferpkg.broken"])
    import deferpkg.broken as broken

    with pytest.raises(ValueError, match="broken on purpose"):
        _ = broken.anything
    assert "deferpkg.broken" not in sys.modules


def test_imported_modules_and_other_modules_are_left_alone(package: Path):
    import deferpkg
    import deferpkg.other

    finders = list(sys.meta_path)
    defer_modules(["deferpkg.other"])  # already imported: nothing to defer
    assert sys.meta_path == finders
    defer_modules(["deferpkg.plain"])
    defer_modules(["deferpkg.plain"])  # asked twice: one finder
    assert len(sys.meta_path) == len(finders) + 1
    import deferpkg.plain

    assert sys.meta_path == finders  # it leaves once it has deferred what it was given
    assert deferpkg.RUNS == {"deferpkg.other": 1}
