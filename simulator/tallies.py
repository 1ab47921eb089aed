"""Monthly tallies the kernels add to: flow counters and the census of stocks.

Flows are counted in a ``(N_FLOWS, N_GROUPS)`` matrix, the census in a ``(N_CENSUS, N_GROUPS)``
matrix; ``F_<NAME>`` and ``C_<NAME>`` are the rows of ``FLOW_NAMES`` and ``CENSUS_NAMES``, and
the columns are the indicator groups of :mod:`simulator.state`.
"""

from __future__ import annotations

import numpy as np

from simulator.jit import helper, njit
from simulator.state import EMPLOYED, INACTIVE, INDICATOR_GROUPS, UNEMPLOYED, define_indices

# ---------------------------------------------------------------- monthly flow counters
FLOW_NAMES = (
    "hires_from_unemployment",
    "separations",
    "exits_to_inactivity",
    "reentries",
    "entrants",
    "retirements",
    "promotions",
    "job_to_job_moves",
    "trained",
    "engine_hires",
    "completed_spell_months",
    "intervention_starts",
    "jobs_destroyed",
    "jobs_created",
    "carved_jobs",
    "filled_vacancy_months",
    "lost_within_6m",
    "lost_within_12m",
    # Retirements by the status they leave (they add up to ``retirements``), so each status
    # stock reconciles with the flows month by month.
    "retirements_from_employment",
    "retirements_from_unemployment",
    "retirements_from_inactivity",
    # The flows between employment and inactivity (``exits_to_inactivity`` is U->I and
    # ``reentries`` I->U).
    "employment_exits_to_inactivity",
    "hires_from_inactivity",
    # Entrants who enter inactive (part of ``entrants``; the rest enter unemployed).
    "inactive_entrants",
)
define_indices(globals(), "F_", FLOW_NAMES)
N_FLOWS = len(FLOW_NAMES)

GROUP_MASKS = np.array([mask for _, mask in INDICATOR_GROUPS], dtype=np.int64)
GROUP_NAMES = tuple(name for name, _ in INDICATOR_GROUPS)
N_GROUPS = len(GROUP_MASKS)


@helper
def add_flow(flows: np.ndarray, code: int, groups: int, amount: float) -> None:
    """Add ``amount`` to flow ``code`` for every indicator group the person belongs to."""
    flows[code, 0] += amount
    for g in range(1, flows.shape[1]):
        if (groups & GROUP_MASKS[g]) != 0:
            flows[code, g] += amount


#: Rows of the retirement flows, in total and by the status code retired from (E, U, I).
_RETIREMENTS = FLOW_NAMES.index("retirements")
assert (EMPLOYED, UNEMPLOYED, INACTIVE) == (0, 1, 2)
_RETIREMENTS_BY_STATUS = np.array(
    [
        FLOW_NAMES.index(f"retirements_from_{s}")
        for s in ("employment", "unemployment", "inactivity")
    ]
)


@helper
def add_retirement(flows: np.ndarray, status: int, groups: int) -> None:
    """Count a retirement, in total and by the status ``status`` the person retires from."""
    add_flow(flows, _RETIREMENTS, groups, 1.0)
    add_flow(flows, _RETIREMENTS_BY_STATUS[status], groups, 1.0)


#: Rows of the person table in one block of a parallel pass. Fixed, not derived from the
#: number of threads, so that sums over blocks round the same way on any machine.
BLOCK_ROWS = 1 << 14


@helper
def n_blocks(rows: int) -> int:
    """Blocks of :data:`BLOCK_ROWS` rows covering ``rows`` rows."""
    return (rows + BLOCK_ROWS - 1) // BLOCK_ROWS


@helper
def block_range(b: int, rows: int) -> tuple[int, int]:
    """First and one-past-last row of block ``b`` of a table with ``rows`` rows."""
    return b * BLOCK_ROWS, min(rows, (b + 1) * BLOCK_ROWS)


@njit
def block_offsets(count: np.ndarray) -> np.ndarray:
    """Where each block's entries start in a list of all blocks' entries in order (one more
    entry: the total), from each block's ``count``."""
    offset = np.zeros(count.shape[0] + 1, dtype=np.int64)
    for b in range(count.shape[0]):
        offset[b + 1] = offset[b] + count[b]
    return offset


@helper
def add_blocks(blocks: np.ndarray, out: np.ndarray) -> None:
    """Add per-block tallies (``blocks[b]`` shaped like ``out``) to ``out``, block by block."""
    for b in range(blocks.shape[0]):
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j] += blocks[b, i, j]


def new_flows() -> np.ndarray:
    """A zeroed flow-counter matrix for one month."""
    return np.zeros((N_FLOWS, N_GROUPS), dtype=np.float64)


# ---------------------------------------------------------------- census of stocks
#: Survey transitions: people in the population now and three month ends ago, by their
#: status then (E, U, I) and now; row ``C_TRANSITIONS + 3 * then + now``.
TRANSITION_NAMES = tuple(
    f"{a}_to_{b}"
    for a in ("employed", "unemployed", "inactive")
    for b in ("employed", "unemployed", "inactive")
)
CENSUS_NAMES = (
    "employed",
    "unemployed",
    "inactive",
    "long_term",
    "sum_self_efficacy",
    "sum_trust",
    "sum_skill",
    "participants",
    "sum_unemployment_duration",
    "sum_experiences_of_success",
    "retained_6m",  # employed and hired out of unemployment 6 months ago (by groups at hire)
    "retained_12m",
    *TRANSITION_NAMES,
)
define_indices(globals(), "C_", CENSUS_NAMES)
C_TRANSITIONS = CENSUS_NAMES.index(TRANSITION_NAMES[0])
N_CENSUS = len(CENSUS_NAMES)
