"""Reading scenario files: TOML text → validated file model, with located error messages."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from scenarios.errors import ScenarioError, validated

#: Folder of the shipped scenario files.
HERE = Path(__file__).resolve().parent
LAB_DIR = HERE / "labs"
PACKAGE_DIR = HERE / "packages"
STUDY_DIR = HERE / "studies"
CATALOGUE_FILE = HERE / "catalogue.toml"
#: The top-level table that identifies each kind of scenario file, and how to call it.
KIND_TABLES: dict[str, str] = {"scenario": "scenario", "package": "package", "lab": "living-lab"}

M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; returns the data and the text (for line numbers).

    Raises
    ------
    ScenarioError
        When the file is missing, unreadable or not valid TOML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot be read ({err})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None


def validate[M: BaseModel](
    model: type[M], data: dict[str, Any], path: Path | str, text: str | None
) -> M:
    """Validate file data strictly (no type coercion) against a file model.

    Raises
    ------
    ScenarioError
        Naming the file, line and key path of every problem and what is allowed there.
    """
    title = model.model_config.get("title") or model.__name__
    return validated(model, data, f"{title} file", path, text)


def file_kind(data: dict[str, Any], path: Path | str) -> str:
    """The kind of a scenario file from its top-level table: scenario, package or lab.

    Raises
    ------
    ScenarioError
        When the file has none, or more than one, of the identifying tables.
    """
    kinds = [k for k in KIND_TABLES if k in data]
    if len(kinds) == 1:
        return kinds[0]
    tables = ", ".join(f"[{k}]" for k in KIND_TABLES)
    found = ", ".join(f"[{k}]" for k in data) or "nothing"
    raise ScenarioError(
        f"{path}: cannot tell what kind of file this is: it needs exactly one of the top-level "
        f"tables {tables} (a scenario, package or living-lab file); found {found}"
    )


def load_file[M: BaseModel](model: type[M], path: Path) -> tuple[M, str]:
    """Read and validate one file; returns the model and the file's text.

    Raises
    ------
    ScenarioError
        When the file is of another kind (e.g. a scenario file given as a package), naming
        both kinds, or when it is invalid.
    """
    data, text = read_toml(path)
    expected = next((k for k in KIND_TABLES if k in model.model_fields), None)
    if expected is not None and expected not in data:
        kinds = [k for k in KIND_TABLES if k in data]
        if len(kinds) == 1:
            # Without this, a scenario file given as a package reports "unknown key 'scenario'".
            raise ScenarioError(
                f"{path}: this is a {KIND_TABLES[kinds[0]]} file (it starts with [{kinds[0]}]), "
                f"not a {KIND_TABLES[expected]} file (which starts with [{expected}])"
            )
    return validate(model, data, path, text), text


def shipped(directory: Path) -> list[str]:
    """Names of the shipped files in a folder (file stems, sorted)."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def resolve(reference: str, directory: Path, base: Path | None = None) -> Path | None:
    """The file a reference names: a path (relative to ``base`` or the working directory) or
    the name of a shipped file in ``directory``; ``None`` if there is no such file."""
    candidates = []
    if reference.endswith(".toml") or "/" in reference or "\\" in reference:
        ref = Path(reference).expanduser()
        if not ref.is_absolute() and base is not None:
            candidates.append(base / ref)
        candidates.append(ref)
    else:
        candidates.append(directory / f"{reference}.toml")
    for c in candidates:
        if c.is_file():
            return c.resolve()
    return None
