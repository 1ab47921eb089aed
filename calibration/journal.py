"""Checkpoint: a journal of every evaluated candidate, appended as it completes.

Each line is one JSON record: the candidate's key (replications and exact parameter values)
and its simulated moments per replication. A fit that is started again replays the
optimiser from the same seed; every candidate already in the journal is answered from it, so
the optimiser retraces its steps exactly and carries on where it stopped. A line cut short
by a kill is ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from calibration.errors import CalibrationError


def candidate_key(theta: np.ndarray, replications: int, stream: int = 0) -> str:
    """Exact key of a candidate (floats are written round-trip exact) and its seed stream."""
    key: list = [int(replications), [float(v) for v in theta]]
    if stream:
        key.append(int(stream))
    return json.dumps(key)


class Journal:
    """Evaluations of one calibration, kept on disk.

    Parameters
    ----------
    path
        The journal file (created if missing).
    fingerprint
        Identifies the calibration (data, moments, parameters, seeds, settings); a journal
        written by a different calibration is refused.
    """

    def __init__(self, path: str | Path, fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.entries: dict[str, np.ndarray] = {}
        if self.path.exists() and self.path.stat().st_size > 0:
            self._load()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._append({"fingerprint": fingerprint})

    def _load(self) -> None:
        with self.path.open() as fh:
            lines = fh.read().split("\n")
        try:
            head = json.loads(lines[0])
        except json.JSONDecodeError:
            head = {}
        if head.get("fingerprint") != self.fingerprint:
            raise CalibrationError(
                f"{self.path} was written by a different calibration (other data, settings or "
                "seed); choose a new output folder or start afresh with --restart"
            )
        for line in lines[1:]:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break  # the last line of an interrupted write
            values = np.array(
                [[np.nan if v is None else v for v in rep] for rep in record["moments"]],
                dtype=float,
            )
            self.entries[record["key"]] = values
        # Drop a torn last line so later appends start on a fresh line.
        good = [lines[0]] + [
            json.dumps({"key": k, "moments": _as_lists(v)}) for k, v in self.entries.items()
        ]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("\n".join(good) + "\n")
        tmp.replace(self.path)

    def _append(self, record: dict) -> None:
        with self.path.open("a") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def get(self, key: str) -> np.ndarray | None:
        """Stored moments of a candidate, shape (replications, moments), or None."""
        return self.entries.get(key)

    def put(self, key: str, moments: np.ndarray) -> None:
        """Store (and persist) a candidate's moments."""
        self.entries[key] = moments
        self._append({"key": key, "moments": _as_lists(moments)})


def _as_lists(values: np.ndarray) -> list[list[float | None]]:
    return [[None if np.isnan(v) else float(v) for v in rep] for rep in values]
