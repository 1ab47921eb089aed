#!/usr/bin/env bash
# Install SLURM and MUNGE (Debian packages slurm-wlm, munge) for the SLURM tests.
# Idempotent: does nothing when the programs and the MUNGE key are already there.
# The tests start and stop their own one-node cluster (tests/slurm_cluster.py); no daemon is
# enabled or started here.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if have slurmctld && have slurmd && have sbatch && have munged && [ -s /etc/munge/munge.key ]; then
    echo "install-slurm: slurm-wlm and munge already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
if [ ! -s /etc/munge/munge.key ]; then
    # Normally created by the package; make one if the post-install step was skipped.
    $SUDO mungekey --create --keyfile=/etc/munge/munge.key
    $SUDO chown munge:munge /etc/munge/munge.key
    $SUDO chmod 0400 /etc/munge/munge.key
fi
echo "install-slurm: installed $(dpkg-query -W -f='slurm-wlm ${Version}' slurm-wlm), \
$(dpkg-query -W -f='munge ${Version}' munge)"
