"""Test configuration: numba's cache lives in the repository so compiled kernels persist."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))
# Two test workers and the model processes some tests start share two cores: kernel threads
# that spin while they wait would take the cores from each other (simulator/jit.py), so here
# they sleep at once (this process and every process it starts).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numba  # noqa: E402  (after NUMBA_CACHE_DIR is set)

# The test workers already share the cores: each runs its kernels on one thread. The test of
# thread-count independence asks for more explicitly.
numba.set_num_threads(1)
