"""One runner per results store: an OS file lock recording its holder's host and PID.

Two runners on one experiment folder would compute and store every run twice. A runner
therefore holds a POSIX record lock (``fcntl.lockf``, which also works on NFS v4 cluster
file systems) on a lock file in the folder while it runs:

- an unsharded runner holds ``runner.lock`` exclusively;
- the runner of shard ``i/N`` holds ``runner.lock`` shared (shards of one design run side by
  side on a cluster) and ``runner-shard-i-of-N.lock`` exclusively.

A second runner that would overlap finds the lock taken and refuses (or waits up to a given
time), naming the holder's host, PID and start time read from the lock file. A shard runner
that finds itself alone holds ``runner.lock`` exclusively for a moment (while it clears
temporary files), marked in the lock file; another shard starting then waits for it to share
the lock (at most :data:`SHARD_PROBE_GRACE` seconds) instead of refusing, as it does for a
holder not recorded yet (a runner between taking the lock and writing its name). The operating
system drops the lock when its process dies, however it dies, so a lock file whose recorded
holder is gone is *stale*: the next runner reports it (and whether that process is still
alive on this host) and takes over. Once it holds the lock, the runner removes the hidden
``.tmp-*`` files a killed writer may have left (no other writer can be active then).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from experiments.errors import StoreError

log = logging.getLogger(__name__)

MAIN_LOCK = "runner.lock"
#: Folders of the store whose temporary files a resumed runner removes.
_TMP_FOLDERS = (".", "results", "status")
#: Lock files held by this process (POSIX locks do not exclude threads of one process).
_HELD: set[Path] = set()
#: Seconds a shard runner waits, beyond its own wait, for another shard's brief exclusive hold
#: of the main lock (or a holder not recorded yet) to end.
SHARD_PROBE_GRACE = 60.0


class StoreLockedError(StoreError):
    """Another runner holds the store's lock (the message names its host and PID)."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a lock: host, PID and start time (UTC, ISO format)."""

    host: str
    pid: int
    started: str
    #: ``"i/N"`` when a shard runner holds the main lock alone for a moment, else None.
    shard: str | None = None

    def describe(self) -> str:
        return f"PID {self.pid} on host {self.host}, since {self.started}"

    def transient(self) -> bool:
        """Whether the hold ends by itself soon: a shard's moment alone, or a holder that
        has taken the lock but not yet recorded itself."""
        return self.pid < 0 or self.shard is not None

    def alive(self) -> bool | None:
        """Whether the process runs (None: on another host, cannot tell)."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def shard_lock_name(index: int, count: int) -> str:
    """The lock file of shard ``index/count``."""
    return f"runner-shard-{index}-of-{count}.lock"


def _read_holder(fd: int) -> Holder | None:
    raw = os.pread(fd, 4096, 0)
    try:
        data: Any = json.loads(raw.decode("utf-8"))
        shard = data.get("shard")
        return Holder(
            str(data["host"]),
            int(data["pid"]),
            str(data["started"]),
            None if shard is None else str(shard),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _write_holder(fd: int, shard: tuple[int, int] | None = None) -> None:
    holder: dict[str, Any] = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if shard is not None:
        holder["shard"] = f"{shard[0]}/{shard[1]}"
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
    os.fsync(fd)


class _FileLock:
    """One lock file, held exclusively (recording the holder, and the shard when a shard
    runner holds the main lock alone) or shared."""

    def __init__(self, path: Path, exclusive: bool, shard: tuple[int, int] | None = None) -> None:
        self.path = path
        self.exclusive = exclusive
        self.shard = shard
        self.fd: int | None = None

    def try_acquire(self) -> Holder | None:
        """Take the lock if free and return None; else return the holder (or a blank one)."""
        if self.path in _HELD:
            return Holder(socket.gethostname(), os.getpid(), "now (this process)")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EACCES, errno.EAGAIN):
                os.close(fd)
                raise
            holder = _read_holder(fd)
            os.close(fd)
            return holder or Holder("unknown host", -1, "unknown time")
        if self.exclusive:
            stale = _read_holder(fd)
            if stale is not None:
                alive = stale.alive()
                state = {False: "no longer running", None: "on another host"}.get(
                    alive, "running but no longer holding the lock"
                )
                log.warning(
                    "%s: taking over a stale lock left by %s (%s)",
                    self.path.parent,
                    stale.describe(),
                    state,
                )
            _write_holder(fd, self.shard)
        self.fd = fd
        _HELD.add(self.path)
        return None

    def share(self) -> None:
        """Turn a held exclusive lock into a shared one (no moment without a lock)."""
        assert self.fd is not None
        os.ftruncate(self.fd, 0)
        fcntl.lockf(self.fd, fcntl.LOCK_SH)
        self.exclusive = False

    def release(self) -> None:
        if self.fd is None:
            return
        if self.exclusive:
            os.ftruncate(self.fd, 0)  # an empty lock file: released cleanly, not stale
        fcntl.lockf(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        _HELD.discard(self.path)
        self.fd = None


def _busy_shards(root: Path) -> list[str]:
    """Descriptions of the shard runners holding their locks in ``root``."""
    busy = []
    for path in sorted(root.glob("runner-shard-*.lock")):
        probe = _FileLock(path, exclusive=False)
        holder = probe.try_acquire()
        probe.release()
        if holder is not None:
            busy.append(f"{path.stem.removeprefix('runner-')} ({holder.describe()})")
    return busy


@contextlib.contextmanager
def store_lock(
    root: str | Path, shard: tuple[int, int] | None = None, wait: float = 0.0
) -> Iterator[int]:
    """Hold the runner lock of the store ``root`` (created if missing) while in the block.

    Parameters
    ----------
    root
        The experiment folder.
    shard
        ``(index, count)`` for a shard runner (shards of one store may run side by side).
    wait
        Seconds to wait for a busy lock before giving up (0: refuse at once).

    Yields
    ------
    int
        The number of stale ``.tmp-*`` files removed from the store.

    Raises
    ------
    StoreLockedError
        When another runner holds an overlapping lock after ``wait`` seconds.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    locks = [_FileLock(root / MAIN_LOCK, exclusive=shard is None)]
    if shard is not None:
        locks.append(_FileLock(root / shard_lock_name(*shard), exclusive=True))
    deadline = time.monotonic() + max(wait, 0.0)
    held: list[_FileLock] = []
    # Temporary files are removed only while no other runner can be writing: an unsharded
    # runner always, a shard runner when it finds itself alone (it briefly holds the main
    # lock exclusively, then shares it with the shards that may follow).
    alone = shard is None
    if shard is not None:
        probe = _FileLock(root / MAIN_LOCK, exclusive=True, shard=shard)
        if probe.try_acquire() is None:
            alone = True
            locks[0] = probe
    try:
        for lock in locks:
            grace_end = None
            while lock.fd is None and (holder := lock.try_acquire()) is not None:
                now = time.monotonic()
                if shard is not None and lock is locks[0] and holder.transient():
                    grace_end = grace_end or now + SHARD_PROBE_GRACE
                if now >= max(deadline, grace_end or deadline):
                    raise _locked_error(root, lock, holder, shard)
                time.sleep(0.05 if now >= deadline else min(1.0, deadline - now))
            held.append(lock)
        removed = remove_temporary_files(root) if alone else 0
        if shard is not None and locks[0].exclusive:
            locks[0].share()
        yield removed
    finally:
        for lock in reversed(held):
            lock.release()


