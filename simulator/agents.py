"""Mesa agents of the labour market.

Persons and employers are thin handles onto a row of the model's columnar tables: reading
``person.skill`` reads ``model.world.persons.f[row, P_SKILL]``, writing it writes there. They
are not registered one by one with Mesa (a million registrations would cost seconds and half a
gigabyte); instead ``model.agents_by_type[Person]`` (and ``Employee``, ``Jobseeker``,
``Employer``) are :class:`~simulator.agentset.TableAgentSet` views that make handles only when
iterated. Service providers and the coalition are few and are ordinary registered Mesa agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from simulator import state
from simulator.interventions import GROUP_BITS

if TYPE_CHECKING:
    from simulator.agentset import TableAgentSet
    from simulator.model import LabourMarketModel


class Column:
    """A descriptor exposing one column of a table as an agent attribute."""

    def __init__(self, table: str, kind: str, index: int, cast: type = float) -> None:
        self.table, self.kind, self.index, self.cast = table, kind, index, cast

    def array(self, model: LabourMarketModel) -> np.ndarray:
        """The whole column (a view)."""
        return getattr(getattr(model.world, self.table), self.kind)[:, self.index]

    def __get__(self, agent: TableAgent | None, owner: type) -> Any:
        if agent is None:
            return self
        return self.cast(self.array(agent.model)[agent.row])

    def __set__(self, agent: TableAgent, value: Any) -> None:
        self.array(agent.model)[agent.row] = value


class TableAgent(mesa.Agent):
    """Base of agents that live in a row of a table (not registered with Mesa one by one)."""

    columns: ClassVar[dict[str, Column]] = {}

    def __init__(self, model: LabourMarketModel, row: int) -> None:
        # Deliberately no super().__init__: registration happens once, as a table view.
        self.model = model
        self.row = row
        self.unique_id = row
        self.pos = None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TableAgent)
            and other.model is self.model
            and other.row == self.row
            and other.table_name == self.table_name
        )

    def __hash__(self) -> int:
        return hash((id(self.model), self.table_name, self.row))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(row={self.row})"

    table_name: ClassVar[str] = ""

    def remove(self) -> None:
        """Table agents leave only through the modelled flows."""
        raise TypeError(
            f"{type(self).__name__} agents cannot be removed directly; they leave the model "
            "through its flows (retirement, exit from the labour force)"
        )


def _person_columns() -> dict[str, Column]:
    cols = {
        name: Column("persons", "f", i, float) for i, name in enumerate(state.PERSON_FLOAT_COLUMNS)
    }
    ints = {
        "age_months": state.P_AGE_MONTHS,
        "unemployment_duration": state.P_UNEMPLOYMENT_DURATION,
        "tenure": state.P_TENURE,
    }
    bools = {
        "female": state.P_FEMALE,
        "migrant": state.P_MIGRANT,
        "partial_ability": state.P_PARTIAL_ABILITY,
    }
    cols.update({k: Column("persons", "i", v, int) for k, v in ints.items()})
    cols.update({k: Column("persons", "i", v, bool) for k, v in bools.items()})
    return cols


class Person(TableAgent):
    """A member of the region's labour force, in the role of employee or jobseeker.

    Attributes are live views of the person's row; see :attr:`columns` for the list. The role
    changes with hiring and job loss; ``isinstance(p, Employee)`` reflects the role when the
    handle was made, :attr:`role` the role now.
    """

    table_name = "persons"
    columns: ClassVar[dict[str, Column]] = _person_columns()

    @property
    def role(self) -> str:
        """``"employee"``, ``"jobseeker"``, ``"inactive"`` or ``"gone"``."""
        status = int(self.model.world.persons.i[self.row, state.P_STATUS])
        return ("employee", "jobseeker", "inactive", "gone")[status]

    @property
    def age(self) -> float:
        """Age in years."""
        return self.age_months / 12.0

    @property
    def position(self) -> int | None:
        """Index of the position held, or None."""
        q = int(self.model.world.persons.i[self.row, state.P_POSITION])
        return None if q < 0 else q

    @property
    def employer(self) -> Employer | None:
        """The employer, or None when not employed."""
        q = self.position
        if q is None:
            return None
        return self.model.employer(int(self.model.world.positions.i[q, state.Q_EMPLOYER]))

    @property
    def level(self) -> int | None:
        """Ladder level of the position held (0 = entry), or None."""
        q = self.position
        return None if q is None else int(self.model.world.positions.i[q, state.Q_LEVEL])

    @property
    def long_term_unemployed(self) -> bool:
        """Unemployed for 12 months or more."""
        return self.role == "jobseeker" and self.unemployment_duration >= state.LTU_MONTHS

    @property
    def target_groups(self) -> set[str]:
        """Names of the target groups the person belongs to now."""
        # Imported here: the kernels load numba: only this query needs them.
        from simulator.kernels.demand import person_groups

        bits = person_groups.py_func(self.model.world.persons.i, self.row)
        return {name for name, bit in GROUP_BITS.items() if bits & bit}

    @property
    def intervention(self) -> str | None:
        """Name of the intervention the person takes part in, or None."""
        k = int(self.model.world.persons.i[self.row, state.P_ENROLLED])
        return None if k < 0 else self.model.params.interventions[k].name


def _install_columns(cls: type[TableAgent]) -> None:
    for name, column in cls.columns.items():
        setattr(cls, name, column)


_install_columns(Person)


class Employee(Person):
    """A person in work (role at the time the handle was made)."""


class Jobseeker(Person):
    """A person looking for work (role at the time the handle was made)."""


def _employer_columns() -> dict[str, Column]:
    cols = {
        name: Column("employers", "f", i, float)
        for i, name in enumerate(state.EMPLOYER_FLOAT_COLUMNS)
    }
    cols["size"] = Column("employers", "i", state.E_SIZE, int)
    cols["in_coalition"] = Column("employers", "i", state.E_COALITION, bool)
    return cols


class Employer(TableAgent):
    """An employer with a job ladder of positions at several levels."""

    table_name = "employers"
    columns: ClassVar[dict[str, Column]] = _employer_columns()

    @property
    def sector(self) -> str:
        """Sector name."""
        s = int(self.model.world.employers.i[self.row, state.E_SECTOR])
        return self.model.params.population.sectors[s].name

    def _slots(self) -> slice:
        ls = self.model.world.positions.level_start
        return slice(int(ls[self.row, 0]), int(ls[self.row, -1]))

    @property
    def positions(self) -> int:
        """Active positions (filled or vacant)."""
        return int(self.model.world.positions.i[self._slots(), state.Q_ACTIVE].sum())

    @property
    def vacancies(self) -> int:
        """Active positions without a holder."""
        qi = self.model.world.positions.i[self._slots()]
        return int(((qi[:, state.Q_ACTIVE] == 1) & (qi[:, state.Q_HOLDER] < 0)).sum())

    @property
    def staff(self) -> TableAgentSet:
        """The employer's employees (a snapshot set)."""
        qi = self.model.world.positions.i[self._slots()]
        holders = qi[qi[:, state.Q_HOLDER] >= 0, state.Q_HOLDER]
        return self.model.agents_by_type[Person]._view(np.sort(holders))

    def staff_by_level(self) -> list[int]:
        """Number of employees at each ladder level, entry first."""
        w = self.model.world
        counts = []
        for lv in range(w.positions.level_start.shape[1] - 1):
            a, b = w.positions.level_start[self.row, lv], w.positions.level_start[self.row, lv + 1]
            counts.append(int((w.positions.i[a:b, state.Q_HOLDER] >= 0).sum()))
        return counts


