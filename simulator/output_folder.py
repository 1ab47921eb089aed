"""One policy for every command's output folder, checked before any run starts.

A command may write into a folder that

- does not exist yet (it is created when the outputs are written), or
- is empty, or
- holds this same command's own earlier output (known by the marker file
  :data:`MARKER`, or by a file only that command writes), which a rerun replaces or resumes.

Any other non-empty folder is refused unless the user passes ``--overwrite``: a typo in
``--out`` must never silently replace someone's files. Whether the folder can be written is
checked first as well (a file in the way, no permission, a read-only file system), so a bad
``--out`` is reported in one line before hours of simulation, and nothing is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from simulator.errors import ParameterError

#: The file that marks a folder as the output of one ``synclusive`` command.
MARKER = ".synclusive-output.json"


class OutputFolderError(ParameterError):
    """An output folder the command must not or cannot write (the message names it and why)."""


def folder_command(folder: Path) -> str | None:
    """The command whose output ``folder`` holds, from its marker file (None: no marker)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    command = data.get("command") if isinstance(data, dict) else None
    return command if isinstance(command, str) else None


def _nearest_existing(path: Path) -> Path:
    """The deepest existing ancestor of ``path`` (``path`` itself when it exists)."""
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _probe_writable(folder: Path, flag: str, shown: Path) -> None:
    """Create and remove a temporary folder in ``folder``: the one test that also catches
    read-only file systems and permission systems ``os.access`` does not see."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputFolderError(
            f"{flag} {shown}: cannot write there (no write permission in {folder})"
        )
    try:
        probe = tempfile.mkdtemp(prefix=".synclusive-probe-", dir=folder)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise OutputFolderError(
            f"{flag} {shown}: cannot write there ({folder}: {reason})"
        ) from None
    os.rmdir(probe)


def check_output_folder(
    path: str | Path,
    command: str,
    *,
    overwrite: bool = False,
    own_files: Iterable[str] = (),
    flag: str = "--out",
) -> Path:
    """Check that ``command`` may write its outputs to ``path``; write nothing.

    Parameters
    ----------
    path
        The output folder given by the user.
    command
        The command's name as the user types it (``"run"``, ``"compare"``, ...).
    overwrite
        The user passed ``--overwrite``: a non-empty folder of other files is accepted.
    own_files
        Names of files only this command writes: a folder holding one is its own output even
        without the marker (folders written before the marker existed).
    flag
        The option that named the folder, for the message.

    Returns
    -------
    Path
        ``path`` as a ``Path``.

    Raises
    ------
    OutputFolderError
        When the path is a file, lies inside a file, cannot be written, or is a non-empty
        folder that is not this command's output (and ``overwrite`` is false).
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(
            f"{flag} {folder}: is a file, not a folder; give a folder for the outputs"
        )
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise OutputFolderError(
            f"{flag} {folder}: {existing} is a file, so no folder can be made inside it; "
            "give a folder for the outputs"
        )
    _probe_writable(existing, flag, folder)
    if existing != folder or not any(folder.iterdir()):
        return folder
    if folder_command(folder) == command or any((folder / f).exists() for f in own_files):
        return folder
    if overwrite:
        return folder
    other = folder_command(folder)
    what = (
        f"holds the output of `synclusive {other}`"
        if other
        else "holds other files (not an earlier output of this command)"
    )
    raise OutputFolderError(
        f"{flag} {folder}: the folder {what}; `synclusive {command}` could overwrite them. "
        "Choose another (or an empty) folder, or pass --overwrite to write there anyway"
    )


def mark_output_folder(folder: str | Path, command: str) -> Path:
    """Write the marker that makes ``folder`` this command's output (the folder must exist)."""
    marker = Path(folder) / MARKER
    marker.write_text(json.dumps({"command": command}) + "\n", encoding="utf-8")
    return marker


__all__ = [
    "MARKER",
    "OutputFolderError",
    "check_output_folder",
    "folder_command",
    "mark_output_folder",
]