def _locked_error(
    root: Path, lock: _FileLock, holder: Holder, shard: tuple[int, int] | None
) -> StoreLockedError:
    if lock.path.name == MAIN_LOCK and shard is None:
        shards = _busy_shards(root)
        if shards:
            who = "shard runners: " + "; ".join(shards)
        elif holder.pid < 0:
            who = "another runner (starting up; its host and PID are not recorded yet)"
        else:
            who = f"another runner: {holder.describe()}"
    elif lock.path.name == MAIN_LOCK:
        who = f"an unsharded runner: {holder.describe()}"
    else:
        who = f"another runner of shard {shard[0]}/{shard[1]}: {holder.describe()}" if shard else ""
    return StoreLockedError(
        f"{root} is in use by {who}. Two runners would compute and store the same runs twice; "
        "wait for it to finish (or stop it), then rerun to resume"
    )


def remove_temporary_files(root: str | Path) -> int:
    """Remove the hidden ``.tmp-*`` files a killed writer left; call only holding the lock."""
    removed = 0
    for sub in _TMP_FOLDERS:
        folder = Path(root) / sub
        if not folder.is_dir():
            continue
        for path in folder.glob(".tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    if removed:
        log.info("%s: removed %d temporary files left by an interrupted run", root, removed)
    return removed


__all__ = [
    "MAIN_LOCK",
    "Holder",
    "StoreLockedError",
    "remove_temporary_files",
    "shard_lock_name",
    "store_lock",
]
