"""The installed command: the same as ``main``, and its collector frozen on the way out."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_the_command_returns_mains_code_and_freezes_the_collector_only_at_the_end(tmp_path):
    code = f"""
        import gc, sys
        from cli.main import console
        before = gc.get_freeze_count()
        code = console(["run", "--persons", "200", "--months", "2", "--no-figures", "--quiet",
                        "--out", {str(tmp_path / "run")!r}])
        print(code, gc.get_freeze_count() > before)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"]
    assert (tmp_path / "run" / "indicators.csv").stat().st_size > 0  # written, closed, complete


def test_python_m_cli_exits_with_mains_code(tmp_path):
    bad = subprocess.run(
        [sys.executable, "-m", "cli", "run", "--months", "0", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "months" in bad.stderr
    assert not (tmp_path / "x").exists()
