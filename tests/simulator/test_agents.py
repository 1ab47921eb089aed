"""Mesa idioms on the table-backed agents: agents_by_type, select, agg, groupby, sort, do."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import Coalition, Employee, Employer, Jobseeker, Person, ServiceProvider, state
from simulator.model import LabourMarketModel
from simulator.params import ModelParams


@pytest.fixture(scope="module")
def model() -> LabourMarketModel:
    m = LabourMarketModel(
        ModelParams.model_validate(
            {"population": {"n_persons": 2000}, "coalition": {"employer_share": 0.2}}
        ),
        rng=4,
    )
    for _ in range(3):
        m.step()
    return m


def test_agents_by_type_views(model: LabourMarketModel) -> None:
    by_type = model.agents_by_type
    persons, employees, seekers = by_type[Person], by_type[Employee], by_type[Jobseeker]
    status = model.world.persons.i[: model.world.persons.n, state.P_STATUS]
    assert len(employees) == (status == state.EMPLOYED).sum()
    assert len(seekers) == (status == state.UNEMPLOYED).sum()
    assert len(persons) == (status != state.GONE).sum()
    assert all(isinstance(p, Employee) and p.role == "employee" for p in employees[:50])
    assert all(isinstance(p, Jobseeker) and p.position is None for p in seekers[:50])
    assert len(by_type[Employer]) == model.world.employers.n
    assert len(by_type[ServiceProvider]) == len(model.params.providers)
    assert isinstance(model.coalition, Coalition)
    assert model.coalition in model.agents


def test_handles_read_and_write_the_table(model: LabourMarketModel) -> None:
    p = model.employees[0]
    assert p == model.person(p.row) and hash(p) == hash(model.person(p.row))
    assert (
        p.employer is not None
        and p.employer.row == model.world.positions.i[p.position, state.Q_EMPLOYER]
    )
    old = p.self_efficacy
    p.self_efficacy = 0.123
    assert model.world.persons.f[p.row, state.P_SELF_EFFICACY] == 0.123
    p.self_efficacy = old
    assert p in model.employees
    assert 0 <= p.level < model.params.ladder.n_levels


def test_vectorised_get_agg_groupby_sort(model: LabourMarketModel) -> None:
    seekers = model.jobseekers
    skills = seekers.get("skill")
    assert isinstance(skills, np.ndarray) and len(skills) == len(seekers)
    assert seekers.agg("skill", np.mean) == pytest.approx(skills.mean())
    lo, hi = seekers.agg("unemployment_duration", [min, max])
    assert lo <= hi
    groups = model.persons.groupby("migrant")
    assert sum(groups.count().values()) == len(model.persons)
    assert set(groups.count()) <= {True, False}
    ranked = seekers.sort("skill", ascending=False)
    s = ranked.get("skill")
    assert (np.diff(s) <= 0).all()
    long_term = seekers.select(lambda a: a.long_term_unemployed)
    assert len(long_term) == (seekers.get("unemployment_duration") >= 12).sum()
    assert len(seekers.where(seekers.get("unemployment_duration") >= 12)) == len(long_term)
    by_sector = model.employers.groupby("sector")
    assert set(by_sector.count()) <= {s.name for s in model.params.population.sectors}


def test_do_and_map_and_shuffle(model: LabourMarketModel) -> None:
    sample = model.jobseekers.copy().select(at_most=20)
    assert sample.map(lambda a: a.role) == ["jobseeker"] * len(sample)
    seen = []
    sample.shuffle_do(lambda a: seen.append(a.row))
    assert sorted(seen) == sorted(sample.rows.tolist())


def test_live_sets_follow_the_model_and_refuse_edits(model: LabourMarketModel) -> None:
    with pytest.raises(TypeError):
        model.employees.add(model.jobseekers[0])
    with pytest.raises(TypeError):
        model.jobseekers[0].remove()
    snapshot = model.employees.copy()
    snapshot.discard(snapshot[0])
    assert len(snapshot) == len(model.employees) - 1


def test_employer_and_coalition_views(model: LabourMarketModel) -> None:
    e = max(model.employers, key=lambda a: a.size)
    assert sum(e.staff_by_level()) == len(e.staff)
    assert e.positions == len(e.staff) + e.vacancies
    members = model.coalition.employers
    assert len(members) == round(0.2 * model.world.employers.n)
    assert all(m.in_coalition for m in members)


def test_person_agents_cost_nothing_until_used() -> None:
    params = ModelParams.model_validate({"spin_up_months": 0, "population": {"n_persons": 200_000}})
    m = LabourMarketModel(params, rng=1)
    # Only providers and the coalition are registered Mesa agents; model.agents counts the
    # table-backed persons and employers without making their handles.
    assert len(m._all_agents) == len(m.params.providers) + 1
    assert len(m.agents) == 200_000 + m.world.employers.n + len(m.params.providers) + 1
    assert len(m.persons) == 200_000
