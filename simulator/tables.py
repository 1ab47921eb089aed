"""Writing outputs atomically: tidy tables (Parquet and CSV), text and binary files.

Each file is written under a temporary name and renamed, so a reader (or a resumed job) never
sees half a file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMATS = ("parquet", "csv")


def write_table(
    table: pd.DataFrame, stem: str | Path, formats: tuple[str, ...] = FORMATS
) -> list[Path]:
    """Write ``table`` to ``stem.parquet`` and/or ``stem.csv``; a reader never sees half a file.

    Parameters
    ----------
    table
        The table (its index is not written).
    stem
        Path without suffix.
    formats
        Any of ``"parquet"`` and ``"csv"``.

    Returns
    -------
    list of Path
        Files written.
    """
    stem = Path(stem)
    written = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        path = stem.with_name(f"{stem.name}.{fmt}")
        tmp = _temporary(path)
        if fmt == "parquet":
            table.to_parquet(tmp, index=False)
        else:
            table.to_csv(tmp, index=False)
        tmp.replace(path)
        written.append(path)
    return written


def write_file(path: str | Path, content: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` atomically; returns the path."""
    path = Path(path)
    tmp = _temporary(path)
    if isinstance(content, bytes):
        tmp.write_bytes(content)
    else:
        tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return path


def _temporary(path: Path) -> Path:
    """The hidden name a file is written under before it is renamed into place."""
    return path.with_name(f".{path.name}.tmp")
