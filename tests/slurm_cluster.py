"""A real one-node SLURM cluster for tests: munged, slurmctld and slurmd on this machine.

The fixture writes a private ``slurm.conf`` (free ports, state in a temporary folder,
``proctrack/linuxproc`` and ``task/none`` so no cgroups are needed), starts its own ``munged``
on a private socket, starts the two SLURM daemons, waits until the node is idle, points
``SLURM_CONF`` at the configuration for the test session, and stops everything afterwards.
Tests using it are skipped only when the SLURM or MUNGE programs are not installed
(``.ci/install-slurm.sh`` installs them) or the tests do not run as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SBIN = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol")


def _which(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in SBIN:
        path = Path(d) / name
        if path.exists():
            return str(path)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SlurmCluster:
    """A running test cluster."""

    conf: Path
    partition: str
    folder: Path

    def env(self) -> dict[str, str]:
        """Environment for SLURM client commands."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def wait(self, job_id: str, timeout: float = 300) -> list[tuple[str, str]]:
        """Wait until every task of a job has ended; return each task's state and exit code.

        Polls ``scontrol`` (``sbatch --wait`` polls only every few tens of seconds).
        """
        ended = ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY")
        result: list[tuple[str, str]] = []

        def done() -> bool:
            out = subprocess.run(
                [_which("scontrol"), "show", "job", "-o", job_id],
                env=self.env(),
                capture_output=True,
                text=True,
            ).stdout
            fields = [
                dict(f.split("=", 1) for f in line.split() if "=" in f) for line in out.splitlines()
            ]
            result[:] = [(f.get("JobState", ""), f.get("ExitCode", "")) for f in fields]
            return bool(result) and all(state in ended for state, _ in result)

        _wait_for(done, timeout, f"SLURM job {job_id}")
        return result

    def jobs(self) -> list[str]:
        """Names of the jobs still queued or running."""
        out = subprocess.run(
            [_which("squeue"), "-h", "-o", "%j %T"], env=self.env(), capture_output=True, text=True
        ).stdout
        return [line.split()[0] for line in out.splitlines() if "COMPLETING" not in line]


def _config(folder: Path, node: str, cpus: int, socket_path: Path) -> str:
    return f"""\
ClusterName=synclusivetest
SlurmctldHost={node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={socket_path}
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=4000 State=UNKNOWN
PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
"""


def _wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise RuntimeError(f"timed out waiting for {what}")


def _stop_pid(pid_file: Path) -> None:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    """Start a one-node SLURM cluster for the session; skip if SLURM is not installed."""
    missing = [p for p in PROGRAMS if _which(p) is None]
    if missing:
        pytest.skip(
            f"SLURM/MUNGE not installed (missing {', '.join(missing)}); "
            "install with .ci/install-slurm.sh (Debian packages slurm-wlm and munge)"
        )
    if os.geteuid() != 0:
        pytest.skip("starting the SLURM daemons of the test cluster needs root")
    key = Path("/etc/munge/munge.key")
    if not key.exists():
        pytest.skip(f"{key} is missing; reinstall the munge package (.ci/install-slurm.sh)")

    # Short path: the MUNGE socket path must fit in a UNIX socket address.
    folder = Path(tmp_path_factory.mktemp("slurm"))
    for d in ("state", "spool", "munge"):
        (folder / d).mkdir()
    (folder / "munge").chmod(0o700)
    sock = folder / "munge" / "sock"
    subprocess.run(
        [
            _which("munged"),
            "--force",
            f"--socket={sock}",
            f"--pid-file={folder}/munged.pid",
            f"--log-file={folder}/munged.log",
            f"--seed-file={folder}/munged.seed",
            f"--key-file={key}",
        ],
        check=True,
        capture_output=True,
    )
    node = socket.gethostname().split(".")[0]
    conf = folder / "slurm.conf"
    conf.write_text(_config(folder, node, os.cpu_count() or 2, sock))
    cluster = SlurmCluster(conf=conf, partition="test", folder=folder)
    env = cluster.env()
    try:
        subprocess.run([_which("slurmctld")], env=env, check=True, capture_output=True)
        subprocess.run([_which("slurmd"), "-N", node], env=env, check=True, capture_output=True)

        def idle() -> bool:
            out = subprocess.run(
                [_which("sinfo"), "-h", "-o", "%t"], env=env, capture_output=True, text=True
            )
            return out.returncode == 0 and out.stdout.strip() == "idle"

        _wait_for(idle, 60, f"the SLURM node to become idle (logs in {folder})")
        old = os.environ.get("SLURM_CONF")
        os.environ["SLURM_CONF"] = str(conf)
        try:
            yield cluster
        finally:
            if old is None:
                os.environ.pop("SLURM_CONF", None)
            else:
                os.environ["SLURM_CONF"] = old
    finally:
        subprocess.run([_which("scancel"), "--user=root"], env=env, capture_output=True)
        subprocess.run([_which("scontrol"), "shutdown"], env=env, capture_output=True)
        time.sleep(1)
        for name in ("slurmd.pid", "slurmctld.pid", "munged.pid"):
            _stop_pid(folder / name)


def dask_slurm_spec(cluster: SlurmCluster, folder: Path, workers: int = 2):
    """The runner's ``dask-slurm`` backend on the test cluster; worker job logs go to
    ``folder / "worker-logs"``."""
    from experiments import ExecutorSpec

    return ExecutorSpec(
        "dask-slurm",
        workers=workers,
        jobqueue={
            "queue": cluster.partition,
            "walltime": "00:10:00",
            "memory": "1GB",
            "log_directory": str(folder / "worker-logs"),
            "local_directory": str(folder / "dask-scratch"),
        },
        worker_timeout=180,
    )