_install_columns(Employer)


class ServiceProvider(mesa.Agent):
    """A service provider: employment service, training provider, third sector, IPS coach...

    Parameters
    ----------
    model
        The model.
    index
        Position in the lab's provider list.
    """

    def __init__(self, model: LabourMarketModel, index: int) -> None:
        super().__init__(model)
        spec = model.params.providers[index]
        self.index = index
        self.name = spec.name
        self.kind = spec.kind
        self.capacity = spec.capacity
        self.coordination = spec.coordination
        self.joins_month = spec.joins_month
        self.used_capacity = 0

    @property
    def in_coalition(self) -> bool:
        """Whether the provider takes part in the coalition this month."""
        return bool(self.model.world.provider_in_coalition[self.index])

    @property
    def interventions(self) -> list[str]:
        """Names of the interventions this provider delivers."""
        return [s.name for s in self.model.params.interventions if s.provider == self.name]


class Coalition(mesa.Agent):
    """The local partnership network of employers, services and training providers."""

    @property
    def integration(self) -> float:
        """How integrated the partners' work is (0-1): referrals, shared employer contacts."""
        return float(self.model.world.integration)

    @property
    def partners(self) -> list[ServiceProvider]:
        """Providers taking part this month."""
        return [p for p in self.model.agents_by_type[ServiceProvider] if p.in_coalition]

    @property
    def employers(self) -> TableAgentSet:
        """Employers taking part."""
        emp = self.model.agents_by_type[Employer]
        return emp.where(emp.get("in_coalition").astype(bool))
