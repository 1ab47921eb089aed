"""Shared builders for the tests: small worlds and a package that exercises every mechanic."""

from __future__ import annotations

from hypothesis import strategies as st

from simulator.interventions import InterventionSpec
from simulator.params import ModelParams, ProviderSpec


def every_mechanic_package() -> list[InterventionSpec]:
    """Interventions touching jobseekers, employees and employers, with peer learning,
    lock-in, hiring support, in-work support, subsidies and job carving, and the dynamics
    after a programme: fading gains, aftercare and separations when a subsidy ends."""
    return [
        InterventionSpec(
            name="coaching",
            kind="job_search_coaching",
            target="jobseekers",
            provider="third_sector",
            capacity=15,
            duration_months=3,
            peer_group=True,
            extra_applications=1.0,
            hiring_support=0.4,
            gain_half_life_months=4.0,
            aftercare_months=3,
            aftercare_share=0.5,
            eligibility={"groups": ["long_term_unemployed", "young"]},
            effects={
                "self_efficacy": 0.03,
                "search_skill": 0.04,
                "search_effort": 0.03,
                "successes": 1.0,
                "trust": 0.02,
            },
        ),
        InterventionSpec(
            name="upskilling",
            kind="upskilling",
            target="jobseekers",
            provider="training_provider",
            capacity=8,
            duration_months=4,
            lock_in=0.4,
            gain_half_life_months=9.0,
            effects={"skill": 0.02, "successes": 0.5},
        ),
        InterventionSpec(
            name="subsidy",
            kind="hiring_subsidy",
            target="jobseekers",
            capacity=10,
            duration_months=6,
            hiring_support=0.7,
            in_work_support_months=6,
            subsidy_per_month=800.0,
            end_of_support_separation=0.3,
            eligibility={"min_unemployment_months": 6},
        ),
        InterventionSpec(
            name="development",
            kind="employee_development",
            target="employees",
            capacity=12,
            duration_months=6,
            eligibility={"max_level": 1},
            effects={"skill": 0.015, "motivation": 0.05, "awareness": 0.05},
        ),
        InterventionSpec(
            name="inclusive",
            kind="inclusive_culture",
            target="employers",
            capacity=3,
            duration_months=1,
            cost_per_participant=3000.0,
            employer_effects={
                "bias_reduction": 0.5,
                "development": 0.2,
                "job_carving": 0.5,
                "hiring_standard": 0.02,
            },
        ),
    ]


def small_params(
    n_persons: int = 600, months: int = 18, package: bool = True, **overrides
) -> ModelParams:
    """A small world, by default with :func:`every_mechanic_package` and a coalition."""
    data = {
        "months": months,
        "population": {"n_persons": n_persons, "persons_per_employer": 12.0},
        "coalition": {"employer_share": 0.3, "integration": 0.4},
        "providers": [
            ProviderSpec(name="public_employment_service", kind="public_employment_service"),
            ProviderSpec(name="training_provider", kind="training_provider", capacity=6),
            ProviderSpec(name="third_sector", kind="third_sector", capacity=20),
        ],
        "interventions": every_mechanic_package() if package else [],
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return ModelParams.model_validate(data)


@st.composite
def worlds(draw) -> tuple[ModelParams, int]:
    """Random small worlds and a seed: ladders, demand, mobility, matching, a package or none."""
    levels = draw(st.integers(2, 5))
    reqs = sorted(draw(st.lists(st.floats(0.0, 0.9), min_size=levels, max_size=levels)))
    shares = draw(st.lists(st.floats(0.05, 1.0), min_size=levels, max_size=levels))
    fill_internal = draw(st.lists(st.floats(0.0, 0.8), min_size=levels, max_size=levels))
    fill_j2j = draw(st.lists(st.floats(0.0, 0.2), min_size=levels, max_size=levels))
    data = {
        "months": 6,
        "spin_up_months": draw(st.integers(0, 6)),
        "population": {
            "n_persons": draw(st.integers(30, 400)),
            "initial_inactive_share": draw(st.floats(0.0, 0.5)),
            "persons_per_employer": draw(st.floats(2.0, 60.0)),
            "initial_unemployment_rate": draw(st.floats(0.0, 0.4)),
            "share_partial_ability": draw(st.floats(0.0, 0.5)),
        },
        "ladder": {
            "skill_requirements": reqs,
            "level_shares": shares,
            "slack": draw(st.floats(0.0, 1.0)),
        },
        "demand": {
            "quit_rate": draw(st.floats(0.0, 0.1)),
            "dismissal_rate": draw(st.floats(0.0, 0.1)),
            "entry_rate": draw(st.floats(0.0, 0.02)),
            "inactivity_exit_rate": draw(st.floats(0.0, 0.2)),
            "reentry_rate": draw(st.floats(0.0, 0.5)),
            "employment_exit_rate": draw(st.floats(0.0, 0.1)),
            "inactive_search_rate": draw(st.floats(0.0, 0.5)),
            "entrant_inactive_share": draw(st.floats(0.0, 1.0)),
            "retirement_age": draw(st.integers(55, 70)),
            "demand_shock": draw(st.floats(-0.8, 0.8)),
            "shock_length": draw(st.integers(0, 6)),
        },
        "mobility": {
            "internal_fill": fill_internal,
            "job_to_job_fill": fill_j2j,
            "training_rate": draw(st.floats(0.0, 0.5)),
            "promotion_requires_skill": draw(st.booleans()),
            "job_carving": draw(st.floats(0.0, 1.0)),
        },
        "matching": {
            "applications": draw(st.floats(0.0, 8.0)),
            "hiring_standard": draw(st.floats(-0.5, 0.2)),
        },
        "coalition": {"employer_share": draw(st.floats(0.0, 1.0))},
        "interventions": every_mechanic_package() if draw(st.booleans()) else [],
    }
    return ModelParams.model_validate(data), draw(st.integers(0, 2**32 - 1))


@st.composite
def fill_matrices(draw, n_levels: int, max_row_sum: float = 1.0) -> list[list[float]]:
    """Random substochastic fill matrices: any entry may be positive (moves up, across and
    down the ladder), each row sums to at most ``max_row_sum`` (< 1 keeps every chain finite)."""
    # Weights and row sums on a grid of hundredths: no vanishing probabilities.
    rows = []
    for _ in range(n_levels):
        weights = draw(st.lists(st.integers(0, 100), min_size=n_levels, max_size=n_levels))
        total = draw(st.integers(0, 100)) / 100 * max_row_sum
        s = sum(weights)
        rows.append([total * w / s if s > 0 else 0.0 for w in weights])
    return rows


def lab_text(extra: str = "", population: str = "n_persons = 2000") -> str:
    """A minimal living-lab file; ``population`` and ``extra`` go into its text."""
    return f"""[lab]
name = "test_lab"
title = "Test"
country = "FI"
target_groups = ["long_term_unemployed"]

[population]
{population}
{extra}"""
