"""The results store: a folder of Parquet files that survives crashes and resumes.

Layout of an experiment folder::

    manifest.json          package version, scenario, design, root seed, run count
    runs.parquet           the experiments table: run_key, run, point, replication, parameters
    results/part-*.parquet one file per chunk: run_key + the model's output columns
    status/part-*.parquet  one file per chunk: run_key, status (done/failed), error, traceback,
                           host, pid, started, seconds, session

Every file is written to a hidden temporary name and renamed into place, so a reader never
sees half a file and a killed writer leaves nothing that counts. A run is *done* once a
results file holding it exists; a status record says ``failed`` with the traceback; any other
run of the design is *pending*. ``results/`` is an ordinary Parquet dataset: pandas, pyarrow,
DuckDB (``read_parquet('DIR/results/*.parquet')``) and polars read it directly.
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from datetime import UTC, datetime
from hashlib import sha256
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.errors import StoreError
from experiments.runner.design import Design
from experiments.runner.keys import canonical_json
from experiments.runner.renames import current_design
from experiments.runner.worker import ChunkResult

FORMAT = "synclusive-experiment/1"
_STATUS_SCHEMA = pa.schema(
    [
        ("run_key", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("traceback", pa.string()),
        ("host", pa.string()),
        ("pid", pa.int64()),
        ("started", pa.float64()),
        ("seconds", pa.float64()),
        ("session", pa.string()),
    ]
)


def package_version() -> str:
    """The installed version of the ``synclusive`` package."""
    try:
        return metadata.version("synclusive")
    except metadata.PackageNotFoundError:
        from simulator import __version__

        return __version__


def new_session_id() -> str:
    """A unique, time-ordered id for one invocation of the runner."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _write_atomic(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)``, flush to disk and rename into place."""
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class ResultStore:
    """An experiment folder (see the module notes).

    Parameters
    ----------
    root
        The folder.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.results_dir = self.root / "results"
        self.status_dir = self.root / "status"

    # -- creating and opening -----------------------------------------------------------------

    @classmethod
    def create_or_open(cls, root: str | Path, design: Design) -> ResultStore:
        """Open the folder of this design, creating it on first use.

        Raises
        ------
        StoreError
            If the folder holds an experiment with a different design.
        """
        store = cls(root)
        manifest = store._new_manifest(design)
        if store.manifest_path.exists():
            old = store.manifest
            if old.get("fingerprint") != manifest["fingerprint"] and not _same_design(
                old, manifest
            ):
                differs = _differences(old["design"], manifest["design"]) or ["format"]
                raise StoreError(
                    f"{store.root} holds experiment {old.get('name')!r} with a different design "
                    f"(differs in: {', '.join(differs)}"
                    "); "
                    "rerun with the same design file or choose another output folder"
                )
            return store
        if store.root.exists() and not store.root.is_dir():
            raise StoreError(f"{store.root} exists and is not a folder")
        for d in (store.root, store.results_dir, store.status_dir):
            d.mkdir(parents=True, exist_ok=True)
        runs = experiments_frame(design)
        _write_atomic(store.root / "runs.parquet", lambda p: _to_parquet(runs, p))
        text = json.dumps(manifest, indent=2, default=str)
        # The manifest last: a folder with a manifest is complete.
        _write_atomic(store.manifest_path, lambda p: p.write_text(text))
        return store

    @classmethod
    def open(cls, root: str | Path) -> ResultStore:
        """Open an existing experiment folder for reading."""
        store = cls(root)
        if not store.manifest_path.exists():
            raise StoreError(f"{store.root} is not an experiment folder (no manifest.json)")
        return store

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest: package version, scenario, design, root seed, run count."""
        return json.loads(self.manifest_path.read_text())

    def _new_manifest(self, design: Design) -> dict[str, Any]:
        fingerprint = sha256(design.fingerprint().encode()).hexdigest()
        return {
            "format": FORMAT,
            "name": design.name,
            "package": "synclusive",
            "version": package_version(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "scenario": design.scenario,
            "root_seed": design.root_seed,
            "seeds": design.seeds,
            "model": design.model,
            "points": len(design.points),
            "replications": design.replications,
            "runs": len(design.runs),
            "design": design.to_dict(),
            "fingerprint": fingerprint,
            "python": platform.python_version(),
            "numpy": np.__version__,
        }

    # -- writing ------------------------------------------------------------------------------

    def write_chunk(self, result: ChunkResult, session: str, seq: int) -> None:
        """Write one chunk's results, then its status records, each atomically."""
        name = f"part-{session}-{seq:05d}.parquet"
        if result.table is not None and len(result.table):
            table = result.table
            _write_atomic(self.results_dir / name, lambda p: _to_parquet(table, p))
        records = [{**r, "session": session} for r in result.status]
        status = pa.Table.from_pylist(records, schema=_STATUS_SCHEMA)
        _write_atomic(self.status_dir / name, lambda p: pq.write_table(status, p))

    # -- reading ------------------------------------------------------------------------------

    def result_files(self) -> list[Path]:
        """Completed results files, oldest session first."""
        return sorted(self.results_dir.glob("part-*.parquet"))

    def experiments(self) -> pd.DataFrame:
        """The experiments table: one row per run with its point, replication and parameters."""
        return pd.read_parquet(self.root / "runs.parquet")

    def done_keys(self) -> set[str]:
        """Keys of the runs whose results are stored."""
        keys: set[str] = set()
        for path in self.result_files():
            keys.update(pq.read_table(path, columns=["run_key"]).column(0).to_pylist())
        return keys

    def status_records(self) -> pd.DataFrame:
        """Every status record written so far (a run retried has several)."""
        files = sorted(self.status_dir.glob("part-*.parquet"))
        if not files:
            return _STATUS_SCHEMA.empty_table().to_pandas()
        return pa.concat_tables([pq.read_table(f) for f in files]).to_pandas()

    def status(self) -> pd.DataFrame:
        """The run-status table: one row per run of the design.

        Columns ``run_key, run, point, replication, status`` (``pending``, ``done`` or
        ``failed``) and, from the run's latest record, ``error, traceback, host, pid, started,
        seconds, session``.
        """
        runs = self.experiments()[["run_key", "run", "point", "replication"]]
        records = self.status_records().sort_values("started", kind="stable")
        latest = records.drop_duplicates("run_key", keep="last")
        table = runs.merge(latest, on="run_key", how="left")
        table["status"] = table["status"].fillna("pending")
        # Results on disk are the truth: a crash between the two writes loses only metadata.
        table.loc[table["run_key"].isin(self.done_keys()), "status"] = "done"
        return table

    def load(self, parameters: bool = True) -> pd.DataFrame:
        """All results as one table, in design order.

        Parameters
        ----------
        parameters
            Join the experiments table (point, replication and parameter columns).
        """
        tables = []
        seen: set[str] = set()
        for path in self.result_files():
            t = pq.read_table(path)
            keys = t.column("run_key").to_pylist()
            new = set(keys) - seen
            if len(new) < len(set(keys)):
                # Only if two processes ran the same runs at once: keep the first copy.
                mask = pa.array([k in new for k in keys])
                t = t.filter(mask)
            seen |= new
            tables.append(t)
        runs = self.experiments()
        if not tables:
            return runs.iloc[0:0] if parameters else pd.DataFrame({"run_key": []})
        data = pa.concat_tables(tables, promote_options="default").to_pandas()
        order = dict(zip(runs["run_key"], runs["run"], strict=True))
        data = data.iloc[np.argsort(data["run_key"].map(order).to_numpy(), kind="stable")]
        data = data.reset_index(drop=True)
        if not parameters:
            return data
        return runs.drop(columns=["run"]).merge(data, on="run_key", how="inner", sort=False)


def experiments_frame(design: Design) -> pd.DataFrame:
    """The experiments table of a design (one row per run)."""
    rows = []
    for run in design.runs:
        point = design.points[run.point]
        rows.append(
            {
                "run_key": run.key,
                "run": run.index,
                "point": run.point,
                "replication": run.replication,
                **point,
            }
        )
    return pd.DataFrame(rows)


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Columns of mixed types (e.g. numbers and text in one grid) are stored as JSON text.
        frame = frame.copy()
        for col in frame.columns[[dtype == np.dtype(object) for dtype in frame.dtypes]]:
            frame[col] = [canonical_json(v) for v in frame[col]]
        table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path)


def _same_design(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two manifests hold the same design once old model names are read as current."""
    return old.get("format") == new["format"] and canonical_json(
        current_design(old["design"])
    ) == canonical_json(current_design(new["design"]))


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Dotted names of the entries that differ between two nested dicts."""
    diff = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            diff += [f"{k}.{d}" for d in _differences(a, b)]
        elif canonical_json(a) != canonical_json(b):
            diff.append(k)
    return diff
