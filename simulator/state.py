"""Columnar state of the model: persons, positions and employers as typed numpy columns.

Each table stores its float columns in one Fortran-ordered ``float64`` matrix and its integer
columns in one Fortran-ordered ``int64`` matrix, so every column (``table.f[:, SKILL]``) is a
contiguous array, and a kernel takes a whole table as two arguments. The column indices below
are the only names kernels use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# ---------------------------------------------------------------- person status codes
EMPLOYED = 0
UNEMPLOYED = 1
INACTIVE = 2
GONE = 3  # retired or otherwise out of the population for good
STATUS_NAMES = ("employed", "unemployed", "inactive", "gone")
#: Status code in a person's status history for a month end before they were in the
#: population (entrants) or after they left it: the same code as GONE.
STATUS_ABSENT = GONE
#: A status history in which all three month ends are absent.
HISTORY_ABSENT = STATUS_ABSENT | (STATUS_ABSENT << 2) | (STATUS_ABSENT << 4)

# ---------------------------------------------------------------- column index constants


def define_indices(namespace: dict, prefix: str, names: tuple[str, ...]) -> None:
    """Define ``<prefix><NAME>`` in ``namespace`` as the index of every name in ``names``.

    The names are the only list kept: the index constants the kernels read (``P_SKILL`` for
    the column ``"skill"``) are generated from it, so the two can never drift apart.
    """
    for index, name in enumerate(names):
        namespace[prefix + name.upper()] = index


#: Float columns of the person table: ``P_<NAME>`` is the column of ``<name>``.
PERSON_FLOAT_COLUMNS = (
    "skill",
    "work_ability",
    "self_efficacy",
    "trust",
    "initial_trust",
    "experiences_of_success",
    "search_skill",
    "search_effort",
    "initial_search_effort",
    "motivation",
    "awareness",
    # What the programmes a person took part in added to skill and job-search skill, still
    # held: the part that decays after a programme with a gain half-life.
    "programme_skill_gain",
    "programme_search_skill_gain",
)
#: Integer columns of the person table: ``P_<NAME>``.
PERSON_INT_COLUMNS = (
    "status",
    "age_months",
    "female",
    "migrant",
    "partial_ability",
    "unemployment_duration",  # months in the current unemployment spell
    "position",  # -1 when not employed
    "tenure",  # months with the current employer
    "enrolled",  # intervention index, -1 when none
    "enrolment_left",
    "support_left",  # months of in-work support left
    "support_intervention",  # intervention paying the in-work support / subsidy
    "hire_month",  # month of the last hire from unemployment, NEVER if none
    "moved_month",  # month of the last move within employment (promotion or job-to-job)
    "applications",  # applications sent this month
    "hired_this_month",  # 1 when hired this month
    "entry_month",
    "hire_groups",  # target-group bits at the last hire from unemployment
    "last_intervention",  # last intervention taken part in, -1 if never
    "employer",  # employer of the position held, -1 when not employed
    "trait_groups",  # target-group bits that do not depend on the spell, kept up to date
    # Statuses at the last three month ends, 2 bits each, newest lowest (STATUS_ABSENT: not in
    # the population then): what the survey's quarterly transitions (3 months apart) read.
    "status_history",
    "inactive_months",  # months in the current spell out of the labour force
    "aftercare_left",  # months of search assistance left after the last participation ended
)
#: Integer columns of the position table: ``Q_<NAME>``.
POSITION_INT_COLUMNS = (
    "employer",
    "level",
    "holder",  # -1 when vacant
    "active",  # 0: an unused slot that job creation may activate
    "carved",  # 1: tailored entry job for a person with partial work ability
    "state",  # FILLED, PENDING (vacant, chain decision due) or OPEN (to outside applicants)
    "vacant_since",
    "chain_length",  # moves made by the vacancy so far
    "chain_from_mobility",  # 1 when the chain passed through a promotion
    "chain_start_level",  # ladder level where the chain started
)
#: Float columns of the employer table: ``E_<NAME>``.
EMPLOYER_FLOAT_COLUMNS = (
    "development",
    "bias",
    "initial_bias",
    "awareness",
    "hiring_standard",
    "job_carving",
    "resources",
)
#: Integer columns of the employer table: ``E_<NAME>``.
EMPLOYER_INT_COLUMNS = (
    "sector",
    "size",
    "coalition",
    "treated",  # bit k set: employer intervention k applied
)
define_indices(globals(), "P_", PERSON_FLOAT_COLUMNS)
define_indices(globals(), "P_", PERSON_INT_COLUMNS)
define_indices(globals(), "Q_", POSITION_INT_COLUMNS)
define_indices(globals(), "E_", EMPLOYER_FLOAT_COLUMNS)
define_indices(globals(), "E_", EMPLOYER_INT_COLUMNS)

FILLED = 0
PENDING = 1
OPEN = 2

#: Month stamp of an event that never happened (months before month 0, from the spin-up, are
#: negative, so "none" must lie far below any of them).
NEVER = -(1 << 30)

# ---------------------------------------------------------------- target groups
G_LTU = 1
G_YOUNG = 2
G_WOMEN55 = 4
G_MIGRANT = 8
G_PARTIAL = 16
#: Groups that employers may discriminate against (long-term unemployment acts via stigma).
G_BIAS_MASK = G_WOMEN55 | G_MIGRANT | G_PARTIAL
#: Indicator groups: label and bit mask (0: everyone).
INDICATOR_GROUPS: tuple[tuple[str, int], ...] = (
    ("all", 0),
    ("long_term_unemployed", G_LTU),
    ("young", G_YOUNG),
    ("women_55plus", G_WOMEN55),
    ("migrant", G_MIGRANT),
    ("partial_ability", G_PARTIAL),
    ("any_target_group", G_LTU | G_YOUNG | G_WOMEN55 | G_MIGRANT | G_PARTIAL),
)
YOUNG_MAX_MONTHS = 30 * 12  # under 30
OLDER_MIN_MONTHS = 55 * 12
LTU_MONTHS = 12


def new_float_table(rows: int, columns: int) -> np.ndarray:
    """A zeroed column-major float64 table."""
    return np.zeros((rows, columns), dtype=np.float64, order="F")


def new_int_table(rows: int, columns: int) -> np.ndarray:
    """A zeroed column-major int32 table."""
    return np.zeros((rows, columns), dtype=np.int32, order="F")


@dataclass
class PersonTable:
    """Persons (employees, jobseekers, inactive); rows beyond ``n`` are free capacity."""

    f: np.ndarray
    i: np.ndarray
    n: int

    def grow(self, needed: int) -> None:
        """Make room for at least ``needed`` rows, keeping the existing ones."""
        if needed <= self.f.shape[0]:
            return
        rows = max(needed, int(self.f.shape[0] * 1.25) + 16)
        f = new_float_table(rows, self.f.shape[1])
        i = new_int_table(rows, self.i.shape[1])
        f[: self.n] = self.f[: self.n]
        i[: self.n] = self.i[: self.n]
        self.f, self.i = f, i


@dataclass
class PositionTable:
    """Position slots: per employer and level a contiguous block, active or not."""

    i: np.ndarray
    requirement: np.ndarray
    level_start: np.ndarray  # (n_employers, n_levels + 1): slot ranges per employer and level
    level_slots: np.ndarray  # position indices grouped by level (for job-to-job draws)
    level_slots_start: np.ndarray  # (n_levels + 1,) offsets into level_slots
    target: np.ndarray  # (n_employers, n_levels): positions each employer keeps in steady state

    @property
    def n(self) -> int:
        """Number of slots."""
        return self.i.shape[0]


@dataclass
class EmployerTable:
    """Employers."""

    f: np.ndarray
    i: np.ndarray

    @property
    def n(self) -> int:
        """Number of employers."""
        return self.f.shape[0]


@dataclass
class WorldState:
    """Everything that changes during a run."""

    persons: PersonTable
    positions: PositionTable
    employers: EmployerTable
    sector_destruction: np.ndarray  # (n_sectors,) monthly destruction rate
    integration: float = 0.2
    labour_force0: int = 0
    month: int = 0
    provider_in_coalition: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
