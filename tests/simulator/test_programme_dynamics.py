"""What a programme leaves after it ends: gains that fade with the programme's half-life,
aftercare (search assistance after the end) and separations when a subsidy ends."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small_params

from simulator import interventions, state
from simulator.interventions import InterventionSpec, compile_interventions, gain_decay
from simulator.kernels.matching import applications_of, support_of
from simulator.model import LabourMarketModel


def _coaching(**settings) -> InterventionSpec:
    """Coaching for every jobseeker that raises skill and job-search skill."""
    return InterventionSpec(
        name="coaching",
        kind="job_search_coaching",
        target="jobseekers",
        capacity=40,
        duration_months=2,
        effects={"skill": 0.03, "search_skill": 0.05},
        **settings,
    )


def _subsidy(end_of_support_separation: float) -> InterventionSpec:
    return InterventionSpec(
        name="subsidy",
        kind="hiring_subsidy",
        target="jobseekers",
        capacity=60,
        duration_months=6,
        hiring_support=1.0,
        in_work_support_months=3,
        subsidy_per_month=800.0,
        end_of_support_separation=end_of_support_separation,
    )


def _model(spec: InterventionSpec, months: int) -> LabourMarketModel:
    return LabourMarketModel(
        small_params(n_persons=700, months=months, spin_up_months=0, interventions=[spec]), rng=3
    )


def test_half_life_maps_to_a_monthly_share_and_zero_is_off():
    assert gain_decay(0.0) == 0.0
    assert gain_decay(1.0) == 0.5
    assert (1.0 - gain_decay(24.0)) ** 24 == pytest.approx(0.5)
    table, _, _ = compile_interventions([_coaching()], [], 12)
    assert table.shape[1] == interventions.IV_N_COLUMNS
    off = (
        interventions.IV_GAIN_DECAY,
        interventions.IV_AFTERCARE_MONTHS,
        interventions.IV_AFTERCARE_SHARE,
        interventions.IV_END_SEPARATION,
    )
    assert not table[0, list(off)].any()


@pytest.mark.parametrize("half_life", [0.0, 1.0])
def test_programme_gains_fade_with_the_half_life_once_it_ends(half_life: float):
    model = _model(_coaching(gain_half_life_months=half_life), months=10)
    pf, pi = model.world.persons.f, model.world.persons.i
    checked = 0
    for _ in range(10):
        n = model.world.persons.n
        out = pi[:n, state.P_ENROLLED] < 0
        status = pi[:n, state.P_STATUS].copy()
        gains = pf[:n, [state.P_PROGRAMME_SKILL_GAIN, state.P_PROGRAMME_SEARCH_SKILL_GAIN]].copy()
        model.step()
        # Out of any programme all month (a new participation can start and end with a hire
        # within a month: the status tells).
        still_out = out & (pi[:n, state.P_ENROLLED] < 0) & (pi[:n, state.P_STATUS] == status)
        still_out &= status != state.GONE
        took_part = still_out & (gains[:, 0] > 0.0)
        after = pf[:n, [state.P_PROGRAMME_SKILL_GAIN, state.P_PROGRAMME_SEARCH_SKILL_GAIN]]
        kept = 1.0 - gain_decay(half_life)
        np.testing.assert_array_equal(after[took_part], kept * gains[took_part])
        checked += int(took_part.sum())
    assert checked > 50


def test_aftercare_runs_for_its_months_and_keeps_its_share_of_the_help():
    spec = _coaching(
        extra_applications=4.0, hiring_support=0.6, aftercare_months=3, aftercare_share=0.5
    )
    model = _model(spec, months=12)
    pi = model.world.persons.i
    seen = began = 0
    for _ in range(12):
        n = model.world.persons.n
        ending = (pi[:n, state.P_ENROLLED] >= 0) & (pi[:n, state.P_ENROLMENT_LEFT] == 1)
        before = pi[:n, state.P_AFTERCARE_LEFT].copy()
        model.step()
        searching = (pi[:n, state.P_ENROLLED] < 0) & (pi[:n, state.P_STATUS] == state.UNEMPLOYED)
        # Ended by running out (not by a hire or an exit): three months of aftercare start.
        assert (pi[:n, state.P_AFTERCARE_LEFT][ending & searching] == 3).all()
        started = int((ending & searching).sum())
        running = (before > 0) & searching
        np.testing.assert_array_equal(pi[:n, state.P_AFTERCARE_LEFT][running], before[running] - 1)
        seen += int(running.sum())
        began += started
    assert began > 10 and seen > 20
    # A person in aftercare sends half of the extra applications as surely aimed and brings
    # half of the hiring support; after it, neither.
    p = int(np.flatnonzero(searching)[0])
    pi[p, state.P_LAST_INTERVENTION] = 0
    pi[p, state.P_AFTERCARE_LEFT] = 2
    iv, par, key = model._iv, model._par, model.key
    assert applications_of(model.world.persons.f, pi, p, iv, par, key, 99)[1] == 2
    assert support_of(pi, p, iv) == 0.3
    pi[p, state.P_AFTERCARE_LEFT] = 0
    assert applications_of(model.world.persons.f, pi, p, iv, par, key, 99)[1] == 0
    assert support_of(pi, p, iv) == 0.0


def _still_in_job_after_support(model: LabourMarketModel, support_months: int) -> int:
    """Employees hired with the subsidy who are still in the job after it ran out."""
    pi, n, month = model.world.persons.i, model.world.persons.n, model.world.month
    return int(
        (
            (pi[:n, state.P_STATUS] == state.EMPLOYED)
            & (pi[:n, state.P_SUPPORT_INTERVENTION] >= 0)
            & (month - pi[:n, state.P_HIRE_MONTH] >= support_months)
        ).sum()
    )


def test_a_certain_separation_when_the_subsidy_ends_leaves_no_one_in_the_job():
    stayed = {}
    for risk in (0.0, 1.0):
        model = _model(_subsidy(risk), months=14)
        stayed[risk] = 0
        for _ in range(14):
            model.step()
            stayed[risk] += _still_in_job_after_support(model, 3)
    assert stayed[0.0] > 20  # without the risk, subsidised hires outlast their subsidy
    assert stayed[1.0] == 0
