"""Errors of the calibration package; ``str(err)`` is a message meant for the user."""

from __future__ import annotations

from simulator.errors import ParameterError


class CalibrationError(ParameterError):
    """A calibration cannot run as configured (bad settings, inconsistent inputs)."""


class DataError(CalibrationError):
    """Input data break their documented format.

    The message names the file, the column, the row and what is allowed. Rows are numbered
    as the user sees them: for CSV files the line number (the header is line 1), for Parquet
    files the 1-based row number.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = problems[:12]
        more = (
            f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        )
        body = "\n".join(f"  - {p}" for p in shown)
        super().__init__(f"{path}: {len(problems)} problem(s) in the data:\n{body}{more}")
