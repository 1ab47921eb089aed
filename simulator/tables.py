"""Writing tidy tables: Parquet and CSV, each file written atomically."""

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
        tmp = path.with_name(f".{path.name}.tmp")
        if fmt == "parquet":
            table.to_parquet(tmp, index=False)
        else:
            table.to_csv(tmp, index=False)
        tmp.replace(path)
        written.append(path)
    return written
