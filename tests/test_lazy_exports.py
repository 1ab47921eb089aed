"""Packages import their public names on first use, and every name is what it was before."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

PACKAGES = ("simulator", "scenarios", "experiments", "calibration")


@pytest.mark.parametrize("package", PACKAGES)
def test_public_names_are_the_objects_not_submodules(package: str) -> None:
    pkg = importlib.import_module(package)
    # Import every sub-module first: that sets package attributes of the sub-modules' names.
    for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
        if info.name.endswith(("__main__", ".app", ".server")):
            continue
        importlib.import_module(info.name)
    for name in pkg.__all__:
        value = getattr(pkg, name)
        assert not isinstance(value, types.ModuleType), f"{package}.{name} is a module"
        assert name in dir(pkg)
    with pytest.raises(AttributeError, match="no attribute"):
        pkg.__getattr__("no_such_name")


def test_command_line_parses_without_the_heavy_layers() -> None:
    code = (
        "import sys; from cli.main import make_parser; make_parser(); "
        "print(' '.join(m for m in ('mesa', 'calibration.fit', 'scipy.stats') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
