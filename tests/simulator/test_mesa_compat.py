"""Mesa's own tools on the model: model.agents, a DataCollector, mesa.batch_run, running."""

from __future__ import annotations

import multiprocessing

import mesa
import numpy as np
import pytest

from simulator import Coalition, Employee, Employer, Jobseeker, Person, ServiceProvider, state
from simulator.model import LabourMarketModel
from simulator.params import ModelParams

PARAMS = {"months": 4, "spin_up_months": 0, "population": {"n_persons": 1500}}


def small(months: int = 4) -> ModelParams:
    return ModelParams.model_validate({**PARAMS, "months": months})


@pytest.fixture(scope="module")
def model() -> LabourMarketModel:
    m = LabourMarketModel(small(), rng=3)
    m.step()
    return m


def test_model_agents_hold_everyone(model: LabourMarketModel) -> None:
    status = model.world.persons.i[: model.world.persons.n, state.P_STATUS]
    seekers = model.agents.select(agent_type=Jobseeker)
    assert len(seekers) == (status == state.UNEMPLOYED).sum() > 0
    assert all(isinstance(a, Jobseeker) for a in seekers)
    assert len(model.agents.select(agent_type=Employee)) == (status == state.EMPLOYED).sum()
    assert len(model.agents.select(agent_type=Employer)) == model.world.employers.n
    n_people = (status != state.GONE).sum()
    assert len(model.agents) == n_people + model.world.employers.n + len(model.params.providers) + 1
    assert model.coalition in model.agents and model.employers[0] in model.agents
    # A filter runs over every part, persons, employers and registered agents alike.
    low = model.agents.select(lambda a: isinstance(a, Person) and a.skill < 0.3)
    assert len(low) == int((model.persons.get("skill") < 0.3).sum()) > 0
    counts = model.agents.groupby(type).count()
    assert counts[ServiceProvider] == len(model.params.providers) and counts[Coalition] == 1
    with pytest.raises(TypeError, match=r"model\.agents"):
        model.agents.add(model.coalition)


def test_running_turns_false_after_the_last_month() -> None:
    m = LabourMarketModel(small(3), rng=1)
    assert m.running
    m.run()
    assert not m.running and m.month == 3
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4  # month 0 and each simulated month
    census = m.census
    assert frame["employed"].iloc[-1] == census[0, 0]
    assert frame["employment_to_population"].iloc[-1] == pytest.approx(
        census[0, 0] / census[:3, 0].sum()
    )


class ReportingModel(LabourMarketModel):
    """A model whose DataCollector also records persons (agent reporter) and employers."""

    def __init__(self, months: int = 2, rng: int | None = None) -> None:
        super().__init__(small(months), rng=rng)
        self.datacollector = mesa.DataCollector(
            model_reporters={"unemployed": lambda m: len(m.jobseekers)},
            agent_reporters={"efficacy": lambda a: getattr(a, "self_efficacy", None)},
            agenttype_reporters={Employer: {"size": "size"}},
        )
        self.datacollector.collect(self)


def test_datacollector_agent_reporters() -> None:
    m = ReportingModel(months=1, rng=2)
    m.run()
    agents = m.datacollector.get_agent_vars_dataframe()
    last = agents.xs(1, level="Step")
    # One row per agent: persons carry a value, providers and the coalition None.
    assert len(last) == len(m.agents)
    efficacy = last["efficacy"].dropna().to_numpy(dtype=float)
    assert len(efficacy) == len(m.persons)
    assert np.allclose(np.sort(efficacy), np.sort(m.persons.get("self_efficacy")))
    sizes = m.datacollector.get_agenttype_vars_dataframe(Employer)
    assert len(sizes.xs(1, level="Step")) == m.world.employers.n


@pytest.fixture
def start_method():
    """batch_run forces multiprocessing's start method; the rest of the session keeps its own."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def test_mesa_batch_run(start_method) -> None:
    rows = mesa.batch_run(
        LabourMarketModel,
        parameters={"params": [small(2)]},
        rng=[5, 6],
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    frame = {(r["rng"], r["Step"]): r for r in rows}
    assert {step for _, step in frame} == {0, 1, 2}
    for seed in (5, 6):
        again = LabourMarketModel(small(2), rng=seed)
        again.run()
        assert frame[(seed, 2)]["employed"] == again.census[0, 0]
    assert frame[(5, 2)]["employed"] != frame[(6, 2)]["employed"]


def test_batch_run_with_agent_reporters(start_method) -> None:
    rows = mesa.batch_run(
        ReportingModel,
        parameters={"months": 1},
        rng=7,
        data_collection_period=-1,
        display_progress=False,
    )
    persons = [r for r in rows if r.get("efficacy") is not None]
    assert len(persons) > 1000 and all(0 <= r["efficacy"] <= 1 for r in persons)
