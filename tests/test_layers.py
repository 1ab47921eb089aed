"""The packages form layers: a module may import its own layer and the layers below it only.

simulator ← scenarios ← experiments ← calibration ← dashboard ← cli, and inside experiments
runner ← comparison ← sensitivity. Every import counts, also one inside a function: the test
walks the syntax tree of every module, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Layer rank of each package (or sub-package); a module may import ranks up to its own.
LAYERS = {
    "simulator": 0,
    "scenarios": 1,
    "experiments.errors": 2,
    "experiments.runner": 2,
    "experiments.comparison": 3,
    "experiments.sensitivity": 4,
    "experiments": 4,  # the package's own __init__ re-exports from its sub-packages
    "calibration": 5,
    "dashboard": 6,
    "cli": 7,
}


def layer_of(module: str) -> str | None:
    """The most specific layer a dotted module name belongs to (None: not the project's)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in LAYERS:
            return name
    return None


def module_name(path: Path, root: Path) -> str:
    """Dotted name of a source file under ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in a module, at any depth (functions included)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # ``from pkg import sub`` may import a sub-module: count the most specific name.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def violations(root: Path) -> list[str]:
    """Every import of a higher layer by a lower one in the source tree at ``root``."""
    bad = []
    top = {name.split(".")[0] for name in LAYERS}
    for package in sorted(top):
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            own = layer_of(module)
            if own is None:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for line, target in imported_modules(tree, module, path.name == "__init__.py"):
                other = layer_of(target)
                if other is not None and LAYERS[other] > LAYERS[own]:
                    rel = path.relative_to(root)
                    bad.append(f"{rel}:{line}: {own} imports {target} (layer {other})")
    return bad


def test_no_layer_imports_a_higher_one() -> None:
    bad = violations(ROOT)
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    (tmp_path / "simulator").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "simulator" / "__init__.py").write_text("")
    (tmp_path / "experiments" / "__init__.py").write_text("")
    (tmp_path / "simulator" / "lazy.py").write_text(
        "def f():\n    from experiments.runner import batch\n    return batch\n"
    )
    (tmp_path / "experiments" / "runner.py").write_text("from . import comparison\n")
    assert violations(tmp_path) == [
        "experiments/runner.py:1: experiments.runner imports experiments.comparison "
        "(layer experiments.comparison)",
        "simulator/lazy.py:2: simulator imports experiments.runner.batch "
        "(layer experiments.runner)",
    ]


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("simulator.kernels.demand", "simulator"),
        ("experiments.runner.store", "experiments.runner"),
        ("experiments.errors", "experiments.errors"),
        ("experiments", "experiments"),
        ("cli.main", "cli"),
        ("numpy", None),
    ],
)
def test_layer_of(module: str, layer: str | None) -> None:
    assert layer_of(module) == layer


def kernel_imports(root: Path) -> list[str]:
    """Every import of :mod:`simulator.kernels` by the plain-Python reference under ``root``."""
    bad = []
    for path in sorted((root / "simulator" / "reference").rglob("*.py")):
        module = module_name(path, root)
        tree = ast.parse(path.read_text(), filename=str(path))
        for line, target in imported_modules(tree, module, path.name == "__init__.py"):
            if target == "simulator.kernels" or target.startswith("simulator.kernels."):
                bad.append(f"{path.relative_to(root)}:{line}: imports {target}")
    return bad


def test_the_reference_does_not_import_the_kernels() -> None:
    """The plain-Python reference is written independently of the numba kernels it checks."""
    assert len(list((ROOT / "simulator" / "reference").glob("*.py"))) > 1, "reference moved"
    bad = kernel_imports(ROOT)
    assert not bad, "the reference imports the kernels:\n" + "\n".join(bad)


def test_the_reference_check_sees_kernel_imports(tmp_path: Path) -> None:
    reference = tmp_path / "simulator" / "reference"
    reference.mkdir(parents=True)
    (reference / "matching.py").write_text(
        "from simulator import rules\n\ndef f():\n    from simulator.kernels import matching\n"
    )
    (reference / "demand.py").write_text("from ..kernels.demand import person_groups\n")
    assert kernel_imports(tmp_path) == [
        "simulator/reference/demand.py:1: imports simulator.kernels.demand.person_groups",
        "simulator/reference/matching.py:4: imports simulator.kernels.matching",
    ]
